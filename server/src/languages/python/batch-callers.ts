/**
 * Who hands a batch function its batch: whether every call of a sync function that queues the items
 * of a collection it is given runs in the file's synchronous code, outside any coroutine and any
 * per-event callback. mitmproxy's `ClientPlayback.start_replay(flows)` is called from its `configure`
 * option hook and its `load_file` command, which no coroutine of the file calls; an aiohttp handler
 * that calls `frontier.enqueue(urls)` runs once per request (1baea12's trap).
 */
import type { CallSite } from '../../engine/model';
import { REQUEST } from './amplifiers';
import type { BuildState } from './builder';
import type { PyFn } from './scope';

/** asyncio's protocol callbacks: synchronous, and run once per event (each read, datagram, connection). */
const PROTOCOL_CALLBACKS: ReadonlySet<string> = new Set([
  'data_received', 'datagram_received', 'eof_received', 'connection_made', 'connection_lost',
  'buffer_updated', 'error_received', 'pipe_data_received', 'pipe_connection_lost', 'process_exited',
]);

const MAX_DEPTH = 32;

/** The calls that may call `f`: those that resolve to it, and for a method, `x.name(…)` on a receiver nothing resolves. */
function callsOf(state: BuildState, f: PyFn): CallSite[] {
  return state.calls.filter((c) => c.localTarget === f.id || (f.cls !== undefined && c.localTarget === undefined && c.callee === undefined && c.member === f.name && c.calleeText.includes('.')));
}

/**
 * Whether `f` is a sync function that the file calls, and only from code that runs on
 * configuration, commands or start-up rather than per request: every call is in a sync function
 * (not nested in another function, not an asyncio protocol callback) that no coroutine or per-event
 * callback of the file reaches through same-file calls, or at module level; and no call hands it a
 * request's body or query. A function the file never calls says nothing (its callers are elsewhere).
 */
export function calledOnlyFromSyncCode(state: BuildState, f: PyFn): boolean {
  if (f.isAsync) return false;
  const calls = callsOf(state, f);
  if (calls.length === 0) return false;
  const memo = new Map<number, boolean>();
  const perEvent = (g: PyFn, depth: number): boolean => {
    const known = memo.get(g.id);
    if (known !== undefined) return known;
    // Unknown until decided: a recursive call says nothing new.
    memo.set(g.id, false);
    let result: boolean;
    if (g.isAsync || g.parent !== undefined || (g.name !== undefined && PROTOCOL_CALLBACKS.has(g.name)) || depth > MAX_DEPTH) result = true;
    else result = callsOf(state, g).some((c) => c.functionId !== undefined && perEvent(state.fns[c.functionId]!, depth + 1));
    memo.set(g.id, result);
    return result;
  };
  return calls.every((c) => {
    if (REQUEST.test(state.text.slice(c.argsSpan.start, c.argsSpan.end))) return false;
    return c.functionId === undefined || !perEvent(state.fns[c.functionId]!, 0);
  });
}
