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
