/**
 * The node kinds the Rust frontend reads, for the shared tree-sitter layer's cursor pass
 * (`../tree-sitter/view.ts`), and the view's helpers under their Rust names.
 *
 * Every named node is kept, except that subtrees the model reads as text (types, literals,
 * attributes, macro token trees, comments) are kept as opaque leaves and not descended.
 */
import type { NodeKinds } from '../tree-sitter';

export { childOfType, childrenOfType, walk, type SyntaxNode } from '../tree-sitter';

/** Node types read as text: their subtrees are not materialised. */
const OPAQUE = [
  'string_literal', 'raw_string_literal', 'char_literal', 'attribute_item', 'inner_attribute_item',
  'type_identifier', 'generic_type', 'scoped_type_identifier', 'reference_type', 'tuple_type', 'array_type',
  'function_type', 'pointer_type', 'dynamic_type', 'abstract_type', 'primitive_type', 'bounded_type',
  'token_tree', 'line_comment', 'block_comment', 'type_arguments', 'type_parameters', 'where_clause',
  // Tokens without named children: not descending saves a call into WASM per node.
  'identifier', 'field_identifier', 'shorthand_field_identifier', 'self', 'super', 'crate', 'integer_literal', 'float_literal',
  'boolean_literal', 'mutable_specifier', 'metavariable', 'lifetime', 'label',
  // Read as text, or never read: paths (`a::b::c`), match patterns, modifiers, items without executable bodies.
  'scoped_identifier', 'match_pattern', 'visibility_modifier', 'function_modifiers', 'function_signature_item', 'enum_item',
  'macro_definition', 'foreign_mod_item', 'extern_crate_declaration', 'negative_literal', 'unit_type', 'never_type',
];

/** What the Rust builder reads: every named node, the {@link OPAQUE} ones without their subtrees. */
export const RUST_KINDS: NodeKinds = {
  keep: 'all',
  opaque: OPAQUE,
  // Node types whose text is a Rust identifier: their end is read from the text, not from WASM.
  words: ['identifier', 'field_identifier', 'shorthand_field_identifier', 'self', 'super', 'crate', 'mutable_specifier', 'type_identifier', 'primitive_type'],
  wordPattern: /(?:r#)?[\p{L}\p{N}_]+/uy,
};
