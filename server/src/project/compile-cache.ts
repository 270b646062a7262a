/**
 * Loads the bundled TypeScript compiler (dist/typescript.js, 3.5 MB of minified JavaScript) through a
 * V8 code cache: the bytecode of its functions, as V8 compiled them in an earlier process, so this
 * one neither pre-parses the whole file nor compiles again the functions that parsing a file runs.
 * Measured on this machine: `require` plus parsing one file took 306-324 ms of CPU, 190-199 ms with
 * the cache; it is most of what a `check --cache` run with one changed file spends beyond a warm one.
 *
 * A code cache is code: V8 runs the bytecode it holds without checking it (it checks the V8 version,
 * its flags and the source's length, not the source). So it is never kept in a project (beside the
 * `--cache` file, which a repository could ship, or a CI restore from another branch): only in the
 * user's own cache folder, in a folder only the user can write to, and under the digest of the
 * source it was made from, the Node.js build and the V8 flags of the process kind.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, constants } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** A code cache larger than this is not one we wrote (TypeScript's is about 3 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** How many code caches of one module the folder keeps (other Node.js builds, flags, versions of the tool). */
const KEPT_PER_MODULE = 4;

/**
 * The folder code caches are kept in: `ASYNC_BOUNDARY_CACHE_DIR`, else the platform's per-user cache
 * folder (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
 * Windows) with `async-boundary/` inside. `undefined` turns the cache off:
 * `ASYNC_BOUNDARY_COMPILE_CACHE=0`, or no home folder.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env['ASYNC_BOUNDARY_COMPILE_CACHE'] === '0') return undefined;
  const given = env['ASYNC_BOUNDARY_CACHE_DIR'];
  if (given) return given;
  const xdg = env['XDG_CACHE_HOME'];
  if (platform === 'win32') return env['LOCALAPPDATA'] ? join(env['LOCALAPPDATA'], 'async-boundary', 'Cache') : undefined;
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  if (!home) return undefined;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'async-boundary');
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.cache'), 'async-boundary');
}

/**
 * True when `path` (a folder or file) belongs to this user and nobody else may write to it (POSIX);
 * on Windows, per-user folders are the user's.
 */
function ownedPrivately(info: { uid: number; mode: number }): boolean {
  if (typeof process.getuid !== 'function') return true;
  return info.uid === process.getuid() && (info.mode & 0o022) === 0;
}

/** Where one module's code cache lives: under the digests of its source and of what V8 checks (its version, its flags). */
export function codeCachePath(dir: string, filename: string, source: Buffer, flavour: string): string {
  const build = createHash('sha256')
    .update(JSON.stringify([process.version, process.arch, process.versions.v8, process.execArgv, process.env['NODE_OPTIONS'] ?? '', flavour]))
    .digest('hex')
    .slice(0, 16);
  const content = createHash('sha256').update(source).digest('hex').slice(0, 32);
  return join(dir, `${basename(filename, '.js')}-${content}-${build}.v8`);
}

/** The cache at `path`, if it is a regular file of this user's, in a folder only this user can write to. */
function readPrivate(path: string): Buffer | undefined {
  try {
    if (!ownedPrivately(statSync(dirname(path)))) return undefined;
  } catch {
    return undefined;
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || !ownedPrivately(info) || info.size === 0 || info.size > MAX_CACHE_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < info.size) {
      const n = readSync(fd, bytes, filled, info.size - filled, filled);
      if (n === 0) return undefined;
      filled += n;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `data` to `path` (a temporary file renamed over it, readable by this user only), making the
 * folder private if it is new, and removes the oldest caches of the same module beyond
 * {@link KEPT_PER_MODULE}. Failures are ignored: the next process compiles again.
 */
export function writePrivate(path: string, data: Buffer): void {
  const dir = dirname(path);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedPrivately(statSync(dir))) return;
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, path);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // It was never written.
    }
    return;
  }
  try {
    const name = basename(path).replace(/-[0-9a-f]{32}-[0-9a-f]{16}\.v8$/, '');
    const same = readdirSync(dir)
      .filter((f) => f.startsWith(`${name}-`) && /^-[0-9a-f]{32}-[0-9a-f]{16}\.v8$/.test(f.slice(name.length)))
      .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const { f } of same.slice(KEPT_PER_MODULE)) unlinkSync(join(dir, f));
  } catch {
    // Another process pruned first.
  }
}

/** What {@link requireWithCodeCache} did, for tests: whether a cache was read, accepted and written. */
export interface CodeCacheUse {
  readonly path?: string;
  readonly read: boolean;
  readonly accepted: boolean;
  /** A new cache is written when the process exits. */
  readonly willWrite: boolean;
}

/** Options of {@link requireWithCodeCache}, for tests. */
export interface CodeCacheOptions {
  /** The cache folder (default: {@link codeCacheDir}); `undefined` turns the cache off. */
  readonly dir?: string | undefined;
  /**
   * Whether this process may write the cache when it has none (default: true). A cache holds the
   * functions compiled by the run that wrote it, and is not written again while V8 accepts it: a run
   * that compiles little (`--version`) should not be the one, and neither should a worker thread
   * (the bundle of `check`'s workers passes `false`: the main thread writes it).
   */
  readonly write?: boolean;
  /** Runs `write` when the process exits (default: on its `exit` event). */
  readonly atExit?: (write: () => void) => void;
}

let lastUse: CodeCacheUse | undefined;
/** How the last {@link requireWithCodeCache} went. */
export function lastCodeCacheUse(): CodeCacheUse | undefined {
  return lastUse;
}

/**
 * `require(filename)` for a CommonJS module, which must not use dynamic `import()`: code compiled
 * through `vm` has no loader for it (Node's loader for `vm`, `USE_MAIN_CONTEXT_DEFAULT_LOADER`, is
 * experimental in Node.js 20, and is lost when the script comes from a code cache), so the bundles
 * loaded this way turn `import()` into `require` (scripts/build.mjs). It is compiled with its V8
 * code cache when the user's cache folder has a valid one; without one (or when V8 refused it), the
 * process writes a new one when it exits (unless `options.write` is false), so it holds the functions
 * this run compiled, not only the top level.
 * `flavour` names the V8 flags of the process kind (`batch`, `server`: project/v8-flags.ts). The
 * module is registered in `require.cache` under its path, as `require` would.
 */
export function requireWithCodeCache(filename: string, flavour: string, options: CodeCacheOptions = {}): unknown {
  const dir = 'dir' in options ? options.dir : codeCacheDir();
  const cached = (require.cache as Record<string, NodeJS.Module | undefined>)[filename];
  if (cached) return cached.exports;
  if (dir === undefined) {
    lastUse = { read: false, accepted: false, willWrite: false };
    return createRequire(filename)(filename);
  }
  const source = readFileSync(filename);
  const path = codeCachePath(dir, filename, source, flavour);
  const data = readPrivate(path);
  const script = new Script(Module.wrap(source.toString('utf8')), { filename, ...(data ? { cachedData: data } : {}) });
  const accepted = data !== undefined && !script.cachedDataRejected;
  const mod = new Module(filename);
  mod.filename = filename;
  mod.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(dirname(filename));
  require.cache[filename] = mod;
  try {
    (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, createRequire(filename), mod, filename, dirname(filename));
  } catch (error) {
    delete require.cache[filename];
    throw error;
  }
  mod.loaded = true;
  const willWrite = !accepted && options.write !== false;
  if (willWrite) (options.atExit ?? ((write) => process.once('exit', write)))(() => writePrivate(path, script.createCachedData()));
  lastUse = { path, read: data !== undefined, accepted, willWrite };
  return mod.exports;
}
