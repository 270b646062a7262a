/**
 * The custom LSP messages shared by the server (`server/src/lsp/`) and the VS Code client
 * (`client/src/`). Plain types and method names only: both sides import this file, so it must not
 * import `vscode` or `vscode-languageserver`. Documented in `docs/lsp-extensions.md`.
 */

/** A 0-based line/character position (UTF-16), as in LSP. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

/** A range of positions, as in LSP. */
export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** `asyncBoundary/yieldPoints`: every yield point and held region of one open document. */
export const YIELD_POINTS_METHOD = 'asyncBoundary/yieldPoints';

export interface YieldPointsParams {
  readonly textDocument: { readonly uri: string };
}

export interface YieldPointInfo {
  /** The keyword (`await`, `.await`, `yield`, `for await`). */
  readonly range: Range;
  /** The model's yield kind: `await`, `for-await`, `yield`, `select`, `async-with`. */
  readonly kind: string;
  /** 1-based position among the yield points of its async context. */
  readonly ordinal: number;
  /** The enclosing async context's name (`handleUpload`). */
  readonly context: string;
  /** The locks held across this yield point, as written (`this.mutex`). Empty when nothing is held. */
  readonly held: readonly string[];
  /** A finding is reported at this yield point (a lock held across it that should not be). */
  readonly finding?: boolean;
  /**
   * The 0-based line at whose end what is held is said: where the yield expression ends when its call
   * spreads over a few lines (`await fetch(url, {` … `});`), else the keyword's line. Absent from older servers.
   */
  readonly labelLine?: number;
}

export interface HeldRegionInfo {
  /** From acquisition to release. */
  readonly range: Range;
  /** The lock expression as written. */
  readonly lock: string;
  /** `blocking` or `async`. */
  readonly kind: string;
  readonly acquireRange: Range;
  readonly releaseRange?: Range;
}

export interface YieldPointsResult {
  /** The document version the result was computed for. */
  readonly version: number;
  readonly yieldPoints: readonly YieldPointInfo[];
  readonly heldRegions: readonly HeldRegionInfo[];
}

/** `initializationOptions` the VS Code client sends. Other clients send none. */
export interface InitializationOptions {
  /**
   * The client draws yield points as decorations itself, so the server's inlay hints default to
   * off (the `asyncBoundary.inlayHints.enabled` setting still turns them on).
   */
  readonly decorations?: boolean;
  /**
   * The client shows the summary of `asyncBoundary.scanWorkspace` itself, from the command's result
   * (`message`), with a "Show Problems" button: the server sends no `window/showMessage` for it.
   */
  readonly showsScanResult?: boolean;
  /**
   * The client shows the result of `asyncBoundary.explainNoFix` itself (`message`, with a button to
   * `docs`): the server sends no `window/showMessage` for it.
   */
  readonly showsFixExplanations?: boolean;
  /**
   * A folder the server may keep its caches in between sessions (VS Code: the extension's storage
   * for this workspace, never the workspace itself). With it, the workspace index keeps each file's
   * cross-file summary there, keyed by the file's content, and a start-up analyses only the files
   * that changed; without it, every start-up analyses the whole workspace.
   */
  readonly cacheFolder?: string;
  /**
   * `false` turns cross-file analysis off: no workspace index is built, no summaries are kept, and
   * each file is analysed on its own (for a very large workspace, or to compare). Default: on.
   */
  readonly crossFile?: boolean;
}

/** What `asyncBoundary.scanWorkspace` returns. */
export interface ScanResult {
  readonly files: number;
  readonly findings: number;
  readonly skipped: number;
  readonly cancelled: boolean;
  /** Files whose problems an earlier scan showed and this one no longer finds, cleared. */
  readonly cleared: number;
  /** Milliseconds the scan took. */
  readonly ms: number;
  /** The one-line summary a client shows. */
  readonly message: string;
}

/** Commands the server executes (`workspace/executeCommand`). The VS Code client gets them registered by the language client. */
export const COMMANDS = {
  scanWorkspace: 'asyncBoundary.scanWorkspace',
  openRuleDocs: 'asyncBoundary.openRuleDocs',
  /** Shows why a finding has no automatic fix; its argument is a {@link NoFixExplanation} (sent by the "No automatic fix" code action). */
  explainNoFix: 'asyncBoundary.explainNoFix',
} as const;

/** The argument of `asyncBoundary.explainNoFix`: the fixes the engine considered for a finding and refused, each with why. */
export interface NoFixExplanation {
  readonly rule: string;
  readonly refused: readonly { readonly title: string; readonly reason: string }[];
}

/** What `asyncBoundary.explainNoFix` returns: the explanation, and the rule's documentation. */
export interface NoFixExplanationResult {
  readonly message: string;
  readonly docs: string;
}

/** The `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'async-boundary';
