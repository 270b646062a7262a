// The server's cross-file index: a summary per file of the workspace (engine/summary.ts), built from
// a walk at start-up in the background (with progress), and kept current from the open documents'
// analyses and from files changed on disk. Analyses of open documents take their imports from it
// (`importsFor`); until the first build completes they get none, so per-file analysis works at once
// and the findings that need the index appear when it is ready. When a summary changes, the open
// documents whose imports changed are re-published (debounced by the publisher). The project's
// layout (Cargo.toml, package.json, tsconfig.json, the Python project files: where named packages and aliases lead) is read
// after the first build and again whenever one of those files changes on disk.
import { readFileSync, statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import { summaryOf, type Analysis } from '../engine/analyze';
import type { Config } from '../engine/config';
import type { FileLocation } from '../engine/roles-paths';
import type { Imports, Linker, ProjectLayout } from '../engine/linker';
import type { FileSummary } from '../engine/summary';
import { analyze, releaseTree } from '../project/analyze';
import type { FixProject } from '../project/cross-file-fix';
import { readSource, walkFiles } from '../project/files';
import { supportedExtensions } from '../project/languages';
import { readProjectLayout } from '../project/layout';
import { ConfigReader } from '../project/read-config';
import { detachedSummary, newLinker } from '../project/summaries';
import { contentHash, toolIdentity } from '../project/digest';
import { version } from '../../../package.json';
import { toDiagnostics } from './diagnostics';
import { SummaryCache } from './summary-cache';
import type { Session } from './session';

/** The manifests and configs the layout is read from, as the client is asked to watch them (a glob's alternatives). */
export const LAYOUT_FILES = ['Cargo.toml', 'package.json', 'pnpm-workspace.yaml', 'tsconfig.json', 'tsconfig.*.json', 'jsconfig.json', 'pyproject.toml', 'setup.py', 'setup.cfg', 'go.mod'];
/**
 * The same names as a test on a file's base name. Python's source roots are the folders that hold a
 * `pyproject.toml`, `setup.py` or `setup.cfg` (their contents are not read): one appearing or going
 * away moves a root, so it re-reads the layout like a changed tsconfig.
 */
export const LAYOUT_NAME = /^(?:Cargo\.toml|package\.json|pnpm-workspace\.yaml|[tj]sconfig(?:\..+)?\.json|pyproject\.toml|setup\.py|setup\.cfg|go\.mod)$/;

/** A file larger than this is not read for a fix that spans files. */
const MAX_FIX_FILE_BYTES = 2 * 1024 * 1024;

/** Other files' analyses kept for fixes that span files (a helper and its callers: 24 at most per fix). */
const MAX_FIX_ANALYSES = 32;

/** Files analysed between two yields to the event loop while the index is built. */
const BATCH = 16;

/** A stable text of a file's imports, to tell whether they changed. */
export function importsText(imports: Imports): string {
  return JSON.stringify(Object.keys(imports).sort().map((k) => [k, imports[k]]));
}

export class ProjectIndex {
  private readonly summaries = new Map<string, FileSummary>();
  /** The last analysis of each closed file read from disk, as the workspace scan would publish it ({@link firstPass}). */
  private readonly firstPasses = new Map<string, { readonly content: string; readonly config: Config; readonly location: string; readonly diagnostics: Diagnostic[]; readonly findings: number }>();
  /** Other files' analyses for fixes that span files, by path, with the text each was made from. */
  private readonly fixAnalyses = new Map<string, { text: string; analysis: Analysis | undefined }>();
  private layout: ProjectLayout = {};
  /** The configs the layout was read from (an `extends` may name any file): a change to one re-reads it. */
  private layoutFiles = new Set<string>();
  private layoutReads: Promise<void> = Promise.resolve();
  private linker: Linker | undefined;
  /** The first build has completed: analyses get their imports from now on. */
  ready = false;
  /** Settles when the first build has completed (tests wait on it). */
  built: Promise<void> = Promise.resolve();

  constructor(
    private readonly session: Session,
    /** Called with the open documents whose imports changed (the publisher re-publishes them). */
    private readonly onStale: (uris: string[]) => void,
    /** Called with the files each layout read tried, so the client is asked to watch those the standing globs miss. */
    private readonly onLayoutFiles?: (paths: readonly string[]) => void,
  ) {}

  /** The summary cache, when the client gave a folder for it ({@link useCache}). */
  private cache: Promise<{ store: SummaryCache; tool: string } | undefined> = Promise.resolve(undefined);

  /** Keeps closed files' summaries in `folder` between sessions (call before {@link start}). */
  useCache(folder: string): void {
    this.cache = Promise.all([SummaryCache.open(folder), toolIdentity(version, __filename)]).then(
      ([store, tool]) => {
        if (store.rejected) this.session.connection.console.info(`async-boundary: ignored the summary cache ${store.path}: ${store.rejected}; it is rewritten`);
        return { store, tool };
      },
      (error: unknown) => {
        this.session.logOnce(`async-boundary: cannot open the summary cache: ${String(error)}`);
        return undefined;
      },
    );
  }

  /** What a file's analysis receives from the other files of the workspace; nothing before the index is built. */
  importsFor(path: string): Imports {
    if (!this.ready) return {};
    this.linker ??= newLinker(this.summaries.values(), this.layout);
    return this.linker.importsFor(path);
  }

  /**
   * The project as a fix that spans files reads it (project/cross-file-fix.ts): the summaries, the
   * linker, and other files analysed from their editor buffer, else from the disk (a regular file of
   * at most 2 MB, read when the user asks for the fix).
   */
  fixProject(): FixProject | undefined {
    if (!this.ready) return undefined;
    this.linker ??= newLinker(this.summaries.values(), this.layout);
    const analyses = new Map<string, Analysis | undefined>();
    return {
      linker: this.linker,
      summaries: [...this.summaries.values()],
      analysisOf: (path) => {
        if (analyses.has(path)) return analyses.get(path);
        const text = this.textOf(path);
        const a = text === undefined ? undefined : this.fixAnalysis(path, text);
        analyses.set(path, a);
        return a;
      },
    };
  }

  /**
   * Another file's analysis for a fix that spans files, kept while its text stays the same: the fix
   * is computed again for every version of the document it is offered in (each keystroke, then the
   * editor's next code-action request), and the helper and its callers (up to 24 files) rarely
   * change meanwhile. At most {@link MAX_FIX_ANALYSES}, the least recently used dropped first.
   */
  private fixAnalysis(path: string, text: string): Analysis | undefined {
    const known = this.fixAnalyses.get(path);
    if (known && known.text === text) {
      this.fixAnalyses.delete(path);
      this.fixAnalyses.set(path, known);
      return known.analysis;
    }
    const analysis = analyze({ path, text }, undefined, { onError: this.session.onError });
    this.fixAnalyses.delete(path);
    this.fixAnalyses.set(path, { text, analysis });
    for (const oldest of this.fixAnalyses.keys()) {
      if (this.fixAnalyses.size <= MAX_FIX_ANALYSES) break;
      this.fixAnalyses.delete(oldest);
    }
    return analysis;
  }

  /** A file's text: the open document's, else the disk's. */
  textOf(path: string): string | undefined {
    const doc = this.session.documents.get(pathToFileURL(path).href);
    if (doc) return doc.getText();
    try {
      const st = statSync(path);
      return st.isFile() && st.size <= MAX_FIX_FILE_BYTES ? readFileSync(path, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  }

  /** The file's path as cross-file messages show it, as the CLI run from the workspace folder shows it. */
  shownPath(path: string): string {
    const location = this.session.project.locationFor(path);
    if (location?.projectPath !== undefined) return location.projectPath;
    const folder = this.session.folders.find((f) => path.startsWith(`${f}/`));
    return folder ? relative(folder, path).split('\\').join('/') : path;
  }

  /** Starts the first build in the background. */
  start(): void {
    this.built = this.build();
    this.session.background(this.built, 'indexing the workspace');
  }

  private async build(): Promise<void> {
    const progress = this.session.support.workDoneProgress ? await this.session.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin('async-boundary: indexing the workspace for cross-file analysis');
    let files = 0;
    try {
      for (const folder of this.session.folders) {
        const settings = await this.session.settingsFor(pathToFileURL(folder).href);
        if (!settings.enable) continue;
        for await (const path of walkFiles([folder], folder, { extensions: new Set(supportedExtensions()) })) {
          if (!this.session.project.covers(path) || this.summaries.has(path)) continue;
          // An open document is summarised from its buffer when it is analysed.
          if (this.session.documents.get(pathToFileURL(path).href)) continue;
          const summary = await this.summarizeFromDisk(path);
          if (summary) this.summaries.set(path, summary);
          if (++files % BATCH === 0) {
            progress?.report(`${files} files`);
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
      }
      await this.readLayout();
      const cache = await this.cache;
      const failed = await cache?.store.save();
      if (failed !== undefined) this.session.logOnce(`async-boundary: could not write the summary cache (${failed}); the next start-up reads every file`);
    } finally {
      progress?.done();
      this.linker = undefined;
      this.ready = true;
    }
    this.republishStale();
  }

  /** Reads, analyses and summarises one closed file; `undefined` when it is not read or does not link. */
  private async summarizeFromDisk(path: string): Promise<FileSummary | undefined> {
    this.firstPasses.delete(path);
    const read = await readSource(path);
    if ('skipped' in read) return undefined;
    const settings = await this.session.settingsFor(pathToFileURL(path).href);
    const config = this.session.project.configFor(path, settings.rules, settings.roles);
    const location = this.session.project.locationFor(path);
    const shown = this.shownPath(path);
    const cache = await this.cache;
    const key = cache?.store.key({ tool: cache.tool, config, text: read.text, location, shown });
    const hit = cache && key !== undefined ? cache.store.get(path, key) : undefined;
    if (hit !== undefined) return hit ?? undefined;
    await this.session.frontendReady(path);
    let failed = false;
    const analysis = analyze({ path, text: read.text }, config, {
      ...(location ? { location } : {}),
      onError: (where, error) => {
        failed = true;
        this.session.onError(where, error);
      },
    });
    const made = analysis ? summaryOf(analysis, shown) : undefined;
    const summary = made && detachedSummary(made);
    if (analysis && !failed) {
      const uri = pathToFileURL(path).href;
      this.firstPasses.set(path, { content: contentHash(read.text), config, location: JSON.stringify(location ?? null), diagnostics: toDiagnostics(analysis, uri), findings: analysis.findings.length });
    }
    releaseTree(analysis);
    // A summary from an analysis that failed somewhere may be incomplete: the next start-up tries again.
    if (cache && key !== undefined && !failed) cache.store.set(path, key, summary);
    return summary;
  }

  /**
   * What the workspace scan would publish for a closed file whose imports are empty: the diagnostics
   * of the analysis this index made of it, when that was of the same text, with the same config and
   * location. An analysis with no imports is the analysis the index makes (the engine reads none as
   * empty), so the scan that follows the build analyses again only the files that import something
   * of the project, as the CLI's cross-file pass does: on the TS bench corpus, 2 of 923.
   */
  firstPass(path: string, text: string, config: Config, location: FileLocation | undefined): { readonly diagnostics: Diagnostic[]; readonly findings: number } | undefined {
    const known = this.firstPasses.get(path);
    if (!known || known.config !== config || known.location !== JSON.stringify(location ?? null) || known.content !== contentHash(text)) return undefined;
    return known;
  }

  /** Records the summary of an open document's latest analysis; dependents are re-published when it changed. */
  noteAnalysis(path: string, analysis: Analysis): void {
    const summary = summaryOf(analysis, this.shownPath(path));
    this.replace(path, summary);
  }

  private async readLayout(): Promise<void> {
    const reader = new ConfigReader();
    this.layout = await readProjectLayout(this.summaries.keys(), reader);
    this.layoutFiles = new Set(reader.readPaths());
    this.linker = undefined;
    this.onLayoutFiles?.([...this.layoutFiles]);
  }

  /** Whether a change to this file may change the layout. */
  private isLayoutFile(path: string): boolean {
    return LAYOUT_NAME.test(basename(path)) || this.layoutFiles.has(path);
  }

  /** Settles when the layout read after the last config change is in (tests wait on it). */
  layoutRead(): Promise<void> {
    return this.layoutReads;
  }

  /** A file changed, appeared or went away on disk (and is not open): its summary follows. */
  async fileChanged(path: string, deleted: boolean): Promise<void> {
    const layoutChanged = this.isLayoutFile(path) || (deleted && [...this.layoutFiles].some((f) => f.startsWith(`${path}/`)));
    if (layoutChanged && this.ready) {
      // Reads one after another, so the last change is the one that stays.
      this.layoutReads = this.layoutReads.then(async () => {
        await this.readLayout();
        this.republishStale();
      });
      await this.layoutReads;
      if (!deleted) return;
    }
    if (deleted) {
      // A deleted folder: every summary under it goes.
      for (const p of [...this.summaries.keys()]) if (p === path || p.startsWith(`${path}/`)) this.replace(p, undefined);
      for (const p of [...this.firstPasses.keys()]) if (p === path || p.startsWith(`${path}/`)) this.firstPasses.delete(p);
      return;
    }
    if (!supportedExtensions().some((e) => path.endsWith(e))) return;
    if (!this.session.project.covers(path)) return this.replace(path, undefined);
    // summarizeFromDisk detaches what it returns (the summary cache holds the same copy).
    this.replace(path, await this.summarizeFromDisk(path), true);
  }

  /** Keeps a file's new summary; `detached` says it is already a {@link detachedSummary} copy. */
  private replace(path: string, summary: FileSummary | undefined, detached = false): void {
    const before = this.summaries.get(path);
    if (summary === undefined ? before === undefined : before !== undefined && JSON.stringify(before) === JSON.stringify(summary)) return;
    if (summary) this.summaries.set(path, detached ? summary : detachedSummary(summary));
    else this.summaries.delete(path);
    this.linker = undefined;
    if (this.ready) this.republishStale();
  }

  /** Re-publishes the open documents whose imports are no longer those their last analysis used. */
  private republishStale(): void {
    const stale: string[] = [];
    for (const doc of this.session.documents.all()) {
      const last = this.session.importsUsed(doc.uri);
      if (last === undefined) continue;
      if (last !== importsText(this.importsFor(this.session.pathOf(doc.uri)))) stale.push(doc.uri);
    }
    if (stale.length > 0) this.onStale(stale);
  }
}
