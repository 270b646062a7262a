/**
 * The TypeScript/JavaScript catalog: data only. Adding a blocking function, a lock type, a queue
 * constructor or a handler registration is a one-line change here.
 *
 * Naming convention (the strings the frontend writes into `CallSite.callee`):
 * - A module member is `<module>.<member path>`, with any `node:` prefix removed: `fs.readFileSync`,
 *   `fs.promises.readFile`, `fs/promises.readFile`, `child_process.execSync`, `glob.sync`.
 * - A default import (or a whole-module `require`) names the module itself (`fs`, `glob`, `axios`),
 *   except for modules listed in {@link DEFAULT_EXPORTS}, whose default export is a class: there it
 *   names `<module>.<Class>` (`import PQueue from 'p-queue'` is `p-queue.PQueue`).
 * - `new X(…)` of a resolved class is that class's name; its instances have the type named in
 *   {@link CONSTRUCTS} (the class name itself when absent), and a method call on an instance is
 *   `<type>.<method>` (`better-sqlite3.Database.prepare`).
 * - A call whose result has a known type is listed in {@link RETURNS} (`axios.create` gives an
 *   `axios` instance, `better-sqlite3.Database.prepare` a `better-sqlite3.Statement`).
 * - Globals are their own name (`fetch`, `Atomics.wait`, `setTimeout`), see {@link GLOBALS}.
 */
import type { BlockingCall, ChannelConstructor, LockType } from '../../engine/catalog';
import { makeCatalog, type Wording } from '../../engine/catalog';

/** Synchronous `fs` functions on a path: each has a `fs.promises` twin of the same name without `Sync`. */
const FS_PATH_SYNC = [
  'access', 'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'lchmod', 'lchown', 'link', 'lstat', 'lutimes', 'mkdir', 'mkdtemp',
  'open', 'opendir', 'readdir', 'readFile', 'readlink', 'realpath', 'rename', 'rm', 'rmdir', 'stat', 'statfs', 'symlink',
  'truncate', 'unlink', 'utimes', 'writeFile',
] as const;

/**
 * Synchronous `fs` functions on a file descriptor, with the `FileHandle` method that does the same
 * work: `fs.promises` has no fd-based calls, so the async form goes through `fs.promises.open`.
 */
const FS_FD_SYNC: ReadonlyMap<string, string> = new Map([
  ['close', 'close'], ['fchmod', 'chmod'], ['fchown', 'chown'], ['fdatasync', 'datasync'], ['fstat', 'stat'], ['fsync', 'sync'],
  ['ftruncate', 'truncate'], ['futimes', 'utimes'], ['read', 'read'], ['readv', 'readv'], ['write', 'write'], ['writev', 'writev'],
]);

/**
 * One metadata system call on one path: microseconds on a local disk, slow only on a slow or network
 * file system. Reported as a hint (the rule's limits), like Python's `os.path.exists`.
 */
const STAT_CHEAP = 'a hint: one metadata system call (a `stat`), microseconds on a local disk, slow only on a slow or network file system';
const FS_STAT_SYNC: ReadonlySet<string> = new Set(['access', 'lstat', 'readlink', 'stat', 'exists']);
const cheapIfStat = (b: string): { cheap?: string } => (FS_STAT_SYNC.has(b) ? { cheap: STAT_CHEAP } : {});

const FS_BLOCKING: readonly BlockingCall[] = [
  ...FS_PATH_SYNC.map((b) => ({ name: `fs.${b}Sync`, category: 'fs' as const, replacement: `fs.promises.${b}`, ...cheapIfStat(b) })),
  ...[...FS_FD_SYNC].map(([b, m]) => ({
    name: `fs.${b}Sync`, category: 'fs' as const,
    advice: `open the file with \`await fs.promises.open(…)\` and use the \`FileHandle\`'s \`${m}()\``,
  })),
  // `existsSync` has no twin: `access` answers the same question by rejecting.
  { name: 'fs.existsSync', category: 'fs', replacement: 'fs.promises.access', usage: 'await fs.promises.access(…).then(() => true, () => false)', cheap: STAT_CHEAP },
  // `fs.promises.glob` is an async iterator, not a promise.
  { name: 'fs.globSync', category: 'fs', replacement: 'fs.promises.glob', usage: 'await Array.fromAsync(fs.promises.glob(…))' },
];

