/**
 * Fan-outs in TS/JS: `Promise.all(xs.map(async …))` and a loop that pushes a promise per item,
 * awaited together. The frontend records where the collection comes from and what bounds it; the
 * rule (engine/rules/unbounded-fan-out.ts) decides. Only collections whose size visibly comes from
 * outside the code (a directory listing, a request body) get a source: a fan-out over anything
 * else is almost always a small set (the accounts of one session, the tags of one post).
 */
import ts from 'typescript';
import type { CollectionSource, FanOutBound, FanOutSite, FunctionInfo } from '../../engine/model';
import { isFunctionLike, normalisedText, skipTrivia, T, unwrap } from './ast';
import type { RawCall } from './records';
import { lookup, resolveExpr, type Scope } from './resolve';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

const COMBINATORS = new Set(['Promise.all', 'Promise.allSettled', 'Promise.race', 'Promise.any']);

/** Directory listings and globs: their size is the file system's, not the code's. */
const LISTING = /^(fs\.readdir|fs\.readdirSync|fs\.promises\.readdir|fs\/promises\.readdir|fs-extra\.readdir|fs-extra\.readdirSync|glob\.|glob$|fast-glob|globby|tinyglobby\.|fs\.promises\.glob|fs\.globSync)/;
/** A request's body or query (Express, Koa, Fastify, Hapi): client-sized. */
const REQUEST = /^(req|request|ctx\.request|ctx|event)\.(body|query|payload)\b/;
/** Array methods that keep (a subset of) the items: the source is the receiver's. */
const PASS_THROUGH = new Set(['filter', 'map', 'flatMap', 'sort', 'reverse', 'concat', 'flat', 'toSorted', 'toReversed']);
/** Callees that bound the concurrency of the work they wrap. */
const LIMITER_MODULES = /^(p-limit|p-throttle|@supercharge\/promise-pool|async-sema|limiter|bottleneck)/;
const LIMITER_RECEIVER = /(limit|limiter|sem|semaphore|throttle|queue|pool|mutex|lock|bottleneck)$/i;
const LIMITER_METHODS = new Set(['acquire', 'runExclusive', 'add', 'schedule', 'wrap', 'use', 'run']);
/**
 * File-system calls that are one libuv request each and hold no descriptor between requests
 * (`chmod`, `stat`, `unlink`, `rename`…): Node's thread pool runs them a few at a time, so a fan-out
 * of them is already bounded and holds only a pending request per item. Not `readFile`, `writeFile`,
 * `open` or `truncate`, which open a descriptor and keep it across several requests (EMFILE).
 */
const POOLED_FS = /^(fs\.promises|fs\/promises|fs-extra)\.(access|chmod|chown|lchown|utimes|lutimes|stat|lstat|unlink|rename|mkdir|rmdir|link|symlink|readlink|realpath|copyFile|mkdtemp|pathExists|exists)$/;

