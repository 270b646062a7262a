/**
 * Loads the tree-sitter Rust grammar once per process.
 *
 * Loading a WASM module is asynchronous while `Frontend.parse` is synchronous, so callers await
 * {@link initRust} (through `initFrontends()`) before analysing. Until then `parse` throws a clear
 * error, which `analyze()` catches and reports once, and the file gets an empty model.
 *
 * This is the one place in `languages/` that touches the file system: it locates the two WASM files
 * (the runtime's `tree-sitter.wasm` and the grammar's `tree-sitter-rust.wasm`). In the bundle they
 * sit next to the script in `dist/`; from sources (tests) they are found under `node_modules`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Language, Parser } from 'web-tree-sitter';
// `require`, not `import`: a bundle must take the package's CommonJS build (its ES build needs
// `import.meta.url`, which a CommonJS bundle does not have).
import TreeSitter = require('web-tree-sitter');

const GRAMMAR_FILE = 'tree-sitter-rust.wasm';
const RUNTIME_FILE = 'tree-sitter.wasm';

let parser: Parser | undefined;
let language: Language | undefined;
let loading: Promise<void> | undefined;

/** Thrown by the Rust frontend when it is used before {@link initRust} has finished. */
export class RustNotInitialisedError extends Error {
  constructor() {
    super('the Rust grammar is not loaded: call `await initFrontends()` before analysing `.rs` files');
    this.name = 'RustNotInitialisedError';
  }
}

/** The first existing file among `dir/name` and `dir/<up…>/node_modules/<pkg>/name`. */
function locate(name: string, pkg: string): string | undefined {
  const beside = join(__dirname, name);
  if (existsSync(beside)) return beside;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg, name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Loads the Rust grammar. Idempotent and safe to call concurrently: every caller awaits the same
 * load. Rejects when a WASM file is missing or incompatible with the runtime.
 */
export function initRust(): Promise<void> {
  if (loading) return loading;
  loading = (async () => {
    const runtime = locate(RUNTIME_FILE, 'web-tree-sitter');
    await TreeSitter.Parser.init(runtime ? { locateFile: () => runtime } : undefined);
    const grammar = locate(GRAMMAR_FILE, 'tree-sitter-rust');
    if (!grammar) throw new Error(`cannot find ${GRAMMAR_FILE} next to the bundle or under node_modules/tree-sitter-rust`);
    language = await TreeSitter.Language.load(grammar);
    parser = new TreeSitter.Parser();
    parser.setLanguage(language);
  })();
  const current = loading;
  // A failed load may be retried by the next call.
  void current.catch(() => {
    if (loading === current) loading = undefined;
  });
  return current;
}

/** True once {@link initRust} has completed. */
export function rustReady(): boolean {
  return parser !== undefined;
}

/** The shared parser and its language; throws {@link RustNotInitialisedError} before {@link initRust}. */
export function rustParser(): { parser: Parser; language: Language } {
  if (!parser || !language) throw new RustNotInitialisedError();
  return { parser, language };
}
