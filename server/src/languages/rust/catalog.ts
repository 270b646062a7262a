/**
 * The Rust catalog: data only. Names are full `::` paths, the strings the frontend writes into
 * `CallSite.callee`. A method is named by its receiver's type: `std::process::Command::output`.
 */
import { makeCatalog, type BlockingCall, type ChannelConstructor, type LockType, type Wording } from '../../engine/catalog';

/** `std::fs` functions whose `tokio::fs` twin has the same signature (`read_dir` iterates differently). */
const FS_WITH_TWIN = [
  'read', 'read_to_string', 'write', 'copy', 'rename', 'remove_file', 'remove_dir', 'remove_dir_all', 'create_dir',
  'create_dir_all', 'metadata', 'symlink_metadata', 'canonicalize', 'read_link', 'hard_link', 'set_permissions',
];

const methods = (type: string, names: readonly string[], category: BlockingCall['category']): BlockingCall[] =>
  names.map((m) => ({ name: `${type}::${m}`, category }));

const IO_METHODS = ['read', 'read_exact', 'read_to_end', 'read_to_string', 'write', 'write_all', 'flush'];

const AWAIT_INSTEAD = '`.await` the future instead of blocking on it';
const ON_BLOCKING_POOL = 'run it on the blocking pool with `spawn_blocking`';

const WORDING: Wording = {
  executor: 'the executor thread',
  awaited: '{}(…).await',
  noTwin: {
    default: ON_BLOCKING_POOL,
    fs: `${ON_BLOCKING_POOL}, or use \`tokio::fs\``,
    process: `${ON_BLOCKING_POOL}, or use \`tokio::process\``,
    net: `${ON_BLOCKING_POOL}, or use an async client`,
    db: `${ON_BLOCKING_POOL}, or use an async client`,
  },
  helperNoTwin: 'run the call on the blocking pool with `spawn_blocking`',
  detached:
    '`{spawner}` in {where} drops its `JoinHandle`: the task\'s error or panic is lost and nothing can wait for it or cancel it at shutdown; keep the handle (a `JoinSet`, or store it and join it)',
  detachedBy: {
    // async-task's `Task` (smol, async-executor) cancels its task when dropped: the work is not lost late, it is not done.
    smol: '`{spawner}` in {where} drops its `Task`, which cancels the task: it may never run, and stops at its next `.await` if it has started; keep the `Task` and `.await` it, or call `.detach()` to let it run in the background',
    // async-std detaches a task whose `JoinHandle` is dropped, as tokio does, but has no `JoinSet`.
    'async-std': '`{spawner}` in {where} drops its `JoinHandle`: the task\'s error or panic is lost and nothing can wait for it or cancel it at shutdown; keep the handle and `.await` it (or `.cancel().await` it at shutdown)',
  },
  hover: {
    // What the fixes do: `buffered` keeps the results in the items' order, as `join_all` does; a task per item waits for a permit.
    boundFanOut: 'To bound it, `futures::stream::iter(items).map(f).buffered(N)` (results in order, as `join_all` gives them)',
    boundSpawnFanOut: 'To bound it, a `tokio::sync::Semaphore` of N: each task holds an owned permit, and the loop waits for one before it spawns',
    keepTask: 'Keep the `JoinHandle` (or spawn on a `JoinSet`) and join it, so a failure or panic is seen',
    detachedBy: {
      smol: { line: '{spawner} starts {started} that is cancelled as soon as its `Task` is dropped', keep: 'Keep the `Task` and `.await` it, or `.detach()` it to let it run in the background' },
      'async-std': { line: '{spawner} starts {started} that nothing awaits or keeps', keep: 'Keep the `JoinHandle` and `.await` it, so a failure or panic is seen' },
    },
  },
};

