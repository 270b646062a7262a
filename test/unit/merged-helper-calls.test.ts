// A helper called several times in one function is one finding (8be9139); suppressions and the
// editor's "ignore on this line" act on one call, not on the merged finding's other calls.
import assert from 'node:assert/strict';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';
import { ignoreEdit } from '../../server/src/lsp/code-actions';

// The reviewer's repro: an Express handler calls a helper that reads a file, twice.
const HANDLER = [
  "const fs = require('fs');",
  "const express = require('express');",
  'const app = express();',
  '',
  'function readConfig(name) {',
  "  return fs.readFileSync(name, 'utf8');",
  '}',
  '',
  "app.get('/a', async (req, res) => {",
  "  const banner = readConfig('banner.txt');",
  '  const cfg = readConfig(req.query.file);',
  '  const more = readConfig(req.query.other);',
  '  res.send(banner + cfg + more);',
  '});',
  '',
].join('\n');

function blocking(text: string): { line: number; message: string; related: string[] }[] {
  const a = analyze({ path: 'handler.js', text });
  assert.ok(a);
  return a.findings
    .filter((f) => f.rule === 'blocking-in-async')
    .map((f) => ({ line: a.lines.position(f.span.start).line + 1, message: f.message, related: f.related.map((n) => `${a.lines.position(n.span.start).line + 1}: ${n.message}`) }));
}

describe('blocking-in-async: calls of one helper merged', () => {
  it('reports the calls once, at the first, the others as related locations', () => {
    const [f, ...rest] = blocking(HANDLER);
    assert.equal(rest.length, 0);
    assert.equal(f!.line, 10);
    assert.match(f!.message, /\(this call and 2 more\): /);
    assert.deepEqual(f!.related.filter((r) => r.includes('called here too')), ['11: `readConfig` is called here too', '12: `readConfig` is called here too']);
  });

  it('"ignore on this line" on the merged finding silences the first call only: the next call carries the finding', () => {
    const a = analyze({ path: 'handler.js', text: HANDLER })!;
    const finding = a.findings.find((f) => f.rule === 'blocking-in-async')!;
    const edit = ignoreEdit(a, finding) as { range: { start: { line: number } }; newText: string };
    assert.equal(edit.range.start.line, 9);
    const lines = HANDLER.split('\n');
    // The user types a reason over the placeholder.
    lines.splice(edit.range.start.line, 0, edit.newText.replace(/: .*\n$/, ': the banner file is tiny and read once per deploy'));
    const after = blocking(lines.join('\n'));
    assert.equal(after.length, 1);
    assert.equal(after[0]!.line, 12);
    assert.match(after[0]!.message, /^`readConfig` blocks .*\(this call and 1 more\): /);
    assert.deepEqual(after[0]!.related.filter((r) => r.includes('called here too')), ['13: `readConfig` is called here too']);
  });

  it('reports a call alone, without a count, when the other calls are suppressed', () => {
    const text = HANDLER.replace("  const banner = readConfig('banner.txt');", "  // async-boundary-ignore blocking-in-async: tiny, read once per deploy\n  const banner = readConfig('banner.txt');")
      .replace('  const more = readConfig(req.query.other);', '  const more = readConfig(req.query.other); // async-boundary-ignore blocking-in-async: an operator-only setting');
    const after = blocking(text);
    assert.deepEqual(after.map((f) => f.line), [12]);
    assert.doesNotMatch(after[0]!.message, /this call and/);
    assert.equal(after[0]!.related.filter((r) => r.includes('called here too')).length, 0);
  });
});

