/**
 * Floating promises in TS/JS without a type checker: a call whose result is dropped (an expression
 * statement) and that is known to return a promise: a same-file async function or method, a
 * promise API of Node or a known HTTP client (called without a callback), or a `.then`/`.finally`
 * chain with no rejection handler. `void p`, `.catch(h)`, `.then(ok, err)`, `await` and storing
 * the promise all keep it; anything the frontend cannot tell returns a promise is not a spawn site.
 * A promise that cannot reject loses no error when it is dropped: a same-file async function that
 * catches its own failures, `Promise.allSettled`, or `Promise.all` over promises that each have a
 * `.catch`. A promise that cannot reject if another module's functions it chains on cannot (a method
 * whose `super.stop()` is in the superclass's file) carries those callees (`quietIf`,
 * `cannotRejectIf`) for the linker to decide.
 */
import ts from 'typescript';
import type { Comment, FunctionInfo, SpawnSite } from '../../engine/model';
import { isFunctionLike, T, unwrap } from './ast';
import type { RawCall } from './records';
import { typescriptResolver } from './resolver';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

/** Promise-returning APIs (without a callback argument): fs/promises, fetch and HTTP clients, timers/promises, stream/promises. */
const PROMISE_APIS = /^(fs\/promises\.|fs\.promises\.|dns\/promises\.|timers\/promises\.|stream\/promises\.|fetch$|node-fetch$|undici\.(fetch|request)$|axios(\.(get|post|put|patch|delete|head|request))?$|got(\.(get|post|put|patch|delete|head))?$|ky(\.(get|post|put|patch|delete|head))?$|fs-extra\.(outputFile|outputJson|writeJson|readJson|copy|move|remove|emptyDir|ensureDir|mkdirp|pathExists)$)/;

/** Timers of timers/promises, which reject only when their options' abort signal fires. */
const QUIET_TIMERS = /^(?:node:)?timers\/promises\.(?:setTimeout|setImmediate)$/;

