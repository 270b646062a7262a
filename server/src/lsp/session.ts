// The server's state at its stateful edge: open documents, their latest analysis, settings per
// resource, the project config, and the client's capabilities. Features read it; only this file
// and the scheduler change it.
import { fileURLToPath } from 'node:url';
import { TextDocuments, type ClientCapabilities, type Connection, type TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis, type ErrorSink } from '../project/analyze';
import type { Config } from '../engine/config';
import type { TextChange } from '../engine/language';
import { frontendForPath, loadFrontendFor } from '../project/languages';
import type { InitializationOptions } from '../shared/protocol';
import { ProjectConfig } from './config-file';
import { importsText, type ProjectIndex } from './project-index';
import { Manifests } from './manifest';
import { DEFAULT_SETTINGS, resolveSettings, type Settings } from './settings';

/** Analyses at least this slow are logged to the output channel. */
const SLOW_ANALYSIS_MS = 500;

/** What the client can do, read once from `initialize`. */
export interface ClientSupport {
  readonly configuration: boolean;
  readonly watchedFilesDynamic: boolean;
  readonly codeActionResolve: boolean;
  /** Code actions may carry `disabled: {reason}` (a refused fix, shown with why). */
  readonly codeActionDisabled: boolean;
  /** Workspace edits may hold snippet edits (a placeholder the cursor lands on). */
  readonly snippetEdits: boolean;
  readonly createFiles: boolean;
  readonly documentChanges: boolean;
  readonly workDoneProgress: boolean;
  readonly showDocument: boolean;
  readonly inlayHintRefresh: boolean;
  /** The VS Code client draws decorations: inlay hints default to off. */
  readonly decorations: boolean;
  /** The client shows the workspace scan's summary itself (from the command's result). */
  readonly showsScanResult: boolean;
  /** The client shows why a finding has no fix itself (from `asyncBoundary.explainNoFix`'s result). */
  readonly showsFixExplanations: boolean;
}

export function readClientSupport(caps: ClientCapabilities, init: InitializationOptions | undefined): ClientSupport {
  const resolveProps = caps.textDocument?.codeAction?.resolveSupport?.properties ?? [];
  return {
    configuration: caps.workspace?.configuration === true,
    watchedFilesDynamic: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    codeActionResolve: resolveProps.includes('edit'),
    codeActionDisabled: caps.textDocument?.codeAction?.disabledSupport === true,
    snippetEdits: caps.workspace?.workspaceEdit?.snippetEditSupport === true,
    createFiles: (caps.workspace?.workspaceEdit?.resourceOperations ?? []).includes('create'),
    documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
    workDoneProgress: caps.window?.workDoneProgress === true,
    showDocument: caps.window?.showDocument?.support === true,
    inlayHintRefresh: caps.workspace?.inlayHint?.refreshSupport === true,
    decorations: init?.decorations === true,
    showsScanResult: init?.showsScanResult === true,
    showsFixExplanations: init?.showsFixExplanations === true,
  };
}

/** The analysis of one version of an open document. */
export interface DocumentAnalysis {
  readonly uri: string;
  readonly version: number;
  readonly analysis: Analysis;
  /** The config it ran with: a different one means the analysis is stale. */
  readonly config: Config;
  /** The cross-file imports it ran with (`importsText`): different ones mean it is stale. */
  readonly imports: string;
}

