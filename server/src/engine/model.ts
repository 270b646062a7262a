/**
 * The async-boundary model: what a frontend reads out of one file, as plain data.
 *
 * Every position is a half-open span of UTF-16 code-unit offsets into the file text, the unit
 * JavaScript strings and LSP use. Frontends that parse bytes (tree-sitter) convert at their
 * boundary; nothing past the frontend sees bytes.
 *
 * Ids are indexes into the arrays of the owning {@link FileModel}, so `model.contexts[id]` is the
 * context with that id.
 */

/** A half-open range `[start, end)` of UTF-16 offsets. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The languages the engine knows. */
export type LanguageId = 'typescript' | 'rust' | 'python' | 'go' | 'java';

/** Why a function body runs on an executor or event loop. */
export type ContextKind =
  /** `async function`, async method, async arrow, `async fn`, `async def`. */
  | 'async-function'
  /** An async closure or block (`async move { … }`, `async || …`). */
  | 'async-block'
  /** A non-async callback handed to a known handler registration (route, listener, timer, `.then`). */
  | 'handler'
  /** A body handed to a task spawner (`tokio::spawn`, `go func`). */
  | 'spawned-task';

/** A function, closure or block whose body runs on an executor or event loop. */
export interface AsyncContext {
  readonly id: number;
  readonly kind: ContextKind;
  /** A readable name for messages and hovers: `handleUpload`, `app.get('/users') handler`. */
  readonly name: string;
  /** The whole function or block. */
  readonly span: Span;
  /** The name identifier, or the `async`/`function` keyword when there is no name. */
  readonly nameSpan: Span;
  /** Why this is an async context, for hovers: `async function`, `callback to app.get`. */
  readonly reason: string;
  /** The id of the function this context is (see {@link FunctionInfo}). */
  readonly functionId: number;
  /**
   * What a blocking call here stalls, when it is not what the language's catalog says of all its
   * contexts (`Wording.executor`): a Java `supplyAsync` callback runs on the common `ForkJoinPool`,
   * not on a Reactor thread.
   */
  readonly runsOn?: string;
  /**
   * What to do about a blocking I/O or sleep call here, when the catalog's advice assumes another
   * kind of context (a `supplyAsync` callback is told to pass an executor, not to use Reactor).
   */
  readonly advice?: string;
}

/**
 * Every function-like node of the file, async or not. Sync helpers are here so that rules can
 * follow a call from an async context into a same-file helper.
 */
export interface FunctionInfo {
  readonly id: number;
  /** Declared or inferred name (`const f = () => …` is `f`); absent for anonymous callbacks. */
  readonly name?: string;
  readonly span: Span;
  readonly nameSpan?: Span;
  /** The enclosing function, if any. */
  readonly parent?: number;
  /**
   * The async context whose executor runs this body inline: its own context when it is one, the
   * enclosing context for a sync closure called inline (`items.forEach(x => …)` inside an async
   * function). Absent for module-level sync functions, helpers called from elsewhere, and bodies
   * offloaded to a thread (`spawn_blocking`, `new Worker`, `asyncio.to_thread`).
   */
  readonly context?: number;
  /** The body is handed to an offload API and runs off the executor. */
  readonly offloaded: boolean;
  /** The function is itself async (it yields instead of blocking its caller). */
  readonly isAsync: boolean;
  /**
   * The closure is handed to a call that runs it later, not during the call (an event listener, a
   * Node callback-style API's callback, a timer, a `.then` continuation): its calls are not part of
   * what the enclosing function does when it is called. Absent when not known to be deferred.
   */
  readonly deferred?: boolean;
  /**
   * An async function whose promise cannot reject: it catches its own failures (TS/JS: every
   * `await`, `throw` and returned promise sits in a `try` whose `catch` never rethrows). Set for a
   * file's outer functions and methods, what its summary may export. Absent: it may reject, or the
   * frontend does not tell. TS/JS also sets it for a function that is not `async` and returns a
   * promise that cannot reject (`return Promise.all(promises)` over promises that each have a `.catch`).
   */
  readonly cannotReject?: boolean;
  /**
   * It cannot reject if each of these calls of another module's functions cannot (their resolved
   * callees: `./Flow.Flow.stop` for a `super.stop()` that the method chains on): the linker decides.
   */
  readonly cannotRejectIf?: readonly string[];
  /**
   * Go: the channel parameters it puts a value into before it returns (see {@link ChannelFills}).
   * Absent when it fills none, or the frontend does not tell.
   */
  readonly fills?: ChannelFills;
}

