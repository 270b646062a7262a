// TEST ONLY: `asyncBoundary._test.snapshot` writes what VS Code itself sees for a document to a JSON
// file, so end-to-end tests assert on data instead of scraping the DOM. Registered only when the
// environment has ASYNC_BOUNDARY_TEST=1 or the hidden setting `asyncBoundary.test.snapshotCommand`
// is true. Argument shape: docs/lsp-extensions.md.
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import type { Range as WireRange } from '../../server/src/shared/protocol';
import type { YieldDecorations } from './decorations';
import { ownDiagnostics, type StatusItem } from './status';

export const SNAPSHOT_COMMAND = 'asyncBoundary._test.snapshot';

export function testSnapshotEnabled(): boolean {
  return process.env.ASYNC_BOUNDARY_TEST === '1' || vscode.workspace.getConfiguration('asyncBoundary').get<boolean>('test.snapshotCommand') === true;
}

/** The second argument of the command. Every field but `uri` is optional. */
export interface SnapshotRequest {
  /** The document, as a URI string (`file:///…`). */
  readonly uri: string;
  /** Run the hover providers here. */
  readonly hover?: { line: number; character: number };
  /** Run the code action providers for this range. */
  readonly codeActions?: { range: WireRange; kind?: string; resolve?: number };
  /** Run the inlay hint providers for this range (default: the whole document). */
  readonly inlayHints?: WireRange | true;
}

const wire = (r: vscode.Range): WireRange => ({ start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } });
const toRange = (r: WireRange) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
const markdown = (c: vscode.MarkdownString | vscode.MarkedString): string => (typeof c === 'string' ? c : c.value);

export function registerTestSnapshot(client: LanguageClient, decorations: YieldDecorations, status: StatusItem): vscode.Disposable {
  return vscode.commands.registerCommand(SNAPSHOT_COMMAND, async (outFile: string, request: SnapshotRequest) => {
    const uri = vscode.Uri.parse(request.uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const snapshot: Record<string, unknown> = {
      uri: uri.toString(),
      version: doc?.version ?? null,
      serverState: State[client.state],
      status: status.shown,
      diagnostics: ownDiagnostics(uri).map((d) => ({
        range: wire(d.range),
        message: d.message,
        code: typeof d.code === 'object' ? d.code.value : d.code,
        severity: vscode.DiagnosticSeverity[d.severity],
        source: d.source,
      })),
      decorations: decorations.applied.get(uri.toString()) ?? null,
    };
    if (request.hover) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(request.hover.line, request.hover.character));
      snapshot.hover = hovers.map((h) => h.contents.map(markdown).join('\n'));
    }
    if (request.codeActions) {
      const { range, kind, resolve } = request.codeActions;
      const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, toRange(range), kind, resolve ?? 0);
      snapshot.codeActions = actions.map((a) =>
        'command' in a && typeof a.command === 'string'
          ? { title: a.title, command: a.command }
          : {
              title: a.title,
              kind: (a as vscode.CodeAction).kind?.value,
              isPreferred: (a as vscode.CodeAction).isPreferred === true,
              edits: (a as vscode.CodeAction).edit?.entries().map(([u, edits]) => ({ uri: u.toString(), edits: edits.map((e) => ({ range: wire(e.range), newText: e.newText })) })) ?? null,
            },
      );
    }
    if (request.inlayHints) {
      const range = request.inlayHints === true ? new vscode.Range(0, 0, doc?.lineCount ?? 1_000_000, 0) : toRange(request.inlayHints);
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, range);
      snapshot.inlayHints = hints.map((h) => ({ position: { line: h.position.line, character: h.position.character }, label: typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('') }));
    }
    await writeFile(outFile, JSON.stringify(snapshot, null, 2));
    return snapshot;
  });
}
