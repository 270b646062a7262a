/**
 * The Java catalog: data only. Names are a type's fully qualified name plus the member
 * (`java.lang.Thread.sleep`, `org.springframework.jdbc.core.JdbcTemplate.query`), the strings the
 * frontend writes into `CallSite.callee` after resolving a receiver's declared type through the
 * file's imports; a constructor is `new <type>` (`new java.io.FileInputStream`).
 *
 * APIs were checked against the JDK 17 API, reactor-core 3.5 (`Mono`, `Flux`, `Schedulers`),
 * Spring Framework 6 (`JdbcTemplate`, `RestTemplate`, WebFlux) and Hystrix 1.5.
 */
import { makeCatalog, type BlockingCall, type ChannelConstructor, type LockType, type Wording } from '../../engine/catalog';

const methods = (type: string, names: readonly string[], category: BlockingCall['category'], extra: Partial<BlockingCall> = {}): BlockingCall[] =>
  names.map((m) => ({ name: `${type}.${m}`, category, ...extra }));

const OFFLOAD = 'wrap it in `Mono.fromCallable(() -> …).subscribeOn(Schedulers.boundedElastic())` and compose that with `flatMap` (off a Reactor chain: run it on a dedicated executor)';
const RETURN_MONO = 'return the `Mono` instead (compose it with `flatMap`; a `map` that needs it becomes a `flatMap`)';
const RETURN_FLUX = 'return the `Flux` instead (compose it with `flatMap`/`concatMap`, or `collectList()` it)';
const COMPOSE_FUTURE = 'compose the future instead of waiting for it (`Mono.fromFuture(…)`, or `thenApply`/`thenCompose`)';
const WEBCLIENT = 'use `WebClient` and return its `Mono`, or ' + OFFLOAD;
const R2DBC = 'use a reactive driver (R2DBC, `DatabaseClient`) and return its publisher, or ' + OFFLOAD;

const WORDING: Wording = {
  executor: 'a Reactor non-blocking thread',
  awaited: '{}',
  noTwin: {
    default: OFFLOAD,
    db: R2DBC,
    net: WEBCLIENT,
  },
  helperNoTwin: 'make the helper return a `Mono` (`Mono.fromCallable(() -> …).subscribeOn(Schedulers.boundedElastic())`) and compose it with `flatMap`',
  noRelease: 'release it on every path: call `{lock}.unlock()` in a `finally` block',
  detached: '`{spawner}` in {where} starts work nobody waits for: {detail}',
  hover: {
    point: 'Blocking wait',
    parked: 'the thread blocks here on {what} {until}',
    pause: 'the thread blocks here',
    nothingHeld: 'No lock is held here.',
    held: 'Holds {lock}, taken on line {line}: every thread that needs it waits while this one blocks',
    heldRegion: 'locked region',
    runsOn: '{reason}',
    boundFanOut: 'To bound it, `flatMap(f, N)` over `Flux.fromIterable(items)`, or `concatMap` for one at a time',
    detachedLine: '{spawner} starts work whose failure nobody sees',
    keepTask: 'Return the publisher or future to the caller, or handle its error (`subscribe(v -> {}, e -> …)`, `exceptionally`) and keep the `Disposable` or `Future`',
  },
};

const MONO = 'reactor.core.publisher.Mono';
const FLUX = 'reactor.core.publisher.Flux';
const JUC = 'java.util.concurrent';
const JDBC_EXECUTE = ['execute', 'executeQuery', 'executeUpdate', 'executeBatch', 'executeLargeUpdate', 'executeLargeBatch'];
const JDBC_TEMPLATE = ['query', 'queryForObject', 'queryForList', 'queryForMap', 'queryForRowSet', 'queryForStream', 'update', 'batchUpdate', 'execute', 'call'];
const REST_TEMPLATE = ['getForObject', 'getForEntity', 'headForHeaders', 'postForLocation', 'postForObject', 'postForEntity', 'put', 'patchForObject', 'delete', 'optionsForAllow', 'exchange', 'execute'];
const FILES = [
  'readAllBytes', 'readAllLines', 'readString', 'lines', 'write', 'writeString', 'newBufferedReader', 'newBufferedWriter', 'newInputStream',
  'newOutputStream', 'copy', 'move', 'delete', 'deleteIfExists', 'createFile', 'createDirectories', 'createTempFile', 'list', 'walk', 'find', 'size',
];
const BLOCKING_QUEUES = ['BlockingQueue', 'LinkedBlockingQueue', 'ArrayBlockingQueue', 'LinkedBlockingDeque', 'SynchronousQueue', 'PriorityBlockingQueue', 'DelayQueue'];
const FUTURES = ['Future', 'CompletableFuture', 'FutureTask', 'ScheduledFuture', 'RunnableFuture', 'ForkJoinTask'];

