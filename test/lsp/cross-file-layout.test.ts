// The language server and the project's layout: a change to tsconfig.json or Cargo.toml on disk
// re-reads where aliases and crates lead and re-publishes the open documents it affects; a
// workspace scan started while the index is being built waits for it; `crossFile: false` turns the
// index and its summaries off. Every wait is on a message or on the server's own promise.
import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layoutWatchers, sourceWatchers } from '../../server/src/lsp/watched-files';
import { TestClient } from './harness';

const CHANGED = 2;

const TEMPLATES = "import fs from 'node:fs';\nexport function readTemplate(name: string) {\n  return fs.readFileSync(`templates/${name}.html`, 'utf8');\n}\n";
const ROUTE = "import { readTemplate } from '@server/utils/templates';\nexport async function render(name: string) {\n  return readTemplate(name);\n}\n";
const PATHS = JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@server/*': ['./server/*'] } } });

/** Waits until the server's index is built (its progress ended); polled on the event loop, no fixed delay. */
async function indexed(client: TestClient): Promise<void> {
  for (let i = 0; i < 100_000 && !client.progress.includes('end'); i++) await new Promise((r) => setImmediate(r));
  assert.ok(client.progress.includes('end'), 'the index build ended');
}

const notify = (client: TestClient, rels: string[]) => client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: rels.map((rel) => ({ uri: client.uri(rel), type: CHANGED })) });
const codes = async (client: TestClient, rel: string, n: number) => (await client.nextDiagnostics(client.uri(rel), (p) => p.diagnostics.length === n)).diagnostics.map((d) => d.code);

