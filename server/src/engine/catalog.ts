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
}

/** A language's catalog. */
export interface Catalog {
  readonly wording: Wording;
  readonly blocking: ReadonlyMap<string, BlockingCall>;
  readonly locks: ReadonlyMap<string, LockType>;
  readonly channels: ReadonlyMap<string, ChannelConstructor>;
  /** External I/O, as exact names and as prefixes. */
  readonly io: readonly string[];
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
}): Catalog {
  return {
    wording: data.wording,
    blocking: new Map(data.blocking.map((b) => [b.name, b])),
    locks: new Map(data.locks.map((l) => [l.name, l])),
    channels: new Map(data.channels.map((c) => [c.name, c])),
    io: data.io,
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
  return { wording: base.wording, blocking, locks, channels, io: [...base.io, ...(ext.ioCalls ?? [])] };
}

/** True when `name` is external I/O according to the catalog (exact name or prefix match). */
export function isIoCall(catalog: Catalog, name: string): boolean {
  for (const entry of catalog.io) {
    if (entry === name) return true;
    if ((entry.endsWith('.') || entry.endsWith('::')) && name.startsWith(entry)) return true;
  }
  return false;
}