/** Fan-out sites of one file. */
export function findFanOuts(text: string, calls: readonly RawCall[], functions: readonly FunctionInfo[], callsByFn: ReadonlyMap<number | undefined, RawCall[]>, fnIdByNode: ReadonlyMap<ts.Node, number>): FanOutSite[] {
  const out: FanOutSite[] = [];
  const start = (n: ts.Node): number => skipTrivia(text, n.pos);
  const code = (n: ts.Node): string => normalisedText(text, start(n), n.end);
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    if (c.callee === undefined || !COMBINATORS.has(c.callee)) continue;
    const arg = c.node.arguments?.[0];
    if (!arg) continue;
    const site = readArgument(unwrap(arg), c);
    if (!site) continue;
    const context = c.functionId === undefined ? undefined : functions[c.functionId]!.context;
    out.push({ id: out.length, spawner: c.calleeText, context, functionId: c.functionId, ...site });
  }
  return out;

  function readArgument(arg: ts.Expression, c: RawCall): Omit<FanOutSite, 'id' | 'spawner' | 'context' | 'functionId'> | undefined {
    if (T.isArrayLiteralExpression(arg)) return undefined; // a fixed tuple
    if (T.isCallExpression(arg)) {
      const mapped = mapCall(arg);
      if (!mapped) return undefined;
      const origin = originOf(mapped.collection, c.scope, 0);
      const work = workOf(mapped.fn, c.scope);
      const bound = origin.bound ?? (work.limited ? 'limiter' : undefined) ?? chunkBound(c.node, mapped.collection, c.scope) ?? lengthChecked(c.node, [mapped.collection, origin.sourceNode]);
      return { span: { start: start(c.node), end: c.node.end }, shape: 'map', collection: code(mapped.collection), ...describe(origin), ...(bound ? { bound } : {}), ...(work.call ? { work: work.call } : {}) };
    }
    if (T.isIdentifier(arg)) {
      // `const tasks = xs.map(…)` earlier, or a list filled by `tasks.push(…)` in a loop.
      const b = lookup(arg.text, c.scope);
      if (b?.k !== 'var') return undefined;
      const init = b.exprs.length === 1 ? unwrap(b.exprs[0]!) : undefined;
      if (init && T.isCallExpression(init)) return readArgument(init, c);
      if (!init || !T.isArrayLiteralExpression(init) || init.elements.length > 0) return undefined;
      const push = pushInLoop(arg.text, c);
      if (!push) return undefined;
      const { loop, pushed } = push;
      const collection = loopCollection(loop);
      if (!collection) return undefined;
      const origin = originOf(collection, push.call.scope, 0);
      const work = pushedWork(pushed, push.call.scope);
      const bound = origin.bound ?? (work.limited ? 'limiter' : undefined) ?? chunkBound(loop, collection, push.call.scope) ?? lengthChecked(c.node, [collection, origin.sourceNode]);
      return { span: { start: start(push.call.node), end: push.call.node.end }, shape: 'loop', collection: code(collection), ...describe(origin), ...(bound ? { bound } : {}), ...(work.call ? { work: work.call } : {}) };
    }
    return undefined;
  }

  /**
   * A guard before the fan-out that rejects a collection longer than a limit: `if (req.body.requests.length
   * > limit) throw …` in the function or one around it. The limit is the code's decision, even a configurable one.
   */
  function lengthChecked(at: ts.Node, collections: readonly (ts.Node | undefined)[]): FanOutBound | undefined {
    const paths = new Set(collections.filter((n): n is ts.Node => n !== undefined).map((n) => code(n).replace(/\?\./g, '.')));
    let child: ts.Node = at;
    for (let p = at.parent; p; child = p, p = p.parent) {
      if (!T.isBlock(p) && !T.isSourceFile(p)) continue;
      for (const st of p.statements) {
        if (st.pos >= child.pos) break;
        if (T.isIfStatement(st) && exits(st.thenStatement) && comparesLength(st.expression, paths)) return 'checked';
      }
    }
    return undefined;
  }

  function comparesLength(e: ts.Expression, paths: ReadonlySet<string>): boolean {
    const u = unwrap(e);
    if (!T.isBinaryExpression(u)) return false;
    const op = u.operatorToken.kind;
    if (op === SK.AmpersandAmpersandToken || op === SK.BarBarToken) return comparesLength(u.left, paths) || comparesLength(u.right, paths);
    if (op !== SK.GreaterThanToken && op !== SK.GreaterThanEqualsToken && op !== SK.LessThanToken && op !== SK.LessThanEqualsToken) return false;
    return [u.left, u.right].some((side) => {
      const x = unwrap(side);
      return T.isPropertyAccessExpression(x) && x.name.text === 'length' && paths.has(code(x.expression).replace(/\?\./g, '.'));
    });
  }

  function describe(origin: Origin): { source: CollectionSource; sourceText?: string } {
    return origin.sourceNode ? { source: origin.source, sourceText: code(origin.sourceNode) } : { source: origin.source };
  }

  /** The `promises.push(x)` inside a loop of the same function, before the combinator. */
  function pushInLoop(name: string, combinator: RawCall): { call: RawCall; loop: ts.Node; pushed: ts.Expression } | undefined {
    for (const p of callsByFn.get(combinator.functionId) ?? []) {
      if (p.span.start >= combinator.span.start) break;
      if (p.member !== 'push' || !p.loop || p.isNew) continue;
      const callee = unwrap(p.node.expression);
      if (!T.isPropertyAccessExpression(callee) || !T.isIdentifier(callee.expression) || callee.expression.text !== name) continue;
      const pushed = p.node.arguments?.[0];
      if (!pushed) continue;
      return { call: p, loop: p.loop, pushed: unwrap(pushed) };
    }
    return undefined;
  }

  /** The per-item work of a mapped function: its first call, and whether a limiter wraps it. */
  function workOf(fn: ts.Expression, scope: Scope): { call?: string; limited: boolean } {
    const f = unwrap(fn);
    // `xs.map(limitConcurrency(8, fn))`, p-limit's `limitFunction(fn, { concurrency })`: a limiter wraps the work.
    if (T.isCallExpression(f) && isLimiterFactory(f, scope)) {
      const inner = f.arguments.find((a) => isFunctionLike(unwrap(a)) || T.isIdentifier(unwrap(a)) || T.isPropertyAccessExpression(unwrap(a)));
      const call = inner ? workOf(inner, scope).call : undefined;
      return { ...(call !== undefined ? { call } : {}), limited: true };
    }
    const id = isFunctionLike(f) ? fnIdByNode.get(f) : undefined;
    if (id === undefined) return T.isIdentifier(f) || T.isPropertyAccessExpression(f) ? { call: code(f), limited: false } : { limited: false };
    const own = nestedCalls(id);
    const limited = own.some((k) => isLimiter(k));
    // The work is the calls that do something: not array methods, chain steps or path helpers.
    const work = own.filter((k) => !PASS_THROUGH.has(k.member) && k.member !== 'then' && k.member !== 'catch' && !/^(node:)?path\./.test(k.callee ?? ''));
    const first = work[0];
    const pooled = work.length > 0 && work.every((k) => k.callee !== undefined && POOLED_FS.test(k.callee));
    void scope;
    return { ...(first ? { call: first.calleeText } : {}), limited: limited || pooled };
  }

  function pushedWork(pushed: ts.Expression, scope: Scope): { call?: string; limited: boolean } {
    if (T.isCallExpression(pushed)) {
      // `limit(() => fetch(u))`: the limiter is the pushed call itself.
      const resolved = calls.find((k) => k.node === pushed);
      if (resolved && (isLimiter(resolved) || (resolved.callee !== undefined && POOLED_FS.test(resolved.callee)))) return { limited: true };
      let head: ts.Expression = pushed;
      // `fetch(u).then(…)`: the work is the head of the chain.
      while (T.isCallExpression(head) && T.isPropertyAccessExpression(head.expression) && (head.expression.name.text === 'then' || head.expression.name.text === 'catch' || head.expression.name.text === 'finally') && T.isCallExpression(head.expression.expression)) head = head.expression.expression;
      return T.isCallExpression(head) ? { call: normalisedText(text, start(head.expression), head.expression.end), limited: false } : { limited: false };
    }
    void scope;
    return { limited: false };
  }

  function nestedCalls(fnId: number): RawCall[] {
    const owned = new Set([fnId]);
    for (const f of functions) if (f.parent !== undefined && owned.has(f.parent)) owned.add(f.id);
    return calls.filter((k) => k.functionId !== undefined && owned.has(k.functionId));
  }

  /** A call that returns its function argument wrapped in a concurrency limit. */
  function isLimiterFactory(call: ts.CallExpression, scope: Scope): boolean {
    const callee = unwrap(call.expression);
    const resolved = resolveExpr(call.expression, scope);
    if (resolved !== undefined && LIMITER_MODULES.test(resolved)) return true;
    const name = T.isIdentifier(callee) ? callee.text : T.isPropertyAccessExpression(callee) ? callee.name.text : '';
    return /^(limit|limitConcurrency|limitFunction|withConcurrency|throttle|throttled|concurrencyLimit)$/i.test(name) && call.arguments.length > 0;
  }

  function isLimiter(k: RawCall): boolean {
    const callee = unwrap(k.node.expression);
    if (T.isIdentifier(callee)) {
      const b = lookup(callee.text, k.scope);
      if (b?.k === 'var' && b.exprs.length > 0) {
        const init = unwrap(b.exprs[0]!);
        const made = T.isCallExpression(init) ? resolveExpr(init.expression, k.scope) : undefined;
        if (made !== undefined && LIMITER_MODULES.test(made)) return true;
      }
      return /^(limit|limiter|throttle|throttled)$/i.test(callee.text);
    }
    if (T.isPropertyAccessExpression(callee) && LIMITER_METHODS.has(callee.name.text)) {
      const recv = unwrap(callee.expression);
      const name = T.isIdentifier(recv) ? recv.text : T.isPropertyAccessExpression(recv) ? recv.name.text : '';
      return LIMITER_RECEIVER.test(name);
    }
    return false;
  }
}

