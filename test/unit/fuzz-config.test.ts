// Property 4 in `npm test`: malformed configs and config-supplied globs (bounded budget; the long
// run is `npm run fuzz`). Also the globs that were pathological for a backtracking matcher.
import assert from 'node:assert/strict';
import { parseConfig } from '../../server/src/engine/config-parse';
import { globSyntaxProblem } from '../../server/src/engine/glob';
import { REGRESSIONS } from '../fuzz/campaign';
import { configParses, globIsSafe, GLOB_BUDGET_MS, newConfigStats, runConfigProperties, runHostileConfigProperties, savedConfigCases } from '../fuzz/config';

const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 4_000) / 2;

describe('config robustness (bounded fuzz)', function () {
  this.timeout(BUDGET_MS * 4 + 60_000);

  for (const c of savedConfigCases(REGRESSIONS)) {
    it(`replays saved case ${c.file.split('/').pop()}`, () => {
      if (c.kind === 'glob') globIsSafe(c.input, newConfigStats());
      else configParses(c.input, undefined, newConfigStats());
    });
  }

  it('parseConfig never throws, errors carry file/line/key, valid rules are kept; accepted globs match hostile paths quickly', () => {
    const stats = newConfigStats();
    runConfigProperties(BUDGET_MS, stats, REGRESSIONS);
    assert.ok(stats.configs > 50 && stats.globsAccepted > 10 && stats.globsRefused > 10, JSON.stringify(stats));
    assert.ok(stats.slowestGlobMs < GLOB_BUDGET_MS);
  });

  it('a config nested past the limit anywhere is one error at the first bracket past it; hostile globs match in linear time and never where the parser says they cannot', () => {
    const stats = newConfigStats();
    runHostileConfigProperties(BUDGET_MS / 2, stats, REGRESSIONS);
    assert.ok(stats.configs >= 20 && stats.globsAccepted >= 10, JSON.stringify(stats));
  });

  // Each of these took seconds in picomatch on one hostile path, and was refused by a wildcard count before
  // engine/glob.ts: now they are accepted and matched in linear time.
  for (const glob of ['a*a*a*a*a*a*a*a*b', '**/a/**/a/**/a/**/a/**/b', '**/a*a*/**/a*a*/**/a*a*/b', '{a*,*a}{a*,*a}{a*,*a}b', '**/a*a*a*a*/**/**/b', '**/'.repeat(50) + 'a*a*a*x', '+(a)+(a)+(a)+(a)x', 'a****(a)*@(a|aa)?x', '**/a*/**/a*/**/a*/z.ts']) {
    it(`accepts the once-pathological glob ${glob.slice(0, 40)} and matches hostile paths within the budget`, () => {
      const { config, errors } = parseConfig(`{\n  "include": ["src/**", ${JSON.stringify(glob)}]\n}`, 'cfg.json');
      assert.deepEqual(errors, []);
      assert.deepEqual(config.include, ['src/**', glob]);
      const stats = newConfigStats();
      globIsSafe(glob, stats);
      assert.equal(stats.globsAccepted, 1);
    });
  }

  it('accepts the globs people write, and they match hostile paths within the budget', () => {
    for (const glob of ['**/*.test.ts', 'src/**', '**/node_modules/**', '**/generated/**/*.ts', 'packages/*/src/**/*.{ts,tsx}', '**/__tests__/**', '*.d.ts', 'a*a*/a*a*/**/b']) {
      assert.equal(globSyntaxProblem(glob), undefined, glob);
      const stats = newConfigStats();
      globIsSafe(glob, stats);
      assert.equal(stats.globsAccepted, 1);
    }
  });

  it('refuses the syntax the matcher does not support, with an error at its key', () => {
    for (const glob of ['!(a)*.ts', 'v{1..3}/**', '[[:alpha:]]*']) {
      const { config, errors } = parseConfig(`{\n  "include": ["src/**", ${JSON.stringify(glob)}]\n}`, 'cfg.json');
      assert.deepEqual(config.include, ['src/**']);
      assert.deepEqual([errors.length, errors[0]?.line, errors[0]?.path], [1, 2, 'include[1]'], glob);
      assert.match(errors[0]!.message, /not supported/);
    }
  });
});