/** A comment that says the promise is dropped on purpose: the prose form of `void`. */
const DELIBERATE = /fire[- ]and[- ]forget|(not|without|no need to|don'?t|do not|intentionally not|deliberately not) (using |use )?["'`]?await|not awaited on purpose|in the background on purpose/i;

/**
 * Dropped promises of one file, and the outer async functions and methods whose promise cannot
 * reject (what the file's summary tells other files: a dropped call of one of them loses nothing).
 * A dropped call of another module's function is a site with `linked`: the linker decides.
 */
export function findDetached(text: string, calls: readonly RawCall[], callIdByNode: ReadonlyMap<ts.Node, number>, functions: readonly FunctionInfo[], fnNodes: readonly ts.FunctionLikeDeclaration[], comments: readonly Comment[] = [], exported?: ReadonlySet<number>): { spawns: SpawnSite[]; cannotReject: Set<number>; cannotRejectIf: Map<number, string[]> } {
  const out: SpawnSite[] = [];
  const quietMemo = new Map<number, { quiet: boolean; assumes: readonly string[] }>();
  // The walk's own map of call nodes (a second map of the same calls was 1 % of the analysis's allocation).
  const callOf = (node: ts.Node): RawCall | undefined => {
    const id = callIdByNode.get(node);
    return id === undefined ? undefined : calls[id];
  };
  /**
   * While set, a call of another module's function (a callee the linker may resolve) counts as quiet and
   * is added here: the answer holds if the linker finds each such function cannot reject. Unset, such a
   * call may reject.
   */
  let assuming: Set<string> | undefined;

  const useQuiet = (r: { quiet: boolean; assumes: readonly string[] }): boolean => {
    if (!r.quiet) return false;
    if (r.assumes.length === 0) return true;
    if (assuming === undefined) return false;
    for (const k of r.assumes) assuming.add(k);
    return true;
  };

  /** A same-file function whose promise cannot reject (memoised; a cycle counts as may-reject), on the assumptions it records. */
  const quietFunction = (id: number): boolean => {
    const known = quietMemo.get(id);
    if (known !== undefined) return useQuiet(known);
    quietMemo.set(id, { quiet: false, assumes: [] });
    const outer = assuming;
    const mine = new Set<string>();
    assuming = mine;
    let quiet = false;
    try {
      // A function that is not async hands back the promise it returns as it is: a `try` around the
      // `return` catches none of its rejections, and what it returns must visibly be a quiet promise.
      quiet = functions[id]!.isAsync ? cannotReject(fnNodes[id]!, quietExpr, quietPromise, makesPromise) : syncReturnsQuiet(fnNodes[id]!);
    } finally {
      assuming = outer;
    }
    const result = { quiet, assumes: quiet ? [...mine] : [] };
    quietMemo.set(id, result);
    return useQuiet(result);
  };

  /** Runs `test` with assumptions recorded: whether it holds, and on which other modules' functions. */
  const underAssumptions = (test: () => boolean): { quiet: boolean; assumes: string[] } => {
    const outer = assuming;
    const mine = new Set<string>();
    assuming = mine;
    try {
      const quiet = test();
      return { quiet, assumes: quiet ? [...mine] : [] };
    } finally {
      assuming = outer;
    }
  };

  /**
   * A restart of an async function from within itself that cannot reject once its one-time blocks have
   * run: the call sits after those blocks in the function's own body, or in a private helper that only
   * the function calls, after them (see {@link onceBlocks}).
   */
  function quietRestart(c: RawCall, targetId: number): boolean {
    const fn = fnNodes[targetId]!;
    const once = onceBlocks(fn, text);
    if (once.length === 0) return false;
    const after = (call: RawCall, guards: readonly ts.IfStatement[]): boolean => isWithin(functions, call.functionId!, targetId) && guards.every((g) => call.span.start >= g.end);
    const ran = (call: RawCall): ts.IfStatement[] | undefined => {
      if (call.functionId === undefined) return undefined;
      if (after(call, once)) return once;
      // A private helper of the file (`_restart`, `#restart`, or a function nobody exports) whose every use is such a call.
      const helper = outermostNamed(functions, call.functionId);
      const name = helper === undefined ? undefined : functions[helper]!.name;
      if (helper === undefined || helper === targetId || name === undefined || !/^[_#]/.test(name)) return undefined;
      const uses = calls.filter((k) => k.localTarget === helper);
      const mentions = mentionsOf(fn.getSourceFile(), name);
      if (uses.length === 0 || mentions !== uses.length + 1) return undefined;
      return uses.every((u) => u.functionId !== undefined && after(u, once)) ? once : undefined;
    };
    const blocks = ran(c);
    return blocks !== undefined && cannotReject(fn, quietExpr, quietPromise, makesPromise, new Set(blocks));
  }

  /**
   * A call of a method on `this` that cannot reject on the path the call's own guards leave open: the
   * guards around the call (`if (!this.subscriber.connect) this.connect()`) decide the method's
   * branches on the same `this.…` values (`if (typeof this.subscriber.connect === 'function') { await … }`),
   * and what is left awaits nothing that can fail. A value the method assigns is not known in it.
   */
  function quietUnderGuard(c: RawCall, target: ts.FunctionLikeDeclaration): boolean {
    const callee = unwrap(c.node.expression);
    if (!T.isPropertyAccessExpression(callee) || callee.expression.kind !== SK.ThisKeyword) return false;
    const facts = guardFacts(c.node, text);
    if (facts.size === 0) return false;
    const body = target.body ? text.slice(target.body.pos, target.body.end) : '';
    for (const key of [...facts.keys()]) {
      // `this.a.b` is unknown in a method that assigns `this.a.b` or `this.a`.
      const parts = key.split('.');
      for (let i = 2; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('.').replace(/[.$]/g, (ch) => `\\${ch}`);
        if (new RegExp(`${prefix}\\s*(=[^=]|\\+\\+|--|[-+*/|&?]+=)`).test(body)) facts.delete(key);
      }
    }
    return facts.size > 0 && cannotReject(target, quietExpr, quietPromise, makesPromise, new Set(), (cond) => decide(cond, facts, text));
  }

  /** A sync function's every returned value is a visibly quiet promise (a quiet call or `new`, or a name bound to one). */
  function syncReturnsQuiet(fn: ts.FunctionLikeDeclaration): boolean {
    const visible = (e: ts.Expression): boolean => {
      const u = unwrap(e);
      if (T.isIdentifier(u)) {
        const init = localInitializer(u);
        return init !== undefined && makesPromise(init) && quietExpr(init);
      }
      return quietPromise(u);
    };
    if (!fn.body) return false;
    if (!T.isBlock(fn.body)) return visible(fn.body);
    let ok = true;
    let any = false;
    const stack: ts.Node[] = [fn.body];
    const push = (k: ts.Node): void => {
      stack.push(k);
    };
    while (ok && stack.length > 0) {
      const n = stack.pop()!;
      if (isFunctionLike(n)) continue;
      if (T.isReturnStatement(n) && n.expression !== undefined) {
        any = true;
        if (!visible(n.expression)) ok = false;
      }
      T.forEachChild(n, push);
    }
    return ok && any;
  }

  /** A promise-making expression (a call, `new`) that cannot reject; a promise held in a variable is unknown. */
  function quietPromise(e: ts.Expression): boolean {
    const u = unwrap(e);
    return (T.isCallExpression(u) || T.isNewExpression(u)) && quietExpr(u);
  }

  /** An expression whose promise cannot reject: see the file comment. A plain value (no call) is one. */
  function quietExpr(e: ts.Expression): boolean {
    const u = unwrap(e);
    if (T.isAwaitExpression(u)) return quietPromise(u.expression);
    if (T.isNewExpression(u)) {
      // `new Promise((resolve) => …)`: an executor without `reject` never rejects (short of a throw in it).
      const exec = u.arguments?.[0];
      return T.isIdentifier(u.expression) && u.expression.text === 'Promise' && exec !== undefined && isFunctionLike(unwrap(exec)) && (unwrap(exec) as ts.FunctionLikeDeclaration).parameters.length < 2;
    }
    if (T.isIdentifier(u)) {
      // A name bound in the function to a promise (`const result = lock.then(async () => …); return result`) is that promise.
      // A name bound to anything else (a report object, a count) is a plain value.
      const init = localInitializer(u);
      return init === undefined || !makesPromise(init) || quietExpr(init);
    }
    if (!T.isCallExpression(u)) return !containsCallOrAwait(u);
    const callee = unwrap(u.expression);
    if (T.isPropertyAccessExpression(callee)) {
      const m = callee.name.text;
      if (m === 'catch' && u.arguments.length >= 1) return true;
      if (m === 'then' && u.arguments.length >= 2) return true;
      // `p.then(f)`, `p.finally(f)`: quiet when `p` is and the callback, a function literal, cannot throw or reject.
      if ((m === 'then' || m === 'finally') && u.arguments.length === 1) {
        const f = unwrap(u.arguments[0]!);
        return isFunctionLike(f) && quietPromise(callee.expression) && cannotReject(f, quietExpr, quietPromise, makesPromise);
      }
      const recv = unwrap(callee.expression);
      if (T.isIdentifier(recv) && recv.text === 'Promise') {
        if (m === 'allSettled') return true;
        if (m === 'resolve') return u.arguments.length === 0 || !containsCallOrAwait(u.arguments[0]!);
        if ((m === 'all' || m === 'race' || m === 'any') && u.arguments[0]) return quietList(u.arguments[0], u);
      }
    }
    // `resolve(v)` of an enclosing `new Promise((resolve, reject) => …)`: it settles that promise and returns nothing.
    if (T.isIdentifier(callee) && executorParameter(callee)) return true;
    const c = callOf(u);
    // `await setTimeout(ms)` of timers/promises: a timer with no options (no abort signal) only resolves.
    if (c?.callee !== undefined && QUIET_TIMERS.test(c.callee) && u.arguments.length < 3) return true;
    // A same-file function, async or one that returns a promise (`stop() { return super.stop().then(…) }`).
    if (c?.localTarget !== undefined && functions[c.localTarget] !== undefined) return quietFunction(c.localTarget);
    // Another module's function: quiet on the assumption that it cannot reject, for the linker to check.
    if (assuming !== undefined && c !== undefined && !c.isNew && c.localTarget === undefined && c.callee !== undefined && typescriptResolver.mayLink(c.callee)) {
      assuming.add(c.callee);
      return true;
    }
    return false;
  }

  /** An expression that visibly makes a promise: a `.then`/`.catch`/`.finally` step, `new Promise`, `Promise.x(…)`, a same-file async function's call. */
  function makesPromise(e: ts.Expression): boolean {
    const u = unwrap(e);
    if (T.isNewExpression(u)) return T.isIdentifier(u.expression) && u.expression.text === 'Promise';
    if (!T.isCallExpression(u)) return false;
    const callee = unwrap(u.expression);
    if (T.isPropertyAccessExpression(callee)) {
      if (['then', 'catch', 'finally'].includes(callee.name.text)) return true;
      const recv = unwrap(callee.expression);
      if (T.isIdentifier(recv) && recv.text === 'Promise') return true;
    }
    const c = callOf(u);
    return c?.localTarget !== undefined && functions[c.localTarget]?.isAsync === true;
  }

  /** A list of promises none of which can reject: a literal, `xs.map(fn)` with a quiet result (an async `fn` that cannot reject), or an empty list filled by quiet `push`es. */
  function quietList(arg: ts.Expression, at: ts.Node): boolean {
    const a = unwrap(arg);
    // A parameter in the list is whatever the caller passed: a promise, maybe, that can reject.
    if (T.isArrayLiteralExpression(a)) return a.elements.every((x) => !T.isSpreadElement(x) && !(T.isIdentifier(unwrap(x)) && isParameterName(unwrap(x) as ts.Identifier) && localInitializer(unwrap(x) as ts.Identifier) === undefined) && quietExpr(x));
    if (T.isCallExpression(a) && T.isPropertyAccessExpression(unwrap(a.expression)) && (unwrap(a.expression) as ts.PropertyAccessExpression).name.text === 'map' && a.arguments[0]) {
      const fn = unwrap(a.arguments[0]);
      if (!isFunctionLike(fn) || !fn.body) return false;
      // An async callback's promise cannot reject when the callback catches its own failures
      // (Etherpad's `locations.map(async (loc) => { try { return await … } catch { return [500, …] } })`).
      if (fn.modifiers?.some((m) => m.kind === SK.AsyncKeyword)) return cannotReject(fn, quietExpr, quietPromise, makesPromise);
      if (!T.isBlock(fn.body)) return quietExpr(fn.body);
      const returns: ts.Expression[] = [];
      const visit = (n: ts.Node): void => {
        if (isFunctionLike(n)) return;
        if (T.isReturnStatement(n) && n.expression) returns.push(n.expression);
        T.forEachChild(n, visit);
      };
      visit(fn.body);
      return returns.length > 0 && returns.every(quietExpr);
    }
    if (!T.isIdentifier(a)) return false;
    const owner = calls.find((k) => k.node === at)?.functionId;
    const pushes = calls.filter((k) => k.member === 'push' && k.functionId === owner && k.span.start < (at.end ?? 0) && isPushTo(k.node, a.text));
    // Pushes from callbacks nested in the function count too (`(function (mod) { promises.push(…) })(m)`).
    const nested = calls.filter((k) => k.member === 'push' && k.functionId !== owner && k.functionId !== undefined && isWithin(functions, k.functionId, owner) && isPushTo(k.node, a.text));
    const all = [...pushes, ...nested];
    return all.length > 0 && all.every((k) => (k.node.arguments ?? []).every((x) => quietExpr(x)));
  }

  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    if (c.usage !== 'dropped' || c.isNew) continue;
    let spawner: string | undefined;
    let excuse: SpawnSite['excuse'];
    let linked: string | undefined;
    let quietIf: string[] | undefined;
    const target = c.localTarget === undefined ? undefined : functions[c.localTarget];
    if (target?.isAsync) {
      spawner = c.calleeText;
      const q = underAssumptions(() => quietFunction(target.id));
      if ((q.quiet && q.assumes.length === 0) || quietRestart(c, target.id) || quietUnderGuard(c, fnNodes[target.id]!)) excuse = 'handled';
      else {
        if (q.quiet) quietIf = q.assumes;
        if (c.functionId === undefined) excuse = 'entry';
      }
    } else if (c.member === 'then' || c.member === 'finally') {
      if (c.member === 'then' && (c.node.arguments?.length ?? 0) >= 2) continue; // `.then(ok, err)`
      if (chainHasCatch(c.node)) continue;
      spawner = c.calleeText;
      const head = chainHead(c.node);
      // The head cannot reject and no callback of the chain can: an async callback that awaits I/O outside a `try` could.
      const q = underAssumptions(() => head !== undefined && quietPromise(head) && chainCallbacks(c.node).every((f) => cannotReject(f, quietExpr, quietPromise, makesPromise)));
      if (q.quiet && q.assumes.length === 0) excuse = 'handled';
      else if (q.quiet) quietIf = q.assumes;
    } else if (c.callee !== undefined && PROMISE_APIS.test(c.callee) && !(c.node.arguments ?? []).some((a) => isFunctionLike(unwrap(a)))) {
      spawner = c.calleeText;
    } else if (c.localTarget === undefined && c.functionId !== undefined && c.callee !== undefined && typescriptResolver.mayLink(c.callee)) {
      // Maybe another module's async function: a lost task only if the linker finds one that can reject.
      spawner = c.calleeText;
      linked = c.callee;
    }
    if (spawner === undefined) continue;
    if (excuse === undefined && DELIBERATE.test(commentsBeside(text, comments, c.span))) excuse = 'deliberate';
    const context = c.functionId === undefined ? undefined : functions[c.functionId]!.context;
    out.push({ id: out.length, span: c.span, spawner, handle: 'dropped', inLoop: c.inLoop, context, functionId: c.functionId, callId: c.id, ...(excuse ? { excuse } : {}), ...(linked !== undefined ? { linked } : {}), ...(quietIf !== undefined ? { quietIf } : {}) });
  }
  const quiet = new Set<number>();
  const quietIfs = new Map<number, string[]>();
  for (const f of functions) {
    // Outer functions and methods: async ones, and sync ones that return something (a promise, maybe).
    // Only what the file exports is read (by its summary): with `exported` given, no other function is.
    if (f.parent !== undefined || (exported !== undefined && !exported.has(f.id)) || (!f.isAsync && !returnsValue(fnNodes[f.id]!))) continue;
    const q = underAssumptions(() => quietFunction(f.id));
    if (q.quiet && q.assumes.length === 0) quiet.add(f.id);
    else if (q.quiet) quietIfs.set(f.id, q.assumes);
  }
  return { spawns: out, cannotReject: quiet, cannotRejectIf: quietIfs };
}

