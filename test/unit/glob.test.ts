// Config globs (engine/glob.ts): picomatch's syntax, matched by a lazy DFA in time linear in the path,
// relative to the config's folder with `../` for files outside it; globs that can never match are named.
import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { parseConfig } from '../../server/src/engine/config-parse';
import { globMatcher, globNeverMatches } from '../../server/src/engine/glob';
import { BLOCKING_TS, cli, removeWorkspace, workspace, writeFiles } from './cli-helpers';

/** CPU milliseconds `f` takes (the process's, so other load on the machine does not count). */
function cpuMs(f: () => void): number {
  const before = process.cpuUsage();
  f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe('config globs', () => {
  it('matches what picomatch (dot: true), the matcher used before, matches on the globs people write', () => {
    const globs = ['**/*.test.ts', 'src/**', '**/node_modules/**', '**/generated/**/*.ts', 'packages/*/src/**/*.{ts,tsx}', '**/__tests__/**', '*.d.ts', 'a*a*/a*a*/**/b', '**', '**/', 'a/**', 'a/**/b', '{a,b}/**', 'a/{b,**/c}', '**.ts', '?x', '@(a|b)/*', '*(a|b)x', '+(a)', 'a/[b-d]/*', './src/**', 'x/**/', '**/.git/**', 'a{,b}', 'a{b}', '**/**/x', 'a/**/**/b', '**/*', '*', 'src/*.ts', '{src,lib}/**/*.{js,mjs}', '**/{test,tests}/**', '[a-c]?/**', 'x?(y)z', 'a/**b', '**a/b', '[^a]*', 'a\\*b'];
    const paths = ['a', 'a/b', 'a/b/c', 'src/x.ts', 'src/a/b.test.ts', 'x/node_modules/y/z.js', 'p/generated/q/r.ts', 'generated/r.ts', 'packages/foo/src/a/b.tsx', 'packages/foo/src/a.ts', '__tests__/a.js', 'x.d.ts', 'a/x.d.ts', 'aa/aa/b', 'aa/aa/q/b', 'b/x', 'a/x/y/c', 'y.ts', 'x/y.ts', 'ba', 'ax', 'abax', 'bx', 'a/c/z', '.git/x', 'x/.git/y', 'ab', 'a{b}', 'a/x/b', 'a/xb', 'x', 'xz', 'xyz', 'lib/a/b.mjs', 'tests/a.ts', 'q/test/a.ts', '.a', 'a*b', 'axb', '../a.ts', '../src/x.ts'];
    const differences: string[] = [];
    for (const glob of globs) {
      const before = picomatch(glob, { dot: true });
      const now = globMatcher([glob]);
      for (const p of paths) if (before(p) !== now(p)) differences.push(`${glob} ${p}: ${before(p)} before, ${now(p)} now`);
    }
    assert.deepEqual(differences, []);
  });

  it('matches a list of globs as one, and `[!a]` as "not a" (picomatch read it otherwise)', () => {
    const m = globMatcher(['src/**', '**/*.gen.ts', '../shared/**']);
    assert.deepEqual(['src/a.ts', 'x/y.gen.ts', '../shared/z.ts', 'x/y.ts', '../src/a.ts', '../../shared/z.ts'].map(m), [true, true, true, false, false, false]);
    assert.deepEqual(['b', 'a', 'ba'].map(globMatcher(['[!a]*'])), [true, false, true]);
  });

  it('`../` in a glob names files outside the base folder; `**` never climbs out of it', () => {
    assert.equal(globMatcher(['../src/**'])('../src/a/b.ts'), true);
    assert.equal(globMatcher(['../../src/**'])('../src/a.ts'), false);
    assert.equal(globMatcher(['**/*.ts'])('../a.ts'), false);
    assert.equal(globMatcher(['../**/*.generated.ts'])('../src/x.generated.ts'), true);
  });

  it('matches `**/a*/**/a*/**/a*/z.ts` against a 200-folder path in a few ms of CPU (picomatch: seconds)', () => {
    const glob = '**/a*/**/a*/**/a*/z.ts';
    const deep = [Array.from({ length: 200 }, (_, i) => `a${i}`).join('/') + '/y.ts', 'a/'.repeat(200) + 'c', ('a'.repeat(30) + '/').repeat(40) + 'z.tsx'];
    let results: boolean[] = [];
    const ms = cpuMs(() => (results = deep.map(globMatcher([glob]))));
    assert.deepEqual(results, [false, false, false]);
    assert.ok(ms < 100, `${ms.toFixed(1)} ms`);
    assert.equal(globMatcher([glob])('a/b/a1/c/a2/z.ts'), true);
  });

  it('names the globs that can never match, with the reason, and keeps them', () => {
    assert.match(globNeverMatches('/abs/src/**')!, /absolute path/);
    assert.match(globNeverMatches('C:/src/**')!, /absolute path/);
    assert.match(globNeverMatches('../../../src/**', 2)!, /climbs 3 folders up.*above the root of the file system.*remove 1/);
    assert.equal(globNeverMatches('../../src/**', 2), undefined);
    assert.match(globNeverMatches('dist/')!, /ends with `\/`.*`dist\/\*\*`/);
    assert.match(globNeverMatches('src/../lib/**')!, /`\.` or `\.\.` segment/);
    assert.match(globNeverMatches('src//a.ts')!, /empty segment/);
    for (const fine of ['src/**', './src/**', '../x/**', '**', '*.ts']) assert.equal(globNeverMatches(fine, 3), undefined, fine);
    // A `/` inside a class or a group is not a folder separator (found by the config fuzz: the
    // class `[..//**+(a|*)[*]` holds `a`, so the glob matches `../a`).
    for (const [glob, path] of [['../[..//**+(a|*)[*]*', '../a'], ['{a//b,c}.ts', 'c.ts'], ['+(x|./y)z', 'xz'], ['[\\]/.]q', '.q']] as const) {
      assert.equal(globNeverMatches(glob, 3), undefined, glob);
      assert.equal(globMatcher([glob])(path), true, `${glob} on ${path}`);
    }
    assert.match(globNeverMatches('[ab]//x')!, /empty segment/);
    assert.match(globNeverMatches('{a,b}/../x')!, /`\.` or `\.\.` segment/);
    const { config, errors, warnings } = parseConfig('{\n  "include": ["src/**", "/abs/**"],\n  "exclude": ["dist/"]\n}', 'cfg.json', { depth: 1 });
    assert.deepEqual(errors, []);
    assert.deepEqual(config.include, ['src/**', '/abs/**']);
    assert.deepEqual(warnings.map((w) => [w.line, w.path]), [[2, 'include[1]'], [3, 'exclude[0]']]);
  });
});

describe('cli: a --config file in another folder', () => {
  // The scenario: `--config config/ab.json`, whose globs are relative to `config/`.
  it('matches include/exclude relative to the config folder, `../` globs included, and files outside it are filtered', async () => {
    const ws = workspace({
      'config/ab.json': '{ "include": ["../src/**"], "exclude": ["../src/gen/**"] }',
      'src/a.ts': BLOCKING_TS,
      'src/gen/b.ts': BLOCKING_TS,
      'other/c.ts': BLOCKING_TS,
    });
    try {
      const r = await cli(['check', 'src', 'other', '--config', 'config/ab.json', '--format', 'json'], ws);
      assert.deepEqual([...new Set((JSON.parse(r.out) as { file: string }[]).map((f) => f.file))], ['src/a.ts']);
      assert.equal(r.err, '');
      // A glob written as if relative to the working directory does not match outside the config's folder.
      writeFiles(ws, { 'config/ab.json': '{ "exclude": ["src/gen/**"] }' });
      const plain = await cli(['check', 'src', '--config', 'config/ab.json', '--format', 'json'], ws);
      assert.deepEqual([...new Set((JSON.parse(plain.out) as { file: string }[]).map((f) => f.file))], ['src/a.ts', 'src/gen/b.ts']);
    } finally {
      removeWorkspace(ws);
    }
  });

  it('warns about globs that can never match, and still runs with the config (no exit 2)', async () => {
    const ws = workspace({ 'config/ab.json': '{\n  "include": ["/src/**", "../src/**"],\n  "exclude": ["' + '../'.repeat(60) + 'x/**", "gen/"]\n}', 'src/a.ts': BLOCKING_TS });
    try {
      const r = await cli(['check', 'src', '--config', 'config/ab.json'], ws);
      assert.equal(r.code, 0);
      const warnings = r.err.split('\n').filter((l) => l.includes(': warning: '));
      assert.equal(warnings.length, 3, r.err);
      assert.match(warnings[0]!, /^config\/ab\.json:2:15: warning: `include\[0\]` can never match a file: it is an absolute path/);
      assert.match(warnings[1]!, /^config\/ab\.json:3:15: warning: `exclude\[0\]` can never match a file: it climbs 60 folders up/);
      assert.match(warnings[2]!, /`exclude\[1\]` can never match a file: it ends with `\/`/);
      assert.match(r.out, /src\/a\.ts/);
    } finally {
      removeWorkspace(ws);
    }
  });

  it('accepts a glob a wildcard count refused, and checks a deep tree with it quickly', async () => {
    const deep = Array.from({ length: 60 }, (_, i) => `a${i}`).join('/');
    const ws = workspace({ '.async-boundary.json': '{ "exclude": ["**/a*/**/a*/**/a*/z.ts"] }', [`${deep}/z.ts`]: BLOCKING_TS, [`${deep}/y.ts`]: BLOCKING_TS });
    try {
      const r = await cli(['check', '--format', 'json'], ws);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual([...new Set((JSON.parse(r.out) as { file: string }[]).map((f) => f.file))], [`${deep}/y.ts`]);
    } finally {
      removeWorkspace(ws);
    }
  });
});
