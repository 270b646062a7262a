// The VS Code client: starts the language server, renders decorations, registers commands and
// shows status. It never analyses code (docs/architecture.md).
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { InitializationOptions } from '../../server/src/shared/protocol';
import { YieldDecorations } from './decorations';
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
  const initializationOptions: InitializationOptions = { decorations: true };
  // Every publish (even one that leaves the diagnostics unchanged, which fires no VS Code event)
  // means the server has analysed a new version: redraw that document's decorations.
  let published: (uri: vscode.Uri) => void = () => undefined;
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel,
    initializationOptions,
    connectionOptions: { maxRestartCount: MAX_RESTARTS },
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        next(uri, diagnostics);
        published(uri);
      },
    },
  };
  // The id `asyncBoundary` makes the library read `asyncBoundary.trace.server`.
  const lc = new LanguageClient('asyncBoundary', 'Async Boundary', serverOptions, clientOptions);
  client = lc;

  const decorations = new YieldDecorations(lc, context.extensionUri);
  published = (uri) => decorations.refreshDocument(uri);
  const status = new StatusItem(lc);
  context.subscriptions.push(
    outputChannel,
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

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
