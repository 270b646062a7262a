/**
 * Held mutex regions of a Go file: from `mu.Lock()` (or `RLock`) to `mu.Unlock()` on each path,
 * or to the end of the function after `defer mu.Unlock()`.
 *
 * Each function body is walked statement by statement, keeping which mutexes are held. A branch
 * that unlocks and returns (`if hit { mu.Unlock(); return v }`) does not end the region on the
 * path that falls through, so a region is emitted as pieces: one contiguous span per run of
 * statements where the mutex is held. A `return` reached with a mutex held that the function
 * unlocks elsewhere is a missing release.
 *
 * A mutex is recognised by its declared type (`sync.Mutex`, `sync.RWMutex`, a struct embedding
 * one), or, for a type declared in another file of the package, by a `Lock()` that the same
 * function `Unlock()`s or a name that says so (`mu`, `mtx`, `lock`).
 */
import type { HeldRegion, LockUse, ReleaseKind, Span, YieldPoint } from '../../engine/model';
import { heldAcross, spanContains } from '../../engine/model';
import { IO_RESOURCE_TYPES, LOCK_METHODS } from './catalog';
import { aliasOf, enclosingFn, exprType, span, type GoFn, type GoState } from './builder';
import { sharedFrom, type FreshMemo } from './building';
import { field, textOf, walk, type GoNode } from './syntax';

const RELEASES = new Set(LOCK_METHODS.values());
const FUNCTION_KINDS = new Set(['function_declaration', 'method_declaration', 'func_literal']);
const LOCK_NAME = /(?:^|[._a-z])(?:mu|mtx|mutex|lock|Mu|Mutex|Lock)$/;
/**
 * What every lock operation {@link FunctionWalk} reads is written with: a method of `LOCK_METHODS`
 * (`Lock`, `RUnlock`), a closure that calls one, or a function value named for it (`unlock()`,
 * `release()`). Most files have none (200 of grpc-go's 298), and their functions are not walked; nor
 * is a function whose body has none, in a file that has some, unless the file has a method that gives
 * its caller's lock up (a call of one is that lock's unlock).
 */
const LOCK_WORDS = /lock|release/i;
const COMPOUND = new Set(['if_statement', 'for_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement', 'block', 'labeled_statement']);
const TERMINAL_CALL = /^(?:panic|os\.Exit|log\.(?:Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)|runtime\.Goexit)$/;

/** One lock operation statement. */
interface LockOp {
  readonly kind: 'lock' | 'unlock' | 'defer-unlock';
  readonly key: string;
  readonly lock: string;
  readonly lockType: string | undefined;
  readonly node: GoNode;
  readonly call: GoNode;
  readonly guarded: readonly string[];
  /** `RLock()`: a read lock. */
  readonly shared: boolean;
  /** `Owner.field` (`?.field` when the owner's type is unknown), for the package's lock facts; absent for other locks. */
  readonly use?: string;
  /** {@link HeldRegion.packageLock}: `use` when the package sees every use of the lock. */
  readonly packageLock?: string;
  /** The lock's owner as written (`s` for `s.mu`), whose fields a write under the lock changes. */
  readonly owner?: string;
  /** A deferred unlock guarded by a flag: `defer func() { if !unlocked { x.Unlock() } }()`. */
  readonly guard?: string;
}

/** One acquisition of a mutex field, for the package's lock facts ({@link LockUse}). */
export interface Acquisition {
  readonly lock: string;
  readonly function: string;
  /** The regions it holds (indexes into the file's held regions). */
  readonly regions: readonly number[];
  readonly writes: boolean;
  /** Where its paths are followed from ({@link quickPath}): the `Lock()` statement, in `body` of its function. */
  readonly from: GoNode;
  readonly body: GoNode;
  readonly context: number;
  /** The lock's owner as written (`r` for `r.mu`) and the mutex field (`mu`). */
  readonly owner: string;
  readonly lockField: string;
  /** Statements that release it explicitly (`r.mu.Unlock()`, an `unlock()` helper). */
  readonly unlocks: ReadonlySet<GoNode>;
  /** Regions of other locks taken inside it: what they cover is theirs. */
  readonly nested: readonly Span[];
}

/** A mutex acquisition while it is held. */
interface Acq {
  readonly op: LockOp;
  deferred?: Span;
  missing: boolean;
  readonly regions: number[];
  /** Held by the caller on entry (the function hands the lock back, see {@link FunctionWalk.handsBack}). */
  readonly entry?: true;
  /** Taken again after the function released its caller's lock: handed back locked, never missing. */
  readonly relock?: true;
  /** Taken only when a parameter has this value (`if lock { as.mu.Lock() }`): see {@link FunctionWalk.guardedLocks}. */
  readonly takenWhen?: { readonly param: number; readonly value: boolean };
}

/** The lock type of the value `x` (`sync.Mutex`, or the lock a struct embeds), if declarations say it. */
function lockTypeOf(state: GoState, x: GoNode, fn: GoFn): string | undefined {
  const t = exprType(state, x, fn);
  if (t === undefined) return undefined;
  if (state.catalog.locks.has(t)) return t;
  const s = state.scope.structs.get(t);
  return s?.embedded.find((e) => state.catalog.locks.has(e));
}

/** The lock's identity across functions: the receiver's name is replaced by its type (`c.mu` → `Cache.mu`). */
function keyOf(state: GoState, x: GoNode, fn: GoFn): string {
  return lockKeyOf(textOf(state.text, x), fn);
}

/** {@link keyOf} for a lock written as `text` in `fn`. */
export function lockKeyOf(written: string, fn: GoFn): string {
  const text = written.replace(/\s+/g, '');
  const base = /^\w+/.exec(text)?.[0];
  for (let f: GoFn | undefined = fn; f; f = f.parent) {
    if (f.receiver && f.receiver.name === base) return f.receiver.type + text.slice(base.length);
    if (f.vars.has(base ?? '')) break;
  }
  return text;
}

/**
 * The identity of a mutex field across the package: `Owner.field` (`Stream.sendLock` for
 * `s.sendLock` in a method of `*Stream`), `?.field` when the owner's type is not known here; and
 * whether that identity is one the whole package can see all uses of (an unexported field of a
 * known type: an exported one, or a mutex embedded in a struct, may be locked by other packages).
 */
function fieldLockOf(state: GoState, x: GoNode, fn: GoFn): { use: string; owner: string; known: boolean } | undefined {
  if (x.type !== 'selector_expression') return undefined;
  const f = field(x, 'field');
  const op = field(x, 'operand');
  if (!f || !op) return undefined;
  const name = textOf(state.text, f);
  const t = declaringStruct(state, exprType(state, op, fn), name);
  return { use: `${t ?? '?'}.${name}`, owner: textOf(state.text, op).replace(/\s+/g, ''), known: t !== undefined && /^[a-z_]/.test(name) };
}

/**
 * The struct that declares field `name` of a value of type `t`: `t` itself, or the embedded struct
 * of this file it is promoted from (`c.mu` on a `Client` embedding `*baseToken` is `baseToken.mu`),
 * so that the lock is named the same through every embedding. Undefined when the field may come
 * from an embedded type declared in another file: the owner is then unknown (`?.mu`).
 */
function declaringStruct(state: GoState, t: string | undefined, name: string, depth = 0): string | undefined {
  const s = t === undefined ? undefined : state.scope.structs.get(t);
  if (!s || s.fields.has(name)) return t;
  if (depth > 4) return undefined;
  for (const e of s.embedded) {
    const inner = state.scope.structs.get(e);
    if (inner && (inner.fields.has(name) || inner.embedded.length > 0)) {
      const found = declaringStruct(state, e, name, depth + 1);
      if (found !== undefined && state.scope.structs.get(found)?.fields.has(name)) return found;
    }
  }
  // Not declared by the struct nor by an embedded struct of this file: promoted from one declared
  // elsewhere in the package (or another package), which this file cannot name.
  return s.embedded.length > 0 ? undefined : t;
}

/** Names of connection and file fields beside the mutex in its struct (`c.conn` beside `c.wmu`). */
function guardedResources(state: GoState, x: GoNode, fn: GoFn): string[] {
  const { text, scope } = state;
  let owner: GoNode | undefined;
  if (x.type === 'selector_expression') owner = field(x, 'operand');
  else if (x.type === 'identifier') owner = x;
  if (!owner) return [];
  const s = scope.structs.get(exprType(state, owner, fn) ?? '');
  if (!s) return [];
  const prefix = textOf(text, owner);
  const out: string[] = [];
  for (const [name, type] of s.fields) if (IO_RESOURCE_TYPES.has(type)) out.push(`${prefix}.${name}`);
  return out;
}

/**
 * The lock call a statement makes: `x.Lock()`, `x.Unlock()`, `defer x.Unlock()`, `defer func() { x.Unlock() }()`,
 * and `defer func() { if !unlocked { x.Unlock() } }()`, whose unlock is guarded by `unlocked` (`guard`):
 * the function sets it where it unlocks early (nats-server's filestore recovery).
 */
function lockCallsOf(text: string, stmt: GoNode): { call: GoNode; deferred: boolean; guard?: string }[] {
  if (stmt.type === 'expression_statement' && stmt.children[0]?.type === 'call_expression') return [{ call: stmt.children[0], deferred: false }];
  if (stmt.type !== 'defer_statement') return [];
  const call = stmt.children.find((c) => c.type === 'call_expression');
  if (!call) return [];
  const fnNode = field(call, 'function');
  if (fnNode?.type !== 'func_literal') return [{ call, deferred: true }];
  const calls = (list: GoNode | undefined): GoNode[] => (list?.children ?? []).filter((s) => s.type === 'expression_statement' && s.children[0]?.type === 'call_expression').map((s) => s.children[0]!);
  const list = statementsOf(field(fnNode, 'body'));
  const only = list.length === 1 && list[0]!.type === 'if_statement' ? list[0]! : undefined;
  const cond = unparen(only && !field(only, 'alternative') && !field(only, 'initializer') ? field(only, 'condition') : undefined);
  // `if !unlocked`, also written `if !(unlocked)` or `if (!unlocked)`.
  const flag = unparen(cond?.type === 'unary_expression' && text[cond.start] === '!' ? field(cond, 'operand') : undefined);
  const params = field(fnNode, 'parameters')?.children.some((c) => c.type === 'parameter_declaration' || c.type === 'variadic_parameter_declaration');
  if (only && flag?.type === 'identifier' && !params) {
    const guard = text.slice(flag.start, flag.end);
    return calls(field(only, 'consequence')?.children.find((c) => c.type === 'statement_list')).map((c) => ({ call: c, deferred: true, guard }));
  }
  return calls(field(fnNode, 'body')?.children.find((c) => c.type === 'statement_list')).map((c) => ({ call: c, deferred: true }));
}