/** A function that returns a value somewhere (not in a nested function): an expression body, or a `return x`. */
function returnsValue(fn: ts.FunctionLikeDeclaration): boolean {
  if (!fn.body) return false;
  if (!T.isBlock(fn.body)) return true;
  return someNode(fn.body, (n) => T.isReturnStatement(n) && n.expression !== undefined);
}

/** Whether `name` is a parameter of a function around it (what a caller passed in). */
function isParameterName(name: ts.Identifier): boolean {
  for (let n: ts.Node | undefined = name.parent; n !== undefined; n = n.parent) {
    if (isFunctionLike(n) && (n as ts.FunctionLikeDeclaration).parameters.some((p) => T.isIdentifier(p.name) && p.name.text === name.text)) return true;
  }
  return false;
}

/**
 * The initializer of the `const`/`let`/`var` a name refers to, when it is declared in the name's own
 * function (the nearest declaration above the name, by position): what a returned name holds.
 */
function localInitializer(name: ts.Identifier): ts.Expression | undefined {
  let fn: ts.Node | undefined = name.parent;
  while (fn !== undefined && !isFunctionLike(fn)) fn = fn.parent;
  const body = fn === undefined ? undefined : (fn as ts.FunctionLikeDeclaration).body;
  if (body === undefined) return undefined;
  let found: ts.Expression | undefined;
  let at = -1;
  const stack: ts.Node[] = [body];
  const push = (k: ts.Node): void => {
    stack.push(k);
  };
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.pos >= name.pos || isFunctionLike(n)) continue;
    if (T.isVariableDeclaration(n) && T.isIdentifier(n.name) && n.name.text === name.text && n.initializer !== undefined && n.pos > at) {
      found = n.initializer;
      at = n.pos;
    }
    T.forEachChild(n, push);
  }
  return found;
}

