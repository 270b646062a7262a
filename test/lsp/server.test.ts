// The language server driven over JSON-RPC like an editor would: open, edit, code actions, hover,
// the custom yield-points request, configuration, fix-all. Every wait is on a message, never a timer.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { CodeAction, Hover, InlayHint, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { analyze, type Analysis } from '../../server/src/project/analyze';
import { LineIndex } from '../../server/src/engine/line-index';
import { ignoreEdit } from '../../server/src/lsp/code-actions';
import { frontendForPath } from '../../server/src/languages';
import type { YieldPointsResult } from '../../server/src/shared/protocol';
import { applyLspEdits, TestClient } from './harness';
import { HANDLER } from './texts';

const pos = (line: number, character: number) => ({ line, character });
const range = (l1: number, c1: number, l2: number, c2: number) => ({ start: pos(l1, c1), end: pos(l2, c2) });

function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  if (edit.changes) return edit.changes[uri] ?? [];
  return (edit.documentChanges ?? []).flatMap((c) => ('textDocument' in c && c.textDocument.uri === uri ? (c.edits as TextEdit[]) : []));
}

const messageText = (m: string | { value: string }): string => (typeof m === 'string' ? m : m.value);

function rulesIn(path: string, text: string): string[] {
  return analyze({ path, text })!.findings.map((f) => f.rule);
}

