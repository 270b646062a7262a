/**
 * Java's unbounded queues and buffers, as `ChannelSite`s: a `LinkedBlockingQueue`/`Deque` made
 * without a capacity, the `Executors` factories whose work queue (or thread count) has no bound,
 * and Reactor's unbounded buffers: `onBackpressureBuffer()` with no size, a unicast sink's default
 * queue, `Sinks.many().replay().all()`, and `Flux.create`/`Flux.push` with the `BUFFER` overflow
 * strategy (their default). A multicast sink's `onBackpressureBuffer()` is bounded (256 by default)
 * and `replay().limit(N)` keeps N. The catalog's channel entries hold the messages.
 */
import type { ChannelSite } from '../../engine/model';
import type { JavaState } from './builder';
import { field, type JavaNode } from './syntax';
import { JAVA_CHANNELS } from './catalog';

const UNBOUNDED_QUEUE_ARG = /^(?:Queues\s*\.\s*(?:<[^>]*>\s*)?unbounded(?:Multiproducer)?\s*\([^)]*\)\s*\.\s*get\s*\(\s*\)|new\s+(?:LinkedBlockingQueue|ConcurrentLinkedQueue|LinkedTransferQueue|ArrayDeque|LinkedList)\s*<[^>]*>\s*\(\s*\))$/;

/** The Reactor chain a call sits at the end of, as text without whitespace (`Sinks.many().unicast()`). */
function receiverText(state: JavaState, call: JavaNode): string {
  const obj = field(call, 'object');
  return obj ? state.text.slice(obj.start, obj.end).replace(/\s+/g, '') : '';
}

function argTexts(state: JavaState, call: JavaNode): string[] {
  return (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type)).map((c) => state.text.slice(c.start, c.end).trim());
}

/** The unbounded queues and buffers the file creates. */
export function findJavaChannels(state: JavaState): ChannelSite[] {
  const out: ChannelSite[] = [];
  const reactor = state.types.importsUnder('reactor.');
  for (const call of state.calls) {
    const node = state.nodeOfCall.get(call.id);
    if (!node) continue;
    const args = argTexts(state, node);
    let constructor: string | undefined;
    let text = call.written ?? call.calleeText;
    if (node.type === 'object_creation_expression') {
      if (args.length === 0 && (call.callee === JAVA_CHANNELS.linkedQueue || call.callee === JAVA_CHANNELS.linkedDeque)) constructor = call.callee;
    } else if (call.callee === JAVA_CHANNELS.fixedPool || call.callee === JAVA_CHANNELS.singleThread || call.callee === JAVA_CHANNELS.cachedPool) {
      constructor = call.callee;
    } else if ((call.callee === JAVA_CHANNELS.create || call.callee === JAVA_CHANNELS.push) && args.length >= 1) {
      // The overflow strategy is the second argument; without one it is `BUFFER`.
      if (args.length === 1 || /(?:^|\.)BUFFER$/.test(args[1]!)) {
        constructor = call.callee;
        text = `${call.calleeText}(…${args.length === 1 ? '' : `, ${args[1]!.replace(/\s+/g, '')}`})`;
      }
    } else if (reactor && call.member === 'onBackpressureBuffer') {
      const recv = receiverText(state, node);
      if (/\.multicast\(\)$/.test(recv)) continue;
      if (/\.unicast\(\)$/.test(recv)) {
        if (args.length === 0 || UNBOUNDED_QUEUE_ARG.test(args[0]!)) {
          constructor = JAVA_CHANNELS.unicastSink;
          text = `${recv}.onBackpressureBuffer(${args.length === 0 ? '' : '…'})`;
        }
      } else if (args.length === 0) {
        constructor = JAVA_CHANNELS.bufferOperator;
        text = 'onBackpressureBuffer()';
      }
    } else if (reactor && call.member === 'all' && /\.replay\(\)$/.test(receiverText(state, node))) {
      constructor = JAVA_CHANNELS.replayAll;
      text = `${receiverText(state, node)}.all(${args.length === 0 ? '' : '…'})`;
    }
    if (constructor === undefined) continue;
    // Reported where the expression starts (the first line of a chain that spans lines), as every finding is.
    out.push({
      id: out.length, span: { start: node.start, end: node.end }, constructor, text, bounded: false, reason: 'no-capacity',
      ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
    });
  }
  return out;
}
