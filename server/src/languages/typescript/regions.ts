/**
 * Held regions: where an async lock is held. Two shapes are read:
 * - a release function: `const release = await m.acquire(); try { … } finally { release(); }`
 *   (or `await m.acquire(); … m.release()`); the region runs to the release;
 * - a scoped callback: `m.runExclusive(cb)`, `navigator.locks.request(name, cb)`,
 *   `lock.acquire(key, cb)`; the region is the callback.
 * The receiver must resolve to a lock type of the catalog (`async-mutex.Mutex`, …).
 */
import ts from 'typescript';
import type { Catalog } from '../../engine/catalog';
import type { FunctionInfo, HeldRegion, ReleaseKind, Span } from '../../engine/model';
import { isFunctionLike, normalisedText, outerParent, startOf, T, unwrap } from './ast';
import { CONNECTION_NAMES, LOCK_ACQUIRE_METHODS, LOCK_RELEASE_METHODS, LOCK_SCOPED_METHODS } from './catalog';
import type { ResolvedCall } from './build';
import { resolveExpr } from './resolve';
import { lowerBound, sortedBy } from '../../engine/sorted';
import type { WalkResult } from './walk';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

type MutableRegion = { -readonly [K in keyof HeldRegion]: HeldRegion[K] };

/** What every region's search shares, sorted once so that each lookup is a binary search (linear in the acquisitions overall). */
interface Index {
  /** The calls by start. */
  readonly calls: readonly ResolvedCall[];
  /** Per function id, the positions of its `return`s and `throw`s, ascending. */
  readonly exits: ReadonlyMap<number | undefined, readonly number[]>;
}

export function findHeldRegions(text: string, calls: readonly ResolvedCall[], functions: readonly FunctionInfo[], w: WalkResult, catalog: Catalog): HeldRegion[] {
  const regions: MutableRegion[] = [];
  const exits = new Map<number | undefined, number[]>();
  for (const e of w.exits) {
    const list = exits.get(e.functionId) ?? [];
    list.push(e.pos);
    exits.set(e.functionId, list);
  }
  for (const list of exits.values()) list.sort((a, b) => a - b);
  const index: Index = { calls: sortedBy(calls, (c) => c.span.start), exits };
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    const scoped = LOCK_SCOPED_METHODS.has(c.member);
    if (!scoped && !LOCK_ACQUIRE_METHODS.has(c.member)) continue;
    const calleeNode = unwrap(c.node.expression);
    if (!T.isPropertyAccessExpression(calleeNode)) continue;
    const receiver = calleeNode.expression;
    const type = resolveExpr(receiver, c.scope);
    const lockType = type === undefined ? undefined : catalog.locks.get(type);
    if (!lockType) continue;
    const lock = normalisedText(text, startOf(receiver, text), receiver.end);
    let lockKey = lock.replace(/\?\./g, '.').replace(/!/g, '');
    const args = c.node.arguments ?? T.factory.createNodeArray();
    // The first function argument is the critical section (async-lock's optional second one is its completion callback).
    const cb = args.find((a) => isFunctionLike(unwrap(a)));
    const context = c.functionId === undefined ? undefined : functions[c.functionId]!.context;
    // A keyed lock (`lock.acquire('user:1', cb)`, `navigator.locks.request('cache', cb)`) is only the same lock for the same key.
    const first = args[0];
    if (first && !isFunctionLike(unwrap(first)) && !scoped) lockKey += `(${normalisedText(text, startOf(first, text), first.end)})`;
    const common = { lock, lockKey, lockType: type!, kind: lockType.kind, guardedResources: [] as string[] };
    if (cb) {
      const fnId = w.fnIdByNode.get(unwrap(cb));
      const fn = fnId === undefined ? undefined : functions[fnId];
      if (!fn) continue;
      regions.push({ id: regions.length, ...common, acquireSpan: c.calleeSpan, span: fn.span, release: 'callback', ...(fn.context !== undefined ? { context: fn.context } : {}) });
      continue;
    }
    if (scoped) continue;
    const parent = outerParent(c.node);
    // An async lock is held once its acquisition is awaited; a blocking one (a config `lockTypes` name
    // with no kind) as soon as the call returns: `const release = l.lock()`.
    const awaitNode = parent && T.isAwaitExpression(parent) ? parent : lockType.kind === 'blocking' ? c.node : undefined;
    if (!awaitNode) continue;
    const acquireSpan: Span = { start: startOf(awaitNode, text), end: awaitNode.end };
    const found = releaseOf(awaitNode, lock, index, c.functionId);
    regions.push({
      id: regions.length,
      ...common,
      ...(found.guard !== undefined ? { guard: found.guard } : {}),
      acquireSpan,
      span: { start: acquireSpan.start, end: found.end },
      ...(found.releaseSpan ? { releaseSpan: found.releaseSpan } : {}),
      release: found.release,
      ...(context !== undefined ? { context } : {}),
    });
  }
  const underLock = new LockCoverage(regions);
  for (const r of regions) r.guardedResources = guarded(r, index.calls, underLock);
  return regions;
}

