// The VS Code client: starts the language server, renders decorations, registers commands and
// shows status. It never analyses code (docs/architecture.md).
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { COMMANDS, type InitializationOptions, type NoFixExplanationResult, type ScanResult } from '../../server/src/shared/protocol';
import { YieldDecorations } from './decorations';
import { decorationsOnState, RestartPolicy } from './recovery';
import { SELECTOR } from './selector';
import { StatusItem } from './status';
import { registerTestSnapshot, testSnapshotEnabled } from './test-snapshot';

/** How many times the server is restarted after crashing (within the library's 3-minute window) before giving up. */
const MAX_RESTARTS = 4;

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const outputChannel = vscode.window.createOutputChannel('Async Boundary', { log: true });
  // The workspace's own storage folder for this extension (none when no folder is open): the
  // server keeps its summary cache there, out of the user's files.
  const cacheFolder = context.storageUri?.scheme === 'file' ? context.storageUri.fsPath : undefined;
  const initializationOptions: InitializationOptions = { decorations: true, showsScanResult: true, showsFixExplanations: true, ...(cacheFolder !== undefined ? { cacheFolder } : {}) };
  const restarts = new RestartPolicy(MAX_RESTARTS);
  // Every publish (even one that leaves the diagnostics unchanged, which fires no VS Code event)
  // means the server has analysed a new version: redraw that document's decorations.
  let published: (uri: vscode.Uri) => void = () => undefined;
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel,
    initializationOptions,
    connectionOptions: { maxRestartCount: MAX_RESTARTS },
    errorHandler: {
      // As the library's default: a few bad messages are tolerated, a stream of them shuts down.
      error: (_error, _message, count) => ({ action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
      closed: () => {
        const decision = restarts.closed();
        if (!decision.restart) return { action: CloseAction.DoNotRestart, message: decision.message };
        // The library would restart silently; the user hears of the first crash once, from us.
        if (decision.message) void vscode.window.showWarningMessage(decision.message, 'Show Output').then((pick) => pick && outputChannel.show(true));
        return { action: CloseAction.Restart, handled: true };
      },
    },
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        next(uri, diagnostics);
        published(uri);
      },
      executeCommand: async (command, args, next) => {
        const result: unknown = await next(command, args);
        if (command === COMMANDS.scanWorkspace) showScanResult(result);
        if (command === COMMANDS.explainNoFix) showNoFixExplanation(result);
        return result;
      },
    },
  };
  // The id `asyncBoundary` makes the library read `asyncBoundary.trace.server`.
  const lc = new LanguageClient('asyncBoundary', 'Async Boundary', serverOptions, clientOptions);
  client = lc;

  const decorations = new YieldDecorations(lc, context.extensionUri);
  published = (uri) => decorations.refreshDocument(uri);
  // A dead server's decorations would drift from the text being edited: clear them until it runs again.
  const stateChanges = lc.onDidChangeState((e) => {
    const state = e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped';
    if (decorationsOnState(state) === 'redraw') decorations.refreshVisible();
    else decorations.clearAll();
  });
  const status = new StatusItem(lc);
  context.subscriptions.push(
    outputChannel,
    stateChanges,
    decorations,
    status,
    vscode.commands.registerCommand('asyncBoundary.toggleDecorations', () => decorations.toggle()),
    vscode.commands.registerCommand('asyncBoundary.showOutput', () => outputChannel.show(true)),
  );
  if (testSnapshotEnabled()) context.subscriptions.push(registerTestSnapshot(lc, decorations, status));
  // `asyncBoundary.scanWorkspace` and `asyncBoundary.openRuleDocs` run on the server: the language
  // client registers them from the server's `executeCommandProvider`.
  try {
    await lc.start();
  } catch (error) {
    // The status item shows the stopped server; the output channel says why. Activation itself succeeds,
    // so the commands (Show Output) stay usable.
    outputChannel.error(`async-boundary: the language server did not start: ${String(error)}`);
    return;
  }
  decorations.refreshVisible();
}

/** The scan's summary, with a button to the Problems panel where its findings are. */
function showScanResult(result: unknown): void {
  const message = (result as Partial<ScanResult> | undefined)?.message;
  if (typeof message !== 'string') return;
  void vscode.window.showInformationMessage(message, 'Show Problems').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.actions.view.problems');
  });
}

/** Why a finding has no automatic fix (the "No automatic fix" quick fix), with a button to the rule's documentation. */
function showNoFixExplanation(result: unknown): void {
  const { message, docs } = (result ?? {}) as Partial<NoFixExplanationResult>;
  if (typeof message !== 'string') return;
  const buttons = typeof docs === 'string' ? ['Show Documentation'] : [];
  void vscode.window.showInformationMessage(message, ...buttons).then((pick) => {
    if (pick && typeof docs === 'string') void vscode.env.openExternal(vscode.Uri.parse(docs));
  });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
