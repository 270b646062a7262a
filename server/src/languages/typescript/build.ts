/**
 * Turns the walk's records into the model: resolves callees, decides which functions are async
 * contexts, numbers yield points, and delegates held regions and channels to their own modules.
 * Everything here iterates the records; nothing walks the tree again.
 */
import ts from 'typescript';
import type { Catalog } from '../../engine/catalog';
import type { AsyncContext, CallSite, FileModel, FunctionInfo, HandlerRef, YieldPoint } from '../../engine/model';
import { normalisedText, skipTrivia, T, unwrap } from './ast';
import { HANDLER_REGISTRATIONS, INLINE_CALLEES, INLINE_METHODS, OFFLOAD_CALLEES, type HandlerRegistration } from './catalog';
import { findChannels } from './channels';
import { findDetached } from './detached';
import { findFanOuts } from './fan-out';
import { findRetries } from './retries';
import { memoisedSpans } from './memo';
import { findHeldRegions } from './regions';
import { localClassOfCallee, lookup, requiredModule, resolveExpr, resolveTarget, superMethodCallee, type Scope } from './resolve';
import type { RawCall, RawFunction, WalkResult } from './walk';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

/** A call with its resolution, as the later passes need it. */
export type ResolvedCall = RawCall;

/**
 * A CommonJS module's call of its own export, `exports.restartServer()` or
 * `module.exports.restartServer()` (Etherpad's `createServer` restarting the server it builds): the
 * function the file exports under that name, when `exports` (`module`) is not a name of the file's own.
 */
function ownExportCalled(expr: ts.Expression, scope: Scope, exportedNames: ReadonlyMap<string, number>): number | undefined {
  const e = unwrap(expr);
  if (!T.isPropertyAccessExpression(e)) return undefined;
  const base = unwrap(e.expression);
  const own = T.isIdentifier(base)
    ? base.text === 'exports' && lookup('exports', scope) === undefined
    : T.isPropertyAccessExpression(base) && base.name.text === 'exports' && T.isIdentifier(base.expression) && base.expression.text === 'module' && lookup('module', scope) === undefined;
  return own ? exportedNames.get(e.name.text) : undefined;
}

/** A callee reached through `worker_threads.parentPort` or `worker_threads.workerData`. */
const WORKER_MARKER_PATH = /^worker_threads\.(parentPort|workerData)\./;

type Role = { kind: 'handler'; name: string; reason: string } | { kind: 'inline'; loop: boolean } | { kind: 'offload' } | undefined;

/**
 * Builds the model of one file from its walk. `exported`, when given, is the ids of the functions the
 * file exports: whether a function's promise cannot reject is worked out for those only (their
 * summary is what reads it).
 */