/** fs-extra re-exports every fs function, fd-based ones included, with a promise form when called without a callback. */
const FS_EXTRA_REEXPORTED = [...FS_PATH_SYNC, ...FS_FD_SYNC.keys(), 'exists'];

/** fs-extra's own sync helpers, beyond the fs functions it re-exports. */
const FS_EXTRA_SYNC = [
  'copySync', 'emptyDirSync', 'emptydirSync', 'ensureFileSync', 'createFileSync', 'ensureDirSync', 'mkdirsSync', 'mkdirpSync',
  'ensureLinkSync', 'createLinkSync', 'ensureSymlinkSync', 'createSymlinkSync', 'moveSync', 'outputFileSync', 'outputJsonSync',
  'outputJSONSync', 'pathExistsSync', 'readJsonSync', 'readJSONSync', 'removeSync', 'writeJsonSync', 'writeJSONSync',
] as const;

const ZLIB_SYNC = [
  'gzipSync', 'gunzipSync', 'deflateSync', 'inflateSync', 'deflateRawSync', 'inflateRawSync', 'unzipSync',
  'brotliCompressSync', 'brotliDecompressSync', 'zstdCompressSync', 'zstdDecompressSync',
] as const;

const CRYPTO_SYNC: readonly BlockingCall[] = [
  { name: 'crypto.pbkdf2Sync', category: 'crypto', replacement: 'util.promisify(crypto.pbkdf2)', cpuHeavy: true },
  { name: 'crypto.scryptSync', category: 'crypto', replacement: 'util.promisify(crypto.scrypt)', cpuHeavy: true },
  { name: 'crypto.hkdfSync', category: 'crypto', replacement: 'util.promisify(crypto.hkdf)', cpuHeavy: true },
  { name: 'crypto.randomFillSync', category: 'crypto', replacement: 'util.promisify(crypto.randomFill)' },
  { name: 'crypto.generateKeyPairSync', category: 'crypto', replacement: 'util.promisify(crypto.generateKeyPair)', cpuHeavy: true },
  { name: 'crypto.generateKeySync', category: 'crypto', replacement: 'util.promisify(crypto.generateKey)', cpuHeavy: true },
  { name: 'crypto.generatePrimeSync', category: 'crypto', replacement: 'util.promisify(crypto.generatePrime)', cpuHeavy: true },
];

// bcrypt's native `hash`/`compare` run on libuv's thread pool: awaiting them is the offload.
const BCRYPT: readonly BlockingCall[] = [
  { name: 'bcrypt.hashSync', category: 'crypto', replacement: 'bcrypt.hash', cpuHeavy: true },
  { name: 'bcrypt.compareSync', category: 'crypto', replacement: 'bcrypt.compare', cpuHeavy: true },
  // `genSaltSync` is not listed: a salt is 16 random bytes, encoded; the rounds are spent by `hashSync`.
  // bcryptjs is pure JavaScript: its async `hash` computes on the event loop in slices, so only a worker takes the work off it.
  { name: 'bcryptjs.hashSync', category: 'crypto', cpuHeavy: true, advice: 'move it to a worker thread (`bcryptjs.hash` still computes on the event loop, in slices)' },
  { name: 'bcryptjs.compareSync', category: 'crypto', cpuHeavy: true, advice: 'move it to a worker thread (`bcryptjs.compare` still computes on the event loop, in slices)' },
  // @node-rs/argon2 and @node-rs/bcrypt (checked against 2.2.1 and 2.0.0): the async forms run on libuv's thread pool.
  ...['hash', 'verify', 'hashRaw'].map((f) => ({ name: `@node-rs/argon2.${f}Sync`, category: 'crypto' as const, replacement: `@node-rs/argon2.${f}`, cpuHeavy: true })),
  ...['hash', 'verify', 'compare'].map((f) => ({ name: `@node-rs/bcrypt.${f}Sync`, category: 'crypto' as const, replacement: `@node-rs/bcrypt.${f}`, cpuHeavy: true })),
];

