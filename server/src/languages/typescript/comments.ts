/**
 * Comment collection during the walk. Comments live in the gaps between tokens; the walk calls the
 * scanner at the start of every node and after the last child of every node, which covers the
 * gaps a directive comment can be in, at the cost of a few character reads per node.
 */
import ts from 'typescript';
import type { Comment } from '../../engine/model';
import { T } from './ast';

const SINGLE_LINE = ts.SyntaxKind.SingleLineCommentTrivia;
const getTrailingCommentRanges = T.getTrailingCommentRanges;
const getLeadingCommentRanges = T.getLeadingCommentRanges;

/** A function that records the comments in the trivia at a position into `out` (each once). */
export function commentScanner(text: string, out: Comment[]): (pos: number) => void {
  const seen = new Set<number>();
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
    // Comments on the same line as the previous token are "trailing", the rest "leading": take both.
    const trailing = getTrailingCommentRanges(text, pos);
    const leading = getLeadingCommentRanges(text, pos);
    const ranges = trailing && leading ? [...trailing, ...leading] : (trailing ?? leading);
    if (!ranges) return;
    for (const r of ranges) {
      if (seen.has(r.pos)) continue;
      seen.add(r.pos);
      const body = r.kind === SINGLE_LINE ? text.slice(r.pos + 2, r.end) : text.slice(r.pos + 2, Math.max(r.pos + 2, r.end - 2));
      out.push({ span: { start: r.pos, end: r.end }, text: body });
    }
  };
}