export function buildModel(sf: ts.SourceFile, path: string, w: WalkResult, catalog: Catalog, syntaxErrors: number, exported?: ReadonlySet<number>, exportedNames?: ReadonlyMap<string, number>): FileModel {
  const text = sf.text;
  const calls: ResolvedCall[] = w.calls;
  typeConstructorParameters(calls, w);
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    const target = resolveTarget(c.node.expression, c.scope);
    c.localTarget = target === undefined ? (exportedNames?.size ? ownExportCalled(c.node.expression, c.scope, exportedNames) : undefined) : w.fnIdByNode.get(target);
    c.callee = resolveExpr(c.node.expression, c.scope) ?? (c.localTarget === undefined ? superMethodCallee(c.node.expression, c.scope) : undefined);
  }

  // Compiled output reaches the worker markers through the module object
  // (`node_worker_threads_1.parentPort.on(…)`), which only resolution sees.
  const workerFile = w.workerFile || calls.some((c) => c.callee !== undefined && WORKER_MARKER_PATH.test(c.callee));
  const referenced = registeredByReference(calls, w);
  const functions: FunctionInfo[] = [];
  const contexts: AsyncContext[] = [];
  for (const f of w.functions) {
    const parent = f.parent === undefined ? undefined : functions[f.parent];
    const role = f.host
      ? roleOf(f.host.key, calls[f.host.call]!, parent?.context !== undefined)
      : f.iife
        ? { kind: 'inline' as const, loop: false }
        : f.decorator !== undefined
          ? { kind: 'handler' as const, name: `@${f.decorator} ${f.name ?? 'method'}`, reason: `method decorated with \`@${f.decorator}\`` }
          : referenced.get(f.id);
    let context: number | undefined;
    const offloaded = workerFile || role?.kind === 'offload' || (parent?.offloaded ?? false);
    if (!offloaded) {
      if (f.isAsync || role?.kind === 'handler') {
        context = contexts.length;
        contexts.push(makeContext(context, f, role, text));
      } else if (role?.kind === 'inline') context = parent?.context;
    }
    functions.push({
      id: f.id,
      ...(f.name !== undefined ? { name: f.name } : {}),
      span: f.span,
      ...(f.nameSpan ? { nameSpan: f.nameSpan } : {}),
      ...(f.parent !== undefined ? { parent: f.parent } : {}),
      ...(context !== undefined ? { context } : {}),
      offloaded,
      isAsync: f.isAsync,
      ...(f.host && !f.host.key && !offloaded && role?.kind !== 'inline' && isDeferringHost(calls[f.host.call]!) ? { deferred: true } : {}),
    });
  }

  const memo = new Array<MemoSpans | undefined>(w.functions.length);
  const guarded = new Uint8Array(w.functions.length);
  // Every call site has the same shape (absent optional fields are `undefined`): cheap to build, monomorphic to read.
  const callSites: CallSite[] = calls.map((c) => ({
    id: c.id,
    span: c.span,
    calleeSpan: c.calleeSpan,
    argsSpan: c.argsSpan,
    calleeText: c.calleeText,
    callee: c.callee,
    member: c.member,
    localTarget: c.localTarget,
    functionId: c.functionId,
    context: c.functionId === undefined ? undefined : functions[c.functionId]!.context,
    awaited: c.awaited,
    inLoop: c.inLoop,
    resultUnused: c.resultUnused,
    argCount: c.argCount,
    once: runsOnce(c, w, memo, guarded),
  }));

  const yieldPoints: YieldPoint[] = [];
  const ordinals = new Map<number, number>();
  for (const y of w.yields) {
    if (y.functionId === undefined) continue;
    const fn = w.functions[y.functionId]!;
    // Only an async function's own yields suspend a task (a sync generator's `yield` does not).
    if (!fn.isAsync) continue;
    const context = functions[y.functionId]!.context;
    if (context === undefined) continue;
    const ordinal = (ordinals.get(context) ?? 0) + 1;
    ordinals.set(context, ordinal);
    const inside: number[] = [];
    for (let i = y.firstCall; i < calls.length; i++) {
      const c = calls[i]!;
      if (c.span.start >= y.operand.end) break;
      if (c.functionId === y.functionId && c.span.start >= y.operand.start) inside.push(c.id);
    }
    yieldPoints.push({ id: yieldPoints.length, kind: y.kind, span: y.span, keywordSpan: y.keywordSpan, context, ordinal, calls: inside });
  }

  const fnNodes = w.functions.map((f) => f.node);
  const detached = findDetached(text, calls, w.callIdByNode, functions, fnNodes, w.comments, exported);
  for (const id of detached.cannotReject) functions[id] = { ...functions[id]!, cannotReject: true };
  for (const [id, callees] of detached.cannotRejectIf) functions[id] = { ...functions[id]!, cannotRejectIf: callees };
  return {
    language: 'typescript',
    path,
    contexts,
    functions,
    yieldPoints,
    heldRegions: findHeldRegions(text, calls, functions, w, catalog),
    calls: callSites,
    channels: findChannels(text, calls, functions, w, catalog),
    spawns: detached.spawns,
    fanOuts: findFanOuts(text, calls, functions, callsByFunction(calls), w.fnIdByNode),
    retries: findRetries(text, calls, functions, fnNodes),
    comments: w.comments,
    syntaxErrors,
    ...handlerRefs(calls, text),
  };
}

/**
 * An untyped constructor parameter of a same-file class takes the arguments `new` passes it in this
 * file (`new WrappedDatabase(new Database(file))`: `this.db = db` is a better-sqlite3 database), from
 * the sites of the first caller's scope. Runs before any callee is resolved, so no resolution has
 * cached the parameter as unknown.
 */
