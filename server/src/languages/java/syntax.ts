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
