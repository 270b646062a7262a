// `asyncBoundary.scanWorkspace`: analyses every supported file under the workspace folders and
// publishes diagnostics for the closed ones. Only findings are kept for closed files, never trees.
// `publishClosedFile` is also how a closed file changed on disk is brought up to date (watched-files.ts).
import { pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver';
import { analyze, releaseTree } from '../project/analyze';
import type { CodeRole } from '../engine/model';
import { roleLevel } from '../engine/roles';
import { pathRole } from '../engine/roles-paths';
import { supportedExtensions } from '../project/languages';
import { readSource, walkFiles } from '../project/files';
import { hasImports } from '../project/link';
import type { DiagnosticsPublisher } from './diagnostics';
import { toDiagnostics } from './diagnostics';
import type { Session } from './session';
import type { Settings } from './settings';

export interface ScanSummary {
  readonly files: number;
  readonly findings: number;
  readonly skipped: number;
  readonly cancelled: boolean;
  /** Files not checked because their path gives them a role that is `off` (tests, benches, examples by default), per role. */
  readonly notChecked: Partial<Record<CodeRole, number>>;
  /** Problems of files a previous scan showed and this one no longer finds (deleted, moved, excluded), cleared. */
  readonly cleared: number;
  readonly ms: number;
}

/** What became of one closed file. */
export type ClosedFileResult = { readonly findings: number } | { readonly skipped: string } | { readonly notChecked: CodeRole } | { readonly excluded: true };

/**
 * Analyses a closed file from disk and publishes its diagnostics (an empty list clears what an earlier
 * scan showed). A file the config excludes, or whose role is off, has its earlier problems cleared.
 */
export async function publishClosedFile(session: Session, publisher: DiagnosticsPublisher, path: string, settings: Settings): Promise<ClosedFileResult> {
  const uri = pathToFileURL(path).href;
  const clear = async (): Promise<void> => {
    if (!publisher.scanned.delete(uri)) return;
    await session.connection.sendDiagnostics({ uri, diagnostics: [] });
  };
  if (!session.project.covers(path)) {
    await clear();
    return { excluded: true };
  }
  const read = await readSource(path);
  if ('skipped' in read) {
    await clear();
    return { skipped: read.skipped };
  }
  const location = session.project.locationFor(path);
  const config = session.project.configFor(path, settings.rules, settings.roles);
  const pathFact = location ? pathRole(config, location) : undefined;
  if (pathFact && roleLevel(config, pathFact.role) === 'off') {
    await clear();
    return { notChecked: pathFact.role };
  }
  await session.frontendReady(path);
  const imports = session.index?.importsFor(path);
  // A file that imports nothing of the project: the index's analysis of the same text is this one.
  let result = imports && !hasImports(imports) ? session.index!.firstPass(path, read.text, config, location) : undefined;
  if (!result) {
    const analysis = analyze({ path, text: read.text }, config, { ...(location ? { location } : {}), ...(imports ? { imports } : {}), onError: session.onError });
    if (!analysis) {
      await clear();
      return { excluded: true };
    }
    result = { diagnostics: toDiagnostics(analysis, uri), findings: analysis.findings.length };
    releaseTree(analysis);
  }
  const { diagnostics, findings } = result;
  // The document may have been opened while the file was read: its diagnostics follow the buffer.
  if (session.documents.get(uri)) return { findings };
  if (diagnostics.length > 0 || publisher.scanned.has(uri)) {
    publisher.scanned.set(uri, diagnostics);
    await session.connection.sendDiagnostics({ uri, diagnostics });
  }
  return { findings };
}

export async function scanWorkspace(session: Session, publisher: DiagnosticsPublisher, token: CancellationToken): Promise<ScanSummary> {
  const started = Date.now();
  const folders = session.folders;
  const progress = session.support.workDoneProgress ? await session.connection.window.createWorkDoneProgress() : undefined;
  progress?.begin('async-boundary: scanning the workspace', undefined, undefined, true);
  const cancelled = () => token.isCancellationRequested || progress?.token.isCancellationRequested === true;
  publisher.scanRan = true;
  let files = 0;
  let findings = 0;
  let skipped = 0;
  let cleared = 0;
  const notChecked: Partial<Record<CodeRole, number>> = {};
  /** Every file this scan walked: what an earlier scan showed outside it is gone from the disk. */
  const seen = new Set<string>();
  const summary = (wasCancelled: boolean): ScanSummary => ({ files, findings, skipped, cancelled: wasCancelled, notChecked, cleared, ms: Date.now() - started });
  try {
    // A scan started while the index is still being built would publish every closed file without
    // its cross-file findings, then never revisit them: it waits for the index first.
    if (session.index && !session.index.ready) {
      progress?.report('waiting for the cross-file index');
      await session.index.built;
    }
    for (const folder of folders) {
      const settings = await session.settingsFor(pathToFileURL(folder).href);
      if (!settings.enable) continue;
      for await (const path of walkFiles([folder], folder, { extensions: new Set(supportedExtensions()) })) {
        if (cancelled()) return summary(true);
        const uri = pathToFileURL(path).href;
        seen.add(uri);
        if (!session.project.covers(path)) continue;
        // An open document's diagnostics follow its unsaved text; the disk copy would contradict them.
        // It still counts: a summary that left out the files on screen would under-report.
        if (session.documents.get(uri)) {
          const open = await session.current(uri);
          if (open) {
            files++;
            findings += open.analysis.findings.length;
          }
          continue;
        }
        const result = await publishClosedFile(session, publisher, path, settings);
        if ('skipped' in result) {
          skipped++;
          session.connection.console.info(`async-boundary: skipped ${path}: it ${result.skipped}`);
        } else if ('notChecked' in result) {
          notChecked[result.notChecked] = (notChecked[result.notChecked] ?? 0) + 1;
        } else if ('findings' in result) {
          files++;
          findings += result.findings;
          progress?.report(`${files} files, ${findings} findings`);
        }
      }
    }
    for (const uri of [...publisher.scanned.keys()]) {
      if (seen.has(uri) || session.documents.get(uri)) continue;
      publisher.scanned.delete(uri);
      cleared++;
      await session.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
    return summary(false);
  } catch (error) {
    session.logOnce(`async-boundary: workspace scan failed: ${String(error)}`);
    return summary(false);
  } finally {
    progress?.done();
  }
}