function typeConstructorParameters(calls: readonly ResolvedCall[], w: WalkResult): void {
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    if (!c.isNew || !c.node.arguments?.length) continue;
    const cls = localClassOfCallee(c.node.expression, c.scope);
    const ctor = cls?.members.find((m): m is ts.ConstructorDeclaration => T.isConstructorDeclaration(m) && m.body !== undefined);
    const id = ctor && w.fnIdByNode.get(ctor);
    const scope = id === undefined ? undefined : w.functions[id]!.scope;
    if (!ctor || !scope) continue;
    ctor.parameters.forEach((p, i) => {
      const arg = c.node.arguments![i];
      if (!arg || p.type || !T.isIdentifier(p.name) || p.dotDotDotToken || T.isSpreadElement(arg)) return;
      const b = scope.bindings.get(p.name.text);
      if (b?.k === 'opaque') scope.bindings.set(p.name.text, { k: 'var', exprs: [arg], scope: c.scope });
      else if (b?.k === 'var' && b.scope === c.scope && b.memo === undefined) b.exprs.push(arg);
    });
  }
}

/** Whether a call sits behind a memo guard of its function or of one it runs inline in (see memo.ts). */
function runsOnce(c: ResolvedCall, w: WalkResult, memo: (MemoSpans | undefined)[], guarded: Uint8Array): boolean | undefined {
  // Most functions and their parents have no memo guard: then no call of theirs is looked for in one.
  if (c.functionId === undefined || !guardAbove(c.functionId, w, memo, guarded)) return undefined;
  for (let id: number | undefined = c.functionId; id !== undefined; id = w.functions[id]!.parent) {
    const spans = memo[id]!;
    for (const s of spans) if (s.start <= c.span.start && c.span.end <= s.end) return true;
  }
  return undefined;
}

/**
 * Whether the function or one of its parents has a memo guard, settled once per function
 * (`guarded`: 0 not yet, 1 no, 2 yes) with each one's spans in `memo`. Iterative: nesting can be deep.
 */
function guardAbove(id: number, w: WalkResult, memo: (MemoSpans | undefined)[], guarded: Uint8Array): boolean {
  if (guarded[id] !== 0) return guarded[id] === 2;
  const path: number[] = [];
  let answer = false;
  for (let at: number | undefined = id; at !== undefined; at = w.functions[at]!.parent) {
    if (guarded[at] !== 0) {
      answer = guarded[at] === 2;
      break;
    }
    path.push(at);
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const f = path[i]!;
    const spans = (memo[f] ??= memoisedSpans(w.functions[f]!.node));
    answer ||= spans.length > 0;
    guarded[f] = answer ? 2 : 1;
  }
  return answer;
}

/**
 * Each function's memoised spans, by function id, computed once per model. Per model, not in a
 * module-wide map keyed by node: a node an incremental parse reuses has moved, and (measured) a
 * module-wide weak map of one file's nodes kept the young part of each tree alive through the
 * next scavenges, which copied and promoted it.
 */
type MemoSpans = readonly { start: number; end: number }[];

function makeContext(id: number, f: RawFunction, role: Role, text: string): AsyncContext {
  const nameSpan = f.nameSpan ?? keywordSpan(f.node, text);
  if (f.isAsync) {
    const reason = T.isMethodDeclaration(f.node) ? 'async method' : T.isArrowFunction(f.node) ? 'async arrow function' : 'async function';
    const name = f.name ?? (role?.kind === 'handler' ? role.name : reason);
    return { id, kind: 'async-function', name, span: f.span, nameSpan, reason, functionId: f.id };
  }
  const r = role as { kind: 'handler'; name: string; reason: string };
  return { id, kind: 'handler', name: r.name, span: f.span, nameSpan, reason: r.reason, functionId: f.id };
}

/** The `async` keyword, else the `function` keyword or the arrow's `=>`, for an anonymous function. */
function keywordSpan(node: ts.FunctionLikeDeclaration, text: string): { start: number; end: number } {
  const mods = T.canHaveModifiers(node) ? T.getModifiers(node) : undefined;
  const asyncMod = mods?.find((m) => m.kind === SK.AsyncKeyword);
  if (asyncMod) return { start: skipTrivia(text, asyncMod.pos), end: asyncMod.end };
  if (T.isArrowFunction(node)) return { start: skipTrivia(text, node.equalsGreaterThanToken.pos), end: node.equalsGreaterThanToken.end };
  const s = skipTrivia(text, node.pos);
  return { start: s, end: Math.min(s + 8, node.end) };
}

