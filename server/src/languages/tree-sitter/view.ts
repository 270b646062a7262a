/**
 * The materialised view: one cursor pass over a tree-sitter tree that copies into plain JS objects
 * only the node kinds a frontend declares ({@link NodeKinds}).
 *
 * Every later step (model, fixes) reads the view, never the WASM tree: crossing into WASM costs far
 * more than reading a JS object, and the view outlives the tree (which is freed when the document is
 * re-parsed). Anonymous nodes (punctuation, keywords) are never materialised: read them as text
 * between the offsets of their named neighbours.
 *
 * Offsets: web-tree-sitter parses JS strings as UTF-16 and its indices are UTF-16 code units, the
 * engine's unit. This module is where that holds; nothing past it sees tree-sitter positions.
 */
import type { Language, Tree } from 'web-tree-sitter';
import { PublicWalker, RawWalker, type Walker } from './cursor';
import { rawCursor } from './grammar';
import type { Span } from '../../engine/model';

/** What a frontend wants materialised. Kinds are tree-sitter node type names of the grammar. */
export interface NodeKinds {
  /**
   * The named kinds to materialise, or `'all'` for every named kind. A named node of a kind not
   * listed is transparent: it is not materialised, but its subtree is visited and the kept nodes in
   * it become children of the nearest kept ancestor.
   */
  readonly keep: readonly string[] | 'all';
  /** Kept kinds whose subtree is not visited (the frontend reads them as text: types, literals, comments). */
  readonly opaque?: readonly string[];
  /** Kinds neither materialised nor visited, subtree included (nothing the model reads is under them). */
  readonly skip?: readonly string[];
  /**
   * Kinds whose text always matches `wordPattern` (identifiers): in a file without syntax errors their
   * end is read from the text, which saves one call into WASM per node. Needs `wordPattern`.
   */
  readonly words?: readonly string[];
  /** A sticky (`y`) pattern matching a whole `words` node from its start. */
  readonly wordPattern?: RegExp;
  /** Record on each kept node the field name it has in its parent node (`name`, `body`), when it has one. */
  readonly fields?: boolean;
}

/** A materialised named node. `text` is not stored: slice the source with `start`/`end` (UTF-16). */
export interface SyntaxNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  /** Kept named children in order; an opaque node's is one shared frozen empty list (add to none). */
  readonly children: SyntaxNode[];
  readonly parent: SyntaxNode | undefined;
  /** The node's field in its tree-sitter parent, when {@link NodeKinds.fields} is set and it has one. */
  readonly field?: string;
}

/** A node's span in the model's terms. */
export function nodeSpan(node: SyntaxNode): Span {
  return { start: node.start, end: node.end };
}

/** The result of the cursor pass. */
export interface View {
  /** The tree's root node (always kept, whatever {@link NodeKinds.keep} says). */
  readonly root: SyntaxNode;
  /** ERROR and MISSING nodes met by the pass (subtrees not visited are not counted). */
  readonly syntaxErrors: number;
  /** Where the first of them starts, when there is one. */
  readonly firstSyntaxError?: number;
}

/** Per node type id: what the pass does with it. */
interface KindTable {
  readonly names: string[];
  readonly named: boolean[];
  readonly keep: boolean[];
  readonly opaque: boolean[];
  readonly skip: boolean[];
  readonly word: boolean[];
  /** The kinds web-tree-sitter names `ERROR` (the error symbol, and any without a visible name). */
  readonly error: boolean[];
  readonly keepUnknown: boolean;
  readonly fieldNames: (string | undefined)[];
}

/**
 * `name` as an internalised string. The binding decodes type names from WASM memory into fresh
 * strings (built up character by character), so every `node.type === 'call_expression'` in a
 * builder compared characters; against the internalised literals of the source it compares pointers.
 * A property key is internalised: the key read back is.
 */
function intern(name: string): string {
  return Object.keys({ [name]: 0 })[0] ?? name;
}

const tables = new WeakMap<Language, WeakMap<NodeKinds, KindTable>>();

