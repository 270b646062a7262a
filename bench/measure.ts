// The in-process measurements (scan vs parse, scaling, keystrokes, memory), one function each;
// every figure goes into the report under `<lang>.<name>`. Wall time is the primary figure; CPU
// time (user + system) is recorded beside it because it is steadier on a shared, loaded machine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { countLines, subset, writeList, type Corpus } from "./corpora";
import { keystrokeLatency, serverScanMemory } from "./lsp-bench";
import {
  median,
  percentile,
  runChild,
  workerJson,
  type ChildResult,
} from "./proc";
import { fmtMb, fmtMs, line, type Report } from "./report";

interface ParseOut {
  ms: number;
  cpuMs: number;
  files: number;
  lines: number;
}
interface ScanOut {
  ms: number;
  analyzeMs: number;
  analyzeCpuMs: number;
  summaryMs: number;
  linkMs: number;
  linkCpuMs: number;
  summaries: number;
  relinked: number;
  linkedFindings: number;
  files: number;
  lines: number;
  findings: number;
  errors: number;
  firstErrors: string[];
}

export const node = process.execPath;
export const workerLang = (lang: string): string =>
  lang === "ts" ? "typescript" : lang;

function scanOnce(
  build: string,
  list: string,
  summaries = false,
): Promise<ChildResult> {
  return runChild(node, [
    join(build, "scan.js"),
    "--list",
    list,
    ...(summaries ? ["--summaries"] : []),
  ]);
}

const runsOf = (xs: readonly number[]): string => xs.map(fmtMs).join(", ");

/**
 * Cold scan vs bare parse, alternating fresh processes so drift on a shared machine hits both alike.
 * With `summaries`, a third process per round scans with the cross-file pass (summarise, read the
 * layout, link, analyse again the files whose imports matter), as the CLI does.
 */
export async function measureScan(
  report: Report,
  lang: string,
  corpus: Corpus,
  build: string,
  repeat: number,
  summaries = false,
): Promise<void> {
  const list = writeList(corpus);
  const parses: ParseOut[] = [];
  const scans: ScanOut[] = [];
  const linked: ScanOut[] = [];
  const parseProcs: ChildResult[] = [];
  for (let i = 0; i < repeat; i++) {
    const args = ["--lang", workerLang(lang), "--list", list];
    const child = await runChild(node, [join(build, "parse.js"), ...args]);
    parses.push(workerJson<ParseOut>(child));
    parseProcs.push(child);
    scans.push(workerJson<ScanOut>(await scanOnce(build, list)));
    if (summaries)
      linked.push(workerJson<ScanOut>(await scanOnce(build, list, true)));
  }
  const parseMs = median(parses.map((p) => p.ms));
  const scanMs = median(scans.map((s) => s.analyzeMs));
  const parseCpu = median(parses.map((p) => p.cpuMs));
  const scanCpu = median(scans.map((s) => s.analyzeCpuMs));
  const last = scans[scans.length - 1]!;
  // The whole parse process (start-up, read, parse): the floor of any tool built on this parser.
  report.set(
    `${lang}.parseProcessWallMs`,
    median(parseProcs.map((p) => p.wallMs)),
  );
  report.set(
    `${lang}.parseProcessCpuMs`,
    median(parseProcs.map((p) => p.cpuMs)),
  );
  report.set(`${lang}.parseMs`, parseMs);
  report.set(`${lang}.parseCpuMs`, parseCpu);
  report.set(`${lang}.scanMs`, scanMs);
  report.set(`${lang}.scanCpuMs`, scanCpu);
  report.set(`${lang}.scanLoopMs`, median(scans.map((s) => s.ms)));
  report.set(`${lang}.scanLines`, last.lines);
  report.set(`${lang}.scanFiles`, last.files);
  report.set(`${lang}.findings`, last.findings);
  report.set(`${lang}.frontendErrors`, last.errors);
  report.set(`${lang}.scanOverParse`, scanMs / parseMs);
  report.set(`${lang}.scanOverParseCpu`, scanCpu / parseCpu);
  const best =
    Math.min(...scans.map((s) => s.analyzeMs)) /
    Math.min(...parses.map((p) => p.ms));
  report.set(`${lang}.scanOverParseBest`, best);
  const p0 = parses[0]!;
  line(
    "bare parse (median)",
    `${fmtMs(parseMs)} wall, ${fmtMs(parseCpu)} CPU for ${p0.files} files, ${p0.lines} lines (runs: ${runsOf(parses.map((p) => p.ms))})`,
  );
  line(
    "cold scan, analyze() only (median)",
    `${fmtMs(scanMs)} wall, ${fmtMs(scanCpu)} CPU (runs: ${runsOf(scans.map((s) => s.analyzeMs))}); loop with walk+read ${fmtMs(median(scans.map((s) => s.ms)))}`,
  );
  line(
    "findings / frontend or rule errors",
    `${last.findings} / ${last.errors}${last.errors ? ` (first: ${last.firstErrors[0]})` : ""}`,
  );
  line(
    "scan ÷ parse",
    `${(scanMs / parseMs).toFixed(2)}× wall median, ${best.toFixed(2)}× best-of, ${(scanCpu / parseCpu).toFixed(2)}× CPU`,
  );
  if (summaries) reportSummaryPass(report, lang, linked, scanMs, scanCpu, parseMs, parseCpu);
  if (last.files !== p0.files)
    report.note(
      `${lang}: the scan analysed ${last.files} files, the parse ${p0.files} (the CLI skips files over 1 MB or binary)`,
    );
  if (last.errors > 0)
    report.note(
      `${lang}: ${last.errors} frontend/rule failures during the scan: ${last.firstErrors.join(" | ")}`,
    );
}