/**
 * Go: the channel parameters (0-based, the receiver not counted) into which a function sends on
 * every path that returns normally, on its own goroutine, and which it never receives from,
 * reassigns, nor hands to a goroutine, a function literal or another file's function. Handed a
 * channel made just before with a buffer, the function leaves a value in it: a `select` with a
 * `default` that skips the send finds the buffer full, so a value is in it anyway.
 */
export interface ChannelFills {
  /** How many parameters the function takes: a call with another count (a method expression) is not this one. */
  readonly arity: number;
  /** Filled on every path that returns. */
  readonly params: readonly number[];
  /**
   * Filled on every path that returns no error: the others return a non-nil error first
   * (nats-server's `Sublist.registerNotification`: `sendNotification(notify, hasInterest)` unless it
   * returns `ErrInvalidSubject`, `ErrNilChan` or the registration's error). A caller that does not
   * check the error before it receives may wait forever.
   */
  readonly unlessError?: readonly number[];
}

/**
 * The kind of suspension point. Go's parking points are `send` and `receive` (channel operations),
 * `select` (without `default`) and `park` (a call that parks the goroutine: a sleep, a `Wait`, I/O,
 * or a same-file function that reaches one).
 */
export type YieldKind = 'await' | 'for-await' | 'yield' | 'select' | 'async-with' | 'send' | 'receive' | 'park';

/** What a goroutine waits on at a parking point, for messages about a lock held across it. */
export interface Parking {
  /** The operation, as a phrase: `a channel send`, `` `wg.Wait()` ``, `` `http.Get` (network I/O) ``. */
  readonly what: string;
  /** How long the waiters for a lock held across it wait: `until a receiver arrives`. */
  readonly until: string;
  /**
   * Go: where the same-file function called here makes the wait `what` names, when that is a wait
   * it makes with its caller's lock still held before it releases it (a function that hands the
   * lock back): the message is the caller's, and this place is shown beside it.
   */
  readonly inside?: Span;
  /** The wait is file-system I/O (the catalog's `diskIo`), bounded by the disk: reported as a hint. */
  readonly disk?: true;
}

/** A place where the task may be suspended. */
export interface YieldPoint {
  readonly id: number;
  readonly kind: YieldKind;
  /** The whole yield expression, `await fetch(url)`. */
  readonly span: Span;
  /** The keyword (`await`, `.await`, `yield`), for decorations and hovers. */
  readonly keywordSpan: Span;
  /** The enclosing async context. */
  readonly context: number;
  /** 1-based position among the yield points of its context, in source order. */
  readonly ordinal: number;
  /** Ids of the call sites inside the awaited operand (what the task waits on). */
  readonly calls: readonly number[];
  /** Go: what the goroutine parks on here (absent for `await`-style yields). */
  readonly parking?: Parking;
  /**
   * Go: the locks (by `lockKey`) this call gives up for its wait: the called function unlocks the
   * caller's lock before it parks and locks it again after (nats-server's `stalledWait`), so the
   * caller does not hold them while it parks there.
   */
  readonly releases?: readonly string[];
  /**
   * Go: the locks (by `lockKey`) this call holds only because the called function hands them back:
   * it unlocks the caller's lock, takes it again itself, and waits with it held. That wait is the
   * function's own, reported where it is made (with this call beside it), not again at the call.
   */
  readonly handedBack?: readonly string[];
  /**
   * Go: the locks the called same-file function unlocks before it takes them (HeldRegion.entry):
   * a call must hold each, or that first unlock crashes the program (`sync: unlock of unlocked
   * mutex`). See {@link ExpectedLock}.
   */
  readonly expectsHeld?: readonly ExpectedLock[];
  /**
   * Go: calls made before this one in its function (by position) of a same-file function that gives
   * a caller's lock up (unlocks it first, never takes it again), each with the caller's lock it
   * releases, by `lockKey` (mapped through the receiver or a parameter, or a package-level lock).
   */
  readonly givenUpBefore?: readonly { readonly call: number; readonly key: string }[];
  /**
   * Go: a receive from a channel made with a buffer just before and handed, as argument `arg` of
   * `args`, to the call `call` right before the receive (`checked`: in an `if err := …; err != nil
   * { … return }` whose body returns). It does not wait when the function fills that parameter
   * ({@link ChannelFills}; for another file's, the rule asks the linker), or fills it unless it
   * returns an error and the error is checked; unchecked, it waits only if the call failed (a hint).
   * A same-file function that fills it outright is decided by the frontend: no parking point.
   */
  readonly filledBy?: { readonly call: number; readonly arg: number; readonly args: number; readonly checked: boolean };
  /**
   * Go: the caller's locks (by `lockKey`) that the called same-file function takes again, as the
   * caller names them: its receiver's or parameter's lock is the one the call passes (the method's
   * `c.mu`, called as `s.reload()` on a local `s`, is the caller's `s.mu`).
   */
  readonly reacquires?: readonly string[];
  /**
   * Go: the wait runs when a function returns, not where it is written: it is a `defer`red call, or
   * is made in the body of a function literal that `defer` calls (`defer func() { s.ch <- 1 }()`).
   * `context` is that function's (the yield's own for a deferred call, the enclosing one for a
   * literal), `defer` the `defer` statement. Of that function's locks, only those released by a
   * deferred unlock registered before the statement are still held then (see {@link heldAcross}).
   */
  readonly atReturn?: { readonly context: number; readonly defer: Span };
}

