// Wires the features to a connection. Transport-agnostic: `main.ts` makes the connection (IPC for
// VS Code, stdio for other editors) and tests pass one over in-memory streams.
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  FileChangeType,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import { version } from '../../../package.json';
import { COMMANDS, YIELD_POINTS_METHOD, type InitializationOptions, type YieldPointsParams } from '../shared/protocol';
import { codeActions, explainNoFix, FIX_ALL_KIND, resolveCodeAction } from './code-actions';
import { RULE_DOCS_BASE_URL, ruleDocsUrl } from './convert';
import { DiagnosticsPublisher } from './diagnostics';
import { hover } from './hover';
import { inlayHints } from './inlay-hints';
import { ProjectIndex } from './project-index';
import { readClientSupport, Session, uriToPath } from './session';
import { WatchedSources } from './watched-files';
import { scanWorkspace } from './workspace-scan';
import { yieldPoints } from './yield-points';

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

/** Runs `work` unless the request was cancelled before it started (analysis itself is synchronous). */
async function honour<T>(token: CancellationToken, work: () => Promise<T>): Promise<T | ResponseError<void>> {
  if (token.isCancellationRequested) return cancelled();
  const result = await work();
  return token.isCancellationRequested ? cancelled() : result;
}

/** Starts the language server on `connection` and returns its session (tests inspect it). */
export function startServer(connection: Connection): Session {
  const session = new Session(connection);
  const publisher = new DiagnosticsPublisher(session);
  const sources = new WatchedSources(session, publisher);
  const index = new ProjectIndex(
    session,
    (uris) => {
      for (const uri of uris) session.background(publisher.schedule(uri), 'scheduling an analysis');
    },
    (paths) => session.background(sources.watchLayout(paths), 'watching the layout configs'),
  );
  // A closed document's summary comes from the disk again (its unsaved text is gone).
  session.documents.onDidClose((e) => {
    if (session.index && e.document.uri.startsWith('file:')) session.background(session.index.fileChanged(uriToPath(e.document.uri), false), 'updating the index');
  });
  let canRegisterConfig = false;

  let startedFor = '';
  connection.onInitialize((params): InitializeResult => {
    const client = params.clientInfo ? `${params.clientInfo.name}${params.clientInfo.version ? ` ${params.clientInfo.version}` : ''}` : 'an unnamed client';
    const init = params.initializationOptions as InitializationOptions | undefined;
    session.support = readClientSupport(params.capabilities ?? {}, init);
    // `crossFile: false`: no index, no summaries; every file is analysed on its own.
    session.index = init?.crossFile === false ? undefined : index;
    if (typeof init?.cacheFolder === 'string' && init.cacheFolder !== '') index.useCache(init.cacheFolder);
    canRegisterConfig = params.capabilities?.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    session.folders = folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    session.project.load();
    startedFor = `async-boundary ${version} (Node ${process.version}) for ${client}; workspace: ${session.folders.length > 0 ? session.folders.join(', ') : 'none (single files)'}`;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
        inlayHintProvider: true,
        executeCommandProvider: { commands: [COMMANDS.scanWorkspace, COMMANDS.openRuleDocs, COMMANDS.explainNoFix] },
      },
      serverInfo: { name: 'async-boundary', version },
    };
  });

  connection.onInitialized(() => {
    connection.console.info(startedFor);
    if (canRegisterConfig) session.background(connection.client.register(DidChangeConfigurationNotification.type, { section: 'asyncBoundary' }), 'registering for settings changes');
    session.project.watch().catch((e: unknown) => session.logOnce(`async-boundary: cannot watch the config file: ${String(e)}`));
    sources.register().catch((e: unknown) => session.logOnce(`async-boundary: cannot watch the source files: ${String(e)}`));
    session.index?.start();
  });

  connection.onDidChangeConfiguration((params) => {
    session.dropSettings(params.settings);
    publisher.refreshAll();
    if (session.support.inlayHintRefresh) session.background(connection.languages.inlayHint.refresh(), 'refreshing inlay hints');
  });

  connection.onDidChangeWatchedFiles((params) => {
    sources.changed(params.changes);
    for (const c of params.changes) {
      // An open document's summary follows its buffer, not the disk.
      if (!session.index || !c.uri.startsWith('file:') || session.documents.get(c.uri)) continue;
      session.background(session.index.fileChanged(uriToPath(c.uri), c.type === FileChangeType.Deleted), 'updating the index');
    }
    if (!params.changes.some((c) => session.project.isConfigUri(c.uri))) return;
    session.project.reload();
    publisher.refreshAll();
  });

  connection.onHover((params, token) => honour(token, async () => hover(session, params)));
  connection.onCodeAction((params, token) => honour(token, async () => codeActions(session, params)));
  connection.onCodeActionResolve((action, token) => honour(token, async () => resolveCodeAction(session, action)));
  connection.languages.inlayHint.on((params, token) => honour(token, async () => inlayHints(session, params)));
  connection.onRequest(YIELD_POINTS_METHOD, (params: YieldPointsParams, token) => honour(token, async () => yieldPoints(session, params)));

  // A `window/showMessage` notification, not `showInformationMessage`: the library sends that as a
  // `window/showMessageRequest`, which Neovim answers with a blocking, empty "Request Actions" prompt.
  const inform = (message: string): void => session.background(connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message }), 'showing a message');

  connection.onExecuteCommand(async (params, token) => {
    switch (params.command) {
      case COMMANDS.scanWorkspace: {
        const summary = await scanWorkspace(session, publisher, token);
        const roles = Object.entries(summary.notChecked).map(([role, n]) => `${n} ${role} ${n === 1 ? 'file' : 'files'}`);
        const quiet = roles.length > 0 ? `; ${roles.join(', ')} not checked (the \`asyncBoundary.roles\` setting or the config's \`roles\` turns them on)` : '';
        const what = `${summary.files} ${summary.files === 1 ? 'file' : 'files'}, ${summary.findings} ${summary.findings === 1 ? 'finding' : 'findings'}${summary.skipped > 0 ? `, ${summary.skipped} skipped` : ''}${quiet}`;
        const message = summary.cancelled ? `async-boundary: scan cancelled after ${what}` : `async-boundary: scanned ${what}`;
        connection.console.info(`${message} in ${summary.ms} ms${summary.cleared > 0 ? `; cleared the problems of ${summary.cleared} files no longer found` : ''}`);
        // The VS Code client shows it itself, with a "Show Problems" button; other clients get a plain notification.
        if (!session.support.showsScanResult) inform(message);
        return { ...summary, message };
      }
      case COMMANDS.openRuleDocs: {
        // From the command palette there is no rule: open the index of every rule's page.
        const rule = typeof params.arguments?.[0] === 'string' ? params.arguments[0] : undefined;
        const uri = rule ? ruleDocsUrl(rule) : RULE_DOCS_BASE_URL;
        if (session.support.showDocument) await connection.window.showDocument({ uri, external: true });
        else inform(`async-boundary documentation: ${uri}`);
        return uri;
      }
      case COMMANDS.explainNoFix: {
        const explained = explainNoFix(params.arguments?.[0]);
        if (!explained) return new ResponseError(LSPErrorCodes.RequestFailed, `\`${COMMANDS.explainNoFix}\` takes the argument its code action gives: {rule, refused: [{title, reason}]}`);
        // The VS Code client shows it itself, with a button to the documentation; other clients get a plain notification.
        if (!session.support.showsFixExplanations) inform(`async-boundary: ${explained.message} Documentation: ${explained.docs}`);
        return explained;
      }
      default:
        return new ResponseError(LSPErrorCodes.RequestFailed, `unknown command \`${params.command}\`: this server runs ${Object.values(COMMANDS).join(', ')}`);
    }
  });

  session.documents.listen(connection);
  return session;
}