/** Pure-JavaScript compressors and image codecs: synchronous CPU work with no async twin (pako 3, pngjs 7, jpeg-js 0.4). */
const CPU_CODECS: readonly BlockingCall[] = [
  ...['deflate', 'deflateRaw', 'gzip', 'inflate', 'inflateRaw', 'ungzip'].map((f) => ({ name: `pako.${f}`, category: 'cpu' as const, cpuHeavy: true })),
  { name: 'pngjs.PNG.sync.read', category: 'cpu', cpuHeavy: true },
  { name: 'pngjs.PNG.sync.write', category: 'cpu', cpuHeavy: true },
  { name: 'jpeg-js.decode', category: 'cpu', cpuHeavy: true },
  { name: 'jpeg-js.encode', category: 'cpu', cpuHeavy: true },
  // fflate 0.8: the callback forms (`gzip(data, opts, cb)`) compress in a worker thread.
  ...['gzip', 'gunzip', 'deflate', 'inflate', 'zlib', 'unzlib', 'zip', 'unzip', 'decompress'].map((f) => ({
    name: `fflate.${f}Sync`, category: 'cpu' as const, cpuHeavy: true, advice: `use the callback form \`fflate.${f}(…, callback)\`, which runs in a worker thread`,
  })),
];

/** Deno's sync file APIs (checked against `lib.deno.ns.d.ts`): each has a promise twin without `Sync`. */
const DENO_SYNC = [
  'chmod', 'chown', 'copyFile', 'create', 'link', 'lstat', 'makeTempDir', 'makeTempFile', 'mkdir', 'open', 'readFile', 'readLink',
  'readTextFile', 'realPath', 'remove', 'rename', 'stat', 'symlink', 'truncate', 'utime', 'writeFile', 'writeTextFile',
] as const;

const DENO: readonly BlockingCall[] = [
  ...DENO_SYNC.map((f) => ({ name: `Deno.${f}Sync`, category: 'fs' as const, replacement: `Deno.${f}` })),
  // `Deno.readDir` is an async iterable, not a promise.
  { name: 'Deno.readDirSync', category: 'fs', replacement: 'Deno.readDir', usage: 'for await (const entry of Deno.readDir(…))' },
  { name: 'Deno.Command.outputSync', category: 'process', replacement: 'Deno.Command.output', usage: 'await new Deno.Command(…).output()' },
];

