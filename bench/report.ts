// Collects figures as the bench goes, prints them, and renders the closing table of ratios against
// their targets; `--json FILE` gets every figure under flat dotted keys and nested objects.
import { writeFileSync } from "node:fs";

/** One target check in the closing table. */
export interface Check {
  readonly key: string;
  readonly label: string;
  readonly value: number | undefined;
  readonly target: string;
  readonly met: boolean | undefined;
  /** The same ratio in CPU time, shown beside the wall-time figure. */
  readonly cpu?: number;
}

export class Report {
  private readonly figures: Record<string, unknown> = {};
  readonly checks: Check[] = [];
  readonly notes: string[] = [];

  /** Records a figure under a dotted key (`ts.scanOverParse`). */
  set(key: string, value: unknown): void {
    this.figures[key] = value;
  }

  get(key: string): number | undefined {
    const v = this.figures[key];
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  }

  /**
   * Adds a target row: `atMost` / `atLeast` the limit; a missing value is "not measured".
   * `cpuKey` names the same ratio in CPU time, shown beside the wall-time figure; unless
   * `cpuShownOnly`, the target counts as met only when both figures meet it (on a loaded machine
   * either one alone can flatter).
   */
  check(
    key: string,
    label: string,
    bound: "atMost" | "atLeast",
    limit: number,
    options: { unit?: string; cpuKey?: string; cpuShownOnly?: boolean } = {},
  ): void {
    const value = this.get(key);
    const unit = options.unit ?? "×";
    const cpu = options.cpuKey ? this.get(options.cpuKey) : undefined;
    const meets = (v: number): boolean =>
      bound === "atMost" ? v <= limit : v >= limit;
    const met =
      value === undefined
        ? undefined
        : meets(value) &&
          (options.cpuShownOnly || cpu === undefined || meets(cpu));
    const target = `${bound === "atMost" ? "≤" : "≥"} ${limit}${unit === "×" ? "×" : ` ${unit}`}`;
    this.checks.push({
      key,
      label,
      value,
      target,
      met,
      ...(cpu !== undefined ? { cpu } : {}),
    });
  }

  /** Runs one measurement; a failure is noted and the run goes on, so one broken tool does not lose every figure. */
  async attempt(label: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.note(`${label} failed: ${text.split("\n").slice(0, 6).join(" | ")}`);
    }
  }

  note(text: string): void {
    this.notes.push(text);
    process.stdout.write(`  note: ${text}\n`);
  }

  /** The closing table, as Markdown (it is pasted into the README as is). */
  table(): string {
    const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
    const rows = this.checks.map((c) => {
      const value =
        c.value === undefined
          ? "n/a"
          : `${fmt(c.value)}${c.cpu !== undefined ? ` (CPU ${fmt(c.cpu)})` : ""}`;
      const met =
        c.met === undefined ? "not measured" : c.met ? "met" : "**not met**";
      return `| ${c.label} | \`${c.key}\` | ${value} | ${c.target} | ${met} |`;
    });
    return [
      "| measure | key | figure | target | result |",
      "|---|---|---|---|---|",
      ...rows,
    ].join("\n");
  }

  /** Writes every figure: flat dotted keys at the top level, the same figures nested under `nested`, and the checks. */
  writeJson(path: string, meta: Record<string, unknown>): void {
    const nested: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.figures)) {
      const parts = key.split(".");
      let node = nested;
      for (const p of parts.slice(0, -1)) {
        const next = node[p];
        node = (
          typeof next === "object" && next !== null ? next : (node[p] = {})
        ) as Record<string, unknown>;
      }
      node[parts[parts.length - 1]!] = value;
    }
    writeFileSync(
      path,
      `${JSON.stringify({ ...this.figures, nested, checks: this.checks, notes: this.notes, meta }, null, 2)}\n`,
    );
  }
}

/** Prints a section heading. */
export function section(title: string): void {
  process.stdout.write(`\n== ${title} ==\n`);
}

/** Prints one measured line. */
export function line(label: string, text: string): void {
  process.stdout.write(`  ${label.padEnd(44)} ${text}\n`);
}

export function fmtMs(ms: number): string {
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 100
      ? `${ms.toFixed(0)} ms`
      : `${ms.toFixed(2)} ms`;
}

export function fmtMb(kb: number): string {
  return `${(kb / 1024).toFixed(0)} MB`;
}
