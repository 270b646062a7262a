/**
 * The Java frontend: tree-sitter (the shared layer in `../tree-sitter/` + the `tree-sitter-java` WASM
 * grammar) → model. The grammar loads when the first `.java` file is analysed (`loadFrontendFor`) or
 * with `initFrontends()`; until then `parse` throws, and `analyze()` reports it once.
 */
import type { Frontend } from '../../engine/language';
import { createTreeSitterFrontend, type TreeSitterTree } from '../tree-sitter';
import { buildModel, type JavaState } from './builder';
import { javaCatalog } from './catalog';
import { javaExports } from './exports';
import { javaFixes } from './fixes';
import { javaResolver } from './resolver';
import { javaRoleFacts } from './roles';
import { JAVA_GRAMMAR, JAVA_KINDS } from './syntax';

/** What the Java builder keeps beside the model, for the fixes. */
export interface JavaData {
  readonly state: JavaState;
}

/** What the Java frontend keeps in `ParsedFile.tree`. */
export type JavaTree = TreeSitterTree<JavaData>;

/** The Java frontend registered with the engine. */
const treeSitterFrontend: Frontend = createTreeSitterFrontend<JavaData>({
  language: 'java',
  displayName: 'Java',
  extensions: ['.java'],
  catalog: javaCatalog,
  grammar: JAVA_GRAMMAR,
  kinds: JAVA_KINDS,
  build(view, text, path, catalog) {
    const built = buildModel(view.root, text, path, catalog, view.syntaxErrors);
    return { model: { ...built.model, roleFacts: javaRoleFacts(built.state), exports: javaExports(built.state) }, data: { state: built.state } };
  },
  fixes: javaFixes,
});

/** The Java frontend registered with the engine: it links across files (a method of another class of the project). */
export const javaFrontend: Frontend = { ...treeSitterFrontend, resolver: javaResolver };
