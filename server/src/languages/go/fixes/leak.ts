/**
 * Fix for the goroutine leak (`detached-task`): give the channel room for every send the function
 * may leave behind (`make(chan T)` → `make(chan T, 1)`, or the number of goroutines, or
 * `len(xs)` for one goroutine per item), so each send completes with nobody receiving and the
 * goroutine ends. A goroutine that sends in a loop cannot be helped by a buffer: refused.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { treeSitterTree } from '../../tree-sitter';
import type { GoData } from '../index';
import { GO_GRAMMAR, field } from '../syntax';

export function leakFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = treeSitterTree<GoData>(parsed, GO_GRAMMAR);
  const id = finding.data?.spawnId;
  const leaks = id === undefined ? undefined : tree?.data.state.leaks.get(id);
  if (!leaks || leaks.length === 0) return { fixes: [], refused: [] };
  const title = leaks.length > 1 ? 'Buffer the channels' : 'Buffer the channel';
  if (leaks.some((l) => l.capacity === undefined)) {
    return { fixes: [], refused: [{ title, reason: 'the goroutine sends once per item of a loop, so no fixed buffer holds every send: make it send in a `select` with `<-ctx.Done()` instead' }] };
  }
  const text = parsed.text;
  const edits: TextEdit[] = [];
  const shown: string[] = [];
  for (const leak of leaks) {
    const args = field(leak.make, 'arguments');
    if (!args) return { fixes: [], refused: [] };
    const items = args.children.filter((c) => c.type !== 'comment');
    edits.push(
      items.length >= 2
        ? { span: { start: items[1]!.start, end: items[1]!.end }, newText: leak.capacity! }
        : { span: { start: items[0]!.end, end: items[0]!.end }, newText: `, ${leak.capacity!}` },
    );
    const made = text.slice(leak.make.start, leak.make.end).replace(/\s+/g, ' ');
    shown.push(`\`${made.replace(/\)$/, '').replace(/,\s*0\s*$/, '')}, ${leak.capacity!})\``);
  }
  return { fixes: [{ title: `${title}: ${shown.join(', ')}, so a send completes when nobody receives`, safety: 'suggestion', edits }], refused: [] };
}
