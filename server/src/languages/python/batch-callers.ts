/**
 * Who hands a batch function its batch: whether every call of a sync function that queues the items
 * of a collection it is given is in a configuration, command or start-up hook, and no other file can
 * call it. mitmproxy's `ClientPlayback.start_replay(flows)` is itself a `@command.command` and is
 * called from its `configure` option hook and its `load_file` command: the user's actions, not
 * traffic. Anything else may run per event: an aiohttp handler that calls `frontier.enqueue(urls)`
 * (1baea12's trap), Tornado's `WebSocketHandler.on_message`, a route in another file that calls a
 * public `outbox.push_all(await request.json())`.
 */
import type { CallSite } from '../../engine/model';
import { REQUEST } from './amplifiers';
import { decoratorsOf, type BuildState } from './builder';
import { lifecycleByName } from './lifecycle';
import type { PyFn } from './scope';

/**
 * Hooks a host calls on configuration, load or start, by name: mitmproxy's addon events
 * (`load`, `configure`, `running`), Django's `AppConfig.ready`.
 */
const HOOKS: ReadonlySet<string> = new Set(['load', 'configure', 'running', 'ready']);
/**
 * The hook names that are hooks when async too (mitmproxy's proxyserver and errorcheck addons define
 * `async def running(self)`). An `async def load(self, key)` or `async def ready(self)` is an ordinary
 * per-call method far more often than a host's hook.
 */
const ASYNC_HOOKS: ReadonlySet<string> = new Set(['running']);
/** A command the user runs (mitmproxy's `@command.command("replay.client")`, a click/typer command). */
const COMMAND = /^@\s*(?:[\w.]+\.)?command\s*(?:\(|$)/;

/** The calls that may call `f`: those that resolve to it, and for a method, `x.name(…)` on a receiver nothing resolves. */
function callsOf(state: BuildState, f: PyFn): CallSite[] {
  return state.calls.filter((c) => c.localTarget === f.id || (f.cls !== undefined && c.localTarget === undefined && c.callee === undefined && c.member === f.name && c.calleeText.includes('.')));
}

/** A user command: decorated as one. */
function isCommand(state: BuildState, g: PyFn): boolean {
  return decoratorsOf(state.text, g.node).some((d) => COMMAND.test(d));
}

/**
 * A top-level function or method that runs on configuration, a command or start-up: a command or a
 * start-up function sync or async (aiohttp's `async def on_startup(app)`), a hook name sync, or async
 * where that name is an async hook (mitmproxy's `async def running(self)`).
 */
function isHook(state: BuildState, g: PyFn): boolean {
  if (g.parent !== undefined || g.name === undefined) return false;
  if (isCommand(state, g) || lifecycleByName(state, g)?.when === 'startup') return true;
  return HOOKS.has(g.name) && (!g.isAsync || ASYNC_HOOKS.has(g.name));
}

/**
 * Whether the call runs once per configuration, command or start-up, not per event: it is written in
 * such a hook (mitmproxy's `KeepServing.running` starts its watcher there) and not in a loop. A task
 * a request handler starts, or a function any code may call (a cache's `set`), starts once per call.
 */
export function inHookOnce(state: BuildState, c: CallSite): boolean {
  return !c.inLoop && c.functionId !== undefined && isHook(state, state.fns[c.functionId]!);
}

/**
 * Whether `f` is a sync batch function that only configuration, command and start-up hooks call:
 * every call in the file is in such a hook (a `configure`, `load` or `running` event, a
 * `@command.command` method, a `startup` method) and hands it no request's body or query; and no
 * other file can call it, as far as the file shows: it is private (`_name`) or itself a command.
 * A public function may be called from another module's request handler, which the file does not
 * show (a route calling `outbox.push_all(await request.json())`); a function the file never calls
 * says nothing.
 */
export function calledOnlyFromHooks(state: BuildState, f: PyFn): boolean {
  if (f.isAsync || f.name === undefined) return false;
  if (!f.name.startsWith('_') && !isCommand(state, f)) return false;
  const calls = callsOf(state, f);
  if (calls.length === 0) return false;
  return calls.every((c) => {
    if (REQUEST.test(state.text.slice(c.argsSpan.start, c.argsSpan.end))) return false;
    return c.functionId !== undefined && isHook(state, state.fns[c.functionId]!);
  });
}