/** What the call a function is passed to does with it. */
function roleOf(key: string | undefined, host: ResolvedCall, inContext: boolean): Role {
  const callee = host.callee;
  if (callee !== undefined && OFFLOAD_CALLEES.has(callee)) return { kind: 'offload' };
  for (const reg of HANDLER_REGISTRATIONS) {
    if (key !== undefined && !reg.handlerKeys?.includes(key)) continue;
    if (reg.nestedOnly && !inContext) continue;
    if (!matches(reg, host)) continue;
    const first = host.node.arguments?.[0];
    const label = first && T.isStringLiteralLike(first) ? `${host.calleeText}('${first.text}')` : host.calleeText;
    return { kind: 'handler', name: `${label} ${first && T.isStringLiteralLike(first) ? 'handler' : 'callback'}`, reason: `callback to \`${host.calleeText}\`` };
  }
  if (key !== undefined) return undefined;
  if (callee !== undefined && INLINE_CALLEES.has(callee)) return { kind: 'inline', loop: callee === 'Array.from' };
  if (!host.isNew && INLINE_METHODS.has(host.member) && T.isPropertyAccessExpression(unwrap(host.node.expression))) return { kind: 'inline', loop: true };
  return undefined;
}

/** Every method and resolved callee some handler registration names: a call with neither is no registration. */
const REGISTRATION_METHODS: ReadonlySet<string> = new Set(HANDLER_REGISTRATIONS.flatMap((r) => r.methods ?? []));
const REGISTRATION_CALLEES: ReadonlySet<string> = new Set(HANDLER_REGISTRATIONS.flatMap((r) => r.callees ?? []));

/** Whether `roleOf` can make the call's function arguments handlers (by method or callee), without resolving anything. */
function mayRegister(c: ResolvedCall): boolean {
  return REGISTRATION_METHODS.has(c.member) || (c.callee !== undefined && REGISTRATION_CALLEES.has(c.callee));
}

/** Methods that register a listener: the callback runs when the event fires, not during the call. */
const LISTENER_METHODS: ReadonlySet<string> = new Set([
  'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener',
]);
/** Promise continuations: they run after the promise settles. */
const CONTINUATION_METHODS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);
/** Calls that run their function argument on a later turn of the loop. */
const TIMER_CALLEES: ReadonlySet<string> = new Set([
  'setTimeout', 'setInterval', 'setImmediate', 'timers.setTimeout', 'timers.setInterval', 'timers.setImmediate',
  'process.nextTick', 'queueMicrotask',
]);
/** Node modules whose non-`Sync` functions take a completion callback that runs later. */
const CALLBACK_MODULE = /^(fs|fs-extra|graceful-fs|child_process|net|tls|dns|crypto|zlib)\.[^.]+$/;

/**
 * The call runs a function passed to it later, not during the call: a listener registration
 * (`server.on('close', …)`), a timer, a promise continuation, or a Node callback-style API
 * (`fs.readFile(p, (err, data) => …)`; a `…Sync` function runs its arguments now).
 */
function isDeferringHost(host: ResolvedCall): boolean {
  if (host.isNew) return false;
  const callee = host.callee;
  if (callee !== undefined) {
    if (TIMER_CALLEES.has(callee)) return true;
    if (CALLBACK_MODULE.test(callee) && !callee.endsWith('Sync')) return true;
  }
  if (!T.isPropertyAccessExpression(unwrap(host.node.expression))) return false;
  return LISTENER_METHODS.has(host.member) || CONTINUATION_METHODS.has(host.member);
}

/**
 * Same-file functions handed by name to a handler registration or an offload API
 * (`router.get('/users', listUsers)`, `setTimeout(tick, 1000)`, `pool.exec(hash)`): they take the
 * role an inline callback in that position would have.
 */
