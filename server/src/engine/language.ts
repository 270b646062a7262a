import type { Catalog } from './catalog';
import type { Finding, Fix, RefusedFix, TextEdit } from './finding';
import type { ModuleResolver } from './linker';
import type { FileModel, LanguageId } from './model';

/** A parsed file: the model every rule reads, plus the frontend's own tree for incremental reparse and fixes. */
export interface ParsedFile {
  readonly path: string;
  readonly text: string;
  readonly model: FileModel;
  /** The frontend's syntax tree. Opaque outside the frontend; dropped for closed files. */
  readonly tree: unknown;
}

/**
 * A change to a document, in the coordinates of the text before the change. A list of changes is
 * applied in order, each in the text the previous one left (LSP's `contentChanges` semantics).
 */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/** What a fix builder may consult beyond the finding and the parsed file. */
export interface FixContext {
  readonly catalog: Catalog;
  /** Packages the workspace depends on (from the nearest manifest), to pick a fix (`piscina`, `tokio`). */
  readonly dependencies?: ReadonlySet<string>;
  /** The version range of each dependency, where the manifest states one (package.json: `^3.1.0`). */
  readonly versions?: ReadonlyMap<string, string>;
}

/** Fixes offered for a finding, and fixes considered but refused (with the reason). */
export interface FixResult {
  readonly fixes: readonly Fix[];
  readonly refused: readonly RefusedFix[];
}

/**
 * A language frontend: turns source text into the model, and builds fix edits. It does no IO:
 * callers hand in text and get data back.
 */
export interface Frontend {
  readonly language: LanguageId;
  /** File extensions with the dot (`.ts`, `.rs`). */
  readonly extensions: readonly string[];
  /** The built-in catalog. */
  readonly catalog: Catalog;
  /**
   * Loads what `parse` needs (a tree-sitter grammar), once; absent when nothing needs loading.
   * Callers await it through `loadFrontendFor(path)` before analysing a file of this language.
   */
  load?(): Promise<void>;
  /**
   * Where a callee of this language lives in the project, for the cross-file linker
   * (engine/linker.ts). A language links across files by providing this and
   * `FileModel.exports`; without it, its analysis stays within each file.
   */
  readonly resolver?: ModuleResolver;
  /**
   * The catalog one file's rules and fixes read, when the file picks one of the language's async
   * libraries (a Python file on trio or anyio rather than asyncio): its wording and advice name the
   * library the file uses. Given the language's catalog (with the config's entries); absent: that catalog.
   */
  fileCatalog?(parsed: ParsedFile, catalog: Catalog): Catalog;
  /**
   * Parses `text` and builds its model. When `previous` (the last parse of the same document) and
   * `changes` are given, the frontend may reparse incrementally.
   */
  parse(text: string, path: string, catalog: Catalog, previous?: ParsedFile, changes?: readonly TextChange[]): ParsedFile;
  /** Number of syntax errors in `text`: used to refuse fixes whose result does not parse. */
  syntaxErrors(text: string, path: string): number;
  /** Fix edits for one finding. Unverified: the engine re-parses and drops fixes that break the file. */
  fixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult;
  /**
   * The pieces of a fix that spans files (project/cross-file-fix.ts), for a language that offers
   * one: making a function async in its own file, and awaiting its calls in the files that call it.
   */
  readonly crossFileFix?: CrossFileFixer;
}

/** Edits, or the reason there are none. */
export type EditsOrReason = { readonly edits: readonly TextEdit[]; readonly label: string } | { readonly reason: string };

/** What a frontend provides for "make the helper async" when the helper is in another file than the finding. */
export interface CrossFileFixer {
  /**
   * Makes the sync function `name` (its own name in its file) async: its blocking calls become their
   * awaited async twins and its calls in the same file are awaited. `label` names the twins
   * (`await fs.promises.readFile`). A reason when a call has no twin, a same-file caller cannot
   * await it, or the function is not one this can rewrite.
   */
  makeAsync(parsed: ParsedFile, name: string, ctx: FixContext): EditsOrReason;
  /**
   * Awaits the calls `callIds` of a function that becomes async. The call `fixing` (the one the
   * finding is on) may make its enclosing function async; every other call must already sit in an
   * async function (else the reason names it).
   */
  awaitCalls(parsed: ParsedFile, callIds: readonly number[], fixing: number | undefined): EditsOrReason;
  /**
   * Offloads the calls `callIds` at their call sites (the finding's call first, then the other calls
   * a merged finding stands for), for a language whose same-file fixes cannot see that the callee is
   * project code in another file (TS/JS: a worker thread that loads `helper`'s module, where `name`
   * is the function's own name and `shown` the module as messages show it). Optional: Rust's
   * `spawn_blocking` and Python's `asyncio.to_thread` wrap any call and need no other file.
   */
  offloadCall?(parsed: ParsedFile, callIds: readonly number[], helper: ParsedFile, name: string, shown: string, ctx: FixContext): { readonly fix?: Fix; readonly refused?: RefusedFix };
}

/**
 * The frontends a caller composes (the project module, server/src/project/): the engine picks one
 * per file through this and knows no registry of its own.
 */
export interface Languages {
  /** The frontend for a file path, by extension, or `undefined` when no frontend handles it. */
  frontendForPath(path: string): Frontend | undefined;
}