interface Origin {
  readonly source: CollectionSource;
  readonly sourceNode?: ts.Node;
  readonly bound?: FanOutBound;
}

const UNKNOWN: Origin = { source: 'unknown' };

/** `xs.map(fn)`, `Array.from(xs, fn)`, `Array.from(xs).map(fn)`: the collection and the function. */
function mapCall(call: ts.CallExpression): { collection: ts.Expression; fn: ts.Expression } | undefined {
  const callee = unwrap(call.expression);
  const fn = call.arguments[0];
  if (T.isPropertyAccessExpression(callee) && (callee.name.text === 'map' || callee.name.text === 'flatMap') && fn) return { collection: callee.expression, fn };
  if (T.isPropertyAccessExpression(callee) && callee.name.text === 'from' && T.isIdentifier(callee.expression) && callee.expression.text === 'Array' && call.arguments[1]) {
    return { collection: call.arguments[0]!, fn: call.arguments[1] };
  }
  return undefined;
}

/** Where a collection expression's items come from, following variables, awaits and array methods. */
function originOf(expr: ts.Expression, scope: Scope, depth: number): Origin {
  if (depth > 8) return UNKNOWN;
  const e = unwrap(expr);
  if (T.isAwaitExpression(e)) return originOf(e.expression, scope, depth + 1);
  if (T.isArrayLiteralExpression(e)) return e.elements.some((x) => T.isSpreadElement(x)) ? UNKNOWN : { source: 'unknown', bound: 'fixed' };
  if (T.isCallExpression(e)) {
    const callee = unwrap(e.expression);
    if (T.isPropertyAccessExpression(callee)) {
      const m = callee.name.text;
      if (m === 'slice' && e.arguments.length === 2) return { source: 'unknown', bound: 'slice' };
      if (m === 'splice' && e.arguments.length >= 2) return { source: 'unknown', bound: 'slice' };
      if (PASS_THROUGH.has(m)) return originOf(callee.expression, scope, depth + 1);
      if (m === 'split') return { source: 'lines', sourceNode: e };
      if ((m === 'keys' || m === 'values' || m === 'entries') && T.isIdentifier(callee.expression) && callee.expression.text === 'Object' && e.arguments[0]) {
        return originOf(e.arguments[0], scope, depth + 1);
      }
      if (m === 'from' && T.isIdentifier(callee.expression) && callee.expression.text === 'Array' && e.arguments[0]) return originOf(e.arguments[0], scope, depth + 1);
    }
    const resolved = resolveExpr(e.expression, scope);
    if (resolved !== undefined && LISTING.test(resolved)) return { source: 'listing', sourceNode: e };
    return UNKNOWN;
  }
  if (T.isPropertyAccessExpression(e) || T.isElementAccessExpression(e)) {
    const path = accessPath(e);
    if (path !== undefined && REQUEST.test(path)) return { source: 'request', sourceNode: e };
    return UNKNOWN;
  }
  if (T.isIdentifier(e)) {
    const b = lookup(e.text, scope);
    if (!b) return UNKNOWN;
    if (b.k === 'var' && b.exprs.length > 0) {
      // Every assignment must agree on a bound; the first one with a source names it.
      const origins = b.exprs.map((x) => originOf(x, b.scope, depth + 1));
      const bound = origins.every((o) => o.bound !== undefined) ? origins[0]!.bound : undefined;
      const sourced = origins.find((o) => o.source !== 'unknown');
      return { source: sourced?.source ?? 'unknown', ...(sourced?.sourceNode ? { sourceNode: sourced.sourceNode } : {}), ...(bound ? { bound } : {}) };
    }
    if (b.k === 'member') {
      const base = unwrap(b.base);
      const path = T.isPropertyAccessExpression(base) || T.isIdentifier(base) ? accessPath(base) : undefined;
      if (path !== undefined && REQUEST.test(`${path}.${b.prop}`.replace(/^(\w+)\.(\w+)$/, '$1.$2'))) return { source: 'request', sourceNode: base };
      if (path !== undefined && REQUEST.test(path)) return { source: 'request', sourceNode: base };
      return UNKNOWN;
    }
  }
  return UNKNOWN;
}

