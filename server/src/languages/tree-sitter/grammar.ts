/**
 * Loads tree-sitter grammars, each once per thread and only when first asked for.
 *
 * A grammar is named by its npm package (`tree-sitter-rust`), whose WASM file is `<name>.wasm`. In
 * the bundle the WASM files sit next to the script in `dist/` (copied by `scripts/build.mjs` for every
 * grammar a frontend declares); from sources (tests) they are found under `node_modules/<name>/`.
 * The runtime (`tree-sitter.wasm`) is started with the first grammar, so a run that meets no
 * tree-sitter language loads no WASM at all.
 *
 * Loading WASM is asynchronous while `Frontend.parse` is synchronous: callers await
 * {@link loadGrammar} (through `loadFrontendFor(path)` or `initFrontends()`) before analysing; until
 * then {@link loadedGrammar} throws {@link GrammarNotLoadedError}, which `analyze()` reports.
 *
 * This is the one place in `languages/` that touches the file system (it locates WASM files).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Language, Parser } from 'web-tree-sitter';
// `require`, not `import`: a bundle must take the package's CommonJS build (its ES build needs
// `import.meta.url`, which a CommonJS bundle does not have).
import TreeSitter = require('web-tree-sitter');

/** A loaded grammar: its language and a parser set to it (one per grammar, shared by the thread). */
export interface Grammar {
  readonly name: string;
  readonly language: Language;
  readonly parser: Parser;
}

/** Thrown when a frontend parses before its grammar is loaded. */
export class GrammarNotLoadedError extends Error {
  constructor(readonly grammar: string, what: string) {
    super(`the ${what} grammar is not loaded: call \`await initFrontends()\` (or \`await loadFrontendFor(path)\`) before analysing`);
    this.name = 'GrammarNotLoadedError';
  }
}

const RUNTIME_FILE = 'tree-sitter.wasm';

const declared = new Set<string>();

/** Records that a frontend uses the grammar `name` (done by `createTreeSitterFrontend`). */
export function declareGrammar(name: string): void {
  declared.add(name);
}

/** The grammars declared by the frontends created so far, in order: the build ships their WASM files. */
export function declaredGrammars(): string[] {
  return [...declared];
}

let runtime: Promise<void> | undefined;
const loading = new Map<string, Promise<Grammar>>();
const loaded = new Map<string, Grammar>();

/** The first existing file among `<dir of this script>/file` and `<dir>/<up…>/node_modules/<pkg>/file`. */
function locate(file: string, pkg: string): string | undefined {
  const beside = join(__dirname, file);
  if (existsSync(beside)) return beside;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg, file);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The tree-cursor entry points of web-tree-sitter's WASM binding (0.25), for {@link rawCursor}. Each
 * reads the cursor from the binding's transfer buffer and, for the moves, writes it back there.
 */
export interface RawCursor {
  /** The binding's transfer buffer (a byte address in `heap()`). */
  readonly transfer: number;
  /** The WASM memory as 32-bit words (the view is replaced when the memory grows: ask each time). */
  heap(): Int32Array;
  readonly firstChild: (tree: number) => number;
  readonly nextSibling: (tree: number) => number;
  readonly parent: (tree: number) => number;
  readonly typeId: (tree: number) => number;
  readonly startIndex: (tree: number) => number;
  readonly endIndex: (tree: number) => number;
  readonly fieldId: (tree: number) => number;
  readonly isMissing: (tree: number) => number;
}

type WasmFn = (tree: number) => number;
/** The Emscripten module object: web-tree-sitter's `Parser.init(options)` makes `options` the module. */
interface EmscriptenModule {
  HEAP32?: Int32Array;
  _ts_init?: () => number;
  _ts_tree_cursor_goto_first_child_wasm?: WasmFn;
  _ts_tree_cursor_goto_next_sibling_wasm?: WasmFn;
  _ts_tree_cursor_goto_parent_wasm?: WasmFn;
  _ts_tree_cursor_current_node_type_id_wasm?: WasmFn;
  _ts_tree_cursor_start_index_wasm?: WasmFn;
  _ts_tree_cursor_end_index_wasm?: WasmFn;
  _ts_tree_cursor_current_field_id_wasm?: WasmFn;
  _ts_tree_cursor_current_node_is_missing_wasm?: WasmFn;
}

