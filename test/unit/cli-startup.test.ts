// Start-up of the bundles: the TypeScript compiler (dist/typescript.js, about 7 MB) is loaded only
// when a TS/JS file is analysed, so `--version`, an empty run, a run over other languages and an idle
// language server do not pay for it. Asserted on which modules the process loaded, not on time
// (bench/startup.ts measures the time).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles, PackageManager } from '@vscode/vsce';
import { version } from '../../package.json';
import { BLOCKING_TS, ensureBuilt, removeWorkspace, workspace } from './cli-helpers';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const CLI = join(DIST, 'cli.js');
const TYPESCRIPT = join(DIST, 'typescript.js');

// Preloaded with `node -r`: writes the files of every CommonJS module the process loaded (the
// bundles and what they `require`) to $AB_LOADED when it exits.
const HOOK = `process.on('exit', () => require('node:fs').writeFileSync(process.env.AB_LOADED, Object.keys(require.cache).join('\\n')));\n`;

const BLOCKING_RS = 'async fn handler() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n';

/**
 * Asserts that `modules` leave the compiler out: not dist/typescript.js, and less code in all than half
 * the compiler (so a bundle that carries the compiler inside fails too; the CLI bundle is about 1.3 MB).
 */
function withoutCompiler(modules: readonly string[]): void {
  assert.ok(!modules.includes(TYPESCRIPT), modules.join('\n'));
  const bytes = modules.reduce((sum, m) => sum + statSync(m).size, 0);
  assert.ok(bytes < statSync(TYPESCRIPT).size / 2, `${bytes} bytes of modules loaded:\n${modules.join('\n')}`);
}

describe('start-up: the TypeScript compiler is loaded only for TS/JS files', function () {
  this.timeout(60_000);
  let ws: string;
  let hook: string;
  let loaded: string;

  before(function () {
    ensureBuilt();
    ws = workspace({ 'empty/.keep': '', 'rust/src/main.rs': BLOCKING_RS, 'ts/handler.ts': BLOCKING_TS });
    hook = join(ws, 'hook.js');
    loaded = join(ws, 'loaded.txt');
    writeFileSync(hook, HOOK);
  });
  after(() => removeWorkspace(ws));

  function cli(args: string[]): { status: number | null; stdout: string; modules: string[] } {
    const r = spawnSync(process.execPath, ['-r', hook, CLI, ...args], { cwd: ws, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', AB_LOADED: loaded } });
    return { status: r.status, stdout: r.stdout, modules: readFileSync(loaded, 'utf8').split('\n').filter((m) => m !== '') };
  }

  it('`--version` loads the CLI bundle only', () => {
    const r = cli(['--version']);
    assert.deepEqual([r.status, r.stdout], [0, `${version}\n`]);
    assert.ok(r.modules.includes(CLI), r.modules.join('\n'));
    withoutCompiler(r.modules);
  });

  it('a run over a folder without source files does not load it', () => {
    const r = cli(['check', 'empty', '--format', 'json']);
    assert.deepEqual([r.status, JSON.parse(r.stdout)], [0, []]);
    withoutCompiler(r.modules);
  });

  // The `lsp` subcommand's server and LSP libraries are a third of the CLI's code: compiling them made
  // `--version` and an empty run take 257 and 260 ms (node alone: 129 ms), 198 and 189 ms without.
  it('`--version` and a check leave the `lsp` subcommand\'s server (dist/cli-lsp-serve.js) unloaded; `lsp --help` too', () => {
    const serve = join(DIST, 'cli-lsp-serve.js');
    for (const args of [['--version'], ['check', 'empty', '--format', 'json'], ['lsp', '--help']]) {
      const r = cli(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.ok(!r.modules.includes(serve) && !r.modules.some((m) => m.includes('vscode-languageserver')), `${args.join(' ')}:\n${r.modules.join('\n')}`);
    }
    // The split took cli.js from 1.5 to 1.06 MB; the rules have grown it since (1.21 MB at session 31).
    // The LSP server and libraries back in it would add ~0.45 MB: the bound catches that, not growth.
    // dist/cli.js only sets the V8 flags and loads dist/cli-main.js (cli/launch.ts).
    const main = join(DIST, 'cli-main.js');
    assert.ok(statSync(main).size < 1_350_000, `dist/cli-main.js is ${statSync(main).size} bytes`);
  });

  it('a run over Rust files analyses them without loading it', () => {
    const r = cli(['check', 'rust', '--format', 'json']);
    const rows = JSON.parse(r.stdout) as { file: string; rule: string }[];
    assert.deepEqual(
      rows.map((f) => [f.file, f.rule]),
      [['rust/src/main.rs', 'blocking-in-async']],
    );
    withoutCompiler(r.modules);
  });

  it('a run over a TS file loads it from dist/typescript.js and analyses the file', () => {
    const r = cli(['check', 'ts', '--format', 'json']);
    const rows = JSON.parse(r.stdout) as { file: string; rule: string }[];
    assert.deepEqual(
      rows.map((f) => [f.file, f.rule]),
      [['ts/handler.ts', 'blocking-in-async']],
    );
    assert.ok(r.modules.includes(TYPESCRIPT), r.modules.join('\n'));
  });

  it('the bundled language server answers initialize and shuts down without loading it', async () => {
    const frame = (message: object): string => {
      const body = JSON.stringify({ jsonrpc: '2.0', ...message });
      return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    const server = spawn(process.execPath, ['-r', hook, join(DIST, 'server.js'), '--stdio'], { cwd: ws, env: { ...process.env, AB_LOADED: loaded } });
    let out = '';
    const replied = (id: number): Promise<void> =>
      new Promise((resolve) => {
        const look = (): void => {
          if (out.includes(`"id":${id},"result"`)) resolve();
          else server.stdout.once('data', look);
        };
        look();
      });
    server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    server.stdin.write(frame({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
    await replied(1);
    server.stdin.write(frame({ method: 'initialized', params: {} }));
    server.stdin.write(frame({ id: 2, method: 'shutdown' }));
    await replied(2);
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    server.stdin.write(frame({ method: 'exit' }));
    assert.equal(await exited, 0);
    const modules = readFileSync(loaded, 'utf8').split('\n').filter((m) => m !== '');
    assert.ok(modules.includes(join(DIST, 'server.js')), modules.join('\n'));
    withoutCompiler(modules);
  });

  it('the extension package ships every file the client and server bundles load from beside them', async () => {
    const beside = new Set<string>();
    for (const bundle of ['client.js', 'server.js']) {
      for (const m of readFileSync(join(DIST, bundle), 'utf8').matchAll(/require(?:\.resolve)?\("\.\/([^"]+)"\)/g)) beside.add(`dist/${m[1]!}`);
    }
    assert.ok(beside.has('dist/typescript.js'), [...beside].join(', '));
    for (const wasm of readdirSync(DIST).filter((f) => f.endsWith('.wasm'))) beside.add(`dist/${wasm}`);
    const shipped = new Set(await listFiles({ cwd: ROOT, packageManager: PackageManager.None }));
    assert.deepEqual(
      [...beside].filter((f) => !shipped.has(f)),
      [],
    );
  });
});
