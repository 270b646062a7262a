// A real LSP client for the server, in-process over a pair of streams: the server runs exactly as
// in an editor (same `startServer`, same JSON-RPC framing), without spawning a process per test.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, ProposedFeatures, type ClientCapabilities, type Diagnostic, type PublishDiagnosticsParams, type Range } from 'vscode-languageserver/node';
import { startServer } from '../../server/src/lsp/main';
import type { Session } from '../../server/src/lsp/session';

export interface StartOptions {
  /** The `asyncBoundary` section `workspace/configuration` answers with (mutable: change it, then notify). */
  readonly settings?: Record<string, unknown>;
  readonly capabilities?: ClientCapabilities;
  readonly initializationOptions?: unknown;
  /** Files to create in the workspace folder before starting, by relative path. */
  readonly files?: Record<string, string>;
  /** Symbolic links to create there before starting: relative path → the target as written in the link. */
  readonly links?: Record<string, string>;
  /** Run the bundled `dist/server.js --stdio` as a child process instead of `startServer` in-process. */
  readonly bundled?: boolean;
  /** Use this existing folder as the workspace (the files are written into it) and leave it in place on stop: a second session on the same workspace. */
  readonly root?: string;
}

/** The bundled server, built by `node scripts/build.mjs`. */
export const BUNDLED_SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

/** Capabilities of a modern client: configuration, resolve, resource operations, progress. */
export const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
    inlayHint: { refreshSupport: true },
  },
  textDocument: {
    codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } },
    publishDiagnostics: { versionSupport: true, relatedInformation: true, codeDescriptionSupport: true },
  },
  window: { workDoneProgress: true, showDocument: { support: true } },
};

type Waiter = { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

export class TestClient {
  readonly root: string;
  readonly rpc: MessageConnection;
  settings: Record<string, unknown>;
  /** Every `publishDiagnostics`, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  /** `window/showMessage` texts. */
  readonly messages: string[] = [];
  /** `window/showMessageRequest` texts: prompts that block some clients (Neovim), so the server sends none. */
  readonly prompts: string[] = [];
  /** Cancel every work-done progress the server starts. */
  cancelProgress = false;
  /** `window/showDocument` requests. */
  readonly shown: { uri: string; external?: boolean }[] = [];
  /** The `kind` of every `$/progress` value (`begin`, `report`, `end`). */
  readonly progress: string[] = [];
  readonly registrations: string[] = [];
  /** The string globs of every watched-files registration, in order. */
  readonly watchGlobs: string[] = [];
  /** The in-process server's session (undefined for the bundled server). */
  session: Session | undefined;
  private waiters: Waiter[] = [];
  private readonly versions = new Map<string, number>();
  private readonly dispose: () => void;

  private constructor(options: StartOptions) {
    this.root = options.root ?? mkdtempSync(join(tmpdir(), 'ab-lsp-'));
    const ownRoot = options.root === undefined;
    for (const [rel, text] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(this.root, rel)), { recursive: true });
      writeFileSync(join(this.root, rel), text);
    }
    for (const [rel, target] of Object.entries(options.links ?? {})) symlinkSync(target, join(this.root, rel));
    this.settings = { ...(options.settings ?? {}) };
    let stopServer: () => void;
    if (options.bundled) {
      const child = spawn(process.execPath, [BUNDLED_SERVER, '--stdio'], { cwd: this.root, stdio: ['pipe', 'pipe', 'inherit'] });
      this.rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
      stopServer = () => child.kill();
    } else {
      const up = new PassThrough();
      const down = new PassThrough();
      const server = createConnection(ProposedFeatures.all, new StreamMessageReader(up), new StreamMessageWriter(down));
      this.session = startServer(server);
      server.listen();
      this.rpc = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
      stopServer = () => {
        server.dispose();
        up.destroy();
        down.destroy();
      };
    }
    this.rpc.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => this.settings));
    this.rpc.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: { watchers?: { globPattern: unknown }[] } }[] }) => {
      this.registrations.push(...params.registrations.map((r) => r.method));
      for (const r of params.registrations) for (const w of r.registerOptions?.watchers ?? []) if (typeof w.globPattern === 'string') this.watchGlobs.push(w.globPattern);
      return null;
    });
    this.rpc.onRequest('client/unregisterCapability', () => null);
    this.rpc.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      // Like a user pressing Cancel on the progress notification as soon as it shows.
      if (this.cancelProgress) setImmediate(() => void this.rpc.sendNotification('window/workDoneProgress/cancel', { token: p.token }));
      return null;
    });
    this.rpc.onRequest('workspace/inlayHint/refresh', () => null);
    this.rpc.onRequest('window/showDocument', (p: { uri: string; external?: boolean }) => {
      this.shown.push(p);
      return { success: true };
    });
    this.rpc.onNotification('window/logMessage', (p: { message: string }) => void this.logs.push(p.message));
    this.rpc.onNotification('window/showMessage', (p: { message: string }) => void this.messages.push(p.message));
    this.rpc.onRequest('window/showMessageRequest', (p: { message: string }) => {
      this.prompts.push(p.message);
      return null;
    });
    this.rpc.onNotification('$/progress', (p: { value: { kind: string } }) => void this.progress.push(p.value.kind));
    this.rpc.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || !w.pred(p)) return true;
        w.resolve(p);
        return false;
      });
    });
    this.rpc.listen();
    this.dispose = () => {
      this.rpc.dispose();
      stopServer();
      if (ownRoot) rmSync(this.root, { recursive: true, force: true });
    };
  }

  static async start(options: StartOptions = {}): Promise<TestClient> {
    const client = new TestClient(options);
    await client.rpc.sendRequest('initialize', {
      processId: null,
      rootUri: client.uri(''),
      workspaceFolders: [{ uri: client.uri(''), name: 'ws' }],
      capabilities: options.capabilities ?? FULL_CAPABILITIES,
      initializationOptions: options.initializationOptions,
    });
    await client.rpc.sendNotification('initialized', {});
    return client;
  }

  uri(rel: string): string {
    return pathToFileURL(join(this.root, rel)).href;
  }

  /** Resolves with the first diagnostics published for `uri` from now on that satisfy `pred`. */
  nextDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, pred, resolve }));
  }

  /** Opens a document and waits for its first diagnostics. */
  async open(rel: string, text: string, languageId = 'typescript'): Promise<Diagnostic[]> {
    const uri = this.uri(rel);
    this.versions.set(uri, 1);
    const published = this.nextDiagnostics(uri, (p) => p.version === 1);
    await this.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return (await published).diagnostics;
  }

  /** Applies LSP text edits as one `didChange` (last edit first, so earlier ranges stay valid). */
  applyEdits(rel: string, edits: readonly { range: Range; newText: string }[]): Promise<Diagnostic[]> {
    const offset = (p: Range['start']) => p.line * 1e6 + p.character;
    const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
    return this.change(rel, sorted.map((e) => ({ range: e.range, text: e.newText })));
  }

  /** Sends changes as one `didChange` and waits for the diagnostics of the new version. */
  async change(rel: string, changes: unknown[]): Promise<Diagnostic[]> {
    const uri = this.uri(rel);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const published = this.nextDiagnostics(uri, (p) => p.version === version);
    await this.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return (await published).diagnostics;
  }

  version(rel: string): number {
    return this.versions.get(this.uri(rel)) ?? 0;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.rpc.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    await this.rpc.sendRequest('shutdown');
    this.dispose();
  }
}

/** Applies LSP text edits (0-based positions, UTF-16) to a text, last first. */
export function applyLspEdits(text: string, edits: readonly { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
