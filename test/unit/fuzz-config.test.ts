// Property 4 in `npm test`: malformed configs and config-supplied globs (bounded budget; the long
// run is `npm run fuzz`). Also the measured pathological globs, which must be refused, not matched.
import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { parseConfig } from '../../server/src/engine/config-parse';
import { globComplexityProblem } from '../../server/src/engine/glob-limits';
import { REGRESSIONS } from '../fuzz/campaign';
import { configParses, globIsSafe, GLOB_BUDGET_MS, HOSTILE_PATHS, newConfigStats, runConfigProperties, savedConfigCases } from '../fuzz/config';

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

  // Each of these took seconds in picomatch on one hostile path before the limits (see glob-limits.ts).
  for (const glob of ['a*a*a*a*a*a*a*a*b', '**/a/**/a/**/a/**/a/**/b', '**/a*a*/**/a*a*/**/a*a*/b', '{a*,*a}{a*,*a}{a*,*a}b', '**/a*a*a*a*/**/**/b', '**/'.repeat(50) + 'a*a*a*x', '+(a)+(a)+(a)+(a)x', 'a****(a)*@(a|aa)?x']) {
    it(`refuses the pathological glob ${glob.slice(0, 40)} with an error at its key`, () => {
      const text = `{\n  "include": ["src/**", ${JSON.stringify(glob)}]\n}`;
      const { config, errors } = parseConfig(text, 'cfg.json');
      assert.deepEqual(config.include, ['src/**']);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.deepEqual([errors[0]!.line, errors[0]!.path], [2, 'include[1]']);
      assert.match(errors[0]!.message, /^`include\[1\]` has \d+ .* more than the limit/);
    });
  }

  it('accepts the globs people write, and they match hostile paths within the budget', () => {
    for (const glob of ['**/*.test.ts', 'src/**', '**/node_modules/**', '**/generated/**/*.ts', 'packages/*/src/**/*.{ts,tsx}', '**/__tests__/**', '*.d.ts', 'a*a*/a*a*/**/b']) {
      assert.equal(globComplexityProblem(glob), undefined, glob);
      const match = picomatch([glob], { dot: true });
      const t0 = performance.now();
      for (const p of HOSTILE_PATHS) match(p);
      assert.ok(performance.now() - t0 < GLOB_BUDGET_MS, glob);
    }
  });

  it('counts escaped stars and stars in classes as literals', () => {
    assert.equal(globComplexityProblem('a\\*b\\*c\\*d[*][*]*x'), undefined);
  });
});
