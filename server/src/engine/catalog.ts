/**
 * The shape of a language catalog: data only. Each language folder exports one; the project
 * config adds entries to it with {@link extendCatalog}.
 *
 * Names are fully qualified in the language's own resolution scheme, the same strings a frontend
 * writes into `CallSite.callee` (`fs.readFileSync`, `std::thread::sleep`, `time.sleep`).
 */

/** What kind of blocking a call does; messages and fixes use it. */
export type BlockingCategory = 'fs' | 'process' | 'crypto' | 'zlib' | 'sleep' | 'net' | 'db' | 'cpu' | 'other';

/** A call that blocks the executor thread. */
export interface BlockingCall {
  readonly name: string;
  readonly category: BlockingCategory;
  /** The non-blocking equivalent, as a fully qualified name, when one exists. */
  readonly replacement?: string;
  /**
   * How to call the replacement when it is not a drop-in for `await <replacement>` (a promisified
   * `exec` resolves to `{ stdout, stderr }`): messages show this form instead.
   */
  readonly usage?: string;
  /** Advice for this call when neither a replacement nor the language's default advice fits (`block_on`). */
  readonly advice?: string;
  /** The work is CPU-bound with no async twin: the fix is to offload it to a worker or thread. */
  readonly cpuHeavy?: boolean;
  /**
   * Why the call is cheap in the usual case, when it is (`mkdir(exist_ok=True)`: one metadata system
   * call once the folder exists): a finding for it is reported as a hint at most, with this reason.
   */
  readonly cheap?: string;
}

/** A lock type whose acquisition starts a held region. */
export interface LockType {
  readonly name: string;
  readonly kind: 'blocking' | 'async';
  /** A concurrency limiter (semaphore): holding it across I/O is its purpose, not a finding. */
  readonly limiter?: boolean;
}

/** A channel, queue or buffer constructor. */
export interface ChannelConstructor {
  readonly name: string;
  /**
   * How to bound it, for messages and fixes: an option name (`concurrency`), a positional
   * argument (`capacity`), or a bounded replacement constructor (`tokio::sync::mpsc::channel`).
   */
  readonly bound: string;
  /** The constructor never takes a bound; its bounded twin is `bound`. */
  readonly alwaysUnbounded?: boolean;
  /**
   * The whole message, with `{text}` for the site as written, for a pattern that is not a
   * constructor (Go's goroutine spawned per send): the rule's wording would not fit it.
   */
  readonly message?: string;
}

/** Calls that perform external I/O when awaited (network, disk, database, timers). */
export interface IoCall {
  /** A fully qualified name, or a prefix ending in `.` or `::` matching every member below it. */
  readonly name: string;
}

/**
 * How a language's messages speak of blocking and awaiting: data, so the rules stay the same for
 * every language.
 */
export interface Wording {
  /**
   * The async library code of this catalog runs on, when the language has several (Python: `asyncio`,
   * `anyio`, `trio`): advice written in rules names its APIs (`asyncio.Semaphore`, `await trio.sleep`).
   */
  readonly library?: string;
  /** What a blocking call stalls: `the event loop`, `the executor thread`. */
  readonly executor: string;
  /** How an awaited call is written, with `{}` for the callee: `await {}`, `{}(…).await`. */
  readonly awaited: string;
  /** Advice for a blocking call with no async twin, by category (`cpu` also for `cpuHeavy` calls), else `default`. */
  readonly noTwin: Readonly<Partial<Record<BlockingCategory, string>>> & { readonly default: string };
  /** Advice for a same-file helper whose blocking call has no async twin. */
  readonly helperNoTwin: string;
  /** Advice for a lock not released on every path, with `{lock}` for the lock (default: a `finally` block). */
  readonly noRelease?: string;
  /**
   * `detached-task`'s message for a task or promise started and forgotten, with `{spawner}` for the
   * call that starts it and `{where}` for its place (`this code` outside a function). A language
   * without it gets no `detached-task` findings: how a forgotten task fails is the language's own.
   * `{detail}` is the spawn's own `detail`, when the frontend gives one.
   */
  readonly detached?: string;
  /**
   * The `detached` message for the spawns of one runtime whose truth differs from the language's
   * default (Rust: dropping a smol `Task` cancels it), by the spawn's `runtime` (SpawnSite).
   */
  readonly detachedBy?: Readonly<Record<string, string>>;
  /** How the editor's hovers speak of tasks and yield points; what is left out reads as a task on an event loop or executor. */
  readonly hover?: Partial<HoverWording>;
}

