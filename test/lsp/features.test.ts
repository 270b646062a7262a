// Held locks in hovers, inlay hints and the yield-points request; fixes that create files; a second
// language (Rust, tree-sitter); request cancellation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { CodeAction, Hover, InlayHint } from 'vscode-languageserver/node';
import type { YieldPointsResult } from '../../server/src/shared/protocol';
import { BUNDLED_SERVER, FULL_CAPABILITIES, TestClient } from './harness';

/** A password hash (CPU-heavy, blocking) and an HTTP call made while an async mutex is held. */
const LOCKED = [
  "import { Mutex } from 'async-mutex';",
  "import crypto from 'node:crypto';",
  'const lock = new Mutex();',
  'export async function hash(pw: string, salt: string) {',
  "  const key = crypto.pbkdf2Sync(pw, salt, 100000, 64, 'sha512');",
  '  const release = await lock.acquire();',
  '  try {',
  "    await fetch('https://example.com');",
  '  } finally {',
  '    release();',
  '  }',
  '  return key;',
  '}',
  '',
].join('\n');

/** A blocking read in an async fn, then a sleep awaited. */
const RUST = ['use std::fs;', 'pub async fn load(p: &str) -> String {', '    let s = fs::read_to_string(p).unwrap();', '    tokio::time::sleep(std::time::Duration::from_millis(1)).await;', '    s', '}', ''].join('\n');

/** A fan-out over a directory listing and a forgotten promise, beside a bounded fan-out, an awaited call and a fan-out over a list of unknown size (not reported). */
const AMPLIFIED = [
  "import fs from 'node:fs';",
  'async function upload(f: string) {',
  '  await fetch(f);',
  '}',
  'export async function sync(dir: string, tags: string[]) {',
  '  const files = await fs.promises.readdir(dir);',
  '  await Promise.all(files.map((f) => upload(f)));',
  '  upload(dir);',
  '  await Promise.all(files.slice(0, 8).map((f) => upload(f)));',
  '  await upload(dir);',
  '  await Promise.all(tags.map((t) => upload(t)));',
  '}',
  '',
].join('\n');

/** A task spawned per file of a folder and one whose handle is dropped, beside a buffered stream and a kept handle. */
const RUST_AMPLIFIED = [
  'use futures::stream::{self, StreamExt};',
  'pub async fn sync(dir: String, client: reqwest::Client) {',
  '    let files = tokio::task::spawn_blocking(move || std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).collect::<Vec<_>>()).await.unwrap();',
  '    for f in files {',
  '        let c = client.clone();',
  '        tokio::spawn(async move { c.put("http://store/").body(f.path().display().to_string()).send().await?; Ok::<_, reqwest::Error>(()) });',
  '    }',
  '}',
  'pub async fn buffered(dir: String, client: reqwest::Client) {',
  '    let files = tokio::task::spawn_blocking(move || std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).collect::<Vec<_>>()).await.unwrap();',
  '    let _res: Vec<_> = stream::iter(files).map(|f| client.put("http://store/").body(f.path().display().to_string()).send()).buffer_unordered(8).collect().await;',
  '    let kept = tokio::spawn(async { reqwest::get("http://store/").await?; Ok::<_, reqwest::Error>(()) });',
  '    kept.await.ok();',
  '}',
  'pub async fn fetch_all(dir: String) -> Vec<Result<reqwest::Response, reqwest::Error>> {',
  '    let files = tokio::task::spawn_blocking(move || std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).collect::<Vec<_>>()).await.unwrap();',
  '    futures::future::join_all(files.iter().map(|f| reqwest::get(f.path().display().to_string()))).await',
  '}',
  'pub fn emit(handle: tokio::runtime::Handle) {',
  '    handle.spawn(async { reqwest::get("http://store/").await?.error_for_status()?; Ok::<_, reqwest::Error>(()) });',
  '}',
  '',
].join('\n');

/**
 * A Go service: a mutex held across a channel send and a read lock across `wg.Wait()`, a goroutine per
 * item of the request, and a goroutine left blocked on its send when the select times out.
 */