function isPushTo(node: ts.CallExpression | ts.NewExpression, name: string): boolean {
  const callee = unwrap(node.expression);
  return T.isPropertyAccessExpression(callee) && T.isIdentifier(unwrap(callee.expression)) && (unwrap(callee.expression) as ts.Identifier).text === name;
}

/** How many times the file names `name` (identifiers and private names, not comments or strings). */
function mentionsOf(file: ts.SourceFile, name: string): number {
  let n = 0;
  const visit = (node: ts.Node): void => {
    if ((T.isIdentifier(node) || T.isPrivateIdentifier(node)) && node.text === name) n++;
    T.forEachChild(node, visit);
  };
  visit(file);
  return n;
}

/** The outermost named function around `fnId` (a method, not the arrow callback inside it). */
function outermostNamed(functions: readonly FunctionInfo[], fnId: number): number | undefined {
  let found: number | undefined;
  for (let f: number | undefined = fnId; f !== undefined; f = functions[f]!.parent) if (functions[f]!.name !== undefined) found = f;
  return found;
}

/**
 * The one-time blocks of a function's body: `if (!flag) { flag = true; … }` statements (no `else`)
 * whose flag is `this.x`, `this.#x` or a plain name that the file never sets to anything but `true`.
 * Once the function has run past one, the block never runs again.
 */
