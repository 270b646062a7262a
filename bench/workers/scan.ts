// Cold scan, run in its own process: the CLI's path (its walker, its reader, `analyze()` with every
// rule on) over a file list or a folder. Prints one JSON line:
// { ms, analyzeMs, files, lines, findings, errors, maxRssKb }.
// `ms` is the whole loop (walk + read + analyse); `analyzeMs` sums `analyze()` calls only.
// `--summaries` adds the CLI's cross-file pass: each analysis is summarised in the loop (`summaryMs`
// sums `summaryOf()` calls), then the layout is read, the summaries linked, and every file whose
// imports reach blocking work or I/O elsewhere analysed again (`linkMs`, `linkCpuMs`, `relinked`).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { summaryOf } from "../../server/src/engine/analyze";
import type { FileSummary } from "../../server/src/engine/summary";
import { analyze, releaseTree } from "../../server/src/project/analyze";
import { readProjectLayout } from "../../server/src/project/layout";
import { hasImports } from "../../server/src/project/link";
import { newLinker } from "../../server/src/project/summaries";
import type { Config } from "../../server/src/engine/config";
import { DEFAULT_CONFIG } from "../../server/src/engine/config";
import { RULES } from "../../server/src/engine/rules";
import * as languages from "../../server/src/languages";
import { readSource, walkFiles } from "../../server/src/project/files";
import { tuneV8ForAnalysis } from "../../server/src/project/v8-flags";

// As the CLI starts: the same V8 settings (project/v8-flags.ts).
tuneV8ForAnalysis('batch');

const { values } = parseArgs({
  options: {
    list: { type: "string" },
    dir: { type: "string" },
    hold: { type: "boolean", default: false },
    summaries: { type: "boolean", default: false },
  },
});

/** Every rule on, at its default severity (no rule defaults to off today; this keeps it so if one does). */
const config: Config = {
  ...DEFAULT_CONFIG,
  rules: Object.fromEntries(RULES.map((r) => [r.id, r.defaultSeverity])),
};

async function main(): Promise<void> {
  // A frontend with an asynchronous start (a WASM grammar) is readied by `initFrontends()`, untimed.
  const init = (languages as Record<string, unknown>).initFrontends;
  if (typeof init === "function") await (init as () => Promise<unknown>)();
  const paths = values.list
    ? readFileSync(values.list, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [values.dir!];
  const extensions = new Set(languages.supportedExtensions());
  const errors: string[] = [];
  const held: unknown[] = [];
  let files = 0;
  let lines = 0;
  let findings = 0;
  const t0 = process.hrtime.bigint();
  // Walk and read first, then analyse: the analysis is timed with one CPU reading around the whole
  // loop, as the parse baseline is (a reading per file cost ~0.5 ms of CPU each on a loaded machine,
  // which inflated the ratio). The texts are held meanwhile, as the baseline holds them.
  const sources: { path: string; text: string }[] = [];
  for await (const path of walkFiles(paths, process.cwd(), { extensions })) {
    const read = await readSource(path);
    if ("skipped" in read) continue;
    sources.push({ path, text: read.text });
  }
  const a0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const onError = (where: string, e: unknown): void => {
    errors.push(`${where}: ${String(e)}`);
  };
  const summaries = new Map<string, FileSummary>();
  let summaryNs = 0n;
  for (const { path, text } of sources) {
    const analysis = analyze({ path, text }, config, { onError });
    if (!analysis) continue;
    files++;
    lines += analysis.lines.lineCount;
    findings += analysis.findings.length;
    // What a server keeps for a closed file is its findings; `--hold` keeps those, never trees.
    if (values.hold) held.push(analysis.findings);
    if (values.summaries) {
      const s0 = process.hrtime.bigint();
      const summary = summaryOf(analysis, path);
      if (summary) summaries.set(path, summary);
      summaryNs += process.hrtime.bigint() - s0;
    }
    // As the CLI's workers do: the file's tree-sitter tree is freed once its analysis is done.
    releaseTree(analysis);
  }
  const cpu = process.cpuUsage(c0);
  const analyzeNs = process.hrtime.bigint() - a0 - summaryNs;
  const analyzeCpuUs = cpu.user + cpu.system;
  // The link pass, as the CLI's second pass does it (without its cache and workers).
  const l0 = process.hrtime.bigint();
  const lc0 = process.cpuUsage();
  let relinked = 0;
  let linkedFindings = 0;
  if (values.summaries) {
    const layout = await readProjectLayout(summaries.keys());
    const linker = newLinker(summaries.values(), layout);
    for (const { path, text } of sources) {
      const imports = linker.importsFor(path);
      if (!hasImports(imports)) continue;
      relinked++;
      const again = analyze({ path, text }, config, { onError, imports });
      linkedFindings += again?.findings.length ?? 0;
      releaseTree(again);
    }
  }
  const lcpu = process.cpuUsage(lc0);
  const linkNs = process.hrtime.bigint() - l0;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const result = {
    ms,
    analyzeMs: Number(analyzeNs) / 1e6,
    analyzeCpuMs: analyzeCpuUs / 1000,
    summaryMs: Number(summaryNs) / 1e6,
    linkMs: Number(linkNs) / 1e6,
    linkCpuMs: (lcpu.user + lcpu.system) / 1000,
    summaries: summaries.size,
    relinked,
    linkedFindings,
    files,
    lines,
    findings,
    errors: errors.length,
    firstErrors: errors.slice(0, 3),
    held: held.length,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
