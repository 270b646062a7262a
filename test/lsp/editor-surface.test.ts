// What a user sees besides the squiggle: refused fixes offered disabled with their reason, an enabled
// row that says why there is no fix, the same reason in the hover, "ignore on this line" as a snippet, and hovers that say what to do.
import assert from 'node:assert/strict';
import type { CodeAction, Hover, InlayHint, TextDocumentEdit } from 'vscode-languageserver/node';
import type { YieldPointsResult } from '../../server/src/shared/protocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FULL_CAPABILITIES, TestClient } from './harness';
import { HANDLER } from './texts';
import { shortReason } from '../../server/src/lsp/code-actions';

/** A job queue behind a std mutex, drained by a `while let` whose temporary guard lives through the body. */
const RUST_MATCH = [
  'use std::collections::VecDeque;',
  'use std::sync::{Arc, Mutex};',
  '',
  'async fn notify(id: u64) {}',
  '',
  'pub async fn drain(jobs: Arc<Mutex<VecDeque<u64>>>) {',
  '    while let Some(id) = jobs.lock().unwrap().pop_front() {',
  '        notify(id).await;',
  '    }',
  '}',
  '',
].join('\n');

const pos = (line: number, character: number) => ({ line, character });
const hoverText = (h: Hover | null): string => (h ? (h.contents as { value: string }).value : '');

const CAPS_WITH_DISABLED_AND_SNIPPETS = {
  ...FULL_CAPABILITIES,
  workspace: { ...FULL_CAPABILITIES.workspace, workspaceEdit: { ...FULL_CAPABILITIES.workspace!.workspaceEdit, snippetEditSupport: true } },
  textDocument: { ...FULL_CAPABILITIES.textDocument, codeAction: { ...FULL_CAPABILITIES.textDocument!.codeAction, disabledSupport: true } },
};