/** `x` without the parentheses around it. */
function unparen(x: GoNode | undefined): GoNode | undefined {
  let n = x;
  while (n?.type === 'parenthesized_expression') n = n.children.find((c) => c.type !== '(' && c.type !== ')');
  return n;
}

/**
 * The value a statement assigns to the name `flag` as written (`true` for `flag = true`, and for
 * `flag, err = true, e` element-wise), undefined when it assigns it none or not one by one.
 */
function flagValue(text: string, st: GoNode, flag: string): string | undefined {
  if (st.type !== 'assignment_statement' || text.slice(field(st, 'left')?.end ?? 0, field(st, 'right')?.start ?? 0).trim() !== '=') return undefined;
  const left = assignedTargets(st);
  const right = field(st, 'right');
  const values = right?.type === 'expression_list' ? right.children.filter((c) => c.type !== ',') : right ? [right] : [];
  const i = left.findIndex((t) => t.type === 'identifier' && textOf(text, t) === flag);
  return i >= 0 && left.length === values.length ? textOf(text, values[i]!) : undefined;
}

/** True when a `break` in `body` leaves `loop` (one not inside a nested loop, switch or select, or a labelled one). */
function breaksOut(body: GoNode | undefined, loop: GoNode): boolean {
  if (!body) return false;
  let found = false;
  walk(body, (n) => {
    if (found || n.type === 'func_literal') return false;
    if (n.type === 'break_statement') {
      if (n.children.some((c) => c.type === 'label_name')) found = true;
      else {
        let up = n.parent;
        while (up && up !== loop && !/^(?:for_statement|expression_switch_statement|type_switch_statement|select_statement)$/.test(up.type)) up = up.parent;
        if (up === loop) found = true;
      }
    }
    return true;
  });
  return found;
}

/** Statements of a block-like node (a `block`, a case clause). */
export function statementsOf(node: GoNode | undefined): GoNode[] {
  if (!node) return [];
  const list = node.type === 'statement_list' ? node : node.children.find((c) => c.type === 'statement_list');
  return (list?.children ?? []).filter((c) => c.type !== 'comment');
}

/**
 * Builds the held regions of every function of the file; each acquisition of a mutex field is
 * added to `acquisitions`, for the package's lock facts ({@link lockUses}).
 */
export function buildHeldRegions(state: GoState, acquisitions: Acquisition[] = []): HeldRegion[] {
  const regions: HeldRegion[] = [];
  if (!LOCK_WORDS.test(state.text)) return regions;
  // Where the file says a lock word: a function whose body says none makes no lock operation of its
  // own and gives up no lock. Unless a method of the file gives its caller's lock up (a call of one
  // is that lock's unlock, and needs no lock word), such a function is not walked: in a file that
  // has lock words, most functions still have none.
  const words: number[] = [];
  for (const m of state.text.matchAll(LOCK_WORDS_ALL)) words.push(m.index);
  const all: { walk: FunctionWalk | undefined; fn: GoFn; body: GoNode }[] = [];
  for (const fn of state.fns) {
    const body = field(fn.node, 'body');
    if (!body) continue;
    let w: FunctionWalk | undefined;
    if (someWithin(words, body.start, body.end)) {
      w = new FunctionWalk(state, fn, regions, acquisitions);
      w.collect(body);
    }
    all.push({ walk: w, fn, body });
  }
  if (all.some((e) => e.walk !== undefined && e.walk.givesUp().length > 0)) {
    for (const e of all) {
      if (e.walk) continue;
      e.walk = new FunctionWalk(state, e.fn, regions, acquisitions);
      e.walk.collect(e.body);
    }
  }
  const walks = all.flatMap((e) => (e.walk ? [{ walk: e.walk, body: e.body }] : []));
  // Methods that return without a lock their caller holds (see FunctionWalk.givesUp): a call of one
  // releases the caller's lock, as an `Unlock()` would; a method whose first such operation is that
  // call gives the lock up too (`shutdownLocked` calling `closeLocked`), to a fixed point.
  const givesUp = new Map<number, readonly string[]>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const { walk: w } of walks) {
      if (givesUp.has(w.fnId)) continue;
      const g = w.givesUp();
      if (g.length > 0) {
        givesUp.set(w.fnId, g);
        changed = true;
      }
    }
    if (changed) for (const { walk: w, body } of walks) w.collectGiveUpCalls(body, givesUp);
  }
  for (const { walk: w, body } of walks) w.run(body);
  return regions;
}

/** The call a statement makes as a whole: `f()`, `return f()`, `err := f()`, `err = f()`. */
function wholeCall(stmt: GoNode): GoNode | undefined {
  let x: GoNode | undefined;
  if (stmt.type === 'expression_statement') x = stmt.children[0];
  else if (stmt.type === 'return_statement') x = stmt.children.find((c) => c.type !== 'return');
  else if (stmt.type === 'short_var_declaration' || stmt.type === 'assignment_statement') x = field(stmt, 'right');
  if (x?.type === 'expression_list') x = x.children.length === 1 ? x.children[0] : undefined;
  return x?.type === 'call_expression' ? x : undefined;
}

const LOCK_WORDS_ALL = new RegExp(LOCK_WORDS.source, 'gi');

/** True when the sorted `positions` hold one in [start, end). */
function someWithin(positions: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < positions.length && positions[lo]! < end;
}

/**
 * Methods whose call changes the value they are called on: a cache's `Add`, a list's `PushBack`, a
 * `sync.Map`'s `Store`, a set's `Delete`. (Not `Write`: on a connection field that is I/O, not state.)
 */
const MUTATORS = /^(?:Add|Set|Put|Store|Swap|CompareAndSwap|LoadOrStore|LoadAndDelete|Delete|Remove|Push|Insert|Append|Prepend|Enqueue|Dequeue|Pop|Clear|Reset|Purge|Evict|Update|Upsert|Move|Incr?|Decr?)(?:[A-Z0-9_]|$)/;

/**
 * Statements that change what they name: assignments, `x++`/`x--`, `delete(m, k)`, and a mutating
 * method of a field (`r.cache.Add(k, v)` changes `r.cache`), with the changed expressions.
 */
function writtenTargets(state: GoState, stmt: GoNode): GoNode[] {
  if (stmt.type === 'call_expression') {
    const f = field(stmt, 'function');
    const m = f?.type === 'selector_expression' ? field(f, 'field') : undefined;
    const x = f?.type === 'selector_expression' ? field(f, 'operand') : undefined;
    if (m && x?.type === 'selector_expression' && MUTATORS.test(textOf(state.text, m))) return [x];
    return [];
  }
  if (stmt.type === 'assignment_statement') return field(stmt, 'left')?.children.filter((c) => c.type !== ',') ?? [];
  if (stmt.type === 'inc_statement' || stmt.type === 'dec_statement') return stmt.children.slice(0, 1);
  if (stmt.type === 'expression_statement' && stmt.children[0]?.type === 'call_expression') {
    const call = stmt.children[0];
    const f = field(call, 'function');
    const first = field(call, 'arguments')?.children.find((c) => c.type !== '(' && c.type !== ')' && c.type !== ',');
    if (f && first && textOf(state.text, f) === 'delete') return [first];
  }
  return [];
}

/** Methods of a mutex whose call is an ordinary use of it (anything else hands the mutex on). */
const PLAIN_USES = new Set([...LOCK_METHODS.keys(), ...LOCK_METHODS.values(), 'TryLock', 'TryRLock']);

/**
 * The file's lock facts for the package: each acquisition of a mutex field (from
 * {@link buildHeldRegions}), whether it is held across a parking point of its function, and every
 * other use of such a field that hands the mutex on (`&s.mu`, `s.mu.RLocker()`, `s.mu.Lock` as a
 * value), so that code the frontend cannot follow may take it.
 */
export function lockUses(state: GoState, regions: readonly HeldRegion[], yields: readonly YieldPoint[], acquisitions: readonly Acquisition[]): LockUse[] {
  const out: LockUse[] = [];
  // A call that takes the held lock again waits forever: a deadlock, reported as such, not a wait the lock serialises.
  const parks = yields.filter((y) => y.parking !== undefined && y.parking.until !== 'forever');
  for (const a of acquisitions) {
    const mine = parks.filter((y) => y.context === a.context && spanContains(span(a.body), y.span));
    const waits = a.regions.some((id) => {
      const r = regions[id]!;
      return mine.some((y) => heldAcross(r, y));
    }) && !quickPath(state, a, mine);
    out.push({ lock: a.lock, function: a.function, kind: 'acquire', ...(waits ? { waits: true } : {}), ...(a.writes ? { writes: true } : {}) });
  }
  const fields = new Set(acquisitions.map((a) => a.lock.slice(a.lock.lastIndexOf('.') + 1)));
  const typed = lockTypedNames(state);
  for (const fn of state.fns) {
    if (fn.parent) continue;
    walk(fn.node, (n) => {
      if (n.type !== 'selector_expression') return true;
      const f = field(n, 'field');
      const op = field(n, 'operand');
      if (!f || !op) return true;
      const name = textOf(state.text, f);
      // Neither acquired here, nor named like a mutex, nor a name this file's structs give a lock type:
      // not a lock, whatever its type (which is then not looked up).
      if (!fields.has(name) && !typed.has(name) && !LOCK_NAME.test(name)) return true;
      const inner = enclosingFn(state, n);
      const t = inner ? exprType(state, n, inner) : undefined;
      // A field declared a mutex (here, or acquired here); a field of a struct declared in another
      // file is taken for one by its name, and only where it is handed on (`&s.mu`, an argument).
      const isLock = t !== undefined ? state.catalog.locks.has(t) : fields.has(name);
      if (!isLock && (t !== undefined || !LOCK_NAME.test(name))) return true;
      const up = n.parent;
      if (up?.type === 'selector_expression' && field(up, 'operand') === n) {
        const m = field(up, 'field');
        if (!isLock || (m !== undefined && PLAIN_USES.has(textOf(state.text, m)) && up.parent?.type === 'call_expression' && field(up.parent, 'function') === up)) return true;
      } else if (up?.type === 'expression_list' && up.parent?.type === 'assignment_statement' && field(up.parent, 'left') === up) return true;
      else if (!isLock && !(up?.type === 'unary_expression' && state.text[up.start] === '&') && up?.type !== 'argument_list') return true;
      const owner = inner ? exprType(state, op, inner) : undefined;
      out.push({ lock: `${owner ?? '?'}.${name}`, function: inner?.info.name ?? 'function literal', kind: 'escape' });
      return true;
    });
  }
  return out;
}