// A fix of a merged finding must fix every call it stands for: before, "Offload `readConfig` to a
// worker thread" moved the first call only and left the other two blocking under a finding the user
// believed fixed.
describe('blocking-in-async: fixes of a merged finding', () => {
  const blockingFinding = (text: string, path = 'handler.js') => {
    const a = analyze({ path, text });
    assert.ok(a);
    const finding = a.findings.find((f) => f.rule === 'blocking-in-async');
    assert.ok(finding, 'a finding');
    return { a, finding };
  };

  it('offloads every call of the helper to the worker, each with its own arguments; the result parses and has no finding', () => {
    const { a, finding } = blockingFinding(HANDLER);
    assert.equal(finding.parts?.length, 3);
    const { fixes } = fixesFor(a, finding);
    const offload = fixes.find((f) => f.title === 'Offload `readConfig` to a worker thread');
    assert.ok(offload, JSON.stringify(fixes.map((f) => f.title)));
    const after = applyEdits(HANDLER, offload.edits);
    assert.match(after, /const banner = await runInWorker\(require\.resolve\('\.\/readConfig\.worker\.cjs'\), \['banner\.txt'\]\);/);
    assert.match(after, /const cfg = await runInWorker\(require\.resolve\('\.\/readConfig\.worker\.cjs'\), \[req\.query\.file\]\);/);
    assert.match(after, /const more = await runInWorker\(require\.resolve\('\.\/readConfig\.worker\.cjs'\), \[req\.query\.other\]\);/);
    assert.doesNotMatch(after, /function readConfig/, 'the helper, used nowhere else, moves out with the calls');
    const again = analyze({ path: 'handler.js', text: after })!;
    assert.equal(again.model.syntaxErrors, 0);
    assert.deepEqual(again.findings.filter((f) => f.rule === 'blocking-in-async').map((f) => f.message), []);
  });

  it('makes the helper async and awaits every call', () => {
    const { a, finding } = blockingFinding(HANDLER);
    const fix = fixesFor(a, finding).fixes.find((f) => f.title.startsWith('Make `readConfig` async'));
    assert.ok(fix);
    const after = applyEdits(HANDLER, fix.edits);
    assert.equal((after.match(/await readConfig\(/g) ?? []).length, 3);
  });

  // Python's `asyncio.to_thread` and Rust's `spawn_blocking` are built for one call: the engine builds
  // the same fix for each call the finding stands for and joins them (one added import).
  const PY = [
    'import time',
    '',
    'def load(name):',
    '    time.sleep(0.5)',
    '    return name',
    '',
    'async def handler(request):',
    "    a = load('a')",
    "    b = load('b')",
    '    return a + b',
    '',
  ].join('\n');
  const RS = [
    'use std::fs;',
    '',
    'fn load(p: &str) -> String {',
    '    fs::read_to_string(p).unwrap()',
    '}',
    '',
    'async fn handler() -> String {',
    '    let a = load("a");',
    '    let b = load("b");',
    '    a + &b',
    '}',
    '',
  ].join('\n');

  it('joins a call-site fix built for one call over every call (Python `asyncio.to_thread`, Rust `spawn_blocking`)', () => {
    const cases = [
      { path: 'handler.py', text: PY, title: 'Run `load` in a thread with `asyncio.to_thread`', lines: ["    a = await asyncio.to_thread(load, 'a')", "    b = await asyncio.to_thread(load, 'b')"] },
      { path: 'handler.rs', text: RS, title: 'Run `load` on the blocking pool', lines: ['    let a = tokio::task::spawn_blocking(move || load("a")).await.expect("blocking task panicked");', '    let b = tokio::task::spawn_blocking(move || load("b")).await.expect("blocking task panicked");'] },
    ];
    for (const c of cases) {
      const { a, finding } = blockingFinding(c.text, c.path);
      assert.equal(finding.parts?.length, 2, c.path);
      const fix = fixesFor(a, finding).fixes.find((f) => f.title === c.title);
      assert.ok(fix, c.path);
      const after = applyEdits(c.text, fix.edits);
      for (const line of c.lines) assert.ok(after.split('\n').includes(line), `${c.path}: ${line}\n${after}`);
      if (c.path.endsWith('.py')) assert.equal((after.match(/^import asyncio$/gm) ?? []).length, 1, 'the import is added once');
      const again = analyze({ path: c.path, text: after })!;
      assert.equal(again.model.syntaxErrors, 0, c.path);
      assert.deepEqual(again.findings.filter((f) => f.rule === 'blocking-in-async').map((f) => f.message), [], c.path);
    }
  });

  it('refuses, in any language, a fix that would rewrite some of the calls and leave the others (one call is in a generator expression)', () => {
    const py = PY.replace("    b = load('b')", '    b = sum(len(load(x)) for x in request.names)');
    const { a, finding } = blockingFinding(py, 'handler.py');
    assert.equal(finding.parts?.length, 2);
    const { fixes, refused } = fixesFor(a, finding);
    assert.deepEqual(fixes.map((f) => f.title), []);
    assert.deepEqual(refused.map((r) => `${r.title}: ${r.reason}`), ['Run `load` in a thread with `asyncio.to_thread`: it rewrites 1 of the 2 calls this finding stands for and leaves the one on line 9 as it is']);
  });
});