interface ReleaseFound {
  readonly guard: string | undefined;
  readonly release: ReleaseKind;
  readonly releaseSpan: Span | undefined;
  readonly end: number;
}

function isStatementList(node: ts.Node): node is ts.Block | ts.SourceFile | ts.CaseClause | ts.DefaultClause | ts.ModuleBlock {
  return T.isBlock(node) || T.isSourceFile(node) || T.isCaseClause(node) || T.isDefaultClause(node) || T.isModuleBlock(node);
}

/** Follows the statements after an acquisition to its release. */
function releaseOf(awaitNode: ts.Expression, lock: string, index: Index, functionId: number | undefined): ReleaseFound {
  let stmt: ts.Node = awaitNode;
  while (stmt.parent && !isStatementList(stmt.parent) && !isFunctionLike(stmt.parent)) stmt = stmt.parent;
  const list = stmt.parent;
  let guard: string | undefined;
  if (T.isVariableStatement(stmt)) {
    const name = stmt.declarationList.declarations[0]?.name;
    if (name && T.isIdentifier(name)) guard = name.text;
    // `const [value, release] = await semaphore.acquire()`
    else if (name && T.isArrayBindingPattern(name)) {
      const el = name.elements[1];
      if (el && T.isBindingElement(el) && T.isIdentifier(el.name)) guard = el.name.text;
    }
  } else if (T.isExpressionStatement(stmt)) {
    const e = stmt.expression;
    if (T.isBinaryExpression(e) && e.operatorToken.kind === SK.EqualsToken && T.isIdentifier(e.left)) guard = e.left.text;
  }
  const isRelease = (c: ResolvedCall): boolean => {
    if (guard !== undefined && c.calleeText === guard) return true;
    // Handing the release function on (`promise.finally(release)`, `setTimeout(release, ms)`) is releasing it.
    if (guard !== undefined && c.node.arguments?.some((a) => T.isIdentifier(a) && a.text === guard)) return true;
    const dot = c.calleeText.lastIndexOf('.');
    return dot > 0 && c.calleeText.slice(0, dot).replace(/\?$/, '') === lock && LOCK_RELEASE_METHODS.has(c.member);
  };
  const calls = index.calls;
  const releaseIn = (from: number, to: number): ResolvedCall | undefined => {
    for (let i = lowerBound(calls, from, (c) => c.span.start); i < calls.length && calls[i]!.span.start <= to; i++) {
      const c = calls[i]!;
      if (c.span.end <= to && isRelease(c)) return c;
    }
    return undefined;
  };
  const exits = index.exits.get(functionId) ?? [];
  const exitIn = (from: number, to: number): boolean => {
    const i = lowerBound(exits, from + 1, (pos) => pos);
    return i < exits.length && exits[i]! <= to;
  };

  if (list && isStatementList(list)) {
    const statements = list.statements as ts.NodeArray<ts.Statement>;
    let missing = false;
    // Statements are in source order: find this one by position, not by a scan from the top of a long block.
    const at = lowerBound(statements, stmt.pos, (x) => x.pos);
    const self = statements[at] === stmt ? at : statements.indexOf(stmt as ts.Statement);
    for (let i = self + 1; i > 0 && i < statements.length; i++) {
      const s = statements[i]!;
      if (T.isTryStatement(s) && s.finallyBlock) {
        const rel = releaseIn(s.finallyBlock.pos, s.finallyBlock.end);
        if (rel) return { guard, release: missing ? 'missing' : 'finally', releaseSpan: rel.span, end: rel.span.end };
      }
      const rel = releaseIn(s.pos, s.end);
      if (rel && T.isExpressionStatement(s) && unwrap(s.expression) === rel.node) {
        return { guard, release: missing ? 'missing' : 'explicit', releaseSpan: rel.span, end: rel.span.end };
      }
      // An early exit with no release on its way out leaves the lock held.
      if (!rel && exitIn(s.pos, s.end)) missing = true;
    }
  }
  // `let release; try { release = await m.acquire(); … } finally { release?.(); }`
  for (let p: ts.Node | undefined = stmt.parent; p && !isFunctionLike(p); p = p.parent) {
    if (T.isTryStatement(p) && p.finallyBlock && stmt.pos >= p.tryBlock.pos && stmt.end <= p.tryBlock.end) {
      const rel = releaseIn(p.finallyBlock.pos, p.finallyBlock.end);
      if (rel) return { guard, release: 'finally', releaseSpan: rel.span, end: rel.span.end };
    }
  }
  return { guard, release: 'missing', releaseSpan: undefined, end: list ? list.end : awaitNode.end };
}