const GO = [
  'package svc',
  '',
  'import (',
  '\t"encoding/json"',
  '\t"net/http"',
  '\t"sync"',
  '\t"time"',
  ')',
  '',
  'type Hub struct {',
  '\tmu      sync.Mutex',
  '\tstateMu sync.RWMutex',
  '\tevents  chan string',
  '}',
  '',
  'func (h *Hub) Publish(e string) {',
  '\th.mu.Lock()',
  '\th.events <- e',
  '\th.mu.Unlock()',
  '}',
  '',
  'func (h *Hub) Refresh(w http.ResponseWriter, r *http.Request) {',
  '\tvar ids []string',
  '\t_ = json.NewDecoder(r.Body).Decode(&ids)',
  '\tvar wg sync.WaitGroup',
  '\th.stateMu.RLock()',
  '\tfor _, id := range ids {',
  '\t\twg.Add(1)',
  '\t\tgo func(id string) { defer wg.Done(); _, _ = http.Get("http://store/" + id) }(id)',
  '\t}',
  '\twg.Wait()',
  '\th.stateMu.RUnlock()',
  '}',
  '',
  'func lookup(w http.ResponseWriter, r *http.Request) {',
  '\tresult := make(chan int)',
  '\tgo func() {',
  '\t\tresp, _ := http.Get("http://warehouse/")',
  '\t\tresult <- resp.StatusCode',
  '\t}()',
  '\tselect {',
  '\tcase n := <-result:',
  '\t\tw.WriteHeader(n)',
  '\tcase <-time.After(2 * time.Second):',
  '\t\tw.WriteHeader(http.StatusGatewayTimeout)',
  '\t}',
  '}',
  '',
].join('\n');

const pos = (line: number, character: number) => ({ line, character });
const whole = { start: pos(0, 0), end: pos(20, 0) };