/** The summary pass on its own line, and the scan with it against the bare parse and the scan without it (same run). */
function reportSummaryPass(
  report: Report,
  lang: string,
  linked: readonly ScanOut[],
  scanMs: number,
  scanCpu: number,
  parseMs: number,
  parseCpu: number,
): void {
  const wall = (s: ScanOut): number => s.analyzeMs + s.summaryMs + s.linkMs;
  const cpu = (s: ScanOut): number => s.analyzeCpuMs + s.linkCpuMs;
  const withMs = median(linked.map(wall));
  const withCpu = median(linked.map(cpu));
  const summaryMs = median(linked.map((s) => s.summaryMs));
  const linkMs = median(linked.map((s) => s.linkMs));
  const linkCpu = median(linked.map((s) => s.linkCpuMs));
  const last = linked[linked.length - 1]!;
  report.set(`${lang}.summaryPassMs`, summaryMs + linkMs);
  report.set(`${lang}.summarizeMs`, summaryMs);
  report.set(`${lang}.linkMs`, linkMs);
  report.set(`${lang}.linkCpuMs`, linkCpu);
  report.set(`${lang}.summaries`, last.summaries);
  report.set(`${lang}.relinkedFiles`, last.relinked);
  report.set(`${lang}.linkedFindings`, last.linkedFindings);
  report.set(`${lang}.scanWithSummariesMs`, withMs);
  report.set(`${lang}.scanWithSummariesCpuMs`, withCpu);
  report.set(`${lang}.summariesOverParse`, withMs / parseMs);
  report.set(`${lang}.summariesOverParseCpu`, withCpu / parseCpu);
  report.set(`${lang}.summariesOverScan`, withMs / scanMs);
  report.set(`${lang}.summariesOverScanCpu`, withCpu / scanCpu);
  line(
    "summary pass (median)",
    `${fmtMs(summaryMs + linkMs)} wall: summarise ${fmtMs(summaryMs)}, layout + link + ${last.relinked} files analysed again ${fmtMs(linkMs)} (${fmtMs(linkCpu)} CPU); ${last.summaries} summaries`,
  );
  line(
    "cold scan with summaries ÷ bare parse",
    `${(withMs / parseMs).toFixed(2)}× wall, ${(withCpu / parseCpu).toFixed(2)}× CPU (target ≤ 1.5×)`,
  );
  line(
    "cold scan with ÷ without summaries",
    `${(withMs / scanMs).toFixed(2)}× wall, ${(withCpu / scanCpu).toFixed(2)}× CPU`,
  );
}

