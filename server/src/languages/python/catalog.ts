/**
 * The Python catalog: data only. Names are dotted paths as Python spells them after imports are
 * resolved (`time.sleep`, `requests.get`), the strings the frontend writes into `CallSite.callee`.
 * A method is named by its receiver's type: `requests.Session.get`, `sqlite3.Cursor.execute`.
 *
 * Every API here was checked against its source: CPython 3.11's standard library, and Debian
 * bookworm's packages of requests 2.28, httpx 0.23, urllib3 1.26, redis 4.3, psycopg2 2.9,
 * PyMySQL 1.0, peewee 3.14, bcrypt 3.2, argon2-cffi 21.1, Pillow 9.4, anyio 3.6 and trio 0.22.
 */
import { makeCatalog, type BlockingCall, type Catalog, type ChannelConstructor, type LockType, type Wording } from '../../engine/catalog';

const methods = (type: string, names: readonly string[], category: BlockingCall['category'], extra: Partial<BlockingCall> = {}): BlockingCall[] =>
  names.map((m) => ({ name: `${type}.${m}`, category, ...extra }));

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];

/** The async libraries a Python file may run on; the catalog's advice names the one the file uses. */
export type PythonLibrary = 'asyncio' | 'anyio' | 'trio';

/** The advice of the catalog that depends on the library (each API named here exists in asyncio 3.11, anyio 3.6 and trio 0.22). */
function advice(lib: PythonLibrary) {
  const toThread = `run it in a thread with \`await ${lib === 'asyncio' ? 'asyncio.to_thread' : `${lib}.to_thread.run_sync`}(…)\``;
  const process = {
    asyncio: ['use `await asyncio.create_subprocess_exec(…)` and `await proc.communicate()`', 'use `await asyncio.create_subprocess_shell(…)` and `await proc.wait()`'],
    anyio: ['use `await anyio.run_process(…)`', 'use `await anyio.run_process(command)` (a string runs through the shell)'],
    trio: ['use `await trio.run_process(…)`', 'use `await trio.run_process(command, shell=True)`'],
  }[lib];
  return {
    toThread,
    http: lib === 'asyncio' ? `use an async client (\`await client.get(…)\` on an \`httpx.AsyncClient\`, or \`aiohttp\`), or ${toThread}` : `use an async client (\`await client.get(…)\` on an \`httpx.AsyncClient\`), or ${toThread}`,
    subprocess: `${process[0]}, or ${toThread}`,
    shell: `${process[1]}, or ${toThread}`,
    awaitFuture: lib === 'asyncio' ? 'await it with `await asyncio.wrap_future(fut)` instead of blocking on `result()`' : `wait for it in a thread: \`await ${lib}.to_thread.run_sync(fut.result)\``,
    awaitFutures: lib === 'asyncio' ? 'await the futures with `asyncio.wrap_future` instead' : `wait for them in a thread: \`await ${lib}.to_thread.run_sync(concurrent.futures.wait, fs)\``,
    event: `use an \`${lib}.Event\`, or ${toThread}`,
    poolExit: lib === 'asyncio'
      ? 'leaving the `with` block waits for every submitted job: create the pool once outside the handler and `await loop.run_in_executor(pool, …)`'
      : `leaving the \`with\` block waits for every submitted job: run each job with \`await ${lib}.to_thread.run_sync(…)\` instead`,
    sleep: `${lib}.sleep`,
    resolve: { asyncio: 'await asyncio.get_running_loop().{}(…)', anyio: 'await anyio.{}(…)', trio: 'await trio.socket.{}(…)' }[lib],
    connect: { asyncio: 'await asyncio.open_connection(…)', anyio: 'await anyio.connect_tcp(…)', trio: 'await trio.open_tcp_stream(…)' }[lib],
    listen: { asyncio: 'await asyncio.start_server(…)', anyio: 'await anyio.create_tcp_listener(…)', trio: 'await trio.open_tcp_listeners(…)' }[lib],
  };
}