describe('language server', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
  });
  afterEach(async () => {
    await client.stop();
  });

  it('publishes a diagnostic for a blocking call when a document opens', async () => {
    const diagnostics = await client.open('a.ts', HANDLER);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    const d = diagnostics[0]!;
    assert.equal(d.source, 'async-boundary');
    assert.equal(d.code, 'blocking-in-async');
    assert.match(String(d.codeDescription?.href), /\/docs\/rules\/blocking-in-async\.md$/);
    assert.equal(d.range.start.line, 3);
    assert.match(messageText(d.message), /fs\.readFileSync/);
  });

  it('shows nothing in an open test file unless the roles setting turns tests on', async () => {
    assert.deepEqual(await client.open('routes/a.test.ts', HANDLER), []);
    client.settings = { roles: { test: 'info' } };
    const shown = await client.open('routes/b.test.ts', HANDLER);
    assert.deepEqual(shown.map((d) => [d.code, d.severity]), [['blocking-in-async', 3]]);
    assert.match(messageText(shown[0]!.message), /; in test code \(a `\*\.test\.\*` file\)$/);
  });

  it('gives a file outside the workspace, with no repository or config above it, the role its name and folders give it', async () => {
    // A Go test file opened from /tmp while the workspace is elsewhere: its `_test.go` name makes it test code.
    const outside = mkdtempSync(join(tmpdir(), 'ab-outside-'));
    try {
      const held = 'package svc\n\nimport "sync"\n\nvar mu sync.Mutex\n\nfunc publish(ch chan int) {\n\tmu.Lock()\n\tch <- 1\n\tmu.Unlock()\n}\n';
      const at = (rel: string) => relative(client.root, join(outside, rel));
      assert.deepEqual((await client.open(at('hub.go'), held, 'go')).map((d) => d.code), ['await-holding-lock'], 'production code outside the workspace is still checked');
      assert.deepEqual(await client.open(at('hub_test.go'), held, 'go'), []);
      assert.deepEqual(await client.open(at('load.test.ts'), HANDLER), []);
      client.settings = { roles: { test: 'info' } };
      const shown = await client.open(at('store_test.go'), held, 'go');
      assert.match(messageText(shown[0]!.message), /; in test code \(a `\*_test\.go` file\)$/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('updates diagnostics after incremental edits, one change and several per notification', async () => {
    await client.open('a.ts', HANDLER);
    // Insert a second blocking call after line 3.
    let diagnostics = await client.change('a.ts', [{ range: range(4, 0, 4, 0), text: '  fs.writeFileSync(path, data);\n' }]);
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[3, 'blocking-in-async'], [4, 'blocking-in-async']]);
    // Two changes in one notification: remove both blocking lines (the second range is in the text after the first change).
    diagnostics = await client.change('a.ts', [
      { range: range(4, 0, 5, 0), text: '' },
      { range: range(3, 0, 4, 0), text: "  const data = await fs.promises.readFile(path, 'utf8');\n" },
    ]);
    assert.deepEqual(diagnostics, []);
  });

  it('publishes only the latest version when edits arrive within the debounce delay', async () => {
    client.settings = { debounceMs: 300 };
    await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const latest = client.nextDiagnostics(uri, (p) => p.version === 3);
    await client.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: range(4, 0, 4, 0), text: '  fs.writeFileSync(path, data);\n' }] });
    await client.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: range(4, 0, 5, 0), text: '' }] });
    assert.equal((await latest).diagnostics.length, 1);
    assert.deepEqual(client.published.filter((p) => p.uri === uri).map((p) => p.version), [1, 3]);
  });

  it('offers the rule fix, resolves it lazily, and the fixed text parses without the finding', async () => {
    const diagnostics = await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore `blocking-in-async` on this line'), titles.join('\n'));
    assert.ok(titles.includes('Show documentation for `blocking-in-async`'), titles.join('\n'));
    const fix = actions.find((a) => a.isPreferred);
    assert.ok(fix, `no preferred fix among ${titles.join(', ')}`);
    assert.equal(fix.edit, undefined, 'edits are computed in codeAction/resolve');
    const resolved = await client.request<CodeAction>('codeAction/resolve', fix);
    const after = applyLspEdits(HANDLER, editsFor(resolved.edit, uri));
    assert.notEqual(after, HANDLER);
    const path = join(client.root, 'a.ts');
    assert.equal(frontendForPath(path)!.syntaxErrors(after, path), 0, after);
    assert.ok(!rulesIn(path, after).includes('blocking-in-async'), after);
  });

  it('resolves an action offered for an older version to no edit', async () => {
    const diagnostics = await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const ignore = actions.find((a) => a.title.startsWith('Ignore'))!;
    await client.change('a.ts', [{ range: range(0, 0, 0, 0), text: '// moved\n' }]);
    const resolved = await client.request<CodeAction>('codeAction/resolve', ignore);
    assert.equal(resolved.edit, undefined);
  });

  it('"Ignore on this line" inserts an indented suppression that, with a reason, silences the finding', async () => {
    const diagnostics = await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const resolved = await client.request<CodeAction>('codeAction/resolve', actions.find((a) => a.title.startsWith('Ignore'))!);
    const edits = editsFor(resolved.edit, uri);
    assert.deepEqual(edits, [{ range: range(3, 0, 3, 0), newText: '  // async-boundary-ignore blocking-in-async: explain why this is safe\n' }]);
    // The user types over the placeholder (left as it is, it is reported: test/lsp/editor-surface.test.ts).
    const reasoned = edits.map((e) => ({ ...e, newText: e.newText.replace('explain why this is safe', 'a 1 KB file read once per deploy') }));
    assert.deepEqual(await client.applyEdits('a.ts', reasoned), []);
  });

  it('source.fixAll.asyncBoundary applies the safe fixes of the file', async () => {
    const text = HANDLER.replace('  await fetch(path);', "  fs.writeFileSync(path + '.bak', data);\n  await fetch(path);");
    const diagnostics = await client.open('a.ts', text);
    assert.equal(diagnostics.length, 2);
    const uri = client.uri('a.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: range(0, 0, 0, 0), context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.deepEqual(actions.map((a) => a.kind), ['source.fixAll.asyncBoundary']);
    const resolved = await client.request<CodeAction>('codeAction/resolve', actions[0]!);
    const after = applyLspEdits(text, editsFor(resolved.edit, uri));
    assert.deepEqual(await client.applyEdits('a.ts', editsFor(resolved.edit, uri)), [], after);
  });

  // Issue #16: fixes that each add the same import (or imports at the same place) used to be skipped
  // as overlapping after the first, so one fix-all left fixable findings behind.
  for (const [name, path, languageId, text] of [
    ['TypeScript, two fixes adding `readFile` and one adding `writeFile`', 'imports.ts', 'typescript', ["import { readFileSync, writeFileSync } from 'node:fs';", '', 'export async function backup(p: string) {', "  const t = readFileSync(p, 'utf8');", "  writeFileSync(p + '.bak', t);", '  await fetch(p);', '}', '', 'export async function load(p: string) {', "  return readFileSync(p, 'utf8');", '}', ''].join('\n')],
    ['TypeScript, two fixes adding `promisify`', 'promisify.ts', 'typescript', ["import crypto from 'node:crypto';", '', 'export async function hash(p: string) {', "  return crypto.pbkdf2Sync(p, 'salt', 100000, 64, 'sha512');", '}', '', 'export async function derive(p: string) {', "  return crypto.scryptSync(p, 'salt', 64);", '}', ''].join('\n')],
    ['Python, two fixes adding `import asyncio`', 'poll.py', 'python', ['import time', '', '', 'async def poll():', '    time.sleep(1)', '', '', 'async def retry():', '    time.sleep(2)', ''].join('\n')],
  ] as const) {
    it(`one source.fixAll leaves nothing fixable behind: ${name}`, async () => {
      const before = await client.open(path, text, languageId);
      assert.ok(before.length >= 2, JSON.stringify(before));
      const uri = client.uri(path);
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: range(0, 0, 0, 0), context: { diagnostics: [], only: ['source.fixAll'] } });
      const resolved = await client.request<CodeAction>('codeAction/resolve', actions[0]!);
      const after = applyLspEdits(text, editsFor(resolved.edit, uri));
      assert.equal(frontendForPath(path)!.syntaxErrors(after, path), 0, after);
      assert.deepEqual(await client.applyEdits(path, editsFor(resolved.edit, uri)), [], after);
      // Nothing left for a second fix-all to do.
      const again = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: range(0, 0, 0, 0), context: { diagnostics: [], only: ['source.fixAll'] } });
      assert.deepEqual(again, []);
    });
  }

  it('"Fix all `<rule>` problems in this file" fixes every finding of the rule', async () => {
    const text = HANDLER.replace('  await fetch(path);', "  fs.writeFileSync(path + '.bak', data);\n  await fetch(path);");
    const diagnostics = await client.open('a.ts', text);
    const uri = client.uri('a.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[1]!.range, context: { diagnostics } });
    const all = actions.find((a) => a.title === 'Fix all `blocking-in-async` problems in this file');
    assert.ok(all, actions.map((a) => a.title).join('\n'));
    const resolved = await client.request<CodeAction>('codeAction/resolve', all);
    assert.equal(editsFor(resolved.edit, uri).length >= 2, true);
    assert.deepEqual(await client.applyEdits('a.ts', editsFor(resolved.edit, uri)), []);
  });

  it('links the blocking call inside a same-file helper as related information', async () => {
    const text = ["import fs from 'node:fs';", 'function load(p: string) {', "  return fs.readFileSync(p, 'utf8');", '}', 'export async function handler(p: string) {', '  return load(p);', '}', ''].join('\n');
    const [d] = await client.open('helper.ts', text);
    assert.equal(d?.range.start.line, 5);
    assert.deepEqual(d?.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [[client.uri('helper.ts'), 2]]);
  });

  it('opens a rule\'s documentation with window/showDocument', async () => {
    const url = await client.request<string>('workspace/executeCommand', { command: 'asyncBoundary.openRuleDocs', arguments: ['blocking-in-async'] });
    assert.match(url, /\/docs\/rules\/blocking-in-async\.md$/);
    assert.deepEqual(client.shown, [{ uri: url, external: true }]);
  });

  it('hovers on an await with its place and what is held, and serves yield points', async () => {
    await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(4, 4) });
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /Yield point 1 of 1/);
    assert.match(value, /`handler`/);
    assert.match(value, /Nothing is held/);
    const result = await client.request<YieldPointsResult>('asyncBoundary/yieldPoints', { textDocument: { uri } });
    assert.deepEqual(result.yieldPoints.map((y) => [y.range.start, y.ordinal, y.kind, y.context, y.held]), [[pos(4, 2), 1, 'await', 'handler', []]]);
    assert.deepEqual(result.heldRegions, []);
    assert.equal(result.version, 1);
  });

  it('summarises an async function on hover over its name', async () => {
    await client.open('a.ts', HANDLER);
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: client.uri('a.ts') }, position: pos(2, 24) });
    const value = (hover.contents as { value: string }).value;
    // No lock is held in `handler`: the line of counts leaves the zero out.
    assert.equal(value.split('  \n')[1], '1 yield point · 1 blocking call · 1 finding');
  });

  it('shows yield points as inlay hints for a client without decorations', async () => {
    await client.open('a.ts', HANDLER);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: client.uri('a.ts') }, range: range(0, 0, 8, 0) });
    assert.deepEqual(hints.map((h) => [h.position, h.label]), [[pos(4, 7), '◆ 1']]);
  });

  it('re-analyses on a settings change and on a config file change', async () => {
    assert.equal((await client.open('a.ts', HANDLER)).length, 1);
    const uri = client.uri('a.ts');
    client.settings = { debounceMs: 0, rules: { 'blocking-in-async': 'off' } };
    let next = client.nextDiagnostics(uri);
    await client.rpc.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual((await next).diagnostics, []);

    client.settings = { debounceMs: 0 };
    writeFileSync(join(client.root, '.async-boundary.json'), '{ "rules": { "blocking-in-async": "error" } }');
    // The settings change alone publishes a warning first; the config file's `error` follows.
    next = client.nextDiagnostics(uri, (p) => p.diagnostics[0]?.severity === 1);
    await client.rpc.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: client.uri('.async-boundary.json'), type: 1 }] });
    assert.equal((await next).diagnostics.length, 1);
    assert.ok(client.registrations.includes('workspace/didChangeWatchedFiles'));

    // The editor's per-rule level wins over the config file's.
    client.settings = { debounceMs: 0, rules: { 'blocking-in-async': 'info' } };
    next = client.nextDiagnostics(uri, (p) => p.diagnostics[0]?.severity === 3);
    await client.rpc.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.equal((await next).diagnostics.length, 1);
  });

  it('uses the nearest config file above each document, as the CLI does', async () => {
    mkdirSync(join(client.root, 'pkg'));
    assert.equal((await client.open('pkg/a.ts', HANDLER)).length, 1);
    writeFileSync(join(client.root, 'pkg', '.async-boundary.json'), '{ "rules": { "blocking-in-async": "off" } }');
    const cleared = client.nextDiagnostics(client.uri('pkg/a.ts'), (p) => p.diagnostics.length === 0);
    await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: client.uri('pkg/.async-boundary.json'), type: 1 }] });
    await cleared;
    assert.equal((await client.open('a.ts', HANDLER)).length, 1, 'the root folder has no config: defaults apply');
  });

  it('reports config file errors as diagnostics on the config file', async () => {
    const config = client.uri('.async-boundary.json');
    writeFileSync(join(client.root, '.async-boundary.json'), '{ "rules": { "no-such-rule": "error" } }');
    const published = client.nextDiagnostics(config);
    await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: config, type: 2 }] });
    const { diagnostics } = await published;
    assert.equal(diagnostics.length, 1);
    assert.match(messageText(diagnostics[0]!.message), /no-such-rule/);
    writeFileSync(join(client.root, '.async-boundary.json'), '{ "rules": { "blocking-in-async": "error" } }');
    const cleared = client.nextDiagnostics(config);
    await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: config, type: 2 }] });
    assert.deepEqual((await cleared).diagnostics, []);
  });

  it('shows a glob that can never match as a warning on the config file, as the CLI prints it', async () => {
    const config = client.uri('.async-boundary.json');
    writeFileSync(join(client.root, '.async-boundary.json'), '{\n  "exclude": ["src//gen/**"]\n}\n');
    const published = client.nextDiagnostics(config);
    await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: config, type: 2 }] });
    const { diagnostics } = await published;
    assert.deepEqual(diagnostics.map((d) => [d.severity, d.range.start.line]), [[2, 1]]);
    assert.match(messageText(diagnostics[0]!.message), /never match/);
  });

  it('logs an invalid setting once and uses the default', async () => {
    client.settings = { debounceMs: 'soon' };
    await client.open('a.ts', HANDLER);
    await client.open('b.ts', HANDLER);
    assert.equal(client.logs.filter((l) => l.includes('asyncBoundary.debounceMs')).length, 1, client.logs.join('\n'));
  });

  it('scans the workspace and publishes diagnostics for closed files', async () => {
    writeFileSync(join(client.root, 'closed.ts'), HANDLER);
    writeFileSync(join(client.root, 'clean.ts'), 'export const x = 1;\n');
    // A test file is not checked by default, and the summary says so.
    writeFileSync(join(client.root, 'closed.test.ts'), HANDLER);
    const published = client.nextDiagnostics(client.uri('closed.ts'));
    const summary = await client.request<{ files: number; findings: number }>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
    assert.equal((await published).diagnostics[0]?.code, 'blocking-in-async');
    assert.deepEqual([summary.files, summary.findings], [2, 1]);
    assert.equal(client.progress[0], 'begin');
    assert.equal(client.progress.at(-1), 'end');
    assert.deepEqual(client.messages, ["async-boundary: scanned 2 files, 1 finding; 1 test file not checked (the `asyncBoundary.roles` setting or the config's `roles` turns them on)"]);
    assert.deepEqual(client.prompts, []);
  });

  it('counts open files in the scan summary, from their unsaved text', async () => {
    writeFileSync(join(client.root, 'open.ts'), 'export const clean = 1;\n');
    await client.open('open.ts', HANDLER);
    const summary = await client.request<{ files: number; findings: number }>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
    assert.deepEqual([summary.files, summary.findings], [1, 1]);
  });

  it('stops a workspace scan when its progress is cancelled', async () => {
    for (let i = 0; i < 200; i++) writeFileSync(join(client.root, `f${i}.ts`), HANDLER);
    client.cancelProgress = true;
    const summary = await client.request<{ files: number; cancelled: boolean }>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
    assert.equal(summary.cancelled, true);
    assert.ok(summary.files < 200, `scanned ${summary.files} of 200 files`);
    assert.equal(client.progress.at(-1), 'end');
  });

  it('keeps a scanned file\'s diagnostics when it is opened and closed again', async () => {
    writeFileSync(join(client.root, 'closed.ts'), HANDLER);
    await client.request('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
    await client.open('closed.ts', HANDLER);
    const uri = client.uri('closed.ts');
    const afterClose = client.nextDiagnostics(uri);
    await client.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual((await afterClose).diagnostics.map((d) => d.code), ['blocking-in-async']);
  });

  it('skips files the config file excludes, as the CLI does', async () => {
    writeFileSync(join(client.root, '.async-boundary.json'), '{ "exclude": ["generated/**"] }');
    await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: client.uri('.async-boundary.json'), type: 1 }] });
    mkdirSync(join(client.root, 'generated'));
    assert.deepEqual(await client.open('generated/a.ts', HANDLER), []);
    assert.equal((await client.open('a.ts', HANDLER)).length, 1);
  });

  it('analyses an untitled buffer by its language id', async () => {
    const uri = 'untitled:Untitled-1';
    const published = client.nextDiagnostics(uri, (p) => p.version === 1);
    await client.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: HANDLER } });
    assert.deepEqual((await published).diagnostics.map((d) => d.code), ['blocking-in-async']);
  });

  it('publishes nothing when disabled', async () => {
    client.settings = { enable: false, debounceMs: 0 };
    assert.deepEqual(await client.open('a.ts', HANDLER), []);
  });

  it('clears diagnostics when a document closes', async () => {
    await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const cleared = client.nextDiagnostics(uri);
    await client.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual((await cleared).diagnostics, []);
  });
});

