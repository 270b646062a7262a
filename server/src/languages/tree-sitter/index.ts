/**
 * The shared tree-sitter layer: what a tree-sitter language frontend builds on. See
 * `docs/architecture.md` ("Tree-sitter languages") and CONTRIBUTING.md for how to add a language.
 */
export { declaredGrammars, declareGrammar, GrammarNotLoadedError, grammarLoaded, loadGrammar, loadedGrammar, type Grammar } from './grammar';
export { childInField, childOfType, childrenOfType, materialise, nearestAncestorIn, newNode, nodeList, nodeSpan, walk, type NodeKinds, type SyntaxNode, type View } from './view';
export { createTreeSitterFrontend, freeTree, materialiseText, treeSitterTree, TreeSitterTree, type TreeSitterLanguage } from './frontend';
