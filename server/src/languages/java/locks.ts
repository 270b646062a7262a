/**
 * Java locks held across blocking waits: `synchronized` blocks and methods, and `Lock.lock()` (or
 * `tryLock`, `lockInterruptibly`) up to its `unlock()`, as `HeldRegion`s; the blocking waits (the
 * catalog's blocking calls, directly or through a same-file method) as `park` yield points.
 *
 * Only two places make holding a lock across a wait an async-boundary problem, and only there are
 * regions and waits recorded: an async context (a Reactor operator callback, a WebFlux handler, a
 * `supplyAsync` task on the common pool, a Vert.x or Netty handler), and code that runs on a virtual
 * thread (`Thread.ofVirtual()`, `Thread.startVirtualThread`, the tasks of an
 * `Executors.newVirtualThreadPerTaskExecutor()`, and same-file methods they call), where a
 * `synchronized` region also pins the virtual thread to its carrier (before JDK 24). A virtual
 * thread's body gets an `AsyncContext` of its own for the regions and waits; its calls keep no
 * context, since blocking there is what virtual threads are for.
 *
 * Java's monitors and `ReentrantLock` are reentrant: taking one again in the same thread does not
 * wait, so regions are marked `reentrant`. `Object.wait()` releases the monitor it waits on, and is
 * not a wait under the lock.
 */
import type { AsyncContext, CallSite, FileModel, FunctionInfo, HeldRegion, Parking, YieldPoint } from '../../engine/model';
import { contextPhrase, findThroughHelpers } from '../../engine/rule-support';
import type { JFn, JavaState } from './builder';
import { compact, field, type JavaNode } from './syntax';

const LOCK_METHODS = new Set(['lock', 'lockInterruptibly', 'tryLock']);
const LOCK_TYPES = /(?:^|\.)(?:ReentrantLock|Lock|ReadLock|WriteLock)$/;
const VT_EXECUTOR = /Executors\s*\.\s*newVirtualThreadPerTaskExecutor\s*\(|Executors\s*\.\s*newThreadPerTaskExecutor\s*\([^)]*ofVirtual/;
const TASK_METHODS = new Set(['submit', 'execute', 'invokeAll', 'invokeAny']);
/** Waits that release the lock they wait on, or do not wait at all. */
const NOT_WAITS = new Set(['java.lang.Object.wait']);
/** A word every virtual-thread starter above is written with: a file without one starts none. */
const VT_WORDS = /newVirtualThreadPerTaskExecutor|newThreadPerTaskExecutor|startVirtualThread|ofVirtual/;

interface Built {
  readonly heldRegions: HeldRegion[];
  readonly yieldPoints: YieldPoint[];
}

function args(call: JavaNode): JavaNode[] {
  return (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type));
}

/** Names of the locals and fields that hold a virtual-thread-per-task executor. */
function virtualExecutors(state: JavaState): Set<string> {
  const out = new Set<string>();
  const { text } = state;
  for (const node of state.callOfNode.keys()) {
    if (!VT_EXECUTOR.test(text.slice(node.start, node.end))) continue;
    let up = node.parent;
    while (up?.type === 'parenthesized_expression' || up?.type === 'cast_expression') up = up.parent;
    if (up?.type === 'variable_declarator' || up?.type === 'resource') {
      const name = field(up, 'name');
      if (name) out.add(text.slice(name.start, name.end));
    } else if (up?.type === 'assignment_expression') {
      const left = field(up, 'left');
      if (left) out.add(compact(text, left).replace(/^this\./, ''));
    }
  }
  return out;
}

/** The functions a task argument stands for: a lambda, or the same-file methods a method reference names. */
function taskFunctions(state: JavaState, arg: JavaNode): JFn[] {
  const fn = state.fnOfNode.get(arg);
  if (!fn) return [];
  if (fn.kind === 'lambda') return [fn];
  const obj = arg.children[0];
  const name = arg.children[arg.children.length - 1];
  if (!obj || !name || obj === name || (obj.type !== 'this' && obj.type !== 'identifier')) return [];
  const ids = fn.cls?.methods.get(state.text.slice(name.start, name.end)) ?? [];
  return ids.map((id) => state.fns[id]!);
}

