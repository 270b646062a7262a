/**
 * Java fixes that give work a bound or a place to run, both suggestions:
 * - a blocking call in a `CompletableFuture.supplyAsync`/`runAsync` task (or a `*Async` stage) with no
 *   executor, on the common `ForkJoinPool`: pass an executor the class or method already has
 *   (`supplyAsync(f)` → `supplyAsync(f, ioExecutor)`), one fix per executor in scope;
 * - a Reactor `flatMap`/`flatMapSequential` fan-out with no concurrency argument: `flatMap(f, 8)`,
 *   with 8 named as a placeholder for N.
 */
import type { Fix, RefusedFix } from '../../engine/finding';
import type { FanOutSite } from '../../engine/model';
import type { JFn, JavaState } from './builder';
import { field, type JavaNode } from './syntax';

/** Types a task can be handed to; a `ForkJoinPool` is left out (`commonPool()` is what the fix moves off). */
const EXECUTOR_TYPE = /(?:^|\.)(?:Executor|ExecutorService|ScheduledExecutorService|ThreadPoolExecutor|ThreadPoolTaskExecutor|TaskExecutor|AsyncTaskExecutor|SimpleAsyncTaskExecutor)$/;
const ASYNC_TASKS = /^(?:supplyAsync|runAsync|then\w*Async|handleAsync|whenCompleteAsync|exceptionally\w*Async|applyToEitherAsync|acceptEitherAsync|runAfter\w*Async)$/;

/** The call a lambda is an argument of, and its name. */
function callOf(state: JavaState, fn: JFn): { call: JavaNode; name: string } | undefined {
  const list = fn.node.parent;
  const call = list?.type === 'argument_list' ? list.parent : undefined;
  const name = call?.type === 'method_invocation' ? field(call, 'name') : undefined;
  return call && name ? { call, name: state.text.slice(name.start, name.end) } : undefined;
}

/** Executors visible where `fn` is written: parameters and locals of its enclosing functions, then its class's fields. */
function executorsInScope(state: JavaState, fn: JFn, before: number): string[] {
  const out: string[] = [];
  const add = (name: string, type: string): void => {
    if (EXECUTOR_TYPE.test(type) && !out.includes(name)) out.push(name);
  };
  for (let f = fn.parent; f; f = f.parent) {
    for (const [name, type] of f.vars) {
      // A local declared after the task is not in scope.
      const at = state.text.indexOf(name, f.node.start);
      if (at >= 0 && at < before) add(name, type);
    }
  }
  for (let c = fn.cls; c; c = c.outer) for (const [name, type] of c.fields) add(name, type);
  return out;
}

/** `supplyAsync(f)` → `supplyAsync(f, executor)` for a blocking call in a task on the common pool. */
export function executorFixes(state: JavaState, ctxFn: JFn): { fixes: Fix[]; refused: RefusedFix[] } {
  const title = 'Run the task on an executor meant for blocking work';
  const owner = ctxFn.kind === 'lambda' || ctxFn.kind === 'reference' ? callOf(state, ctxFn) : undefined;
  if (!owner || !ASYNC_TASKS.test(owner.name)) return { fixes: [], refused: [] };
  const args = field(owner.call, 'arguments');
  if (!args) return { fixes: [], refused: [] };
  const names = executorsInScope(state, ctxFn, owner.call.start);
  if (names.length === 0) {
    return { fixes: [], refused: [{ title, reason: `no \`Executor\` is in scope: inject one meant for blocking work and pass it as \`${owner.name}\`'s last argument` }] };
  }
  const close = args.end - 1;
  const fixes = names.map((name): Fix => ({
    title: `Run the task on \`${name}\` (\`${owner.name}(…, ${name})\`) instead of the common \`ForkJoinPool\``,
    safety: 'suggestion',
    edits: [{ span: { start: close, end: close }, newText: `, ${name}` }],
  }));
  return { fixes, refused: [] };
}

/** `flatMap(f)` → `flatMap(f, 8)` for a Reactor fan-out over input. */
export function concurrencyFix(state: JavaState, site: FanOutSite): Fix | RefusedFix {
  const title = `Limit \`${site.spawner}\` to 8 at a time (\`${site.spawner}(f, 8)\`; 8 is a placeholder for N)`;
  if (site.spawner !== 'flatMap' && site.spawner !== 'flatMapSequential') {
    return { title: 'Bound the fan-out', reason: `\`${site.spawner}\` over a list of publishers is rewritten by hand: \`Flux.fromIterable(items).flatMap(f, N)\`` };
  }
  const node = [...state.callOfNode.keys()].find((n) => n.type === 'method_invocation' && n.start === site.span.start && n.end === site.span.end);
  const args = node ? field(node, 'arguments') : undefined;
  if (!args) return { title, reason: 'the call was not found' };
  const close = args.end - 1;
  return { title, safety: 'suggestion', edits: [{ span: { start: close, end: close }, newText: ', 8' }] };
}