function wording(lib: PythonLibrary): Wording {
  const a = advice(lib);
  return {
    library: lib,
    executor: 'the event loop',
    awaited: 'await {}(…)',
    noTwin: {
      default: a.toThread,
      fs: `${a.toThread}, or use ${{ asyncio: '`aiofiles` / `anyio.Path`', anyio: '`anyio.Path` / `anyio.open_file`', trio: '`trio.Path` / `trio.open_file`' }[lib]}`,
      db: lib === 'asyncio' ? `${a.toThread}, or use an async driver (\`aiosqlite\`, \`asyncpg\`, \`redis.asyncio\`)` : a.toThread,
      net: `${a.toThread}, or use ${{ asyncio: "asyncio's own networking (`loop.getaddrinfo`, `asyncio.open_connection`)", anyio: "anyio's own networking (`anyio.getaddrinfo`, `anyio.connect_tcp`)", trio: "trio's own networking (`trio.socket.getaddrinfo`, `trio.open_tcp_stream`)" }[lib]}`,
      cpu: `${a.toThread} (or a process pool for pure-Python work)`,
    },
    helperNoTwin: `run the helper in a thread with \`await ${lib === 'asyncio' ? 'asyncio.to_thread' : `${lib}.to_thread.run_sync`}(…)\``,
    detached:
      'A task started with `{spawner}(…)` in {where} is not kept: the event loop holds only a weak reference to a task, so it can be garbage-collected before it finishes, and its exception is only logged ("Task exception was never retrieved"); keep a reference (a set the task removes itself from with `add_done_callback`, or ' +
      { asyncio: 'an `asyncio.TaskGroup`', anyio: 'an anyio task group, `async with anyio.create_task_group() as tg`', trio: 'a trio nursery, `async with trio.open_nursery() as nursery`' }[lib] +
      ') and await it',
    // A task that only sleeps is kept by the loop's timer: it is not collected, it is only out of reach.
    detachedBy: {
      sleeper:
        'A task started with `{spawner}(…)` in {where} is not kept: its coroutine only sleeps, so the loop\'s timer keeps it alive, but nothing can cancel it: one is started per call and runs out its delay even after what it acts on has changed (an expiry started per entry deletes the key\'s newer value when the key is set again); keep the task by what it acts on and cancel it when that changes, or sweep from one periodic task',
      'sleeper-loop':
        'A task started with `{spawner}(…)` in {where} is not kept: its coroutine sleeps in a {detail} loop, so the loop\'s timer keeps it alive, but nothing can cancel it: one more is started per call and each runs for as long as the process, after what it serves is gone (a per-connection keepalive goes on after its connection closes); keep the task and cancel it when what it serves closes, or run one periodic task for all of them',
    },
    hover: {
      keepTask: `Keep a reference to the task (or ${{ asyncio: 'use a `TaskGroup`', anyio: 'start it in an anyio task group', trio: 'start it in a trio nursery' }[lib]}) and await it`,
      detachedBy: {
        sleeper: { line: '{spawner} starts {started} that only sleeps: the loop keeps it alive, but nothing can cancel it', keep: 'Keep the task by what it acts on and cancel it when that changes, or sweep from one periodic task' },
        'sleeper-loop': { line: '{spawner} starts {started} that sleeps in a {detail} loop: the loop keeps it alive, and nothing can cancel it', keep: 'Keep the task and cancel it when what it serves closes, or run one periodic task for all of them' },
      },
    },
  };
}

const STAT_CHEAP = 'a hint: one metadata system call (a `stat`), microseconds on a local disk, slow only on a slow or network file system';
const EXIST_OK_CHEAP = 'a hint: with `exist_ok=True` it is one metadata system call once the folder exists, slow only on a slow or network file system';