const BLOCKING: BlockingCall[] = [
  ...FS_WITH_TWIN.map((f) => ({ name: `std::fs::${f}`, category: 'fs' as const, replacement: `tokio::fs::${f}` })),
  { name: 'std::fs::read_dir', category: 'fs' },
  { name: 'std::fs::File::open', category: 'fs' },
  { name: 'std::fs::File::create', category: 'fs' },
  { name: 'std::fs::OpenOptions::open', category: 'fs' },
  ...methods('std::fs::File', [...IO_METHODS, 'sync_all', 'sync_data', 'set_len'], 'fs'),
  { name: 'std::thread::sleep', category: 'sleep', replacement: 'tokio::time::sleep' },
  // `connect` takes `ToSocketAddrs`: a host name is resolved with blocking DNS (getaddrinfo) before the blocking handshake.
  { name: 'std::net::TcpStream::connect', category: 'net', advice: 'it resolves a host name with blocking DNS (`getaddrinfo`), then waits for the handshake: use `tokio::net::TcpStream::connect(…).await`, which does both without blocking' },
  { name: 'std::net::TcpStream::connect_timeout', category: 'net' },
  ...methods('std::net::TcpStream', IO_METHODS, 'net'),
  ...methods('std::net::TcpListener', ['accept', 'incoming'], 'net'),
  ...methods('std::net::UdpSocket', ['recv', 'recv_from', 'send', 'send_to'], 'net'),
  ...methods('std::io::Stdin', ['read_line', 'read_to_string', 'read_to_end', 'lines'], 'other'),
  ...methods('std::process::Command', ['output', 'status'], 'process'),
  ...methods('std::process::Child', ['wait', 'wait_with_output'], 'process'),
  { name: 'reqwest::blocking::get', category: 'net' },
  ...methods('reqwest::blocking::Client', ['send', 'execute'], 'net'),
  ...methods('reqwest::blocking::RequestBuilder', ['send'], 'net'),
  ...['get', 'post', 'put', 'delete', 'patch', 'head', 'request'].map((m) => ({ name: `ureq::${m}`, category: 'net' as const })),
  { name: 'postgres::Client::connect', category: 'db' },
  ...methods('postgres::Client', ['query', 'query_one', 'query_opt', 'execute', 'batch_execute', 'prepare', 'transaction', 'simple_query'], 'db'),
  // Diesel's query methods take the connection as `&mut conn` (see `rust/calls.ts`).
  ...methods('diesel::RunQueryDsl', ['load', 'execute', 'get_result', 'get_results', 'first'], 'db'),
  { name: 'diesel::Connection::establish', category: 'db' },
  // SQLite through rusqlite is synchronous disk I/O (trust-dns-server's journal writes it from its async update handler).
  { name: 'rusqlite::Connection::open', category: 'db' },
  ...methods('rusqlite::Connection', ['execute', 'execute_batch', 'query_row', 'prepare', 'prepare_cached', 'transaction'], 'db'),
  ...methods('rusqlite::Statement', ['execute', 'query', 'query_map', 'query_row', 'insert'], 'db'),
  ...methods('std::sync::mpsc::Receiver', ['recv', 'recv_timeout'], 'other'),
  ...methods('crossbeam_channel::Receiver', ['recv', 'recv_timeout'], 'other'),
  { name: 'std::thread::JoinHandle::join', category: 'other' },
  { name: 'futures::executor::block_on', category: 'other', advice: AWAIT_INSTEAD },
  { name: 'tokio::runtime::Runtime::block_on', category: 'other', advice: AWAIT_INSTEAD },
  { name: 'tokio::runtime::Handle::block_on', category: 'other', advice: AWAIT_INSTEAD },
  { name: 'async_std::task::block_on', category: 'other', advice: AWAIT_INSTEAD },
  { name: 'smol::block_on', category: 'other', advice: AWAIT_INSTEAD },
  { name: 'pollster::block_on', category: 'other', advice: AWAIT_INSTEAD },
  // Password hashing and key derivation: tens to hundreds of milliseconds of CPU per call, by design.
  // Checked against ring 0.16, pbkdf2 0.11/0.12, password-hash 0.4, openssl 0.10 (Debian's sources),
  // and the bcrypt, argon2, scrypt and rsa crates' published sources.
  ...['hash', 'verify', 'hash_with_result', 'hash_with_salt'].map((f) => ({ name: `bcrypt::${f}`, category: 'cpu' as const, cpuHeavy: true })),
  { name: 'ring::pbkdf2::derive', category: 'cpu', cpuHeavy: true },
  { name: 'ring::pbkdf2::verify', category: 'cpu', cpuHeavy: true },
  ...['pbkdf2', 'pbkdf2_hmac', 'pbkdf2_hmac_array'].map((f) => ({ name: `pbkdf2::${f}`, category: 'cpu' as const, cpuHeavy: true })),
  ...methods('argon2::Argon2', ['hash_password', 'hash_password_into', 'verify_password'], 'cpu').map((b) => ({ ...b, cpuHeavy: true })),
  ...methods('password_hash::PasswordHasher', ['hash_password'], 'cpu').map((b) => ({ ...b, cpuHeavy: true })),
  ...methods('password_hash::PasswordVerifier', ['verify_password'], 'cpu').map((b) => ({ ...b, cpuHeavy: true })),
  ...methods('pbkdf2::Pbkdf2', ['hash_password', 'verify_password'], 'cpu').map((b) => ({ ...b, cpuHeavy: true })),
  ...methods('scrypt::Scrypt', ['hash_password', 'verify_password'], 'cpu').map((b) => ({ ...b, cpuHeavy: true })),
  { name: 'scrypt::scrypt', category: 'cpu', cpuHeavy: true },
  { name: 'openssl::pkcs5::pbkdf2_hmac', category: 'cpu', cpuHeavy: true },
  { name: 'openssl::pkcs5::scrypt', category: 'cpu', cpuHeavy: true },
  // Key-pair generation searches for primes: seconds for large RSA keys.
  { name: 'openssl::rsa::Rsa::generate', category: 'cpu', cpuHeavy: true },
  { name: 'rsa::RsaPrivateKey::new', category: 'cpu', cpuHeavy: true },
  // Whole-buffer compression and image decoding.
  ...['encode_all', 'decode_all', 'bulk::compress', 'bulk::decompress'].map((f) => ({ name: `zstd::${f}`, category: 'cpu' as const, cpuHeavy: true })),
  { name: 'image::open', category: 'cpu', cpuHeavy: true },
  { name: 'image::load_from_memory', category: 'cpu', cpuHeavy: true },
  // Name resolution through the system resolver (`getaddrinfo`) waits on DNS.
  { name: 'std::net::ToSocketAddrs::to_socket_addrs', category: 'net', replacement: 'tokio::net::lookup_host' },
];