/** The bodies handed to a virtual thread, with the call that starts each. */
function virtualRoots(state: JavaState): Map<number, JavaNode> {
  const roots = new Map<number, JavaNode>();
  // Most files start no virtual thread: they are not read call by call.
  if (!VT_WORDS.test(state.text)) return roots;
  const executors = virtualExecutors(state);
  const { text } = state;
  for (const [node, id] of state.callOfNode) {
    if (node.type !== 'method_invocation') continue;
    const site = state.calls[id]!;
    const obj = field(node, 'object');
    const recv = obj ? compact(text, obj) : '';
    const starter =
      (site.member === 'startVirtualThread' && /^(?:java\.lang\.)?Thread$/.test(recv)) ||
      ((site.member === 'start' || site.member === 'unstarted') && /^Thread\.ofVirtual\(\)/.test(recv)) ||
      (TASK_METHODS.has(site.member) && (executors.has(recv.replace(/^this\./, '')) || VT_EXECUTOR.test(recv)));
    if (!starter) continue;
    for (const a of args(node)) for (const f of taskFunctions(state, a)) if (!roots.has(f.id)) roots.set(f.id, node);
  }
  return roots;
}

/** A short quote of the call that starts a virtual thread, for the context's reason. */
function starterText(state: JavaState, node: JavaNode): string {
  const name = field(node, 'name');
  const obj = field(node, 'object');
  const recv = obj ? compact(state.text, obj) : '';
  return `${recv.length <= 40 ? recv : '…'}.${name ? state.text.slice(name.start, name.end) : ''}`;
}

/**
 * Which functions run on a virtual thread, and the context each gets: the roots, lambdas nested in them
 * that run inline, and same-file methods they call that run nowhere else in particular (no context of their own).
 */
function virtualContexts(state: JavaState, functions: FunctionInfo[], contexts: AsyncContext[]): Map<number, number> {
  const roots = virtualRoots(state);
  const ctxOf = new Map<number, number>();
  for (const [fnId, starter] of roots) {
    if (functions[fnId]?.context !== undefined) continue;
    const f = state.fns[fnId]!;
    const owner = ownerName(f);
    const id = contexts.length;
    contexts.push({
      id, kind: 'spawned-task', name: owner !== undefined ? `virtual thread in ${owner}` : 'virtual thread', span: { start: f.node.start, end: f.node.end },
      nameSpan: { start: f.node.start, end: f.node.start + 1 }, reason: `a task run on a virtual thread (\`${starterText(state, starter)}\`)`, functionId: fnId, runsOn: 'a virtual thread',
    });
    ctxOf.set(fnId, id);
  }
  // Inline lambdas inherit their parent's; methods called from a virtual thread run on it (to a fixed point).
  for (let round = 0; round < 8; round++) {
    let changed = false;
    for (const f of state.fns) {
      if (ctxOf.has(f.id) || functions[f.id]?.context !== undefined) continue;
      if (f.kind === 'lambda' && f.parent && ctxOf.has(f.parent.id) && !state.callbacks.has(f.id)) {
        ctxOf.set(f.id, ctxOf.get(f.parent.id)!);
        changed = true;
      }
    }
    for (const c of state.calls) {
      if (c.functionId === undefined || c.localTarget === undefined || !ctxOf.has(c.functionId)) continue;
      const target = state.fns[c.localTarget];
      if (!target || ctxOf.has(target.id) || functions[target.id]?.context !== undefined) continue;
      ctxOf.set(target.id, ctxOf.get(c.functionId)!);
      changed = true;
    }
    if (!changed) break;
  }
  return ctxOf;
}

function ownerName(f: JFn): string | undefined {
  for (let p: JFn | undefined = f; p; p = p.parent) if (p.name !== undefined) return p.name;
  return undefined;
}

/** The context a function's own code runs in for this rule: its async context, or its virtual thread's. */
function effectiveContext(fnId: number | undefined, functions: FunctionInfo[], vt: Map<number, number>): number | undefined {
  if (fnId === undefined) return undefined;
  return functions[fnId]?.context ?? vt.get(fnId);
}

/** Whether a call runs while its enclosing function runs (not in a callback handed on to run later). */
function runsInline(state: JavaState, call: CallSite, holder: JFn): boolean {
  for (let f = call.functionId === undefined ? undefined : state.fns[call.functionId]; f; f = f.parent) {
    if (f === holder) return true;
    if (f.kind !== 'lambda' || state.callbacks.has(f.id)) return false;
  }
  return false;
}