function blocking(lib: PythonLibrary): BlockingCall[] {
  const a = advice(lib);
  return [
    { name: 'time.sleep', category: 'sleep', replacement: a.sleep },
    // HTTP clients.
    ...HTTP_VERBS.map((v) => ({ name: `requests.${v}`, category: 'net' as const, advice: a.http })),
    ...methods('requests.Session', [...HTTP_VERBS, 'send'], 'net', { advice: a.http }),
    ...[...HTTP_VERBS, 'stream'].map((v) => ({ name: `httpx.${v}`, category: 'net' as const, advice: a.http })),
    ...methods('httpx.Client', [...HTTP_VERBS, 'send', 'stream', 'close'], 'net', { advice: a.http }),
    // urllib3 2.x's module-level `request()`.
    { name: 'urllib3.request', category: 'net', advice: a.http },
    { name: 'urllib.request.urlopen', category: 'net', advice: a.http },
    ...methods('urllib3.PoolManager', ['request', 'urlopen'], 'net', { advice: a.http }),
    ...methods('http.client.HTTPConnection', ['request', 'getresponse'], 'net', { advice: a.http }),
    ...methods('http.client.HTTPSConnection', ['request', 'getresponse'], 'net', { advice: a.http }),
    // Files.
    { name: 'open', category: 'fs' },
    { name: 'io.open', category: 'fs' },
    { name: 'io.open_code', category: 'fs' },
    { name: 'codecs.open', category: 'fs' },
    // A file object's I/O (CPython 3.11's io module): each call reads, writes or flushes on the calling
    // thread. The builder types a module-level variable or a `self.` field bound to a file opener
    // ({@link FILE_OPENERS}); a file opened in the same function is not, as its `open` is the finding.
    ...methods('io.IOBase', ['read', 'readline', 'readlines', 'write', 'writelines', 'flush', 'seek', 'truncate'], 'fs'),
    { name: 'os.fsync', category: 'fs' },
    { name: 'os.fdatasync', category: 'fs' },
    ...methods('pathlib.Path', ['read_text', 'write_text', 'read_bytes', 'write_bytes', 'open', 'touch'], 'fs'),
    ...['listdir', 'scandir', 'walk', 'makedirs', 'remove', 'unlink', 'rename', 'replace', 'rmdir', 'removedirs'].map((f) => ({ name: `os.${f}`, category: 'fs' as const })),
    // A folder listing, as `Path.glob` is (`glob.iglob` lists nothing until it is iterated).
    { name: 'glob.glob', category: 'fs' },
    // Metadata and directory calls: a system call that waits on the disk (or a network file system) each.
    // Pure path arithmetic (`os.path.join`, `Path.parent`, `is_absolute`) and `abspath`/`absolute` (a `getcwd`) are not listed.
    // A lone `stat` of one path (exists, isfile, getsize…) is reported as a hint, like `mkdir(exist_ok=True)` (and TS/JS's `fs.existsSync`).
    ...['stat', 'lstat', 'access', 'readlink'].map((f) => ({ name: `os.${f}`, category: 'fs' as const, cheap: STAT_CHEAP })),
    ...['mkdir', 'chmod', 'chown', 'symlink', 'truncate', 'utime'].map((f) => ({ name: `os.${f}`, category: 'fs' as const })),
    ...['exists', 'lexists', 'isfile', 'isdir', 'islink', 'ismount', 'getsize', 'getmtime', 'getatime', 'getctime', 'samefile'].map((f) => ({ name: `os.path.${f}`, category: 'fs' as const, cheap: STAT_CHEAP })),
    { name: 'os.path.realpath', category: 'fs' },
    ...methods('pathlib.Path', ['exists', 'is_file', 'is_dir', 'is_symlink', 'is_mount', 'is_socket', 'is_fifo', 'is_block_device', 'is_char_device', 'stat', 'lstat', 'owner', 'group', 'samefile', 'readlink'], 'fs', { cheap: STAT_CHEAP }),
    ...methods('pathlib.Path', ['iterdir', 'glob', 'rglob', 'mkdir', 'rmdir', 'unlink', 'rename', 'replace', 'chmod', 'lchmod', 'symlink_to', 'hardlink_to', 'resolve'], 'fs'),
    // Idempotent folder creation: once the folder exists, one `mkdir` that fails with EEXIST (builder.ts names these calls).
    ...['pathlib.Path.mkdir:exist_ok', 'os.makedirs:exist_ok'].map((name) => ({ name, category: 'fs' as const, cheap: EXIST_OK_CHEAP })),
    ...['copy', 'copy2', 'copyfile', 'copytree', 'rmtree', 'move', 'make_archive', 'unpack_archive'].map((f) => ({ name: `shutil.${f}`, category: 'fs' as const })),
    { name: 'tarfile.open', category: 'fs' },
    ...methods('tarfile.TarFile', ['extractall', 'extract', 'add'], 'fs'),
    ...methods('zipfile.ZipFile', ['extractall', 'extract', 'read', 'write', 'writestr'], 'fs'),
    // Processes.
    ...['run', 'call', 'check_call', 'check_output', 'getoutput', 'getstatusoutput'].map((f) => ({ name: `subprocess.${f}`, category: 'process' as const, advice: a.subprocess })),
    // Starting a process forks and execs on the loop's thread; waiting for it blocks until it exits.
    { name: 'subprocess.Popen', category: 'process', advice: a.subprocess },
    ...methods('subprocess.Popen', ['wait', 'communicate'], 'process', { advice: a.subprocess }),
    { name: 'os.system', category: 'process', advice: a.shell },
    { name: 'os.popen', category: 'process', advice: a.shell },
    ...['wait', 'wait3', 'wait4', 'waitpid', 'waitid'].map((f) => ({ name: `os.${f}`, category: 'process' as const })),
    ...['posix_spawn', 'posix_spawnp', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe'].map((f) => ({ name: `os.${f}`, category: 'process' as const })),
    // Name resolution through the system resolver, and blocking connects.
    ...['getaddrinfo', 'gethostbyname', 'gethostbyname_ex', 'gethostbyaddr', 'getnameinfo', 'getfqdn'].map((f) => ({
      name: `socket.${f}`, category: 'net' as const, ...(f === 'getaddrinfo' || f === 'getnameinfo' ? { usage: a.resolve.replace('{}', f) } : {}),
    })),
    { name: 'socket.create_connection', category: 'net', usage: a.connect },
    // A blocking socket's I/O (CPython 3.11's socket.py and socketmodule.c): each call waits on the peer.
    // The builder types `socket.socket(…)`, `create_connection(…)`, `socketpair()` and `accept()`'s first
    // element, and drops a socket the file makes non-blocking (`setblocking(False)`, `settimeout(0)`) or
    // hands to the loop (`loop.sock_*`, `sock=`). `makefile` is not listed: it only wraps the socket.
    ...methods('socket.socket', ['recv', 'recv_into', 'recvfrom', 'recvfrom_into', 'recvmsg', 'send', 'sendall', 'sendto', 'sendmsg', 'sendfile'], 'net'),
    { name: 'socket.socket.connect', category: 'net', usage: a.connect },
    { name: 'socket.socket.accept', category: 'net', usage: a.listen },
    // The standard library's mail and file-transfer clients talk to their server on the calling thread
    // (CPython 3.11's smtplib.py, imaplib.py, poplib.py, ftplib.py): aiosmtpd's `Proxy` relays each
    // message with `smtplib.SMTP().sendmail` from its async `handle_DATA`.
    // Their constructors connect: IMAP4 and POP3 always (IMAP4(host='') opens localhost, POP3's host is
    // required); SMTP, SMTP_SSL, LMTP, FTP and FTP_TLS when given a host (`if host: self.connect(host)`;
    // the builder drops the call without one).
    ...['smtplib.SMTP', 'smtplib.SMTP_SSL', 'smtplib.LMTP', 'imaplib.IMAP4', 'imaplib.IMAP4_SSL', 'poplib.POP3', 'poplib.POP3_SSL', 'ftplib.FTP', 'ftplib.FTP_TLS'].map((name) => ({ name, category: 'net' as const })),
    ...['smtplib.SMTP', 'smtplib.SMTP_SSL', 'smtplib.LMTP'].flatMap((t) => methods(t, ['connect', 'ehlo', 'helo', 'starttls', 'login', 'auth', 'sendmail', 'send_message', 'mail', 'rcpt', 'data', 'noop', 'verify', 'rset', 'docmd', 'quit'], 'net')),
    ...['imaplib.IMAP4', 'imaplib.IMAP4_SSL'].flatMap((t) => methods(t, ['login', 'select', 'search', 'fetch', 'store', 'append', 'copy', 'expunge', 'uid', 'list', 'logout'], 'net')),
    ...['poplib.POP3', 'poplib.POP3_SSL'].flatMap((t) => methods(t, ['user', 'pass_', 'stat', 'list', 'retr', 'dele', 'top', 'quit'], 'net')),
    ...['ftplib.FTP', 'ftplib.FTP_TLS'].flatMap((t) => methods(t, ['connect', 'login', 'cwd', 'nlst', 'dir', 'mlsd', 'retrbinary', 'retrlines', 'storbinary', 'storlines', 'delete', 'rename', 'mkd', 'rmd', 'size', 'quit'], 'net')),
    // Databases.
    { name: 'sqlite3.connect', category: 'db' },
    ...methods('sqlite3.Connection', ['execute', 'executemany', 'executescript', 'commit', 'rollback', 'backup'], 'db'),
    ...methods('sqlite3.Cursor', ['execute', 'executemany', 'executescript', 'fetchone', 'fetchmany', 'fetchall'], 'db'),
    // apsw (Debian's python3-apsw 3.40, its __init__.pyi): opening a database, statements and fetches run SQLite on the calling thread.
    { name: 'apsw.Connection', category: 'db' },
    ...methods('apsw.Connection', ['execute', 'executemany', 'backup'], 'db'),
    ...methods('apsw.Cursor', ['execute', 'executemany', 'fetchone', 'fetchall'], 'db'),
    { name: 'psycopg2.connect', category: 'db' },
    ...methods('psycopg2.extensions.connection', ['commit', 'rollback'], 'db'),
    ...methods('psycopg2.extensions.cursor', ['execute', 'executemany', 'callproc', 'fetchone', 'fetchmany', 'fetchall', 'copy_expert'], 'db'),
    { name: 'pymysql.connect', category: 'db' },
    ...methods('pymysql.connections.Connection', ['commit', 'rollback', 'ping', 'query'], 'db'),
    ...methods('pymysql.cursors.Cursor', ['execute', 'executemany', 'callproc', 'fetchone', 'fetchmany', 'fetchall'], 'db'),
    ...methods('peewee.Database', ['connect', 'execute_sql'], 'db'),
    ...methods('redis.Redis', [
      'get', 'set', 'setex', 'mget', 'mset', 'delete', 'exists', 'expire', 'incr', 'decr', 'hget', 'hset', 'hgetall', 'hdel', 'lpush', 'rpush',
      'lpop', 'rpop', 'blpop', 'brpop', 'lrange', 'sadd', 'smembers', 'zadd', 'zrange', 'publish', 'keys', 'scan', 'ping', 'execute_command',
    ], 'db'),
    // Password hashing and key derivation: tens to hundreds of milliseconds of CPU per call, by design.
    { name: 'hashlib.pbkdf2_hmac', category: 'cpu', cpuHeavy: true },
    { name: 'hashlib.scrypt', category: 'cpu', cpuHeavy: true },
    { name: 'bcrypt.hashpw', category: 'cpu', cpuHeavy: true },
    { name: 'bcrypt.checkpw', category: 'cpu', cpuHeavy: true },
    { name: 'bcrypt.kdf', category: 'cpu', cpuHeavy: true },
    ...methods('argon2.PasswordHasher', ['hash', 'verify'], 'cpu', { cpuHeavy: true }),
    // Image decoding and encoding.
    { name: 'PIL.Image.open', category: 'cpu', cpuHeavy: true },
    ...methods('PIL.Image.Image', ['save', 'load', 'thumbnail'], 'cpu', { cpuHeavy: true }),
    ...['imread', 'imwrite', 'imdecode', 'imencode'].map((f) => ({ name: `cv2.${f}`, category: 'cpu' as const, cpuHeavy: true })),
    // Waiting on other threads from the loop.
    { name: 'input', category: 'other' },
    ...methods('queue.Queue', ['get', 'put', 'join'], 'other'),
    ...methods('queue.LifoQueue', ['get', 'put', 'join'], 'other'),
    ...methods('queue.PriorityQueue', ['get', 'put', 'join'], 'other'),
    ...methods('queue.SimpleQueue', ['get'], 'other'),
    { name: 'concurrent.futures.Future.result', category: 'other', advice: a.awaitFuture },
    { name: 'concurrent.futures.wait', category: 'other', advice: a.awaitFutures },
    ...methods('threading.Thread', ['join'], 'other'),
    ...methods('threading.Event', ['wait'], 'other', { advice: a.event }),
    // Leaving `with ThreadPoolExecutor(…)` joins the pool: the frontend names that exit `….__exit__`.
    ...['ThreadPoolExecutor', 'ProcessPoolExecutor'].map((t) => ({
      name: `concurrent.futures.${t}.__exit__`, category: 'other' as const,
      advice: a.poolExit,
    })),
  ];
}

const LOCKS: LockType[] = [
  { name: 'threading.Lock', kind: 'blocking' },
  { name: 'threading.RLock', kind: 'blocking' },
  { name: 'threading.Condition', kind: 'blocking' },
  { name: 'threading.Semaphore', kind: 'blocking' },
  { name: 'threading.BoundedSemaphore', kind: 'blocking' },
  { name: 'multiprocessing.Lock', kind: 'blocking' },
  { name: 'multiprocessing.RLock', kind: 'blocking' },
  { name: 'asyncio.Lock', kind: 'async' },
  { name: 'asyncio.Condition', kind: 'async' },
  { name: 'anyio.Lock', kind: 'async' },
  { name: 'anyio.Condition', kind: 'async' },
  { name: 'trio.Lock', kind: 'async' },
  { name: 'trio.StrictFIFOLock', kind: 'async' },
  { name: 'asyncio.Semaphore', kind: 'async', limiter: true },
  { name: 'asyncio.BoundedSemaphore', kind: 'async', limiter: true },
  { name: 'anyio.Semaphore', kind: 'async', limiter: true },
  { name: 'anyio.CapacityLimiter', kind: 'async', limiter: true },
  { name: 'trio.Semaphore', kind: 'async', limiter: true },
  { name: 'trio.CapacityLimiter', kind: 'async', limiter: true },
];

const CHANNELS: ChannelConstructor[] = [
  { name: 'asyncio.Queue', bound: '`maxsize`' },
  { name: 'asyncio.PriorityQueue', bound: '`maxsize`' },
  { name: 'asyncio.LifoQueue', bound: '`maxsize`' },
  { name: 'queue.Queue', bound: '`maxsize`' },
  { name: 'queue.PriorityQueue', bound: '`maxsize`' },
  { name: 'queue.LifoQueue', bound: '`maxsize`' },
  { name: 'queue.SimpleQueue', bound: 'queue.Queue', alwaysUnbounded: true },
  // janus: one queue with a thread face and an asyncio face; `maxsize` defaults to 0, no bound.
  { name: 'janus.Queue', bound: '`maxsize`' },
  { name: 'janus.PriorityQueue', bound: '`maxsize`' },
  { name: 'janus.LifoQueue', bound: '`maxsize`' },
  { name: 'anyio.create_memory_object_stream', bound: '`max_buffer_size`' },
  { name: 'trio.open_memory_channel', bound: '`max_buffer_size`' },
];

/** How each channel constructor takes its bound: the keyword, and what leaving it out means. */
export interface ChannelBound {
  readonly keyword: string;
  readonly absent: 'unbounded' | 'bounded';
}
export const CHANNEL_BOUNDS: ReadonlyMap<string, ChannelBound> = new Map<string, ChannelBound>([
  ...['asyncio.Queue', 'asyncio.PriorityQueue', 'asyncio.LifoQueue', 'queue.Queue', 'queue.PriorityQueue', 'queue.LifoQueue', 'janus.Queue', 'janus.PriorityQueue', 'janus.LifoQueue'].map(
    (n): [string, ChannelBound] => [n, { keyword: 'maxsize', absent: 'unbounded' }],
  ),
  // anyio's default buffer is 0 (a rendezvous): only an explicit `math.inf` is unbounded.
  ['anyio.create_memory_object_stream', { keyword: 'max_buffer_size', absent: 'bounded' }],
  ['trio.open_memory_channel', { keyword: 'max_buffer_size', absent: 'bounded' }],
]);

const IO: string[] = [
  'aiohttp.', 'httpx.AsyncClient.', 'asyncio.open_connection', 'asyncio.open_unix_connection', 'asyncio.StreamReader.', 'asyncio.StreamWriter.drain',
  'asyncio.create_subprocess_exec', 'asyncio.create_subprocess_shell', 'asyncio.sleep', 'anyio.sleep', 'trio.sleep', 'anyio.open_file',
  'anyio.connect_tcp', 'trio.open_tcp_stream', 'asyncpg.', 'aiofiles.', 'aiosqlite.', 'redis.asyncio.Redis.', 'redis.asyncio.client.Redis.', 'redis.asyncio.RedisCluster.', 'redis.asyncio.cluster.RedisCluster.', 'motor.', 'aioredis.', 'aiobotocore.',
  'websockets.', 'trio.SocketStream.', 'trio.SSLStream.', 'trio.abc.Stream.', 'trio.abc.SendStream.', 'trio.abc.ReceiveStream.',
  'anyio.abc.SocketStream.', 'anyio.abc.ByteStream.', 'anyio.abc.ByteSendStream.', 'anyio.abc.ByteReceiveStream.', 'anyio.streams.tls.TLSStream.',
];

/** The built-in Python catalog, worded for asyncio. */
export const pythonCatalog = makeCatalog({ wording: wording('asyncio'), blocking: blocking('asyncio'), locks: LOCKS, channels: CHANNELS, io: IO });

const libraryCatalogs = new WeakMap<Catalog, Map<PythonLibrary, Catalog>>();

/**
 * The catalog of a file that runs on `lib`: `catalog` (the built-in one with the config's entries)
 * with the built-in wording and advice of that library. An entry the config replaced is kept as given.
 */
export function catalogForLibrary(catalog: Catalog, lib: PythonLibrary): Catalog {
  if (lib === 'asyncio') return catalog;
  let perLib = libraryCatalogs.get(catalog);
  if (!perLib) libraryCatalogs.set(catalog, (perLib = new Map()));
  let out = perLib.get(lib);
  if (!out) {
    const entries = new Map(catalog.blocking);
    for (const e of blocking(lib)) if (entries.get(e.name) === pythonCatalog.blocking.get(e.name)) entries.set(e.name, e);
    out = { ...catalog, wording: wording(lib), blocking: entries };
    perLib.set(lib, out);
  }
  return out;
}

/**
 * What a call returns, for typing a binding or a chain that starts with it (`sqlite3.connect(p).cursor()`).
 * A call to a name whose last segment is capitalised (`requests.Session()`) is assumed to build that class.
 */
export const RETURN_TYPES: ReadonlyMap<string, string> = new Map([
  ['requests.session', 'requests.Session'],
  ['sqlite3.connect', 'sqlite3.Connection'],
  ['sqlite3.Connection.cursor', 'sqlite3.Cursor'],
  ['apsw.Connection.cursor', 'apsw.Cursor'],
  ['apsw.Connection.execute', 'apsw.Cursor'],
  ['sqlite3.Connection.execute', 'sqlite3.Cursor'],
  ['psycopg2.connect', 'psycopg2.extensions.connection'],
  ['psycopg2.extensions.connection.cursor', 'psycopg2.extensions.cursor'],
  ['pymysql.connect', 'pymysql.connections.Connection'],
  ['pymysql.Connect', 'pymysql.connections.Connection'],
  ['pymysql.Connection', 'pymysql.connections.Connection'],
  ['pymysql.connections.Connection.cursor', 'pymysql.cursors.Cursor'],
  ['peewee.SqliteDatabase', 'peewee.Database'],
  ['peewee.PostgresqlDatabase', 'peewee.Database'],
  ['peewee.MySQLDatabase', 'peewee.Database'],
  ['redis.StrictRedis', 'redis.Redis'],
  ['redis.Redis.from_url', 'redis.Redis'],
  ['redis.from_url', 'redis.Redis'],
  ['tarfile.open', 'tarfile.TarFile'],
  ['PIL.Image.open', 'PIL.Image.Image'],
  ['subprocess.Popen', 'subprocess.Popen'],
  ['asyncio.get_event_loop', 'asyncio.AbstractEventLoop'],
  ['asyncio.get_running_loop', 'asyncio.AbstractEventLoop'],
  ['asyncio.new_event_loop', 'asyncio.AbstractEventLoop'],
  ['asyncio.run_coroutine_threadsafe', 'concurrent.futures.Future'],
  ['concurrent.futures.ThreadPoolExecutor.submit', 'concurrent.futures.Future'],
  ['concurrent.futures.ProcessPoolExecutor.submit', 'concurrent.futures.Future'],
  ['pathlib.Path.cwd', 'pathlib.Path'],
  ['pathlib.Path.home', 'pathlib.Path'],
  ['pathlib.Path.resolve', 'pathlib.Path'],
  ['pathlib.Path.absolute', 'pathlib.Path'],
  ['pathlib.Path.with_suffix', 'pathlib.Path'],
  ['pathlib.Path.with_name', 'pathlib.Path'],
  ['pathlib.Path.joinpath', 'pathlib.Path'],
  ['pathlib.Path.expanduser', 'pathlib.Path'],
  ['httpx.Client', 'httpx.Client'],
  ['socket.socket', 'socket.socket'],
  ['socket.create_connection', 'socket.socket'],
]);

/** What the elements of a tuple a call returns are, for `a, b = f()` (`conn, addr = sock.accept()`). */
export const TUPLE_RETURN_TYPES: ReadonlyMap<string, readonly (string | undefined)[]> = new Map([
  ['socket.socketpair', ['socket.socket', 'socket.socket']],
  ['socket.socket.accept', ['socket.socket', undefined]],
]);

/**
 * Calls that open a file and return a blocking file object (not `aiofiles.open`, `anyio.open_file`,
 * `trio.open_file`: theirs are async). A module-level variable or `self.` field bound to one is
 * typed {@link FILE_OBJECT}, a variable of a function (or a `with … as f` target) {@link FILE_OPENED_HERE}.
 */
export const FILE_OPENERS: ReadonlySet<string> = new Set([
  'open', 'io.open', 'codecs.open', 'pathlib.Path.open', 'gzip.open', 'bz2.open', 'lzma.open', 'tempfile.TemporaryFile', 'tempfile.NamedTemporaryFile',
]);

/** A blocking file object opened elsewhere (a module-level variable, a `self.` field): its I/O is a finding. */
export const FILE_OBJECT = 'io.IOBase'; // the catalog's file-object methods are on this name

/** A file object opened in the function that uses it: the `open` there is the finding, not its methods. */
export const FILE_OPENED_HERE = 'io.IOBase(opened here)';

/** The type of a socket the file makes non-blocking or hands to the event loop: none of its methods wait. */
export const NON_BLOCKING_SOCKET = 'socket.socket(non-blocking)';

/**
 * Aliases a module exports for a class, so both spellings share one catalog name
 * (`from pathlib import PosixPath`, `from redis import StrictRedis`).
 */
export const TYPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['pathlib.PosixPath', 'pathlib.Path'],
  ['pathlib.WindowsPath', 'pathlib.Path'],
  ['redis.client.Redis', 'redis.Redis'],
  ['redis.StrictRedis', 'redis.Redis'],
  ['concurrent.futures.thread.ThreadPoolExecutor', 'concurrent.futures.ThreadPoolExecutor'],
  ['asyncio.locks.Lock', 'asyncio.Lock'],
  ['asyncio.queues.Queue', 'asyncio.Queue'],
  ['builtins.open', 'open'],
  ['builtins.input', 'input'],
]);