const BLOCKING: readonly BlockingCall[] = [
  ...FS_BLOCKING,
  ...FS_EXTRA_REEXPORTED.map((b) => ({ name: `fs-extra.${b}Sync`, category: 'fs' as const, replacement: `fs-extra.${b}`, ...cheapIfStat(b) })),
  ...FS_EXTRA_SYNC.map((n) => ({ name: `fs-extra.${n}`, category: 'fs' as const, replacement: `fs-extra.${n.slice(0, -4)}`, ...(n === 'pathExistsSync' ? { cheap: STAT_CHEAP } : {}) })),
  { name: 'child_process.execSync', category: 'process', replacement: 'util.promisify(child_process.exec)', usage: '(await util.promisify(child_process.exec)(…)).stdout' },
  { name: 'child_process.execFileSync', category: 'process', replacement: 'util.promisify(child_process.execFile)', usage: '(await util.promisify(child_process.execFile)(…)).stdout' },
  // `spawn` returns at once: the async form waits for the child's `'close'` event.
  { name: 'child_process.spawnSync', category: 'process', advice: "use `child_process.spawn` and `await events.once(child, 'close')`" },
  ...CRYPTO_SYNC,
  ...ZLIB_SYNC.map((n) => ({ name: `zlib.${n}`, category: 'zlib' as const, replacement: `util.promisify(zlib.${n.slice(0, -4)})`, cpuHeavy: true })),
  // `Atomics.waitAsync` returns `{ async, value }`: the promise is `value`.
  { name: 'Atomics.wait', category: 'sleep', replacement: 'Atomics.waitAsync', usage: 'await Atomics.waitAsync(…).value' },
  ...BCRYPT,
  ...CPU_CODECS,
  ...DENO,
  // tinyglobby 0.2: `glob` takes the same arguments and resolves to the same list.
  { name: 'tinyglobby.globSync', category: 'fs', replacement: 'tinyglobby.glob' },
  // dns-sync runs a child Node process and waits for it to resolve the name.
  { name: 'dns-sync.lookup', category: 'net', replacement: 'dns/promises.lookup', usage: '(await dns.promises.lookup(…)).address' },
  { name: 'dns-sync.resolve', category: 'net', replacement: 'dns/promises.resolve' },
  { name: 'glob.sync', category: 'fs', replacement: 'glob.glob' },
  { name: 'glob.globSync', category: 'fs', replacement: 'glob.glob' },
  { name: 'fast-glob.sync', category: 'fs', replacement: 'fast-glob.glob' },
  { name: 'fast-glob.globSync', category: 'fs', replacement: 'fast-glob.glob' },
  { name: 'execa.sync', category: 'process', replacement: 'execa.execa' },
  { name: 'execa.execaSync', category: 'process', replacement: 'execa.execa' },
  { name: 'execa.execaCommandSync', category: 'process', replacement: 'execa.execaCommand' },
  { name: 'execa.commandSync', category: 'process', replacement: 'execa.command' },
  // better-sqlite3 runs every query on the calling thread; `prepare` only compiles and is cheap.
  { name: 'better-sqlite3.Database.exec', category: 'db' },
  { name: 'better-sqlite3.Database.backup', category: 'db' },
  { name: 'better-sqlite3.Database.pragma', category: 'db' },
  { name: 'better-sqlite3.Statement.run', category: 'db' },
  { name: 'better-sqlite3.Statement.get', category: 'db' },
  { name: 'better-sqlite3.Statement.all', category: 'db' },
  { name: 'better-sqlite3.Statement.iterate', category: 'db' },
  // Node's own `node:sqlite` (22.5+) is synchronous too: `DatabaseSync`, `StatementSync`.
  { name: 'sqlite.DatabaseSync.exec', category: 'db' },
  { name: 'sqlite.StatementSync.run', category: 'db' },
  { name: 'sqlite.StatementSync.get', category: 'db' },
  { name: 'sqlite.StatementSync.all', category: 'db' },
  { name: 'sqlite.StatementSync.iterate', category: 'db' },
  { name: 'sync-request', category: 'net', replacement: 'fetch' },
  { name: 'deasync', category: 'sleep' },
  { name: 'deasync.sleep', category: 'sleep', replacement: 'timers/promises.setTimeout' },
  { name: 'deasync.loopWhile', category: 'sleep' },
  { name: 'sleep.sleep', category: 'sleep', replacement: 'timers/promises.setTimeout' },
  { name: 'sleep.msleep', category: 'sleep', replacement: 'timers/promises.setTimeout' },
];

const LOCKS: readonly LockType[] = [
  { name: 'async-mutex.Mutex', kind: 'async' },
  { name: 'async-mutex.Semaphore', kind: 'async', limiter: true },
  { name: 'async-lock.AsyncLock', kind: 'async' },
  { name: 'navigator.locks', kind: 'async' },
  { name: 'proper-lockfile', kind: 'async' },
  { name: 'p-limit', kind: 'async', limiter: true },
];

