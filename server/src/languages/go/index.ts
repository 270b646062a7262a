/**
 * The Go frontend: tree-sitter (the shared layer in `../tree-sitter/` + the `tree-sitter-go` WASM
 * grammar) → model. The grammar loads when the first `.go` file is analysed (`loadFrontendFor`) or
 * with `initFrontends()`; until then `parse` throws, and `analyze()` reports it once.
 */
import type { Frontend } from '../../engine/language';
import { createTreeSitterFrontend, type TreeSitterTree } from '../tree-sitter';
import { buildModel, type GoState } from './builder';
import { goCatalog } from './catalog';
import { goFixes } from './fixes';
import { goResolver } from './resolver';
import { GO_GRAMMAR, GO_KINDS } from './syntax';

/** What the Go builder keeps beside the model, for the fixes. */
export interface GoData {
  readonly state: GoState;
}

/** What the Go frontend keeps in `ParsedFile.tree`. */
export type GoTree = TreeSitterTree<GoData>;

const treeSitterFrontend: Frontend = createTreeSitterFrontend<GoData>({
  language: 'go',
  displayName: 'Go',
  extensions: ['.go'],
  catalog: goCatalog,
  grammar: GO_GRAMMAR,
  kinds: GO_KINDS,
  build(view, text, path, catalog) {
    const built = buildModel(view.root, text, path, catalog, view.syntaxErrors);
    return { model: built.model, data: { state: built.state } };
  },
  fixes: goFixes,
});

/**
 * The Go frontend registered with the engine. Its resolver links a call into another file of the
 * package or another package of the module (languages/go/resolver.ts).
 */
export const goFrontend: Frontend = { ...treeSitterFrontend, resolver: goResolver };
