/**
 * What the Java frontend reads of the tree: the node kinds the shared tree-sitter layer materialises
 * (every named kind, with field names; types, literals, annotations and comments are read as text),
 * and small helpers.
 */
import type { NodeKinds, SyntaxNode } from '../tree-sitter';

export { walk } from '../tree-sitter';

/** The npm package of the Java grammar; its WASM is shipped in `dist/`. */
export const JAVA_GRAMMAR = 'tree-sitter-java';

/** A materialised Java node; `field` is its field in its parent (`object`, `name`, `arguments`, `body`). */
export type JavaNode = SyntaxNode;

/** Every named kind, with field names; types, literals, annotations, identifiers and comments are read as text. */
export const JAVA_KINDS: NodeKinds = {
  keep: 'all',
  fields: true,
  opaque: [
    'string_literal', 'text_block', 'character_literal', 'decimal_integer_literal', 'hex_integer_literal', 'octal_integer_literal',
    'binary_integer_literal', 'decimal_floating_point_literal', 'hex_floating_point_literal', 'true', 'false', 'null_literal',
    'line_comment', 'block_comment', 'identifier', 'type_identifier', 'generic_type', 'scoped_type_identifier', 'array_type',
    'integral_type', 'floating_point_type', 'boolean_type', 'void_type', 'type_arguments', 'type_parameters', 'dimensions',
    'marker_annotation', 'annotation', 'scoped_identifier', 'this', 'super',
  ],
  words: ['identifier', 'type_identifier'],
  wordPattern: /[\p{L}\p{N}_$]+/uy,
};

/** The child filling `field`, if any. */
export function field(node: JavaNode | undefined, name: string): JavaNode | undefined {
  return node?.children.find((c) => c.field === name);
}

/** The source text of a node, whitespace-normalised. */
export function textOf(text: string, node: JavaNode): string {
  return text.slice(node.start, node.end).replace(/\s+/g, ' ');
}

/** The source text of a node with all whitespace removed (types, dotted names). */
export function compact(text: string, node: JavaNode): string {
  return text.slice(node.start, node.end).replace(/\s+/g, '');
}

/** Longest call messages quote whole; past it, the longest argument lists of its chain are shortened to `(…)`. */
const QUOTE_MAX = 60;
/** Longest quote of a call even with its argument lists shortened (an anonymous class body is not an argument list): the rest is `…`. */
const QUOTE_HARD_MAX = 200;

const SPACE = /\s+/y;
const WORD = /\S{1,64}/y;

/**
 * `text[start, end)` whitespace-free across lines (a chain split over lines reads as one), single
 * spaces elsewhere, stopping once longer than `cap` characters: an anonymous class nested a
 * thousand deep is then not copied whole once per level.
 */
function oneLine(text: string, start: number, end: number, cap: number): string {
  let out = '';
  let i = start;
  while (i < end && out.length <= cap) {
    SPACE.lastIndex = i;
    if (SPACE.test(text)) {
      const to = Math.min(SPACE.lastIndex, end);
      if (!text.slice(i, to).includes('\n')) out += ' ';
      i = to;
    } else {
      // Up to 64 characters that are not whitespace (the cap is checked between runs).
      WORD.lastIndex = i;
      WORD.test(text);
      const j = Math.min(WORD.lastIndex, end);
      out += text.slice(i, j);
      i = j;
    }
  }
  return out;
}

/**
 * A call as messages quote it: its receiver chain and arguments as written, on one line
 * (`userRepo.findById(id).block()`). A long call has the longest argument lists of its chain
 * shortened to `(…)`, one at a time, until it fits (`restTemplate.getForObject(…)`), so the
 * message names the call as a reader finds it in the line.
 */
export function quoteCall(text: string, node: JavaNode): string {
  // Comments between the links of a chain split over lines (`// expect: …`, `/* retry */`) are not part of the call.
  const comments: JavaNode[] = [];
  for (let n: JavaNode | undefined = node; n && (n.type === 'method_invocation' || n.type === 'object_creation_expression'); n = field(n, 'object')) {
    for (const c of n.children) if (c.type === 'line_comment' || c.type === 'block_comment') comments.push(c);
  }
  comments.sort((a, b) => a.start - b.start);
  const slice = (from: number, to: number): string => {
    let out = '';
    let at = from;
    for (const c of comments) {
      if (c.end <= from || c.start >= to) continue;
      let e = c.start;
      while (e > at && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
      out += oneLine(text, at, e, QUOTE_HARD_MAX);
      at = c.end;
    }
    return out + oneLine(text, at, to, QUOTE_HARD_MAX);
  };
  const whole = slice(node.start, node.end);
  if (whole.length <= QUOTE_MAX) return whole;
  // The argument lists of the call and of the calls its receiver chain is made of.
  const lists: JavaNode[] = [];
  for (let n: JavaNode | undefined = node; n && (n.type === 'method_invocation' || n.type === 'object_creation_expression'); n = field(n, 'object')) {
    const args = field(n, 'arguments');
    if (args && args.end - args.start > 2) lists.push(args);
  }
  const cut = new Set<JavaNode>();
  const render = (): string => {
    let out = '';
    let at = node.start;
    for (const a of [...lists].sort((x, y) => x.start - y.start)) {
      if (!cut.has(a)) continue;
      out += slice(at, a.start) + '(…)';
      at = a.end;
    }
    return out + slice(at, node.end);
  };
  let q = whole;
  for (const a of [...lists].sort((x, y) => y.end - y.start - (x.end - x.start))) {
    if (q.length <= QUOTE_MAX) break;
    cut.add(a);
    q = render();
  }
  return q.length > QUOTE_HARD_MAX ? `${q.slice(0, QUOTE_HARD_MAX)}…` : q;
}