/** Go: a lock a called function unlocks itself before taking it ({@link YieldPoint.expectsHeld}). */
export interface ExpectedLock {
  /**
   * The caller's lock it is, by `lockKey`, when the function reaches it through its receiver
   * (`c.peer.flush()`'s `c.mu` is the caller's `c.peer.mu`) or a parameter given a name
   * (`fs.removeMsgBlock(mb)`'s `mb.mu` is the caller's `mb.mu`); absent otherwise, and then the
   * caller cannot tell which lock it is.
   */
  readonly key?: string;
  /** The lock as the caller writes it (`c.peer.mu`) when `key` is known, else as the function writes it. */
  readonly lock: string;
  /** The function's first unlock of it. */
  readonly unlock: Span;
  /** It takes the lock again before returning (it hands it back held); otherwise it returns without it. */
  readonly relocks: boolean;
}

/** Whether a lock blocks the thread while waiting (std Mutex) or yields (async mutex). */
export type LockKind = 'blocking' | 'async';

/** How a held region ends. */
export type ReleaseKind =
  /** `release()`, `drop(guard)`, `unlock()` on the straight-line path. */
  | 'explicit'
  /** Released in a `finally` block, `defer`, or a `with` exit. */
  | 'finally'
  /** The guard goes out of scope (end of block, end of statement for a temporary). */
  | 'scope-end'
  /** The lock is held for the duration of a callback (`runExclusive(cb)`, `locks.request(name, cb)`). */
  | 'callback'
  /** No release was found on some path. */
  | 'missing';

/** A lock or guard held over a span of code. */
export interface HeldRegion {
  readonly id: number;
  /** The lock expression as written (`this.mutex`, `state.cache`). */
  readonly lock: string;
  /** A normalised identity used to detect re-acquisition of the same lock. */
  readonly lockKey: string;
  /** The guard binding, when there is one (`release`, `guard`). */
  readonly guard?: string;
  /**
   * Go: the function takes the lock only when its parameter `param` (0-based) is `value`
   * (`func (as *M) removeSession(s *S, lock bool) { if lock { as.mu.Lock() } … }`): a call passing
   * the other literal (`removeSession(s, false)`, made with the lock held) does not take it.
   */
  readonly takenWhen?: { readonly param: number; readonly value: boolean };
  /** The resolved lock type (`async-mutex.Mutex`, `std::sync::Mutex`), when known. */
  readonly lockType?: string;
  readonly kind: LockKind;
  /** The acquisition expression (`await mutex.acquire()`, `m.lock().unwrap()`). */
  readonly acquireSpan: Span;
  /** From acquisition to release: the code that runs while the lock is held. */
  readonly span: Span;
  /** The release expression, when there is one. */
  readonly releaseSpan?: Span;
  readonly release: ReleaseKind;
  /** The enclosing async context, when the lock is taken inside one. */
  readonly context?: number;
  /** A read lock (`RLock()`): only writers wait for it. */
  readonly shared?: boolean;
  /**
   * Names of the values this lock guards that are themselves I/O resources (a connection behind
   * an async mutex). Awaiting on them is the lock's purpose, not a finding.
   */
  readonly guardedResources: readonly string[];
  /** Taking the lock again on the thread that holds it does not wait (Java's monitors and `ReentrantLock`). */
  readonly reentrant?: boolean;
  /** Who waits while it is held, for messages about a wait inside it (default: `every goroutine that needs it`). */
  readonly waiters?: string;
  /** What holding it there costs beyond its waiters, appended to the wait (`, and this code runs on a virtual thread …`). */
  readonly note?: string;
  /** What to do about a wait inside it, when the language's default advice does not fit. */
  readonly advice?: string;
  /**
   * Go: the lock's identity across the files of its package, `Owner.field` for an unexported mutex
   * field of a struct the frontend can name (`Memberlist.leaveLock`), when its owner's type is known.
   * The package's {@link LockUse}s of that identity tell whether the lock only serialises waits.
   */
  readonly packageLock?: string;
  /**
   * Go: held by the caller when the function starts, up to the function's first `Unlock()` of it
   * (a function whose first operation on a lock is `Unlock()` is called with it held and hands it
   * back: nats-server's `stalledWait`, `flushOutbound`). A wait inside it is the caller's to report,
   * at the call.
   */
  readonly entry?: true;
  /**
   * Go: taken again after such a function released its caller's lock: it hands the lock back to
   * the caller locked, which is no second acquisition (no self-deadlock) and no missing release.
   */
  readonly relock?: true;
  /**
   * Go: the lock belongs to a struct value the function is still building (`s := &Server{…}`), which
   * no other goroutine can have before `until` (the first point that may hand the value out): a wait
   * held under it before then stalls only this function, as go/building.ts decides.
   */
  readonly building?: { readonly value: string; readonly until: number };
  /**
   * Go: released at `releaseSpan` by an explicit `Unlock()` although a deferred function guarded by
   * `flag` (`defer func() { if !unlocked { fs.mu.Unlock() } }()`, registered at `defer`) will unlock
   * it again at the return this path reaches with the flag still false: `sync: unlock of unlocked mutex`.
   * With `reset`, the flag was set true after that unlock and is set back to false at `reset`, the
   * lock not being held again (`fs.mu.Unlock(); unlocked = true; …; unlocked = false`).
   */
  readonly unlockedAgain?: { readonly flag: string; readonly defer: Span; readonly reset?: Span };
}

