// `asyncBoundary.scanWorkspace`: analyses every supported file under the workspace folders and
// publishes diagnostics for the closed ones. Only findings are kept for closed files, never trees.
import { pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver';
import { analyze } from '../project/analyze';
import type { CodeRole } from '../engine/model';
import { roleLevel } from '../engine/roles';
import { pathRole } from '../engine/roles-paths';
import { supportedExtensions } from '../project/languages';
import { readSource, walkFiles } from '../project/files';
import type { DiagnosticsPublisher } from './diagnostics';
import { toDiagnostics } from './diagnostics';
import type { Session } from './session';

export interface ScanSummary {
  readonly files: number;
  readonly findings: number;
  readonly skipped: number;
  readonly cancelled: boolean;
  /** Files not checked because their path gives them a role that is `off` (tests, benches, examples by default), per role. */
  readonly notChecked: Partial<Record<CodeRole, number>>;
}

export async function scanWorkspace(session: Session, publisher: DiagnosticsPublisher, token: CancellationToken): Promise<ScanSummary> {
  const folders = session.folders;
  const progress = session.support.workDoneProgress ? await session.connection.window.createWorkDoneProgress() : undefined;
  progress?.begin('async-boundary: scanning the workspace', undefined, undefined, true);
  const cancelled = () => token.isCancellationRequested || progress?.token.isCancellationRequested === true;
  let files = 0;
  let findings = 0;
  let skipped = 0;
  const notChecked: Partial<Record<CodeRole, number>> = {};
  try {
    for (const folder of folders) {
      const settings = await session.settingsFor(pathToFileURL(folder).href);
      if (!settings.enable) continue;
      for await (const path of walkFiles([folder], folder, { extensions: new Set(supportedExtensions()) })) {
        if (cancelled()) return { files, findings, skipped, cancelled: true, notChecked };
        const uri = pathToFileURL(path).href;
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
        const read = await readSource(path);
        if ('skipped' in read) {
          skipped++;
          session.connection.console.info(`async-boundary: skipped ${path}: it ${read.skipped}`);
          continue;
        }
        const location = session.project.locationFor(path);
        const config = session.project.configFor(path, settings.rules, settings.roles);
        const pathFact = location ? pathRole(config, location) : undefined;
        if (pathFact && roleLevel(config, pathFact.role) === 'off') {
          notChecked[pathFact.role] = (notChecked[pathFact.role] ?? 0) + 1;
          continue;
        }
        await session.frontendReady(path);
        const analysis = analyze({ path, text: read.text }, config, { ...(location ? { location } : {}), onError: session.onError });
        if (!analysis) continue;
        files++;
        findings += analysis.findings.length;
        const diagnostics = toDiagnostics(analysis, uri);
        if (diagnostics.length > 0 || publisher.scanned.has(uri)) {
          publisher.scanned.set(uri, diagnostics);
          await session.connection.sendDiagnostics({ uri, diagnostics });
        }
        progress?.report(`${files} files, ${findings} findings`);
      }
    }
    return { files, findings, skipped, cancelled: false, notChecked };
  } catch (error) {
    session.logOnce(`async-boundary: workspace scan failed: ${String(error)}`);
    return { files, findings, skipped, cancelled: false, notChecked };
  } finally {
    progress?.done();
  }
}