const LOCKS: LockType[] = [
  { name: 'std::sync::Mutex', kind: 'blocking' },
  { name: 'std::sync::RwLock', kind: 'blocking' },
  { name: 'parking_lot::Mutex', kind: 'blocking' },
  { name: 'parking_lot::RwLock', kind: 'blocking' },
  { name: 'parking_lot::ReentrantMutex', kind: 'blocking' },
  { name: 'spin::Mutex', kind: 'blocking' },
  { name: 'spin::RwLock', kind: 'blocking' },
  { name: 'std::cell::RefCell', kind: 'blocking' },
  { name: 'tokio::sync::Mutex', kind: 'async' },
  { name: 'tokio::sync::RwLock', kind: 'async' },
  { name: 'futures::lock::Mutex', kind: 'async' },
  { name: 'async_std::sync::Mutex', kind: 'async' },
  { name: 'async_std::sync::RwLock', kind: 'async' },
  { name: 'tokio::sync::Semaphore', kind: 'async', limiter: true },
];

const CHANNELS: ChannelConstructor[] = [
  { name: 'tokio::sync::mpsc::unbounded_channel', bound: 'tokio::sync::mpsc::channel', alwaysUnbounded: true },
  { name: 'std::sync::mpsc::channel', bound: 'std::sync::mpsc::sync_channel', alwaysUnbounded: true },
  { name: 'crossbeam_channel::unbounded', bound: 'crossbeam_channel::bounded', alwaysUnbounded: true },
  { name: 'flume::unbounded', bound: 'flume::bounded', alwaysUnbounded: true },
  { name: 'futures::channel::mpsc::unbounded', bound: 'futures::channel::mpsc::channel', alwaysUnbounded: true },
  { name: 'async_channel::unbounded', bound: 'async_channel::bounded', alwaysUnbounded: true },
];

const IO: string[] = [
  'tokio::fs::', 'tokio::net::', 'tokio::process::', 'tokio::time::sleep', 'reqwest::', 'sqlx::', 'hyper::',
  'tokio_postgres::', 'redis::', 'mongodb::', 'tonic::', 'async_std::fs::', 'async_std::net::', 'smol::net::', 'smol::fs::',
];

/** The built-in Rust catalog. */
export const rustCatalog = makeCatalog({ wording: WORDING, blocking: BLOCKING, locks: LOCKS, channels: CHANNELS, io: IO });

/**
 * Types a plain function returns, for typing a chain that starts with it (`std::io::stdin().read_line(…)`).
 * A call `T::f(…)` on a type path is assumed to return `T` (constructors and builders) unless listed here.
 */
export const RETURN_TYPES: ReadonlyMap<string, string> = new Map([
  ['std::io::stdin', 'std::io::Stdin'],
  ['std::thread::spawn', 'std::thread::JoinHandle'],
  ['std::process::Command::spawn', 'std::process::Child'],
  ['tokio::runtime::Builder::build', 'tokio::runtime::Runtime'],
]);

/** Type names (last path segment) of values that are themselves I/O resources: an async lock around one serialises that I/O. */
export const IO_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'TcpStream', 'UnixStream', 'Connection', 'PgConnection', 'MySqlConnection', 'SqliteConnection', 'AsyncPgConnection', 'Client',
  'Sender', 'WebSocketStream', 'Framed', 'SplitSink', 'File', 'BufWriter', 'BufReader', 'BufStream', 'Transaction', 'Channel',
  'Session', 'Stdin', 'Stdout', 'ChildStdin', 'ChildStdout', 'Object', 'PooledConnection', 'MultiplexedConnection', 'ConnectionManager',
]);

