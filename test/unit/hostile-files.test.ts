// Hostile and odd source files (issue 16): deep nesting and syntax errors are analysed as far as
// possible and said once; nothing is dropped in silence.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';
import { initFrontends } from '../../server/src/languages';
import { BLOCKING_TS, cli, removeWorkspace, workspace } from './cli-helpers';

/**
 * Deeply nested code of each construct, `scale` times the depth at which the issue saw TypeScript
 * files analysed as empty (300 callbacks, 600 object literals, 800 parentheses, 1,500 `if`s).
 * Where the parser overflows depends on the stack left to it, so the tests use scale 5 to be sure.
 */
export function deepTs(scale: number): Record<string, string> {
  const n = (k: number): number => k * scale;
  return {
    callbacks: `f(${'() => { f('.repeat(n(300))}${')}'.repeat(n(300))});\n`,
    objects: `const o = ${'{ a: '.repeat(n(600))}1${' }'.repeat(n(600))};\n`,
    parens: `const p = ${'('.repeat(n(800))}1${')'.repeat(n(800))};\n`,
    ifs: `export function g(x: number) {\n${'if (x) {\n'.repeat(n(1500))}${'}\n'.repeat(n(1500))}}\n`,
    arrays: `const a = ${'['.repeat(n(1500))}${']'.repeat(n(1500))};\n`,
    templates: `const t = ${'`${'.repeat(n(1000))}x${'}`'.repeat(n(1000))};\n`,
  };
}
const DEEP_TS = deepTs(5);

/**
 * Two statements nested too deeply without brackets (JSX elements and an arrow chain, 10,000 deep)
 * with a shallow function before, between and after them. Where the parser overflows moves with
 * V8's tiers (JSX parses 1,600 deep without the JIT, 3,200 with it, and deeper when the
 * parser's optimised code is ready in time, as it was in one loaded run at 5,000): far past all of them.
 */
const TWO_DEEP_PARTS = [
  BLOCKING_TS,
  `export const e = (\n${'<div>\n'.repeat(10_000)}x\n${'</div>\n'.repeat(10_000)});\n`,
  BLOCKING_TS.replace('load', 'load2').replace("import fs from 'node:fs';\n", ''),
  `export const f = ${'(x: number) =>\n'.repeat(10_000)}1;\n`,
  BLOCKING_TS.replace('load', 'load3').replace("import fs from 'node:fs';\n", ''),
];
const TWO_DEEP = TWO_DEEP_PARTS.join('');
/** 1-based lines: where each deep statement starts, and the blocking call of the 2nd and 3rd shallow functions. */
const TWO_DEEP_LINES = (() => {
  const lineOf = (i: number) => TWO_DEEP_PARTS.slice(0, i).join('').split('\n').length;
  return { jsx: lineOf(1), middle: lineOf(2) + 1, arrows: lineOf(3), last: lineOf(4) + 1 };
})();