/**
 * Go: one use of a struct's mutex field in a file, for the package-wide lock facts the summaries
 * carry (a Go package is all the `.go` files of a folder, and any of them may take the lock). A
 * lock whose every acquisition in the package waits while holding it, and which guards no field of
 * its owner, only serialises those waits (memberlist's `leaveLock`, yamux's `sendLock`): nothing
 * quick ever waits behind it.
 */
export interface LockUse {
  /** `Owner.field` ({@link HeldRegion.packageLock}), or `?.field` when the owner's type is not known here. */
  readonly lock: string;
  /** The function that uses it, for messages. */
  readonly function: string;
  /**
   * `acquire`: a `Lock()`/`RLock()`; `escape`: the field used otherwise (`&s.mu` handed to a
   * `sync.Cond` or a helper), so code the frontend cannot see may take it.
   */
  readonly kind: 'acquire' | 'escape';
  /**
   * An acquisition held across a parking point of its function on every path that touches the
   * owner's state (one whose hit path returns without waiting, a read-through cache, does not wait).
   */
  readonly waits?: boolean;
  /**
   * An acquisition under which the function changes a field of the lock's owner (assigns it, or
   * calls a mutating method on it: `r.cache.Add`): the lock guards that state.
   */
  readonly writes?: boolean;
}

