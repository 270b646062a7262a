// The CLI on real findings from the TypeScript frontend. Only the obvious case is relied on:
// `fs.readFileSync` inside an `async function` is a `blocking-in-async` finding on its line.
import assert from 'node:assert/strict';
import { symlinkSync, unlinkSync } from 'node:fs';
import { BLOCKING_TS, CLEAN_TS, cli, git, removeWorkspace, workspace, writeFiles } from './cli-helpers';
import type * as Sarif from 'sarif';

interface Row {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: string;
  message: string;
}

describe('cli: findings', () => {
  let ws: string;
  before(() => (ws = workspace({ 'src/load.ts': BLOCKING_TS, 'src/ok.ts': CLEAN_TS })));
  after(() => removeWorkspace(ws));

  it('reports a blocking call in an async function in every format, exiting 0 at warning severity', async () => {
    const json = await cli(['check', '--format', 'json'], ws);
    assert.equal(json.code, 0, json.err);
    const rows = JSON.parse(json.out) as Row[];
    assert.equal(rows.length, 1, json.out);
    const row = rows[0]!;
    assert.deepEqual([row.file, row.line, row.column, row.rule, row.severity], ['src/load.ts', 3, 10, 'blocking-in-async', 'warning']);
    assert.match(row.message, /`fs\.readFileSync`/);

    const text = await cli(['check'], ws);
    assert.equal(text.code, 0);
    const lines = text.out.trimEnd().split('\n');
    assert.match(lines[0]!, /^src\/load\.ts:3:10  warning  blocking-in-async  `fs\.readFileSync`/);
    assert.equal(lines.at(-1), '1 finding (1 warning) in 1 file (2 checked)');

    const sarif = JSON.parse((await cli(['check', '--format', 'sarif'], ws)).out) as Sarif.Log;
    const result = sarif.runs[0]!.results![0]!;
    assert.equal(result.ruleId, 'blocking-in-async');
    assert.equal(sarif.runs[0]!.tool.driver.rules![result.ruleIndex!]!.id, 'blocking-in-async');
    assert.deepEqual(result.locations![0]!.physicalLocation!.region, { startLine: 3, startColumn: 10, endLine: row.endLine, endColumn: row.endColumn });
    assert.equal(result.locations![0]!.physicalLocation!.artifactLocation!.uri, 'src/load.ts');
  });

  it('colours text only on a terminal without NO_COLOR', async () => {
    const tty = await cli(['check'], ws, { isTTY: true });
    assert.match(tty.out, /\x1b\[33mwarning\x1b\[39m/);
    const noColor = await cli(['check'], ws, { isTTY: true, env: { NO_COLOR: '1' } });
    const piped = await cli(['check'], ws, { isTTY: false });
    for (const r of [noColor, piped]) assert.doesNotMatch(r.out, /\x1b\[/);
    // On a terminal a code frame and the docs link follow each finding; a long message is wrapped.
    assert.ok(piped.out.startsWith(noColor.out.split('\n')[0]!), noColor.out);
    assert.match(noColor.out, /^ {4}docs: /m);
    assert.doesNotMatch(piped.out, /docs: /);
  });

  it('exits 1 when the config raises the rule to error, and 0 when it turns it off', async () => {
    const strict = workspace({ 'a.ts': BLOCKING_TS, '.async-boundary.json': '{ "rules": { "blocking-in-async": "error" } }' });
    const off = workspace({ 'a.ts': BLOCKING_TS, '.async-boundary.json': '{ "rules": { "blocking-in-async": "off" } }' });
    try {
      const r = await cli(['check'], strict);
      assert.equal(r.code, 1);
      assert.match(r.out, /1 finding \(1 error\)/);
      const o = await cli(['check'], off);
      assert.deepEqual([o.code, o.out], [0, 'No findings in 1 file\n']);
    } finally {
      removeWorkspace(strict);
      removeWorkspace(off);
    }
  });

  it('honours a suppression comment with a reason', async () => {
    const text = BLOCKING_TS.replace('  return fs', '  // async-boundary-ignore blocking-in-async: runs once at startup\n  return fs');
    const s = workspace({ 'a.ts': text });
    try {
      assert.deepEqual(JSON.parse((await cli(['check', '--format', 'json'], s)).out), []);
    } finally {
      removeWorkspace(s);
    }
  });

  it('with --diff, reports only findings on changed lines', async () => {
    const repo = workspace({ 'old.ts': BLOCKING_TS, 'edited.ts': BLOCKING_TS });
    try {
      git(repo, 'init', '-q');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'base');
      // edited.ts keeps its blocking call on line 3 and gains a function with another one on line 6.
      writeFiles(repo, {
        'edited.ts': `${BLOCKING_TS}export async function more(p: string) {\n  return fs.readFileSync(p + '.more', 'utf8');\n}\n`,
        'untracked.ts': BLOCKING_TS,
      });
      const all = JSON.parse((await cli(['check', '--format', 'json'], repo)).out) as Row[];
      assert.equal(all.length, 4);
      const diff = await cli(['check', '--diff', 'HEAD', '--format', 'json'], repo);
      assert.equal(diff.code, 0, diff.err);
      const rows = JSON.parse(diff.out) as Row[];
      assert.deepEqual(rows.map((r) => `${r.file}:${r.line}`), ['edited.ts:6', 'untracked.ts:3']);
      // Through a symlinked working directory, git still reports real paths: the same lines match.
      const link = `${repo}-link`;
      symlinkSync(repo, link);
      try {
        const viaLink = JSON.parse((await cli(['check', '--diff', 'HEAD', '--format', 'json'], link)).out) as Row[];
        assert.deepEqual(viaLink.map((r) => `${r.file}:${r.line}`), ['edited.ts:6', 'untracked.ts:3']);
      } finally {
        unlinkSync(link);
      }
    } finally {
      removeWorkspace(repo);
    }
  });
});