describe('hostile source files', () => {
  before(async () => initFrontends());

  for (const [construct, deep] of Object.entries(DEEP_TS)) {
    it(`analyses the shallow code of a file with deeply nested ${construct}, and says where it stopped`, () => {
      const text = BLOCKING_TS + deep + BLOCKING_TS.replace('load', 'load2').replace("import fs from 'node:fs';\n", '');
      const errors: string[] = [];
      const a = analyze({ path: '/x/deep.ts', text }, undefined, { onError: (w, e) => errors.push(`${w}: ${String(e)}`) })!;
      assert.deepEqual(errors, []);
      assert.deepEqual(
        a.findings.map((f) => [f.rule, a.lines.position(f.span.start).line + 1]),
        [
          ['blocking-in-async', 3],
          ['blocking-in-async', text.split('\n').findIndex((l, i) => i > 4 && l.includes('readFileSync')) + 1],
        ],
        'both shallow functions are analysed',
      );
      assert.ok(a.model.nestingCuts !== undefined && a.model.nestingCuts[0]! > BLOCKING_TS.length, 'the cut is inside the deep part');
    });
  }

  // unbounded-channel reads where a write loop's collection is filled (languages/typescript/config-source.ts)
  // by walking the whole file: with its own stack, so deep code elsewhere in the file cannot overflow it.
  const WRITE_LOOP = [
    "import net from 'node:net';",
    'const seen = {};',
    'net.createServer((socket) => {',
    "  socket.on('data', (d) => { seen[d.toString()] = 1; });",
    "  for (const k of Object.keys(seen)) socket.write(k + '\\n');",
    '}).listen(1);',
    '',
  ].join('\n');
  for (const [construct, deep] of Object.entries(DEEP_TS)) {
    it(`reads a write loop's collection beside deeply nested ${construct}`, () => {
      const errors: string[] = [];
      const a = analyze({ path: '/x/deep.ts', text: WRITE_LOOP + deep }, undefined, { onError: (w, e) => errors.push(`${w}: ${String(e)}`) })!;
      assert.deepEqual(errors, []);
      assert.deepEqual(a.findings.map((f) => `${f.rule}:${a.lines.position(f.span.start).line + 1}`), ['unbounded-channel:5']);
    });
  }

  for (const [construct, deep] of Object.entries(deepTs(1))) {
    it(`finds the shallow code's findings at the issue's depth of nested ${construct}`, () => {
      const a = analyze({ path: '/x/deep.ts', text: BLOCKING_TS + deep })!;
      assert.deepEqual(a.findings.map((f) => f.rule), ['blocking-in-async']);
    });
  }

  it('blanks each of two deep statements on its own: the code between them is analysed and each is reported', function () {
    // Seconds of CPU (each round re-parses the file): a loaded machine stretches it past 20 s.
    this.timeout(180_000);
    const a = analyze({ path: '/x/two.tsx', text: TWO_DEEP })!;
    assert.deepEqual(
      a.findings.map((f) => a.lines.position(f.span.start).line + 1),
      [3, TWO_DEEP_LINES.middle, TWO_DEEP_LINES.last],
      'the three shallow functions are analysed',
    );
    assert.deepEqual((a.model.nestingCuts ?? []).map((at) => a.lines.position(at).line + 1), [TWO_DEEP_LINES.jsx, TWO_DEEP_LINES.arrows]);
    assert.equal(a.model.syntaxErrors, 0, 'what is left of the JSX (its closing tags) is blanked with it');
  });

  it('CLI: one notice for a file with two deep statements names both places, in text and in SARIF', async function () {
    // Two CLI runs over a file the parser overflows on, several times each: seconds of CPU, and a
    // loaded machine stretches the wall time past mocha's 20 s (two helpers' full runs failed so).
    this.timeout(180_000);
    const root = workspace({ 'two.tsx': TWO_DEEP });
    try {
      const t = await cli(['check', '.'], root);
      assert.equal(t.out.match(/blocking-in-async/g)?.length, 3, t.out);
      const notices = t.err.match(/^notice: .*$/gm) ?? [];
      assert.deepEqual(notices, [`notice: two.tsx:${TWO_DEEP_LINES.jsx}:1: nested too deeply to analyse (also at ${TWO_DEEP_LINES.arrows}:1); the code inside each was not checked, the rest of the file was`]);
      const s = await cli(['check', '.', '--format', 'sarif'], root);
      const run = (JSON.parse(s.out) as { runs: { invocations?: { toolExecutionNotifications: { locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] }[] }).runs[0]!;
      const notes = run.invocations![0]!.toolExecutionNotifications;
      assert.deepEqual(notes.map((n) => n.locations.map((l) => l.physicalLocation.region.startLine)), [[TWO_DEEP_LINES.jsx, TWO_DEEP_LINES.arrows]]);
    } finally {
      removeWorkspace(root);
    }
  });

  it('Go: calls of function literals nested 3,000 deep copy each literal\'s text at most once, not once per level', () => {
    // `func() { … }()` nested: every call's callee is the literal around all the deeper ones. The
    // model keeps each callee's text; copied whole, that is quadratic in the depth (60 M characters
    // here, seconds of CPU), so the work is counted as the characters the model holds.
    const depth = 3_000;
    const text = `package main\n\nfunc g() {\n${'func() {\n'.repeat(depth)}println()\n${'}()\n'.repeat(depth)}}\n`;
    const a = analyze({ path: '/x/deep.go', text })!;
    const calls = a.model.calls.filter((c) => c.calleeText.startsWith('func()'));
    assert.equal(calls.length, depth);
    const held = calls.reduce((n, c) => n + c.calleeText.length, 0);
    assert.ok(held <= depth * 500, `${held} characters of callee text for ${depth} calls`);
  });

  it('CLI: notices a deep file once, in text; counts it in JSON, which stays a valid array', async () => {
    const root = workspace({ 'deep.ts': BLOCKING_TS + DEEP_TS.callbacks!, 'ok.ts': BLOCKING_TS });
    try {
      const t = await cli(['check', '.'], root);
      assert.equal(t.code, 0, t.err);
      assert.match(t.out, /^deep\.ts:3:10 .*blocking-in-async/m);
      assert.equal(t.err.match(/notice: deep\.ts:5:\d+: nested too deeply to analyse/g)?.length, 1, t.err);
      const j = await cli(['check', '.', '--format', 'json'], root);
      assert.equal((JSON.parse(j.out) as unknown[]).length, 2);
      assert.match(j.err, /^notice: 1 file has code nested too deeply to analyse/m);
    } finally {
      removeWorkspace(root);
    }
  });

  it('CLI: a file with a syntax error gets a notice per file in text, a count in JSON and a SARIF notification', async () => {
    const root = workspace({ 'bad.ts': `${BLOCKING_TS}const = = ;\n`, 'bad2.ts': 'export function (\n', 'ok.ts': BLOCKING_TS });
    try {
      const t = await cli(['check', '.'], root);
      assert.match(t.err, /^notice: bad\.ts:5:7: syntax error; findings after it may be missing$/m);
      assert.match(t.err, /^notice: bad2\.ts:1:\d+: syntax error/m);
      assert.doesNotMatch(t.err, /ok\.ts/);
      const j = await cli(['check', '.', '--format', 'json'], root);
      assert.equal((JSON.parse(j.out) as unknown[]).length, 2);
      assert.match(j.err, /^notice: 2 files have syntax errors; findings after the first error in each may be missing$/m);
      const s = await cli(['check', '.', '--format', 'sarif'], root);
      const run = (JSON.parse(s.out) as { runs: { invocations?: { toolExecutionNotifications: { message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] }[] }).runs[0]!;
      const notes = run.invocations![0]!.toolExecutionNotifications;
      assert.deepEqual(notes.map((n) => [n.locations[0]!.physicalLocation.artifactLocation.uri, n.locations[0]!.physicalLocation.region.startLine]), [['bad.ts', 5], ['bad2.ts', 1]]);
      assert.match(notes[0]!.message.text, /syntax error/);
    } finally {
      removeWorkspace(root);
    }
  });

  it('CLI: a Rust file with a syntax error gets a notice at the error', async () => {
    const root = workspace({ 'src/lib.rs': 'pub fn ok() {}\n\npub fn broken( {\n' });
    try {
      const t = await cli(['check', '.'], root);
      assert.match(t.err, /^notice: src\/lib\.rs:3:\d+: syntax error; findings after it may be missing$/m);
    } finally {
      removeWorkspace(root);
    }
  });

  it('CLI text format: a newline in a file name does not break one line per finding', async () => {
    const root = workspace({ 'a\nb.ts': BLOCKING_TS });
    try {
      const t = await cli(['check', '.'], root);
      const lines = t.out.trim().split('\n');
      assert.equal(lines.length, 2, t.out);
      assert.match(lines[0]!, /^a\\nb\.ts:3:10 /);
    } finally {
      removeWorkspace(root);
    }
  });
});

describe('odd file-system entries', () => {
  it('an empty path is a usage error, not the whole working directory', async () => {
    const root = workspace({ 'a.ts': BLOCKING_TS });
    try {
      const r = await cli(['check', ''], root);
      assert.equal(r.code, 2);
      assert.match(r.err, /an empty path was given/);
      assert.equal(r.out, '');
    } finally {
      removeWorkspace(root);
    }
  });

  it('dangling, looping and device symlinks inside a folder each get a notice', async () => {
    const root = workspace({ 'src/a.ts': BLOCKING_TS });
    symlinkSync(join(root, 'src', 'missing.ts'), join(root, 'src', 'dangling.ts'));
    symlinkSync(join(root, 'src', 'loop2.ts'), join(root, 'src', 'loop1.ts'));
    symlinkSync(join(root, 'src', 'loop1.ts'), join(root, 'src', 'loop2.ts'));
    symlinkSync('/dev/null', join(root, 'src', 'device.ts'));
    try {
      const r = await cli(['check', '.'], root);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /^notice: skipped src\/dangling\.ts: it is a symbolic link whose target does not exist$/m);
      assert.match(r.err, /^notice: skipped src\/loop1\.ts: it is a symbolic link that loops/m);
      assert.match(r.err, /^notice: skipped src\/loop2\.ts: it is a symbolic link that loops/m);
      assert.match(r.err, /^notice: skipped src\/device\.ts: it is not a regular file \(a device or socket\)$/m);
      assert.match(r.out, /1 finding .* in 1 file/);
      const j = await cli(['check', '.', '--format', 'json'], root);
      assert.match(j.err, /^notice: skipped 4 files/m);
    } finally {
      removeWorkspace(root);
    }
  });

  it('an unreadable folder gets a notice, not "No findings in 0 files" in silence', async function () {
    const root = workspace({ 'locked/a.ts': BLOCKING_TS, 'b.ts': BLOCKING_TS });
    chmodSync(join(root, 'locked'), 0o000);
    try {
      let err: string;
      if (process.getuid?.() !== 0) err = (await cli(['check', '.'], root)).err;
      else {
        // Root reads every folder (CI runs as root here): run the bundled CLI as `nobody` instead.
        const bundled = join(__dirname, '..', '..', 'dist', 'cli.js');
        if (!existsSync('/usr/bin/setpriv') || !existsSync(bundled)) this.skip();
        chmodSync(root, 0o755);
        const r = spawnSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, bundled, 'check', '.'], { cwd: root, encoding: 'utf8' });
        assert.equal(r.error, undefined);
        assert.match(r.stdout, /1 finding .* in 1 file/, r.stderr);
        err = r.stderr;
      }
      assert.match(err, /^notice: skipped the folder locked: it cannot be read \(EACCES\)$/m);
    } finally {
      chmodSync(join(root, 'locked'), 0o755);
      removeWorkspace(root);
    }
  });

  it('UTF-16 files (with a byte-order mark) are read as text, not called binary', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BLOCKING_TS, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(BLOCKING_TS, 'utf16le').swap16()]);
    const root = workspace({ 'le.ts': le, 'be.ts': be });
    try {
      const r = await cli(['check', '.', '--format', 'json'], root);
      assert.equal(r.err, '');
      assert.deepEqual((JSON.parse(r.out) as { file: string; line: number }[]).map((f) => [f.file, f.line]), [['be.ts', 3], ['le.ts', 3]]);
    } finally {
      removeWorkspace(root);
    }
  });
});