/** A call expression. */
export interface CallSite {
  readonly id: number;
  /** The whole call, from the start of the callee to the closing parenthesis. */
  readonly span: Span;
  /** The callee expression (`fs.readFileSync`, `this.db.query`). */
  readonly calleeSpan: Span;
  /** The argument list including parentheses. */
  readonly argsSpan: Span;
  /** The callee as written, whitespace-normalised (`fs.readFileSync`). */
  readonly calleeText: string;
  /**
   * How messages quote the call, when its language quotes calls whole rather than by callee: Java
   * names the call with its receiver chain and arguments (`userRepo.findById(id).block()`, long
   * argument lists shortened to `(…)`). Absent: messages quote {@link calleeText}.
   */
  readonly written?: string;
  /**
   * The fully qualified callee resolved through imports, requires and local aliases, in the
   * catalog's naming (`fs.readFileSync`, `child_process.execSync`, `std::fs::read_to_string`),
   * or absent when it cannot be resolved.
   */
  readonly callee?: string;
  /** The last name of the callee (`readFileSync`, `query`). */
  readonly member: string;
  /** A same-file function this call resolves to, for propagation. */
  readonly localTarget?: number;
  /** The function whose body contains the call (absent at module level). */
  readonly functionId?: number;
  /** The async context the call runs in, after inline closures and offloads are accounted for. */
  readonly context?: number;
  /** The call is the operand of a yield (`await x()`, `x().await`). */
  readonly awaited: boolean;
  /** The call is inside a loop body within its function. */
  readonly inLoop: boolean;
  /**
   * The call runs once per item of a collection (a `for` loop, a comprehension, an iteration
   * callback), as opposed to a `while` loop that repeats over time; absent: {@link inLoop} says it.
   */
  readonly perItem?: boolean;
  /**
   * The call is inside a loop that repeats over time (a `while`), not one over a collection or over a
   * literal (`for sig in {"SIGINT", "SIGTERM"}`); absent: the frontend does not tell them apart.
   */
  readonly repeats?: boolean;
  /** The call's result is discarded (an expression statement). */
  readonly resultUnused: boolean;
  /** Number of arguments. */
  readonly argCount: number;
  /**
   * The call runs once per process, not once per call of its function: it sits behind a memo
   * guard on a cache the function fills (`if (cached !== undefined) return cached; … cached = …`).
   */
  readonly once?: boolean;
  /**
   * The call starts its callee on a task of its own and does not wait for it (Go's `go f(x)`): what
   * the callee does is not part of the caller's work.
   */
  readonly spawns?: boolean;
  /** The call runs when its function returns, not where it is written (Go's `defer f(x)`). */
  readonly deferred?: boolean;
  /** Go: the arguments that are `true` or `false` literals, by position (others `null`); absent when none is. */
  readonly boolArgs?: readonly (boolean | null)[];
}

/** What makes a queue, channel or buffer unbounded. */
export type UnboundedReason =
  /** Constructed without a capacity or concurrency bound. */
  | 'no-capacity'
  /** Constructed with an explicitly infinite bound (`highWaterMark: Infinity`). */
  | 'infinite-capacity'
  /** A backpressure signal is ignored (`write()` returning `false` in a loop with no `'drain'` wait). */
  | 'ignored-backpressure';

/** A channel, queue or buffer construction (or a backpressure-relevant use of one). */
export interface ChannelSite {
  readonly id: number;
  readonly span: Span;
  /** The resolved constructor or method (`p-queue.PQueue`, `tokio::sync::mpsc::unbounded_channel`). */
  readonly constructor: string;
  /** The constructor as written, for messages. */
  readonly text: string;
  readonly bounded: boolean;
  /** Why it is unbounded (absent when bounded). */
  readonly reason?: UnboundedReason;
  readonly context?: number;
  readonly functionId?: number;
}

/** How the handle of a spawned task or created promise is used. */
export type HandleUse = 'awaited' | 'stored' | 'returned' | 'passed' | 'dropped';

/** A task or promise creation whose lifetime matters. */
export interface SpawnSite {
  readonly id: number;
  readonly span: Span;
  /** The spawner (`tokio::spawn`, `Promise.all`, an un-awaited async call). */
  readonly spawner: string;
  readonly handle: HandleUse;
  readonly inLoop: boolean;
  readonly context?: number;
  readonly functionId?: number;
  /** The call that creates it, when there is one (for roles and fixes). */
  readonly callId?: number;
  /** Why a dropped handle is not a lost task, when the code shows it. */
  readonly excuse?: DetachedExcuse;
  /** What the frontend saw that makes the task lost (Go: the send a leaking goroutine blocks on), for the message. */
  readonly detail?: string;
  /**
   * The call names a function of another module (its resolved callee, `./mailer.send`): the frontend
   * cannot tell whether it returns a promise, so the site is a lost task only when the linker's
   * imports say that function is async and can reject (TS/JS).
   */
  readonly linked?: string;
  /**
   * The promise cannot reject if each of these calls of another module's functions cannot (resolved
   * callees; a `.finally` chain on a method that chains on `super.stop()`): the site is excused when
   * the linker's imports say so of every one (TS/JS).
   */
  readonly quietIf?: readonly string[];
  /**
   * The runtime whose spawn this is, or the kind of task it starts, when what a dropped handle means
   * differs from the language's default (Rust: `smol`, whose dropped `Task` is cancelled; `async-std`,
   * which has no `JoinSet`; Python: `sleeper`, a task that only sleeps, which the loop's timer keeps
   * alive but nothing can cancel, and `sleeper-loop`, one that sleeps in a `while True` loop it never
   * leaves, whose head as written is its `detail`: `` `while 1` ``): the key of the catalog's `Wording.detachedBy`.
   */
  readonly runtime?: string;
}

