/**
 * Which Java callbacks run on a shared non-blocking thread: Reactor operator callbacks (unless the
 * chain moved them to a scheduler meant for blocking work), WebFlux handlers, `CompletableFuture`
 * stages without an executor, Vert.x handlers and Netty channel callbacks; and which are offloaded
 * (an executor, a `Thread`, `executeBlocking`, `fromCallable(…).subscribeOn(boundedElastic())`).
 */
import type { ContextKind, Span } from '../../engine/model';
import { enclosingFn, exprType, namedOwner, type JFn, type JavaState } from './builder';
import { compact, field, type JavaNode } from './syntax';
import { FLUX, MONO, PUBLISHER_TYPES } from './types';

/** How a lambda or method reference handed to a call runs. */
export type CallbackRole =
  | { readonly kind: 'context'; readonly contextKind: ContextKind; readonly name: string; readonly nameSpan: Span; readonly reason: string; readonly runsOn?: string; readonly advice?: string; readonly returnsPublisher?: boolean }
  | { readonly kind: 'offloaded' }
  /** Runs on whichever thread subscribes, and that thread is not a non-blocking one here. */
  | { readonly kind: 'outside' };

/** What a method context is, before spans are attached. */
export interface MethodContext {
  readonly kind: ContextKind;
  readonly name: string;
  readonly reason: string;
  readonly runsOn?: string;
  readonly advice?: string;
}

/** Operators whose presence says a chain is a Reactor pipeline (names `Stream` and `Optional` do not have). */
const EVIDENCE = new Set([
  'flatMapMany', 'flatMapIterable', 'flatMapSequential', 'concatMap', 'switchMap', 'doOnNext', 'doOnSuccess', 'doOnError', 'doOnSubscribe', 'doOnTerminate',
  'doOnEach', 'doOnRequest', 'doOnCancel', 'doOnDiscard', 'doFinally', 'doAfterTerminate', 'doFirst', 'subscribeOn', 'publishOn', 'switchIfEmpty',
  'defaultIfEmpty', 'onErrorResume', 'onErrorReturn', 'onErrorMap', 'onErrorContinue', 'onErrorComplete', 'thenReturn', 'thenMany', 'thenEmpty', 'then',
  'zipWith', 'zipWhen', 'collectList', 'collectMap', 'collectMultimap', 'retryWhen', 'repeatWhen', 'delayElement', 'delayElements', 'delayUntil',
  'filterWhen', 'bodyToMono', 'bodyToFlux', 'retrieve', 'exchangeToMono', 'exchangeToFlux', 'contextWrite', 'transformDeferred', 'hasElement',
  'hasElements', 'expandDeep', 'mergeWith', 'concatWith', 'switchOnFirst', 'block', 'blockOptional', 'blockFirst', 'blockLast', 'toFuture',
  'limitRate', 'onBackpressureBuffer', 'onBackpressureDrop', 'onBackpressureLatest', 'subscribe', 'flux', 'asFlux', 'asMono',
]);

/** Reactor operators that take a per-signal callback and that `Stream`/`Optional` share (`map`, `filter`), and the evidence ones. */
const OPERATORS = new Set([
  ...EVIDENCE, 'map', 'flatMap', 'filter', 'handle', 'reduce', 'scan', 'any', 'all', 'takeWhile', 'skipWhile', 'takeUntil', 'distinct', 'groupBy',
  'zipWith', 'doOnComplete', 'onErrorResume', 'transform', 'as', 'expand', 'collect', 'sort', 'index', 'timeout', 'cast', 'ofType',
]);

/** Calls after which the chain is no longer a publisher (a `Stream`, an `Optional`, a value). */
const BREAKERS = new Set([
  'stream', 'parallelStream', 'toStream', 'toIterable', 'iterator', 'block', 'blockOptional', 'blockFirst', 'blockLast', 'toFuture', 'get', 'join',
  'orElse', 'orElseGet', 'orElseThrow', 'entrySet', 'values', 'keySet', 'toList', 'getBody', 'subscribe',
]);

