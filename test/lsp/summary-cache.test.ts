// The language server's summary cache (issue #15: the result cache "on by default in the editor's
// workspace scan where it pays"): with the folder the client gives (VS Code: the extension's
// workspace storage), the workspace index keeps each closed file's summary there, keyed by the
// file's content, the tool, the config and its place in the project, so a second session takes an
// unchanged file's summary from it and re-analyses a changed one. Nothing is written into the
// workspace; a corrupt file is ignored and rewritten. The project is the login example of #10.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUMMARY_CACHE_FILE } from '../../server/src/lsp/summary-cache';
import { TestClient } from './harness';

const HASH = "import fs from 'node:fs';\nexport function hash(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n";
const HASH_EDITED = "import fs from 'node:fs';\n\n// Reads the pepper file on every call.\nexport function hash(p: string) {\n  return fs.readFileSync(p, 'utf8') + p;\n}\n";
const LOGIN = "import { hash } from './hash';\nexport async function login(p: string) {\n  return hash(p);\n}\n";

async function indexed(client: TestClient): Promise<void> {
  for (let i = 0; i < 100_000 && !client.progress.includes('end'); i++) await new Promise((r) => setImmediate(r));
  assert.ok(client.progress.includes('end'), 'the index build ended');
}

interface CacheFile {
  tool: string;
  entries: Record<string, { key: string; summary: { exports: { name: string; blocks?: unknown }[] } | null }>;
}

describe('language server: summary cache', function () {
  this.timeout(60_000);
  let root: string;
  let storage: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ab-lsp-ws-'));
    storage = mkdtempSync(join(tmpdir(), 'ab-lsp-storage-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  async function session(files: Record<string, string> = {}): Promise<{ client: TestClient; login: string[] }> {
    const client = await TestClient.start({ root, files, settings: { debounceMs: 0 }, initializationOptions: { cacheFolder: storage } });
    await indexed(client);
    const login = (await client.open('login.ts', LOGIN)).map((d) => String(d.code));
    return { client, login };
  }

  const cachePath = (): string => join(storage, SUMMARY_CACHE_FILE);
  const readCache = (): CacheFile => JSON.parse(readFileSync(cachePath(), 'utf8')) as CacheFile;

  it('keeps the closed files’ summaries in the client’s folder, not the workspace, and uses them in the next session while the file is unchanged', async () => {
    const first = await session({ 'hash.ts': HASH, 'login.ts': LOGIN });
    await first.client.stop();
    assert.deepEqual(first.login, ['blocking-in-async']);
    const cache = readCache();
    assert.equal(cache.tool, 'async-boundary-summaries');
    assert.deepEqual(Object.keys(cache.entries).sort(), [join(root, 'hash.ts'), join(root, 'login.ts')]);
    assert.deepEqual(readdirSync(root).sort(), ['hash.ts', 'login.ts'], 'nothing written into the workspace');
    // Planted: the cached summary says `hash` does not block. A session that reads hash.ts's
    // summary from the cache (its key matches) no longer reports the handler.
    const hash = cache.entries[join(root, 'hash.ts')]!;
    for (const e of hash.summary!.exports) delete e.blocks;
    writeFileSync(cachePath(), JSON.stringify(cache));
    const second = await session();
    await second.client.stop();
    assert.deepEqual(second.login, [], 'the summary came from the cache');
    // The file changes on disk: its key no longer matches, it is analysed again.
    writeFileSync(join(root, 'hash.ts'), HASH_EDITED);
    const third = await session();
    await third.client.stop();
    assert.deepEqual(third.login, ['blocking-in-async']);
    assert.notEqual(readCache().entries[join(root, 'hash.ts')]!.key, hash.key);
  });

  it('ignores a corrupt or foreign cache file and rewrites it', async () => {
    for (const bad of ['{"tool": "async-boundary-summaries", "format": 4, "entries": {', '{"tool": "async-boundary-summaries", "format": 4, "entries": {"/x.ts": {"key": "k", "summary": {"path": 1}}}}', '[1, 2]']) {
      writeFileSync(cachePath(), bad);
      const s = await session({ 'hash.ts': HASH, 'login.ts': LOGIN });
      await s.client.stop();
      assert.deepEqual(s.login, ['blocking-in-async'], bad);
      assert.equal(readCache().tool, 'async-boundary-summaries');
      assert.ok(existsSync(join(root, 'hash.ts')));
    }
  });
});