/**
 * The field names under which `exprType` can give a selector a lock type of the catalog: it reads a
 * selector's type from this file's structs only (`GoScope.fieldType`), as a field declared with that
 * type or an embedded lock type (`sync.Mutex` is the field `Mutex`).
 */
function lockTypedNames(state: GoState): Set<string> {
  const names = new Set<string>();
  const locks = state.catalog.locks;
  for (const s of state.scope.structs.values()) {
    for (const [name, type] of s.fields) if (locks.has(type)) names.add(name);
    for (const e of s.embedded) {
      if (!locks.has(e)) continue;
      names.add(e);
      names.add(e.slice(e.lastIndexOf('.') + 1));
    }
  }
  return names;
}

/** Logging through a field (`m.logger.Printf`): not the state a lock guards. */
const LOGGER_FIELD = /^(?:log|logger|Logger|Log)$/;

/**
 * True when some path from the acquisition to its release passes no parking point and touches the
 * state of the lock's owner (reads or changes a field of it other than the mutex, outside the
 * regions of other locks taken inside): a quick caller, such as a read-through cache's hit
 * (`if v, ok := r.cache.Get(k); ok { return v }` before the lookup of a miss), which then waits
 * behind the slow path. A path that skips the wait without touching that state (memberlist's
 * `Leave` after a first one, yamux's `Write` of nothing) is the slow operation finding nothing to do.
 */
function quickPath(state: GoState, a: Acquisition, parks: readonly YieldPoint[]): boolean {
  const { text } = state;
  const ownerType = a.lock.slice(0, a.lock.lastIndexOf('.'));
  const fields = state.scope.structs.get(ownerType)?.fields;
  const parked = (n: GoNode): boolean => parks.some((y) => n.start <= y.span.start && y.span.end <= n.end);
  /** A parking point that is the statement itself (`select`, `for … range ch`). */
  const parksWhole = (n: GoNode): boolean => parks.some((y) => y.span.start === n.start && y.span.end === n.end);
  const touches = (n: GoNode | undefined): boolean => {
    if (!n) return false;
    let found = false;
    walk(n, (x) => {
      if (found || x.type === 'func_literal') return false;
      if (x.type !== 'selector_expression') return true;
      const op = field(x, 'operand');
      const f = field(x, 'field');
      if (!op || !f || textOf(text, op).replace(/\s+/g, '') !== a.owner) return true;
      const name = textOf(text, f);
      if (name === a.lockField || LOGGER_FIELD.test(name) || a.nested.some((r) => spanContains(r, span(x)))) return true;
      const t = fields?.get(name);
      // `m.hasLeft()`: a method of the owner, not a field (the struct's field list may miss a field of a composite type).
      if (t === undefined && x.parent?.type === 'call_expression' && field(x.parent, 'function') === x) return true;
      if (t !== undefined && (t.startsWith('atomic.') || t.includes('Logger') || state.catalog.locks.has(t))) return true;
      const up = x.parent;
      if (up?.type === 'selector_expression' && field(up, 'operand') === x) {
        const m = field(up, 'field');
        if (m && PLAIN_USES.has(textOf(text, m))) return true;
      }
      // `atomic.AddInt64(&s.n, 1)`: an atomic counter, not state the lock guards.
      if (up?.type === 'unary_expression' && /^atomic\./.test(textOf(text, field(up.parent?.parent ?? up, 'function') ?? up))) return true;
      found = true;
      return false;
    });
    return found;
  };
  let quick = false;
  const none = new Set<boolean>();
  /** Runs `stmt` on paths that have (true) or have not (false) touched the owner's state; returns those that go on without parking. */
  const step = (stmt: GoNode, cur: Set<boolean>): Set<boolean> => {
    if (cur.size === 0) return cur;
    const after = (used: boolean): Set<boolean> => (used ? new Set([true]) : cur);
    if (a.unlocks.has(stmt)) {
      if (cur.has(true)) quick = true;
      return none;
    }
    switch (stmt.type) {
      case 'return_statement':
        if (!parked(stmt) && (cur.has(true) || touches(stmt))) quick = true;
        return none;
      case 'defer_statement':
      case 'go_statement':
      case 'break_statement':
      case 'continue_statement':
      case 'goto_statement':
      case 'fallthrough_statement':
        return cur;
      case 'block':
        return list(statementsOf(stmt), cur);
      case 'labeled_statement': {
        const inner = stmt.children.find((c) => c.type !== 'label_name' && c.type !== ':');
        return inner ? step(inner, cur) : cur;
      }
      case 'if_statement': {
        const head = [field(stmt, 'initializer'), field(stmt, 'condition')];
        if (head.some((h) => h && parked(h))) return none;
        const entry = after(head.some((h) => touches(h)));
        const out = new Set(list(statementsOf(field(stmt, 'consequence')), entry));
        const alt = field(stmt, 'alternative');
        for (const f of alt ? step(alt, entry) : entry) out.add(f);
        return out;
      }
      case 'for_statement': {
        const body = field(stmt, 'body');
        const head = stmt.children.filter((c) => c !== body);
        if (parksWhole(stmt) || head.some((h) => parked(h))) return none;
        const entry = after(head.some((h) => touches(h)));
        const out = new Set(list(statementsOf(body), entry));
        const infinite = stmt.children.every((c) => c.field === 'body' || c.type === 'comment');
        if (infinite) return breaksOut(body, stmt) ? out : none;
        for (const f of entry) out.add(f);
        return out;
      }
      case 'expression_switch_statement':
      case 'type_switch_statement':
      case 'select_statement': {
        if (parksWhole(stmt)) return none;
        const cases = stmt.children.filter((c) => /_case$/.test(c.type));
        const head = stmt.children.filter((c) => !cases.includes(c));
        if (head.some((h) => parked(h))) return none;
        const entry = after(head.some((h) => touches(h)));
        const out = new Set<boolean>();
        for (const c of cases) for (const f of list(statementsOf(c), entry)) out.add(f);
        if (stmt.type !== 'select_statement' && !cases.some((c) => c.type === 'default_case')) for (const f of entry) out.add(f);
        return out;
      }
      default:
        if (stmt.type === 'expression_statement' && stmt.children[0]?.type === 'call_expression' && TERMINAL_CALL.test(textOf(text, field(stmt.children[0], 'function') ?? stmt))) return none;
        if (parked(stmt)) return none;
        return after(touches(stmt));
    }
  };
  const list = (stmts: readonly GoNode[], entry: Set<boolean>): Set<boolean> => {
    let cur = entry;
    for (const st of stmts) cur = step(st, cur);
    return cur;
  };
  // From the `Lock()` on through the rest of its statement list, then on after each enclosing statement.
  let node = a.from;
  let cur = new Set([false]);
  for (;;) {
    const parent = node.parent;
    if (!parent) return false;
    const sibs = statementsOf(parent);
    cur = list(sibs.slice(sibs.indexOf(node) + 1), cur);
    if (quick) return true;
    if (cur.size === 0) return false;
    let up: GoNode | undefined = parent;
    while (up && up !== a.body && up.parent?.type !== 'statement_list') up = up.parent;
    // The end of the function releases a deferred unlock (or leaves it held: then nothing else takes it).
    if (!up || up === a.body) return cur.has(true);
    node = up;
  }
}

/** Logging methods (`c.Debugf(…)`): a call of one changes nothing a lock's condition reads. */
const LOG_METHOD = /^(?:Debugf|Tracef|Noticef|Warnf|Errorf|Infof|Printf|Println|Print|Logf|Debug|Trace|Notice|Warn|Info)$/;

/** Whether a statement may leave its function: a `return`, `goto` or `panic(…)` in it (not in a nested function literal). */
function mayLeave(st: GoNode): boolean {
  let found = false;
  walk(st, (n) => {
    if (found || n.type === 'func_literal') return false;
    if (n.type === 'return_statement' || n.type === 'goto_statement') found = true;
    return !found;
  });
  return found;
}

/**
 * Whether the flag `flag` guarding a deferred unlock of `lock` is kept in step with the function's
 * own unlocks: besides its declaration (`flag := false`, `var flag bool`), every write of it is a
 * statement `flag = true` of the function itself (not of a closure, not one of several targets),
 * right before or after an `Unlock()` of that lock. Otherwise a path may set it and keep the lock,
 * or unlock without it, in ways the walk does not follow.
 */
function guardKept(text: string, body: GoNode, fn: GoFn, state: GoState, flag: string, lock: string): boolean {
  const callsOn = (st: GoNode | undefined, methods: ReadonlySet<string>): boolean => {
    const call = st?.type === 'expression_statement' ? st.children[0] : undefined;
    const f = call?.type === 'call_expression' ? field(call, 'function') : undefined;
    const x = f?.type === 'selector_expression' ? field(f, 'operand') : undefined;
    const m = f?.type === 'selector_expression' ? field(f, 'field') : undefined;
    return x !== undefined && m !== undefined && textOf(text, x) === lock && methods.has(textOf(text, m));
  };
  const isUnlock = (st: GoNode | undefined): boolean => callsOn(st, RELEASES);
  // A local closure of the function (`release := func() { unlocked = true; s.mu.Unlock() }`) may
  // set it beside its own unlock: a call of it is that unlock (FunctionWalk.unlockers).
  const ownClosure = (n: GoNode): boolean => {
    const at = enclosingFn(state, n);
    const decl = at?.node.parent?.parent;
    return at !== undefined && at.parent === fn && at.node.type === 'func_literal' && decl?.type === 'short_var_declaration' && enclosingFn(state, decl) === fn && statementsOf(field(at.node, 'body')).includes(n);
  };
  let ok = true;
  walk(body, (n) => {
    if (!ok) return false;
    const targets = assignedTargets(n);
    if (!targets.some((t) => t.type === 'identifier' && textOf(text, t) === flag)) return true;
    if (n.type === 'short_var_declaration' || n.type === 'var_spec') {
      // Declared false (`unlocked := false`, `var unlocked, y bool`, `unlocked, n := false, 0`).
      const list = n.type === 'var_spec' ? field(n, 'value') : field(n, 'right');
      const values = list?.type === 'expression_list' ? list.children.filter((c) => c.type !== ',') : list ? [list] : [];
      const i = targets.findIndex((t) => t.type === 'identifier' && textOf(text, t) === flag);
      if (enclosingFn(state, n) === fn && (values.length === 0 || (values.length === targets.length && textOf(text, values[i]!) === 'false'))) return true;
      ok = false;
      return false;
    }
    const list = n.parent;
    const at = list?.children.indexOf(n) ?? -1;
    const value = flagValue(text, n, flag);
    if ((enclosingFn(state, n) !== fn && !ownClosure(n)) || list?.type !== 'statement_list') ok = false;
    // `flag = true` beside an `Unlock()` (also one of several targets, element by element);
    // `flag = false` anywhere in the function itself: the deferred function then unlocks, and an
    // `Unlock()` whose path returns after it is reported (see FunctionWalk.unlockedAgain).
    else if (value === 'true') ok = isUnlock(list.children[at - 1]) || isUnlock(list.children[at + 1]);
    else if (value === 'false') ok = enclosingFn(state, n) === fn;
    else ok = false;
    return ok;
  });
  return ok;
}

