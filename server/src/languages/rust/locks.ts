/**
 * Held regions: where a lock guard or `RefCell` borrow is alive.
 *
 * A guard bound by `let` lives until `drop(guard)` on the straight-line path of its block, or the end
 * of that block. A temporary guard lives until the end of its temporary scope: the statement, the
 * whole `match` for a scrutinee, the whole `if let`/`while let` (edition 2021; in 2024 an `if let`'s
 * temporaries are dropped before `else`), the whole `for` for its iterator expression, only the
 * condition of a plain `if`/`while`.
 */
import type { HeldRegion, LockKind, ReleaseKind, Span, YieldPoint } from '../../engine/model';
import { enclosingFn, type BuildState, type FnRecord } from './builder';
import { IO_RESOURCE_TYPES } from './catalog';
import { calleeText, typeOf } from './calls';
import { compact } from './scope';
import type { SyntaxNode } from './syntax';

/** The Rust edition, which changes when `if let` temporaries are dropped. */
export type Edition = 2015 | 2018 | 2021 | 2024;

const ACQUIRE = new Set(['lock', 'read', 'write', 'try_lock', 'try_read', 'try_write', 'borrow_mut', 'borrow']);
const UNWRAPS = new Set(['unwrap', 'expect', 'unwrap_or_else', 'unwrap_or_default']);

interface Acquisition {
  readonly call: SyntaxNode;
  /** The acquisition with its `.await`, `.unwrap()`, `?` wrappers: the guard expression. */
  readonly guardExpr: SyntaxNode;
  readonly receiver: SyntaxNode;
  readonly kind: LockKind;
  readonly lockType?: string;
  readonly guardedType?: string;
}

function acquisition(state: BuildState, call: SyntaxNode, fn: FnRecord | undefined): Acquisition | undefined {
  const { text, catalog, scope } = state;
  const f = call.children[0];
  const args = call.children[1];
  if (f?.type !== 'field_expression' || !args || args.children.length > 0) return undefined;
  const [receiver, field] = f.children;
  if (!receiver || !field) return undefined;
  const method = text.slice(field.start, field.end);
  if (!ACQUIRE.has(method)) return undefined;
  const awaited = call.parent?.type === 'await_expression';
  const t = typeOf(state, receiver, fn);
  let kind: LockKind;
  let lockType: string | undefined;
  let guardedType: string | undefined;
  const entry = t ? catalog.locks.get(t.path) : undefined;
  if (entry) {
    if (entry.limiter) return undefined;
    kind = entry.kind;
    lockType = entry.name;
    guardedType = t!.args[0];
    if (lockType === 'std::cell::RefCell' ? method !== 'borrow' && method !== 'borrow_mut' : method === 'borrow' || method === 'borrow_mut') return undefined;
  } else if (t) {
    // A known type that is not a lock (`std::io::Stdin::lock`, a local struct's `read()`).
    return undefined;
  } else if (method === 'borrow') {
    return undefined;
  } else if (method === 'borrow_mut') {
    kind = 'blocking';
    lockType = 'std::cell::RefCell';
  } else {
    kind = awaited ? 'async' : 'blocking';
  }
  let e: SyntaxNode = awaited ? call.parent! : call;
  for (;;) {
    const p = e.parent;
    if (p?.type === 'try_expression') {
      e = p;
      continue;
    }
    if (p?.type === 'field_expression' && p.children[0] === e && p.parent?.type === 'call_expression' && UNWRAPS.has(compact(text, p.children[1] ?? p))) {
      e = p.parent;
      continue;
    }
    break;
  }
  void scope;
  return { call, guardExpr: e, receiver, kind, ...(lockType !== undefined ? { lockType } : {}), ...(guardedType !== undefined ? { guardedType } : {}) };
}

/** The single identifier a `let` pattern binds (`g`, `mut g`, `Ok(g)`), `_` for the wildcard. */
function boundName(text: string, pattern: SyntaxNode): string | undefined {
  if (pattern.type === 'identifier') return compact(text, pattern);
  if (pattern.type === '_' || text.slice(pattern.start, pattern.end) === '_') return '_';
  if (pattern.type === 'mut_pattern') return boundName(text, pattern.children[pattern.children.length - 1]!);
  if (pattern.type === 'tuple_struct_pattern') {
    const inner = pattern.children.slice(1);
    return inner.length === 1 ? boundName(text, inner[0]!) : undefined;
  }
  return undefined;
}

interface Extent {
  readonly end: number;
  readonly release: ReleaseKind;
  readonly releaseSpan?: Span;
  readonly guard?: string;
}

/** Where a guard bound by `let` is released: `drop(guard)` in the same block, or the block's end. */
function letExtent(state: BuildState, letNode: SyntaxNode, guard: string): Extent {
  const block = letNode.parent;
  if (!block) return { end: letNode.end, release: 'scope-end', guard };
  for (const stmt of block.children) {
    if (stmt.start < letNode.end || stmt.type !== 'expression_statement') continue;
    const call = stmt.children[0];
    if (call?.type !== 'call_expression') continue;
    const id = state.callOfNode.get(call);
    const site = id === undefined ? undefined : state.calls[id];
    if (!site || !(site.calleeText === 'drop' || site.callee === 'std::mem::drop' || site.calleeText === 'mem::drop')) continue;
    const arg = call.children[1]?.children[0];
    if (arg && arg.type === 'identifier' && compact(state.text, arg) === guard) {
      return { end: call.end, release: 'explicit', releaseSpan: { start: call.start, end: call.end }, guard };
    }
  }
  return { end: block.end, release: 'scope-end', guard };
}