describe('language server: a fix or a reason for every finding', () => {
  let client: TestClient;
  afterEach(async () => {
    await client.stop();
  });

  it('offers a refused fix as a disabled code action with its reason, and says the same in the hover', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 }, capabilities: CAPS_WITH_DISABLED_AND_SNIPPETS });
    const diagnostics = await client.open('jobs.rs', RUST_MATCH, 'rust');
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[7, 'await-holding-lock']]);
    const uri = client.uri('jobs.rs');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const disabled = actions.filter((a) => a.disabled);
    assert.equal(disabled.length, 1, JSON.stringify(actions));
    assert.match(disabled[0]!.disabled!.reason, /^The guard of `jobs` is a temporary .*bind what you need from it with `let` first/);
    assert.equal(disabled[0]!.edit, undefined);
    assert.equal(disabled[0]!.data, undefined);

    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(7, 20) });
    const text = hoverText(hover);
    // What is held and what to do lead; the yield point's place among the others follows.
    const [held, todo, place] = text.split('  \n');
    assert.match(held!, /^Holds `jobs`/);
    assert.match(todo!, /^`await-holding-lock`: no automatic fix: the guard of `jobs` is a temporary/);
    assert.match(place!, /^Yield point 1 of 1 in /);
    // VS Code shows the diagnostic's message above the hover: the hover does not repeat it.
    assert.ok(!text.includes(diagnostics[0]!.message as string), text);
  });

  it('leaves refused fixes out for a client that cannot show disabled actions, and still says why there is no fix', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
    const diagnostics = await client.open('jobs.rs', RUST_MATCH, 'rust');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: client.uri('jobs.rs') }, range: diagnostics[0]!.range, context: { diagnostics } });
    assert.deepEqual(actions.filter((a) => a.disabled), []);
    assert.deepEqual(
      actions.map((a) => a.title),
      ['No automatic fix: the guard of `jobs` is a temporary that lives until the end of its statement, `match` or `if let`…', 'Ignore `await-holding-lock` on this line', 'Show documentation for `await-holding-lock`'],
    );
  });

  it('lists why a finding has no fix as an enabled action (VS Code shows no disabled one in Ctrl+.), which shows every reason whole', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 }, capabilities: CAPS_WITH_DISABLED_AND_SNIPPETS });
    const diagnostics = await client.open('jobs.rs', RUST_MATCH, 'rust');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: client.uri('jobs.rs') }, range: diagnostics[0]!.range, context: { diagnostics } });
    const why = actions.filter((a) => a.title.startsWith('No automatic fix'));
    assert.equal(why.length, 1, JSON.stringify(actions));
    assert.equal(why[0]!.disabled, undefined, 'enabled: a menu that hides disabled actions still lists it');
    assert.equal(why[0]!.kind, 'quickfix');
    assert.equal(why[0]!.command?.command, 'asyncBoundary.explainNoFix');
    // A client that shows no result of its own (Neovim, Helix) gets the explanation as a notification, never a prompt.
    const result = await client.request<{ message: string; docs: string }>('workspace/executeCommand', { command: why[0]!.command!.command, arguments: why[0]!.command!.arguments });
    assert.match(result.message, /^No automatic fix for `await-holding-lock` here\. “Release the guard before the `\.await`” is not offered: the guard of `jobs` is a temporary .*bind what you need from it with `let` first/);
    assert.match(result.docs, /docs\/rules\/await-holding-lock\.md$/);
    assert.deepEqual(client.messages, [`async-boundary: ${result.message} Documentation: ${result.docs}`]);
    assert.deepEqual(client.prompts, []);
  });

  it('offers no "no automatic fix" row where a fix is offered, and refuses a hand-made argument without failing', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 }, initializationOptions: { showsFixExplanations: true } });
    const diagnostics = await client.open('a.ts', HANDLER);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: client.uri('a.ts') }, range: diagnostics[0]!.range, context: { diagnostics } });
    assert.ok(actions.some((a) => a.title === 'Use `await fs.promises.readFile`'), JSON.stringify(actions));
    assert.ok(!actions.some((a) => a.title.startsWith('No automatic fix')), JSON.stringify(actions));
    await assert.rejects(client.request('workspace/executeCommand', { command: 'asyncBoundary.explainNoFix', arguments: [{ rule: 1 }] }), /takes the argument its code action gives/);
    // The VS Code client shows the explanation itself: no notification from the server.
    const result = await client.request<{ message: string }>('workspace/executeCommand', { command: 'asyncBoundary.explainNoFix', arguments: [{ rule: 'await-holding-lock', refused: [{ title: 'Move it', reason: 'The call is under a condition.' }] }] });
    assert.equal(result.message, 'No automatic fix for `await-holding-lock` here. “Move it” is not offered: the call is under a condition.');
    assert.deepEqual(client.messages, []);
  });

  it('hovers on a blocking call with the fix a quick fix applies', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
    await client.open('a.ts', HANDLER);
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: client.uri('a.ts') }, position: pos(3, 20) });
    assert.equal(hoverText(hover), '`blocking-in-async`: quick fix: Use `await fs.promises.readFile`');
  });
});

describe('language server: ignore on this line', () => {
  let client: TestClient;
  afterEach(async () => {
    await client.stop();
  });

  it('inserts a snippet whose placeholder reason is selected, for a client that takes snippet edits', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 }, capabilities: CAPS_WITH_DISABLED_AND_SNIPPETS });
    const diagnostics = await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const resolved = await client.request<CodeAction>('codeAction/resolve', actions.find((a) => a.title.startsWith('Ignore'))!);
    const change = resolved.edit!.documentChanges![0] as TextDocumentEdit;
    assert.deepEqual(change.edits, [{ range: { start: pos(3, 0), end: pos(3, 0) }, snippet: { kind: 'snippet', value: '  // async-boundary-ignore blocking-in-async: ${1:explain why this is safe}\n' } }]);
  });

  it('a placeholder left as it is silences nothing and is reported; a real reason silences the finding', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
    const diagnostics = await client.open('a.ts', HANDLER);
    const uri = client.uri('a.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const resolved = await client.request<CodeAction>('codeAction/resolve', actions.find((a) => a.title.startsWith('Ignore'))!);
    const edits = (resolved.edit!.documentChanges![0] as TextDocumentEdit).edits as { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[];
    assert.deepEqual(edits, [{ range: { start: pos(3, 0), end: pos(3, 0) }, newText: '  // async-boundary-ignore blocking-in-async: explain why this is safe\n' }]);
    const after = await client.applyEdits('a.ts', edits);
    assert.deepEqual(after.map((d) => [d.range.start.line, d.code]), [[3, 'invalid-suppression'], [4, 'blocking-in-async']]);
    assert.match(after[0]!.message as string, /still has the placeholder reason/);
    const reasoned = await client.change('a.ts', [{ range: { start: pos(3, 47), end: pos(3, 71) }, text: 'read once at startup from a 1 KB file' }]);
    assert.deepEqual(reasoned, []);
  });
});