describe('CI ergonomics', () => {
  const WARN2 = { 'a.ts': BLOCKING_TS, 'b.ts': BLOCKING_TS, 'c.ts': "export const c = 1;\n" };

  it('--max-warnings N exits 1 past N warnings, 0 at N', async () => {
    const root = workspace(WARN2);
    try {
      assert.equal((await cli(['check', '.', '--max-warnings', '2'], root)).code, 0);
      const over = await cli(['check', '.', '--max-warnings', '1', '--format', 'json'], root);
      assert.equal(over.code, 1);
      assert.match(over.err, /2 warnings, more than `--max-warnings 1` allows/);
      assert.equal((await cli(['check', '.', '--max-warnings', '-1'], root)).code, 2);
    } finally {
      removeWorkspace(root);
    }
  });

  it('the summary counts the files with findings and the files checked apart', async () => {
    const root = workspace(WARN2);
    try {
      assert.match((await cli(['check', '.'], root)).out, /^2 findings \(2 warnings\) in 2 files \(3 checked\)$/m);
    } finally {
      removeWorkspace(root);
    }
  });

  it('FORCE_COLOR turns colour on off a terminal, FORCE_COLOR=0 off on one; NO_COLOR still works', async () => {
    const root = workspace(WARN2);
    try {
      assert.match((await cli(['check', '.'], root, { env: { FORCE_COLOR: '1' } })).out, /\x1b\[33mwarning/);
      assert.doesNotMatch((await cli(['check', '.'], root, { env: { FORCE_COLOR: '0' }, isTTY: true })).out, /\x1b\[/);
      assert.doesNotMatch((await cli(['check', '.'], root, { env: { NO_COLOR: '1' }, isTTY: true })).out, /\x1b\[/);
      assert.doesNotMatch((await cli(['check', '.'], root)).out, /\x1b\[/);
    } finally {
      removeWorkspace(root);
    }
  });

  it('in a terminal: a code frame and the docs link under each finding, and no line of 250 characters', async () => {
    const root = workspace({ 'a.ts': BLOCKING_TS });
    try {
      const r = await cli(['check', '.'], root, { env: { NO_COLOR: '1' }, isTTY: true });
      const lines = r.out.split('\n');
      assert.ok(lines.every((l) => l.length <= 100), r.out);
      const at = lines.findIndex((l) => l.startsWith('a.ts:3:10  warning  blocking-in-async'));
      assert.ok(at >= 0, r.out);
      const frame = lines.findIndex((l) => l === "  3 |   return fs.readFileSync(p, 'utf8');");
      assert.ok(frame > at, r.out);
      assert.equal(lines[frame + 1], `    |          ${'^'.repeat("fs.readFileSync(p, 'utf8')".length)}`);
      assert.match(lines[frame + 2]!, /^ {4}docs: https:\/\/github\.com\/.*\/docs\/rules\/blocking-in-async\.md$/);
      // Off a terminal the format stays one line per finding.
      assert.equal((await cli(['check', '.'], root)).out.split('\n').length, 3);
    } finally {
      removeWorkspace(root);
    }
  });

  it('SARIF descriptors carry the configured level, and invalid-suppression has a helpUri', async () => {
    const root = workspace({ '.async-boundary.json': '{ "rules": { "blocking-in-async": "error", "invalid-suppression": "info" } }', 'a.ts': BLOCKING_TS });
    try {
      const s = await cli(['check', '.', '--format', 'sarif'], root);
      const rules = (JSON.parse(s.out) as { runs: { tool: { driver: { rules: { id: string; helpUri?: string; defaultConfiguration: { level: string } }[] } } }[] }).runs[0]!.tool.driver.rules;
      const byId = new Map(rules.map((r) => [r.id, r]));
      assert.equal(byId.get('blocking-in-async')!.defaultConfiguration.level, 'error');
      assert.equal(byId.get('invalid-suppression')!.defaultConfiguration.level, 'note');
      assert.match(byId.get('invalid-suppression')!.helpUri!, /^https:\/\/.*#suppressing-a-finding$/);
    } finally {
      removeWorkspace(root);
    }
  });
});
