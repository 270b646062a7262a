/**
 * The Rust frontend: tree-sitter (the shared layer in `../tree-sitter/` + the `tree-sitter-rust`
 * WASM grammar) → model.
 *
 * The grammar loads when the first `.rs` file is analysed (`loadFrontendFor(path)`) or with
 * `initFrontends()`: until then `parse` throws {@link RustNotInitialisedError}, which `analyze()`
 * reports once and turns into an empty model.
 *
 * The edition changes one drop rule (`if let` temporaries, see `locks.ts`). The frontend does no IO,
 * so it cannot read `Cargo.toml`: it assumes 2021 unless built with {@link createRustFrontend}.
 */
import type { Frontend } from '../../engine/language';
import { createTreeSitterFrontend, type TreeSitterTree } from '../tree-sitter';
import { buildModel, type BuildState } from './builder';
import { rustCatalog } from './catalog';
import { rustFixes } from './fixes';
import { initRust, RUST_GRAMMAR, rustReady, RustNotInitialisedError } from './grammar';
import type { Edition } from './locks';
import { rustRoleFacts } from './roles';
import { RUST_KINDS } from './syntax';
import { rustResolver } from './resolver';

export { initRust, rustReady, RustNotInitialisedError };

/** What the Rust builder keeps beside the model, for the fixes. */
export interface RustData {
  readonly state: BuildState;
  readonly edition: Edition;
}

/** What the Rust frontend keeps in `ParsedFile.tree`. */
export type RustTree = TreeSitterTree<RustData>;

/** Builds a Rust frontend; `edition` sets the drop rules (default 2021). */
export function createRustFrontend(options: { edition?: Edition } = {}): Frontend {
  const edition = options.edition ?? 2021;
  // The resolver is set on the frontend here, so the shared tree-sitter layer needs no field for it.
  const frontend = createTreeSitterFrontend<RustData>({
    language: 'rust',
    displayName: 'Rust',
    extensions: ['.rs'],
    catalog: rustCatalog,
    grammar: RUST_GRAMMAR,
    kinds: RUST_KINDS,
    build(view, text, path, catalog) {
      const built = buildModel(view.root, text, path, catalog, view.syntaxErrors, edition);
      const model = { ...built.model, ...(view.firstSyntaxError !== undefined ? { firstSyntaxError: view.firstSyntaxError } : {}), roleFacts: rustRoleFacts(text, built.items, built.model) };
      return { model, data: { state: built.state, edition } };
    },
    fixes: rustFixes,
  });
  return { ...frontend, resolver: rustResolver };
}

/** The Rust frontend registered with the engine (edition 2021 drop rules). */
export const rustFrontend: Frontend = createRustFrontend();

export { cargoDependencies, cargoManifest } from './manifest';
export { rustResolver } from './resolver';