const CHANNELS: readonly ChannelConstructor[] = [
  { name: 'p-queue.PQueue', bound: '`concurrency`' },
  { name: 'fastq', bound: 'a `concurrency` argument' },
  { name: 'fastq.promise', bound: 'a `concurrency` argument' },
  { name: 'async.queue', bound: 'a `concurrency` argument' },
  { name: 'async.priorityQueue', bound: 'a `concurrency` argument' },
  ...['Readable', 'Writable', 'Duplex', 'Transform', 'PassThrough'].map((c) => ({ name: `stream.${c}`, bound: '`highWaterMark`' })),
  { name: 'stream.Writable.write', bound: "a `'drain'` wait" },
];

/**
 * How each channel constructor takes its bound: an option in an object argument, or a positional
 * argument. `defaultBounded` constructors are only unbounded when the bound is explicitly infinite.
 */
export interface ChannelShape {
  /** Name of the option in an object argument (`concurrency`, `highWaterMark`). */
  readonly option?: string;
  /** Index of the argument holding the bound (the options object, or the number itself). */
  readonly arg: number;
  /** The bound is a positional number rather than an option. */
  readonly positional?: boolean;
  /** The bound is the last argument, at index `arg` or later (an optional leading argument shifts it). */
  readonly last?: boolean;
  /** Omitting the bound gives a finite default. */
  readonly defaultBounded?: boolean;
}

export const CHANNEL_SHAPES: ReadonlyMap<string, ChannelShape> = new Map<string, ChannelShape>([
  ['p-queue.PQueue', { option: 'concurrency', arg: 0 }],
  // `fastq([context,] worker, concurrency)`: the concurrency is the last argument. fastq throws at
  // construction when it is missing or below 1 (`fastqueue concurrency must be equal to or greater
  // than 1`), so a queue that exists has a bound: only an explicit Infinity is unbounded.
  ['fastq', { arg: 1, positional: true, last: true, defaultBounded: true }],
  ['fastq.promise', { arg: 1, positional: true, last: true, defaultBounded: true }],
  // async's queues default to a concurrency of 1: only an explicit Infinity is unbounded.
  ['async.queue', { arg: 1, positional: true, defaultBounded: true }],
  ['async.priorityQueue', { arg: 1, positional: true, defaultBounded: true }],
  ...['Readable', 'Writable', 'Duplex', 'Transform', 'PassThrough'].map(
    (c) => [`stream.${c}`, { option: 'highWaterMark', arg: 0, defaultBounded: true }] as [string, ChannelShape],
  ),
]);

/** The channel name given to a `write()` whose backpressure signal is ignored. */
export const STREAM_WRITE = 'stream.Writable.write';

/** Resolved types that are writable streams: a `write()` on them has backpressure. */
export const STREAM_TYPES: ReadonlySet<string> = new Set([
  'stream.Writable', 'stream.Duplex', 'stream.Transform', 'stream.PassThrough', 'fs.WriteStream', 'net.Socket',
  'tls.TLSSocket', 'http.ServerResponse', 'http.ClientRequest', 'http2.Http2ServerResponse', 'express.Response',
  'zlib.Gzip', 'zlib.Deflate', 'zlib.BrotliCompress',
]);

/**
 * `process.stdout`/`stderr` are not in {@link STREAM_TYPES}: a CLI's progress lines in a loop are a
 * few bytes each, go to a terminal or pipe the process does not own, and nothing in the program
 * produces faster than it writes. Only streams the code opened or was handed (sockets, HTTP
 * responses, file streams, pipes) buffer what a peer does not read.
 *
 * Receiver names that are writable streams by convention, for receivers whose type is not known
 * (`res` in a route handler, `socket` in a connection listener). A `write` method on anything else
 * (a cache, a logger) is not treated as a stream.
 */
export const STREAM_RECEIVER_NAMES =
  /^(res|response|resp|socket|sock|conn|connection|stream|writable|writeStream|out|output|outStream|dest|destination|sink|stdin|gzip|fileStream|file|fh|upstream|downstream|pipe|raw|[a-z]+Stream|[a-z]+Socket|[a-z]+Writable)$/;

/**
 * External I/O when awaited: exact names, and prefixes ending in `.` that match every member below
 * them (`pg.` covers `pg.Pool.query`).
 */
