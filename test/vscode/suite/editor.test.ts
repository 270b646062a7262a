/**
 * The editor scenarios of the browser suite (test/e2e/scenarios.ts), asserted through the `vscode`
 * API only, for machines that can download VS Code (`npm run test:vscode`). Same workspace, same
 * snapshot command, same expectations module: the two suites cannot drift apart.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  RATES,
  UPLOAD,
  expectBlockingFinding,
  expectFixed,
  expectHeldLock,
  expectQuickFix,
  expectYieldDecorations,
  expectYieldHover,
  type Snapshot,
} from '../../e2e/expectations';
import { normalizeSnapshot, SNAPSHOT_COMMAND, type SnapshotAsk } from '../../e2e/snapshot';
import { until } from '../../e2e/lib/wait';

const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ab-vscode-')), 'snapshot.json');

async function snapshot(uri: vscode.Uri, ask: SnapshotAsk = {}): Promise<Snapshot> {
  await vscode.commands.executeCommand(SNAPSHOT_COMMAND, out, { uri: uri.toString(), ...ask });
  return normalizeSnapshot(JSON.parse(readFileSync(out, 'utf8')));
}

/** Re-snapshots until `accept` passes: diagnostics and decorations arrive after the open. */
function snapshotUntil(uri: vscode.Uri, what: string, accept: (s: Snapshot) => void): Promise<Snapshot> {
  return until(
    async () => {
      const s = await snapshot(uri);
      accept(s);
      return s;
    },
    { what, timeoutMs: 90_000, intervalMs: 500 },
  );
}

async function open(relPath: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner opens the e2e workspace');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, relPath));
  return vscode.window.showTextDocument(doc);
}

describe('async-boundary in VS Code', () => {
  it('reports the blocking call in an async handler', async () => {
    const editor = await open(UPLOAD.relPath);
    await snapshotUntil(editor.document.uri, `the ${UPLOAD.rule} diagnostic`, expectBlockingFinding);
  });

  it('decorates every yield point', async () => {
    const editor = await open(UPLOAD.relPath);
    await snapshotUntil(editor.document.uri, 'yield-point decorations', (s) => void expectYieldDecorations(s));
  });

  it('reports an await under a held lock and names the lock on its marker', async () => {
    const editor = await open(`src/${RATES.file}`);
    await snapshotUntil(editor.document.uri, 'the held-lock finding and decorations', expectHeldLock);
  });

  it('annotates a yield point on hover', async () => {
    const editor = await open(`src/${RATES.file}`);
    const a = RATES.heldAwait;
    const s = await snapshot(editor.document.uri, { hover: { line: a.line - 1, character: a.column } });
    expectYieldHover(s.hovers, { ordinal: a.ordinal, context: RATES.context, held: RATES.lock });
  });

  it('offers the quick fix, and applying it removes the finding', async () => {
    const editor = await open(UPLOAD.relPath);
    const uri = editor.document.uri;
    const finding = expectBlockingFinding(await snapshot(uri));
    const offered = expectQuickFix((await snapshot(uri, { codeActions: { range: finding.range } })).codeActions);
    const r = finding.range;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character),
      vscode.CodeActionKind.QuickFix.value,
      // The server fills edits in on codeAction/resolve: have VS Code resolve them.
      10,
    );
    const action = actions.find((a) => a.title === offered.title);
    assert.ok(action?.edit, `the "${offered.title}" action carries an edit`);
    const original = editor.document.getText();
    assert.ok(await vscode.workspace.applyEdit(action.edit));
    assert.match(editor.document.getText(), /await fs\.promises\.readFile/);
    await snapshotUntil(uri, 'the finding to disappear', expectFixed);
    // Leave the workspace as found: the browser suite runs these specs in the same window. The
    // text is put back by an edit and saved (a `workbench.action.files.revert` depends on which
    // editor has focus, and left the fixed text in place on a loaded machine).
    const doc = editor.document;
    const restore = new vscode.WorkspaceEdit();
    restore.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original);
    assert.ok(await vscode.workspace.applyEdit(restore));
    assert.ok(await doc.save(), 'the restored file is saved');
    assert.equal(doc.getText(), original);
    await snapshotUntil(uri, 'the finding to come back', (s) => void expectBlockingFinding(s));
  });
});
