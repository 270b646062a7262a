/**
 * Java work started and forgotten, as `SpawnSite`s: a Reactor chain `subscribe()`d with no error
 * consumer, a `CompletableFuture.runAsync`/`supplyAsync` chain whose future nobody keeps, and an
 * `ExecutorService.submit` (or a `ScheduledExecutorService.schedule*`) whose `Future` is dropped,
 * since the task's exception is kept in that future. A site is dropped when its chain is a statement,
 * or the body of a callback whose value is discarded (`doOnNext(x -> audit(x).subscribe())`).
 *
 * What excuses it (`handled`): an `onError…`/`doOnError` (or `materialize`) operator in the Reactor chain, an
 * `exceptionally`/`handle`/`whenComplete` stage on the future, a `Subscriber` object given to
 * `subscribe`, or a task body whose statements all sit in a `try` that catches `Exception`/`Throwable`
 * (directly, or in the same-file method the task calls). A kept `Disposable` or `Future` is not dropped.
 */
import type { SpawnSite } from '../../engine/model';
import { enclosingFn, exprType, type JavaState } from './builder';
import { compact, field, quoteCall, type JavaNode } from './syntax';
import { PUBLISHER_TYPES } from './types';

const CF = 'java.util.concurrent.CompletableFuture';

/**
 * Reactor operators that handle (or at least report) an error signal before it reaches `subscribe`;
 * `materialize` turns it into an `onNext` of a `Signal`, which the chain then handles as a value.
 */
const REACTOR_HANDLERS = new Set(['onErrorResume', 'onErrorReturn', 'onErrorContinue', 'onErrorComplete', 'onErrorMap', 'doOnError', 'onErrorStop', 'materialize']);
/** `CompletableFuture` stages that see the failure. */
const FUTURE_HANDLERS = new Set(['exceptionally', 'exceptionallyAsync', 'exceptionallyCompose', 'exceptionallyComposeAsync', 'handle', 'handleAsync', 'whenComplete', 'whenCompleteAsync']);
/** Calls whose callback's value is discarded (a `Consumer`/`Runnable`), so a chain as its expression body is dropped. */
const VOID_CALLBACKS = new Set([
  'doOnNext', 'doOnSuccess', 'doOnEach', 'doOnComplete', 'doOnTerminate', 'doAfterTerminate', 'doFinally', 'doOnSubscribe', 'doOnCancel', 'forEach',
  'ifPresent', 'ifPresentOrElse', 'thenAccept', 'thenRun', 'whenComplete', 'execute', 'runAsync', 'subscribe', 'accept', 'onSuccess',
  // Spring's `ObjectProvider` hands the bean to a `Consumer`.
  'ifAvailable', 'ifUnique',
]);
const SUBMITS = new Set(['submit']);
const SCHEDULES = new Set(['schedule', 'scheduleAtFixedRate', 'scheduleWithFixedDelay']);
/** Executors whose `submit` returns a `Future` holding the task's exception. */
const EXECUTOR_TYPE = /(?:^|\.)(?:ExecutorService|ThreadPoolExecutor|ScheduledExecutorService|ScheduledThreadPoolExecutor|ForkJoinPool|ThreadPoolTaskExecutor|AsyncTaskExecutor|AsyncListenableTaskExecutor)$/;
const SCHEDULED_TYPE = /(?:^|\.)(?:ScheduledExecutorService|ScheduledThreadPoolExecutor)$/;
const EXECUTOR_NAME = /executor|pool|workers?$/i;
const CATCH_ALL = /^catch\s*\(\s*(?:final\s+)?(?:[\w.]+\s*\|\s*)*(?:java\.lang\.)?(?:Exception|Throwable|RuntimeException)\b/;

const SUBSCRIBE_DETAIL =
  'the subscription has no error consumer and the chain no `onError…`/`doOnError` operator, so a failure is only logged by Reactor ("Operator called default onErrorDropped") with no request to tie it to, and nothing disposes the subscription when the caller is cancelled or the application stops; ' +
  'return the publisher to the caller (compose it with `then(…)`/`flatMap`), or pass an error consumer (`subscribe(v -> {}, e -> log.warn(…))`) and keep the `Disposable` to dispose it';
const FUTURE_DETAIL =
  'nobody keeps the `CompletableFuture`, so an exception in the task completes it exceptionally and is never logged or seen, and nothing waits for the task at shutdown; ' +
  'return the future to the caller, or handle the failure on it (`.exceptionally(e -> { log.warn(…); return null; })` or `.whenComplete(…)`)';
const SUBMIT_DETAIL =
  '`submit` keeps an exception thrown by the task in the `Future` it returns, and the `Future` is dropped: the failure is never logged or seen; ' +
  'use `execute` (an exception then reaches the thread\'s uncaught-exception handler), catch and log inside the task, or keep the `Future` and check it';
const PERIODIC_DETAIL =
  'if one run throws, every later run is cancelled silently: the exception is kept in the `ScheduledFuture`, which is dropped; catch and log inside the task (a `try`/`catch (Exception e)` around its body), or keep the future and check it';
const SCHEDULE_DETAIL =
  'the task\'s exception is kept in the `ScheduledFuture` it returns, which is dropped: the failure is never logged or seen; catch and log inside the task, or keep the future and check it';

function chainOf(top: JavaNode): JavaNode[] {
  const out: JavaNode[] = [];
  for (let n: JavaNode | undefined = top; n?.type === 'method_invocation'; n = field(n, 'object')) out.push(n);
  return out.reverse();
}

/** The top of the chain `node` is part of (`a.b().c()` for `a.b()`), following calls whose receiver it is. */
function chainTop(node: JavaNode): JavaNode {
  let n = node;
  while (n.parent?.type === 'method_invocation' && n.field === 'object') n = n.parent;
  return n;
}

function nameOf(state: JavaState, call: JavaNode): string {
  const n = field(call, 'name');
  return n ? state.text.slice(n.start, n.end) : '';
}

function args(call: JavaNode): JavaNode[] {
  return (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type));
}