/** Reactor sources that emit on the subscribing thread. */
const SYNC_SOURCES = new Set([
  'fromCallable', 'fromSupplier', 'fromRunnable', 'just', 'justOrEmpty', 'fromIterable', 'fromArray', 'fromStream', 'range', 'generate', 'defer', 'empty', 'error',
  // Their callback runs when subscribed: `subscribeOn` decides its thread.
  'create', 'push', 'using',
]);

/** Operators whose callback returns a publisher. */
const PUBLISHER_RETURNING = new Set([
  'flatMap', 'flatMapMany', 'flatMapSequential', 'concatMap', 'switchMap', 'filterWhen', 'delayUntil', 'zipWhen', 'onErrorResume', 'defer', 'using',
  'usingWhen', 'then', 'expand', 'expandDeep', 'switchOnFirst', 'transform', 'transformDeferred', 'as', 'retryWhen', 'repeatWhen',
]);

/** `CompletableFuture` stages that run on the common pool without an executor, by their callback count. */
const ASYNC_STAGES = new Map([
  ['thenApplyAsync', 1], ['thenAcceptAsync', 1], ['thenRunAsync', 1], ['thenComposeAsync', 1], ['whenCompleteAsync', 1], ['handleAsync', 1],
  ['exceptionallyAsync', 1], ['exceptionallyComposeAsync', 1], ['thenCombineAsync', 2], ['thenAcceptBothAsync', 2], ['runAfterBothAsync', 2],
  ['applyToEitherAsync', 2], ['acceptEitherAsync', 2], ['runAfterEitherAsync', 2],
]);