function registeredByReference(calls: readonly ResolvedCall[], w: WalkResult): Map<number, Role> {
  const out = new Map<number, Role>();
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    const args = c.node.arguments;
    // Only a registration or an offload API gives a role here: other calls' arguments are not resolved.
    if (!args || args.length === 0 || !(mayRegister(c) || (c.callee !== undefined && OFFLOAD_CALLEES.has(c.callee)))) continue;
    let role: Role | null = null; // computed once per call, only when an argument names a function
    for (const a of args) {
      const u = unwrap(a);
      if (u.kind !== SK.Identifier && u.kind !== SK.PropertyAccessExpression) continue;
      const target = resolveTarget(u, c.scope);
      const id = target === undefined ? undefined : w.fnIdByNode.get(target);
      if (id === undefined || out.has(id)) continue;
      if (role === null) role = roleOf(undefined, c, false);
      if (role?.kind === 'handler' || role?.kind === 'offload') out.set(id, role);
    }
  }
  return out;
}

/**
 * Functions of other modules handed by name to a handler registration (`router.get('/files',
 * files.list)`, `hbs.registerHelper('asset', require('./helpers/asset'))`): their file cannot see
 * that they run per request, so the registration names them for the linker. Not a promise
 * continuation (`start().then(app.listen)` is as often start-up code) nor a same-file function
 * (registeredByReference makes that a context).
 */
function handlerRefs(calls: readonly ResolvedCall[], text: string): { handlerRefs?: HandlerRef[] } {
  const out: HandlerRef[] = [];
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    const args = c.node.arguments;
    // Only a registration makes a handler: other calls' arguments are not resolved.
    if (!args || args.length === 0 || c.isNew || CONTINUATION_METHODS.has(c.member) || !mayRegister(c)) continue;
    let role: Role | null = null;
    for (const a of args) {
      const u = unwrap(a);
      let callee: string | undefined;
      if (T.isIdentifier(u) || T.isPropertyAccessExpression(u)) {
        const target = resolveTarget(u, c.scope);
        if (target !== undefined) continue; // a same-file function or value
        callee = resolveExpr(u, c.scope);
      } else if (T.isCallExpression(u)) callee = requiredModule(u);
      if (callee === undefined) continue;
      if (role === null) role = roleOf(undefined, c, false);
      if (role?.kind !== 'handler') break;
      const start = skipTrivia(text, u.pos);
      out.push({ id: out.length, span: { start, end: u.end }, text: normalisedText(text, start, u.end), callee, name: role.name });
    }
  }
  return out.length > 0 ? { handlerRefs: out } : {};
}

function matches(reg: HandlerRegistration, call: ResolvedCall): boolean {
  let ok = false;
  if (reg.callees && call.callee !== undefined && reg.callees.includes(call.callee)) ok = true;
  else if (reg.methods?.includes(call.member)) {
    const calleeNode = unwrap(call.node.expression);
    if (!T.isPropertyAccessExpression(calleeNode)) return false;
    const receiver = unwrap(calleeNode.expression);
    // `router.route('/x').get(…)`: a call receiver is named by its method.
    const named = T.isCallExpression(receiver) ? unwrap(receiver.expression) : receiver;
    const recvName = T.isIdentifier(named) ? named.text : T.isPropertyAccessExpression(named) ? named.name.text : undefined;
    if (recvName !== undefined && reg.exceptReceivers?.includes(recvName)) return false;
    if (reg.receivers?.includes('*') || (recvName !== undefined && (reg.receivers?.includes(recvName) || reg.receiverPattern?.test(recvName)))) ok = true;
    else if (reg.receiverTypes) {
      const type = resolveExpr(receiver, call.scope);
      ok = type !== undefined && reg.receiverTypes.includes(type);
    }
  }
  if (!ok) return false;
  if (!reg.events) return true;
  const first = call.node.arguments?.[0];
  return first !== undefined && T.isStringLiteralLike(first) && reg.events.includes(first.text);
}

/** Calls grouped by the function that contains them, in source order. */
function callsByFunction(calls: readonly ResolvedCall[]): Map<number | undefined, ResolvedCall[]> {
  const out = new Map<number | undefined, ResolvedCall[]>();
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    let list = out.get(c.functionId);
    if (!list) out.set(c.functionId, (list = []));
    list.push(c);
  }
  return out;
}