/** Builtins the catalog names without a module. A same-file definition or an import of the name shadows them. */
export const BUILTINS: ReadonlySet<string> = new Set(['open', 'input']);

/** APIs whose callable argument runs in a thread (or process), off the event loop. */
export const OFFLOADERS: ReadonlySet<string> = new Set([
  'asyncio.to_thread', 'anyio.to_thread.run_sync', 'trio.to_thread.run_sync', 'starlette.concurrency.run_in_threadpool',
  'fastapi.concurrency.run_in_threadpool', 'threading.Thread', 'asgiref.sync.sync_to_async', 'anyio.to_process.run_sync',
  'concurrent.futures.ThreadPoolExecutor.submit', 'concurrent.futures.ProcessPoolExecutor.submit',
  'concurrent.futures.ThreadPoolExecutor.map', 'concurrent.futures.ProcessPoolExecutor.map',
]);

/** Methods that offload whatever their receiver's type (`loop.run_in_executor`, on a loop from anywhere). */
export const OFFLOADING_METHODS: ReadonlySet<string> = new Set(['run_in_executor']);

/** Spawners whose coroutine becomes a task on the loop; the event loop keeps only a weak reference to it. */
export const TASK_SPAWNERS: ReadonlySet<string> = new Set([
  'asyncio.create_task', 'asyncio.ensure_future', 'asyncio.AbstractEventLoop.create_task',
]);