describe('ignore-on-this-line edit', () => {
  it('uses `#` for Python and keeps the line\'s indentation', () => {
    const text = 'async def f():\n\ttime.sleep(1)\n';
    const analysis = { parsed: { text }, lines: new LineIndex(text), model: { language: 'python' } } as unknown as Analysis;
    const finding = { rule: 'blocking-in-async', severity: 'warning', message: '', span: { start: 16, end: 29 }, related: [] } as const;
    assert.deepEqual(ignoreEdit(analysis, finding), { range: range(1, 0, 1, 0), newText: '\t# async-boundary-ignore blocking-in-async: explain why this is safe\n' });
  });
});

describe('language server for the VS Code client', () => {
  it('leaves inlay hints to decorations unless the setting asks for them', async () => {
    const client = await TestClient.start({ settings: { debounceMs: 0 }, initializationOptions: { decorations: true } });
    try {
      await client.open('a.ts', HANDLER);
      const params = { textDocument: { uri: client.uri('a.ts') }, range: range(0, 0, 8, 0) };
      assert.deepEqual(await client.request<InlayHint[]>('textDocument/inlayHint', params), []);
      client.settings = { debounceMs: 0, inlayHints: { enabled: true } };
      await client.rpc.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.equal((await client.request<InlayHint[]>('textDocument/inlayHint', params)).length, 1);
    } finally {
      await client.stop();
    }
  });

  it('uses settings pushed with didChangeConfiguration by a client without workspace/configuration', async () => {
    const client = await TestClient.start({ capabilities: {} });
    try {
      await client.rpc.sendNotification('workspace/didChangeConfiguration', { settings: { asyncBoundary: { debounceMs: 0, rules: { 'blocking-in-async': 'error' } } } });
      const [d] = await client.open('a.ts', HANDLER);
      assert.equal(d?.severity, 1);
    } finally {
      await client.stop();
    }
  });

  it('computes edits eagerly for a client without codeAction/resolve', async () => {
    const client = await TestClient.start({ settings: { debounceMs: 0 }, capabilities: {} });
    try {
      const diagnostics = await client.open('a.ts', HANDLER);
      const uri = client.uri('a.ts');
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
      const ignore = actions.find((a) => a.title.startsWith('Ignore'))!;
      assert.ok(ignore.edit?.changes?.[uri], JSON.stringify(ignore));
    } finally {
      await client.stop();
    }
  });
});