const IO: readonly string[] = [
  'fetch', 'http.', 'https.', 'http2.', 'net.', 'tls.', 'dns.', 'dns/promises.', 'undici.', 'axios', 'axios.', 'got', 'got.',
  'node-fetch', 'ky', 'ky.', 'superagent.', 'pg.', 'mysql.', 'mysql2.', 'mysql2/promise.', 'mongodb.', 'mongoose.', 'redis.',
  'ioredis.', 'sqlite3.', 'sqlite.', 'knex', 'knex.', '@prisma/client.', '@aws-sdk/', 'amqplib.', 'kafkajs.', 'nodemailer.',
  'fs/promises.', 'fs.promises.', 'fs-extra.', 'timers/promises.setTimeout', 'child_process.exec', 'child_process.execFile',
  'child_process.spawn', 'stream/promises.', 'execa.execa', 'execa.$', 'execa',
];

/** The built-in catalog. */
const WORDING: Wording = {
  executor: 'the event loop',
  awaited: 'await {}',
  noTwin: { default: 'use a non-blocking equivalent or move it off the event loop', cpu: 'move it to a worker thread' },
  helperNoTwin: 'offload it to a worker thread',
  detached:
    'The promise of `{spawner}(…)` in {where} is dropped: nothing waits for it and its rejection is unhandled (Node exits on an unhandled rejection by default); `await` it, or mark it deliberate with `void` and handle its error with `.catch`',
  hover: {
    boundFanOut: 'To bound it, `p-map`/`p-limit` with a concurrency, or await chunks of N',
    keepTask: '`await` it, or `void` it with a `.catch` if it is meant to run on',
  },
};

export const typescriptCatalog = makeCatalog({ wording: WORDING, blocking: BLOCKING, locks: LOCKS, channels: CHANNELS, io: IO });

/** Modules whose default export (and `module.exports`) is a class: a default import names `<module>.<Class>`. */
export const DEFAULT_EXPORTS: ReadonlyMap<string, string> = new Map([
  ['p-queue', 'PQueue'],
  ['better-sqlite3', 'Database'],
  ['async-lock', 'AsyncLock'],
  ['ioredis', 'Redis'],
  ['koa', 'Koa'],
  ['@koa/router', 'Router'],
  ['koa-router', 'Router'],
  ['piscina', 'Piscina'],
]);

/** The instance type `new <name>(…)` produces, when it is not `<name>` itself. */
export const CONSTRUCTS: ReadonlyMap<string, string> = new Map([
  ['mysql2.createPool', 'mysql2.Pool'],
]);

/**
 * The type of a call's result, for simple receiver typing. `$arg0` means "the type of the first
 * argument" (a wrapper such as `withTimeout(mutex, ms)` or `promisify(fn)`).
 */
export const RETURNS: ReadonlyMap<string, string> = new Map([
  ['better-sqlite3.Database.prepare', 'better-sqlite3.Statement'],
  ['better-sqlite3', 'better-sqlite3.Database'],
  ['better-sqlite3.Database', 'better-sqlite3.Database'],
  ['sqlite.DatabaseSync.prepare', 'sqlite.StatementSync'],
  ['pg.Pool.connect', 'pg.PoolClient'],
  ['mysql2.createPool', 'mysql2.Pool'],
  ['mysql2.createConnection', 'mysql2.Connection'],
  ['mysql2/promise.createPool', 'mysql2/promise.Pool'],
  ['mysql2/promise.createConnection', 'mysql2/promise.Connection'],
  ['mysql2/promise.Pool.getConnection', 'mysql2/promise.PoolConnection'],
  ['mongodb.MongoClient.db', 'mongodb.Db'],
  ['mongodb.MongoClient.connect', 'mongodb.MongoClient'],
  ['mongodb.Db.collection', 'mongodb.Collection'],
  ['redis.createClient', 'redis.RedisClient'],
  ['axios.create', 'axios'],
  ['got.extend', 'got'],
  ['ky.create', 'ky'],
  ['ky.extend', 'ky'],
  ['undici.Pool', 'undici.Pool'],
  ['fs.createWriteStream', 'fs.WriteStream'],
  ['fs.createReadStream', 'fs.ReadStream'],
  ['fs-extra.createWriteStream', 'fs.WriteStream'],
  ['net.connect', 'net.Socket'],
  ['net.createConnection', 'net.Socket'],
  ['tls.connect', 'tls.TLSSocket'],
  ['zlib.createGzip', 'zlib.Gzip'],
  ['zlib.createDeflate', 'zlib.Deflate'],
  ['zlib.createBrotliCompress', 'zlib.BrotliCompress'],
  ['http.request', 'http.ClientRequest'],
  ['https.request', 'http.ClientRequest'],
  ['async-mutex.withTimeout', '$arg0'],
  ['util.promisify', '$arg0'],
  ['workerpool.pool', 'workerpool.Pool'],
  ['express', 'express.Application'],
  ['express.Router', 'express.Router'],
  ['fastify', 'fastify.FastifyInstance'],
  ['fastify.fastify', 'fastify.FastifyInstance'],
  ['p-limit', 'p-limit'],
]);