describe('language server features', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
  });
  afterEach(async () => {
    await client.stop();
  });

  it('reports what is held across a yield point in hover, inlay hints and yieldPoints', async () => {
    const diagnostics = await client.open('lock.ts', LOCKED);
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[4, 'blocking-in-async'], [7, 'await-holding-lock']]);
    const uri = client.uri('lock.ts');
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(7, 6) });
    const value = (hover.contents as { value: string }).value;
    // What is held and what to do lead; the place among the function's yield points follows.
    assert.match(value, /^Holds `lock` \(async lock.*\), acquired on line 6  \n`await-holding-lock`: quick fix: Move `await fetch\(…\)` after the lock is released[^\n]*  \nYield point 2 of 2 in `hash`: /);

    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: whole });
    assert.deepEqual(hints.map((h) => [h.position, h.label]), [[pos(5, 23), '◆ 1'], [pos(7, 9), '◆ 2'], [pos(7, 39), 'holds lock']]);

    const result = await client.request<YieldPointsResult>('asyncBoundary/yieldPoints', { textDocument: { uri } });
    assert.deepEqual(result.yieldPoints.map((y) => [y.ordinal, y.held]), [[1, []], [2, ['lock']]]);
    assert.equal(result.heldRegions.length, 1);
    assert.deepEqual([result.heldRegions[0]!.lock, result.heldRegions[0]!.kind, result.heldRegions[0]!.acquireRange.start.line], ['lock', 'async', 5]);
  });

  it('offers a fix that creates a worker file as a CreateFile plus its text', async () => {
    const diagnostics = await client.open('lock.ts', LOCKED);
    const uri = client.uri('lock.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const offload = actions.find((a) => a.title.startsWith('Offload'));
    assert.ok(offload, actions.map((a) => a.title).join('\n'));
    assert.equal(offload.isPreferred, false, 'a suggestion is not preferred');
    const resolved = await client.request<CodeAction>('codeAction/resolve', offload);
    const changes = resolved.edit?.documentChanges ?? [];
    const create = changes.find((c) => 'kind' in c && c.kind === 'create');
    assert.ok(create && 'uri' in create && create.uri === client.uri('pbkdf2Sync.worker.mjs'), JSON.stringify(changes));
    const created = changes.find((c) => 'textDocument' in c && c.textDocument.uri === client.uri('pbkdf2Sync.worker.mjs'));
    assert.ok(created && 'edits' in created && (created.edits[0] as { newText: string }).newText.includes('pbkdf2Sync'), JSON.stringify(created));
    // A TypeScript source imports the typed runner from a module beside it, created with the fix.
    const runner = changes.find((c) => 'textDocument' in c && c.textDocument.uri === client.uri('run-in-worker.ts'));
    assert.ok(runner && 'edits' in runner && (runner.edits[0] as { newText: string }).newText.includes('export function runInWorker<T>('), JSON.stringify(changes));
  });

  it('keeps the typed worker runner a fix in the same folder already created', async () => {
    writeFileSync(join(client.root, 'run-in-worker.ts'), 'export function runInWorker<T>(file: URL | string, args: readonly unknown[]): Promise<T> { return Promise.reject(new Error(String(file) + String(args.length))); }\n');
    const diagnostics = await client.open('lock.ts', LOCKED);
    const uri = client.uri('lock.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const resolved = await client.request<CodeAction>('codeAction/resolve', actions.find((a) => a.title.startsWith('Offload'))!);
    const changes = resolved.edit?.documentChanges ?? [];
    assert.deepEqual(changes.filter((c) => 'kind' in c).map((c) => ('uri' in c ? c.uri : '')), [client.uri('pbkdf2Sync.worker.mjs')], 'the existing run-in-worker.ts would be created again');
    assert.match(JSON.stringify(changes), /import \{ runInWorker \} from '\.\/run-in-worker\.js';/);
  });

  it('offloads to a piscina pool when the project depends on piscina', async () => {
    await client.stop();
    client = await TestClient.start({ settings: { debounceMs: 0 }, files: { 'package.json': JSON.stringify({ dependencies: { piscina: '^5.0.0' } }) } });
    const diagnostics = await client.open('lock.ts', LOCKED);
    const uri = client.uri('lock.ts');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const offload = actions.find((a) => a.title.startsWith('Offload'));
    assert.ok(offload, actions.map((a) => a.title).join('\n'));
    const resolved = await client.request<CodeAction>('codeAction/resolve', offload);
    const edits = (resolved.edit?.documentChanges ?? []).filter((c) => 'textDocument' in c && c.textDocument.uri === uri);
    assert.match(JSON.stringify(edits), /Piscina/);
  });

  it('analyses Rust with the tree-sitter frontend', async () => {
    const diagnostics = await client.open('load.rs', RUST, 'rust');
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[2, 'blocking-in-async']]);
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: client.uri('load.rs') }, position: pos(3, 62) });
    assert.match((hover.contents as { value: string }).value, /Yield point 1 of 1\*\* in `load`/);
  });

  it('names an unbounded fan-out and a detached promise on hover, and says nothing of bounded or awaited ones', async () => {
    const diagnostics = await client.open('sync.ts', AMPLIFIED);
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[6, 'unbounded-fan-out'], [7, 'detached-task']]);
    const uri = client.uri('sync.ts');
    const at = async (line: number, character: number) => {
      const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: pos(line, character) });
      return hover ? (hover.contents as { value: string }).value : '';
    };
    const fanOut = await at(6, 12);
    assert.match(fanOut, /^\*\*Fan-out\*\* via `Promise\.all`: one `upload` per item of `files` \(a directory listing\), all at once, with no bound  \nTo bound it, `p-map`\/`p-limit`/);
    assert.match(fanOut, /`unbounded-fan-out`: /);
    assert.ok(!fanOut.includes(String(diagnostics[0]!.message)), 'the hover does not repeat the diagnostic');
    // The await in front of it is a yield point: its hover names the fan-out too.
    assert.match(await at(6, 4), /^\*\*Fan-out\*\* via `Promise\.all`[^]*  \nYield point 2 of 5 in `sync`/);
    const detached = await at(7, 4);
    assert.match(detached, /^\*\*Detached task\*\*: `upload` starts a task that nothing awaits or keeps  \n`await` it, or `void` it/);
    assert.match(detached, /`detached-task`: quick fix: /);
    // A bounded fan-out and an awaited call: no such line.
    assert.doesNotMatch(await at(8, 12), /Fan-out|Detached/);
    assert.doesNotMatch(await at(8, 4), /Fan-out|Detached/);
    assert.doesNotMatch(await at(9, 10), /Fan-out|Detached/);
    // A fan-out over a parameter of unknown size: the rule does not report it, so the hover does not call it unbounded.
    assert.doesNotMatch(await at(10, 12), /Fan-out|no bound/);
  });

  it('names a task spawned per item and a dropped JoinHandle in Rust, not a buffered stream or a kept handle', async () => {
    const diagnostics = await client.open('sync.rs', RUST_AMPLIFIED, 'rust');
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[5, 'detached-task'], [5, 'unbounded-fan-out'], [16, 'unbounded-fan-out'], [19, 'detached-task']]);
    const uri = client.uri('sync.rs');
    const at = async (line: number, character: number) => {
      const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: pos(line, character) });
      return hover ? (hover.contents as { value: string }).value : '';
    };
    // Each hover line says what the rule's message says and what the quick fix does, for that shape of fan-out.
    const spawned = await at(5, 12);
    const semaphore = 'To bound it, a `tokio::sync::Semaphore` of N: each task holds an owned permit, and the loop waits for one before it spawns';
    assert.ok(spawned.startsWith(`**Fan-out** via \`tokio::spawn\`: one task per item of \`files\` (a directory listing), all at once, with no bound  \n${semaphore}  \n`), spawned);
    assert.match(spawned, /\*\*Detached task\*\*: `tokio::spawn` starts one task per iteration that nothing awaits or keeps  \nKeep the `JoinHandle` \(or spawn on a `JoinSet`\) and join it, so a failure or panic is seen/);
    const spawnFix = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[1]!.range, context: { diagnostics: [diagnostics[1]!] } });
    assert.match(spawnFix.map((a) => a.title).join('\n'), /Semaphore/);
    assert.match(String(diagnostics[1]!.message), /a `tokio::sync::Semaphore` of N whose owned permit each task holds/);
    const joined = await at(16, 6);
    assert.ok(joined.startsWith('**Fan-out** via `futures::future::join_all`: one `reqwest::get` per item of `files` (a directory listing), all at once, with no bound  \nTo bound it, `futures::stream::iter(items).map(f).buffered(N)` (results in order, as `join_all` gives them)'), joined);
    const joinFix = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[2]!.range, context: { diagnostics: [diagnostics[2]!] } });
    assert.match(joinFix.map((a) => a.title).join('\n'), /buffered\(8\)/);
    assert.match(String(diagnostics[2]!.message), /`futures::stream::iter\(items\)\.map\(f\)\.buffered\(N\)`/);
    assert.doesNotMatch(String(diagnostics[2]!.message) + joined, /buffer_unordered/);
    // A spawn through a runtime handle is a task like `tokio::spawn`.
    assert.match(await at(19, 6), /^\*\*Detached task\*\*: `handle\.spawn` starts a task that nothing awaits or keeps  \nKeep the `JoinHandle`/);
    assert.doesNotMatch(await at(10, 30), /Fan-out|Detached/);
    assert.doesNotMatch(await at(11, 20), /Fan-out|Detached/);
    // The yield point hover names the fan-out or the detached task it is part of: the `.await` of the
    // `join_all`, and an `.await` inside a task spawned per item and dropped.
    const awaitOf = (line: number, from = 0): number => RUST_AMPLIFIED.split('\n')[line]!.indexOf('.await', from) + 1;
    const joinedAwait = await at(16, awaitOf(16));
    assert.match(joinedAwait, /^\*\*Fan-out\*\* via `futures::future::join_all`: one `reqwest::get` per item of `files`[^]*  \nYield point 2 of 2 in `fetch_all`: /);
    const inTask = await at(5, awaitOf(5));
    assert.match(inTask, /^\*\*Fan-out\*\* via `tokio::spawn`[^]*  \n\*\*Detached task\*\*: `tokio::spawn` starts one task per iteration[^]*  \nYield point 1 of 1 in a task in `sync`: /);
    // A yield point outside any of them says nothing of one.
    assert.doesNotMatch(await at(2, awaitOf(2)), /Fan-out|Detached/);
  });

  it('speaks Go in Go hovers and inlay hints: parking points, goroutines, mutexes, never await or a task', async () => {
    const diagnostics = await client.open('hub.go', GO, 'go');
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[17, 'await-holding-lock'], [28, 'unbounded-fan-out'], [30, 'await-holding-lock'], [36, 'detached-task']]);
    const uri = client.uri('hub.go');
    const at = async (line: number, character: number) => {
      const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: pos(line, character) });
      return hover ? (hover.contents as { value: string }).value : '';
    };
    const send = await at(17, 11);
    assert.match(send, /^Holds `h\.mu` \(`sync\.Mutex`\), locked on line 17: every goroutine that needs it waits while this one is parked  \n`await-holding-lock`: [^\n]*  \nParking point 1 of 1 in `Hub\.Publish`: the goroutine parks here on a send on `h\.events` until a receiver arrives$/);
    const wait = await at(30, 5);
    assert.match(wait, /^Holds `h\.stateMu` \(`sync\.RWMutex`\), read-locked on line 26: every goroutine that needs it for writing waits while this one is parked  \n[^]*  \nParking point 1 of 1 in `Hub\.Refresh`: the goroutine parks here on `wg\.Wait` until every goroutine of the group has called `Done`$/);
    const fanOut = await at(28, 3);
    assert.match(fanOut, /\*\*Fan-out\*\* via `go`: one goroutine per item of `ids` \(from the request\), all at once, with no bound  \nTo bound it, an `errgroup\.Group` with `g\.SetLimit\(N\)`/);
    // A parking point inside a goroutine started per item names the fan-out it belongs to.
    const inGoroutine = await at(28, GO.split('\n')[28]!.indexOf('http.Get') + 1);
    assert.match(inGoroutine, /^\*\*Fan-out\*\* via `go`: one goroutine per item of `ids`[^]*  \nParking point 1 of 1 in a goroutine in `Hub\.Refresh`: the goroutine parks here on `http\.Get` \(I\/O\)/);
    const leak = await at(36, 2);
    assert.match(leak, /^\*\*Goroutine leak\*\*: the goroutine started by `go func\(\) \{…\}\(\)` can block forever: it sends on `result`, an unbuffered channel, and `lookup` can return without receiving from it[^]*  \nGive its channel a capacity of 1 \(`make\(chan T, 1\)`\)/);
    assert.match(leak, /`detached-task`: quick fix: /);
    const fn = await at(34, 6);
    assert.match(fn, /^\*\*`lookup`\*\* runs on the goroutine that calls it, which parks on channels, locks and I\/O  \n1 parking point · 1 finding$/);
    const spawned = await at(36, 5);
    assert.match(spawned, /\*\*A goroutine in `lookup`\*\* runs on its own goroutine, started by `go`  \n2 parking points/);
    const plain = await at(38, 9);
    assert.match(plain, /^\*\*Parking point 2 of 2\*\* in a goroutine in `lookup`: the goroutine parks here on a send on `result` until a receiver arrives  \nNo mutex is held here\./);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: whole });
    assert.equal(String(hints.find((h) => h.position.line === 17)?.tooltip), 'Parking point 1 of 1 in Hub.Publish; holds h.mu');
    for (const text of [send, wait, fanOut, inGoroutine, leak, fn, spawned, plain, ...hints.map((h) => String(h.tooltip))]) {
      // A rule id (`detached-task`) is a name, not prose.
      assert.doesNotMatch(text.replace(/`[a-z-]+`: /g, ''), /await|event loop|executor|\btasks?\b|[Yy]ield point/, text);
    }
  });

  it('shows the rule\'s documentation on hover over a suppression comment', async () => {
    const text = LOCKED.replace("  const key = crypto", "  // async-boundary-ignore blocking-in-async: runs once at startup\n  const key = crypto");
    assert.deepEqual((await client.open('lock.ts', text)).map((d) => d.code), ['await-holding-lock']);
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: client.uri('lock.ts') }, position: pos(4, 10) });
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /^\*\*blocking-in-async\*\*: /);
    assert.match(value, /\*Why:\*/);
    assert.match(value, /docs\/rules\/blocking-in-async\.md/);
  });

  it('answers a cancelled request with RequestCancelled', async () => {
    await client.open('lock.ts', LOCKED);
    const source = new CancellationTokenSource();
    const pending = client.rpc.sendRequest('textDocument/hover', { textDocument: { uri: client.uri('lock.ts') }, position: pos(7, 6) }, source.token);
    source.cancel();
    await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
  });
});