/** Whether the value of `top` is thrown away: a statement, or the body of a callback whose value is discarded. */
function discarded(state: JavaState, top: JavaNode): boolean {
  let up = top.parent;
  while (up?.type === 'parenthesized_expression') up = up.parent;
  if (up?.type === 'expression_statement') return true;
  if (up?.type !== 'lambda_expression') return false;
  const list = up.parent;
  const call = list?.type === 'argument_list' ? list.parent : undefined;
  return call?.type === 'method_invocation' && VOID_CALLBACKS.has(nameOf(state, call));
}

/** Whether a task body handles its own failures: every statement sits in a `try` that catches `Exception` or `Throwable`. */
function catchesAll(state: JavaState, body: JavaNode | undefined, depth = 0): boolean {
  if (!body || depth > 3) return false;
  if (body.type === 'block') {
    const stmts = body.children.filter((c) => !/comment$/.test(c.type));
    if (stmts.length === 0) return false;
    const last = stmts[stmts.length - 1]!;
    // Declarations before the `try` (a logger context, a copy of the input) cannot throw anything that matters.
    const before = stmts.slice(0, -1).every((s) => s.type === 'local_variable_declaration' && !s.children.some((c) => /method_invocation|object_creation/.test(c.type)));
    if (!before) return false;
    if (last.type === 'try_statement' || last.type === 'try_with_resources_statement') {
      return last.children.some((c) => c.type === 'catch_clause' && CATCH_ALL.test(state.text.slice(c.start, c.end)));
    }
    if (stmts.length === 1 && last.type === 'expression_statement') return catchesAll(state, last.children[0], depth + 1);
    return false;
  }
  // `() -> sendWelcome(user)`, `this::refresh`: a same-file method that catches everything itself.
  if (body.type === 'method_invocation' && (!field(body, 'object') || field(body, 'object')!.type === 'this')) {
    const id = state.callOfNode.get(body);
    const target = id === undefined ? undefined : state.calls[id]?.localTarget;
    return target !== undefined && catchesAll(state, field(state.fns[target]!.node, 'body'), depth + 1);
  }
  return false;
}

/** Whether the task argument of a submit or `runAsync` (a lambda or a method reference) handles its own failures. */
function taskHandles(state: JavaState, task: JavaNode | undefined): boolean {
  if (!task) return false;
  if (task.type === 'lambda_expression') return catchesAll(state, field(task, 'body'));
  if (task.type === 'method_reference') {
    const obj = task.children[0];
    const name = task.children[task.children.length - 1];
    if (!obj || !name || obj === name || (obj.type !== 'this' && obj.type !== 'identifier')) return false;
    const fn = state.fnOfNode.get(task);
    const cls = fn?.cls;
    const ids = cls?.methods.get(state.text.slice(name.start, name.end)) ?? [];
    return ids.length > 0 && ids.every((id) => catchesAll(state, field(state.fns[id]!.node, 'body')));
  }
  return false;
}