/**
 * Why a dropped task handle is not a lost task, when the code shows it: one task per accepted
 * connection (`accept-loop`), a spawn wrapper whose job is to detach the future it is given
 * (`executor`), a task that reports through a channel it owns (`channel`), an async function whose
 * body catches every failure itself (`handled`), a module's top-level call of its own async entry
 * point (`main();`: a rejection crashes the start, loudly, as Node does by default) (`entry`), a
 * task whose output cannot be an error (an async block with no `?` and no `Err`: only a panic could
 * be lost, and the panic hook prints it) (`no-error`), a comment beside the call that says it is
 * dropped on purpose ("fire-and-forget", "not awaiting"), the prose form of `void` (`deliberate`), a
 * Python task whose coroutine never suspends (no `await`: it runs to completion in the loop's next
 * step, like a `call_soon` callback, so it cannot be collected mid-flight) (`no-suspend`), or
 * suspends only on `asyncio.sleep` and is started once, from a start-up, configuration or command
 * hook (the loop's timer holds the sleep's future, whose callback holds the task, as it holds a
 * `call_later` callback: a watcher that polls on a timer) (`timer`).
 */
export type DetachedExcuse = 'accept-loop' | 'executor' | 'channel' | 'handled' | 'entry' | 'no-error' | 'deliberate' | 'no-suspend' | 'timer';

/** How the items of a fan-out are started. */
export type FanOutShape =
  /** `Promise.all(xs.map(async …))`, `join_all(xs.iter().map(…))`. */
  | 'map'
  /** A loop that pushes one promise or future per item, awaited together afterwards. */
  | 'loop'
  /** A task spawned per item of a loop (`tokio::spawn`, `JoinSet::spawn`, `spawn_blocking`). */
  | 'spawn';

/**
 * Where a fan-out's collection comes from, when the code shows it: a directory listing or glob
 * (`listing`), the body or query of a request (`request`), the lines of an input (`lines`), the
 * values received from a channel (`channel`: Go's `for v := range ch { go … }`).
 * `unknown` for everything else: the rule says nothing about those.
 */
export type CollectionSource = 'listing' | 'request' | 'lines' | 'channel' | 'unknown';

/** What visibly bounds a fan-out. */
export type FanOutBound =
  /** A literal list of a few items. */
  | 'fixed'
  /** `.slice(0, N)`, `.take(N)`. */
  | 'slice'
  /** The items are one chunk of a chunked loop. */
  | 'chunk'
  /** A limiter inside the per-item work (`p-limit`, a semaphore, a queue with a concurrency), or work that is one thread-pool request each (TS/JS `fs.promises.chmod`). */
  | 'limiter'
  /** The loop is an accept or receive loop (one task per connection or message). */
  | 'accept-loop'
  /** The code rejects a collection longer than a limit before starting it (`if (xs.length > MAX) throw`). */
  | 'checked';

/** All items of a collection started at once. */
export interface FanOutSite {
  readonly id: number;
  /** Where the finding goes: the combinator call, or the spawn/push in the loop. */
  readonly span: Span;
  /** The combinator or spawner as written (`Promise.all`, `join_all`, `tokio::spawn`). */
  readonly spawner: string;
  readonly shape: FanOutShape;
  /** The collection as written (`files`, `req.body.ids`). */
  readonly collection: string;
  readonly source: CollectionSource;
  /** The expression the source was read from (`await fs.promises.readdir(dir)`), for messages. */
  readonly sourceText?: string;
  /** What bounds it, when something visibly does. */
  readonly bound?: FanOutBound;
  /** The call started per item, as written (`store.save`, `fetch`), when there is one. */
  readonly work?: string;
  /** How many items run at once when not all do (Reactor's `flatMap`: `up to 256 at a time …`); absent: all at once. */
  readonly inFlight?: string;
  readonly context?: number;
  readonly functionId?: number;
}

/** How a retry waits between attempts. */
export type RetryDelay = 'none' | 'constant' | 'growing';

/** A cap that a configured limit turns off: the limit as written (`config.RetryMaxAttempts`) and when it is off (`is 0`). */
export interface CapSwitch {
  readonly limit: string;
  readonly when: string;
}

