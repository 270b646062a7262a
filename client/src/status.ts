// A language status item: whether the server runs, and how many findings the active file has.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { DIAGNOSTIC_SOURCE } from '../../server/src/shared/protocol';
import { SELECTOR } from './selector';

/** Our diagnostics for a document (the TypeScript extension adds its own to the same files). */
export function ownDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
}

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('asyncBoundary.status', SELECTOR);
  private readonly subscriptions: vscode.Disposable[] = [];
  private state: State = State.Stopped;

  constructor(client: LanguageClient) {
    this.item.name = 'Async Boundary';
    this.subscriptions.push(
      client.onDidChangeState((e) => {
        this.state = e.newState;
        this.update();
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (e.uris.some((u) => u.toString() === active)) this.update();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  /** What the item shows, for the test snapshot. */
  get shown(): { text: string; detail: string | undefined; severity: string; command: string | undefined } {
    return { text: this.item.text, detail: this.item.detail, severity: vscode.LanguageStatusSeverity[this.item.severity], command: this.item.command?.command };
  }

  private update(): void {
    const editor = vscode.window.activeTextEditor;
    const count = editor ? ownDiagnostics(editor.document.uri).length : 0;
    if (this.state === State.Running) {
      this.item.severity = vscode.LanguageStatusSeverity.Information;
      this.item.text = count === 0 ? '$(check) Async boundaries' : `$(warning) ${count} async boundary ${count === 1 ? 'problem' : 'problems'}`;
      this.item.detail = 'in this file';
      this.item.busy = false;
      // With problems, the Problems panel lists them; without, a scan finds those of the files not open.
      this.item.command = count === 0 ? { title: 'Scan Workspace', command: 'asyncBoundary.scanWorkspace' } : { title: 'Show Problems', command: 'workbench.actions.view.problems' };
    } else if (this.state === State.Starting) {
      this.item.severity = vscode.LanguageStatusSeverity.Information;
      this.item.text = 'Async Boundary';
      this.item.detail = 'starting';
      this.item.busy = true;
      this.item.command = { title: 'Show Output', command: 'asyncBoundary.showOutput' };
    } else {
      this.item.severity = vscode.LanguageStatusSeverity.Error;
      this.item.text = '$(error) Async Boundary';
      this.item.detail = 'server stopped: see the output';
      this.item.busy = false;
      this.item.command = { title: 'Show Output', command: 'asyncBoundary.showOutput' };
    }
  }

  dispose(): void {
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
