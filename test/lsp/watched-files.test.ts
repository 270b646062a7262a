// The Problems panel stays true to the disk: after a workspace scan, files changed, created, deleted
// or renamed outside the editor (a branch switch, a pull) are re-analysed or cleared, and a rescan
// clears what it no longer finds. Every wait is on a published message.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestClient } from './harness';
import { HANDLER } from './texts';

const CREATED = 1;
const CHANGED = 2;
const DELETED = 3;

type Scan = { files: number; findings: number; cleared: number; message: string };

describe('language server: closed files follow the disk after a scan', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
  });
  afterEach(async () => {
    await client.stop();
  });

  const scan = () => client.request<Scan>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
  const notify = (changes: { rel: string; type: number }[]) =>
    client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map((c) => ({ uri: client.uri(c.rel), type: c.type })) });
  const codes = async (rel: string, pred: (n: number) => boolean = () => true) => (await client.nextDiagnostics(client.uri(rel), (p) => pred(p.diagnostics.length))).diagnostics.map((d) => d.code);

  it('asks the client to watch source files of every supported language and deletions of folders', async () => {
    // The registrations are sent when `initialized` is handled, before the answer to any later request.
    await client.request('textDocument/hover', { textDocument: { uri: client.uri('none.ts') }, position: { line: 0, character: 0 } });
    assert.equal(client.registrations.filter((m) => m === 'workspace/didChangeWatchedFiles').length, 2);
  });

  it('clears a deleted file, re-analyses a changed one and shows a created one', async () => {
    writeFileSync(join(client.root, 'gone.ts'), HANDLER);
    writeFileSync(join(client.root, 'fixed.ts'), HANDLER);
    await scan();
    assert.equal(client.published.filter((p) => p.diagnostics.length > 0).length, 2);

    unlinkSync(join(client.root, 'gone.ts'));
    const cleared = codes('gone.ts');
    await notify([{ rel: 'gone.ts', type: DELETED }]);
    assert.deepEqual(await cleared, []);

    writeFileSync(join(client.root, 'fixed.ts'), HANDLER.replace("fs.readFileSync(path, 'utf8')", "await fs.promises.readFile(path, 'utf8')"));
    const refreshed = codes('fixed.ts');
    await notify([{ rel: 'fixed.ts', type: CHANGED }]);
    assert.deepEqual(await refreshed, []);

    writeFileSync(join(client.root, 'new.ts'), HANDLER);
    const created = codes('new.ts');
    await notify([{ rel: 'new.ts', type: CREATED }]);
    assert.deepEqual(await created, ['blocking-in-async']);
  });

  it('moves a renamed file\'s problems to its new name', async () => {
    writeFileSync(join(client.root, 'old.ts'), HANDLER);
    await scan();
    renameSync(join(client.root, 'old.ts'), join(client.root, 'renamed.ts'));
    const cleared = codes('old.ts');
    const shown = codes('renamed.ts');
    await notify([{ rel: 'old.ts', type: DELETED }, { rel: 'renamed.ts', type: CREATED }]);
    assert.deepEqual(await cleared, []);
    assert.deepEqual(await shown, ['blocking-in-async']);
  });

  it('clears every file under a deleted folder', async () => {
    mkdirSync(join(client.root, 'routes'));
    writeFileSync(join(client.root, 'routes', 'a.ts'), HANDLER);
    writeFileSync(join(client.root, 'routes', 'b.ts'), HANDLER);
    await scan();
    rmSync(join(client.root, 'routes'), { recursive: true });
    const a = codes('routes/a.ts');
    const b = codes('routes/b.ts');
    await notify([{ rel: 'routes', type: DELETED }]);
    assert.deepEqual([await a, await b], [[], []]);
  });

  it('a rescan clears the problems of files it no longer finds', async () => {
    writeFileSync(join(client.root, 'stale.ts'), HANDLER);
    await scan();
    // Deleted while the editor was not watching (no event).
    unlinkSync(join(client.root, 'stale.ts'));
    const cleared = codes('stale.ts');
    const summary = await scan();
    assert.deepEqual(await cleared, []);
    assert.equal(summary.cleared, 1);
  });

  it('before any scan, changes to closed files publish nothing', async () => {
    writeFileSync(join(client.root, 'quiet.ts'), HANDLER);
    await notify([{ rel: 'quiet.ts', type: CREATED }]);
    // A document opened afterwards is published; nothing for quiet.ts came before it.
    await client.open('open.ts', 'export const x = 1;\n');
    assert.deepEqual(client.published.filter((p) => p.uri === client.uri('quiet.ts')), []);
  });

  it('a file closed after a scan shows what is on disk, not its unsaved text', async () => {
    writeFileSync(join(client.root, 'draft.ts'), 'export const clean = 1;\n');
    await scan();
    await client.open('draft.ts', HANDLER);
    const uri = client.uri('draft.ts');
    const fromDisk = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 0 && p.version === undefined);
    await client.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual((await fromDisk).diagnostics, []);
  });

  it('returns the summary message and sends it as a notification to a client that does not show it', async () => {
    writeFileSync(join(client.root, 'a.ts'), HANDLER);
    const summary = await scan();
    assert.equal(summary.message, 'async-boundary: scanned 1 file, 1 finding');
    assert.deepEqual(client.messages, [summary.message]);
    assert.ok(client.logs.some((l) => /^async-boundary: scanned 1 file, 1 finding in \d+ ms$/.test(l)), client.logs.join('\n'));
  });
});

describe('language server: a client that shows the scan result itself', () => {
  it('sends no notification: the client shows the returned message with its own "Show Problems" button', async () => {
    const client = await TestClient.start({ settings: { debounceMs: 0 }, initializationOptions: { decorations: true, showsScanResult: true } });
    try {
      writeFileSync(join(client.root, 'a.ts'), HANDLER);
      const summary = await client.request<Scan>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
      assert.equal(summary.message, 'async-boundary: scanned 1 file, 1 finding');
      assert.deepEqual(client.messages, []);
    } finally {
      await client.stop();
    }
  });
});
