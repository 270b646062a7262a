// A minimal LSP client over a child's stdio: just enough JSON-RPC to drive the real server the way
// an editor does, with no editor in the loop.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

type Json = Record<string, unknown>;
type NotificationHandler = (params: Json) => void;

/** The `asyncBoundary` settings section the client answers `workspace/configuration` with. */
export type SettingsSection = Record<string, unknown>;

export class LspClient {
  readonly child: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly handlers = new Map<string, NotificationHandler[]>();
  readonly stderr: string[] = [];

  constructor(
    serverScript: string,
    private readonly settings: SettingsSection,
    cwd: string,
  ) {
    // AB_BENCH_SERVER_ARGS passes node flags to the server, e.g. `--cpu-prof` to profile it.
    const nodeArgs = (process.env.AB_BENCH_SERVER_ARGS ?? "")
      .split(" ")
      .filter((a) => a !== "");
    this.child = spawn(
      process.execPath,
      [...nodeArgs, serverScript, "--stdio"],
      {
        cwd,
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    this.child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on("data", (chunk: Buffer) =>
      this.stderr.push(chunk.toString("utf8")),
    );
    this.child.on("exit", (code) => {
      for (const p of this.pending.values())
        p.reject(
          new Error(
            `server exited with ${code}: ${this.stderr.join("").slice(-1000)}`,
          ),
        );
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private send(message: Json): void {
    const body = Buffer.from(
      JSON.stringify({ jsonrpc: "2.0", ...message }),
      "utf8",
    );
    this.child.stdin.write(
      Buffer.concat([
        Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"),
        body,
      ]),
    );
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const m = /Content-Length:\s*(\d+)/i.exec(
        this.buffer.subarray(0, headerEnd).toString("ascii"),
      );
      if (!m) throw new Error("LSP message without Content-Length");
      const length = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer
        .subarray(headerEnd + 4, headerEnd + 4 + length)
        .toString("utf8");
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Json);
    }
  }

  private dispatch(msg: Json): void {
    if ("id" in msg && !("method" in msg)) {
      const p = this.pending.get(msg.id as number);
      this.pending.delete(msg.id as number);
      if (msg.error) p?.reject(new Error(JSON.stringify(msg.error)));
      else p?.resolve(msg.result);
      return;
    }
    const method = msg.method as string;
    if ("id" in msg) {
      // A request from the server: answer what an editor would.
      let result: unknown = null;
      if (method === "workspace/configuration") {
        const items = ((msg.params as Json).items as Json[]) ?? [];
        result = items.map((item) =>
          item.section === "asyncBoundary" || item.section === undefined
            ? this.settings
            : null,
        );
      }
      this.send({ id: msg.id, result });
      return;
    }
    for (const h of this.handlers.get(method) ?? [])
      h((msg.params ?? {}) as Json);
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  on(method: string, handler: NotificationHandler): () => void {
    const list = this.handlers.get(method) ?? [];
    list.push(handler);
    this.handlers.set(method, list);
    return () => list.splice(list.indexOf(handler), 1);
  }

  /** Resolves with the first notification `method` whose params satisfy `match`. */
  waitFor(
    method: string,
    match: (params: Json) => boolean,
    timeoutMs = 60_000,
  ): Promise<Json> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(method, (params) => {
        if (!match(params)) return;
        clearTimeout(timer);
        off();
        resolve(params);
      });
    });
  }

  /**
   * `initialize` + `initialized` for one workspace folder, with `workspace/configuration` and
   * work-done progress support (so the server reports its index build); `initializationOptions`
   * as an editor would send them (`{ crossFile: false }`).
   */
  async initialize(
    rootUri: string,
    initializationOptions?: Json,
  ): Promise<Json> {
    this.on("$/progress", (p) => {
      const value = p.value as Json | undefined;
      if (
        value?.kind === "begin" &&
        String(value.title).includes("indexing")
      )
        this.indexToken = p.token;
      else if (value?.kind === "end" && p.token === this.indexToken)
        this.indexEnded = true;
    });
    const result = await this.request<Json>("initialize", {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: "bench" }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true },
        window: { workDoneProgress: true },
        textDocument: {
          synchronization: { didSave: false },
          publishDiagnostics: { versionSupport: true },
        },
      },
      ...(initializationOptions ? { initializationOptions } : {}),
    });
    this.notify("initialized", {});
    return result;
  }

  private indexToken: unknown;
  private indexEnded = false;

  /** Resolves when the server's cross-file index build has ended (its work-done progress). */
  async indexBuilt(timeoutMs = 600_000): Promise<void> {
    const t0 = Date.now();
    while (!this.indexEnded) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`the index was not built within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async shutdown(): Promise<void> {
    try {
      await Promise.race([
        this.request("shutdown", null),
        new Promise((r) => setTimeout(r, 5000)),
      ]);
      this.notify("exit", null);
    } finally {
      setTimeout(() => this.child.kill(), 2000).unref();
    }
  }
}
