// Keeps the Problems panel true to the disk. After a workspace scan has shown problems of closed
// files, a source file changed, created, deleted or renamed outside the editor (a branch switch, a
// pull, a formatter) is re-analysed or cleared, and so is a file when its editor closes (its unsaved
// text is gone; the disk copy is what is true). Before any scan nothing is shown for closed files,
// so nothing needs keeping.
import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeWatchedFilesNotification, FileChangeType, WatchKind, type Disposable, type FileEvent } from 'vscode-languageserver';
import { supportedExtensions } from '../project/languages';
import { LAYOUT_FILES, LAYOUT_NAME } from './project-index';
import type { DiagnosticsPublisher } from './diagnostics';
import { uriToPath, type Session } from './session';
import { publishClosedFile } from './workspace-scan';

/**
 * The globs the client watches: source files of every supported language, the manifests and configs
 * the cross-file index reads the project's layout from, and deletions of anything (a folder).
 */
export function sourceWatchers(): { globPattern: string; kind?: number }[] {
  const extensions = supportedExtensions().map((e) => e.slice(1));
  return [{ globPattern: `**/*.{${extensions.join(',')}}` }, { globPattern: `**/{${LAYOUT_FILES.join(',')}}` }, { globPattern: '**/*', kind: WatchKind.Delete }];
}

/**
 * Globs for the configs a layout read under names the standing globs do not cover (a tsconfig that
 * `extends: "./config/base.json"`, a package's `@acme/tsconfig/node.json`), by base name: an event
 * for another file of that name is harmless (the index re-reads only for a file it read). Names with
 * glob characters are left out.
 */
export function layoutWatchers(paths: Iterable<string>): { globPattern: string }[] {
  const names = new Set<string>();
  for (const p of paths) {
    const name = basename(p);
    if (name !== '' && !LAYOUT_NAME.test(name) && !/[*?{}[\],\\!]/.test(name)) names.add(name);
  }
  return [...names].sort().map((name) => ({ globPattern: `**/${name}` }));
}

export class WatchedSources {
  private queue: Promise<void> = Promise.resolve();
  /** The registration watching the layout's other configs, and what it watches. */
  private layoutRegistration: { readonly key: string; readonly done: Promise<Disposable | undefined> } | undefined;

  constructor(
    private readonly session: Session,
    private readonly publisher: DiagnosticsPublisher,
  ) {
    session.documents.onDidClose((e) => {
      if (publisher.scanRan && e.document.uri.startsWith('file:')) this.enqueue([{ uri: e.document.uri, type: FileChangeType.Changed }]);
    });
  }

  /** Asks the client to watch the source files, when it can register watchers. */
  async register(): Promise<void> {
    if (!this.session.support.watchedFilesDynamic) return;
    await this.session.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: sourceWatchers() });
  }

  /**
   * Asks the client to watch the configs the layout read that the standing globs miss (re-registered
   * when that set changes), so an edit to one re-reads the layout like an edit to a tsconfig.json.
   */
  async watchLayout(paths: readonly string[]): Promise<void> {
    if (!this.session.support.watchedFilesDynamic) return;
    const watchers = layoutWatchers(paths);
    const key = JSON.stringify(watchers);
    if (this.layoutRegistration?.key === key) return;
    const previous = this.layoutRegistration;
    const done = watchers.length === 0 ? Promise.resolve(undefined) : this.session.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers });
    this.layoutRegistration = { key, done };
    (await previous?.done)?.dispose();
    await done;
  }

  /** Handles `workspace/didChangeWatchedFiles`; events are processed in order, one batch after another. */
  changed(changes: readonly FileEvent[]): void {
    if (!this.publisher.scanRan) return;
    this.enqueue(changes);
  }

  /** Settles when every queued event has been handled (tests wait on it). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(changes: readonly FileEvent[]): void {
    this.queue = this.queue.then(() => this.handle(changes)).catch((error: unknown) => this.session.logOnce(`async-boundary: updating closed files failed: ${String(error)}`));
  }

  private async handle(changes: readonly FileEvent[]): Promise<void> {
    const extensions = new Set(supportedExtensions());
    for (const change of changes) {
      if (!change.uri.startsWith('file:')) continue;
      const path = uriToPath(change.uri);
      const source = extensions.has(extname(path));
      if (change.type === FileChangeType.Deleted) {
        // A deleted folder comes as one event for the folder: clear every file shown under it.
        const prefix = change.uri.endsWith('/') ? change.uri : `${change.uri}/`;
        for (const uri of [...this.publisher.scanned.keys()]) {
          if (uri !== change.uri && !uri.startsWith(prefix)) continue;
          if (this.session.documents.get(uri)) continue;
          this.publisher.scanned.delete(uri);
          await this.session.connection.sendDiagnostics({ uri, diagnostics: [] });
        }
        continue;
      }
      // An open document's diagnostics follow its buffer, not the disk.
      if (!source || this.session.documents.get(change.uri)) continue;
      const settings = await this.session.settingsFor(pathToFileURL(path).href);
      if (!settings.enable) continue;
      await publishClosedFile(this.session, this.publisher, path, settings);
    }
  }
}