function kindTable(language: Language, kinds: NodeKinds): KindTable {
  let byKinds = tables.get(language);
  if (!byKinds) tables.set(language, (byKinds = new WeakMap()));
  let t = byKinds.get(kinds);
  if (t) return t;
  const keepAll = kinds.keep === 'all';
  const keepSet = new Set(keepAll ? [] : kinds.keep);
  const opaqueSet = new Set(kinds.opaque ?? []);
  const skipSet = new Set(kinds.skip ?? []);
  const wordSet = new Set(kinds.wordPattern ? (kinds.words ?? []) : []);
  const names: string[] = [];
  const named: boolean[] = [];
  const keep: boolean[] = [];
  const opaque: boolean[] = [];
  const skip: boolean[] = [];
  const word: boolean[] = [];
  const error: boolean[] = [];
  for (let i = 0; i < language.nodeTypeCount; i++) {
    const name = intern(language.nodeTypeForId(i) ?? '');
    const isNamed = language.nodeTypeIsNamed(i);
    names.push(name);
    named.push(isNamed);
    keep.push(isNamed && (keepAll || keepSet.has(name)));
    opaque.push(isNamed && opaqueSet.has(name));
    skip.push(isNamed && skipSet.has(name));
    word.push(isNamed && wordSet.has(name));
    error.push((language.types[i] || 'ERROR') === 'ERROR');
  }
  const fieldNames: (string | undefined)[] = [];
  if (kinds.fields) {
    for (let i = 0; i <= language.fieldCount; i++) {
      const f = language.fieldNameForId(i);
      fieldNames.push(f === null ? undefined : intern(f));
    }
  }
  t = { names, named, keep, opaque, skip, word, error, keepUnknown: keepAll || keepSet.has('ERROR'), fieldNames };
  byKinds.set(kinds, t);
  return t;
}

/** The children of every opaque node: empty, and frozen so that adding to it fails loudly. */
const NO_CHILDREN = Object.freeze([]) as unknown as SyntaxNode[];

/** A node as the walk makes it: its list of children is set when the walk leaves it. */
type Node = SyntaxNode & { children: SyntaxNode[] };

/**
 * Every node the layer makes is made here, in one shape, `field` included (`undefined` when the
 * frontend does not ask for fields, or the node has none): code that reads nodes meets one object
 * layout, where nodes with and without a `field` were two. An object literal, not a class: a class's
 * fields are first defined as `undefined`, which left `start` and `end` stored as any value rather
 * than as small integers, and threw away the code compiled for the first nodes.
 */
function node(type: string, start: number, end: number, children: SyntaxNode[], parent: SyntaxNode | undefined, field: string | undefined): Node {
  return { type, start, end, children, parent, field };
}

/** A node of the view's shape: for code that adds nodes to a view (a Rust macro's parsed arguments). */
export function newNode(type: string, start: number, end: number, parent: SyntaxNode | undefined, children: SyntaxNode[] = nodeList()): SyntaxNode {
  return node(type, start, end, children, parent, undefined);
}

/**
 * A fresh empty list of nodes (a node's children, or any list a frontend collects nodes in), of the
 * kind every list of nodes has. A `[]` literal starts as a list of small integers, a third kind
 * beside the frozen empty list and lists of nodes, which the code reading children met late and was
 * compiled again for; a collecting list that starts so changes kind at its first node.
 */
export function nodeList(): SyntaxNode[] {
  return NODE_LIST.slice(0, 0);
}

/** A list that has held a node: its slices are lists of objects, the kind the walk's lists are. */
const NODE_LIST: SyntaxNode[] = [node('', 0, 0, NO_CHILDREN, undefined, undefined)];
NODE_LIST.length = 0;

/**
 * Materialises `tree` (parsed from `text` with `language`) with one iterative cursor walk: no
 * recursion, so deep nesting cannot overflow the stack. Does not free the tree.
 */
export function materialise(tree: Tree, language: Language, text: string, kinds: NodeKinds): View {
  const table = kindTable(language, kinds);
  // Read before the raw walker takes the transfer buffer, which every other call into WASM uses.
  const hasError = tree.rootNode.hasError;
  const cursor = tree.walk();
  const root = node(cursor.nodeType, cursor.startIndex, cursor.endIndex, nodeList(), undefined, undefined);
  const rc = rawCursor();
  const w: Walker = rc ? new RawWalker(rc, tree, cursor) : new PublicWalker(cursor);
  try {
    return walkTree(w, table, root, text, kinds, hasError);
  } finally {
    w.done();
  }
}