/** A loop or recursion that repeats an operation after it fails. */
export interface RetrySite {
  readonly id: number;
  /** Where the finding goes: the loop keyword to the end of its head, the recursive call, or the retrying call. */
  readonly span: Span;
  /** `call`: a retry helper called with a policy (Go's `backoff.Retry(op, policy)`). */
  readonly kind: 'loop' | 'recursion' | 'call';
  /** For `call`: the retry helper as written (`backoff.Retry`). */
  readonly retrier?: string;
  /** The operation retried, as written (`fetch`, `client.connect`); `''` when the code does not say (a retry policy built for later use). */
  readonly operation: string;
  readonly delay: RetryDelay;
  /** The number of attempts is capped on every path. */
  readonly capped: boolean;
  /**
   * The constant delay is an interval read from a configuration or an object's field, as written
   * (`config.RetryInterval`): its length is the user's choice, so the finding is about its lack of
   * jitter and growth, not its length. Set by the Go, TS/JS and Python frontends for loops.
   */
  readonly interval?: string;
  /**
   * TS/JS loops and recursions with a constant delay: the delay expression of each wait the frontend
   * counted, in order (`ms` of `await sleep(ms)`); a wait given no delay has an empty span at its call's end.
   * A recursion deferred by a 0 ms timer (`setTimeout(() => retry(x, attempt + 1), 0)`) has no delay
   * and that timer's `0` here. The fix edits these and nothing else.
   */
  readonly waits?: readonly Span[];
  /** The delay is random within a range that does not grow (Spring's uniform random backoff, a jitter): callers do not retry in step. */
  readonly jittered?: boolean;
  /** A cap exists but a path (a `continue` before it) skips it. */
  readonly capSkippable?: boolean;
  /** The only cap applies while a configured limit is set (`max > 0 && attempt > max`): when it is off, nothing stops the retries. */
  readonly capSwitch?: CapSwitch;
  /** The attempt does not yield (a sync retry). */
  readonly sync?: boolean;
  /**
   * The failure path retries only a transaction conflict (a transient transaction error, a write
   * conflict, a serialization failure, a deadlock): re-running the transaction at once, a few times,
   * is how optimistic concurrency works, not load added to a failing dependency.
   */
  readonly conflict?: boolean;
  readonly context?: number;
  readonly functionId?: number;
}

/** A comment, for suppressions and hovers. */
export interface Comment {
  readonly span: Span;
  /** The comment text without its delimiters (`//`, `#`, `/* *\/`). */
  readonly text: string;
}

/** Everything the rules read about one file. */
export interface FileModel {
  readonly language: LanguageId;
  readonly path: string;
  readonly contexts: readonly AsyncContext[];
  readonly functions: readonly FunctionInfo[];
  readonly yieldPoints: readonly YieldPoint[];
  readonly heldRegions: readonly HeldRegion[];
  readonly calls: readonly CallSite[];
  readonly channels: readonly ChannelSite[];
  readonly spawns: readonly SpawnSite[];
  /** Fan-outs (absent: the frontend does not look for them). */
  readonly fanOuts?: readonly FanOutSite[];
  /** Retry loops and recursions (absent: the frontend does not look for them). */
  readonly retries?: readonly RetrySite[];
  readonly comments: readonly Comment[];
  /** Number of syntax errors the parser recovered from. */
  readonly syntaxErrors: number;
  /** Offset of the first syntax error, when the frontend knows it: findings after it may be missing. */
  readonly firstSyntaxError?: number;
  /** Where each region too deeply nested to analyse starts (offsets, in order): those regions were left out. */
  readonly nestingCuts?: readonly number[];
  /** What the code itself says about where it runs (a shebang, `#[test]`, a `describe` body), from the frontend. */
  readonly roleFacts?: RoleFacts;
  /** Where each part of the file runs, resolved by `analyze` from the path, the config and {@link roleFacts}. */
  readonly roles?: FileRoles;
  /** What the file exports, for its cross-file summary (engine/summary.ts); absent when the frontend does not link. */
  readonly exports?: ModuleExports;
  /** Functions of other modules handed by name to a handler registration (see {@link HandlerRef}). */
  readonly handlerRefs?: readonly HandlerRef[];
  /** Go: the file's acquisitions and other uses of mutex fields (see {@link LockUse}); absent for other languages. */
  readonly lockUses?: readonly LockUse[];
}

/**
 * A function of another module handed by name to a handler registration (`router.get('/files',
 * files.list)`, `hbs.registerHelper('asset', require('./helpers/asset'))`): it runs where an inline
 * callback in that place would, on every request, so what it blocks on blocks there. The linker
 * says what it does; `blocking-in-async` reports a synchronous one that blocks, at the argument.
 */
export interface HandlerRef {
  readonly id: number;
  /** The argument that names the function. */
  readonly span: Span;
  /** The argument as written (`files.list`). */
  readonly text: string;
  /** The function resolved through imports, named as a call's callee is (`./controllers/files.list`). */
  readonly callee: string;
  /** The handler it becomes, as a context would be named (`app.get('/files') handler`). */
  readonly name: string;
}

