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
import type { WalkResult } from './walk';

type MutableRegion = { -readonly [K in keyof HeldRegion]: HeldRegion[K] };

export function findHeldRegions(text: string, calls: readonly ResolvedCall[], functions: readonly FunctionInfo[], w: WalkResult, catalog: Catalog): HeldRegion[] {
  const regions: MutableRegion[] = [];
  for (const c of calls) {
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
    const awaitNode = outerParent(c.node);
    if (!awaitNode || !T.isAwaitExpression(awaitNode)) continue;
    const acquireSpan: Span = { start: startOf(awaitNode, text), end: awaitNode.end };
    const found = releaseOf(awaitNode, lock, calls, w, c.functionId);
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
  for (const r of regions) r.guardedResources = guarded(r, regions, calls);
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
function releaseOf(awaitNode: ts.AwaitExpression, lock: string, calls: readonly ResolvedCall[], w: WalkResult, functionId: number | undefined): ReleaseFound {
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
    if (T.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && T.isIdentifier(e.left)) guard = e.left.text;
  }
  const isRelease = (c: ResolvedCall): boolean => {
    if (guard !== undefined && c.calleeText === guard) return true;
    // Handing the release function on (`promise.finally(release)`, `setTimeout(release, ms)`) is releasing it.
    if (guard !== undefined && c.node.arguments?.some((a) => T.isIdentifier(a) && a.text === guard)) return true;
    const dot = c.calleeText.lastIndexOf('.');
    return dot > 0 && c.calleeText.slice(0, dot).replace(/\?$/, '') === lock && LOCK_RELEASE_METHODS.has(c.member);
  };
  const releaseIn = (from: number, to: number): ResolvedCall | undefined => calls.find((c) => c.span.start >= from && c.span.end <= to && isRelease(c));
  const exitIn = (from: number, to: number): boolean => w.exits.some((e) => e.functionId === functionId && e.pos > from && e.pos <= to);

  if (list && isStatementList(list)) {
    const statements = list.statements as ts.NodeArray<ts.Statement>;
    let missing = false;
    for (let i = statements.indexOf(stmt as ts.Statement) + 1; i > 0 && i < statements.length; i++) {
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
 * The I/O resources a lock guards, by a deliberately simple heuristic: for a lock reached through
 * an object (`this.mutex`, `entry.mutex`), a sibling member named like a connection (`conn`,
 * `db`, `client`, …) that is used in the region and never used outside a region of the same lock.
 * Such a lock exists to serialise that connection's I/O.
 */
function guarded(region: MutableRegion, regions: readonly MutableRegion[], calls: readonly ResolvedCall[]): string[] {
  const dot = region.lock.lastIndexOf('.');
  if (dot <= 0) return [];
  const base = region.lock.slice(0, dot);
  const lockMember = region.lock.slice(dot + 1);
  const prefix = `${base}.`;
  const sameLock = regions.filter((r) => r.lockKey === region.lockKey);
  const out: string[] = [];
  for (const c of calls) {
    if (c.span.start < region.span.start || c.span.end > region.span.end || !c.calleeText.startsWith(prefix)) continue;
    const field = c.calleeText.slice(prefix.length).split(/[.([?!]/, 1)[0]!;
    const resource = prefix + field;
    if (field === lockMember || !CONNECTION_NAMES.has(field) || out.includes(resource)) continue;
    const onlyUnderLock = calls.every(
      (o) => !(o.calleeText === resource || o.calleeText.startsWith(`${resource}.`)) || sameLock.some((r) => r.span.start <= o.span.start && o.span.end <= r.span.end),
    );
    if (onlyUnderLock) out.push(resource);
  }
  return out;
}