function onceBlocks(fn: ts.FunctionLikeDeclaration, text: string): ts.IfStatement[] {
  const body = fn.body;
  if (!body || !T.isBlock(body)) return [];
  const out: ts.IfStatement[] = [];
  for (const stmt of body.statements) {
    if (!T.isIfStatement(stmt) || stmt.elseStatement) continue;
    const cond = unwrap(stmt.expression);
    if (!T.isPrefixUnaryExpression(cond) || cond.operator !== SK.ExclamationToken) continue;
    const flag = unwrap(cond.operand);
    const isFlag = T.isIdentifier(flag) || ((T.isPropertyAccessExpression(flag) && flag.expression.kind === SK.ThisKeyword));
    if (!isFlag || !T.isBlock(stmt.thenStatement)) continue;
    const first = stmt.thenStatement.statements[0];
    const flagText = text.slice(flag.getStart(), flag.end);
    if (!first || !T.isExpressionStatement(first) || !isSetTrue(first.expression, flagText, text)) continue;
    if (setsOtherwise(fn.getSourceFile(), flagText, text)) continue;
    out.push(stmt);
  }
  return out;
}

function isSetTrue(e: ts.Expression, flagText: string, text: string): boolean {
  const u = unwrap(e);
  return T.isBinaryExpression(u) && u.operatorToken.kind === SK.EqualsToken && text.slice(u.left.getStart(), u.left.end) === flagText && u.right.kind === SK.TrueKeyword;
}