describe('language server: a builder chain is underlined where it blocks', () => {
  let client: TestClient;
  afterEach(async () => {
    await client.stop();
  });

  it('puts the squiggle of `Command::new(..)….output()` on `output()` alone, and still offers the fix there', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
    const text = [
      'use std::process::Command;',
      '',
      'pub async fn head(repo: &str) -> std::io::Result<Vec<u8>> {',
      '    let out = Command::new("git")',
      '        .arg("-C")',
      '        .arg(repo)',
      '        .args(["rev-parse", "HEAD"])',
      '        .output()?;',
      '    Ok(out.stdout)',
      '}',
      '',
    ].join('\n');
    const [diagnostic, ...rest] = await client.open('head.rs', text, 'rust');
    assert.equal(rest.length, 0);
    assert.deepEqual(diagnostic!.range, { start: pos(7, 9), end: pos(7, 17) });
    assert.match(String(diagnostic!.message), /^`Command::output` blocks the executor thread in `head`/);
    const uri = client.uri('head.rs');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic!.range, context: { diagnostics: [diagnostic!] } });
    assert.ok(actions.some((a) => a.title.startsWith('Ignore')), actions.map((a) => a.title).join('\n'));
  });
});

/**
 * A pricing client: a tokio lock held on purpose across the write to the socket it guards (not a
 * finding), and a cache locked through `self.prices.as_ref()?` across a file read (a finding).
 */
const RUST_UPSTREAM = readFileSync(join(__dirname, '..', 'e2e', 'workspace', 'src', 'upstream.rs'), 'utf8');

describe('language server: calm markers for a lock held with nothing wrong', () => {
  let client: TestClient;
  afterEach(async () => {
    await client.stop();
  });

  it('marks only the yield point with a finding as one, and labels a lock without the `?` it ends with', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
    const diagnostics = await client.open('upstream.rs', RUST_UPSTREAM, 'rust');
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[21, 'await-holding-lock']]);
    const uri = client.uri('upstream.rs');
    const { yieldPoints } = await client.request<YieldPointsResult>('asyncBoundary/yieldPoints', { textDocument: { uri } });
    assert.deepEqual(
      yieldPoints.map((y) => [y.range.start.line, y.held, y.finding]),
      [[15, [], false], [16, ['self.conn'], false], [20, [], false], [21, ['self.prices.as_ref()?'], true]],
    );
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: pos(0, 0), end: pos(30, 0) } });
    // What is held is said at the end of the line, after the code's own `.ok()?;`, not between `.await` and the `?`.
    assert.deepEqual(
      hints.map((h) => [h.position, h.label]),
      [[pos(15, 45), '◆ 1'], [pos(16, 35), '◆ 2'], [pos(16, 35), 'holds self.conn'], [pos(20, 59), '◆ 1'], [pos(21, 46), '◆ 2'], [pos(21, 53), 'holds self.prices.as_ref()']],
    );
  });
});

