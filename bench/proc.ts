// Runs one measurement in a child process and records its wall time and peak resident memory, so
// no measurement pollutes another's heap or RSS.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What a child process did: its exit code, wall time, peak RSS and what it printed. */
export interface ChildResult {
  readonly code: number | null;
  readonly wallMs: number;
  /** Peak resident set size in kilobytes (`ru_maxrss` from GNU time, else VmHWM polled from /proc). */
  readonly peakRssKb: number;
  /** User + system CPU time in ms (from GNU time; 0 without it): steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Exit codes that count as success (ESLint exits 1 when it reports problems). */
  readonly okCodes?: readonly number[];
  readonly timeoutMs?: number;
}

const GNU_TIME = "/usr/bin/time";
const hasGnuTime =
  existsSync(GNU_TIME) &&
  spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" }).status === 0;

/** How peak RSS is measured on this machine, for the report. */
export const RSS_METHOD = hasGnuTime
  ? "GNU time (ru_maxrss)"
  : "/proc/<pid>/status VmHWM, polled";

/** The peak RSS (VmHWM) of a live process in kilobytes, or 0 when it cannot be read. */
export function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs `command args` to completion, measuring wall time and peak RSS. Rejects on an unexpected exit code. */
export function runChild(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), "ab-bench-"));
  const timeFile = join(dir, "time");
  const [cmd, argv] = hasGnuTime
    ? [GNU_TIME, ["-f", "%M %U %S", "-o", timeFile, command, ...args]]
    : [command, [...args]];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let polled = 0;
    // Without GNU time, VmHWM is polled; the last poll before exit is the peak up to then.
    const poll = hasGnuTime
      ? undefined
      : setInterval(
          () => (polled = Math.max(polled, vmHwmKb(child.pid ?? -1))),
          20,
        );
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
      : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      let peakRssKb = polled;
      let cpuMs = 0;
      if (hasGnuTime) {
        const text = existsSync(timeFile) ? readFileSync(timeFile, "utf8") : "";
        // GNU time writes "Command exited with non-zero status N" before the figure.
        const lines = text.trim().split("\n");
        const [rss, user, sys] = (lines[lines.length - 1] ?? "")
          .split(" ")
          .map(Number);
        peakRssKb = rss || 0;
        cpuMs = ((user || 0) + (sys || 0)) * 1000;
      }
      rmSync(dir, { recursive: true, force: true });
      const result: ChildResult = {
        code,
        wallMs,
        peakRssKb,
        cpuMs,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      };
      const ok = options.okCodes ?? [0];
      if (code === null || !ok.includes(code)) {
        reject(
          new Error(
            `\`${command} ${args.join(" ")}\` exited with ${code ?? "a signal"}:\n${result.stderr.slice(-2000)}`,
          ),
        );
      } else resolve(result);
    });
  });
}

/** The JSON object a worker printed on its last stdout line. */
export function workerJson<T>(result: ChildResult): T {
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(rank, s.length) - 1]!;
}

/** CPU time (user + system, all threads) since `start`, in ms. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}