/** The flag is assigned something other than `true` somewhere in the file (a reset), or deleted. */
function setsOtherwise(file: ts.SourceFile, flagText: string, text: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (T.isBinaryExpression(n) && n.operatorToken.kind >= SK.FirstAssignment && n.operatorToken.kind <= SK.LastAssignment && text.slice(n.left.getStart(), n.left.end) === flagText && !isSetTrue(n, flagText, text)) found = true;
    else if (T.isDeleteExpression(n) && text.slice(n.expression.getStart(), n.expression.end) === flagText) found = true;
    T.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

function isWithin(functions: readonly FunctionInfo[], fnId: number, outer: number | undefined): boolean {
  if (outer === undefined) return false;
  for (let f: number | undefined = fnId; f !== undefined; f = functions[f]!.parent) if (f === outer) return true;
  return false;
}

/**
 * The comments of the statement: the block of comment lines right above it (nothing but blank space
 * in between) and a comment after it on its own line.
 */
function commentsBeside(text: string, comments: readonly Comment[], span: { start: number; end: number }): string {
  const found: string[] = [];
  let pos = text.lastIndexOf('\n', span.start - 1) + 1;
  // Comments are in order of position, and one after the call counts only on its line: the search
  // starts at the last comment that begins by the end of that line, not at the end of the file.
  const eol = text.indexOf('\n', span.end);
  for (let i = lastStartingBy(comments, eol < 0 ? text.length : eol); i >= 0; i--) {
    const c = comments[i]!;
    if (c.span.start >= span.start) {
      const between = text.slice(span.end, c.span.start);
      if (c.span.start >= span.end && /^[\s;)]*$/.test(between) && !between.includes('\n')) found.push(c.text);
      continue;
    }
    if (c.span.end > pos) continue;
    if (!/^\s*$/.test(text.slice(c.span.end, pos))) break;
    const lineStart = text.lastIndexOf('\n', c.span.start - 1) + 1;
    if (!/^\s*$/.test(text.slice(lineStart, c.span.start))) break; // the previous statement's trailing comment
    found.push(c.text);
    pos = lineStart;
  }
  return found.join('\n');
}

