/**
 * Fix for `unbounded-channel` in Python: a bound to choose (1024) where the constructor takes one
 * (`asyncio.Queue()` → `asyncio.Queue(maxsize=1024)`, `maxsize=0` → `maxsize=1024`, `math.inf` →
 * `1024`), and `queue.SimpleQueue()` → `queue.Queue(maxsize=1024)`. A suggestion: with a bound,
 * `put()` waits and `put_nowait()` raises `QueueFull` when the queue is full.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { CHANNEL_BOUNDS } from '../catalog';
import { addImport, callNode, pythonTree } from './util';

const CAPACITY = '1024';

/** Fixes for an `unbounded-channel` finding. */
export function channelFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = pythonTree(parsed);
  const ch = finding.data?.channelId === undefined ? undefined : parsed.model.channels[finding.data.channelId];
  if (!tree || !ch) return { fixes: [], refused: [] };
  const call = parsed.model.calls.find((c) => c.span.start === ch.span.start && c.span.end === ch.span.end);
  const node = call && callNode(tree, call.id);
  if (!call || !node) return { fixes: [], refused: [] };
  const text = parsed.text;
  const title = `Bound the queue (${CAPACITY}, to choose)`;
  const args = node.children[node.children.length - 1]!;
  if (ch.constructor === 'queue.SimpleQueue') {
    const edits: TextEdit[] = [{ span: call.calleeSpan, newText: 'queue.Queue' }, { span: call.argsSpan, newText: `(maxsize=${CAPACITY})` }];
    const imp = addImport(tree, text, 'queue');
    if (imp) edits.push(imp);
    return { fixes: [{ title, safety: 'suggestion', edits }], refused: [] };
  }
  const spec = CHANNEL_BOUNDS.get(ch.constructor);
  if (!spec || args.type !== 'argument_list') return { fixes: [], refused: [] };
  const values = args.children.filter((c) => c.type !== 'comment');
  const keyword = values.find((c) => c.type === 'keyword_argument' && text.slice(c.children[0]!.start, c.children[0]!.end) === spec.keyword);
  const positional = values[0] && values[0].type !== 'keyword_argument' ? values[0] : undefined;
  let edit: TextEdit;
  if (keyword) edit = { span: { start: keyword.children[1]!.start, end: keyword.children[1]!.end }, newText: CAPACITY };
  else if (positional) edit = { span: { start: positional.start, end: positional.end }, newText: CAPACITY };
  else edit = { span: { start: args.start + 1, end: args.start + 1 }, newText: `${spec.keyword}=${CAPACITY}${values.length > 0 ? ', ' : ''}` };
  return { fixes: [{ title, safety: 'suggestion', edits: [edit] }], refused: [] };
}
