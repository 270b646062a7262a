// The bundled language server as a child process over stdio, with a hand-rolled JSON-RPC framing
// so that the fuzzer can also write what no well-behaved client library would: bodies that are not
// JSON, invalid UTF-8, messages of the wrong shape. It answers the server's own requests like an
// editor and reads the process' memory from /proc.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The bundled server, built by `node scripts/build.mjs`. */
export const BUNDLED_SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

export interface RpcResponse {
  readonly id: number | string | null;
  readonly result?: unknown;
  readonly error?: { code: number; message: string };
}

interface PublishedDiagnostics {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; code?: string | number }[];
}

type Waiter = { pred: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void };

/** Memory of a process from /proc/<pid>/status, in KiB (0 where /proc is missing). */
export function memoryKiB(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

export class LspProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The client's answer to `workspace/configuration` (the `asyncBoundary` section); change it, then notify. */
  settings: unknown = { debounceMs: 0 };
  readonly logs: string[] = [];
  private stderrTail = '';
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number | string, (r: RpcResponse) => void>();
  private waiters: Waiter[] = [];
  /** Settles when the process exits, with why. */
  readonly exited: Promise<string>;
  exitReason: string | undefined;

  constructor(cwd: string) {
    this.child = spawn(process.execPath, [BUNDLED_SERVER, '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000)));
    // A write after the process died must not crash the fuzzer: the exit is reported instead.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitReason = `server exited (code ${code}, signal ${signal}); stderr: ${this.stderrTail.slice(-1500)}`;
        for (const resolvePending of this.pending.values()) resolvePending({ id: null, error: { code: -1, message: this.exitReason } });
        this.pending.clear();
        resolve(this.exitReason);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.exitReason === undefined;
  }

  /** Writes one framed message whose body is exactly `body` (any bytes). */
  writeBody(body: Buffer | string): void {
    if (!this.alive) return;
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]));
  }

  notify(method: string, params: unknown): void {
    this.writeBody(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Sends a request and returns its id and the answer (which rejects nothing: errors are answers too). */
  requestWithId(method: string, params: unknown, id: number | string = this.nextId++): { id: number | string; answer: Promise<RpcResponse> } {
    const answer = new Promise<RpcResponse>((resolve) => {
      if (!this.alive) return resolve({ id, error: { code: -1, message: this.exitReason ?? 'dead' } });
      this.pending.set(id, resolve);
    });
    this.writeBody(JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }));
    return { id, answer };
  }

  request(method: string, params: unknown): Promise<RpcResponse> {
    return this.requestWithId(method, params).answer;
  }

  /** The first diagnostics published from now on that satisfy `pred`. */
  nextDiagnostics(pred: (p: PublishedDiagnostics) => boolean): Promise<PublishedDiagnostics> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  memory(): { rss: number; hwm: number } {
    return memoryKiB(this.pid);
  }

  kill(): void {
    if (this.alive) this.child.kill();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      if (!Number.isFinite(length)) throw new Error(`server sent a frame without Content-Length: ${this.buffer.subarray(0, headerEnd).toString('ascii')}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string } });
    }
  }

  private dispatch(msg: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string } }): void {
    if (msg.method === undefined && msg.id !== undefined) {
      const resolve = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      resolve?.(msg as RpcResponse);
      return;
    }
    if (msg.method !== undefined && msg.id !== undefined) {
      this.writeBody(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: this.answerServer(msg.method, msg.params) }));
      return;
    }
    if (msg.method === 'textDocument/publishDiagnostics') {
      const p = msg.params as PublishedDiagnostics;
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(p)) return true;
        w.resolve(p);
        return false;
      });
    } else if (msg.method === 'window/logMessage' || msg.method === 'window/showMessage') {
      this.logs.push((msg.params as { message: string }).message);
      if (this.logs.length > 200) this.logs.shift();
    }
  }

  /** What an editor answers to the server's requests. */
  private answerServer(method: string, params: unknown): unknown {
    switch (method) {
      case 'workspace/configuration':
        return (params as { items: unknown[] }).items.map(() => this.settings);
      case 'window/showDocument':
        return { success: true };
      default:
        return null;
    }
  }
}
