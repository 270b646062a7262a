// The measurements, one function each; every figure goes into the report under `<lang>.<name>`.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runEslint, runOxlint, type ToolRun } from "./compare";
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
  files: number;
  lines: number;
}
interface ScanOut {
  ms: number;
  analyzeMs: number;
  files: number;
  lines: number;
  findings: number;
  errors: number;
  firstErrors: string[];
}

const node = process.execPath;
const workerLang = (lang: string): string =>
  lang === "ts" ? "typescript" : lang;

function scanOnce(build: string, list: string): Promise<ChildResult> {
  return runChild(node, [join(build, "scan.js"), "--list", list]);
}

/** Cold scan vs bare parse, alternating fresh processes so drift on a shared machine hits both alike. */
export async function measureScan(
  report: Report,
  lang: string,
  corpus: Corpus,
  build: string,
  repeat: number,
): Promise<void> {
  const list = writeList(corpus);
  const parses: ParseOut[] = [];
  const scans: ScanOut[] = [];
  const parseWalls: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const child = await runChild(node, [
      join(build, "parse.js"),
      "--lang",
      workerLang(lang),
      "--list",
      list,
    ]);
    parses.push(workerJson<ParseOut>(child));
    parseWalls.push(child.wallMs);
    scans.push(workerJson<ScanOut>(await scanOnce(build, list)));
  }
  // The whole parse process (start-up, read, parse): the floor for any tool built on this parser.
  report.set(`${lang}.parseProcessWallMs`, median(parseWalls));
  const parseMs = median(parses.map((p) => p.ms));
  const scanMs = median(scans.map((s) => s.analyzeMs));
  const last = scans[scans.length - 1]!;
  report.set(`${lang}.parseMs`, parseMs);
  report.set(`${lang}.scanMs`, scanMs);
  report.set(`${lang}.scanLoopMs`, median(scans.map((s) => s.ms)));
  report.set(`${lang}.scanLines`, last.lines);
  report.set(`${lang}.scanFiles`, last.files);
  report.set(`${lang}.findings`, last.findings);
  report.set(`${lang}.frontendErrors`, last.errors);
  report.set(`${lang}.scanOverParse`, scanMs / parseMs);
  report.set(
    `${lang}.scanOverParseBest`,
    Math.min(...scans.map((s) => s.analyzeMs)) /
      Math.min(...parses.map((p) => p.ms)),
  );
  line(
    "bare parse (median)",
    `${fmtMs(parseMs)} for ${parses[0]!.files} files, ${parses[0]!.lines} lines (runs: ${parses.map((p) => fmtMs(p.ms)).join(", ")})`,
  );
  line(
    "cold scan, analyze() only (median)",
    `${fmtMs(scanMs)} (runs: ${scans.map((s) => fmtMs(s.analyzeMs)).join(", ")}); whole loop with walk+read ${fmtMs(median(scans.map((s) => s.ms)))}`,
  );
  line(
    "findings / frontend or rule errors",
    `${last.findings} / ${last.errors}${last.errors ? ` (first: ${last.firstErrors[0]})` : ""}`,
  );
  line(
    "scan ÷ parse",
    `${(scanMs / parseMs).toFixed(2)}× median, ${report.get(`${lang}.scanOverParseBest`)!.toFixed(2)}× best-of`,
  );
  if (last.files !== parses[0]!.files)
    report.note(
      `${lang}: the scan analysed ${last.files} files, the parse ${parses[0]!.files} (the CLI skips files over 1 MB or binary)`,
    );
  if (last.errors > 0)
    report.note(
      `${lang}: ${last.errors} frontend/rule failures during the scan: ${last.firstErrors.join(" | ")}`,
    );
}

export interface ComparisonInputs {
  readonly corpus: Corpus;
  readonly effect: Corpus;
  readonly cli: string;
  readonly configs: { untyped: string; typed: string };
  readonly corporaDir: string;
  readonly repeat: number;
  readonly quick: boolean;
}

async function cliRuns(
  cli: string,
  dir: string,
  repeat: number,
): Promise<{ wallMs: number; peakRssKb: number; findings: number }> {
  const runs: ChildResult[] = [];
  for (let i = 0; i < repeat; i++)
    runs.push(
      await runChild(node, [cli, "check", ".", "--format", "json"], {
        cwd: dir,
        okCodes: [0, 1],
      }),
    );
  const findings = (JSON.parse(runs[0]!.stdout) as unknown[]).length;
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    peakRssKb: median(runs.map((r) => r.peakRssKb)),
    findings,
  };
}

function describe(
  name: string,
  run: { wallMs: number; peakRssKb: number },
  lines: number,
  extra: string,
): void {
  line(
    name,
    `${fmtMs(run.wallMs)} (${((run.wallMs / lines) * 1000).toFixed(1)} µs/line), peak ${fmtMb(run.peakRssKb)}${extra}`,
  );
}