/**
 * `dispose() { disposeLater().subscribe(); }`, `close() { closeAsync(t).subscribe(); }`: the non-blocking
 * half of a pair whose other half, a method of the same object, returns the publisher for a caller who
 * wants the outcome (Reactor's `Disposable` contract, as Reactor Netty writes it).
 */
function disposalTwin(state: JavaState, fn: ReturnType<typeof enclosingFn>, publisher: JavaNode): boolean {
  if (fn?.kind !== 'method' || fn.name === undefined || !/^(?:dispose|close|shutdown|stop|destroy)$/.test(fn.name)) return false;
  if (publisher.type !== 'method_invocation') return false;
  const recv = field(publisher, 'object');
  if (recv && recv.type !== 'this') return false;
  return new RegExp(`^${fn.name}(?:Later|Async|Gracefully)$`).test(nameOf(state, publisher));
}

/** The work the file starts and forgets. */
export function findJavaSpawns(state: JavaState): SpawnSite[] {
  const out: SpawnSite[] = [];
  const reactor = state.types.importsUnder('reactor.');
  const rx = state.types.importsUnder('io.reactivex') || state.types.importsUnder('rx.');
  for (const call of state.calls) {
    const node = state.nodeOfCall.get(call.id);
    if (!node || node.type !== 'method_invocation') continue;
    const push = (spawner: string, detail: string, handled: boolean): void => {
      out.push({
        id: out.length, span: { start: node.start, end: node.end }, spawner, handle: 'dropped', inLoop: call.inLoop, callId: call.id, detail,
        ...(handled ? { excuse: 'handled' as const } : {}),
        ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
      });
    };
    const fn = enclosingFn(state, node);
    const obj = field(node, 'object');
    const a = args(node);
    // A file that imports no Reactor type may still start a publisher another file made
    // (`outbox.publishPending().subscribe()`): a bare `subscribe()` on a call's result is that, unless the file is RxJava's.
    const bare = !reactor && !rx && a.length === 0 && obj?.type === 'method_invocation';
    if ((reactor || bare) && call.member === 'subscribe' && obj && a.length <= 1 && chainTop(node) === node && discarded(state, node)) {
      const recvType = exprType(state, obj, fn);
      const publisher = recvType !== undefined ? PUBLISHER_TYPES.has(recvType) : obj.type === 'method_invocation';
      if (!publisher) continue;
      // A single argument that is a lambda or method reference is an `onNext` consumer; anything else is a `Subscriber`.
      const subscriber = a.length === 1 && a[0]!.type !== 'lambda_expression' && a[0]!.type !== 'method_reference';
      if (disposalTwin(state, fn, obj)) continue;
      const names = chainOf(obj).map((c) => nameOf(state, c));
      push(quoteCall(state.text, node), SUBSCRIBE_DETAIL, subscriber || names.some((n) => REACTOR_HANDLERS.has(n)));
      continue;
    }
    if ((call.callee === `${CF}.runAsync` || call.callee === `${CF}.supplyAsync`) && (!obj || compact(state.text, obj).endsWith('CompletableFuture'))) {
      const top = chainTop(node);
      if (!discarded(state, top)) continue;
      const names = chainOf(top).map((c) => nameOf(state, c));
      // A chain that ends in `join()`/`get()` waits for it (blocking-in-async's concern, not a lost task).
      if (names.some((n) => n === 'join' || n === 'get')) continue;
      push(`CompletableFuture.${call.member}`, FUTURE_DETAIL, names.some((n) => FUTURE_HANDLERS.has(n)) || taskHandles(state, a[0]));
      continue;
    }
    if ((SUBMITS.has(call.member) || SCHEDULES.has(call.member)) && obj && chainTop(node) === node && discarded(state, node) && a.length >= 1) {
      const t = exprType(state, obj, fn);
      const recv = compact(state.text, obj);
      const executor = t !== undefined ? EXECUTOR_TYPE.test(t) : EXECUTOR_NAME.test(recv);
      if (!executor) continue;
      const scheduled = SCHEDULES.has(call.member);
      // Spring's `TaskScheduler` logs a failing run itself; only the JDK's scheduled executors keep the exception.
      if (scheduled && !(t !== undefined ? SCHEDULED_TYPE.test(t) : /^Executors\./.test(recv))) continue;
      const detail = !scheduled ? SUBMIT_DETAIL : call.member === 'schedule' ? SCHEDULE_DETAIL : PERIODIC_DETAIL;
      push(`${recv.length <= 40 ? recv : '…'}.${call.member}`, detail, taskHandles(state, a[0]));
    }
  }
  return out;
}