/**
 * What a file exports, as the frontend reads it: exported functions by name (a class's methods as
 * `Store.save`, its constructor as `Store`, a default export as `default`), and names it
 * re-exports from other modules.
 */
export interface ModuleExports {
  readonly functions: readonly { readonly name: string; readonly functionId: number }[];
  readonly reexports: readonly ReExport[];
}

/** `export * from './x'` (no `names`), `export { a as b } from './x'`, `pub use x::a as b`. */
export interface ReExport {
  /** The module as written in the source (`./x`, `crate::db`). */
  readonly module: string;
  readonly names?: readonly { readonly imported: string; readonly exported: string }[];
}

/**
 * Where code runs. `production` is the default; the others are quieter by default, since an
 * outage does not start in a test or a one-shot script (see engine/roles.ts). `browser` code runs
 * in a visitor's browser, not on the server; `generated` code (minified bundles) is nobody's to fix.
 */
export type CodeRole = 'production' | 'startup' | 'script' | 'test' | 'bench' | 'example' | 'browser' | 'generated';

/** A role and why the code has it. */
export interface RoleFact {
  readonly role: CodeRole;
  /**
   * Where the code runs, as a phrase for messages and hovers: `at startup, before \`app.listen\``,
   * `in test code (under \`tests/\`)`.
   */
  readonly where: string;
  /** For a role that ends partway through a function (startup ends at the `listen`): the offset where it ends. */
  readonly until?: number;
  /** The role from `until` on (a lifespan handler after its `yield` runs at shutdown); production when absent. */
  readonly after?: RoleFact;
  /** Why a quiet finding is harmless there, when the role's usual reason does not fit (engine/roles.ts `roleNote`). */
  readonly note?: string;
}

/** A frontend's role facts: read from syntax only, before paths and config are considered. */
export interface RoleFacts {
  /** A fact about the whole file (a shebang, `criterion_main!`). */
  readonly file?: RoleFact;
  /** Facts about single functions (`#[test]`, a function in a `#[cfg(test)]` module, an `it(…)` callback). */
  readonly functions: readonly { readonly functionId: number; readonly fact: RoleFact }[];
  /** Module-level code with a role of its own (Python's `if __name__ == "__main__":` block: a script's entry). */
  readonly module?: readonly { readonly span: Span; readonly fact: RoleFact }[];
  /**
   * Functions that run as the root of an event loop the code starts itself, wherever that call is
   * (Python's `asyncio.run(main())` inside a `run()` function): each runs once per start, with nothing
   * else on its loop until it starts something, so it is an entry point like a `main`: startup up to
   * the call that serves (and only when it makes one).
   */
  readonly loopRoots?: readonly number[];
}

/** The resolved roles of a file. */
export interface FileRoles {
  /** The role of the file as a whole, and of its module-level code. */
  readonly file: RoleFact;
  /** The role of each function, by function id. */
  readonly functions: readonly RoleFact[];
  /** Module-level code before this offset runs at startup (a module-level `app.listen(…)` comes after it). */
  readonly moduleUntil?: number;
  /** Module-level code with a role of its own (`RoleFacts.module`), when the file's role is production. */
  readonly module?: readonly { readonly span: Span; readonly fact: RoleFact }[];
}

/** True when `inner` lies within `outer`. */
export function spanContains(outer: Span, inner: Span): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * Whether the lock of `region` is held where `y` waits: `y` lies in the region, in its context, after
 * the acquisition. A wait that runs at a function's return ({@link YieldPoint.atReturn}) is under
 * that function's lock only when a deferred unlock registered before the `defer` releases it
 * (defers run last in, first out); an unlock written before the return has released it already.
 */
export function heldAcross(region: HeldRegion, y: YieldPoint): boolean {
  const ret = y.atReturn;
  if (ret !== undefined && region.context === ret.context) {
    return spanContains(region.span, ret.defer) && ret.defer.start >= region.acquireSpan.end && deferredBefore(region, ret.defer);
  }
  return y.context === region.context && spanContains(region.span, y.span) && y.span.start >= region.acquireSpan.end;
}

/** The region is released by a deferred unlock (`defer mu.Unlock()`) registered before `at`. */
export function deferredBefore(region: HeldRegion, at: Span): boolean {
  return region.release === 'finally' && region.releaseSpan !== undefined && region.releaseSpan.start < at.start;
}
