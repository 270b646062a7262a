/**
 * The engine's `analyze` with the project's frontends composed in: what the CLI, the language
 * server and the tests call. The engine itself (engine/analyze.ts) imports no layer above it.
 */
import { analyzeFile, type AnalyzeOptions, type Analysis } from '../engine/analyze';
import { DEFAULT_CONFIG, type Config } from '../engine/config';
import { freeTree, TreeSitterTree } from '../languages/tree-sitter';
import { LANGUAGES } from './languages';

/** Analyses one file with every registered frontend (see {@link analyzeFile}). */
export function analyze(file: { readonly path: string; readonly text: string }, config: Config = DEFAULT_CONFIG, options: AnalyzeOptions = {}): Analysis | undefined {
  return analyzeFile(LANGUAGES, file, config, options);
}

/**
 * Frees the tree-sitter tree behind an analysis that will not be re-parsed incrementally (the CLI's,
 * a closed file's in the language server). The view and everything read from it stay; only the
 * WASM tree goes, which otherwise waits for the garbage collector while new trees grow the WASM
 * memory, which never shrinks (grpc-go analysed twice over: 138 MB of WASM memory, 32 MB when freed).
 */
export function releaseTree(analysis: Analysis | undefined): void {
  const tree = analysis?.parsed.tree;
  if (tree instanceof TreeSitterTree) freeTree(tree);
}

export { applyEdits, fixesFor, type AnalyzeOptions, type Analysis, type ErrorSink } from '../engine/analyze';