function walkTree(w: Walker, table: KindTable, root: Node, text: string, kinds: NodeKinds, hasError: boolean): View {
  if (!w.firstChild()) return { root, syntaxErrors: 0 };
  const pattern = kinds.wordPattern;
  const fields = kinds.fields === true;
  const { names, named, keep, opaque, skip, word, error, fieldNames, keepUnknown } = table;
  const known = names.length;
  let errors = 0;
  let firstError = -1;
  // The kept node that receives the children of the cursor's current depth.
  const stack: Node[] = [root];
  // The kept children met so far whose parent is still open, in order; `marks` holds, per depth, where
  // the children of the node opened there start in it (-1 when the depth's node is not kept). A node's
  // children are sliced out when the walk leaves it, into an array of their exact number: pushing
  // into a fresh `[]` gave every node with children room for 17 (mostly one or two are used).
  const pending: Node[] = [];
  const marks: number[] = [0];
  for (;;) {
    const id = w.typeId();
    // ERROR nodes have an id past the grammar's table.
    const isKnown = id < known;
    if (hasError) {
      const isError = !isKnown || error[id]!;
      if (isError || w.isMissing()) {
        const start = w.startIndex();
        // A MISSING node is an empty one.
        if (isError || start === w.endIndex()) {
          errors++;
          if (firstError < 0) firstError = start;
        }
      }
    }
    // Anonymous nodes (tokens) have no children worth visiting.
    let descend = isKnown ? named[id]! && !skip[id]! : true;
    let kept: Node | undefined;
    if (isKnown ? keep[id]! && !skip[id]! : keepUnknown) {
      const start = w.startIndex();
      let end = -1;
      if (isKnown && word[id] && !hasError) {
        pattern!.lastIndex = start;
        if (pattern!.test(text)) end = pattern!.lastIndex;
      }
      if (end < 0) end = w.endIndex();
      // An opaque node never gets children: it shares one frozen empty list (about half the nodes
      // are opaque leaves, and each fresh array was an allocation for the collector). Any other
      // node gets its own list when the walk leaves it.
      kept = node(isKnown ? names[id]! : 'ERROR', start, end, NO_CHILDREN, stack[stack.length - 1], fields ? fieldNames[w.fieldId()] : undefined);
      pending.push(kept);
      if (isKnown && opaque[id]) descend = false;
    }
    if (descend && w.firstChild()) {
      // A node not kept is transparent: its kept descendants attach to the nearest kept ancestor.
      stack.push(kept ?? stack[stack.length - 1]!);
      marks.push(kept ? pending.length : -1);
      continue;
    }
    // A kept node that is not opaque and has no children gets an empty list of its own.
    if (kept && descend) kept.children = nodeList();
    while (!w.nextSibling()) {
      if (!w.parent()) {
        for (let d = stack.length - 1; d >= 0; d--) close(stack, marks, pending, d);
        return view(root, errors, firstError);
      }
      close(stack, marks, pending, stack.length - 1);
      stack.pop();
      marks.pop();
      if (stack.length === 0) return view(root, errors, firstError);
    }
  }
}

/** Leaving the node open at `depth`: a kept one takes its children out of `pending`. */
function close(stack: Node[], marks: number[], pending: Node[], depth: number): void {
  const mark = marks[depth]!;
  if (mark < 0) return;
  stack[depth]!.children = pending.slice(mark);
  pending.length = mark;
}

function view(root: Node, errors: number, firstError: number): View {
  return firstError >= 0 ? { root, syntaxErrors: errors, firstSyntaxError: firstError } : { root, syntaxErrors: errors };
}

/** Named children of `node` of one of the given types. */
export function childrenOfType(node: SyntaxNode, ...types: string[]): SyntaxNode[] {
  return node.children.filter((c) => types.includes(c.type));
}

/** The first named child of `node` of one of the given types. */
export function childOfType(node: SyntaxNode, ...types: string[]): SyntaxNode | undefined {
  return node.children.find((c) => types.includes(c.type));
}

/** The first child of `node` in the field `field` (needs {@link NodeKinds.fields}). */
export function childInField(node: SyntaxNode, field: string): SyntaxNode | undefined {
  return node.children.find((c) => c.field === field);
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

/**
 * The nearest strict ancestor of `node` that `own` maps, memoised in `above` along the path walked:
 * deep nesting costs O(depth) once rather than per lookup. `above` must only ever be filled by
 * this function for the same `own` (a frontend keeps one per file).
 */
export function nearestAncestorIn<T>(node: SyntaxNode, own: ReadonlyMap<SyntaxNode, T>, above: Map<SyntaxNode, T | undefined>): T | undefined {
  const path: SyntaxNode[] = [];
  let found: T | undefined;
  for (let n = node.parent; n; n = n.parent) {
    const f = own.get(n);
    if (f !== undefined) {
      found = f;
      break;
    }
    if (above.has(n)) {
      found = above.get(n);
      break;
    }
    path.push(n);
  }
  for (const p of path) above.set(p, found);
  return found;
}