/** Our CLI vs ESLint (untyped and type-aware) and oxlint, whole processes, on the same files. */
export async function measureTsComparisons(
  report: Report,
  input: ComparisonInputs,
): Promise<void> {
  const { corpus, effect, cli, configs, corporaDir, repeat } = input;
  const ours = await cliRuns(cli, corpus.root, repeat);
  describe(
    `our CLI, all rules (median of ${repeat})`,
    ours,
    corpus.lines,
    `, ${ours.findings} findings`,
  );
  const eslint: ToolRun = await runEslint(configs.untyped, [
    relative(corporaDir, corpus.root),
  ]);
  describe(
    "ESLint 9 + @typescript-eslint/parser, untyped",
    eslint,
    corpus.lines,
    `, ${eslint.problems} problems ${JSON.stringify(eslint.byRule)}`,
  );
  const ox = await runOxlint([relative(corporaDir, corpus.root)]);
  describe(
    "oxlint node/no-sync (native, 1 thread)",
    ox,
    corpus.lines,
    `, ${ox.problems} problems`,
  );
  report.set("ts.cli.wallMs", ours.wallMs);
  report.set("ts.cli.peakRssKb", ours.peakRssKb);
  report.set("ts.cli.findings", ours.findings);
  report.set("ts.eslint.wallMs", eslint.wallMs);
  report.set("ts.eslint.peakRssKb", eslint.peakRssKb);
  report.set("ts.eslint.problems", eslint.problems);
  report.set("ts.oxlint.wallMs", ox.wallMs);
  report.set("ts.oxlint.peakRssKb", ox.peakRssKb);
  report.set("ts.eslintOverScan", eslint.wallMs / ours.wallMs);
  const parseWall = report.get("ts.parseProcessWallMs");
  if (parseWall !== undefined) {
    // ESLint parses with the same TypeScript parser, so this bounds what any TS-parser-based tool can reach.
    report.set("ts.eslintOverParseProcess", eslint.wallMs / parseWall);
    line(
      "ESLint time ÷ a bare-parse process (the ceiling)",
      `${(eslint.wallMs / parseWall).toFixed(2)}×`,
    );
  }
  report.set("ts.rssOverEslint", ours.peakRssKb / eslint.peakRssKb);
  report.set("ts.scanOverOxlint", ours.wallMs / ox.wallMs);
  line(
    "ESLint time ÷ ours; our RSS ÷ ESLint RSS",
    `${(eslint.wallMs / ours.wallMs).toFixed(2)}×; ${(ours.peakRssKb / eslint.peakRssKb).toFixed(2)}×`,
  );
  line("ours ÷ oxlint (time)", `${(ours.wallMs / ox.wallMs).toFixed(2)}×`);

  // Type-aware ESLint builds a TypeScript program over the TS part (Effect); ours runs on the same files.
  const oursTs = await cliRuns(cli, effect.root, repeat);
  describe(
    `our CLI on ${effect.description} (median of ${repeat})`,
    oursTs,
    effect.lines,
    `, ${oursTs.findings} findings`,
  );
  const typed = await runEslint(configs.typed, [
    relative(corporaDir, effect.root),
  ]);
  describe(
    "ESLint + no-floating/misused-promises, typed",
    typed,
    effect.lines,
    `, ${typed.problems} problems ${JSON.stringify(typed.byRule)}`,
  );
  report.set("ts.typed.lines", effect.lines);
  report.set("ts.typed.files", effect.files.length);
  report.set("ts.typed.cliWallMs", oursTs.wallMs);
  report.set("ts.typed.cliPeakRssKb", oursTs.peakRssKb);
  report.set("ts.eslintTyped.wallMs", typed.wallMs);
  report.set("ts.eslintTyped.peakRssKb", typed.peakRssKb);
  report.set("ts.eslintTypedOverScan", typed.wallMs / oursTs.wallMs);
  report.set("ts.eslintTypedRssOverScan", typed.peakRssKb / oursTs.peakRssKb);
  report.set("ts.rssOverEslintTyped", oursTs.peakRssKb / typed.peakRssKb);
  line(
    "typed ESLint time ÷ ours; its RSS ÷ ours",
    `${(typed.wallMs / oursTs.wallMs).toFixed(2)}×; ${(typed.peakRssKb / oursTs.peakRssKb).toFixed(2)}×`,
  );
  if (input.quick)
    report.note(
      "quick mode: type-aware ESLint builds its program from a 10 % subset whose imports are mostly missing, so its cost is understated",
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
  for (const [pct, keep] of [
    [25, [0]],
    [50, [0, 2]],
    [100, [0, 1, 2, 3]],
  ] as const) {
    const part =
      pct === 100 ? corpus : subset(corpus, 4, keep, `${corpus.name}-${pct}`);
    let ms: number;
    let lines: number;
    if (pct === 100 && report.get(`${lang}.scanMs`) !== undefined) {
      ms = report.get(`${lang}.scanMs`)!;
      lines = report.get(`${lang}.scanLines`)!;
    } else {
      const runs: ScanOut[] = [];
      const list = writeList(part);
      for (let i = 0; i < repeat; i++)
        runs.push(workerJson<ScanOut>(await scanOnce(build, list)));
      ms = median(runs.map((r) => r.analyzeMs));
      lines = runs[0]!.lines;
    }
    const us = (ms / lines) * 1000;
    perLine.push(us);
    report.set(`${lang}.scaling.p${pct}.lines`, lines);
    report.set(`${lang}.scaling.p${pct}.ms`, ms);
    report.set(`${lang}.scaling.p${pct}.usPerLine`, us);
    line(
      `scan at ${pct} % (${lines} lines)`,
      `${fmtMs(ms)}, ${us.toFixed(2)} µs/line`,
    );
  }
  report.set(`${lang}.scalingPerLine`, perLine[2]! / perLine[0]!);
}

export interface KeystrokeInputs {
  readonly server: string;
  readonly file: string;
  readonly languageId: string;
  readonly edits: number;
  readonly build: string;
}

/** Keystroke → diagnostics through the real server, vs the bare incremental re-parse of the same edits. */
export async function measureKeystrokes(
  report: Report,
  lang: string,
  input: KeystrokeInputs,
): Promise<void> {
  const warmup = 5;
  const lines = countLines(readFileSync(input.file, "utf8"));
  const lsp = await keystrokeLatency(
    input.server,
    input.file,
    input.languageId,
    input.edits,
    warmup,
  );
  const base = workerJson<{
    reparseMs: number[];
    analyzeMs: number[];
    errors: number;
  }>(
    await runChild(node, [
      join(input.build, "incremental.js"),
      "--lang",
      workerLang(lang),
      "--file",
      input.file,
      "--edits",
      String(input.edits),
      "--warmup",
      String(warmup),
    ]),
  );
  const p = (xs: readonly number[], q: number): number => percentile(xs, q);
  report.set(`${lang}.keystroke.file`, input.file);
  report.set(`${lang}.keystroke.lines`, lines);
  report.set(`${lang}.keystroke.edits`, lsp.latenciesMs.length);
  report.set(`${lang}.keystrokeP50Ms`, p(lsp.latenciesMs, 50));
  report.set(`${lang}.keystrokeP95Ms`, p(lsp.latenciesMs, 95));
  report.set(`${lang}.reparseP50Ms`, p(base.reparseMs, 50));
  report.set(`${lang}.reparseP95Ms`, p(base.reparseMs, 95));
  report.set(`${lang}.analyzeIncrementalP50Ms`, p(base.analyzeMs, 50));
  report.set(`${lang}.analyzeIncrementalP95Ms`, p(base.analyzeMs, 95));
  const name = input.file.split("/").slice(-2).join("/");
  line(
    `keystroke → diagnostics, LSP (${name}, ${lines} lines)`,
    `p50 ${fmtMs(p(lsp.latenciesMs, 50))}, p95 ${fmtMs(p(lsp.latenciesMs, 95))} over ${lsp.latenciesMs.length} edits (+${warmup} warm-up), debounceMs = 0`,
  );
  line(
    "bare incremental re-parse, in-process",
    `p50 ${fmtMs(p(base.reparseMs, 50))}, p95 ${fmtMs(p(base.reparseMs, 95))}`,
  );
  line(
    "engine analyze() with previous parse, in-process",
    `p50 ${fmtMs(p(base.analyzeMs, 50))}, p95 ${fmtMs(p(base.analyzeMs, 95))}`,
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
  const srv = await serverScanMemory(input.server, input.root);
  const trees = await runChild(node, [
    join(input.build, "parse.js"),
    "--lang",
    workerLang(lang),
    "--list",
    writeList(input.corpus),
    "--hold",
  ]);
  report.set(`${lang}.server.scanMs`, srv.ms);
  report.set(`${lang}.server.files`, srv.files);
  report.set(`${lang}.server.idleRssKb`, srv.idleRssKb);
  report.set(`${lang}.server.peakRssKb`, srv.peakRssKb);
  report.set(`${lang}.server.keptRssKb`, srv.keptRssKb);
  report.set(`${lang}.trees.peakRssKb`, trees.peakRssKb);
  report.set(`${lang}.rssOverTrees`, srv.peakRssKb / trees.peakRssKb);
  line(
    "server workspace scan",
    `${fmtMs(srv.ms)}, ${srv.files} files, ${srv.findings} findings; RSS idle ${fmtMb(srv.idleRssKb)}, peak ${fmtMb(srv.peakRssKb)}, kept ${fmtMb(srv.keptRssKb)}`,
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
