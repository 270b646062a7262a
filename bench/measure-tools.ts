// Our CLI against ESLint (untyped and type-aware) and oxlint: whole processes on the same files,
// each timed (wall and CPU) and its peak RSS taken the same way.
import { relative } from "node:path";
import { runEslint, runOxlint, type ToolRun } from "./compare";
import type { Corpus } from "./corpora";
import { node } from "./measure";
import { median, runChild, type ChildResult } from "./proc";
import { fmtMb, fmtMs, line, type Report } from "./report";

export interface ComparisonInputs {
  readonly corpus: Corpus;
  /** The TypeScript part the type-aware run builds a program for. */
  readonly effect: Corpus;
  readonly cli: string;
  readonly configs: { untyped: string; typed: string };
  readonly corporaDir: string;
  readonly repeat: number;
  readonly quick: boolean;
}

interface CliRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssKb: number;
  readonly findings: number;
}

/** `async-boundary check . --format json` (default `--jobs`: auto) in `dir`, `repeat` times; medians. */
async function cliRuns(
  cli: string,
  dir: string,
  repeat: number,
): Promise<CliRun> {
  const runs: ChildResult[] = [];
  for (let i = 0; i < repeat; i++) {
    const args = [cli, "check", ".", "--format", "json"];
    runs.push(await runChild(node, args, { cwd: dir, okCodes: [0, 1] }));
  }
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    peakRssKb: median(runs.map((r) => r.peakRssKb)),
    findings: (JSON.parse(runs[0]!.stdout) as unknown[]).length,
  };
}

function describe(
  name: string,
  run: CliRun | ToolRun,
  lines: number,
  extra: string,
): void {
  const perLine = ((run.wallMs / lines) * 1000).toFixed(1);
  line(
    name,
    `${fmtMs(run.wallMs)} wall (${perLine} µs/line), ${fmtMs(run.cpuMs)} CPU, peak ${fmtMb(run.peakRssKb)}${extra}`,
  );
}

function record(report: Report, prefix: string, run: CliRun | ToolRun): void {
  report.set(`${prefix}.wallMs`, run.wallMs);
  report.set(`${prefix}.cpuMs`, run.cpuMs);
  report.set(`${prefix}.peakRssKb`, run.peakRssKb);
}

/** Our CLI vs ESLint (untyped and type-aware) and oxlint, whole processes, on the same files. */
export async function measureTsComparisons(
  report: Report,
  input: ComparisonInputs,
): Promise<void> {
  const { corpus, effect, cli, configs, corporaDir, repeat } = input;
  const target = [relative(corporaDir, corpus.root)];
  const ours = await cliRuns(cli, corpus.root, repeat);
  describe(
    `our CLI, all rules, --jobs auto (median of ${repeat})`,
    ours,
    corpus.lines,
    `, ${ours.findings} findings`,
  );
  const eslint = await runEslint(configs.untyped, target);
  describe(
    "ESLint 9 + @typescript-eslint/parser, untyped",
    eslint,
    corpus.lines,
    `, ${eslint.problems} problems ${JSON.stringify(eslint.byRule)}`,
  );
  const eslintAuto = await runEslint(configs.untyped, target, {
    concurrency: "auto",
  });
  describe(
    "ESLint 9 untyped, --concurrency auto",
    eslintAuto,
    corpus.lines,
    `, ${eslintAuto.problems} problems`,
  );
  const ox = await runOxlint(target);
  describe(
    "oxlint node/no-sync (native, 1 thread)",
    ox,
    corpus.lines,
    `, ${ox.problems} problems`,
  );
  const oxAll = await runOxlint(target, { threads: "all" });
  describe(
    "oxlint node/no-sync (native, all threads)",
    oxAll,
    corpus.lines,
    `, ${oxAll.problems} problems`,
  );
  record(report, "ts.eslintAuto", eslintAuto);
  record(report, "ts.oxlintAll", oxAll);
  report.set("ts.eslintAutoOverScan", eslintAuto.wallMs / ours.wallMs);
  report.set("ts.scanOverOxlintAll", ours.wallMs / oxAll.wallMs);
  record(report, "ts.cli", ours);
  record(report, "ts.eslint", eslint);
  record(report, "ts.oxlint", ox);
  report.set("ts.cli.findings", ours.findings);
  report.set("ts.eslint.problems", eslint.problems);
  report.set("ts.eslintOverScan", eslint.wallMs / ours.wallMs);
  report.set("ts.eslintOverScanCpu", eslint.cpuMs / ours.cpuMs);
  report.set("ts.rssOverEslint", ours.peakRssKb / eslint.peakRssKb);
  report.set("ts.scanOverOxlint", ours.wallMs / ox.wallMs);
  line(
    "ESLint time ÷ ours (wall; CPU); our RSS ÷ ESLint's",
    `${(eslint.wallMs / ours.wallMs).toFixed(2)}×; ${(eslint.cpuMs / ours.cpuMs).toFixed(2)}×; ${(ours.peakRssKb / eslint.peakRssKb).toFixed(2)}×`,
  );
  const parseWall = report.get("ts.parseProcessWallMs");
  const parseCpu = report.get("ts.parseProcessCpuMs");
  if (parseWall !== undefined && parseCpu !== undefined) {
    // ESLint parses with the same TypeScript parser: this bounds what any TS-parser-based tool can reach.
    report.set("ts.eslintOverParseProcess", eslint.wallMs / parseWall);
    report.set("ts.eslintOverParseProcessCpu", eslint.cpuMs / parseCpu);
    line(
      "ESLint ÷ a bare-parse process (the ceiling)",
      `${(eslint.wallMs / parseWall).toFixed(2)}× wall, ${(eslint.cpuMs / parseCpu).toFixed(2)}× CPU`,
    );
  }
  line(
    "ESLint --concurrency auto ÷ ours (wall)",
    `${(eslintAuto.wallMs / ours.wallMs).toFixed(2)}×`,
  );
  line(
    "ours ÷ oxlint, 1 thread; all threads (wall)",
    `${(ours.wallMs / ox.wallMs).toFixed(2)}×; ${(ours.wallMs / oxAll.wallMs).toFixed(2)}×`,
  );

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
  record(report, "ts.typed.cli", oursTs);
  record(report, "ts.eslintTyped", typed);
  report.set("ts.eslintTypedOverScan", typed.wallMs / oursTs.wallMs);
  report.set("ts.eslintTypedOverScanCpu", typed.cpuMs / oursTs.cpuMs);
  report.set("ts.eslintTypedRssOverScan", typed.peakRssKb / oursTs.peakRssKb);
  report.set("ts.rssOverEslintTyped", oursTs.peakRssKb / typed.peakRssKb);
  line(
    "typed ESLint time ÷ ours (wall; CPU); its RSS ÷ ours",
    `${(typed.wallMs / oursTs.wallMs).toFixed(2)}×; ${(typed.cpuMs / oursTs.cpuMs).toFixed(2)}×; ${(typed.peakRssKb / oursTs.peakRssKb).toFixed(2)}×`,
  );
  if (input.quick)
    report.note(
      "quick mode: type-aware ESLint builds its program from a 10 % subset whose imports are mostly missing, so its cost is understated",
    );
}
