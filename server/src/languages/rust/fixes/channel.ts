/**
 * Fix for `unbounded-channel`: the bounded twin with a capacity to choose (1024). Where the
 * bounded sender's `send` differs (tokio's is async), the sends in the same function are changed
 * too; when a send cannot be changed safely, the fix is refused with the reason.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { spanContains } from '../../../engine/model';
import { callNode, fnOf, lineOf, rustTree } from './util';

const CAPACITY = '1024';

/** Bounded twin of each constructor: the name that replaces the last path segment, and the full path for a bare call. */
const TWINS: Record<string, { name: string; full: string; sends: 'await' | 'sync' | 'async-already' }> = {
  'tokio::sync::mpsc::unbounded_channel': { name: 'channel', full: 'tokio::sync::mpsc::channel', sends: 'await' },
  'std::sync::mpsc::channel': { name: 'sync_channel', full: 'std::sync::mpsc::sync_channel', sends: 'sync' },
  'crossbeam_channel::unbounded': { name: 'bounded', full: 'crossbeam_channel::bounded', sends: 'sync' },
  'flume::unbounded': { name: 'bounded', full: 'flume::bounded', sends: 'sync' },
  'async_channel::unbounded': { name: 'bounded', full: 'async_channel::bounded', sends: 'async-already' },
};

const TYPE_CHANGES: Record<string, RegExp> = {
  'tokio::sync::mpsc::unbounded_channel': /\bUnbounded(Sender|Receiver)\w*/,
  'std::sync::mpsc::channel': /\bmpsc::Sender\b|\bSender</,
};

/** Fixes for an `unbounded-channel` finding: the bounded twin, with the sends it changes. */
export function channelFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = rustTree(parsed);
  const ch = finding.data?.channelId === undefined ? undefined : parsed.model.channels[finding.data.channelId];
  const title = 'Bound the channel';
  if (!tree || !ch) return { fixes: [], refused: [] };
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });
  const twin = TWINS[ch.constructor];
  if (!twin) return refuse(`\`${ch.text}\` has a bounded twin with a different sending API: switch to it by hand`);
  const text = parsed.text;
  const call = parsed.model.calls.find((c) => c.span.start === ch.span.start && c.span.end === ch.span.end);
  const node = call && callNode(tree, call.id);
  if (!call || !node) return { fixes: [], refused: [] };
  const typePattern = TYPE_CHANGES[ch.constructor];
  if (typePattern?.test(text)) return refuse(`the file names the unbounded sender or receiver type: a bounded channel's types differ, so change them together by hand`);
  const calleeSrc = text.slice(call.calleeSpan.start, call.calleeSpan.end);
  const lastSeg = /(\w+)(\s*::\s*<[^]*>)?\s*$/.exec(calleeSrc)!;
  const qualified = calleeSrc.slice(0, lastSeg.index).includes('::');
  const newCallee = qualified ? calleeSrc.slice(0, lastSeg.index) + twin.name + (lastSeg[2] ?? '') : twin.full + (lastSeg[2] ?? '');
  const edits: TextEdit[] = [{ span: call.calleeSpan, newText: newCallee }, { span: call.argsSpan, newText: `(${CAPACITY})` }];
  // The sender: `let (tx, rx) = …;`. Its `send` calls in the same function change with the channel.
  const letNode = node.parent?.type === 'let_declaration' ? node.parent : undefined;
  const pattern = letNode?.children.find((c) => c.type === 'tuple_pattern');
  const first = pattern?.children[0];
  const sender = first?.type === 'identifier' ? text.slice(first.start, first.end) : undefined;
  const fn = fnOf(tree, node);
  if (sender !== undefined && fn && twin.sends !== 'async-already') {
    const sends = parsed.model.calls.filter((c) => c.calleeText === `${sender}.send` && spanContains(fn.info.span, c.span) && c.span.start > node.end);
    for (const s of sends) {
      const owner = s.functionId === undefined ? undefined : parsed.model.functions[s.functionId];
      const inAsync = s.context !== undefined && owner?.isAsync === true;
      if (twin.sends === 'await') {
        if (s.awaited) continue;
        if (!inAsync) return refuse(`\`${sender}.send\` on line ${lineOf(text, s.span.start)} runs outside async code, where a bounded tokio sender needs \`blocking_send\`: change it by hand`);
        edits.push({ span: { start: s.span.end, end: s.span.end }, newText: '.await' });
      } else if (s.context !== undefined) {
        return refuse(`\`${sender}.send\` on line ${lineOf(text, s.span.start)} runs in async code, where a full bounded channel would block the executor thread: use an async channel such as \`tokio::sync::mpsc::channel\``);
      }
    }
  }
  return { fixes: [{ title: `Bound the channel: \`${newCallee}(${CAPACITY})\` (choose the capacity)`, safety: 'suggestion', edits }], refused: [] };
}