const BLOCKING: BlockingCall[] = [
  // Reactor's own blocking bridges.
  ...methods(MONO, ['block', 'blockOptional'], 'other', { advice: RETURN_MONO }),
  ...methods(FLUX, ['blockFirst', 'blockLast', 'toIterable', 'toStream'], 'other', { advice: RETURN_FLUX }),
  // Futures and the JDK's synchronisers.
  ...FUTURES.map((t) => ({ name: `${JUC}.${t}.get`, category: 'other' as const, advice: COMPOSE_FUTURE })),
  ...['CompletableFuture', 'ForkJoinTask'].map((t) => ({ name: `${JUC}.${t}.join`, category: 'other' as const, advice: COMPOSE_FUTURE })),
  { name: 'com.google.common.util.concurrent.ListenableFuture.get', category: 'other', advice: COMPOSE_FUTURE },
  { name: `${JUC}.CountDownLatch.await`, category: 'other' },
  { name: `${JUC}.CyclicBarrier.await`, category: 'other' },
  ...methods(`${JUC}.Semaphore`, ['acquire', 'acquireUninterruptibly'], 'other'),
  ...BLOCKING_QUEUES.flatMap((q) => methods(`${JUC}.${q}`, ['take', 'put'], 'other')),
  ...methods(`${JUC}.ExecutorService`, ['invokeAll', 'invokeAny', 'awaitTermination'], 'other'),
  { name: 'java.lang.Thread.sleep', category: 'sleep', usage: 'Mono.delay(Duration.ofMillis(…))', advice: 'delay with `Mono.delay(Duration.ofMillis(…))` (or `delayElement`) instead' },
  { name: `${JUC}.TimeUnit.sleep`, category: 'sleep', usage: 'Mono.delay(Duration.of(…))' },
  { name: 'java.lang.Thread.join', category: 'other' },
  { name: 'java.lang.Object.wait', category: 'other' },
  { name: 'java.lang.Process.waitFor', category: 'process' },
  // JDBC and Spring's JDBC templates.
  ...['Statement', 'PreparedStatement', 'CallableStatement'].flatMap((t) => methods(`java.sql.${t}`, JDBC_EXECUTE, 'db')),
  { name: 'java.sql.DriverManager.getConnection', category: 'db' },
  { name: 'javax.sql.DataSource.getConnection', category: 'db' },
  ...methods('org.springframework.jdbc.core.JdbcTemplate', JDBC_TEMPLATE, 'db'),
  ...methods('org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate', JDBC_TEMPLATE, 'db'),
  // Blocking HTTP clients.
  ...methods('org.springframework.web.client.RestTemplate', REST_TEMPLATE, 'net'),
  { name: 'java.net.http.HttpClient.send', category: 'net', advice: 'use `sendAsync` and `Mono.fromFuture(…)`, or `WebClient`' },
  ...methods('java.net.URL', ['openStream', 'getContent'], 'net', { advice: WEBCLIENT }),
  ...methods('java.net.HttpURLConnection', ['connect', 'getInputStream', 'getOutputStream', 'getResponseCode', 'getResponseMessage'], 'net', { advice: WEBCLIENT }),
  ...methods('java.net.URLConnection', ['connect', 'getInputStream', 'getOutputStream'], 'net', { advice: WEBCLIENT }),
  ...methods('java.net.InetAddress', ['getByName', 'getAllByName', 'getLocalHost'], 'net'),
  { name: 'com.netflix.hystrix.HystrixCommand.execute', category: 'net', advice: 'use `observe()`/`toObservable()` and adapt it to Reactor, or ' + OFFLOAD },
  // Files.
  ...methods('java.nio.file.Files', FILES, 'fs'),
  ...['FileInputStream', 'FileOutputStream', 'FileReader', 'FileWriter', 'RandomAccessFile'].map((t) => ({ name: `new java.io.${t}`, category: 'fs' as const })),
  { name: 'java.io.BufferedReader.readLine', category: 'fs' },
];