/** The end of the temporary scope of an expression (see the module comment). */
function temporaryExtent(start: SyntaxNode, edition: Edition): number {
  let cur = start;
  for (;;) {
    const p = cur.parent;
    if (!p) return cur.end;
    switch (p.type) {
      case 'expression_statement':
      case 'let_declaration':
      case 'match_expression':
      case 'for_expression':
        // A `match` scrutinee and a `for` iterator live for the whole expression; arms and bodies are blocks, which stop earlier.
        return p.end;
      case 'let_condition': {
        const owner = p.parent?.type === 'let_chain' ? p.parent.parent : p.parent;
        if (!owner) return p.end;
        if (owner.type === 'if_expression' && edition >= 2024) return owner.children.find((c) => c.type === 'block')?.end ?? owner.end;
        return owner.end;
      }
      case 'if_expression':
      case 'while_expression':
        return cur.end;
      case 'block':
        if (edition >= 2024) return p.end;
        break;
      case 'closure_expression':
      case 'async_block':
      case 'function_item':
      case 'match_arm':
        return cur.end;
      default:
        break;
    }
    cur = p;
  }
}

/** Index of the first yield starting at or after `offset` (yields are sorted by start). */
function firstAtOrAfter(yields: readonly YieldPoint[], offset: number): number {
  let lo = 0;
  let hi = yields.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (yields[mid]!.span.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Reads every held region of the file. */
export function buildHeldRegions(state: BuildState, yields: readonly YieldPoint[], edition: Edition): HeldRegion[] {
  const { text } = state;
  const regions: HeldRegion[] = [];
  for (const [node, id] of state.callOfNode) {
    const site = state.calls[id]!;
    if (!ACQUIRE.has(site.member) || site.argCount !== 0) continue;
    const fn = enclosingFn(state, node);
    const acq = acquisition(state, node, fn);
    if (!acq) continue;
    const e = acq.guardExpr;
    let extent: Extent;
    const parent = e.parent;
    const viaRef = parent?.type === 'unary_expression' && parent.parent?.type === 'reference_expression' ? parent.parent : parent?.type === 'reference_expression' ? parent : undefined;
    // `let g = match m.lock() { Ok(g) => g, Err(p) => p.into_inner() };` binds the guard too.
    const viaMatch = parent?.type === 'match_expression' && parent.children[0] === e && parent.parent?.type === 'let_declaration' ? parent.parent : undefined;
    const letNode = parent?.type === 'let_declaration' ? parent : viaRef?.parent?.type === 'let_declaration' ? viaRef.parent : viaMatch;
    const pattern = letNode?.children.find((c) => c.type !== 'mutable_specifier');
    const name = letNode && pattern ? boundName(text, pattern) : undefined;
    if (letNode && name !== undefined && name !== '_') extent = letExtent(state, letNode, name);
    else extent = { end: temporaryExtent(e, edition), release: 'scope-end' };
    const acquireSpan = { start: e.start, end: e.end };
    const regionSpan = { start: e.start, end: extent.end };
    const context = fn?.info.context;
    const resources: string[] = [];
    if (acq.kind === 'async') {
      const holder = extent.guard ?? calleeText(text, e);
      const guarded = acq.guardedType === undefined ? undefined : state.scope.readType(acq.guardedType);
      const last = guarded?.path.slice(guarded.path.lastIndexOf(':') + 1);
      let awaitsOnGuard = false;
      const onHolder = `${holder}.`;
      const onDeref = `(*${holder}).`;
      // Yields are sorted by start: visit only those inside the region.
      for (let i = firstAtOrAfter(yields, acquireSpan.end); i < yields.length && !awaitsOnGuard; i++) {
        const y = yields[i]!;
        if (y.span.start >= regionSpan.end) break;
        if (y.context !== context || y.span.end > regionSpan.end) continue;
        awaitsOnGuard = y.calls.some((c) => {
          const ct = state.calls[c]!.calleeText;
          return ct.startsWith(onHolder) || ct.startsWith(onDeref);
        });
      }
      if ((last !== undefined && IO_RESOURCE_TYPES.has(last)) || awaitsOnGuard) resources.push(holder);
    }
    const lockText = compact(text, acq.receiver);
    regions.push({
      id: regions.length, lock: lockText, lockKey: lockText.replace(/^[&*]+/, '').replace(/\.clone\(\)$/, ''),
      ...(extent.guard !== undefined ? { guard: extent.guard } : {}), ...(acq.lockType !== undefined ? { lockType: acq.lockType } : {}),
      kind: acq.kind, acquireSpan, span: regionSpan, ...(extent.releaseSpan ? { releaseSpan: extent.releaseSpan } : {}), release: extent.release,
      ...(context !== undefined ? { context } : {}), guardedResources: resources,
    });
  }
  regions.sort((a, b) => a.acquireSpan.start - b.acquireSpan.start);
  return regions.map((r, i) => ({ ...r, id: i }));
}
