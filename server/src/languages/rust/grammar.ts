/**
 * The Rust grammar, loaded by the shared tree-sitter layer (`../tree-sitter/grammar.ts`) when the
 * first `.rs` file is analysed (or by `initFrontends()`). Until then parsing throws
 * {@link GrammarNotLoadedError}, which `analyze()` reports once, and the file gets an empty model.
 */
import { grammarLoaded, GrammarNotLoadedError, loadedGrammar, loadGrammar, type Grammar } from '../tree-sitter';

/** The npm package (and WASM file name) of the Rust grammar. */
export const RUST_GRAMMAR = 'tree-sitter-rust';

/** Thrown by the Rust frontend when it is used before its grammar is loaded. */
export { GrammarNotLoadedError as RustNotInitialisedError };

/** Loads the Rust grammar. Idempotent; a failed load is retried by the next call. */
export async function initRust(): Promise<void> {
  await loadGrammar(RUST_GRAMMAR);
}

/** True once the Rust grammar is loaded in this thread. */
export function rustReady(): boolean {
  return grammarLoaded(RUST_GRAMMAR);
}

/** The loaded Rust grammar; throws before {@link initRust}. */
export function rustGrammar(): Grammar {
  return loadedGrammar(RUST_GRAMMAR, 'Rust');
}
