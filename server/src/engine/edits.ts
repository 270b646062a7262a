import { applyEdits, type TextEdit } from './finding';

/** Where one edit of the first list sits in the text it produced. */
interface Placed {
  readonly start: number;
  readonly end: number;
  /** Its new text's length minus the length of what it replaced. */
  readonly shift: number;
  /** Its span in the original text. */
  readonly origin: TextEdit['span'];
}

interface Item {
  readonly start: number;
  readonly end: number;
  readonly placed?: Placed;
  readonly edit?: TextEdit;
}

/**
 * The edits on `text` that give what applying `first` to it and then `second` (whose spans are
 * offsets into the text `first` produced) gives. A fix-all of several passes is offered as one edit
 * list on the document the client holds: an edit of the second list that touches text the first
 * inserted or replaced merges with that edit; the others keep their place. The result is sorted,
 * and its edits neither overlap nor touch.
 */
export function composeEdits(text: string, first: readonly TextEdit[], second: readonly TextEdit[]): TextEdit[] {
  const middle = applyEdits(text, first);
  const sortedFirst = [...first].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const items: Item[] = [];
  let shift = 0;
  for (const e of sortedFirst) {
    const start = e.span.start + shift;
    const delta = e.newText.length - (e.span.end - e.span.start);
    items.push({ start, end: start + e.newText.length, placed: { start, end: start + e.newText.length, shift: delta, origin: e.span } });
    shift += delta;
  }
  for (const e of second) items.push({ start: e.span.start, end: e.span.end, edit: e });
  items.sort((a, b) => a.start - b.start || a.end - b.end);
  const placed = items.flatMap((i) => (i.placed ? [i.placed] : []));
  // The shift of the first list's edits that end before (or at, with `orAt`) a position of the middle text.
  const shiftBefore = (pos: number, orAt: boolean): number => placed.reduce((sum, p) => (p.end < pos || (orAt && p.end === pos) ? sum + p.shift : sum), 0);
  const out: TextEdit[] = [];
  let i = 0;
  while (i < items.length) {
    // A cluster: items that overlap or touch, in the middle text.
    const cluster = [items[i]!];
    let end = items[i]!.end;
    for (i++; i < items.length && items[i]!.start <= end; i++) {
      cluster.push(items[i]!);
      end = Math.max(end, items[i]!.end);
    }
    const start = cluster[0]!.start;
    const inner = cluster.flatMap((c) => (c.edit ? [{ span: { start: c.edit.span.start - start, end: c.edit.span.end - start }, newText: c.edit.newText }] : []));
    const newText = applyEdits(middle.slice(start, end), inner);
    const from = start - shiftBefore(start, false);
    const to = end - shiftBefore(end, true);
    if (newText !== text.slice(from, to)) out.push({ span: { start: from, end: to }, newText });
  }
  return out;
}