const LOCKS: LockType[] = [
  ...['ReentrantLock', 'ReentrantReadWriteLock.ReadLock', 'ReentrantReadWriteLock.WriteLock', 'Lock'].map((t) => ({ name: `${JUC}.locks.${t}`, kind: 'blocking' as const })),
  { name: `${JUC}.Semaphore`, kind: 'blocking', limiter: true },
];

/** The unbounded queue and buffer shapes channels.ts reports, by catalog name. */
export const JAVA_CHANNELS = {
  linkedQueue: `new ${JUC}.LinkedBlockingQueue`,
  linkedDeque: `new ${JUC}.LinkedBlockingDeque`,
  fixedPool: `${JUC}.Executors.newFixedThreadPool`,
  singleThread: `${JUC}.Executors.newSingleThreadExecutor`,
  cachedPool: `${JUC}.Executors.newCachedThreadPool`,
  bufferOperator: `${FLUX}.onBackpressureBuffer`,
  unicastSink: 'reactor.core.publisher.Sinks.UnicastSpec.onBackpressureBuffer',
  replayAll: 'reactor.core.publisher.Sinks.MulticastReplaySpec.all',
  create: `${FLUX}.create`,
  push: `${FLUX}.push`,
} as const;
const CH = JAVA_CHANNELS;

const QUEUE_GROWS = 'when consumers fall behind, producers never wait and the backlog grows until memory runs out';
const POOL_ADVICE = 'build a `ThreadPoolExecutor` with a bounded queue (`new ArrayBlockingQueue<>(N)`) and a rejection policy (`CallerRunsPolicy` pushes back on the submitter)';
const BUFFER_GROWS = 'a subscriber slower than its source makes it hold every element it has not requested, until memory runs out';

/** Unbounded queues and buffers (channels.ts finds them; `{text}` is the site as written). */
const CHANNELS: ChannelConstructor[] = [
  ...[CH.linkedQueue, CH.linkedDeque].map((name) => ({
    name, bound: 'a capacity',
    message: `\`{text}\` creates a queue with no capacity (\`Integer.MAX_VALUE\`): ${QUEUE_GROWS}; give it a capacity (\`new ArrayBlockingQueue<>(N)\`, or N as the constructor's argument)`,
  })),
  ...[CH.fixedPool, CH.singleThread].map((name) => ({
    name, bound: 'a bounded work queue',
    message: `\`{text}\` queues submitted tasks in an unbounded \`LinkedBlockingQueue\`: when its threads fall behind, submitters never wait and the backlog grows until memory runs out, each task waiting longer; ${POOL_ADVICE}`,
  })),
  {
    name: CH.cachedPool, bound: 'a maximum pool size',
    message: `\`{text}\` starts a new thread for every task no idle thread takes, without limit: under load it creates threads until the JVM runs out of memory or the OS refuses; ${POOL_ADVICE} and a maximum pool size`,
  },
  {
    name: CH.bufferOperator, bound: 'a size',
    message: `\`{text}\` buffers without a size: ${BUFFER_GROWS}; give it a size and an overflow strategy (\`onBackpressureBuffer(N, BufferOverflowStrategy.DROP_OLDEST)\`), or drop with \`onBackpressureLatest()\``,
  },
  {
    name: CH.unicastSink, bound: 'a bounded queue',
    message: `\`{text}\` buffers in an unbounded queue what is emitted before its subscriber requests it: ${BUFFER_GROWS}; give it a bounded queue (\`onBackpressureBuffer(Queues.<T>get(N).get())\`) and handle \`FAIL_OVERFLOW\` from \`tryEmitNext\``,
  },
  {
    name: CH.replayAll, bound: 'a history limit',
    message: `\`{text}\` keeps every element ever emitted, to replay it to late subscribers: the history grows for the life of the sink; keep the last N with \`replay().limit(N)\` (or \`limit(Duration)\`)`,
  },
  ...[CH.create, CH.push].map((name) => ({
    name, bound: 'an overflow strategy',
    message: `\`{text}\` buffers everything its subscriber has not requested (\`OverflowStrategy.BUFFER\`, the default when no strategy is given): a producer faster than its subscriber fills memory; pass \`FluxSink.OverflowStrategy.LATEST\`, \`DROP\` or \`ERROR\`, or bound it downstream with \`onBackpressureBuffer(N, …)\``,
  })),
];

/** Network, database and file I/O (for the I/O test of `await-holding-lock`). */
const IO: string[] = [
  ...BLOCKING.filter((b) => b.category === 'db' || b.category === 'net' || b.category === 'fs').map((b) => b.name),
  'org.springframework.web.reactive.function.client.WebClient.',
];

