/**
 * The Go catalog: data only. Names are import paths plus the member, the strings the frontend
 * writes into `CallSite.callee`: `net/http.Get` for a package function, `database/sql.DB.Query`
 * for a method named by its receiver's type (pointer or not).
 *
 * Go has no event loop to stall: every call blocks only its own goroutine, so the blocking list is
 * empty and `blocking-in-async` reports nothing in Go. What matters is what a goroutine waits on
 * while it holds a lock: the parking points (channel operations, `select`, sleeps, `Wait`, and the
 * network, database and file I/O listed in `io`).
 */
import { makeCatalog, type ChannelConstructor, type LockType, type Wording } from '../../engine/catalog';

const WORDING: Wording = {
  executor: 'the goroutine',
  awaited: '{}(…)',
  noTwin: { default: 'run it in its own goroutine' },
  helperNoTwin: 'run it in its own goroutine',
  noRelease: 'unlock it on every return path: put `defer {lock}.Unlock()` right after the `Lock()`',
  detached:
    'The goroutine started by `{spawner}` in {where} can block forever: {detail}; give the channel a capacity of 1 (`make(chan T, 1)`) so the send completes without a receiver, or send in a `select` with `<-ctx.Done()`',
  hover: {
    point: 'Parking point',
    parked: 'the goroutine parks here on {what} {until}',
    pause: 'the goroutine may park here while others run',
    nothingHeld: 'No mutex is held here.',
    held: 'Holds {lock} ({typeName}), {locked} on line {line}: every goroutine that needs it{writers} waits while this one is parked',
    heldRegion: 'mutex-held region',
    runsOn: '{reason}',
    task: 'goroutine',
    boundFanOut: 'To bound it, an `errgroup.Group` with `g.SetLimit(N)`, a semaphore channel (`sem <- struct{}{}` before each `go`), or a fixed pool of N workers reading a channel',
    detachedTitle: 'Goroutine leak',
    detachedLine: 'the goroutine started by {spawner} can block forever: {detail}',
    keepTask: 'Give its channel a capacity of 1 (`make(chan T, 1)`) so the send completes without a receiver, or send in a `select` with `<-ctx.Done()`',
  },
};

/** The pseudo-constructor of a goroutine started only to send (`go func() { ch <- v }()`). */
export const GO_SEND_SPAWN = 'go:send-in-goroutine';
/** The pseudo-constructor of a slice appended to as a queue in a `select` loop. */
export const GO_SLICE_QUEUE = 'go:slice-queue';

/**
 * Go channels are bounded: the unbounded queues are the patterns that defeat the bound. Each has
 * its own message, since neither is a constructor missing a capacity.
 */
const CHANNELS: ChannelConstructor[] = [
  {
    name: GO_SEND_SPAWN,
    bound: 'a direct send',
    message:
      '`{text}` starts a goroutine only to send, so the sender never waits: the channel no longer pushes back, and when the receiver falls behind the parked goroutines pile up, each holding its value, until memory runs out; send directly (in a `select` with `ctx.Done()`), or drop when full with `select { case ch <- v: default: }`',
  },
  {
    name: GO_SLICE_QUEUE,
    bound: 'a length check',
    message:
      '`{text}` grows a slice used as a queue with every value the `select` receives, and nothing checks its length: the bounded channel in front of it no longer pushes back, so a slow consumer turns into memory growth; stop receiving or drop when `len` reaches a limit',
  },
];

const LOCKS: LockType[] = [
  { name: 'sync.Mutex', kind: 'blocking' },
  { name: 'sync.RWMutex', kind: 'blocking' },
];

/** Methods that take a lock (the region starts) and the ones that release it, by receiver kind. */
export const LOCK_METHODS: ReadonlyMap<string, string> = new Map([
  ['Lock', 'Unlock'],
  ['RLock', 'RUnlock'],
]);

const methods = (type: string, names: readonly string[]): string[] => names.map((m) => `${type}.${m}`);

const SQL_QUERIES = ['Query', 'QueryRow', 'Exec', 'Prepare', 'QueryContext', 'QueryRowContext', 'ExecContext', 'PrepareContext', 'Begin', 'BeginTx', 'Ping', 'PingContext', 'Commit', 'Rollback'];
const CONN_IO = ['Read', 'Write', 'ReadFrom', 'WriteTo', 'ReadFromUDP', 'WriteToUDP', 'ReadMsgUDP', 'WriteMsgUDP'];

/**
 * File-system I/O: bounded by the local disk, not by another service. A mutex held across it makes
 * its other users wait for the disk, which a file store, a log or a config writer does on purpose
 * (nats-server's filestore holds `fs.mu` and `mb.mu` across its writes and fsyncs): the lock rule
 * reports it as a hint. An `os.File` can also be a pipe or a terminal; read under a lock, that is rare.
 */
const DISK_IO: string[] = [
  ...methods('os', ['ReadFile', 'WriteFile', 'Open', 'Create', 'OpenFile', 'ReadDir', 'Remove', 'RemoveAll', 'Rename', 'MkdirAll']),
  ...methods('os.File', ['Read', 'ReadAt', 'Write', 'WriteAt', 'WriteString', 'Sync', 'ReadDir', 'Readdir', 'Close']),
  ...methods('io/ioutil', ['ReadFile', 'WriteFile', 'ReadDir']),
];

