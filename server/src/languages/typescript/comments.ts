/**
 * Comment collection during the walk. Comments live in the gaps between tokens; the walk calls the
 * scanner at the start of every node and after the last child of every node, which covers the
 * gaps a directive comment can be in, at the cost of a few character reads per node.
 */
import type { Comment } from '../../engine/model';

/** A function that records the comments in the trivia at a position into `out` (each once). */
export function commentScanner(text: string, out: Comment[]): (pos: number) => void {
  const seen = new Set<number>();
  const len = text.length;
  let lastScanned = -1;
  return (pos: number): void => {
    // A parent and its first child start at the same position: scan each gap once.
    if (pos === lastScanned) return;
    lastScanned = pos;
    // Cheap pre-check: a comment can only start after whitespace or right at `pos`.
    let i = pos;
    let c = text.charCodeAt(i);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
    if (c !== 47) return;
    const n = text.charCodeAt(i + 1);
    if (n !== 47 && n !== 42) return;
    // Every comment of the trivia run from `pos` to the next token: what TypeScript's trailing
    // (same line) and leading (later lines) comment ranges at `pos` give together, read directly.
    i = pos;
    if (i === 0 && text.charCodeAt(0) === 35 && text.charCodeAt(1) === 33) {
      // A `#!` line is not a comment and ends no run.
      while (i < len && !isLineBreak(text.charCodeAt(i))) i++;
    }
    while (i < len) {
      c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
        i++;
        continue;
      }
      if (c === 47) {
        const next = text.charCodeAt(i + 1);
        if (next !== 47 && next !== 42) return;
        const from = i;
        let end: number;
        if (next === 47) {
          end = i + 2;
          while (end < len && !isLineBreak(text.charCodeAt(end))) end++;
        } else {
          const close = text.indexOf('*/', i + 2);
          end = close < 0 ? len : close + 2;
        }
        i = end;
        if (seen.has(from)) continue;
        seen.add(from);
        const body = next === 47 ? text.slice(from + 2, end) : text.slice(from + 2, Math.max(from + 2, end - 2));
        out.push({ span: { start: from, end }, text: body });
        continue;
      }
      if (c > 127 && isWhiteSpaceLike(c)) {
        i++;
        continue;
      }
      return;
    }
  };
}

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** TypeScript's whitespace beyond ASCII (`isWhiteSpaceLike`): line separators and Unicode spaces. */
function isWhiteSpaceLike(c: number): boolean {
  return (
    c === 0x2028 || c === 0x2029 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200b) || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}
