// `--diff REF`: parsing git's unified diff, and the changed lines of a real temporary repository.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { changedLines, inDiff, parseUnifiedDiff, unquoteGitPath } from '../../server/src/cli/diff';
import { UsageError } from '../../server/src/cli/io';
import { cli, CLEAN_TS, git, removeWorkspace, workspace, writeFiles } from './cli-helpers';

describe('cli --diff', () => {
  it('parses new-side hunks, ignoring deletions and content that looks like a header', () => {
    const diff = [
      'diff --git a.ts a.ts',
      '--- a.ts',
      '+++ a.ts',
      '@@ -3 +3 @@ x',
      '@@ -10,0 +11,2 @@',
      '+++ this added line starts with two pluses',
      '@@ -20,3 +21,0 @@',
      'diff --git gone.ts gone.ts',
      '--- gone.ts',
      '+++ /dev/null',
      '@@ -1,4 +0,0 @@',
      'diff --git "sp ace\\303\\251.ts" "sp ace\\303\\251.ts"',
      '+++ "sp ace\\303\\251.ts"',
      '@@ -0,0 +1 @@',
    ];
    const parsed = parseUnifiedDiff(diff);
    assert.deepEqual([...parsed.keys()], ['a.ts', 'sp aceé.ts']);
    assert.deepEqual([...parsed.get('a.ts')!].sort((a, b) => a - b), [3, 11, 12]);
    assert.deepEqual([...parsed.get('sp aceé.ts')!], [1]);
    assert.equal(unquoteGitPath('plain.ts'), 'plain.ts');
    assert.equal(unquoteGitPath('"a\\tb.ts"'), 'a\tb.ts');
  });

  describe('in a temporary repository', () => {
    let repo: string;
    before(() => {
      repo = workspace({ 'src/a.ts': 'one\ntwo\nthree\nfour\n', 'src/same.ts': CLEAN_TS });
      git(repo, 'init', '-q');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'base');
      writeFiles(repo, { 'src/a.ts': 'one\nTWO\nthree\nfour\nfive\n', 'src/new.ts': 'x\n', '.gitignore': 'ignored.ts\n', 'ignored.ts': 'y\n' });
    });
    after(() => removeWorkspace(repo));

    it('reports changed lines of modified files, and untracked files in full', async () => {
      const changed = await changedLines('HEAD', join(repo, 'src'));
      const a = join(repo, 'src/a.ts');
      assert.deepEqual([1, 2, 3, 4, 5].map((l) => inDiff(changed, a, l)), [false, true, false, false, true]);
      assert.equal(changed.get(join(repo, 'src/new.ts')), 'all');
      assert.equal(changed.has(join(repo, 'src/same.ts')), false);
      assert.equal(changed.has(join(repo, 'ignored.ts')), false, 'gitignored untracked files are not changes');
    });

    it('rejects an unknown ref and an option in place of a ref', async () => {
      await assert.rejects(changedLines('no-such-branch', repo), (e: unknown) => e instanceof UsageError && /unknown git ref `no-such-branch`/.test(e.message));
      const r = await cli(['check', '--diff', 'no-such-branch'], repo);
      assert.equal(r.code, 2);
      assert.match(r.err, /unknown git ref `no-such-branch`/);
      const opt = await cli(['check', '--diff=--output=/tmp/x'], repo);
      assert.equal(opt.code, 2);
    });

    it('compares with the merge base, so commits made on the ref after branching are not this branch\'s changes', async () => {
      const r2 = workspace({ 'a.ts': 'a1\na2\n', 'b.ts': 'b1\nb2\n' });
      try {
        git(r2, 'init', '-q');
        git(r2, 'add', '.');
        git(r2, 'commit', '-q', '-m', 'base');
        git(r2, 'checkout', '-q', '-b', 'feature');
        writeFiles(r2, { 'b.ts': 'b1\nB2\n' });
        git(r2, 'commit', '-q', '-am', 'feature work');
        git(r2, 'checkout', '-q', 'main');
        writeFiles(r2, { 'a.ts': 'a1\nA2 changed on main\n' });
        git(r2, 'commit', '-q', '-am', 'main moves on');
        git(r2, 'checkout', '-q', 'feature');
        const changed = await changedLines('main', r2);
        assert.deepEqual([...changed.keys()], [join(r2, 'b.ts')]);
        assert.equal(inDiff(changed, join(r2, 'b.ts'), 2), true);
      } finally {
        removeWorkspace(r2);
      }
    });

    it('reports a new call of a helper the function already calls, on the new call', async () => {
      // The reviewer's repro of 8be9139's merge: the finding for both calls sat on the unchanged first
      // call and was filtered out, so the added call went unreported.
      const handler = (calls: string[]): string => [
        "const fs = require('fs');",
        "const express = require('express');",
        'const app = express();',
        '',
        'function readConfig(name) {',
        "  return fs.readFileSync(name, 'utf8');",
        '}',
        '',
        "app.get('/a', async (req, res) => {",
        ...calls,
        '  res.send(banner);',
        '});',
        '',
      ].join('\n');
      const r3 = workspace({ 'handler.js': handler(["  const banner = readConfig('banner.txt');"]) });
      try {
        git(r3, 'init', '-q');
        git(r3, 'add', '.');
        git(r3, 'commit', '-q', '-m', 'base');
        writeFiles(r3, { 'handler.js': handler(["  const banner = readConfig('banner.txt');", '  const cfg = readConfig(req.query.file);']) });
        const r = await cli(['check', '.', '--diff', 'HEAD', '--format', 'json'], r3);
        const found = JSON.parse(r.out) as { line: number; column: number; message: string }[];
        assert.deepEqual(found.map((f) => [f.line, f.column]), [[11, 15]]);
        assert.match(found[0]!.message, /^`readConfig` blocks .*\(this call and 1 more\): /);
        const text = await cli(['check', '.', '--diff', 'HEAD'], r3);
        assert.match(text.out, /handler\.js:11:15 .*\n.*\n\s+handler\.js:10:18\s+note\s+`readConfig` is called here too/);
        // Without --diff the finding stays on the first call.
        const all = JSON.parse((await cli(['check', '.', '--format', 'json'], r3)).out) as { line: number }[];
        assert.deepEqual(all.map((f) => f.line), [10]);
        // Nothing changed in the handler: nothing reported.
        git(r3, 'commit', '-q', '-am', 'second call');
        assert.deepEqual(JSON.parse((await cli(['check', '.', '--diff', 'HEAD', '--format', 'json'], r3)).out), []);
      } finally {
        removeWorkspace(r3);
      }
    });

    it('checks only the changed files', async () => {
      const r = await cli(['check', '--diff', 'HEAD'], repo);
      // src/a.ts (modified) and src/new.ts (untracked); src/same.ts is unchanged and not read.
      assert.deepEqual([r.code, r.out], [0, 'No findings in 2 files\n']);
    });
  });
});