/**
 * Whether a span lies inside a region of a given lock: per lock key, the regions by start with the
 * furthest end so far, so one binary search answers (a region that starts before a call and ends
 * after it contains it).
 */
class LockCoverage {
  private readonly byKey = new Map<string, { starts: number[]; reach: number[] }>();
  /** `lockKey` + resource → whether every use of the resource is under that lock. */
  readonly onlyUnder = new Map<string, boolean>();

  constructor(regions: readonly MutableRegion[]) {
    const groups = new Map<string, MutableRegion[]>();
    for (const r of regions) {
      const group = groups.get(r.lockKey) ?? [];
      group.push(r);
      groups.set(r.lockKey, group);
    }
    for (const [key, group] of groups) {
      const sorted = sortedBy(group, (r) => r.span.start);
      const reach: number[] = [];
      for (const r of sorted) reach.push(Math.max(reach[reach.length - 1] ?? -1, r.span.end));
      this.byKey.set(key, { starts: sorted.map((r) => r.span.start), reach });
    }
  }

  covers(lockKey: string, span: Span): boolean {
    const g = this.byKey.get(lockKey);
    if (!g) return false;
    const last = lowerBound(g.starts, span.start + 1, (s) => s) - 1;
    return last >= 0 && g.reach[last]! >= span.end;
  }
}

/**
 * The I/O resources a lock guards, by a deliberately simple heuristic: for a lock reached through
 * an object (`this.mutex`, `entry.mutex`), a sibling member named like a connection (`conn`,
 * `db`, `client`, …) that is used in the region and never used outside a region of the same lock.
 * Such a lock exists to serialise that connection's I/O.
 */
function guarded(region: MutableRegion, calls: readonly ResolvedCall[], coverage: LockCoverage): string[] {
  const dot = region.lock.lastIndexOf('.');
  if (dot <= 0) return [];
  const base = region.lock.slice(0, dot);
  const lockMember = region.lock.slice(dot + 1);
  const prefix = `${base}.`;
  const out: string[] = [];
  for (let i = lowerBound(calls, region.span.start, (c) => c.span.start); i < calls.length && calls[i]!.span.start <= region.span.end; i++) {
    const c = calls[i]!;
    if (c.span.end > region.span.end || !c.calleeText.startsWith(prefix)) continue;
    const field = c.calleeText.slice(prefix.length).split(/[.([?!]/, 1)[0]!;
    const resource = prefix + field;
    if (field === lockMember || !CONNECTION_NAMES.has(field) || out.includes(resource)) continue;
    // The same for every region of this lock: computed once per lock and resource.
    const memo = `${region.lockKey}\0${resource}`;
    let onlyUnderLock = coverage.onlyUnder.get(memo);
    if (onlyUnderLock === undefined) {
      onlyUnderLock = calls.every((o) => !(o.calleeText === resource || o.calleeText.startsWith(`${resource}.`)) || coverage.covers(region.lockKey, o.span));
      coverage.onlyUnder.set(memo, onlyUnderLock);
    }
    if (onlyUnderLock) out.push(resource);
  }
  return out;
}