/**
 * How hovers, inlay hints and other editor text speak of the language's concurrency: data, so the
 * editor code stays the same for every language. Placeholders are written `{name}`.
 */
export interface HoverWording {
  /** What a yield point is called, capitalised: `Yield point`, `Parking point`. */
  readonly point: string;
  /** What happens at a yield point: `the task may pause here while other tasks run`. */
  readonly pause: string;
  /** What happens at a yield point whose model says what the task waits on, with `{what}` and `{until}` (a `Parking`). */
  readonly parked: string;
  /** Said at a yield point across which nothing is held. */
  readonly nothingHeld: string;
  /**
   * One held lock, with `{lock}`, `{kind}` (`blocking`/`async`), `{type}` (` \`sync.Mutex\``, or empty),
   * `{typeName}` (`` `sync.Mutex` ``, or `a blocking lock`), `{locked}` (`locked`, or `read-locked` for a
   * read lock), `{line}` (where it was taken) and `{writers}` (` for writing` for a read lock, or empty).
   */
  readonly held: string;
  /** A held region, in the counts of a function's summary: `held lock region`. */
  readonly heldRegion: string;
  /** Where a context's code runs, after its name, with `{reason}` (the context's own reason). */
  readonly runsOn: string;
  /** A task as the language calls it: `task`, `goroutine`. */
  readonly task: string;
  /** How to bound a fan-out, capitalised, one line. */
  readonly boundFanOut: string;
  /** How to bound a fan-out of spawned tasks (a task per item of a loop), when it differs: what the fix for that shape does. */
  readonly boundSpawnFanOut?: string;
  /** The title of a detached task's hover: `Detached task`, `Goroutine leak`. */
  readonly detachedTitle: string;
  /** What a detached task is, with `{spawner}` (code), `{started}` (`a task`, `one task per iteration`) and `{detail}` (the spawn's own detail). */
  readonly detachedLine: string;
  /** How to keep a detached task, capitalised, one line. */
  readonly keepTask: string;
  /** `detachedLine` and `keepTask` for the spawns of one runtime that differs (see `Wording.detachedBy`), by the spawn's `runtime`. */
  readonly detachedBy?: Readonly<Record<string, { readonly line: string; readonly keep: string }>>;
}

const DEFAULT_HOVER: HoverWording = {
  point: 'Yield point',
  pause: 'the task may pause here while other tasks run',
  parked: 'the task may pause here while other tasks run',
  nothingHeld: 'Nothing is held across it.',
  held: 'Holds {lock} ({kind} lock{type}), acquired on line {line}',
  heldRegion: 'held lock region',
  runsOn: 'runs on the event loop or executor ({reason})',
  task: 'task',
  boundFanOut: 'To bound it, a semaphore or chunks of N',
  detachedTitle: 'Detached task',
  detachedLine: '{spawner} starts {started} that nothing awaits or keeps',
  keepTask: 'Keep its handle and wait for it, or handle its failure where it runs',
};

/** The catalog's hover wording, with the defaults for what it leaves out. */
export function hoverWording(catalog: Pick<Catalog, 'wording'>): HoverWording {
  return catalog.wording.hover ? { ...DEFAULT_HOVER, ...catalog.wording.hover } : DEFAULT_HOVER;
}

/** A language's catalog. */
export interface Catalog {
  readonly wording: Wording;
  readonly blocking: ReadonlyMap<string, BlockingCall>;
  readonly locks: ReadonlyMap<string, LockType>;
  readonly channels: ReadonlyMap<string, ChannelConstructor>;
  /** External I/O, as exact names and as prefixes. */
  readonly io: readonly string[];
  /**
   * The I/O entries that only touch the local file system (Go's `os.WriteFile`, `os.File.Sync`): a
   * wait bounded by the disk, not by another service. Where a held lock stalls no executor (Go), a
   * lock held across one serialises its users behind the disk, which a store or a log does on
   * purpose: reported as a hint.
   */
  readonly diskIo?: ReadonlySet<string>;
}

