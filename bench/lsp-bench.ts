// Measurements through the real language server over stdio (`node dist/server.js --stdio`):
// keystroke → diagnostics latency, and the server's peak memory after a workspace scan.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { applyKeystroke, keystrokes, positionAt } from "./edits";
import { LspClient } from "./lsp-client";
import { vmHwmKb } from "./proc";

/**
 * Settings the bench answers `workspace/configuration` with: the diagnostics debounce (default
 * 150 ms) is set to 0 so the figure is the server's own latency, not the debounce delay.
 */
export const BENCH_SETTINGS = { enable: true, debounceMs: 0 };

export interface KeystrokeResult {
  /** didChange sent → publishDiagnostics for that version received, per measured edit. */
  readonly latenciesMs: readonly number[];
  readonly diagnosticsOnOpen: number;
  readonly warmup: number;
}

/** Opens `file` in the server and replays one-character edits, timing each until its diagnostics arrive. */
export async function keystrokeLatency(
  serverScript: string,
  file: string,
  languageId: string,
  edits: number,
  warmup: number,
  crossFile = true,
): Promise<KeystrokeResult> {
  const client = new LspClient(serverScript, BENCH_SETTINGS, dirname(file));
  try {
    await client.initialize(
      pathToFileURL(dirname(file)).href,
      crossFile ? undefined : { crossFile: false },
    );
    // With the index, edits are timed once it is built (what a user typing after start-up meets).
    if (crossFile) await client.indexBuilt();
    const uri = pathToFileURL(file).href;
    let text = readFileSync(file, "utf8");
    let version = 1;
    const opened = client.waitFor(
      "textDocument/publishDiagnostics",
      (p) => p.uri === uri && p.version === 1,
      120_000,
    );
    client.notify("textDocument/didOpen", {
      textDocument: { uri, languageId, version, text },
    });
    const first = await opened;
    const latenciesMs: number[] = [];
    for (const k of keystrokes(text, warmup + edits)) {
      version++;
      const start = positionAt(text, k.offset);
      const end =
        k.text === ""
          ? { line: start.line, character: start.character + 1 }
          : start;
      const v = version;
      const published = client.waitFor(
        "textDocument/publishDiagnostics",
        (p) => p.uri === uri && p.version === v,
        30_000,
      );
      const t0 = process.hrtime.bigint();
      client.notify("textDocument/didChange", {
        textDocument: { uri, version: v },
        contentChanges: [{ range: { start, end }, text: k.text }],
      });
      await published;
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      text = applyKeystroke(text, k);
    }
    return {
      latenciesMs: latenciesMs.slice(warmup),
      diagnosticsOnOpen: (first.diagnostics as unknown[]).length,
      warmup,
    };
  } finally {
    await client.shutdown();
  }
}

export interface ServerScanResult {
  readonly files: number;
  readonly findings: number;
  readonly skipped: number;
  readonly ms: number;
  /** VmHWM after `initialize`, before the scan. */
  readonly idleRssKb: number;
  /** VmHWM after the scan finished: the server's peak over its whole life so far. */
  readonly peakRssKb: number;
  /** VmRSS after the scan: what it keeps. */
  readonly keptRssKb: number;
}

function vmRssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs the server's `asyncBoundary.scanWorkspace` command over `root` and reads its memory from
 * /proc; with `crossFile` (the default) the scan waits for the index, which stays in memory.
 */
export async function serverScanMemory(
  serverScript: string,
  root: string,
  crossFile = true,
): Promise<ServerScanResult> {
  const client = new LspClient(serverScript, BENCH_SETTINGS, root);
  try {
    await client.initialize(
      pathToFileURL(root).href,
      crossFile ? undefined : { crossFile: false },
    );
    const idleRssKb = vmHwmKb(client.pid);
    const t0 = process.hrtime.bigint();
    const summary = await client.request<{
      files: number;
      findings: number;
      skipped: number;
    }>("workspace/executeCommand", {
      command: "asyncBoundary.scanWorkspace",
      arguments: [],
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return {
      files: summary.files,
      findings: summary.findings,
      skipped: summary.skipped,
      ms,
      idleRssKb,
      peakRssKb: vmHwmKb(client.pid),
      keptRssKb: vmRssKb(client.pid),
    };
  } finally {
    await client.shutdown();
  }
}