/** Cold scan time per line at 25 %, 50 % and 100 % of the corpus (nested, spread-out subsets). */
export async function measureScaling(
  report: Report,
  lang: string,
  corpus: Corpus,
  build: string,
  repeat: number,
): Promise<void> {
  const perLine: number[] = [];
  const perLineCpu: number[] = [];
  const parts: [number, number[]][] = [
    [25, [0]],
    [50, [0, 2]],
    [100, [0, 1, 2, 3]],
  ];
  for (const [pct, keep] of parts) {
    let ms: number;
    let cpu: number;
    let lines: number;
    if (pct === 100 && report.get(`${lang}.scanMs`) !== undefined) {
      // The full corpus was just measured by measureScan: reuse it.
      ms = report.get(`${lang}.scanMs`)!;
      cpu = report.get(`${lang}.scanCpuMs`)!;
      lines = report.get(`${lang}.scanLines`)!;
    } else {
      const part = subset(corpus, 4, keep, `${corpus.name}-${pct}`);
      const runs: ScanOut[] = [];
      const list = writeList(part);
      for (let i = 0; i < repeat; i++)
        runs.push(workerJson<ScanOut>(await scanOnce(build, list)));
      ms = median(runs.map((r) => r.analyzeMs));
      cpu = median(runs.map((r) => r.analyzeCpuMs));
      lines = runs[0]!.lines;
    }
    const us = (ms / lines) * 1000;
    const usCpu = (cpu / lines) * 1000;
    perLine.push(us);
    perLineCpu.push(usCpu);
    report.set(`${lang}.scaling.p${pct}.lines`, lines);
    report.set(`${lang}.scaling.p${pct}.ms`, ms);
    report.set(`${lang}.scaling.p${pct}.usPerLine`, us);
    report.set(`${lang}.scaling.p${pct}.cpuUsPerLine`, usCpu);
    line(
      `scan at ${pct} % (${lines} lines)`,
      `${fmtMs(ms)}, ${us.toFixed(2)} µs/line wall, ${usCpu.toFixed(2)} µs/line CPU`,
    );
  }
  report.set(`${lang}.scalingPerLine`, perLine[2]! / perLine[0]!);
  report.set(`${lang}.scalingPerLineCpu`, perLineCpu[2]! / perLineCpu[0]!);
}

export interface KeystrokeInputs {
  readonly server: string;
  readonly file: string;
  readonly languageId: string;
  readonly edits: number;
  readonly build: string;
}

interface IncrementalOut {
  reparseMs: number[];
  reparseCpuMs: number[];
  analyzeMs: number[];
  analyzeCpuMs: number[];
  errors: number;
}

/** Keystroke → diagnostics through the real server, vs the bare incremental re-parse of the same edits. */
export async function measureKeystrokes(
  report: Report,
  lang: string,
  input: KeystrokeInputs,
): Promise<void> {
  const warmup = 5;
  const lines = countLines(readFileSync(input.file, "utf8"));
  // Without the index first (each file on its own, as before cross-file analysis), then with it.
  const alone = await keystrokeLatency(
    input.server,
    input.file,
    input.languageId,
    input.edits,
    warmup,
    false,
  );
  const lsp = await keystrokeLatency(
    input.server,
    input.file,
    input.languageId,
    input.edits,
    warmup,
  );
  const base = workerJson<IncrementalOut>(
    await runChild(node, [
      join(input.build, "incremental.js"),
      ...["--lang", workerLang(lang), "--file", input.file],
      ...["--edits", String(input.edits), "--warmup", String(warmup)],
    ]),
  );
  const p = percentile;
  const set = (key: string, xs: readonly number[]): void => {
    report.set(`${lang}.${key}P50Ms`, p(xs, 50));
    report.set(`${lang}.${key}P95Ms`, p(xs, 95));
  };
  report.set(`${lang}.keystroke.file`, input.file);
  report.set(`${lang}.keystroke.lines`, lines);
  report.set(`${lang}.keystroke.edits`, lsp.latenciesMs.length);
  set("keystroke", lsp.latenciesMs);
  set("keystrokeNoIndex", alone.latenciesMs);
  report.set(
    `${lang}.keystrokeIndexOverNoIndexP95`,
    p(lsp.latenciesMs, 95) / p(alone.latenciesMs, 95),
  );
  set("reparse", base.reparseMs);
  set("reparseCpu", base.reparseCpuMs);
  set("analyzeIncremental", base.analyzeMs);
  set("analyzeIncrementalCpu", base.analyzeCpuMs);
  const both = (xs: readonly number[]): string =>
    `p50 ${fmtMs(p(xs, 50))}, p95 ${fmtMs(p(xs, 95))}`;
  const name = input.file.split("/").slice(-2).join("/");
  line(
    `keystroke → diagnostics, LSP (${name}, ${lines} lines)`,
    `${both(lsp.latenciesMs)} over ${lsp.latenciesMs.length} edits (+${warmup} warm-up), debounceMs = 0, with the workspace index built`,
  );
  line(
    "the same without the index (crossFile: false)",
    `${both(alone.latenciesMs)}; with ÷ without at p95 ${(p(lsp.latenciesMs, 95) / p(alone.latenciesMs, 95)).toFixed(2)}×`,
  );
  line(
    "bare incremental re-parse, in-process",
    `${both(base.reparseMs)} wall; CPU ${both(base.reparseCpuMs)}`,
  );
  line(
    "engine analyze() with previous parse, in-process",
    `${both(base.analyzeMs)} wall; CPU ${both(base.analyzeCpuMs)}`,
  );
}