const EXECUTOR_METHODS = new Set(['submit', 'execute', 'schedule', 'scheduleAtFixedRate', 'scheduleWithFixedDelay', 'invokeAll', 'invokeAny']);
const EXECUTOR_TYPES = /(?:^|\.)(?:Executor|ExecutorService|ScheduledExecutorService|ThreadPoolExecutor|ThreadPoolTaskExecutor|TaskExecutor|AsyncTaskExecutor|ForkJoinPool|Scheduler|Worker)$/;
const EXECUTOR_NAME = /executor|pool|scheduler|elastic|worker/i;
const VERTX_HANDLERS = new Set(['handler', 'requestHandler', 'webSocketHandler', 'connectHandler', 'bodyHandler', 'consumer', 'setTimer', 'setPeriodic', 'onSuccess', 'onComplete', 'onFailure']);
const ROUTES = new Set(['route', 'andRoute', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
const NETTY_CALLBACKS = new Set(['channelRead', 'channelRead0', 'channelActive', 'channelInactive', 'userEventTriggered', 'channelReadComplete', 'channelWritabilityChanged', 'messageReceived']);

const CF = 'java.util.concurrent.CompletableFuture';
const poolAdvice = (name: string): string => `give it an executor meant for blocking work: \`${name}(…, executor)\``;
const VERTX_ADVICE = 'run it with `vertx.executeBlocking(…)`, or use a Vert.x async client';
const NETTY_ADVICE = 'run it on a separate `EventExecutorGroup` (`pipeline.addLast(group, handler)`) or an executor, and write the reply from there';
const EXCHANGE_ADVICE = 'the method returns a plain value, so it cannot wait for a result: do the work before requests come (once at startup, or refreshed on a schedule), or move it into the reactive chain that calls the method (`Mono.fromCallable(() -> …).subscribeOn(Schedulers.boundedElastic())`)';
const REACTOR_REASON = (op: string): string => `a callback of Reactor's \`${op}\`: it runs on the thread that delivers the signal (a Netty event loop, or a \`parallel\` worker)`;

/** True when a scheduler argument is meant for blocking work (`boundedElastic()`, a project-defined or injected scheduler). */
export function blockingScheduler(argText: string): boolean {
  const t = argText.replace(/\s+/g, '');
  if (t === '') return false;
  return !/(?:^|\.)(?:parallel|single|immediate|newParallel)\(/.test(t);
}

/** The lambdas and method references written directly as arguments of a call. */
function callbackArgs(call: JavaNode): JavaNode[] {
  const args = field(call, 'arguments');
  return (args?.children ?? []).filter((c) => c.type === 'lambda_expression' || c.type === 'method_reference');
}

function nameOf(state: JavaState, call: JavaNode): string {
  const n = field(call, 'name');
  return n ? state.text.slice(n.start, n.end) : '';
}

function argsText(state: JavaState, call: JavaNode): string {
  const a = field(call, 'arguments');
  return a ? state.text.slice(a.start + 1, a.end - 1) : '';
}

/** Whether `fn`'s body runs on a non-blocking thread (a method context, or a callback classified as one, or inline in one). */
function runsInContext(state: JavaState, fn: JFn | undefined, depth = 0): boolean {
  if (!fn || depth > 64) return false;
  if (fn.kind === 'method') return methodContext(state, fn) !== undefined;
  if (fn.kind === 'constructor') return false;
  const role = state.callbacks.get(fn.id);
  if (role?.kind === 'context') return true;
  if (role) return false;
  return runsInContext(state, fn.parent, depth + 1);
}

/** Whether the value of `node` is returned as a publisher (from a `Mono` method, a `flatMap` callback, a route handler). */
function flowsIntoPublisher(state: JavaState, node: JavaNode): boolean {
  let up = node.parent;
  while (up?.type === 'parenthesized_expression') up = up.parent;
  if (!up) return false;
  let fn: JFn | undefined;
  if (up.type === 'return_statement') fn = enclosingFn(state, up);
  else if (up.type === 'lambda_expression') fn = state.fnOfNode.get(up);
  else if (up.type === 'variable_declarator') {
    const decl = up.parent;
    const t = decl ? field(decl, 'type') : undefined;
    const resolved = t ? state.types.resolveType(state.text.slice(t.start, t.end)) : undefined;
    return resolved !== undefined && PUBLISHER_TYPES.has(resolved);
  }
  if (!fn) return false;
  if (fn.kind === 'method') return fn.returns !== undefined && PUBLISHER_TYPES.has(fn.returns);
  const role = state.callbacks.get(fn.id);
  return role?.kind === 'context' && role.returnsPublisher === true;
}

/** The invocations of a chain from its root (`repo.find(id)`) to `top`, following `object`. */
function chainOf(top: JavaNode): JavaNode[] {
  const out: JavaNode[] = [];
  for (let n: JavaNode | undefined = top; n?.type === 'method_invocation'; n = field(n, 'object')) out.push(n);
  return out.reverse();
}

function isChainTop(n: JavaNode): boolean {
  return !(n.parent?.type === 'method_invocation' && n.field === 'object');
}

/** Classifies every callback argument of the file's calls (outer chains first: inner ones ask about their enclosing callback). */
export function classifyCallbacks(state: JavaState): void {
  const { text, types } = state;
  const tops = [...state.callOfNode.keys()].filter((n) => n.type === 'method_invocation' && isChainTop(n)).sort((a, b) => a.start - b.start || b.end - a.end);
  const set = (node: JavaNode, role: CallbackRole): void => {
    const fn = state.fnOfNode.get(node);
    if (fn && !state.callbacks.has(fn.id)) state.callbacks.set(fn.id, role);
  };
  const reactorFile = types.importsUnder('reactor.') || types.importsUnder('org.springframework.web.reactive') || types.importsUnder('org.springframework.cloud.gateway');
  const vertxFile = types.importsUnder('io.vertx.');
  const routerFile = types.importsUnder('org.springframework.web.reactive.function.server');
  for (const n of state.callOfNode.keys()) {
    if (n.type === 'object_creation_expression' && /^(?:Thread|java\.lang\.Thread)$/.test(compact(text, field(n, 'type') ?? n))) {
      for (const cb of callbackArgs(n)) set(cb, { kind: 'offloaded' });
    }
  }
  for (const top of tops) {
    const chain = chainOf(top);
    const names = chain.map((c) => nameOf(state, c));
    const owner = enclosingFn(state, top);
    const ownerName = namedOwner(owner)?.name;
    const reactive = new Array<boolean>(chain.length).fill(false);
    let flag = false;
    let since = 0;
    let sync = false;
    const obj0 = field(chain[0]!, 'object');
    const rootType = obj0 ? exprType(state, obj0, owner) : undefined;
    if (reactorFile && obj0?.type === 'identifier' && (rootType === MONO || rootType === FLUX || /^(?:Mono|Flux)$/.test(text.slice(obj0.start, obj0.end)))) {
      flag = true;
      sync = SYNC_SOURCES.has(names[0]!);
    } else if (rootType !== undefined && PUBLISHER_TYPES.has(rootType)) flag = true;
    let broken = false;
    names.forEach((name, i) => {
      if (BREAKERS.has(name) && !(i === 0 && flag)) {
        if (EVIDENCE.has(name) && reactorFile) for (let j = since; j <= i; j++) reactive[j] = reactive[j] || j === i || OPERATORS.has(names[j]!);
        else reactive[i] = flag;
        flag = false;
        since = i + 1;
        broken = true;
        return;
      }
      if (EVIDENCE.has(name) && (reactorFile || name === 'subscribeOn' || name === 'publishOn')) {
        // What comes before the evidence is a publisher too, but only Reactor's own operators on it take
        // callbacks that run per signal (a builder's `filters(f -> …)` earlier in the chain is configuration).
        for (let j = since; j <= i; j++) reactive[j] = reactive[j] || j === i || OPERATORS.has(names[j]!);
        flag = true;
      } else if (flag) reactive[i] = true;
    });
    if (!broken && reactorFile && flowsIntoPublisher(state, top)) reactive.fill(true);
    // Where each callback runs: `publishOn` moves what follows it; `subscribeOn` moves a synchronous source.
    const subIdx = names.indexOf('subscribeOn');
    let offloaded = sync && subIdx >= 0 && blockingScheduler(argsText(state, chain[subIdx]!));
    let onSubscriber = sync && subIdx < 0;
    chain.forEach((call, i) => {
      const name = names[i]!;
      if (name === 'publishOn') {
        offloaded = blockingScheduler(argsText(state, call));
        onSubscriber = false;
        return;
      }
      const cbs = callbackArgs(call);
      if (cbs.length === 0) return;
      if (reactive[i]) {
        for (const cb of cbs) {
          if (offloaded) set(cb, { kind: 'offloaded' });
          else if (onSubscriber && !runsInContext(state, owner)) set(cb, { kind: 'outside' });
          else {
            const nameNode = field(call, 'name')!;
            set(cb, {
              kind: 'context', contextKind: 'handler', name: ownerName !== undefined ? `${name} of ${ownerName}` : `${name} callback`,
              nameSpan: { start: nameNode.start, end: nameNode.end }, reason: REACTOR_REASON(name), returnsPublisher: PUBLISHER_RETURNING.has(name),
            });
          }
        }
        return;
      }
      classifyOther(state, call, name, cbs, { vertxFile, routerFile });
    });
  }
  // A lambda handed to a constructor, stored in a variable or field, or returned runs later, wherever
  // whoever keeps it calls it (a task spec, a `Runnable` field): not inline in the function that wrote it.
  for (const fn of state.fns) {
    if (fn.kind !== 'lambda' && fn.kind !== 'reference') continue;
    let up = fn.node.parent;
    while (up?.type === 'parenthesized_expression' || up?.type === 'cast_expression') up = up.parent;
    const stored = up?.type === 'variable_declarator' || up?.type === 'assignment_expression' || up?.type === 'return_statement'
      || (up?.type === 'argument_list' && up.parent?.type === 'object_creation_expression');
    if (stored && !state.callbacks.has(fn.id) && !isGatewayFilter(state, fn, reactorFile)) state.callbacks.set(fn.id, { kind: 'outside' });
  }
  // Nested calls that are not chain tops (`foo(bar(x -> …))` args) were visited as tops themselves; lambdas
  // handed to constructors and gateway filters written as lambdas are left.
  for (const fn of state.fns) {
    if (fn.kind !== 'lambda' || state.callbacks.has(fn.id)) continue;
    const params = field(fn.node, 'parameters');
    if (isGatewayFilter(state, fn, reactorFile)) {
      const owner = namedOwner(fn.parent)?.name;
      state.callbacks.set(fn.id, {
        kind: 'context', contextKind: 'handler', name: owner !== undefined ? `filter of ${owner}` : 'filter callback', nameSpan: { start: fn.node.start, end: params!.end },
        reason: 'a gateway or web filter: it runs on the Netty event loop for every request', returnsPublisher: true,
      });
    }
  }
}

/** A lambda written as a gateway or web filter: `(exchange, chain) -> …`. */
function isGatewayFilter(state: JavaState, fn: JFn, reactorFile: boolean): boolean {
  const params = fn.kind === 'lambda' ? field(fn.node, 'parameters') : undefined;
  return reactorFile && params !== undefined && /^\((?:ServerWebExchange)?exchange,(?:GatewayFilterChain|WebFilterChain)?chain\)$/.test(compact(state.text, params));
}

function classifyOther(state: JavaState, call: JavaNode, name: string, cbs: JavaNode[], file: { vertxFile: boolean; routerFile: boolean }): void {
  const { text } = state;
  const site = state.calls[state.callOfNode.get(call)!]!;
  const callee = site.callee;
  const argCount = site.argCount;
  const set = (cb: JavaNode, role: CallbackRole): void => {
    const fn = state.fnOfNode.get(cb);
    if (fn && !state.callbacks.has(fn.id)) state.callbacks.set(fn.id, role);
  };
  const nameNode = field(call, 'name')!;
  const nameSpan = { start: nameNode.start, end: nameNode.end };
  if (callee === `${CF}.supplyAsync` || callee === `${CF}.runAsync`) {
    for (const cb of cbs) {
      if (argCount >= 2) set(cb, { kind: 'offloaded' });
      else set(cb, { kind: 'context', contextKind: 'spawned-task', name: `${name} callback`, nameSpan, reason: `\`CompletableFuture.${name}\` without an executor runs it on the common \`ForkJoinPool\`, shared by the whole JVM`, runsOn: 'the common `ForkJoinPool`', advice: poolAdvice(name) });
    }
    return;
  }
  const stage = ASYNC_STAGES.get(name);
  if (stage !== undefined) {
    const recv = field(call, 'object');
    const t = recv ? exprType(state, recv, enclosingFn(state, call)) : undefined;
    if (t === undefined || t === CF || t.endsWith('CompletionStage')) {
      for (const cb of cbs) {
        if (argCount > stage) set(cb, { kind: 'offloaded' });
        else set(cb, { kind: 'context', contextKind: 'spawned-task', name: `${name} callback`, nameSpan, reason: `\`${name}\` without an executor runs it on the common \`ForkJoinPool\`, shared by the whole JVM`, runsOn: 'the common `ForkJoinPool`', advice: poolAdvice(name) });
      }
      return;
    }
  }
  const recv = field(call, 'object');
  const recvText = recv ? compact(text, recv) : '';
  if (name === 'executeBlocking' || name === 'blockingHandler' || name === 'startVirtualThread' || ((name === 'start' || name === 'unstarted') && /^Thread\.of(?:Virtual|Platform)\(/.test(recvText))) {
    for (const cb of cbs) set(cb, { kind: 'offloaded' });
    return;
  }
  if (EXECUTOR_METHODS.has(name) && recv) {
    const t = exprType(state, recv, enclosingFn(state, call));
    const nonBlocking = /Schedulers\.(?:parallel|single|immediate)\(/.test(recvText);
    if (!nonBlocking && ((t !== undefined && EXECUTOR_TYPES.test(t)) || (t === undefined && EXECUTOR_NAME.test(recvText)) || /^Executors\./.test(recvText) || /Schedulers\./.test(recvText))) {
      for (const cb of cbs) set(cb, { kind: 'offloaded' });
      return;
    }
  }
  if (file.vertxFile && VERTX_HANDLERS.has(name)) {
    for (const cb of cbs) set(cb, { kind: 'context', contextKind: 'handler', name: `${site.calleeText} callback`, nameSpan, reason: 'a Vert.x handler: it runs on a Vert.x event loop', runsOn: 'a Vert.x event loop', advice: VERTX_ADVICE });
    return;
  }
  // `RouterFunctions.route(GET(…), handler)`, `route().GET("/x", handler)`, `.andRoute(…)`: not a gateway's
  // `builder.routes().route(id, r -> …)`, which only configures a route.
  const routerCall = name === 'andRoute' || (name === 'route' ? recvText === '' || /^RouterFunctions$/.test(recvText) : /(?:^|\.)route\(\)/.test(recvText) || /^RouterFunctions\.route\(/.test(recvText));
  if (file.routerFile && ROUTES.has(name) && routerCall) {
    const first = field(call, 'arguments')?.children[0];
    const path = first?.type === 'string_literal' ? `(${text.slice(first.start, first.end)})` : '';
    for (const cb of cbs) {
      set(cb, { kind: 'context', contextKind: 'handler', name: `${name}${path} handler`, nameSpan, reason: 'a WebFlux `HandlerFunction`: it runs on the Netty event loop when the request arrives', returnsPublisher: true });
    }
  }
}

/** Why a method's body runs on a non-blocking thread, if it does. */
export function methodContext(state: JavaState, f: JFn): MethodContext | undefined {
  if (f.kind !== 'method' || f.name === undefined || !field(f.node, 'body')) return undefined;
  const { types, text } = state;
  if (types.importsUnder('io.netty.') && NETTY_CALLBACKS.has(f.name)) {
    return { kind: 'handler', name: f.name, reason: 'a Netty channel handler callback: it runs on the channel\'s event loop', runsOn: 'the Netty event loop', advice: NETTY_ADVICE };
  }
  if (f.returns === undefined || !PUBLISHER_TYPES.has(f.returns)) {
    // WebFlux's exchange exists only while a request is handled, on its event loop: a header filter, a
    // route predicate's `test`, a key resolver's helper run there even when they return a plain value.
    const params = field(f.node, 'parameters');
    const ptext = params ? text.slice(params.start, params.end) : '';
    if (/\bServerWebExchange\b/.test(ptext) && (types.imports.get('ServerWebExchange') === 'org.springframework.web.server.ServerWebExchange' || types.wildcards.includes('org.springframework.web.server'))) {
      return {
        kind: 'handler', name: f.name, reason: 'it takes the `ServerWebExchange`: WebFlux calls it while handling the request, on the Netty event loop',
        runsOn: 'the Netty event loop', advice: EXCHANGE_ADVICE,
      };
    }
    return undefined;
  }
  if (/@Scheduled\b/.test(f.modifiers)) return undefined;
  const shown = f.returns.slice(f.returns.lastIndexOf('.') + 1);
  const controller = /@(?:RestController|Controller)\b/.test(f.cls?.modifiers ?? '');
  if (controller) return { kind: 'handler', name: f.name, reason: `a WebFlux handler: a method of a \`@RestController\` returning \`${shown}\`, called on the Netty event loop` };
  const params = field(f.node, 'parameters');
  const ptext = params ? text.slice(params.start, params.end) : '';
  const exchange = /\b(?:ServerWebExchange|ServerRequest)\b/.exec(ptext);
  if (exchange) return { kind: 'handler', name: f.name, reason: `a WebFlux handler: it takes the \`${exchange[0]}\` and returns a \`${shown}\`, called on the Netty event loop` };
  return { kind: 'async-function', name: f.name, reason: `it returns a \`${shown}\`: its body runs when the pipeline is assembled, on the caller's thread, a Reactor non-blocking thread in a reactive service` };
}
