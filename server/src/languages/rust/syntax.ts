/**
 * One cursor pass over a tree-sitter tree, mirrored into plain JS nodes.
 *
 * Every later step (model, fixes) reads the mirror, never the WASM tree: crossing into WASM costs
 * far more than reading a JS object, and the mirror outlives the tree (which is deleted when the
 * document is re-parsed). Only named nodes are kept. Subtrees that the model reads as text (types,
 * literals, attributes, macro token trees, comments) are kept as leaves and not descended.
 *
 * Offsets: web-tree-sitter parses JS strings as UTF-16, and its indices are UTF-16 code units, the
 * engine's unit (checked by the non-ASCII tests in `test/unit/rust-frontend.test.ts`). This module
 * is the frontend boundary where that holds; nothing past it sees tree-sitter positions.
 */
import type { Language, Tree } from 'web-tree-sitter';

/** A named syntax node. `text` is not stored: slice the source with `start`/`end`. */
export interface SyntaxNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly children: SyntaxNode[];
  readonly parent: SyntaxNode | undefined;
}

/** The result of the cursor pass. */
export interface Mirror {
  readonly root: SyntaxNode;
  /** ERROR and MISSING nodes. */
  readonly syntaxErrors: number;
}

/** Node types read as text: their subtrees are not mirrored. */
const LEAF_TYPES = [
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

/** Node types whose text is a Rust identifier: their end is read from the text, not from WASM. */
const WORD_TYPES = ['identifier', 'field_identifier', 'shorthand_field_identifier', 'self', 'super', 'crate', 'mutable_specifier', 'type_identifier', 'primitive_type'];
const WORD = /(?:r#)?[\p{L}\p{N}_]+/uy;

interface TypeTable {
  readonly names: string[];
  readonly named: boolean[];
  readonly leaf: boolean[];
  readonly word: boolean[];
}

const tables = new WeakMap<Language, TypeTable>();

function typeTable(language: Language): TypeTable {
  let t = tables.get(language);
  if (t) return t;
  const names: string[] = [];
  const named: boolean[] = [];
  const leaf: boolean[] = [];
  const word: boolean[] = [];
  const leafSet = new Set(LEAF_TYPES);
  const wordSet = new Set(WORD_TYPES);
  for (let i = 0; i < language.nodeTypeCount; i++) {
    const name = language.nodeTypeForId(i) ?? '';
    names.push(name);
    named.push(language.nodeTypeIsNamed(i));
    leaf.push(leafSet.has(name));
    word.push(wordSet.has(name));
  }
  t = { names, named, leaf, word };
  tables.set(language, t);
  return t;
}

/** Mirrors `tree` with one iterative cursor walk (no recursion, so deep nesting cannot overflow the stack). */
export function mirror(tree: Tree, language: Language, text: string): Mirror {
  const table = typeTable(language);
  const hasError = tree.rootNode.hasError;
  const cursor = tree.walk();
  let errors = 0;
  const root: SyntaxNode = { type: cursor.nodeType, start: cursor.startIndex, end: cursor.endIndex, children: [], parent: undefined };
  // The mirror node that receives the children of the cursor's current depth.
  const stack: SyntaxNode[] = [];
  let current = root;
  try {
    if (!cursor.gotoFirstChild()) return { root, syntaxErrors: 0 };
    stack.push(root);
    for (;;) {
      const id = cursor.nodeTypeId;
      const known = id < table.names.length;
      // Tokens (unnamed nodes) have no children worth visiting.
      let descend = !known || table.named[id]!;
      let pushed = false;
      if (hasError && (!known || cursor.nodeType === 'ERROR' || (cursor.startIndex === cursor.endIndex && cursor.nodeIsMissing))) errors++;
      if (!known || table.named[id]) {
        const parent = stack[stack.length - 1]!;
        const start = cursor.startIndex;
        let end = -1;
        if (known && table.word[id] && !hasError) {
          WORD.lastIndex = start;
          if (WORD.test(text)) end = WORD.lastIndex;
        }
        if (end < 0) end = cursor.endIndex;
        const node: SyntaxNode = { type: known ? table.names[id]! : cursor.nodeType, start, end, children: [], parent };
        parent.children.push(node);
        current = node;
        pushed = true;
        if (known && table.leaf[id]) descend = false;
      }
      if (descend && cursor.gotoFirstChild()) {
        // Unnamed nodes are transparent: their named children attach to the nearest mirrored ancestor.
        stack.push(pushed ? current : stack[stack.length - 1]!);
        continue;
      }
      let moved = cursor.gotoNextSibling();
      while (!moved) {
        if (!cursor.gotoParent()) return { root, syntaxErrors: errors };
        stack.pop();
        if (stack.length === 0) return { root, syntaxErrors: errors };
        moved = cursor.gotoNextSibling();
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Named children of `node` of one of the given types. */
export function childrenOfType(node: SyntaxNode, ...types: string[]): SyntaxNode[] {
  return node.children.filter((c) => types.includes(c.type));
}

/** The first named child of `node` of one of the given types. */
export function childOfType(node: SyntaxNode, ...types: string[]): SyntaxNode | undefined {
  return node.children.find((c) => types.includes(c.type));
}

/** Pre-order traversal without recursion. `visit` returns `false` to skip a node's children. */
export function walk(root: SyntaxNode, visit: (node: SyntaxNode) => boolean | void): void {
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
}