/** The leftmost name of `a.b.c` (or of `a`), '' otherwise. */
function rootName(text: string, n: GoNode | undefined): string {
  return n ? (/^[A-Za-z_]\w*/.exec(textOf(text, n))?.[0] ?? '') : '';
}

/** What a statement assigns (`=`, `:=`, `++`, `--`, a `range` clause, a `var` spec): its targets, as written. */
export function assignedTargets(x: GoNode): readonly GoNode[] {
  if (x.type === 'var_spec') return x.children.filter((c) => c.type === 'identifier');
  if (x.type !== 'assignment_statement' && x.type !== 'short_var_declaration' && x.type !== 'inc_statement' && x.type !== 'dec_statement' && x.type !== 'range_clause') return [];
  const left = field(x, 'left') ?? x.children[0];
  return left?.type === 'expression_list' ? left.children.filter((c) => c.type !== ',') : left ? [left] : [];
}

/** Whether `n` assigns to a name of `names` or to a field of one. */
function writesAny(text: string, n: GoNode, names: ReadonlySet<string>): boolean {
  let found = false;
  walk(n, (x) => {
    if (!found && assignedTargets(x).some((t) => names.has(rootName(text, t)))) found = true;
    return !found;
  });
  return found;
}

/**
 * A release a local closure makes when it is called (see FunctionWalk.unlockers): `x.Unlock()` as
 * written in it, or, through its parameter `param.root` (position `index` of `arity`), the lock of
 * the argument a call passes there; `param.fn` is the closure, whose parameter types type `x`.
 */
interface Unlocker {
  readonly x: GoNode;
  readonly method: string;
  readonly param?: { readonly index: number; readonly arity: number; readonly root: string; readonly fn: GoFn };
}

class FunctionWalk {
  private readonly ops = new Map<GoNode, LockOp[]>();
  private readonly opSpans: Span[] = [];
  private readonly returns: Span[] = [];
  /** Keys this function unlocks somewhere: a return that skips the unlock is then a missing release. */
  private readonly unlocked = new Set<string>();
  /**
   * `defer mu.Unlock()` already registered: a later `Lock()` (after an explicit `Unlock()`, the
   * unlock-and-relock around a slow call) is released by it at the function's end.
   */
  private readonly deferredKeys = new Map<string, Span>();

  constructor(
    private readonly state: GoState,
    private readonly fn: GoFn,
    private readonly regions: HeldRegion[],
    private readonly acquisitions: Acquisition[],
  ) {}

  get fnId(): number {
    return this.fn.info.id;
  }

  run(body: GoNode): void {
    if (this.ops.size === 0) return;
    const first = this.regions.length;
    // A lock the function releases before it takes it is held by its caller on entry.
    const entry = new Map<string, Acq>();
    for (const op of this.handsBack()) {
      this.handedBack.add(op.key);
      // The connection beside the mutex is what it serialises, held on entry as after a `Lock()`.
      const x = field(field(op.call, 'function') ?? op.call, 'operand');
      const guarded = x ? guardedResources(this.state, x, this.fn) : [];
      entry.set(op.key, { op: { ...op, kind: 'lock', guarded }, missing: false, regions: [], entry: true });
    }
    const out = this.walkList(statementsOf(body), entry, body.end);
    if (out.falls) for (const acq of out.held.values()) if (!acq.deferred && !acq.entry && !acq.relock && this.unlocked.has(acq.op.key)) acq.missing = true;
    this.markMissing();
    this.record(body, first);
  }

  /**
   * Each acquisition of a mutex field, with whether the function writes a field of the lock's
   * owner while holding it (`s.shutdown = true` under `s.shutdownLock`; `c.users[id] = u` under
   * `c.mu`): such a lock guards state, which quick readers wait for. A write under another lock
   * taken inside the region (memberlist's `nodeLock` inside `leaveLock`) is that lock's.
   */
  private record(body: GoNode, first: number): void {
    const { state, fn } = this;
    const acqs = this.acqs.filter((a) => a.op.use !== undefined);
    if (acqs.length === 0) return;
    const writes: { span: Span; target: string }[] = [];
    walk(body, (n) => {
      if (n !== body && n.type === 'func_literal') return false;
      for (const t of writtenTargets(state, n)) writes.push({ span: span(n), target: textOf(state.text, t).replace(/\s+/g, '') });
      return true;
    });
    const mine = this.regions.slice(first);
    for (const a of acqs) {
      const owner = a.op.owner!;
      const lockField = a.op.lock.replace(/\s+/g, '').slice(owner.length + 1);
      const pieces = a.regions.map((id) => this.regions[id]!);
      const writesOwner = writes.some((w) => {
        if (!w.target.startsWith(`${owner}.`) || /^\w+/.exec(w.target.slice(owner.length + 1))?.[0] === lockField) return false;
        if (!pieces.some((r) => spanContains(r.span, w.span) && w.span.start >= r.acquireSpan.end)) return false;
        return !mine.some((r) => r.lockKey !== a.op.key && spanContains(r.span, w.span) && r.acquireSpan.start > a.op.call.start);
      });
      const unlocks = new Set<GoNode>();
      for (const [stmt, ops] of this.ops) if (ops.some((o) => o.kind === 'unlock' && o.key === a.op.key)) unlocks.add(stmt);
      const nested = mine.filter((r) => r.lockKey !== a.op.key && r.acquireSpan.start > a.op.call.start).map((r) => r.span);
      this.acquisitions.push({
        lock: a.op.use!, function: fn.info.name ?? 'function literal', regions: a.regions, writes: writesOwner,
        from: a.op.node, body, context: fn.info.context!, owner, lockField, unlocks, nested,
      });
    }
  }

  private acqs: Acq[] = [];
  private readonly handedBack = new Set<string>();
  /** Keys of a `defer mu.Lock()` (nats-server's `updateServerUsage`: `s.mu.Unlock(); defer s.mu.Lock()`), which hands the lock back on return. */
  private readonly deferredLocks = new Set<string>();

  /**
   * The locks, as written after the receiver (`.mu`, or `` for a receiver that embeds the lock),
   * that this method gives up: its first operation on one is an unlock (`c.mu.Unlock()`, or
   * `defer c.mu.Unlock()`), and it never takes it again (no `Lock()`, no `defer c.mu.Lock()`), so
   * it is called with the lock held and returns without it ("lock held on entry, released on
   * return"). Its caller's lock ends at the call.
   */
  givesUp(): string[] {
    const recv = this.fn.receiver?.name;
    if (recv === undefined) return [];
    const all = [...this.ops.values()].flat();
    const out: string[] = [];
    const top = statementsOf(field(this.fn.node, 'body'));
    for (const op of this.firstOps()) {
      if (op.kind === 'lock' || this.deferredLocks.has(op.key) || all.some((o) => o.key === op.key && o.kind === 'lock')) continue;
      // Only an unlock every call makes: a statement of the body itself, not one under an `if`
      // (`func (a *account) Unlock() { if a.held { a.mu.Unlock() } }` may return with it held).
      if (!top.includes(op.node)) continue;
      const written = op.lock.replace(/\s+/g, '');
      if (written === recv || written.startsWith(`${recv}.`)) out.push(written.slice(recv.length));
    }
    return out;
  }

  /**
   * Calls of methods that give up their caller's lock ({@link givesUp}), made as whole statements
   * (`c.closeLocked()`, `return c.doFlush()`): each is an unlock of the caller's lock there (the
   * method's `c.mu` is the caller's `x.mu` for `x.closeLocked()`). Not a release the function's
   * other returns must make (it is no `Unlock()` of its own).
   */
  collectGiveUpCalls(body: GoNode, givesUp: ReadonlyMap<number, readonly string[]>): void {
    const { state, fn } = this;
    walk(body, (n) => {
      if (n !== body && n.type === 'func_literal') return false;
      // `if err := c.doFlush(); err != nil {`: released before the condition, as if on the line before.
      const init = n.type === 'if_statement' || n.type === 'expression_switch_statement' ? field(n, 'initializer') : undefined;
      const initCall = init ? wholeCall(init) : undefined;
      if (init && initCall && !this.releasesBefore.has(n) && enclosingFn(state, n) === fn) {
        const ops = this.giveUpOps(initCall, init, givesUp);
        if (ops) {
          this.releasesBefore.set(n, ops);
          this.opSpans.push(span(init));
        }
        return true;
      }
      const call = wholeCall(n);
      if (!call || enclosingFn(state, n) !== fn || this.ops.has(n)) return true;
      const ops = this.giveUpOps(call, n, givesUp);
      if (!ops) return true;
      this.ops.set(n, ops);
      this.opSpans.push(span(n));
      return true;
    });
  }

  /** The unlocks of the caller's locks that `call`, in statement `node`, makes by calling a method that gives them up. */
  private giveUpOps(call: GoNode, node: GoNode, givesUp: ReadonlyMap<number, readonly string[]>): LockOp[] | undefined {
    const { state, fn } = this;
    const id = state.callOfNode.get(call);
    const target = id === undefined ? undefined : state.calls[id]?.localTarget;
    const gives = target === undefined ? undefined : givesUp.get(target);
    const f = field(call, 'function');
    const operand = f?.type === 'selector_expression' ? field(f, 'operand') : undefined;
    if (!gives || !operand) return undefined;
    return gives.map((suffix) => {
      const lock = `${textOf(state.text, operand).replace(/\s+/g, '')}${suffix}`;
      return { kind: 'unlock', key: lockKeyOf(lock, fn), lock, lockType: undefined, node, call, guarded: [], shared: false };
    });
  }

  /** Compound statements whose initializer gives the caller's locks up (`if err := c.doFlush(); …`). */
  private readonly releasesBefore = new Map<GoNode, LockOp[]>();

  /** Each lock's first operation in this function, in source order. */
  private firstOps(): LockOp[] {
    const first = new Map<string, LockOp>();
    const ops = [...this.ops.values()].flat().sort((a, b) => a.call.start - b.call.start);
    for (const op of ops) if (!first.has(op.key)) first.set(op.key, op);
    return [...first.values()];
  }