/** The Java catalog. */
export const javaCatalog = makeCatalog({ wording: WORDING, blocking: BLOCKING, locks: LOCKS, channels: CHANNELS, io: IO });

/** Types every Java file sees without an import (`java.lang`). */
export const JAVA_LANG: readonly string[] = ['Thread', 'Object', 'Process', 'ProcessBuilder', 'Runtime', 'String', 'System', 'Math', 'Integer', 'Long', 'Boolean'];

/**
 * Fully qualified types the frontend resolves through wildcard imports (`import java.util.concurrent.*;`):
 * a simple name used in a file is given the first of these whose package the file imports.
 */
export const KNOWN_TYPES: readonly string[] = [
  MONO, FLUX, 'reactor.core.publisher.ParallelFlux', 'reactor.core.publisher.Sinks', 'reactor.core.scheduler.Schedulers', 'org.reactivestreams.Publisher',
  ...FUTURES.map((t) => `${JUC}.${t}`), `${JUC}.CountDownLatch`, `${JUC}.CyclicBarrier`, `${JUC}.Semaphore`, `${JUC}.TimeUnit`, `${JUC}.ExecutorService`,
  `${JUC}.Executor`, `${JUC}.Executors`, `${JUC}.ScheduledExecutorService`, ...BLOCKING_QUEUES.map((q) => `${JUC}.${q}`),
  `${JUC}.locks.ReentrantLock`, `${JUC}.locks.Lock`, `${JUC}.locks.ReentrantReadWriteLock`,
  'java.sql.Statement', 'java.sql.PreparedStatement', 'java.sql.CallableStatement', 'java.sql.Connection', 'java.sql.DriverManager', 'java.sql.ResultSet',
  'javax.sql.DataSource', 'org.springframework.jdbc.core.JdbcTemplate', 'org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate',
  'org.springframework.web.client.RestTemplate', 'java.net.http.HttpClient', 'java.net.URL', 'java.net.HttpURLConnection', 'java.net.URLConnection',
  'java.net.InetAddress', 'java.nio.file.Files', 'java.nio.file.Path', 'java.nio.file.Paths', 'java.io.FileInputStream', 'java.io.FileOutputStream',
  'java.io.FileReader', 'java.io.FileWriter', 'java.io.RandomAccessFile', 'java.io.BufferedReader', 'java.io.InputStreamReader',
  'com.netflix.hystrix.HystrixCommand', 'com.google.common.util.concurrent.ListenableFuture',
  'org.springframework.web.server.ServerWebExchange', 'org.springframework.web.reactive.function.server.ServerRequest',
];

/**
 * What some calls return, by resolved callee, so that a chain (`conn.prepareStatement(sql).executeQuery()`)
 * or a `var` binding is typed.
 */
export const RETURN_TYPES: ReadonlyMap<string, string> = new Map([
  ['java.sql.Connection.prepareStatement', 'java.sql.PreparedStatement'],
  ['java.sql.Connection.prepareCall', 'java.sql.CallableStatement'],
  ['java.sql.Connection.createStatement', 'java.sql.Statement'],
  ['java.sql.DriverManager.getConnection', 'java.sql.Connection'],
  ['javax.sql.DataSource.getConnection', 'java.sql.Connection'],
  ['java.net.http.HttpClient.newHttpClient', 'java.net.http.HttpClient'],
  ['java.net.URL.openConnection', 'java.net.URLConnection'],
  ['java.nio.file.Files.newBufferedReader', 'java.io.BufferedReader'],
  [`${MONO}.toFuture`, `${JUC}.CompletableFuture`],
  [`${FLUX}.toStream`, 'java.util.stream.Stream'],
  ['java.net.http.HttpClient.sendAsync', `${JUC}.CompletableFuture`],
  ...['submit', 'schedule'].map((m) => [`${JUC}.ExecutorService.${m}`, `${JUC}.Future`] as [string, string]),
  ...['submit', 'schedule'].map((m) => [`${JUC}.ScheduledExecutorService.${m}`, `${JUC}.ScheduledFuture`] as [string, string]),
  ['java.lang.Thread.ofVirtual', 'java.lang.Thread.Builder'],
  ['java.lang.ProcessBuilder.start', 'java.lang.Process'],
  ['java.lang.Runtime.exec', 'java.lang.Process'],
]);