/** Extra entries a user adds for one language in `.async-boundary.json`. */
export interface CatalogExtension {
  readonly blockingCalls?: readonly (string | BlockingCall)[];
  readonly lockTypes?: readonly (string | LockType)[];
  readonly channelConstructors?: readonly (string | ChannelConstructor)[];
  readonly ioCalls?: readonly string[];
}

/** Builds a catalog from plain arrays, the form language folders write their data in. */
export function makeCatalog(data: {
  wording: Wording;
  blocking: readonly BlockingCall[];
  locks: readonly LockType[];
  channels: readonly ChannelConstructor[];
  io: readonly string[];
  diskIo?: readonly string[];
}): Catalog {
  return {
    wording: data.wording,
    blocking: new Map(data.blocking.map((b) => [b.name, b])),
    locks: new Map(data.locks.map((l) => [l.name, l])),
    channels: new Map(data.channels.map((c) => [c.name, c])),
    io: data.io,
    ...(data.diskIo ? { diskIo: new Set(data.diskIo) } : {}),
  };
}

/** Returns `base` with the user's entries added; a user entry replaces a built-in one of the same name. */
export function extendCatalog(base: Catalog, ext: CatalogExtension | undefined): Catalog {
  if (!ext) return base;
  const blocking = new Map(base.blocking);
  for (const e of ext.blockingCalls ?? []) {
    const entry: BlockingCall = typeof e === 'string' ? { name: e, category: 'other' } : e;
    blocking.set(entry.name, entry);
  }
  const locks = new Map(base.locks);
  for (const e of ext.lockTypes ?? []) {
    const entry: LockType = typeof e === 'string' ? { name: e, kind: 'blocking' } : e;
    locks.set(entry.name, entry);
  }
  const channels = new Map(base.channels);
  for (const e of ext.channelConstructors ?? []) {
    const entry: ChannelConstructor = typeof e === 'string' ? { name: e, bound: 'a capacity' } : e;
    channels.set(entry.name, entry);
  }
  return { wording: base.wording, blocking, locks, channels, io: [...base.io, ...(ext.ioCalls ?? [])], ...(base.diskIo ? { diskIo: base.diskIo } : {}) };
}

/**
 * A catalog's `io` list as a set of exact names and a set of prefixes. A prefix ends in `.` or `::`,
 * so a name can only start with one at the end of one of its own separators: the test looks up the
 * name's few heads (`fs.`, `fs.promises.`) instead of trying every prefix. It keeps no answers: a
 * memo of callees kept their text, and each callee is a slice of its file's text, which V8 then
 * keeps whole (the language server's index held 2.2 MB of webpack's sources that way).
 */
interface IoIndex {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: ReadonlySet<string>;
  /** The longest prefix's length: a head past it names none (a chain of a thousand calls is not read to its end). */
  readonly longest: number;
}

const ioIndexes = new WeakMap<readonly string[], IoIndex>();

/** True when `name` is external I/O according to the catalog (exact name or prefix match). */
export function isIoCall(catalog: Catalog, name: string): boolean {
  let index = ioIndexes.get(catalog.io);
  if (!index) {
    // An entry ending in `.` or `::` matches by prefix (and, like any entry, by its exact text).
    const prefixes = catalog.io.filter((e) => e.endsWith('.') || e.endsWith('::'));
    index = { exact: new Set(catalog.io), prefixes: new Set(prefixes), longest: Math.max(0, ...prefixes.map((p) => p.length)) };
    ioIndexes.set(catalog.io, index);
  }
  if (index.exact.has(name)) return true;
  const end = Math.min(name.length, index.longest);
  for (let i = 0; i < end; i++) {
    const c = name.charCodeAt(i);
    // `.` ends a head; so does the second `:` of `::`.
    if ((c === 46 || (c === 58 && i > 0 && name.charCodeAt(i - 1) === 58)) && index.prefixes.has(name.slice(0, i + 1))) return true;
  }
  return false;
}