function accessPath(e: ts.Expression): string | undefined {
  const u = unwrap(e);
  if (T.isIdentifier(u)) return u.text;
  if (u.kind === SK.ThisKeyword) return 'this';
  if (T.isPropertyAccessExpression(u)) {
    const base = accessPath(u.expression);
    return base === undefined ? undefined : `${base}.${u.name.text}`;
  }
  if (T.isElementAccessExpression(u)) return accessPath(u.expression);
  return undefined;
}

/** The collection a loop walks: `for (const x of xs)`, `for (let i = 0; i < xs.length; i++)`. */
function loopCollection(loop: ts.Node): ts.Expression | undefined {
  if (T.isForOfStatement(loop) || T.isForInStatement(loop)) return loop.expression;
  if (T.isForStatement(loop) && loop.condition && T.isBinaryExpression(loop.condition)) {
    const right = unwrap(loop.condition.right);
    if (T.isPropertyAccessExpression(right) && right.name.text === 'length') return right.expression;
  }
  return undefined;
}

/**
 * A fan-out inside a loop that walks the same collection in steps (`for (let i = 0; i < xs.length;
 * i += 10)`) or over chunks (`for (const batch of chunk(xs, 10))`) is one chunk at a time.
 */
function chunkBound(node: ts.Node, collection: ts.Expression, scope: Scope): FanOutBound | undefined {
  const col = unwrap(collection);
  for (let p: ts.Node | undefined = node.parent; p && !isFunctionLike(p); p = p.parent) {
    if (T.isForStatement(p) && p.incrementor && T.isBinaryExpression(p.incrementor) && p.incrementor.operatorToken.kind === SK.PlusEqualsToken) return 'chunk';
    if (T.isForOfStatement(p) && T.isIdentifier(col)) {
      const decl = p.initializer;
      const names = T.isVariableDeclarationList(decl) ? decl.declarations.map((d) => (T.isIdentifier(d.name) ? d.name.text : '')) : [];
      if (names.includes(col.text)) {
        const it = unwrap(p.expression);
        if (T.isCallExpression(it) && /chunk|batch/i.test(calleeName(it))) return 'chunk';
        if (T.isIdentifier(it) && /chunks|batches|pages/i.test(it.text)) return 'chunk';
      }
    }
  }
  void scope;
  return undefined;
}

/** The branch leaves: it ends in a `throw` or `return`. */
function exits(s: ts.Statement): boolean {
  const last = T.isBlock(s) ? s.statements[s.statements.length - 1] : s;
  return last !== undefined && (T.isThrowStatement(last) || T.isReturnStatement(last));
}

function calleeName(call: ts.CallExpression): string {
  const c = unwrap(call.expression);
  return T.isIdentifier(c) ? c.text : T.isPropertyAccessExpression(c) ? c.name.text : '';
}