export interface ServerMemoryInputs {
  readonly server: string;
  readonly root: string;
  readonly corpus: Corpus;
  readonly build: string;
}

/** The server's peak RSS after `scanWorkspace` over the corpus, vs a process that parses and keeps every tree. */
export async function measureServerMemory(
  report: Report,
  lang: string,
  input: ServerMemoryInputs,
): Promise<void> {
  const alone = await serverScanMemory(input.server, input.root, false);
  const srv = await serverScanMemory(input.server, input.root);
  const trees = await runChild(node, [
    join(input.build, "parse.js"),
    ...[
      "--lang",
      workerLang(lang),
      "--list",
      writeList(input.corpus),
      "--hold",
    ],
  ]);
  report.set(`${lang}.server.scanMs`, srv.ms);
  report.set(`${lang}.server.files`, srv.files);
  report.set(`${lang}.server.idleRssKb`, srv.idleRssKb);
  report.set(`${lang}.server.peakRssKb`, srv.peakRssKb);
  report.set(`${lang}.server.keptRssKb`, srv.keptRssKb);
  report.set(`${lang}.trees.peakRssKb`, trees.peakRssKb);
  report.set(`${lang}.rssOverTrees`, srv.peakRssKb / trees.peakRssKb);
  report.set(`${lang}.server.noIndexPeakRssKb`, alone.peakRssKb);
  report.set(`${lang}.server.noIndexKeptRssKb`, alone.keptRssKb);
  report.set(`${lang}.rssIndexOverNoIndex`, srv.peakRssKb / alone.peakRssKb);
  line(
    "server workspace scan",
    `${fmtMs(srv.ms)}, ${srv.files} files, ${srv.findings} findings; RSS idle ${fmtMb(srv.idleRssKb)}, peak ${fmtMb(srv.peakRssKb)}, kept ${fmtMb(srv.keptRssKb)}`,
  );
  line(
    "the same scan without the index (crossFile: false)",
    `${fmtMs(alone.ms)}; RSS peak ${fmtMb(alone.peakRssKb)}, kept ${fmtMb(alone.keptRssKb)}; with ÷ without (peak) ${(srv.peakRssKb / alone.peakRssKb).toFixed(2)}× (target ≤ 1.3×)`,
  );
  line("a process holding every parsed tree", `peak ${fmtMb(trees.peakRssKb)}`);
  line(
    "server peak ÷ trees held",
    `${(srv.peakRssKb / trees.peakRssKb).toFixed(2)}×`,
  );
  if (srv.files !== input.corpus.files.length)
    report.note(
      `${lang}: the server scanned ${srv.files} files (${srv.skipped} skipped), the corpus has ${input.corpus.files.length}`,
    );
}