/** The index of the last comment (in order of position) that starts at or before `offset`; -1 when none does. */
function lastStartingBy(comments: readonly Comment[], offset: number): number {
  let lo = 0;
  let hi = comments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comments[mid]!.span.start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
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

/** The callbacks handed to the `.then`/`.finally` steps of a chain (a callback that is not a function literal is unknown: returned as none, so the chain stays reported only through its head). */
function chainCallbacks(call: ts.CallExpression | ts.NewExpression): ts.FunctionLikeDeclaration[] {
  const out: ts.FunctionLikeDeclaration[] = [];
  let n: ts.Expression = call;
  while (T.isCallExpression(n) && T.isPropertyAccessExpression(unwrap(n.expression))) {
    const callee = unwrap(n.expression) as ts.PropertyAccessExpression;
    if (callee.name.text !== 'then' && callee.name.text !== 'finally') break;
    for (const a of n.arguments) {
      const f = unwrap(a);
      if (isFunctionLike(f)) out.push(f);
    }
    n = unwrap(callee.expression);
  }
  return out;
}

/** The promise a `.then`/`.finally` chain starts from: `Promise.allSettled(xs)` in `Promise.allSettled(xs).then(f).finally(g)`. */
function chainHead(call: ts.CallExpression | ts.NewExpression): ts.Expression | undefined {
  let e: ts.Expression = unwrap(call.expression);
  while (T.isPropertyAccessExpression(e) && (e.name.text === 'then' || e.name.text === 'finally')) {
    const recv = unwrap(e.expression);
    if (!T.isCallExpression(recv)) return recv;
    const callee = unwrap(recv.expression);
    if (!T.isPropertyAccessExpression(callee) || (callee.name.text !== 'then' && callee.name.text !== 'finally')) return recv;
    e = callee;
  }
  return undefined;
}

/**
 * An async function whose promise cannot reject: every `await`, `throw` and returned promise sits in a
 * `try` whose `catch` never rethrows (a handler that reports through `next(err)`), or is itself a
 * promise that cannot reject; a promise returned from a `try` without `await` (`promising`: it visibly
 * makes one) is not caught there. Synchronous code outside the `try` (guards, a cache lookup) is taken
 * not to throw in practice. Statements in `alreadyRun` (one-time blocks the caller knows have run)
 * are left out.
 */
function cannotReject(fn: ts.FunctionLikeDeclaration, quiet: (e: ts.Expression) => boolean, quietPromise: (e: ts.Expression) => boolean, promising: (e: ts.Expression) => boolean, alreadyRun: ReadonlySet<ts.Node> = new Set(), known: (cond: ts.Expression) => boolean | undefined = () => undefined): boolean {
  const body = fn.body;
  if (!body) return false;
  if (!T.isBlock(body)) return quiet(body);
  // An explicit stack: a body nested thousands deep (`return a + a + …`) must not overflow the call stack.
  const stack: [ts.Node, boolean][] = [[body, false]];
  while (stack.length > 0) {
    const [n, guarded] = stack.pop()!;
    if (isFunctionLike(n) || alreadyRun.has(n)) continue;
    if (T.isIfStatement(n)) {
      // A branch the caller's guards rule out does not run on this path.
      const taken = known(n.expression);
      if (taken !== undefined) {
        const branch = taken ? n.thenStatement : n.elseStatement;
        if (branch) stack.push([branch, guarded]);
        continue;
      }
    }
    if (T.isTryStatement(n)) {
      const swallows = n.catchClause !== undefined && !containsThrow(n.catchClause.block);
      stack.push([n.tryBlock, guarded || swallows]);
      if (n.catchClause) stack.push([n.catchClause.block, guarded]);
      if (n.finallyBlock) stack.push([n.finallyBlock, guarded]);
      continue;
    }
    if (!guarded) {
      if ((T.isAwaitExpression(n) && !quietPromise(n.expression)) || T.isThrowStatement(n) || (T.isForOfStatement(n) && n.awaitModifier !== undefined)) return false;
      if (T.isReturnStatement(n) && n.expression !== undefined && !quiet(n.expression)) return false;
    } else if (T.isReturnStatement(n) && n.expression !== undefined && !T.isAwaitExpression(unwrap(n.expression)) && promising(n.expression) && !quiet(n.expression)) {
      // `try { return fetchIt(); } catch { … }`: the promise is returned, not awaited, so its rejection
      // becomes the function's own after the `try` is left (what `return await` exists for).
      return false;
    }
    T.forEachChild(n, (k) => {
      stack.push([k, guarded]);
    });
  }
  return true;
}

/**
 * What the `if`s around a call say of `this.…` values where the call runs: `this.a.b` → false in the
 * branch of `if (!this.a.b)`, true in that of `if (this.a.b)` (their `else` the other way round), up
 * to the call's function.
 */
function guardFacts(call: ts.Node, text: string): Map<string, boolean> {
  const facts = new Map<string, boolean>();
  let child: ts.Node = call;
  for (let n = call.parent; n !== undefined && !isFunctionLike(n); child = n, n = n.parent) {
    if (!T.isIfStatement(n) || child === n.expression) continue;
    const inThen = child === n.thenStatement;
    let cond = unwrap(n.expression);
    let truth = inThen;
    while (T.isPrefixUnaryExpression(cond) && cond.operator === SK.ExclamationToken) {
      cond = unwrap(cond.operand);
      truth = !truth;
    }
    if (isThisPath(cond)) facts.set(text.slice(cond.getStart(), cond.end).replace(/\s+/g, ''), truth);
  }
  return facts;
}

/** `this.a`, `this.a.b`: a value a method of the same object reads under the same name. */
function isThisPath(e: ts.Expression): boolean {
  let n: ts.Expression = e;
  if (!T.isPropertyAccessExpression(n)) return false;
  while (T.isPropertyAccessExpression(n)) n = unwrap(n.expression);
  return n.kind === SK.ThisKeyword;
}

/**
 * A condition's value from what is known of `this.…` values: `this.a.b` and `!this.a.b` from its
 * truthiness, and `typeof this.a.b === 'function'` is false (`!==` true) when it is falsy (no falsy
 * value is a function). Anything else is unknown.
 */
function decide(cond: ts.Expression, facts: ReadonlyMap<string, boolean>, text: string): boolean | undefined {
  let e = unwrap(cond);
  let negated = false;
  while (T.isPrefixUnaryExpression(e) && e.operator === SK.ExclamationToken) {
    e = unwrap(e.operand);
    negated = !negated;
  }
  const value = decidePlain(e, facts, text);
  return value === undefined ? undefined : value !== negated;
}

function decidePlain(e: ts.Expression, facts: ReadonlyMap<string, boolean>, text: string): boolean | undefined {
  const key = (x: ts.Expression): string => text.slice(x.getStart(), x.end).replace(/\s+/g, '');
  if (isThisPath(e)) return facts.get(key(e));
  if (T.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const eq = op === SK.EqualsEqualsEqualsToken || op === SK.EqualsEqualsToken;
    const ne = op === SK.ExclamationEqualsEqualsToken || op === SK.ExclamationEqualsToken;
    if (!eq && !ne) return undefined;
    const [l, r] = [unwrap(e.left), unwrap(e.right)];
    const typeOf = T.isTypeOfExpression(l) ? l : T.isTypeOfExpression(r) ? r : undefined;
    const lit = typeOf === l ? r : l;
    if (!typeOf || !T.isStringLiteral(lit) || lit.text !== 'function') return undefined;
    const operand = unwrap(typeOf.expression);
    if (!isThisPath(operand) || facts.get(key(operand)) !== false) return undefined;
    return ne;
  }
  return undefined;
}

function containsThrow(n: ts.Node): boolean {
  return someNode(n, (k) => T.isThrowStatement(k));
}

function containsCallOrAwait(n: ts.Node): boolean {
  return someNode(n, (k) => T.isCallExpression(k) || T.isAwaitExpression(k) || T.isNewExpression(k));
}

/** Whether `test` holds for the node or a descendant, not looking into nested functions; an explicit stack, for deep nesting. */
function someNode(root: ts.Node, test: (n: ts.Node) => boolean): boolean {
  const stack: ts.Node[] = [root];
  const push = (k: ts.Node): void => {
    stack.push(k);
  };
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (test(n)) return true;
    if (isFunctionLike(n)) continue;
    T.forEachChild(n, push);
  }
  return false;
}

/**
 * `resolve` or `reject` of the executor of `new Promise((resolve, reject) => …)` that encloses the
 * name: the nearest function that declares the name as a parameter is that executor.
 */
function executorParameter(id: ts.Identifier): boolean {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (!isFunctionLike(n)) continue;
    if (!n.parameters.some((p) => T.isIdentifier(p.name) && p.name.text === id.text)) continue;
    const call = n.parent;
    return call !== undefined && T.isNewExpression(call) && call.arguments?.[0] === n && T.isIdentifier(call.expression) && call.expression.text === 'Promise';
  }
  return false;
}
