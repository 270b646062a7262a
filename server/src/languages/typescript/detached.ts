/**
 * Floating promises in TS/JS without a type checker: a call whose result is dropped (an expression
 * statement) and that is known to return a promise: a same-file async function or method, a
 * promise API of Node or a known HTTP client (called without a callback), or a `.then`/`.finally`
 * chain with no rejection handler. `void p`, `.catch(h)`, `.then(ok, err)`, `await` and storing
 * the promise all keep it; anything the frontend cannot tell returns a promise is not a spawn site.
 */
import ts from 'typescript';
import type { FunctionInfo, SpawnSite } from '../../engine/model';
import { isFunctionLike, T, unwrap } from './ast';
import type { RawCall } from './records';

/** Promise-returning APIs (without a callback argument): fs/promises, fetch and HTTP clients, timers/promises, stream/promises. */
const PROMISE_APIS = /^(fs\/promises\.|fs\.promises\.|dns\/promises\.|timers\/promises\.|stream\/promises\.|fetch$|node-fetch$|undici\.(fetch|request)$|axios(\.(get|post|put|patch|delete|head|request))?$|got(\.(get|post|put|patch|delete|head))?$|ky(\.(get|post|put|patch|delete|head))?$|fs-extra\.(outputFile|outputJson|writeJson|readJson|copy|move|remove|emptyDir|ensureDir|mkdirp|pathExists)$)/;

/** Dropped promises of one file. */
export function findDetached(calls: readonly RawCall[], functions: readonly FunctionInfo[], fnNodes: readonly ts.FunctionLikeDeclaration[]): SpawnSite[] {
  const out: SpawnSite[] = [];
  const handledMemo = new Map<number, boolean>();
  for (const c of calls) {
    if (c.usage !== 'dropped' || c.isNew) continue;
    let spawner: string | undefined;
    let excuse: SpawnSite['excuse'];
    const target = c.localTarget === undefined ? undefined : functions[c.localTarget];
    if (target?.isAsync) {
      spawner = c.calleeText;
      let handled = handledMemo.get(target.id);
      if (handled === undefined) handledMemo.set(target.id, (handled = catchesEverything(fnNodes[target.id]!)));
      if (handled) excuse = 'handled';
      else if (c.functionId === undefined) excuse = 'entry';
    } else if (c.member === 'then' || c.member === 'finally') {
      if (c.member === 'then' && (c.node.arguments?.length ?? 0) >= 2) continue; // `.then(ok, err)`
      if (chainHasCatch(c.node)) continue;
      spawner = c.calleeText;
    } else if (c.callee !== undefined && PROMISE_APIS.test(c.callee) && !(c.node.arguments ?? []).some((a) => isFunctionLike(unwrap(a)))) {
      spawner = c.calleeText;
    }
    if (spawner === undefined) continue;
    const context = c.functionId === undefined ? undefined : functions[c.functionId]!.context;
    out.push({ id: out.length, span: c.span, spawner, handle: 'dropped', inLoop: c.inLoop, context, functionId: c.functionId, callId: c.id, ...(excuse ? { excuse } : {}) });
  }
  return out;
}

/** `p.catch(h).then(f)`, `p.then(f).catch(h).finally(g)`: a rejection handler earlier in the chain. */
function chainHasCatch(call: ts.CallExpression | ts.NewExpression): boolean {
  let e: ts.Expression = unwrap(call.expression);
  while (T.isPropertyAccessExpression(e)) {
    const recv = unwrap(e.expression);
    if (!T.isCallExpression(recv)) return false;
    const callee = unwrap(recv.expression);
    if (T.isPropertyAccessExpression(callee) && (callee.name.text === 'catch' || (callee.name.text === 'then' && recv.arguments.length >= 2))) return true;
    e = callee;
  }
  return false;
}

/**
 * An async function whose whole body is one `try` with a `catch` that never rethrows: its promise
 * cannot reject, so dropping it loses no error (a handler that reports through `next(err)`).
 */
function catchesEverything(fn: ts.FunctionLikeDeclaration): boolean {
  const body = fn.body;
  if (!body || !T.isBlock(body)) return false;
  const tries = body.statements.filter((s) => T.isTryStatement(s));
  if (tries.length !== 1) return false;
  const t = tries[0] as ts.TryStatement;
  if (!t.catchClause) return false;
  // Statements around the `try` must not be able to throw in practice: declarations of plain values, returns of plain values.
  for (const s of body.statements) {
    if (s === t) continue;
    if (containsCallOrAwait(s)) return false;
  }
  return !containsThrow(t.catchClause.block) && (t.finallyBlock === undefined || !containsThrow(t.finallyBlock));
}

function containsThrow(n: ts.Node): boolean {
  if (T.isThrowStatement(n)) return true;
  if (isFunctionLike(n)) return false;
  return T.forEachChild(n, (k) => (containsThrow(k) ? true : undefined)) ?? false;
}

function containsCallOrAwait(n: ts.Node): boolean {
  if (T.isCallExpression(n) || T.isAwaitExpression(n) || T.isNewExpression(n)) return true;
  if (isFunctionLike(n)) return false;
  return T.forEachChild(n, (k) => (containsCallOrAwait(k) ? true : undefined)) ?? false;
}
