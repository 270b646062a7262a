// The V8 code cache of the bundled TypeScript compiler (server/src/project/compile-cache.ts): kept in
// the user's cache folder only, under the digest of the source it was made from, used when V8
// accepts it, rewritten when it refuses it, and never read from or written to a folder other users
// can write to. In-process on a module of our own, then on the built CLI with the real compiler.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeCacheDir, codeCachePath, lastCodeCacheUse, requireWithCodeCache } from '../../server/src/project/compile-cache';
import { BLOCKING_TS, ensureBuilt, removeWorkspace, workspace } from './cli-helpers';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

// A module with enough functions that V8 compiles some lazily, as the compiler's are.
const MODULE = `'use strict';
function words(text) { return text.split(/\\s+/).filter(Boolean); }
function count(text) { const seen = new Map(); for (const w of words(text)) seen.set(w, (seen.get(w) ?? 0) + 1); return seen; }
module.exports = { count, words, loadedAt: Symbol('loaded') };
`;

describe('compile cache: the TypeScript compiler loads through a V8 code cache in the user\'s cache folder', function () {
  this.timeout(60_000);
  let ws: string;

  beforeEach(() => {
    ws = workspace({ 'ts/handler.ts': BLOCKING_TS });
  });
  afterEach(() => removeWorkspace(ws));

  let copies = 0;
  /**
   * Loads a fresh copy of lib/m.js, as a new process would, returning the cache writer it queued, if
   * any. Each copy is at a path of its own: V8 keeps compiled scripts in memory by source and path,
   * and would hand this process's own back instead of reading the cache. The cache's name does not
   * depend on the folder, so every copy shares one cache.
   */
  function load(dir: string | undefined): { exports: { count(t: string): Map<string, number> }; write: (() => void) | undefined } {
    const file = join(ws, `copy${copies++}`, 'm.js');
    mkdirSync(join(ws, `copy${copies - 1}`));
    writeFileSync(file, MODULE);
    let write: (() => void) | undefined;
    const exports = requireWithCodeCache(file, 'test', { dir, atExit: (w) => (write = w) }) as { count(t: string): Map<string, number> };
    return { exports, write };
  }

  it('writes a cache when there is none, then loads with it without writing again', () => {
    const dir = join(ws, 'cache');
    const first = load(dir);
    assert.deepEqual([...first.exports.count('a b a')], [['a', 2], ['b', 1]]);
    assert.deepEqual(lastCodeCacheUse(), { path: lastCodeCacheUse()!.path, read: false, accepted: false, willWrite: true });
    assert.ok(first.write);
    first.write();
    const [name] = readdirSync(dir);
    assert.match(name!, /^m-[0-9a-f]{32}-[0-9a-f]{16}\.v8$/);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, name!)).mode & 0o777, 0o600);
    const second = load(dir);
    assert.deepEqual(lastCodeCacheUse(), { path: join(dir, name!), read: true, accepted: true, willWrite: false });
    assert.equal(second.write, undefined);
    assert.deepEqual([...second.exports.count('c c')], [['c', 2]]);
    // Registered as `require` would: requiring the file again gives the same module.
    assert.equal(require(join(ws, `copy${copies - 1}`, 'm.js')), second.exports);
  });

  it('a cache V8 refuses (corrupt, cut short) is not used, and is rewritten', () => {
    const dir = join(ws, 'cache');
    load(dir).write!();
    const path = lastCodeCacheUse()!.path!;
    const good = readFileSync(path);
    for (const bad of [Buffer.alloc(good.length, 0x5a), good.subarray(0, good.length >> 1)]) {
      writeFileSync(path, bad, { mode: 0o600 });
      const again = load(dir);
      assert.deepEqual(lastCodeCacheUse(), { path, read: true, accepted: false, willWrite: true });
      assert.deepEqual([...again.exports.count('x')], [['x', 1]]);
      again.write!();
      load(dir);
      assert.equal(lastCodeCacheUse()!.accepted, true);
    }
  });

  it('a folder or cache file that other users can write to is neither read nor written', () => {
    const dir = join(ws, 'shared');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    const first = load(dir);
    assert.equal(lastCodeCacheUse()!.read, false);
    first.write!();
    assert.deepEqual(readdirSync(dir), []);
    // A private folder with a cache file other users may write to: not read.
    chmodSync(dir, 0o700);
    load(dir).write!();
    const path = lastCodeCacheUse()!.path!;
    chmodSync(path, 0o666);
    load(dir);
    assert.equal(lastCodeCacheUse()!.read, false);
  });

  it('a source of the same length but other content gets a cache of its own (V8 checks only the length)', () => {
    const a = Buffer.from('module.exports = 1;');
    const b = Buffer.from('module.exports = 2;');
    assert.notEqual(codeCachePath('/c', '/x/typescript.js', a, 'batch'), codeCachePath('/c', '/x/typescript.js', b, 'batch'));
    // …and so does each kind of process, whose V8 flags differ.
    assert.notEqual(codeCachePath('/c', '/x/typescript.js', a, 'batch'), codeCachePath('/c', '/x/typescript.js', a, 'server'));
  });

  it('the folder is the platform\'s per-user cache folder; ASYNC_BOUNDARY_COMPILE_CACHE=0 turns it off', () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/home/u/.xdg' }, 'linux'), '/home/u/.xdg/async-boundary');
    assert.equal(codeCacheDir({ ASYNC_BOUNDARY_CACHE_DIR: '/tmp/abc' }, 'linux'), '/tmp/abc');
    assert.equal(codeCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32'), join('C:\\Users\\u\\AppData\\Local', 'async-boundary', 'Cache'));
    assert.equal(codeCacheDir({ ASYNC_BOUNDARY_COMPILE_CACHE: '0', XDG_CACHE_HOME: '/x' }, 'linux'), undefined);
    load(undefined);
    assert.deepEqual(lastCodeCacheUse(), { read: false, accepted: false, willWrite: false });
  });

  describe('the built CLI', () => {
    before(() => ensureBuilt());

    function check(env: Record<string, string>): { status: number | null; stdout: string } {
      const r = spawnSync(process.execPath, [CLI, 'check', 'ts', '--format', 'json'], { cwd: ws, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
      return { status: r.status, stdout: r.stdout };
    }

    it('writes the compiler\'s and the CLI\'s caches on its first TS run and reuses them unchanged on the next, with the same findings', () => {
      const dir = join(ws, 'user-cache');
      const env = { ASYNC_BOUNDARY_CACHE_DIR: dir };
      const first = check(env);
      const files = readdirSync(dir).sort();
      assert.equal(files.length, 2, files.join(', '));
      assert.match(files[0]!, /^cli-main-[0-9a-f]{32}-[0-9a-f]{16}\.v8$/);
      assert.match(files[1]!, /^typescript-[0-9a-f]{32}-[0-9a-f]{16}\.v8$/);
      const written = files.map((f) => readFileSync(join(dir, f)));
      const second = check(env);
      assert.deepEqual(files.map((f) => readFileSync(join(dir, f))), written);
      assert.deepEqual(second, first);
      const path = join(dir, files[1]!);
      assert.deepEqual(
        (JSON.parse(first.stdout) as { file: string; rule: string }[]).map((f) => [f.file, f.rule]),
        [['ts/handler.ts', 'blocking-in-async']],
      );
      // A corrupt cache costs a compile, not the run: it is rewritten.
      writeFileSync(path, Buffer.alloc(written[1]!.length, 1));
      assert.deepEqual(check(env), first);
      assert.notDeepEqual(readFileSync(path), Buffer.alloc(written[1]!.length, 1));
      assert.deepEqual(check(env), first);
    });

    it('a Rust run, whose grammar web-tree-sitter reads through a dynamic `import()`, works from the CLI\'s cache too', () => {
      writeFileSync(join(ws, 'main.rs'), 'async fn handler() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n');
      const env = { ...process.env, ASYNC_BOUNDARY_CACHE_DIR: join(ws, 'user-cache') };
      const runs = [0, 1].map(() => spawnSync(process.execPath, [CLI, 'check', 'main.rs', '--format', 'json'], { cwd: ws, encoding: 'utf8', env }));
      assert.ok(readdirSync(join(ws, 'user-cache')).some((f) => f.startsWith('cli-main-')));
      for (const r of runs) {
        assert.equal(r.stderr, '');
        assert.deepEqual(
          (JSON.parse(r.stdout) as { file: string; rule: string }[]).map((f) => [f.file, f.rule]),
          [['main.rs', 'blocking-in-async']],
        );
      }
    });

    it('`--version` writes no cache (it would hold none of what a check compiles)', () => {
      const dir = join(ws, 'user-cache');
      const r = spawnSync(process.execPath, [CLI, '--version'], { cwd: ws, encoding: 'utf8', env: { ...process.env, ASYNC_BOUNDARY_CACHE_DIR: dir } });
      assert.equal(r.status, 0);
      assert.throws(() => readdirSync(dir), /ENOENT/);
    });

    it('writes nothing with ASYNC_BOUNDARY_COMPILE_CACHE=0', () => {
      const dir = join(ws, 'user-cache');
      const r = check({ ASYNC_BOUNDARY_CACHE_DIR: dir, ASYNC_BOUNDARY_COMPILE_CACHE: '0' });
      assert.equal(r.status, 0);
      assert.throws(() => readdirSync(dir), /ENOENT/);
    });
  });
});
