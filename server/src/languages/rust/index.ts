/**
 * The Rust frontend: tree-sitter (web-tree-sitter + the `tree-sitter-rust` WASM grammar) → model.
 *
 * Call `await initFrontends()` (or {@link initRust}) once before analysing: until the grammar is
 * loaded, `parse` throws {@link RustNotInitialisedError}, which `analyze()` reports once and turns
 * into an empty model.
 *
 * The edition changes one drop rule (`if let` temporaries, see `locks.ts`). The frontend does no IO,
 * so it cannot read `Cargo.toml`: it assumes 2021 unless built with {@link createRustFrontend}.
 */
import type { Catalog } from '../../engine/catalog';
import type { FixContext, FixResult, Frontend, ParsedFile, TextChange } from '../../engine/language';
import type { Finding } from '../../engine/finding';
import type { Tree } from 'web-tree-sitter';
import { buildModel, type BuildState } from './builder';
import { rustCatalog } from './catalog';
import { rustFixes } from './fixes';
import { initRust, rustParser, rustReady, RustNotInitialisedError } from './grammar';
import type { Edition } from './locks';
import { rustRoleFacts } from './roles';
import { mirror, type SyntaxNode } from './syntax';

export { initRust, rustReady, RustNotInitialisedError };

/** What the Rust frontend keeps in `ParsedFile.tree`. */
export interface RustTree {
  /** The tree-sitter tree, for incremental reparse; `undefined` once deleted. */
  ts: Tree | undefined;
  readonly root: SyntaxNode;
  readonly state: BuildState;
  readonly edition: Edition;
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
 * by the previous one (LSP's incremental sync). Returns `false` when the edits do not reproduce
 * `text`, in which case the caller parses from scratch.
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

function parseTree(text: string, previous: ParsedFile | undefined, changes: readonly TextChange[] | undefined): Tree {
  const { parser } = rustParser();
  const held = previous?.tree as RustTree | undefined;
  const old = held && typeof held === 'object' && 'state' in held ? held : undefined;
  let tree: Tree | null = null;
  if (old?.ts && changes && changes.length > 0 && previous) {
    const oldTree = old.ts;
    old.ts = undefined;
    finalizer.unregister(old);
    if (editTree(oldTree, previous.text, changes, text)) tree = parser.parse(text, oldTree);
    oldTree.delete();
  }
  tree ??= parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Builds a Rust frontend; `edition` sets the drop rules (default 2021). */
export function createRustFrontend(options: { edition?: Edition } = {}): Frontend {
  const edition = options.edition ?? 2021;
  return {
    language: 'rust',
    extensions: ['.rs'],
    catalog: rustCatalog,
    parse(text: string, path: string, catalog: Catalog, previous?: ParsedFile, changes?: readonly TextChange[]): ParsedFile {
      const { language } = rustParser();
      const tree = parseTree(text, previous, changes);
      try {
        const m = mirror(tree, language, text);
        const built = buildModel(m.root, text, path, catalog, m.syntaxErrors, edition);
        const model = { ...built.model, roleFacts: rustRoleFacts(text, m.root, built.model) };
        const state = built.state;
        const holder: RustTree = { ts: tree, root: m.root, state, edition };
        finalizer.register(holder, tree, holder);
        return { path, text, model, tree: holder };
      } catch (error) {
        tree.delete();
        throw error;
      }
    },
    syntaxErrors(text: string): number {
      const { parser, language } = rustParser();
      const tree = parser.parse(text);
      if (!tree) return 1;
      try {
        return tree.rootNode.hasError ? mirror(tree, language, text).syntaxErrors : 0;
      } finally {
        tree.delete();
      }
    },
    fixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
      return rustFixes(finding, parsed, ctx);
    },
  };
}

/** The Rust frontend registered with the engine (edition 2021 drop rules). */
export const rustFrontend: Frontend = createRustFrontend();

export { cargoDependencies } from './manifest';
