/**
 * Held regions in Python: `with lock:` / `async with lock:` bodies, and `lock.acquire()` …
 * `lock.release()` pairs in one function. A lock is recognised by its type, read from the syntax
 * (`self._lock = threading.Lock()`, `lock: asyncio.Lock`), never by its name. A semaphore is listed
 * in the catalog as a limiter, and a pool checkout (`async with pool.acquire()`) is not a lock type,
 * so neither makes a finding.
 */
import type { FunctionInfo, HeldRegion } from '../../engine/model';
import { enclosingFn, span, type BuildState } from './builder';
import { guardedResources, waitingCalls } from './guarded';
import type { PyFn } from './scope';
import type { SyntaxNode } from './syntax';

function contextOf(state: BuildState, node: SyntaxNode, functions: readonly FunctionInfo[]): number | undefined {
  const fn = enclosingFn(state, node);
  // Only the async function's own body suspends while holding the lock.
  return fn?.isAsync ? functions[fn.id]?.context : undefined;
}

function inFinally(node: SyntaxNode, stop: SyntaxNode | undefined): boolean {
  for (let n = node.parent; n && n !== stop; n = n.parent) if (n.type === 'finally_clause') return true;
  return false;
}

/** Held regions of the file, in source order. */
export function buildHeldRegions(state: BuildState, functions: readonly FunctionInfo[]): HeldRegion[] {
  const { text, scope, catalog } = state;
  const regions: Omit<HeldRegion, 'id'>[] = [];
  const fnOf = new Map<Omit<HeldRegion, 'id'>, PyFn | undefined>();
  const add = (r: Omit<HeldRegion, 'id'>, fn: PyFn | undefined): void => {
    regions.push(r);
    fnOf.set(r, fn);
  };
  for (const w of state.withs) {
    const isAsync = /^async\b/.test(text.slice(w.start, w.start + 5));
    const clause = w.children.find((c) => c.type === 'with_clause');
    const fn = enclosingFn(state, w);
    for (const item of clause?.children ?? []) {
      const value = item.children[0];
      const expr = value?.type === 'as_pattern' ? value.children[0] : value;
      if (!expr) continue;
      const lockType = scope.typeOf(expr, fn);
      const entry = lockType === undefined ? undefined : catalog.locks.get(lockType);
      if (!entry || (entry.kind === 'async') !== isAsync) continue;
      const guard = value?.type === 'as_pattern' ? value.children[value.children.length - 1] : undefined;
      const lock = text.slice(expr.start, expr.end);
      const ctx = contextOf(state, w, functions);
      add({
        lock, lockKey: lock.replace(/\s+/g, ''), ...(guard ? { guard: text.slice(guard.start, guard.end) } : {}), lockType: entry.name, kind: entry.kind,
        acquireSpan: span(expr), span: { start: item.start, end: w.end }, release: 'finally', ...(ctx !== undefined ? { context: ctx } : {}), guardedResources: [],
      }, fn);
    }
  }
  // `lock.acquire()` … `lock.release()` in the same function, the release after the acquire.
  const calls = state.lockCalls.map((stmt) => {
    const e = stmt.children[0]?.type === 'await' ? stmt.children[0].children[0]! : stmt.children[0]!;
    const f = e.children[0]!;
    const recv = f.children[0]!;
    const method = text.slice(f.children[f.children.length - 1]!.start, f.end);
    return { stmt, call: e, recv, key: text.slice(recv.start, recv.end).replace(/\s+/g, ''), method, fn: enclosingFn(state, stmt) };
  });
  for (const a of calls) {
    if (a.method !== 'acquire') continue;
    const lockType = scope.typeOf(a.recv, a.fn);
    const entry = lockType === undefined ? undefined : catalog.locks.get(lockType);
    if (!entry) continue;
    const r = calls.find((c) => c.method === 'release' && c.key === a.key && c.fn === a.fn && c.stmt.start > a.stmt.end);
    // A release elsewhere (`__aexit__`, a callback) is not followed: no region rather than a guess.
    if (!r) continue;
    const ctx = contextOf(state, a.stmt, functions);
    add({
      lock: text.slice(a.recv.start, a.recv.end), lockKey: a.key, lockType: entry.name, kind: entry.kind, acquireSpan: span(a.call),
      span: { start: a.stmt.start, end: r.stmt.end }, releaseSpan: span(r.call), release: inFinally(r.stmt, a.fn?.node) ? 'finally' : 'explicit',
      ...(ctx !== undefined ? { context: ctx } : {}), guardedResources: [],
    }, a.fn);
  }
  regions.sort((x, y) => x.span.start - y.span.start);
  const waits = regions.some((r) => r.kind === 'async') ? waitingCalls(state) : new Set<number>();
  return regions.map((r, id) => ({ id, ...r, guardedResources: guardedResources(state, r, regions, fnOf.get(r), waits) }));
}
