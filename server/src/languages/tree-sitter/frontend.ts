/**
 * A frontend built on a tree-sitter grammar: what a tree-sitter language provides is a
 * {@link TreeSitterLanguage} (grammar name, node kinds wanted, a function from the materialised view
 * to the model); {@link createTreeSitterFrontend} adds the rest: lazy grammar loading, parsing,
 * incremental reparse with the queued edits of a document, the view, and freeing the trees.
 */
import type { Tree } from 'web-tree-sitter';
import type { Catalog } from '../../engine/catalog';
import type { Finding } from '../../engine/finding';
import type { FixContext, FixResult, Frontend, ParsedFile, TextChange } from '../../engine/language';
import type { FileModel, LanguageId } from '../../engine/model';
import { declareGrammar, grammarLoaded, loadGrammar, loadedGrammar } from './grammar';
import { materialise, type NodeKinds, type View } from './view';

/** What a tree-sitter language declares. `D` is whatever its builder keeps for its fixes. */
export interface TreeSitterLanguage<D> {
  readonly language: LanguageId;
  /** The language's name in messages ("Rust"). */
  readonly displayName: string;
  /** File extensions with the dot. */
  readonly extensions: readonly string[];
  readonly catalog: Catalog;
  /** The grammar's npm package (`tree-sitter-rust`); its `<name>.wasm` is shipped in `dist/` by the build. */
  readonly grammar: string;
  /** The node kinds the builder reads; nothing else is copied out of WASM. */
  readonly kinds: NodeKinds;
  /** The model of one file from its view. `data` is kept with the parse for {@link fixes}. */
  build(view: View, text: string, path: string, catalog: Catalog): { model: FileModel; data: D };
  /**
   * Fix edits for a finding in a file this frontend parsed; `treeSitterTree(parsed, grammar)` gives
   * back the view's root and `data` (it is `undefined` when the parse failed). None when absent.
   */
  fixes?(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult;
}

/** What a tree-sitter frontend keeps in `ParsedFile.tree`. */
export class TreeSitterTree<D> {
  constructor(
    /** The grammar that parsed it. */
    readonly grammar: string,
    /** The tree-sitter tree, kept for incremental reparse; `undefined` once freed. */
    public ts: Tree | undefined,
    /** The materialised view's root. */
    readonly root: SyntaxNodeRoot,
    /** What the builder returned beside the model. */
    readonly data: D,
  ) {}
}

type SyntaxNodeRoot = View['root'];

/** The tree-sitter holder of a parse by `grammar`, or `undefined` (another frontend, a failed parse). */
export function treeSitterTree<D>(parsed: ParsedFile | undefined, grammar: string): TreeSitterTree<D> | undefined {
  const t = parsed?.tree;
  return t instanceof TreeSitterTree && t.grammar === grammar ? (t as TreeSitterTree<D>) : undefined;
}

// Trees live in WASM memory: free the ones whose holder is garbage-collected without being replaced.
// A finalizer that throws ends the process (it runs outside any caller's try), and `delete()` can
// throw once the WASM instance has aborted (out of memory): the tree's memory is then gone anyway.
const finalizer = new FinalizationRegistry<Tree>((tree) => {
  try {
    tree.delete();
  } catch {
    // Nothing left to free.
  }
});

/** Frees the tree-sitter tree of a parse now, rather than when it is garbage-collected. */
export function freeTree(holder: TreeSitterTree<unknown>): void {
  const tree = holder.ts;
  if (!tree) return;
  holder.ts = undefined;
  finalizer.unregister(holder);
  tree.delete();
}

function point(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * Applies `changes` to the old tree, in order: each change is in the coordinates of the text left
 * by the previous one (LSP's incremental sync, queued by the server between analyses). Returns
 * `false` when the edits do not reproduce `text`, in which case the caller parses from scratch.
 * Positions are UTF-16 offsets; tree-sitter's columns are then UTF-16 code units too.
 */
function editTree(tree: Tree, oldText: string, changes: readonly TextChange[], text: string): boolean {
  let cur = oldText;
  for (const c of changes) {
    if (c.start < 0 || c.end < c.start || c.end > cur.length) return false;
    const next = cur.slice(0, c.start) + c.newText + cur.slice(c.end);
    const newEnd = c.start + c.newText.length;
    tree.edit({
      startIndex: c.start, oldEndIndex: c.end, newEndIndex: newEnd,
      startPosition: point(cur, c.start), oldEndPosition: point(cur, c.end), newEndPosition: point(next, newEnd),
    });
    cur = next;
  }
  return cur === text;
}

/**
 * Parses `text` with the loaded grammar `grammar` and materialises `kinds`, then frees the tree: for
 * text parsed on the side (a Rust macro's token tree). `undefined` when tree-sitter returns no tree.
 */
export function materialiseText(grammar: string, text: string, kinds: NodeKinds, what?: string): View | undefined {
  const g = loadedGrammar(grammar, what);
  const tree = g.parser.parse(text);
  if (!tree) return undefined;
  try {
    return materialise(tree, g.language, text, kinds);
  } finally {
    tree.delete();
  }
}

/** The {@link Frontend} of a tree-sitter language. */
export function createTreeSitterFrontend<D>(lang: TreeSitterLanguage<D>): Frontend {
  const { grammar, kinds } = lang;
  const what = lang.displayName;
  declareGrammar(grammar);

  function parseTree(text: string, previous: ParsedFile | undefined, changes: readonly TextChange[] | undefined): Tree {
    const { parser } = loadedGrammar(grammar, what);
    const old = treeSitterTree<D>(previous, grammar);
    let tree: Tree | null = null;
    if (old?.ts && changes && changes.length > 0 && previous) {
      const oldTree = old.ts;
      // The old tree is edited in place: its holder loses it whatever happens next.
      old.ts = undefined;
      finalizer.unregister(old);
      try {
        if (editTree(oldTree, previous.text, changes, text)) tree = parser.parse(text, oldTree);
      } finally {
        oldTree.delete();
      }
    }
    tree ??= parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }

  return {
    language: lang.language,
    extensions: lang.extensions,
    catalog: lang.catalog,
    async load(): Promise<void> {
      if (!grammarLoaded(grammar)) await loadGrammar(grammar);
    },
    parse(text: string, path: string, catalog: Catalog, previous?: ParsedFile, changes?: readonly TextChange[]): ParsedFile {
      const { language } = loadedGrammar(grammar, what);
      const tree = parseTree(text, previous, changes);
      try {
        const view = materialise(tree, language, text, kinds);
        const built = lang.build(view, text, path, catalog);
        const holder = new TreeSitterTree<D>(grammar, tree, view.root, built.data);
        finalizer.register(holder, tree, holder);
        return { path, text, model: built.model, tree: holder };
      } catch (error) {
        tree.delete();
        throw error;
      }
    },
    syntaxErrors(text: string): number {
      const { parser, language } = loadedGrammar(grammar, what);
      const tree = parser.parse(text);
      if (!tree) return 1;
      try {
        return tree.rootNode.hasError ? materialise(tree, language, text, kinds).syntaxErrors : 0;
      } finally {
        tree.delete();
      }
    },
    fixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
      return lang.fixes ? lang.fixes(finding, parsed, ctx) : { fixes: [], refused: [] };
    },
  };
}