/** Free identifiers that name a global (anything else unbound resolves to nothing). */
export const GLOBALS: ReadonlySet<string> = new Set([
  'fetch', 'Atomics', 'process', 'navigator', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'Promise',
  'Buffer', 'structuredClone', 'console', 'require', 'Deno',
]);

/** `process.stdout`/`stderr` are streams. */
export const GLOBAL_TYPES: ReadonlyMap<string, string> = new Map([
  ['process.stdout', 'process.stdout'],
  ['process.stderr', 'process.stderr'],
]);

/**
 * A handler registration: a non-async callback passed to it runs on the event loop, so it is an
 * async context. A registration matches a call by its resolved callee, or by its method name on a
 * receiver whose name or resolved type is listed (`*` for any receiver).
 */
export interface HandlerRegistration {
  /** Resolved callee names (`http.createServer`, `setTimeout`). */
  readonly callees?: readonly string[];
  /** Method names, matched together with `receivers`/`receiverTypes`. */
  readonly methods?: readonly string[];
  /** The receiver's last name (`app` in `this.app.get`), or `*` for any. */
  readonly receivers?: readonly string[];
  /** A pattern for receiver names (`userRouter`, `adminApp`). */
  readonly receiverPattern?: RegExp;
  /** The receiver's resolved type. */
  readonly receiverTypes?: readonly string[];
  /** When set, the first argument must be one of these event names (string literal). */
  readonly events?: readonly string[];
  /** Object-literal keys whose function value is the handler (`fastify.route({ handler })`). */
  readonly handlerKeys?: readonly string[];
  /** Only a registration made from inside an async context counts. */
  readonly nestedOnly?: boolean;
  /** Receiver names that never match, even with `*` (`process` for exit hooks). */
  readonly exceptReceivers?: readonly string[];
}

const ROUTE_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'head', 'options', 'route', 'addHook', 'param'];
const SERVER_RECEIVERS = ['app', 'application', 'router', 'server', 'fastify', 'instance', 'api', 'routes', 'route', 'r', 'koa', 'srv', 'httpServer', 'apiRouter', 'adminRouter', 'v1', 'v2'];
const SERVER_TYPES = ['express.Application', 'express.Router', 'fastify.FastifyInstance', 'koa.Koa', '@koa/router.Router', 'koa-router.Router'];