/** Wrapper types that do not change what a value is for our purposes: `Arc<Mutex<T>>` is a mutex. */
export const TRANSPARENT_WRAPPERS: ReadonlySet<string> = new Set([
  'Arc', 'Rc', 'Box', 'State', 'Data', 'Extension', 'Lazy', 'LazyLock', 'OnceLock', 'OnceCell', 'LazyCell', 'Pin', 'Cow', 'ManuallyDrop',
]);

/** Spawners whose closure or future runs on the async executor. */
export const ASYNC_SPAWNERS: ReadonlySet<string> = new Set([
  'tokio::spawn', 'tokio::task::spawn', 'tokio::task::spawn_local', 'async_std::task::spawn', 'async_std::task::spawn_local', 'smol::spawn',
  'actix_rt::spawn', 'actix_web::rt::spawn',
  // Spawns through a runtime handle (`Handle::current().spawn(…)`, `rt.spawn(…)`): the same task, the same `JoinHandle`.
  'tokio::runtime::Handle::spawn', 'tokio::runtime::Runtime::spawn',
]);

/** APIs that run their closure off the executor (a blocking pool or an OS thread). */
export const OFFLOADERS: ReadonlySet<string> = new Set([
  'tokio::task::spawn_blocking', 'tokio::task::block_in_place', 'std::thread::spawn', 'rayon::spawn', 'rayon::scope', 'rayon::join',
  'async_std::task::spawn_blocking', 'smol::unblock', 'blocking::unblock', 'actix_web::web::block', 'actix_web::rt::task::spawn_blocking',
  'std::thread::Builder::spawn', 'std::thread::scope', 'tokio::runtime::Handle::spawn_blocking', 'tokio::runtime::Runtime::spawn_blocking',
]);

/**
 * Spawners that return a `JoinHandle` whose drop detaches the task: the async spawners and the blocking
 * pool's (`spawn_blocking`, on its own or through a runtime handle). Not `std::thread::spawn`: a thread is
 * not the executor's task, and its panic is printed where it happens.
 */
export const TASK_SPAWNERS: ReadonlySet<string> = new Set([
  ...ASYNC_SPAWNERS,
  'tokio::task::spawn_blocking', 'tokio::runtime::Handle::spawn_blocking', 'tokio::runtime::Runtime::spawn_blocking', 'async_std::task::spawn_blocking',
]);

/** Methods whose closure arguments run on rayon's pool (`items.par_iter().map(|x| …)`). */
export const PARALLEL_ITERATORS: ReadonlySet<string> = new Set(['par_iter', 'par_iter_mut', 'into_par_iter', 'par_bridge', 'par_chunks', 'par_lines']);

/**
 * What a glob import of a well-known module brings into scope, so `use std::fs::*;` resolves
 * `read_to_string` like `use std::fs::read_to_string;` does.
 */
export const GLOB_MODULES: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['std::fs', [...FS_WITH_TWIN, 'read_dir', 'File', 'OpenOptions']],
  ['std::thread', ['sleep', 'spawn', 'JoinHandle']],
  ['std::net', ['TcpStream', 'TcpListener', 'UdpSocket', 'ToSocketAddrs']],
  ['std::io', ['stdin', 'Stdin', 'Read', 'Write', 'BufRead']],
  ['std::sync', ['Mutex', 'RwLock', 'Arc', 'mpsc']],
  ['std::sync::mpsc', ['channel', 'sync_channel', 'Sender', 'Receiver', 'SyncSender']],
  ['tokio::sync', ['Mutex', 'RwLock', 'Semaphore', 'mpsc', 'oneshot', 'broadcast', 'watch', 'Notify']],
  ['tokio::sync::mpsc', ['channel', 'unbounded_channel', 'Sender', 'Receiver', 'UnboundedSender', 'UnboundedReceiver']],
  ['parking_lot', ['Mutex', 'RwLock', 'ReentrantMutex']],
  ['diesel::prelude', ['PgConnection', 'SqliteConnection', 'MysqlConnection', 'RunQueryDsl', 'QueryDsl', 'Connection', 'ExpressionMethods']],
  ['crossbeam_channel', ['unbounded', 'bounded', 'Sender', 'Receiver']],
  ['std::process', ['Command', 'Child']],
]);

/** Diesel re-exports connection types at its root and in `prelude`: `diesel::PgConnection` is the same type. */
export const DIESEL_CONNECTIONS: ReadonlySet<string> = new Set(['PgConnection', 'SqliteConnection', 'MysqlConnection']);
