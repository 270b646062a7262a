/**
 * The Python frontend: tree-sitter (the shared layer in `../tree-sitter/` + the `tree-sitter-python`
 * WASM grammar) → model.
 *
 * The grammar loads when the first `.py` file is analysed (`loadFrontendFor(path)`) or with
 * `initFrontends()`: until then `parse` throws `GrammarNotLoadedError`, which `analyze()` reports
 * and turns into an empty model.
 */
import type { Frontend } from '../../engine/language';
import { createTreeSitterFrontend, treeSitterTree, type TreeSitterTree } from '../tree-sitter';
import { buildModel, type BuildState } from './builder';
import { catalogForLibrary, pythonCatalog } from './catalog';
import { pythonFixes } from './fixes';
import { pythonResolver } from './resolver';
import { pythonRoleFacts } from './roles';
import { PYTHON_GRAMMAR, PYTHON_KINDS } from './syntax';

/** What the Python builder keeps beside the model, for the fixes. */
export interface PythonData {
  readonly state: BuildState;
}

/** What the Python frontend keeps in `ParsedFile.tree`. */
export type PythonTree = TreeSitterTree<PythonData>;

const treeSitterFrontend: Frontend = createTreeSitterFrontend<PythonData>({
  language: 'python',
  displayName: 'Python',
  extensions: ['.py'],
  catalog: pythonCatalog,
  grammar: PYTHON_GRAMMAR,
  kinds: PYTHON_KINDS,
  build(view, text, path, catalog) {
    const built = buildModel(view.root, text, path, catalog, view.syntaxErrors);
    const model = { ...built.model, roleFacts: pythonRoleFacts(built.state, built.model, view.root) };
    return { model, data: { state: built.state } };
  },
  fixes: pythonFixes,
});

/** The Python frontend registered with the engine: it links across files, and a file on trio or anyio gets advice for its library. */
export const pythonFrontend: Frontend = {
  ...treeSitterFrontend,
  resolver: pythonResolver,
  fileCatalog(parsed, catalog) {
    const lib = treeSitterTree<PythonData>(parsed, PYTHON_GRAMMAR)?.data.state.library;
    return lib ? catalogForLibrary(catalog, lib) : catalog;
  },
};