describe('language server: the output channel says what the server is doing', () => {
  let client: TestClient;
  afterEach(async () => {
    await client.stop();
  });

  it('logs its version, the config file it read (with its error count), and each scan with its timing', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 }, files: { '.async-boundary.json': '{ "rules": { "no-such-rule": "warning" } }\n', 'other.ts': HANDLER } });
    await client.open('handler.ts', HANDLER);
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    assert.ok(client.logs.some((l) => l.startsWith(`async-boundary ${version} (Node ${process.version}) for `) && l.includes(`workspace: ${client.root}`)), client.logs.join('\n'));
    assert.ok(client.logs.includes(`async-boundary: read ${join(client.root, '.async-boundary.json')} (1 error; the valid parts apply)`), client.logs.join('\n'));
    await client.request('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace' });
    assert.ok(client.logs.some((l) => /^async-boundary: scanned \d+ files?, \d+ findings? in \d+ ms/.test(l)), client.logs.join('\n'));
  });

  it('says when no config file applies', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
    await client.open('handler.ts', HANDLER);
    assert.ok(client.logs.some((l) => /no \.async-boundary\.json at or above the files analysed so far: the built-in defaults apply/.test(l)), client.logs.join('\n'));
  });
});

describe('the short reason a "no automatic fix" row shows', () => {
  it('keeps the cause, up to where the reason says what to do instead, and never cuts inside inline code', () => {
    assert.equal(
      shortReason('the `await` is part of a larger statement under the lock (a condition, a loop, or a write to what the lock guards): release the lock before it'),
      'the `await` is part of a larger statement under the lock…',
    );
    assert.equal(shortReason('`tokio::spawn` needs a `\'static` future: move what it borrows into it'), '`tokio::spawn` needs a `\'static` future…');
    assert.equal(shortReason('only a plain function can move to a worker; a method closes over its object'), 'only a plain function can move to a worker…');
    assert.equal(shortReason('the call was not found'), 'the call was not found');
    const long = shortReason(`the operand reads ${'`state.entries[index].value`, '.repeat(6)}and more`);
    assert.ok(long.length <= 101 && long.endsWith('…'), long);
    assert.equal((long.match(/`/g) ?? []).length % 2, 0, long);
  });
});

/**
 * A session store that writes through to a remote service while its lock is held: a call whose options
 * spread over lines (as Prettier formats it), and a fan-out whose callback is an async function of its own.
 */
const SESSIONS = [
  "import { Mutex } from 'async-mutex';",
  '',
  'const sessions = new Map<string, string>();',
  'const sessionsLock = new Mutex();',
  '',
  'export async function renew(id: string, token: string): Promise<void> {',
  '  const release = await sessionsLock.acquire();',
  '  try {',
  '    sessions.set(id, token);',
  '    await fetch(`https://sessions.example.com/${id}`, {',
  "      method: 'PUT',",
  '      body: token,',
  '    });',
  '    await Promise.all(',
  '      [...sessions.keys()].map(async (key) => {',
  '        await fetch(`https://audit.example.com/${key}`);',
  '      }),',
  '    );',
  '  } finally {',
  '    release();',
  '  }',
  '}',
  '',
].join('\n');

describe('language server: where `holds` is said in a statement over several lines', () => {
  let client: TestClient;
  afterEach(async () => {
    await client.stop();
  });

  it('underlines a call spread over lines on its first line and labels it after its last, and labels one that runs on through a callback on its first', async () => {
    client = await TestClient.start({ settings: { debounceMs: 0, inlayHints: { enabled: true } } });
    const diagnostics = await client.open('sessions.ts', SESSIONS);
    // The call is underlined where it starts, not on each line of its options.
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'await-holding-lock').map((d) => d.range),
      [{ start: pos(9, 4), end: pos(9, 55) }],
    );
    const uri = client.uri('sessions.ts');
    const { yieldPoints } = await client.request<YieldPointsResult>('asyncBoundary/yieldPoints', { textDocument: { uri } });
    assert.deepEqual(
      yieldPoints.map((y) => [y.range.start.line, y.held, y.labelLine]),
      [[6, [], 6], [9, ['sessionsLock'], 12], [13, ['sessionsLock'], 13], [15, [], 15]],
    );
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: pos(0, 0), end: pos(30, 0) } });
    assert.deepEqual(
      hints.filter((h) => String(h.label).startsWith('holds')).map((h) => [h.position, h.label]),
      [[pos(12, 7), 'holds sessionsLock'], [pos(13, 22), 'holds sessionsLock']],
    );
  });
});
