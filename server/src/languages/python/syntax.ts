/**
 * The node kinds the Python frontend reads, for the shared tree-sitter layer's cursor pass
 * (`../tree-sitter/view.ts`), and the view's helpers.
 *
 * Every named node is kept (the builder reads statements, expressions and their nesting), except
 * that literals, comments and identifiers are opaque leaves.
 */
import type { NodeKinds } from '../tree-sitter';

export { childOfType, childrenOfType, walk, type SyntaxNode } from '../tree-sitter';

/** The npm package (and WASM file name) of the Python grammar. */
export const PYTHON_GRAMMAR = 'tree-sitter-python';

/** What the Python builder reads. */
export const PYTHON_KINDS: NodeKinds = {
  keep: 'all',
  // Read as text or not at all. `string` is not opaque: an f-string's interpolations hold calls.
  opaque: ['comment', 'identifier', 'integer', 'float', 'true', 'false', 'none', 'string_content', 'escape_sequence', 'ellipsis'],
  words: ['identifier'],
  wordPattern: /[\p{L}\p{N}_]+/uy,
};

/**
 * Code as messages quote it, on one line: whitespace between tokens dropped, except one space
 * between two words (`await x`, `lambda x`), and string literals kept as written with their runs of
 * whitespace made one space (`conn.execute("SELECT id, name")`, not `"SELECTid,name"`).
 */
export function compactCode(code: string): string {
  // Nothing to compact (most callees: `self.session.get`): the loop below would copy it character by character.
  if (!/[\s"']/.test(code)) return code;
  let out = '';
  let i = 0;
  while (i < code.length) {
    const ch = code[i]!;
    if (ch === '"' || ch === "'") {
      const quote = code.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + quote.length;
      while (j < code.length && !code.startsWith(quote, j)) j += code[j] === '\\' ? 2 : 1;
      j = Math.min(code.length, j + quote.length);
      out += code.slice(i, j).replace(/\s+/g, ' ');
      i = j;
    } else if (/\s/.test(ch)) {
      let j = i;
      while (j < code.length && /\s/.test(code[j]!)) j++;
      if (/\w$/.test(out) && /^\w/.test(code.slice(j, j + 1))) out += ' ';
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