let raw: RawCursor | undefined;
let rawDisabled = false;

/**
 * Direct access to the binding's cursor functions, or `undefined` when this runtime does not expose
 * them (another copy of web-tree-sitter initialised the runtime first, or a version without them).
 * The public `TreeCursor` copies the cursor into and out of WASM memory around every call (eight
 * typed-memory accesses through a generic accessor), which cost as much as the calls themselves:
 * the materialising pass keeps the cursor in the transfer buffer instead (see `view.ts`).
 */
export function rawCursor(): RawCursor | undefined {
  return rawDisabled ? undefined : raw;
}

/** Turns {@link rawCursor} off or back on (tests compare both paths). */
export function setRawCursorEnabled(enabled: boolean): void {
  rawDisabled = !enabled;
}

function rawFrom(m: EmscriptenModule): RawCursor | undefined {
  const { _ts_init: init, HEAP32: heap } = m;
  const firstChild = m._ts_tree_cursor_goto_first_child_wasm;
  const nextSibling = m._ts_tree_cursor_goto_next_sibling_wasm;
  const parent = m._ts_tree_cursor_goto_parent_wasm;
  const typeId = m._ts_tree_cursor_current_node_type_id_wasm;
  const startIndex = m._ts_tree_cursor_start_index_wasm;
  const endIndex = m._ts_tree_cursor_end_index_wasm;
  const fieldId = m._ts_tree_cursor_current_field_id_wasm;
  const isMissing = m._ts_tree_cursor_current_node_is_missing_wasm;
  if (!init || !(heap instanceof Int32Array) || !firstChild || !nextSibling || !parent || !typeId || !startIndex || !endIndex || !fieldId || !isMissing) return undefined;
  // `ts_init` only stores the two language-version words in the buffer and returns its address.
  const transfer = init();
  if (typeof transfer !== 'number' || transfer <= 0 || transfer % 4 !== 0) return undefined;
  return { transfer, heap: () => m.HEAP32!, firstChild, nextSibling, parent, typeId, startIndex, endIndex, fieldId, isMissing };
}

function startRuntime(): Promise<void> {
  if (runtime) return runtime;
  const current = (async () => {
    const path = locate(RUNTIME_FILE, 'web-tree-sitter');
    const options: EmscriptenModule & { locateFile?: () => string } = path ? { locateFile: () => path } : {};
    await TreeSitter.Parser.init(options);
    raw = rawFrom(options);
  })();
  runtime = current;
  void current.catch(() => {
    if (runtime === current) runtime = undefined;
  });
  return current;
}

/**
 * Loads the grammar `name` (an npm package name, `tree-sitter-<lang>`). Idempotent and safe to call
 * concurrently: every caller awaits the same load; a failed load is retried by the next call.
 * Rejects when a WASM file is missing or incompatible with the runtime.
 */
export function loadGrammar(name: string): Promise<Grammar> {
  const pending = loading.get(name);
  if (pending) return pending;
  const current = (async () => {
    await startRuntime();
    const file = `${name}.wasm`;
    const path = locate(file, name);
    if (!path) throw new Error(`cannot find ${file} next to the bundle or under node_modules/${name}`);
    const language = await TreeSitter.Language.load(path);
    const parser = new TreeSitter.Parser();
    parser.setLanguage(language);
    const grammar: Grammar = { name, language, parser };
    loaded.set(name, grammar);
    return grammar;
  })();
  loading.set(name, current);
  void current.catch(() => {
    if (loading.get(name) === current) loading.delete(name);
  });
  return current;
}

/** True once the grammar `name` is loaded in this thread. */
export function grammarLoaded(name: string): boolean {
  return loaded.has(name);
}

/**
 * The loaded grammar `name`; throws {@link GrammarNotLoadedError} before {@link loadGrammar} has
 * finished. `what` names the language in the error ("Rust").
 */
export function loadedGrammar(name: string, what: string = name): Grammar {
  const g = loaded.get(name);
  if (!g) throw new GrammarNotLoadedError(name, what);
  return g;
}