/** Network, HTTP, database and file I/O: a goroutine parks on each until the other side answers. */
const IO: string[] = [
  ...methods('net/http', ['Get', 'Post', 'PostForm', 'Head']),
  ...methods('net/http.Client', ['Do', 'Get', 'Post', 'PostForm', 'Head']),
  ...methods('net/http.RoundTripper', ['RoundTrip']),
  ...methods('net/http.Transport', ['RoundTrip']),
  ...methods('database/sql.DB', SQL_QUERIES),
  ...methods('database/sql.Tx', SQL_QUERIES),
  ...methods('database/sql.Conn', SQL_QUERIES),
  ...methods('database/sql.Stmt', ['Query', 'QueryRow', 'Exec', 'QueryContext', 'QueryRowContext', 'ExecContext']),
  ...methods('database/sql.Rows', ['Next']),
  ...methods('net', ['Dial', 'DialTimeout', 'DialTCP', 'DialUDP', 'DialUnix', 'LookupHost', 'LookupIP', 'LookupAddr']),
  ...methods('net.Dialer', ['Dial', 'DialContext']),
  ...methods('net.Conn', CONN_IO),
  ...methods('net.TCPConn', CONN_IO),
  ...methods('net.UDPConn', CONN_IO),
  ...methods('net.UnixConn', CONN_IO),
  ...methods('net.Listener', ['Accept']),
  ...methods('net.TCPListener', ['Accept', 'AcceptTCP']),
  ...methods('crypto/tls.Conn', [...CONN_IO, 'Handshake', 'HandshakeContext']),
  ...methods('crypto/tls', ['Dial', 'DialWithDialer']),
  ...DISK_IO,
  ...methods('os/exec.Cmd', ['Run', 'Output', 'CombinedOutput', 'Wait']),
  // `grpc.Dial` connects in the background unless given `WithBlock()`: only the calls wait on the server.
  ...methods('google.golang.org/grpc.ClientConn', ['Invoke', 'NewStream']),
];

/**
 * Calls that park the goroutine without doing I/O, with what the waiters for a held lock wait for.
 * `sync.Cond.Wait` is absent on purpose: it releases its lock while it waits.
 */
export const PARKING_CALLS: ReadonlyMap<string, { readonly until: string }> = new Map([
  ['time.Sleep', { until: 'for the whole sleep' }],
  ['sync.WaitGroup.Wait', { until: 'until every goroutine of the group has called `Done`' }],
  ['golang.org/x/sync/errgroup.Group.Wait', { until: 'until every goroutine of the group has returned' }],
  ['golang.org/x/sync/semaphore.Weighted.Acquire', { until: 'until the semaphore has room' }],
]);

/** Package functions whose result has a known type, so that methods on it resolve (`db, _ := sql.Open(…)`). */
export const RESULT_TYPES: ReadonlyMap<string, string> = new Map([
  ['database/sql.Open', 'database/sql.DB'],
  ['net.Dial', 'net.Conn'],
  ['net.DialTimeout', 'net.Conn'],
  ['net.Listen', 'net.Listener'],
  ['net.DialTCP', 'net.TCPConn'],
  ['net.DialUDP', 'net.UDPConn'],
  ['net.ListenUDP', 'net.UDPConn'],
  ['crypto/tls.Dial', 'crypto/tls.Conn'],
  ['os.Open', 'os.File'],
  ['os.Create', 'os.File'],
  ['os.OpenFile', 'os.File'],
  ['os/exec.Command', 'os/exec.Cmd'],
  ['os/exec.CommandContext', 'os/exec.Cmd'],
  ['google.golang.org/grpc.Dial', 'google.golang.org/grpc.ClientConn'],
  ['google.golang.org/grpc.DialContext', 'google.golang.org/grpc.ClientConn'],
  ['google.golang.org/grpc.NewClient', 'google.golang.org/grpc.ClientConn'],
]);

/**
 * Field and variable types whose calls are I/O on a connection or file: a mutex declared beside
 * one in the same struct serialises its I/O (`wmu sync.Mutex; conn net.Conn`), which is its job.
 */
export const IO_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'net.Conn', 'net.TCPConn', 'net.UDPConn', 'net.UnixConn', 'crypto/tls.Conn', 'os.File', 'bufio.Writer', 'bufio.Reader',
  'bufio.ReadWriter', 'io.Writer', 'io.Reader', 'io.ReadWriter', 'io.WriteCloser', 'io.ReadWriteCloser', 'net/http.ResponseWriter',
  'github.com/gorilla/websocket.Conn', 'nhooyr.io/websocket.Conn', 'golang.org/x/net/websocket.Conn',
]);

/**
 * Methods that take a `context.Context` first but only read it or write a log line: not calls to
 * another service (a client interface method that takes `ctx` is assumed to be one).
 */
export const CONTEXT_ONLY_METHODS: ReadonlySet<string> = new Set([
  'Value', 'Done', 'Err', 'Deadline', 'WithValue', 'WithCancel', 'WithTimeout', 'WithDeadline',
  'Debug', 'Debugf', 'Debugw', 'Info', 'Infof', 'Infow', 'Warn', 'Warnf', 'Warnw', 'Error', 'Errorf', 'Errorw', 'Log', 'Logf', 'Print', 'Printf',
  'DebugContext', 'InfoContext', 'WarnContext', 'ErrorContext', 'LogAttrs', 'Start', 'End', 'SetAttributes', 'AddEvent', 'RecordError',
]);

/** The built-in Go catalog. */
export const goCatalog = makeCatalog({ wording: WORDING, blocking: [], locks: LOCKS, channels: CHANNELS, io: IO, diskIo: DISK_IO });