  /**
   * The locks whose first operation in this function, in source order, is an explicit `Unlock()`
   * (or `RUnlock()`): the function is called with them held and hands them back, the convention of
   * nats-server's "lock should be held" functions (`stalledWait` unlocks `c.mu`, waits, and relocks
   * it on return). Each by its first unlock, which stands for the caller's acquisition.
   */
  private handsBack(): LockOp[] {
    const all = [...this.ops.values()].flat();
    // `defer mu.Unlock()` first pairs with a later `Lock()` when there is one (the defer written
    // before the lock); with none, the caller's lock is released on return.
    return this.firstOps().filter((op) => op.kind === 'unlock' || (op.kind === 'defer-unlock' && !all.some((o) => o.key === op.key && o.kind === 'lock') && !this.deferredLocks.has(op.key)));
  }

  private markMissing(): void {
    for (const acq of this.acqs) {
      if (!acq.missing) continue;
      const first = acq.regions[0];
      if (first !== undefined) this.regions[first] = { ...this.regions[first]!, release: 'missing' };
    }
  }

  /** Finds this function's lock operations and `return`s (not those of nested function literals). */
  collect(body: GoNode): void {
    const { state, fn } = this;
    const candidates: { stmt: GoNode; call: GoNode; deferred: boolean; x: GoNode; method: string; guard?: string; lock?: string; typeFn?: GoFn }[] = [];
    const unlockers = this.unlockers(body);
    walk(body, (n) => {
      if (n !== body && n.type === 'func_literal' && n.parent?.parent?.type !== 'defer_statement') return false;
      if ((n.type === 'return_statement' || n.type === 'goto_statement') && enclosingFn(state, n) === fn) this.returns.push(span(n));
      if ((n.type !== 'expression_statement' && n.type !== 'defer_statement' && n.type !== 'return_statement') || enclosingFn(state, n) !== fn) return true;
      // `return fail(err)`: a local unlocker called as the value returned releases before the return.
      const returned = n.type === 'return_statement' ? wholeCall(n) : undefined;
      for (const { call, deferred, guard } of n.type === 'return_statement' ? (returned ? [{ call: returned, deferred: false, guard: undefined }] : []) : lockCallsOf(state.text, n)) {
        const f = field(call, 'function');
        const unlocker = f?.type === 'identifier' ? unlockers.get(textOf(state.text, f)) : undefined;
        if (unlocker) {
          for (const u of unlocker) {
            if (u.param === undefined) {
              candidates.push({ stmt: n, call, deferred, x: u.x, method: u.method });
              continue;
            }
            // A release through the closure's parameter is the argument's lock (`release(to)` unlocks `to.mu`).
            const args = field(call, 'arguments')?.children.filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',') ?? [];
            const arg = args.length === u.param.arity ? args[u.param.index] : undefined;
            let written = arg ? textOf(state.text, arg).replace(/\s+/g, '').replace(/^&/, '') : '';
            if (!/^\w+(?:\.\w+)*$/.test(written)) continue;
            // A plain alias bound once (`b := from`) names the same value.
            const root = /^\w+/.exec(written)![0];
            const aliased = aliasOf(state, fn, root);
            if (aliased !== undefined) written = `${aliased}${written.slice(root.length)}`;
            candidates.push({ stmt: n, call, deferred, x: u.x, method: u.method, lock: `${written}${textOf(state.text, u.x).replace(/\s+/g, '').slice(u.param.root.length)}`, typeFn: u.param.fn });
          }
          continue;
        }
        if (n.type === 'return_statement') continue;
        if (f?.type !== 'selector_expression') continue;
        const m = field(f, 'field');
        const x = field(f, 'operand');
        if (!m || !x) continue;
        const method = state.text.slice(m.start, m.end);
        if (!LOCK_METHODS.has(method) && !RELEASES.has(method)) continue;
        // A guard the function does not keep in step with its unlocks is not read (the defer is then unseen, as before).
        if (guard !== undefined && !guardKept(state.text, body, fn, state, guard, textOf(state.text, x))) continue;
        candidates.push({ stmt: n, call, deferred, x, method, ...(guard !== undefined ? { guard } : {}) });
      }
      return true;
    });
    // `s.Unlock()` of a type of this file that is no lock (its own `Unlock` method wraps its `mu`:
    // `func (s *S) Unlock() { s.mu.Unlock() }`), when the function takes no lock under that name: the
    // method's body says what it releases (collectGiveUpCalls reads the call as the method's unlock
    // of `s.mu`), not its name. A pair of such wrappers (`s.lk.Lock()` … `s.lk.Unlock()`) stays one lock.
    const keyOfCandidate = (c: (typeof candidates)[number]): string => (c.lock !== undefined ? lockKeyOf(c.lock, fn) : keyOf(state, c.x, fn));
    const takenKeys = new Set(candidates.filter((c) => !RELEASES.has(c.method)).map((c) => keyOf(state, c.x, fn)));
    const ownMethod = (c: (typeof candidates)[number]): boolean => {
      const f = field(c.call, 'function');
      if (f?.type !== 'selector_expression' || field(f, 'operand') !== c.x) return false;
      const id = state.callOfNode.get(c.call);
      return id !== undefined && state.calls[id]?.localTarget !== undefined && lockTypeOf(state, c.x, fn) === undefined;
    };
    const read = candidates.filter((c) => !(RELEASES.has(c.method) && !takenKeys.has(keyOf(state, c.x, fn)) && ownMethod(c)));
    const releasedKeys = new Set(read.filter((c) => RELEASES.has(c.method)).map(keyOfCandidate));
    for (const c of read) {
      const key = keyOfCandidate(c);
      const lockType = lockTypeOf(state, c.x, c.typeFn ?? fn);
      const lock = c.lock ?? textOf(state.text, c.x);
      if (lockType === undefined && !releasedKeys.has(key) && !LOCK_NAME.test(lock)) continue;
      if (lockType === undefined && exprType(state, c.x, fn) !== undefined && !releasedKeys.has(key)) continue;
      const release = RELEASES.has(c.method);
      if (release) this.unlocked.add(key);
      const fl = release ? undefined : fieldLockOf(state, c.x, fn);
      const op: LockOp = {
        kind: release ? (c.deferred ? 'defer-unlock' : 'unlock') : 'lock', key, lock, lockType, node: c.stmt, call: c.call,
        guarded: release ? [] : guardedResources(state, c.x, fn), shared: c.method === 'RLock',
        ...(fl ? { use: fl.use, owner: fl.owner, ...(fl.known ? { packageLock: fl.use } : {}) } : {}),
        ...(c.guard !== undefined && release && c.deferred ? { guard: c.guard } : {}),
      };
      if (op.kind === 'lock' && c.deferred) {
        this.deferredLocks.add(key);
        continue;
      }
      const list = this.ops.get(c.stmt);
      if (list) list.push(op);
      else this.ops.set(c.stmt, [op]);
      this.opSpans.push(span(c.stmt));
    }
  }

  /**
   * Local function values that release mutexes, by name: `unlock := func() { mu.Unlock() }`, or a
   * helper handed the mutex under a name that says so (`unlock := unlockOnce(&srv.lock)`, miekg/dns's
   * server.go, whose `unlock()` before `serveTCP` releases the lock the deferred `unlock()` would).
   * A call `unlock()` (or `defer unlock()`, or `return fail(err)`) is then each mutex's `Unlock()`.
   * A function literal releases what its body's own statements release, in order, through the
   * earlier ones it calls too: nats-server's `errorOnUnsupported := func(h string) *ApiError {
   * rollback(); …; batches.mu.Unlock(); mset.mu.Unlock(); … }`, where `rollback()` unlocks `mset.clMu`.
   */
  private unlockers(body: GoNode): Map<string, Unlocker[]> {
    const { state, fn } = this;
    const out = new Map<string, Unlocker[]>();
    walk(body, (n) => {
      if (n !== body && n.type === 'func_literal') return false;
      if (n.type !== 'short_var_declaration' || enclosingFn(state, n) !== fn) return true;
      const left = field(n, 'left')?.children.filter((c) => c.type === 'identifier') ?? [];
      const right = field(n, 'right')?.children.filter((c) => c.type !== ',') ?? [];
      if (left.length !== 1 || right.length !== 1) return true;
      const name = textOf(state.text, left[0]!);
      const value = right[0]!;
      if (value.type === 'func_literal') {
        // Only what every path of it releases: the statements before the first that may return
        // (a `return`, or any statement holding one), and no lock named by one of its parameters.
        const params = new Set<string>();
        // A plain parameter (not variadic) by position: its lock is the call's argument's (`release(to)`).
        const positions = new Map<string, number>();
        // Only a pointer (or a `sync.Locker`) shares the argument's mutex: a struct value is a copy.
        const shared = new Set<string>();
        let variadic = false;
        walk(field(value, 'parameters') ?? value, (p) => {
          if (p.type === 'variadic_parameter_declaration') variadic = true;
          if (p.type === 'identifier' && p.field === 'name') {
            params.add(textOf(state.text, p));
            positions.set(textOf(state.text, p), positions.size);
            const type = p.parent ? field(p.parent, 'type') : undefined;
            if (type && /^(?:\*|sync\.Locker$)/.test(textOf(state.text, type))) shared.add(textOf(state.text, p));
          }
          return p.type === 'parameter_list' || p.type === 'parameter_declaration' || p.type === 'variadic_parameter_declaration';
        });
        const arity = variadic ? -1 : positions.size;
        // Names the closure declares or assigns itself (`s := s.next`, `batches = batches.next`) are
        // not the outer values, nor its parameters' arguments.
        const rebound = new Set<string>();
        walk(field(value, 'body') ?? value, (d) => {
          if (d.type === 'func_literal' && d !== value) return false;
          if (d.type === 'short_var_declaration' || d.type === 'var_spec') for (const t of assignedTargets(d)) if (t.type === 'identifier') params.add(textOf(state.text, t));
          for (const t of assignedTargets(d)) if (t.type === 'identifier') rebound.add(textOf(state.text, t));
          return true;
        });
        const stmts = statementsOf(field(value, 'body'));
        const exits = stmts.findIndex((st) => mayLeave(st));
        // The names it sets to true on every path (statements before the first that may return).
        const sets = new Set<string>();
        for (const st of exits < 0 ? stmts : stmts.slice(0, exits)) for (const t of assignedTargets(st)) if (t.type === 'identifier' && flagValue(state.text, st, textOf(state.text, t)) === 'true') sets.add(textOf(state.text, t));
        if (sets.size > 0) this.flagSetters.set(name, sets);
        const calls = (exits < 0 ? stmts : stmts.slice(0, exits)).filter((st) => st.type === 'expression_statement' && st.children[0]?.type === 'call_expression').map((st) => st.children[0]!);
        const releases: Unlocker[] = [];
        for (const call of calls) {
          const f = field(call, 'function');
          // An earlier local unlocker called here (`rollback()`): its releases are this one's too
          // (not those through its parameters: its arguments here are not mapped again).
          const inner = f?.type === 'identifier' ? out.get(textOf(state.text, f)) : undefined;
          if (inner && textOf(state.text, f!) !== name) {
            releases.push(...inner.filter((u) => u.param === undefined));
            continue;
          }
          const m = f?.type === 'selector_expression' ? field(f, 'field') : undefined;
          const x = f?.type === 'selector_expression' ? field(f, 'operand') : undefined;
          const method = m ? textOf(state.text, m) : '';
          const root = x ? rootName(state.text, x) : '';
          if (x && RELEASES.has(method) && !params.has(root)) releases.push({ x, method });
          // Through a parameter (`batches.mu.Unlock()` in `func(batches *batching)`): the argument's lock, at each call.
          else if (x && RELEASES.has(method) && positions.has(root) && shared.has(root) && !rebound.has(root) && arity >= 0) {
            const literal = state.fnOfNode.get(value);
            if (literal) releases.push({ x, method, param: { index: positions.get(root)!, arity, root, fn: literal } });
          }
          // Taken again before the closure returns (`yield := func() { mu.Unlock(); …; mu.Lock() }`): not released.
          if (x && LOCK_METHODS.has(method)) {
            const again = textOf(state.text, x);
            for (let i = releases.length - 1; i >= 0; i--) if (textOf(state.text, releases[i]!.x) === again) releases.splice(i, 1);
          }
        }
        if (releases.length > 0) out.set(name, releases);
      } else if (value.type === 'call_expression' && /unlock|release/i.test(name)) {
        const args = field(value, 'arguments')?.children.filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',') ?? [];
        if (args.length !== 1) return true;
        const arg = args[0]!;
        const x = arg.type === 'unary_expression' && textOf(state.text, arg).startsWith('&') ? field(arg, 'operand') : arg;
        if (x && (lockTypeOf(state, x, fn) !== undefined || LOCK_NAME.test(textOf(state.text, x)))) out.set(name, [{ x, method: 'Unlock' }]);
      }
      return true;
    });
    return out;
  }

  private contains(stmt: GoNode, spans: readonly Span[]): boolean {
    return spans.some((s) => stmt.start <= s.start && s.end <= stmt.end);
  }

  /** {@link HeldRegion.building}: a lock of a struct value this function makes and has not handed out when it takes the lock. */
  private readonly fresh: FreshMemo = new Map();

  private building(op: LockOp): { building?: { value: string; until: number } } {
    const f = field(op.call, 'function');
    const x = f?.type === 'selector_expression' ? field(f, 'operand') : undefined;
    if (!x) return {};
    const until = sharedFrom(this.state, this.fn, x, op.call.end, this.fresh);
    if (until === undefined) return {};
    const owner = x.type === 'selector_expression' ? field(x, 'operand') : x;
    return { building: { value: textOf(this.state.text, owner!), until } };
  }

  /** Local closures by name, with the names each sets to `true` on every path (`release := func() { unlocked = true; … }`). */
  private readonly flagSetters = new Map<string, Set<string>>();

  /** Deferred unlocks guarded by a flag, by key: the flag and the `defer` statement. */
  private readonly guardedDefers = new Map<string, { flag: string; defer: Span }>();

  /**
   * {@link HeldRegion.unlockedAgain}: an explicit `Unlock()` of a lock whose deferred unlock is
   * guarded by a flag (`defer func() { if !unlocked { fs.mu.Unlock() } }()`), after which the
   * statements of its block reach a `return` (or the end of the function) without setting the flag
   * or taking the lock again: the deferred function unlocks it a second time, which crashes.
   */
  private unlockedAgain(stmt: GoNode, op: LockOp): { flag: string; defer: Span } | undefined {
    const guarded = this.guardedDefers.get(op.key);
    const list = stmt.parent;
    if (!guarded || list?.type !== 'statement_list' || guarded.defer.start > stmt.start) return undefined;
    const { text } = this.state;
    const setsFlag = (st: GoNode): boolean => flagValue(text, st, guarded.flag) === 'true';
    // A local closure that sets the flag beside its unlock (`release := func() { unlocked = true; s.mu.Unlock() }`): its call sets it too.
    const f = field(op.call, 'function');
    if (f?.type === 'identifier' && this.flagSetters.get(textOf(text, f))?.has(guarded.flag)) return undefined;
    const siblings = list.children;
    const at = siblings.indexOf(stmt);
    // Set before the unlock (`unlocked = true; fs.mu.Unlock()`) and not set back to false since (a
    // relock alone does not: `unlocked = true; …; fs.mu.Lock(); …; fs.mu.Unlock()` keeps it true).
    if (this.flagBefore(stmt, guarded.flag) !== 'false') return undefined;
    for (const st of siblings.slice(at + 1)) {
      if (setsFlag(st)) return undefined;
      if (this.ops.get(st)?.some((o) => o.key === op.key && o.kind === 'lock')) return undefined;
      if (st.type === 'return_statement') return guarded;
      // Anything that branches or loops: the flag may be set on the way; not followed.
      if (COMPOUND.has(st.type) || st.type === 'goto_statement' || st.type === 'labeled_statement') return undefined;
    }
    // Falling off the end of the function's body returns.
    return list.parent === field(this.fn.node, 'body') ? guarded : undefined;
  }

  /**
   * Whether the `Lock()` in `stmt` is taken while the flag guarding the lock's deferred unlock is
   * true (set so by the nearest assignment before it in its list), with no assignment of the flag
   * after it there: the deferred function then never releases it.
   */
  private skipsGuardedDefer(stmt: GoNode, op: LockOp): boolean {
    const guarded = this.guardedDefers.get(op.key);
    const list = stmt.parent;
    if (!guarded || guarded.defer.start > stmt.start || list?.type !== 'statement_list') return false;
    const { text } = this.state;
    if (this.flagBefore(stmt, guarded.flag) !== 'true') return false;
    // Not assigned after it, in its block or the blocks around it.
    let later = false;
    for (let cur: GoNode | undefined = stmt; cur && !later; cur = this.enclosingStatement(cur)) {
      const siblings = cur.parent?.children ?? [];
      for (const st of siblings.slice(siblings.indexOf(cur) + 1)) walk(st, (n) => ((later ||= assignedTargets(n).some((t) => t.type === 'identifier' && textOf(text, t) === guarded.flag)), !later));
    }
    return !later;
  }

  /** The statement of an outer block that holds `stmt`'s block (an `if`, a `switch`, a plain block), undefined at the function's body or a loop. */
  private enclosingStatement(stmt: GoNode): GoNode | undefined {
    const body = field(this.fn.node, 'body');
    let up = stmt.parent?.parent;
    while (up && up !== body && !FUNCTION_KINDS.has(up.type) && up.type !== 'for_statement' && up.parent?.type !== 'statement_list') up = up.parent;
    return up && up !== body && !FUNCTION_KINDS.has(up.type) && up.type !== 'for_statement' && up.parent?.type === 'statement_list' ? up : undefined;
  }

  /**
   * The guard flag's value before `stmt`: from the nearest statement before it in its block, else
   * before the statement holding that block in the block around it, up to the function's body (not
   * across a loop, whose earlier turns may have set it): see {@link flagIn}; `none` when nothing says.
   */
  private flagBefore(stmt: GoNode, flag: string): 'true' | 'false' | 'unknown' | 'none' {
    for (let cur: GoNode | undefined = stmt; cur; cur = this.enclosingStatement(cur)) {
      const siblings = cur.parent?.type === 'statement_list' ? cur.parent.children : [];
      const value = this.flagIn(siblings, siblings.indexOf(cur), flag);
      if (value !== 'none') return value;
    }
    return 'none';
  }

  /**
   * The guard flag's value before statement `at` of `siblings`, from the nearest statement before it
   * there that assigns it: `true`, `false` (also its declaration), `unknown` (another value, or a
   * branch or loop that assigns it inside), `none` when no statement of the list assigns it (its value
   * comes from around the list). A call of a local closure that sets it (`release()`) sets it true.
   */
  private flagIn(siblings: readonly GoNode[], at: number, flag: string): 'true' | 'false' | 'unknown' | 'none' {
    const { text } = this.state;
    for (let i = at - 1; i >= 0; i--) {
      const st = siblings[i]!;
      const value = flagValue(text, st, flag);
      if (value === 'true' || value === 'false') return value;
      // Its declaration (guardKept: declared false).
      const specs = st.type === 'var_declaration' ? st.children.filter((c) => c.type === 'var_spec') : st.type === 'short_var_declaration' ? [st] : [];
      if (specs.some((sp) => assignedTargets(sp).some((t) => textOf(text, t) === flag))) return 'false';
      const call = st.type === 'expression_statement' ? st.children[0] : undefined;
      const f = call?.type === 'call_expression' ? field(call, 'function') : undefined;
      if (f?.type === 'identifier' && this.flagSetters.get(textOf(text, f))?.has(flag)) return 'true';
      let assigns = false;
      walk(st, (n) => ((assigns ||= assignedTargets(n).some((t) => t.type === 'identifier' && textOf(text, t) === flag)), !assigns));
      if (assigns) return 'unknown';
    }
    return 'none';
  }

  /**
   * Whether a call of this function between `from` and `to` may take a lock: one of a same-file
   * function whose body calls `Lock()` or `RLock()`, or of any other whose name says lock.
   */
  private mayRelock(from: number, to: number): boolean {
    const { state } = this;
    return state.calls.some((c) => {
      if (c.functionId !== this.fn.info.id || c.span.start < from || c.span.end > to) return false;
      const target = c.localTarget === undefined ? undefined : state.fns[c.localTarget];
      return target ? /\.\s*R?Lock\s*\(\s*\)/.test(textOf(state.text, target.node)) : /lock/i.test(c.calleeText);
    });
  }

  /** The region each key was last released by an explicit unlock in, by index into `regions`. */
  private readonly lastReleased = new Map<string, number>();

  /**
   * `unlocked = false` where the lock its deferred unlock guards is not held (released since its
   * last acquisition, `fs.mu.Unlock(); unlocked = true; …; unlocked = false`), after which the
   * statements of its list reach a `return` or the function's end without taking it again or setting
   * the flag: the deferred function unlocks an unlocked mutex. Recorded on the region that released it.
   */
  private flagReset(stmt: GoNode, held: ReadonlyMap<string, Acq>): void {
    const { text } = this.state;
    const list = stmt.parent;
    if (list?.type !== 'statement_list') return;
    for (const [key, guarded] of this.guardedDefers) {
      const index = this.lastReleased.get(key);
      const region = index === undefined ? undefined : this.regions[index];
      if (held.has(key) || guarded.defer.start > stmt.start || !region?.releaseSpan || region.releaseSpan.end > stmt.start || region.unlockedAgain || flagValue(text, stmt, guarded.flag) !== 'false') continue;
      // A call in between may take the lock again (`js.lock()`, a wrapper of `js.mu.Lock()`): not followed.
      if (this.mayRelock(region.releaseSpan.end, stmt.start)) continue;
      let reaches: boolean | undefined;
      for (const st of list.children.slice(list.children.indexOf(stmt) + 1)) {
        if (flagValue(text, st, guarded.flag) !== undefined || this.ops.get(st)?.some((o) => o.key === key && o.kind === 'lock')) reaches = false;
        else if (st.type === 'return_statement') reaches = true;
        else if (COMPOUND.has(st.type) || st.type === 'goto_statement' || st.type === 'labeled_statement') reaches = false;
        if (reaches !== undefined) break;
      }
      if (reaches ?? list.parent === field(this.fn.node, 'body')) this.regions[index!] = { ...region, unlockedAgain: { ...guarded, reset: span(stmt) } };
    }
  }

  private emit(acq: Acq, start: number, end: number, releaseSpan?: Span, unlockedAgain?: { flag: string; defer: Span }): void {
    if (end <= start) return;
    if (releaseSpan) this.lastReleased.set(acq.op.key, this.regions.length);
    const release: ReleaseKind = releaseSpan ? 'explicit' : acq.deferred ? 'finally' : 'scope-end';
    const rs = releaseSpan ?? acq.deferred;
    acq.regions.push(this.regions.length);
    this.regions.push({
      id: this.regions.length, lock: acq.op.lock, lockKey: acq.op.key, ...(acq.op.lockType ? { lockType: acq.op.lockType } : {}), kind: 'blocking',
      acquireSpan: span(acq.op.call), span: { start, end }, ...(rs ? { releaseSpan: rs } : {}), release,
      context: this.fn.info.context!, ...(acq.op.shared ? { shared: true } : {}), guardedResources: acq.op.guarded,
      ...(acq.op.packageLock ? { packageLock: acq.op.packageLock } : {}),
      ...(acq.entry ? { entry: true as const } : {}), ...(acq.relock ? { relock: true as const } : {}), ...(acq.takenWhen ? { takenWhen: acq.takenWhen } : {}),
      ...(unlockedAgain ? { unlockedAgain } : {}),
      ...this.building(acq.op),
      // Taken again and handed back to the caller held: unlocking before the wait is not the fix.
      ...(acq.relock && !rs ? { advice: `move it before \`${textOf(this.state.text, acq.op.call)}\` takes the lock again to hand it back, or to the caller after it unlocks` } : {}),
    });
  }

  /**
   * `if doLock { s.RLock() }` … `if doLock { s.RUnlock() }`: a lock taken and released under the same
   * flag, a parameter or local the function never assigns again (nats-server's `Sublist.match`,
   * `removeSession(sess, lock bool)`, `pubAllowedFullCheck(…, hasLock bool)`). On a path where the flag
   * is false neither runs, so the two pair up as if written without the `if`; read that way, the
   * function holds the lock from one to the other, and no path leaves it held or takes it twice.
   * The `if` is replaced by its body when that body is only lock operations and it has no `else`.
   */
  private guardedLocks(stmts: readonly GoNode[]): readonly GoNode[] {
    if (!stmts.some((st) => st.type === 'if_statement')) return stmts;
    const out: GoNode[] = [];
    // Lock operations only, or an `if`/`else` choosing between them (latest nats-server's Sublist.match:
    // `if doLock { if cacheEnabled { s.Lock() } else { s.RLock() } }`), which is walked as a branch.
    const lockStmt = (b: GoNode): boolean => this.ops.has(b) && (b.type === 'expression_statement' || b.type === 'defer_statement');
    const lockChoice = (b: GoNode): boolean => {
      if (b.type !== 'if_statement' || field(b, 'initializer')) return false;
      const cons = statementsOf(field(b, 'consequence'));
      const alt = field(b, 'alternative');
      const altOk = !alt || (alt.type === 'if_statement' ? lockChoice(alt) : statementsOf(alt).length > 0 && statementsOf(alt).every((x) => lockStmt(x) || lockChoice(x)));
      return cons.length > 0 && cons.every((x) => lockStmt(x) || lockChoice(x)) && altOk;
    };
    const onlyLocks = (st: GoNode): GoNode[] | undefined => {
      if (st.type !== 'if_statement' || field(st, 'initializer') || field(st, 'alternative')) return undefined;
      const body = statementsOf(field(st, 'consequence'));
      return body.length > 0 && body.every((b) => lockStmt(b) || lockChoice(b)) ? body : undefined;
    };
    const paired = new Set<GoNode>();
    const flags = new Map<GoNode, { negated: boolean; param?: number }>();
    stmts.forEach((st, i) => {
      if (paired.has(st) || !onlyLocks(st)) return;
      const cond = field(st, 'condition');
      const plain = cond !== undefined && /^[!(\s]*[A-Za-z_]\w*[)\s]*$/.test(textOf(this.state.text, cond));
      // A plain flag must be one the function never changes; any other condition is checked by its pairing.
      const flag = plain ? this.stableFlag(cond) : undefined;
      if (plain && !flag) return;
      // Paired with a later `if` written the same (the same flag, the same sign), or, for a plain flag,
      // self-contained: `if !hasLock { c.mu.Lock(); defer c.mu.Unlock() }`.
      const j = this.sameGuardLater(stmts, i, onlyLocks);
      if (j !== undefined) {
        paired.add(st);
        paired.add(stmts[j]!);
        if (flag) {
          flags.set(st, flag);
          flags.set(stmts[j]!, flag);
        }
      } else if (flag && this.selfContained(onlyLocks(st)!)) {
        paired.add(st);
        flags.set(st, flag);
      }
    });
    for (const st of stmts) {
      if (!paired.has(st)) {
        out.push(st);
        continue;
      }
      const flag = flags.get(st);
      for (const b of onlyLocks(st)!) {
        if (flag?.param !== undefined) {
          const guard = { param: flag.param, value: !flag.negated };
          if (b.type === 'if_statement') walk(b, (x) => (this.ops.has(x) && this.guards.set(x, guard), true));
          else this.guards.set(b, guard);
        }
        out.push(b);
      }
    }
    return out;
  }

  /** Every lock the statements take is released among them too (a deferred `Unlock()`). */
  private selfContained(body: readonly GoNode[]): boolean {
    const ops = body.flatMap((b) => this.ops.get(b) ?? []);
    const taken = ops.filter((o) => o.kind === 'lock');
    return taken.length > 0 && taken.every((t) => ops.some((o) => o.kind !== 'lock' && o.key === t.key)) && ops.every((o) => o.kind === 'lock' || taken.some((t) => t.key === o.key));
  }

  private readonly guards = new Map<GoNode, { param: number; value: boolean }>();

  /**
   * `if sub.client != nil && sub.client != c { sub.client.mu.Lock() }` … the same condition around
   * the `Unlock()` (nats-server's route.go): a later `if` of the same list, of lock operations only,
   * whose condition is written the same, with no assignment in between to a variable the condition
   * reads. Returns its index.
   */
  private sameGuardLater(stmts: readonly GoNode[], i: number, onlyLocks: (st: GoNode) => GoNode[] | undefined): number | undefined {
    const { text } = this.state;
    const cond = field(stmts[i]!, 'condition');
    if (!cond) return undefined;
    const written = textOf(text, cond).replace(/\s+/g, '');
    // Calls can change what the condition reads: only comparisons, selectors, `!`, `&&`, `||`.
    let plain = true;
    const names = new Set<string>();
    walk(cond, (n) => {
      if (n.type === 'call_expression' || n.type === 'unary_expression' && /^[<*&]/.test(textOf(text, n))) plain = false;
      if (n.type === 'identifier') names.add(textOf(text, n));
      return true;
    });
    if (!plain) return undefined;
    // Anywhere in the function: `&name` hands a name to code that may change it, and a function
    // literal that assigns one may run between the two ifs.
    const fnBody = field(this.fn.node, 'body') ?? this.fn.node;
    let escapes = false;
    walk(fnBody, (n) => {
      if (escapes) return false;
      if (n.type === 'unary_expression' && text.startsWith('&', n.start) && names.has(rootName(text, field(n, 'operand')))) escapes = true;
      if (n.type === 'func_literal' && writesAny(text, n, names)) escapes = true;
      // `p := s`: p's fields are s's, written under another name.
      if ((n.type === 'assignment_statement' || n.type === 'short_var_declaration') && (field(n, 'right')?.children ?? []).some((r) => r.type === 'identifier' && names.has(textOf(text, r)))) escapes = true;
      return !escapes;
    });
    if (escapes) return undefined;
    for (let j = i + 1; j < stmts.length; j++) {
      const st = stmts[j]!;
      if (onlyLocks(st) && field(st, 'condition') && textOf(text, field(st, 'condition')!).replace(/\s+/g, '') === written) return j;
      // Between the two: no assignment to a name the condition reads, no alias of one (`p := s`, whose
      // fields may then change), no call on one or given one (`s.reset()`), but a log line.
      let changes = writesAny(text, st, names);
      walk(st, (n) => {
        if (changes) return false;
        if ((n.type === 'assignment_statement' || n.type === 'short_var_declaration') && (field(n, 'right')?.children ?? []).some((r) => r.type === 'identifier' && names.has(textOf(text, r)))) changes = true;
        if (n.type === 'call_expression') {
          const f = field(n, 'function');
          const method = f?.type === 'selector_expression' ? textOf(text, field(f, 'field') ?? f) : '';
          const args = field(n, 'arguments');
          const touches = (f?.type === 'selector_expression' && names.has(rootName(text, field(f, 'operand')))) || (args !== undefined && [...textOf(text, args).matchAll(/\b[A-Za-z_]\w*\b/g)].some((m) => names.has(m[0])));
          if (touches && !LOG_METHOD.test(method)) changes = true;
        }
        return !changes;
      });
      if (changes || st.type === 'return_statement' || st.type === 'goto_statement') return undefined;
    }
    return undefined;
  }

  /** `flag` or `!flag`, a `bool` the function never assigns after its declaration; with its parameter index when it is one. */
  private stableFlag(cond: GoNode | undefined): { name: string; negated: boolean; param?: number } | undefined {
    let negated = false;
    let n = cond;
    for (;;) {
      if (n?.type === 'parenthesized_expression') n = n.children.find((c) => c.type !== '(' && c.type !== ')');
      else if (n?.type === 'unary_expression' && this.state.text.startsWith('!', n.start)) {
        negated = !negated;
        n = field(n, 'operand');
      } else break;
    }
    if (n?.type !== 'identifier') return undefined;
    const name = textOf(this.state.text, n);
    const fnNode = this.fn.node;
    const params = (field(fnNode, 'parameters')?.children ?? []).filter((c) => c.type === 'parameter_declaration');
    // Parameters in order: `a, b bool` declares two.
    const names = params.flatMap((pd) => pd.children.filter((c) => c.type === 'identifier').map((c) => ({ name: textOf(this.state.text, c), type: textOf(this.state.text, field(pd, 'type') ?? pd) })));
    const index = names.findIndex((p) => p.name === name);
    if (index >= 0 && names[index]!.type !== 'bool') return undefined;
    let writes = 0;
    walk(field(fnNode, 'body') ?? fnNode, (x) => {
      if (assignedTargets(x).some((t) => t.type === 'identifier' && textOf(this.state.text, t) === name)) writes++;
      // `&flag` hands it to code that may change it.
      if (x.type === 'unary_expression' && this.state.text.startsWith('&', x.start) && textOf(this.state.text, field(x, 'operand') ?? x) === name) writes += 2;
      return true;
    });
    // A parameter is never assigned; a local once, where it is declared.
    if (writes > (index >= 0 ? 0 : 1)) return undefined;
    if (index < 0 && writes === 0) return undefined;
    return { name, negated, ...(index >= 0 ? { param: index } : {}) };
  }

  /** Walks a statement list with `held` on entry; returns what is held at its end and whether control reaches it. */
  private walkList(list: readonly GoNode[], entry: ReadonlyMap<string, Acq>, end: number): { held: Map<string, Acq>; falls: boolean } {
    const stmts = this.guardedLocks(list);
    const held = new Map(entry);
    const runs = new Map<string, number>();
    // `defer mu.Unlock()` written before the `Lock()` it pairs with.
    const deferredEarly = new Map<string, Span>();
    const listStart = stmts[0]?.start ?? end;
    for (const k of held.keys()) runs.set(k, listStart);
    const closeAll = (at: number): void => {
      for (const [k, start] of runs) this.emit(held.get(k)!, start, at);
      runs.clear();
    };
    for (const stmt of stmts) {
      this.flagReset(stmt, held);
      for (const op of this.releasesBefore.get(stmt) ?? []) {
        const cur = held.get(op.key);
        if (!cur) continue;
        this.emit(cur, runs.get(op.key)!, op.node.end, span(op.node));
        held.delete(op.key);
        runs.delete(op.key);
      }
      const ops = this.ops.get(stmt);
      if (ops) {
        for (const op of ops) {
          const cur = held.get(op.key);
          if (op.kind === 'lock') {
            if (cur) {
              // Locked again while held: the first region spans the second acquisition (a self-deadlock).
              this.emit(cur, runs.get(op.key)!, stmt.end);
            }
            // Taken again while the flag of its guarded deferred unlock is true (`unlocked = true; …;
            // fs.mu.Lock()`), and not set back to false after: the deferred function skips it.
            const early = this.skipsGuardedDefer(stmt, op) ? undefined : (deferredEarly.get(op.key) ?? this.deferredKeys.get(op.key));
            const relock = !cur && this.handedBack.has(op.key);
            const guard = this.guards.get(stmt);
            const acq: Acq = { op, missing: false, regions: [], ...(early ? { deferred: early } : {}), ...(relock ? { relock: true as const } : {}), ...(guard ? { takenWhen: guard } : {}) };
            this.acqs.push(acq);
            held.set(op.key, acq);
            runs.set(op.key, stmt.start);
          } else if (op.kind === 'unlock') {
            if (cur) {
              this.emit(cur, runs.get(op.key)!, stmt.end, span(stmt), this.unlockedAgain(stmt, op));
              held.delete(op.key);
              runs.delete(op.key);
            }
          } else {
            if (cur) cur.deferred = span(stmt);
            else deferredEarly.set(op.key, span(stmt));
            this.deferredKeys.set(op.key, span(stmt));
            if (op.guard !== undefined) this.guardedDefers.set(op.key, { flag: op.guard, defer: span(stmt) });
          }
        }
        // `return c.doFlush()`, a call that gives the caller's lock up: released, then returned.
        if (stmt.type !== 'return_statement') continue;
      }
      if (stmt.type === 'return_statement' || this.terminalCall(stmt)) {
        if (stmt.type === 'return_statement') for (const acq of held.values()) if (!acq.deferred && !acq.entry && !acq.relock && this.unlocked.has(acq.op.key)) acq.missing = true;
        closeAll(stmt.end);
        return { held, falls: false };
      }
      if (stmt.type === 'continue_statement' || stmt.type === 'goto_statement') {
        if (stmt.type === 'goto_statement') this.gotoReleases(stmt, held);
        closeAll(stmt.end);
        return { held, falls: false };
      }
      if (!COMPOUND.has(stmt.type)) continue;
      const heldUnlocking = [...held.values()].some((a) => !a.deferred);
      if (!this.contains(stmt, this.opSpans) && !(heldUnlocking && this.contains(stmt, this.returns))) continue;
      closeAll(stmt.start);
      const { branches, exhaustive, loops } = this.branches(stmt);
      const outs: Map<string, Acq>[] = [];
      for (const b of branches) {
        const r = this.walkList(b.stmts, held, b.end);
        if (r.falls) outs.push(r.held);
      }
      if (!exhaustive) outs.push(held);
      if (outs.length === 0 || loops) {
        // Nothing falls through (every branch returns, or an endless loop): what was held is closed here.
        return { held: new Map(), falls: false };
      }
      const merged = new Map<string, Acq>();
      for (const o of outs) for (const [k, a] of o) if (!merged.has(k)) merged.set(k, held.get(k) ?? a);
      held.clear();
      for (const [k, a] of merged) {
        held.set(k, a);
        runs.set(k, stmt.end);
      }
    }
    closeAll(end);
    return { held, falls: true };
  }

  /**
   * `goto SKIP` forward: what it holds goes on at the label. A lock is released there when the label's
   * statement or those after it in its list, up to the next `return` or jump, unlock it (fileStore.Compact's
   * `SKIP: smb.mu.Unlock()`); otherwise the jump leaves it held (`goto END` past the Unlock).
   */
  private gotoReleases(stmt: GoNode, held: ReadonlyMap<string, Acq>): void {
    const { text } = this.state;
    const name = stmt.children.find((c) => c.type === 'label_name');
    if (!name) return;
    const label = textOf(text, name);
    let target: GoNode | undefined;
    walk(field(this.fn.node, 'body') ?? this.fn.node, (n) => {
      if (target || (n.type === 'func_literal')) return false;
      if (n.type === 'labeled_statement' && n.children.some((c) => c.type === 'label_name' && textOf(text, c) === label)) target = n;
      return !target;
    });
    // A backward jump runs code already walked.
    if (!target || target.start < stmt.start) return;
    const sibs = statementsOf(target.parent);
    const released = new Set<string>();
    for (const st of sibs.slice(sibs.indexOf(target))) {
      walk(st, (n) => {
        if (n.type === 'func_literal') return false;
        for (const op of this.ops.get(n) ?? []) if (op.kind !== 'lock') released.add(op.key);
        return true;
      });
      if (st.type === 'return_statement' || st.type === 'goto_statement' || (st !== target && this.terminalCall(st))) break;
    }
    for (const acq of held.values()) if (!acq.deferred && !acq.entry && !acq.relock && !released.has(acq.op.key) && this.unlocked.has(acq.op.key)) acq.missing = true;
  }

  private terminalCall(stmt: GoNode): boolean {
    if (stmt.type !== 'expression_statement' || stmt.children[0]?.type !== 'call_expression') return false;
    const f = field(stmt.children[0], 'function');
    return f !== undefined && TERMINAL_CALL.test(textOf(this.state.text, f));
  }

  /** The statement lists a compound statement may run, and whether one of them always runs. */
  private branches(stmt: GoNode): { branches: { stmts: GoNode[]; end: number }[]; exhaustive: boolean; loops?: boolean } {
    const list = (n: GoNode | undefined): { stmts: GoNode[]; end: number } => ({ stmts: statementsOf(n), end: n?.end ?? stmt.end });
    switch (stmt.type) {
      case 'block':
        return { branches: [list(stmt)], exhaustive: true };
      case 'labeled_statement': {
        const inner = stmt.children.find((c) => c.type !== 'label_name' && c.type !== ':' && c.type !== 'comment');
        // `SKIP: smb.mu.Unlock()`, the label a `goto` jumps to: a plain statement runs as a list of one.
        if (inner && !COMPOUND.has(inner.type)) return { branches: [{ stmts: [inner], end: stmt.end }], exhaustive: true };
        return inner ? this.branches(inner) : { branches: [], exhaustive: false };
      }
      case 'if_statement': {
        const out = [list(field(stmt, 'consequence'))];
        const alt = field(stmt, 'alternative');
        if (alt?.type === 'if_statement') {
          const inner = this.branches(alt);
          return { branches: [...out, ...inner.branches], exhaustive: inner.exhaustive };
        }
        if (alt) out.push(list(alt));
        return { branches: out, exhaustive: alt !== undefined };
      }
      case 'for_statement': {
        // `for { … }` leaves only by `break` (or `return`): without a `break` of its own nothing follows it.
        const infinite = stmt.children.every((c) => c.field === 'body' || c.type === 'comment');
        const body = field(stmt, 'body');
        if (infinite && !breaksOut(body, stmt)) return { branches: [list(body)], exhaustive: true, loops: true };
        return { branches: [list(body)], exhaustive: false };
      }
      default: {
        // switch and select: one case runs; without `default` a switch may run none (a `select` always runs one).
        const cases = stmt.children.filter((c) => /_case$/.test(c.type));
        const hasDefault = cases.some((c) => c.type === 'default_case');
        return { branches: cases.map((c) => list(c)), exhaustive: hasDefault || stmt.type === 'select_statement' };
      }
    }
  }
}