function describeRegionPlace(ctx: AsyncContext, synchronizedRegion: boolean, shared: boolean): { waiters: string; note: string; advice: string } {
  const writers = shared ? ' for writing' : '';
  if (ctx.runsOn === 'a virtual thread') {
    return synchronizedRegion
      ? {
          waiters: `every thread that needs it${writers}`,
          note: `, and this code runs on ${contextPhrase(ctx)}, which a \`synchronized\` region pins to its carrier (before JDK 24): the wait also holds one of the few carrier threads every virtual thread shares`,
          advice: 'make the blocking call before taking the lock and take it only to update the state, or use a `ReentrantLock`, which does not pin',
        }
      : {
          waiters: `every virtual thread that needs it${writers}`,
          note: ` (this code runs on ${contextPhrase(ctx)})`,
          advice: 'make the blocking call before taking the lock, and take it only to update the state',
        };
  }
  return {
    waiters: `every thread that needs it${writers}`,
    note: `, and this code runs on ${ctx.runsOn ?? 'a Reactor non-blocking thread'} (${contextPhrase(ctx)}), so every thread waiting for the lock stops serving its other work too`,
    advice: 'make the call before taking the lock (in a pipeline, compose it with `flatMap`) and take the lock only to update the state',
  };
}

/** Regions and waits of the file; pushes a context for each virtual-thread body. */
export function findJavaLocks(state: JavaState, functions: FunctionInfo[], contexts: AsyncContext[], calls: CallSite[]): Built {
  const { text } = state;
  const vt = virtualContexts(state, functions, contexts);
  const heldRegions: Omit<HeldRegion, 'id'>[] = [];
  const yieldPoints: YieldPoint[] = [];
  const model = { functions, calls } as unknown as FileModel;
  const memo = new Map<number, { call: CallSite; via: number[] } | null>();
  const isWait = (c: CallSite): boolean => c.callee !== undefined && state.catalog.blocking.has(c.callee) && !NOT_WAITS.has(c.callee);
  const waitOf = (c: CallSite): { call: CallSite; via?: string } | undefined => {
    if (isWait(c)) return { call: c };
    const target = c.localTarget === undefined ? undefined : functions[c.localTarget];
    if (!target || target.offloaded) return undefined;
    const hit = findThroughHelpers(model, target.id, isWait, memo);
    return hit ? { call: hit.call, via: c.written ?? c.calleeText } : undefined;
  };
  const waitAt = new Map<number, number>();

  const addRegion = (holder: JFn, lock: string, lockKey: string, acquire: { start: number; end: number }, span: { start: number; end: number }, release: HeldRegion['release'], releaseSpan: { start: number; end: number } | undefined, synchronizedRegion: boolean, shared: boolean): void => {
    const context = effectiveContext(holder.id, functions, vt);
    if (context === undefined) return;
    const ctx = contexts[context]!;
    const place = describeRegionPlace(ctx, synchronizedRegion, shared);
    heldRegions.push({
      lock, lockKey, kind: 'blocking', acquireSpan: acquire, span, release, ...(releaseSpan ? { releaseSpan } : {}), context,
      ...(shared ? { shared } : {}), guardedResources: [], reentrant: true, ...place, lockType: synchronizedRegion ? 'java.lang.Object' : 'java.util.concurrent.locks.Lock',
    });
    for (const c of calls) {
      if (c.span.start < acquire.end || c.span.end > span.end || waitAt.has(c.id) || !runsInline(state, c, holder)) continue;
      const wait = waitOf(c);
      if (!wait) continue;
      const quoted = `\`${wait.call.written ?? wait.call.calleeText}\``;
      const parking: Parking = {
        what: wait.via !== undefined ? `\`${wait.via}\`, which blocks on ${quoted}` : quoted,
        until: 'until it returns',
      };
      waitAt.set(c.id, yieldPoints.length);
      yieldPoints.push({ id: yieldPoints.length, kind: 'park', span: c.span, keywordSpan: c.calleeSpan, context, ordinal: 0, calls: [c.id], parking });
    }
  };

  // `synchronized (x) { … }`, found with an explicit stack: a file nested thousands deep must not overflow the call stack.
  // A file whose text never says `synchronized` has none: most files are not walked (the walk visits every node).
  const stack: JavaNode[] = text.includes('synchronized') ? [...rootsOf(state)] : [];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c.type === 'synchronized_statement') {
      const holder = enclosing(state, c);
      const body = field(c, 'body') ?? c.children.find((x) => x.type === 'block');
      const head = c.children.find((x) => x.type === 'parenthesized_expression');
      if (holder && body && head) {
        const expr = compact(text, head).slice(1, -1);
        addRegion(holder, `synchronized (${expr})`, expr, { start: c.start, end: head.end }, { start: c.start, end: c.end }, 'scope-end', undefined, true, false);
      }
    }
    for (const child of c.children) stack.push(child);
  }

  // `synchronized` methods: the monitor of `this` (or of the class, for a static method).
  for (const f of state.fns) {
    if (f.kind !== 'method' || !/\bsynchronized\b/.test(f.modifiers)) continue;
    const body = field(f.node, 'body');
    const mods = f.node.children.find((c) => c.type === 'modifiers');
    if (!body || !mods) continue;
    const at = mods.start + text.slice(mods.start, mods.end).search(/\bsynchronized\b/);
    const monitor = /\bstatic\b/.test(f.modifiers) ? `${f.cls?.name ?? 'this'}.class` : 'this';
    addRegion(f, `synchronized (${monitor})`, monitor, { start: at, end: at + 'synchronized'.length }, { start: body.start, end: body.end }, 'scope-end', undefined, true, false);
  }

  // `lock.lock(); try { … } finally { lock.unlock(); }` and `if (lock.tryLock()) { … }`.
  for (const c of calls) {
    if (!LOCK_METHODS.has(c.member) || c.functionId === undefined) continue;
    const node = state.nodeOfCall.get(c.id);
    const obj = node ? field(node, 'object') : undefined;
    if (!node || node.type !== 'method_invocation' || !obj) continue;
    const recv = compact(text, obj);
    const owner = c.callee?.slice(0, c.callee.lastIndexOf('.'));
    const lockish = (owner !== undefined && (state.catalog.locks.has(owner) || LOCK_TYPES.test(owner))) || (owner === undefined && /(?:lock|Lock|\.(?:readLock|writeLock)\(\))$/.test(recv));
    if (!lockish) continue;
    const holder = state.fns[c.functionId]!;
    const unlock = calls.find((u) => u.member === 'unlock' && u.functionId === c.functionId && u.span.start > c.span.end && receiverOf(state, u) === recv);
    if (!unlock) continue;
    const unlockNode = state.nodeOfCall.get(unlock.id)!;
    const inFinally = ancestorOfType(unlockNode, 'finally_clause', holder.node) !== undefined;
    addRegion(holder, recv, recv, c.span, { start: c.span.start, end: unlock.span.end }, inFinally ? 'finally' : 'explicit', unlock.span, false, /readLock\(\)$/.test(recv));
  }
  heldRegions.sort((a, b) => a.acquireSpan.start - b.acquireSpan.start);
  // Waits in source order, numbered within their context.
  yieldPoints.sort((a, b) => a.span.start - b.span.start);
  const counts = new Map<number, number>();
  const numbered = yieldPoints.map((y, i) => {
    const ordinal = (counts.get(y.context) ?? 0) + 1;
    counts.set(y.context, ordinal);
    return { ...y, id: i, ordinal };
  });
  return { heldRegions: heldRegions.map((r, id) => ({ ...r, id })), yieldPoints: numbered };
}

function receiverOf(state: JavaState, call: CallSite): string | undefined {
  const node = state.nodeOfCall.get(call.id);
  const obj = node ? field(node, 'object') : undefined;
  return obj ? compact(state.text, obj) : undefined;
}

function ancestorOfType(node: JavaNode, type: string, stop: JavaNode): JavaNode | undefined {
  for (let n = node.parent; n && n !== stop; n = n.parent) if (n.type === type) return n;
  return undefined;
}

function enclosing(state: JavaState, node: JavaNode): JFn | undefined {
  for (let n = node.parent; n; n = n.parent) {
    const f = state.fnOfNode.get(n);
    if (f) return f;
  }
  return undefined;
}

function rootsOf(state: JavaState): JavaNode[] {
  // Every function's body is under the file's root: walk from the outermost classes once.
  const tops = new Set<JavaNode>();
  for (const c of state.types.classes.values()) if (!c.outer) tops.add(c.node);
  return [...tops];
}