export const HANDLER_REGISTRATIONS: readonly HandlerRegistration[] = [
  {
    methods: ROUTE_METHODS,
    receivers: SERVER_RECEIVERS,
    receiverPattern: /[a-z](Router|Routes|App|Server|Api)$/,
    receiverTypes: SERVER_TYPES,
    handlerKeys: ['handler', 'preHandler', 'onRequest'],
  },
  { callees: ['http.createServer', 'https.createServer', 'http2.createServer', 'http2.createSecureServer', 'net.createServer', 'tls.createServer'] },
  {
    callees: [
      'setTimeout', 'setInterval', 'setImmediate', 'timers.setTimeout', 'timers.setInterval', 'timers.setImmediate',
      'process.nextTick', 'queueMicrotask',
    ],
  },
  { methods: ['then', 'catch', 'finally'], receivers: ['*'] },
  // A template helper (Handlebars, express-hbs) runs synchronously inside every render that uses it.
  { methods: ['registerHelper'], receivers: ['*'] },
  {
    methods: ['on', 'once', 'addListener', 'prependListener', 'addEventListener'],
    receivers: ['*'],
    events: ['request', 'connection', 'message', 'upgrade', 'stream', 'secureConnection', 'session', 'job', 'task', 'completed', 'failed'],
  },
  // Stream events are a server's business inside a handler (`req.on('data', …)`), but a CLI's
  // `rl.on('line', …)` at top level is the whole program: only listeners registered from async code count.
  {
    methods: ['on', 'once', 'addListener', 'prependListener'],
    receivers: ['*'],
    events: ['data', 'line', 'readable', 'end', 'close', 'finish'],
    nestedOnly: true,
  },
  // A child process's or a request's lifecycle listeners, registered from a handler, run on the
  // server's event loop (`child.on('exit', …)` in a route). `process.on('exit')` is an exit hook: it
  // runs once, as the process ends, and must be synchronous.
  {
    methods: ['on', 'once', 'addListener', 'prependListener'],
    receivers: ['*'],
    exceptReceivers: ['process'],
    events: ['exit', 'error', 'spawn', 'response', 'drain', 'open', 'timeout'],
    nestedOnly: true,
  },
];

/**
 * Method decorators that register the method as a request, message or schedule handler (NestJS and
 * similar): a non-async decorated method runs on the event loop like a route callback.
 */
export const HANDLER_DECORATORS: ReadonlySet<string> = new Set([
  'Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Head', 'Options', 'MessagePattern', 'EventPattern', 'SubscribeMessage',
  'Cron', 'Interval', 'Timeout', 'OnEvent', 'Process',
]);

/** Array-like methods that call their callback inline, synchronously (it runs in the caller's context). */
export const INLINE_METHODS: ReadonlySet<string> = new Set([
  'forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex',
  'flatMap', 'sort', 'toSorted',
]);

/** Resolved callees whose callback runs inline (`Array.from(xs, fn)`, `new Promise(executor)`). */
export const INLINE_CALLEES: ReadonlySet<string> = new Set(['Promise', 'Array.from']);

/** Resolved callees whose function arguments run in another thread or process. */
export const OFFLOAD_CALLEES: ReadonlySet<string> = new Set([
  'workerpool.Pool.exec', 'workerpool.exec', 'threads.spawn', 'piscina.Piscina.run',
]);

/** Importing one of these from `worker_threads` marks a file as the body of a worker thread. */
export const WORKER_MARKERS: ReadonlySet<string> = new Set(['parentPort', 'workerData']);

/** Methods that take a lock and return a release function (or, with a callback, hold it for the callback). */
export const LOCK_ACQUIRE_METHODS: ReadonlySet<string> = new Set(['acquire', 'lock', 'request', 'acquireRead', 'acquireWrite']);

/** Methods that hold a lock for the duration of a callback. */
export const LOCK_SCOPED_METHODS: ReadonlySet<string> = new Set(['runExclusive']);

/** Methods on a lock that release it (`mutex.release()`), besides calling the guard. */
export const LOCK_RELEASE_METHODS: ReadonlySet<string> = new Set(['release', 'unlock', 'cancel']);

/**
 * Field names that are I/O connections by convention (`{ mutex, conn }`, `this.db`). An async lock
 * that guards one of these exists to serialise that I/O.
 */
export const CONNECTION_NAMES: ReadonlySet<string> = new Set([
  'conn', 'connection', 'client', 'db', 'database', 'socket', 'sock', 'session', 'channel', 'tx', 'transaction',
]);
