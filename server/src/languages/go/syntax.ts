/**
 * What the Go frontend reads of the tree: the node kinds the shared tree-sitter layer materialises
 * (every named kind, with field names, types and literals kept as text), and small helpers.
 */
import type { NodeKinds, SyntaxNode } from '../tree-sitter';

export { walk } from '../tree-sitter';

/** The npm package of the Go grammar; its WASM is shipped in `dist/`. */
export const GO_GRAMMAR = 'tree-sitter-go';

/** A materialised Go node; `field` is its field in its parent (`function`, `operand`, `body`). */
export type GoNode = SyntaxNode;

/** Every named kind, with field names; types, literals, identifiers and comments are read as text. */
export const GO_KINDS: NodeKinds = {
  keep: 'all',
  fields: true,
  opaque: [
    'interpreted_string_literal', 'raw_string_literal', 'rune_literal', 'int_literal', 'float_literal', 'imaginary_literal',
    'comment', 'identifier', 'field_identifier', 'package_identifier', 'type_identifier', 'label_name', 'blank_identifier',
    'qualified_type', 'pointer_type', 'slice_type', 'array_type', 'map_type', 'channel_type', 'function_type', 'generic_type',
    'interface_type', 'type_arguments', 'type_parameter_list', 'nil', 'true', 'false', 'iota', 'dot',
  ],
  words: ['identifier', 'field_identifier', 'package_identifier', 'type_identifier', 'label_name'],
  wordPattern: /[\p{L}\p{N}_]+/uy,
};

/** The child filling `field`, if any. */
export function field(node: GoNode, name: string): GoNode | undefined {
  return node.children.find((c) => c.field === name);
}

/** The source text of a node, whitespace-normalised. */
export function textOf(text: string, node: GoNode): string {
  return text.slice(node.start, node.end).replace(/\s+/g, ' ');
}

/** Longest text {@link cappedTextOf} returns whole. */
const MAX_TEXT = 400;

/**
 * {@link textOf}, with a long node shortened to its start and end around `…`: a callee that is a
 * whole function literal (`func() { … }()`) nested a thousand deep would otherwise be copied once
 * per level, quadratic in the file.
 */
export function cappedTextOf(text: string, node: GoNode): string {
  if (node.end - node.start <= MAX_TEXT) return textOf(text, node);
  const squash = (from: number, to: number): string => text.slice(from, to).replace(/\s+/g, ' ');
  return `${squash(node.start, node.start + MAX_TEXT / 2)}…${squash(node.end - MAX_TEXT / 4, node.end)}`;
}