describe('bundled server (dist/server.js --stdio)', () => {
  it('finds the Rust grammar next to the bundle and reports a finding', async function () {
    if (!existsSync(BUNDLED_SERVER)) execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs')]);
    const client = await TestClient.start({ settings: { debounceMs: 0 }, bundled: true });
    try {
      assert.deepEqual((await client.open('load.rs', RUST, 'rust')).map((d) => d.code), ['blocking-in-async']);
    } finally {
      await client.stop();
    }
  });
});

describe('language server without resource operations', () => {
  it('does not offer fixes that create files', async () => {
    const workspace = { ...FULL_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true } };
    const client = await TestClient.start({ settings: { debounceMs: 0 }, capabilities: { ...FULL_CAPABILITIES, workspace } });
    try {
      const diagnostics = await client.open('lock.ts', LOCKED);
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: client.uri('lock.ts') }, range: diagnostics[0]!.range, context: { diagnostics } });
      assert.ok(actions.some((a) => a.isPreferred), 'the in-place fix is still offered');
      assert.ok(!actions.some((a) => a.title.startsWith('Offload')), actions.map((a) => a.title).join('\n'));
    } finally {
      await client.stop();
    }
  });
});

// Since 38f4d47 a finding spread over lines is underlined on its first line only; its fixes still
// apply to the whole call, so a code-action request on a later line of it must offer them.
describe('language server: code actions on the later lines of a multi-line finding', () => {
  it('offers the fix of a call whose arguments spread over lines from any of its lines', async function () {
    this.timeout(60_000);
    // A config loader in an Express handler, arguments on lines of their own (Prettier's wrapping).
    const text = [
      "import fs from 'node:fs';",
      "import express from 'express';",
      '',
      'const app = express();',
      "app.get('/config', async (req, res) => {",
      '  const raw = fs.readFileSync(',
      "    process.env.CONFIG_PATH ?? '/etc/app/config.json',",
      "    'utf8',",
      '  );',
      '  res.json(JSON.parse(raw));',
      '});',
      '',
    ].join('\n');
    const client = await TestClient.start({ settings: { debounceMs: 0 } });
    try {
      const uri = client.uri('src/config-route.ts');
      const diagnostics = await client.open('src/config-route.ts', text);
      const finding = diagnostics.find((d) => d.code === 'blocking-in-async');
      assert.ok(finding, JSON.stringify(diagnostics));
      assert.equal(finding.range.start.line, 5);
      assert.equal(finding.range.end.line, 5, 'underlined on its first line');
      const at = async (line: number, character: number) => {
        const range = { start: { line, character }, end: { line, character } };
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } });
        return actions.map((a) => a.title);
      };
      const onFirst = await at(5, 16);
      assert.ok(onFirst.some((t) => /readFile/.test(t)), onFirst.join('\n'));
      // Inside the call's arguments, and on its closing parenthesis.
      for (const [line, character] of [[6, 4], [7, 4], [8, 2]] as const) assert.deepEqual(await at(line, character), onFirst, `line ${line + 1}`);
      assert.deepEqual(await at(9, 4), [], 'the next statement has no finding');
    } finally {
      await client.stop();
    }
  });
});