describe('language server: project layout', () => {
  it('asks to watch the manifests and configs the layout is read from', async () => {
    const client = await TestClient.start();
    try {
      await client.request('textDocument/hover', { textDocument: { uri: client.uri('none.ts') }, position: { line: 0, character: 0 } });
      const globs = sourceWatchers().map((w) => w.globPattern);
      for (const name of ['Cargo.toml', 'package.json', 'tsconfig.json', 'pnpm-workspace.yaml', 'pyproject.toml', 'setup.py', 'setup.cfg', 'go.mod']) assert.ok(globs.some((g) => g.includes(name)), `${name} in ${globs.join(' ')}`);
      // Configs the layout read under other names are asked for by base name; one with glob characters is not.
      assert.deepEqual(layoutWatchers(['/w/tsconfig.json', '/w/config/base.json', '/w/tsconfig.app.json', '/w/a{b}.json', '/w/node_modules/@acme/tsconfig/node.json']), [{ globPattern: '**/base.json' }, { globPattern: '**/node.json' }]);
    } finally {
      await client.stop();
    }
  });

  it('a tsconfig.json that gains paths on disk links an open handler to the aliased helper, and losing them unlinks it', async () => {
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { 'tsconfig.json': '{ "compilerOptions": { "strict": true } }', 'server/utils/templates.ts': TEMPLATES, 'server/routes/render.ts': ROUTE } });
    try {
      await indexed(client);
      assert.deepEqual(await client.open('server/routes/render.ts', ROUTE), []);
      const linked = codes(client, 'server/routes/render.ts', 1);
      writeFileSync(join(client.root, 'tsconfig.json'), PATHS);
      await notify(client, ['tsconfig.json']);
      assert.deepEqual(await linked, ['blocking-in-async']);
      const unlinked = codes(client, 'server/routes/render.ts', 0);
      writeFileSync(join(client.root, 'tsconfig.json'), '{ "compilerOptions": {} }');
      await notify(client, ['tsconfig.json']);
      assert.deepEqual(await unlinked, []);
    } finally {
      await client.stop();
    }
  });

  it('a crate whose lib is renamed in its Cargo.toml to the name the handler uses links an open handler to it', async function () {
    this.timeout(60_000);
    const storage = (lib: string) => `[package]\nname = "storage-core"\nversion = "0.1.0"\n${lib}`;
    const handler = 'pub async fn get_blob(key: String) -> Vec<u8> {\n    storage::blob::read_blob(&key)\n}\n';
    const client = await TestClient.start({
      settings: { debounceMs: 0 },
      files: {
        'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\n',
        'crates/api/Cargo.toml': '[package]\nname = "api"\nversion = "0.1.0"\n',
        'crates/api/src/main.rs': 'mod handlers;\nfn main() {}\n',
        'crates/api/src/handlers.rs': handler,
        'crates/storage/Cargo.toml': storage(''),
        'crates/storage/src/lib.rs': 'pub mod blob;\n',
        'crates/storage/src/blob.rs': 'pub fn read_blob(key: &str) -> Vec<u8> {\n    std::fs::read(key).unwrap_or_default()\n}\n',
      },
    });
    try {
      await indexed(client);
      // The crate is imported as `storage_core`: `storage::` names nothing of the project.
      assert.deepEqual(await client.open('crates/api/src/handlers.rs', handler, 'rust'), []);
      const linked = codes(client, 'crates/api/src/handlers.rs', 1);
      writeFileSync(join(client.root, 'crates/storage/Cargo.toml'), storage('\n[lib]\nname = "storage"\n'));
      await notify(client, ['crates/storage/Cargo.toml']);
      assert.deepEqual(await linked, ['blocking-in-async']);
    } finally {
      await client.stop();
    }
  });

  it('a config a tsconfig extends under another name is watched once the layout has read it, and a change to it links an open handler', async function () {
    this.timeout(60_000);
    // A shared base config outside the tsconfig*.json names the standing globs watch (Outline keeps
    // its aliases in one; `extends` may name any file).
    const base = (paths: boolean) => JSON.stringify({ compilerOptions: { strict: true, ...(paths ? { baseUrl: '..', paths: { '@server/*': ['./server/*'] } } : {}) } });
    const client = await TestClient.start({
      settings: { debounceMs: 0 },
      files: { 'tsconfig.json': JSON.stringify({ extends: './config/base.json' }), 'config/base.json': base(false), 'server/utils/templates.ts': TEMPLATES, 'server/routes/render.ts': ROUTE },
    });
    try {
      await indexed(client);
      assert.deepEqual(await client.open('server/routes/render.ts', ROUTE), []);
      for (let i = 0; i < 100_000 && !client.watchGlobs.includes('**/base.json'); i++) await new Promise((r) => setImmediate(r));
      assert.ok(client.watchGlobs.includes('**/base.json'), `asked to watch the extended config: ${client.watchGlobs.join(' ')}`);
      const linked = codes(client, 'server/routes/render.ts', 1);
      writeFileSync(join(client.root, 'config/base.json'), base(true));
      await notify(client, ['config/base.json']);
      assert.deepEqual(await linked, ['blocking-in-async']);
    } finally {
      await client.stop();
    }
  });

  it('a pyproject.toml that appears on disk makes its folder a Python source root: an open handler links to the package it imports, and losing it unlinks', async function () {
    this.timeout(60_000);
    // Modelled on a FastAPI service: `app/` is the package, absolute imports start at the project folder.
    // Its folders are namespace packages (no `__init__.py`), so nothing but a project file says where
    // absolute imports start (with `__init__.py` files, the folder above the package would).
    const service = 'import time\n\n\ndef fetch_rates(currency):\n    time.sleep(0.5)\n    return {currency: 1.0}\n';
    const route = 'from app.services.rates import fetch_rates\n\n\nasync def get_rates(currency: str):\n    return fetch_rates(currency)\n';
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { 'app/services/rates.py': service, 'app/routes.py': route } });
    try {
      await indexed(client);
      // No project file: the folder is not known as a source root, so `app.` names nothing of the project.
      assert.deepEqual(await client.open('app/routes.py', route, 'python'), []);
      const linked = codes(client, 'app/routes.py', 1);
      writeFileSync(join(client.root, 'pyproject.toml'), '[project]\nname = "rates"\nversion = "0.1.0"\n');
      await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: client.uri('pyproject.toml'), type: 1 }] });
      assert.deepEqual(await linked, ['blocking-in-async']);
      const unlinked = codes(client, 'app/routes.py', 0);
      unlinkSync(join(client.root, 'pyproject.toml'));
      await client.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: client.uri('pyproject.toml'), type: 3 }] });
      assert.deepEqual(await unlinked, []);
    } finally {
      await client.stop();
    }
  });

  it('a workspace scan requested while the index is being built waits for it: closed files get their cross-file findings', async function () {
    this.timeout(120_000);
    // Enough other files that the index is still being built when the scan is asked for.
    const filler: Record<string, string> = {};
    for (let i = 0; i < 300; i++) filler[`lib/m${i}.ts`] = `export function f${i}(x: number) {\n  return x + ${i};\n}\n`;
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { ...filler, 'tsconfig.json': PATHS, 'server/utils/templates.ts': TEMPLATES, 'server/routes/render.ts': ROUTE } });
    try {
      assert.equal(client.session?.index?.ready, false, 'the index is still being built when the scan is asked for');
      const published = client.nextDiagnostics(client.uri('server/routes/render.ts'));
      const scan = client.request<{ files: number; findings: number }>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
      assert.deepEqual((await published).diagnostics.map((d) => d.code), ['blocking-in-async']);
      assert.equal((await scan).findings, 1);
    } finally {
      await client.stop();
    }
  });

  it('crossFile: false builds no index and analyses each file on its own', async () => {
    const client = await TestClient.start({ settings: { debounceMs: 0 }, initializationOptions: { crossFile: false }, files: { 'tsconfig.json': PATHS, 'server/utils/templates.ts': TEMPLATES, 'server/routes/render.ts': ROUTE } });
    try {
      assert.equal(client.session?.index, undefined);
      assert.deepEqual(await client.open('server/routes/render.ts', ROUTE), []);
      // A handler beside its helper in one file is still reported: only the cross-file part is off.
      const local = `${TEMPLATES}export async function render(name: string) {\n  return readTemplate(name);\n}\n`;
      assert.deepEqual((await client.open('server/routes/local.ts', local)).map((d) => d.code), ['blocking-in-async']);
      await client.rpc.sendNotification('textDocument/didClose', { textDocument: { uri: client.uri('server/routes/render.ts') } });
      // The scan does not wait for an index, and the closed handler has no cross-file finding.
      const scan = await client.request<{ files: number; findings: number }>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
      assert.deepEqual([scan.files, scan.findings], [2, 0]);
      assert.equal(client.progress.filter((k) => k === 'begin').length, 1, 'only the scan reported progress, no index build');
    } finally {
      await client.stop();
    }
  });
});