export function uriToPath(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

/** Extensions for documents whose URI has none (untitled buffers), by LSP language id. */
const EXTENSION_BY_LANGUAGE: Readonly<Record<string, string>> = {
  typescript: '.ts',
  typescriptreact: '.tsx',
  javascript: '.js',
  javascriptreact: '.jsx',
  rust: '.rs',
  go: '.go',
  python: '.py',
  java: '.java',
};

/** The path the engine sees: the file's own, or for an untitled buffer one whose extension names its language. */
export function analysisPath(uri: string, languageId: string): string {
  const path = uriToPath(uri);
  if (frontendForPath(path)) return path;
  const ext = EXTENSION_BY_LANGUAGE[languageId];
  return ext === undefined ? path : `${path}${ext}`;
}

/** Queued edits beyond which the next analysis parses from scratch. */
const MAX_QUEUED_CHANGES = 64;

export class Session {
  readonly documents: TextDocuments<TextDocument>;
  support: ClientSupport = readClientSupport({}, undefined);
  /** Workspace folder paths (the first one holds the project config). */
  folders: string[] = [];
  readonly project: ProjectConfig;
  /** Dependencies per project manifest, for fixes that depend on them (piscina, the async runtime). */
  readonly manifests = new Manifests();
  /** Changes since the last analysis, per document, in the coordinates of that analysis' text; `null` forces a full parse. */
  private readonly pending = new Map<string, TextChange[] | null>();
  private readonly analyses = new Map<string, DocumentAnalysis>();
  private readonly settings = new Map<string, Promise<Settings>>();
  private pushed: Settings = DEFAULT_SETTINGS;
  private readonly logged = new Set<string>();
  /** Per language, the load of its frontend (a tree-sitter grammar), started by its first file. */
  private readonly frontendLoads = new Map<string, Promise<void>>();
  /** The workspace's cross-file summaries (set by the server; absent, analyses stay within each file). */
  index: ProjectIndex | undefined;

  constructor(readonly connection: Connection) {
    this.project = new ProjectConfig(this);
    this.documents = new TextDocuments({
      create: (uri, languageId, version, text) => TextDocument.create(uri, languageId, version, text),
      update: (doc, changes, version) => {
        this.recordChanges(doc, changes);
        return TextDocument.update(doc, changes, version);
      },
    });
  }

  /**
   * Converts LSP content changes to engine offsets before the document applies them, and queues them
   * behind the changes not yet analysed. Both the queue and one notification's changes are in order,
   * each in the coordinates of the text the previous one left (LSP's semantics and the frontends'),
   * so typing faster than the debounce still gets an incremental reparse.
   */
  private recordChanges(doc: TextDocument, changes: readonly TextDocumentContentChangeEvent[]): void {
    const prior = this.pending.get(doc.uri);
    if (prior === null) return;
    const queue = prior ? [...prior] : [];
    // Offsets of a later change in the same notification need the text after the earlier ones: a
    // scratch copy takes them (the real document is updated by the caller, once).
    let text: TextDocument = changes.length > 1 ? TextDocument.create(doc.uri, doc.languageId, doc.version, doc.getText()) : doc;
    for (const change of changes) {
      // A whole-document replacement, or a backlog long enough that reusing the tree no longer pays.
      if (!('range' in change) || queue.length >= MAX_QUEUED_CHANGES) {
        this.pending.set(doc.uri, null);
        return;
      }
      queue.push({ start: text.offsetAt(change.range.start), end: text.offsetAt(change.range.end), newText: change.text });
      if (changes.length > 1) text = TextDocument.update(text, [change], text.version);
    }
    this.pending.set(doc.uri, queue);
  }

  /** Logs a message once per distinct text, so a rule failing on every keystroke does not flood the log. */
  logOnce(message: string): void {
    if (this.logged.has(message)) return;
    this.logged.add(message);
    this.connection.console.error(message);
  }

  /**
   * Runs a promise nobody awaits (a notification, a registration, a scheduled publish). A rejection
   * (the client refused a request, the connection closed) is logged once instead of becoming an
   * unhandled rejection that would end the process.
   */
  background(work: Promise<unknown>, what: string): void {
    work.catch((error: unknown) => this.logOnce(`async-boundary: ${what} failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  readonly onError: ErrorSink = (where, error) => {
    const text = error instanceof Error ? error.message : String(error);
    this.logOnce(`async-boundary: ${where} failed: ${text}`);
  };

  /** Settings for a resource, pulled with `workspace/configuration` and cached until the client says they changed. */
  settingsFor(uri: string): Promise<Settings> {
    if (!this.support.configuration) return Promise.resolve(this.pushed);
    let cached = this.settings.get(uri);
    if (!cached) {
      cached = this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'asyncBoundary' }).then(
        (raw: unknown) => resolveSettings(raw, (m) => this.logOnce(m)),
        (error: unknown) => {
          this.logOnce(`async-boundary: cannot read settings: ${String(error)}`);
          return DEFAULT_SETTINGS;
        },
      );
      this.settings.set(uri, cached);
    }
    return cached;
  }

  /**
   * Drops cached settings. A client that cannot answer `workspace/configuration` may push its
   * settings in `didChangeConfiguration` instead (`{asyncBoundary: {…}}`): those are used for every document.
   */
  dropSettings(pushed?: unknown): void {
    this.settings.clear();
    if (!this.support.configuration && pushed !== null && typeof pushed === 'object') {
      this.pushed = resolveSettings((pushed as Record<string, unknown>)['asyncBoundary'], (m) => this.logOnce(m));
    }
  }

  /** Inlay hints are on by default except for a client that draws decorations instead. */
  inlayHintsOn(settings: Settings): boolean {
    return settings.inlayHintsEnabled ?? !this.support.decorations;
  }

  /**
   * Settles when the frontend of `path` has loaded what it needs (a tree-sitter grammar is loaded when
   * the first file of its language is analysed). A grammar that fails to load is logged once and
   * leaves its language without findings; the others still work.
   */
  frontendReady(path: string): Promise<void> {
    const language = frontendForPath(path)?.language;
    if (language === undefined) return Promise.resolve();
    let ready = this.frontendLoads.get(language);
    if (!ready) {
      ready = loadFrontendFor(path).catch((error: unknown) => this.logOnce(`async-boundary: cannot load a language grammar: ${String(error)}`));
      this.frontendLoads.set(language, ready);
    }
    return ready;
  }

  /** The analysis of the document's current text, computed now when the last one is stale. */
  async current(uri: string): Promise<DocumentAnalysis | undefined> {
    const settings = await this.settingsFor(uri);
    const path = uriToPath(uri);
    const doc = this.documents.get(uri);
    await this.frontendReady(doc ? analysisPath(uri, doc.languageId) : path);
    if (!settings.enable || !this.project.covers(path)) return undefined;
    return this.analyzeNow(uri, this.project.configFor(path, settings.rules, settings.roles));
  }

  /** Synchronous part of {@link current}: analyses the latest text unless the cached result is for it. */
  analyzeNow(uri: string, config: Config): DocumentAnalysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const cached = this.analyses.get(uri);
    const onDisk = uri.startsWith('file:');
    const imports = onDisk && this.index ? this.index.importsFor(uriToPath(uri)) : {};
    const importsKey = importsText(imports);
    if (cached && cached.version === doc.version && cached.config === config && cached.imports === importsKey) return cached;
    const pending = this.pending.get(uri);
    const incremental = cached && cached.config === config && pending ? { previous: cached.analysis.parsed, changes: pending } : {};
    const location = this.project.locationFor(uriToPath(uri));
    const started = performance.now();
    const analysis = analyze({ path: analysisPath(uri, doc.languageId), text: doc.getText() }, config, { ...incremental, ...(location ? { location } : {}), imports, onError: this.onError });
    const ms = Math.round(performance.now() - started);
    // A slow analysis is what makes diagnostics lag behind typing: say which file, every time.
    if (ms >= SLOW_ANALYSIS_MS) this.connection.console.info(`async-boundary: analysed ${uriToPath(uri)} (version ${doc.version}, ${doc.lineCount} lines) in ${ms} ms`);
    this.pending.set(uri, []);
    if (!analysis) {
      this.analyses.delete(uri);
      return undefined;
    }
    const result: DocumentAnalysis = { uri, version: doc.version, analysis, config, imports: importsKey };
    this.analyses.set(uri, result);
    if (onDisk) this.index?.noteAnalysis(uriToPath(uri), analysis);
    return result;
  }

  /**
   * Analyses another text of an open document (a fix-all's intermediate result) as {@link analyzeNow}
   * analyses its buffer: the same path, config, location and imports. Nothing is cached.
   */
  analyzeText(uri: string, config: Config, text: string): Analysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const imports = uri.startsWith('file:') && this.index ? this.index.importsFor(uriToPath(uri)) : {};
    const location = this.project.locationFor(uriToPath(uri));
    return analyze({ path: analysisPath(uri, doc.languageId), text }, config, { ...(location ? { location } : {}), imports, onError: this.onError });
  }

  /** The imports the document's last analysis ran with (`importsText`), if it has one. */
  importsUsed(uri: string): string | undefined {
    return this.analyses.get(uri)?.imports;
  }

  /** The file path of a document, as the index keys it. */
  pathOf(uri: string): string {
    return uriToPath(uri);
  }

  /** The cached analysis, if it matches the document's version. Does not analyse. */
  cached(uri: string, version?: number): DocumentAnalysis | undefined {
    const a = this.analyses.get(uri);
    const doc = this.documents.get(uri);
    if (!a || !doc || a.version !== (version ?? doc.version)) return undefined;
    return a;
  }

  /** Drops the tree of a closed document. */
  forget(uri: string): void {
    this.analyses.delete(uri);
    this.pending.delete(uri);
  }
}
