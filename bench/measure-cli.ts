// The CLI as users run it, on threads and with its cache: `--jobs 1` against `--jobs <cores>`, and a
// cold `--cache` run against a warm one on the unchanged tree and one after a single file changed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Corpus } from "./corpora";
import { node } from "./measure";
import { median, runChild, type ChildResult } from "./proc";
import { fmtMs, line, type Report } from "./report";

function check(
  cli: string,
  dir: string,
  extra: readonly string[],
): Promise<ChildResult> {
  return runChild(
    node,
    [cli, "check", ".", "--format", "json", ...extra],
    { cwd: dir, okCodes: [0, 1] },
  );
}

const mid = (runs: readonly ChildResult[], key: "wallMs" | "cpuMs"): number =>
  median(runs.map((r) => r[key]));

/** `--jobs 1` against `--jobs <cores>`, alternating, `repeat` times each; the outputs must agree. */
export async function measureParallel(
  report: Report,
  corpus: Corpus,
  cli: string,
  repeat: number,
): Promise<void> {
  const cores = availableParallelism();
  const one: ChildResult[] = [];
  const all: ChildResult[] = [];
  for (let i = 0; i < repeat; i++) {
    one.push(await check(cli, corpus.root, ["--jobs", "1"]));
    all.push(await check(cli, corpus.root, ["--jobs", String(cores)]));
  }
  if (one[0]!.stdout !== all[0]!.stdout)
    report.note(
      `--jobs ${cores} printed something other than --jobs 1 on ${corpus.name}: a bug`,
    );
  const speedup = mid(one, "wallMs") / mid(all, "wallMs");
  report.set("ts.jobs1.wallMs", mid(one, "wallMs"));
  report.set("ts.jobs1.cpuMs", mid(one, "cpuMs"));
  report.set("ts.jobsAll.threads", cores);
  report.set("ts.jobsAll.wallMs", mid(all, "wallMs"));
  report.set("ts.jobsAll.cpuMs", mid(all, "cpuMs"));
  report.set("ts.parallelSpeedup", speedup);
  report.set("ts.parallelSpeedupPerCore", speedup / cores);
  line(
    `our CLI --jobs 1 (median of ${repeat})`,
    `${fmtMs(mid(one, "wallMs"))} wall, ${fmtMs(mid(one, "cpuMs"))} CPU`,
  );
  line(
    `our CLI --jobs ${cores} (median of ${repeat})`,
    `${fmtMs(mid(all, "wallMs"))} wall, ${fmtMs(mid(all, "cpuMs"))} CPU`,
  );
  line(
    "parallel speed-up (wall, --jobs 1 ÷ --jobs cores)",
    `${speedup.toFixed(2)}× on ${cores} cores (${(speedup / cores).toFixed(2)} per core)`,
  );
}

/**
 * Cold `--cache` (no cache file), warm on the unchanged tree, and warm after one file changed (a
 * comment appended to a file in the middle of the walk, restored afterwards); default `--jobs`.
 */
export async function measureCache(
  report: Report,
  corpus: Corpus,
  cli: string,
  repeat: number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ab-bench-cache-"));
  const location = join(dir, "cache.json");
  const args = ["--cache", "--cache-location", location];
  const edited = corpus.files[Math.floor(corpus.files.length / 2)]!;
  const original = readFileSync(edited, "utf8");
  const cold: ChildResult[] = [];
  const warm: ChildResult[] = [];
  const changed: ChildResult[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      rmSync(location, { force: true });
      cold.push(await check(cli, corpus.root, args));
      warm.push(await check(cli, corpus.root, args));
      writeFileSync(edited, `${original}\n// bench edit ${i}\n`);
      try {
        changed.push(await check(cli, corpus.root, args));
      } finally {
        writeFileSync(edited, original);
      }
    }
  } finally {
    writeFileSync(edited, original);
    rmSync(dir, { recursive: true, force: true });
  }
  if (warm[0]!.stdout !== cold[0]!.stdout)
    report.note("the warm cached run printed something other than the cold run: a bug");
  for (const [name, runs] of [
    ["cold", cold],
    ["warm", warm],
    ["oneChanged", changed],
  ] as const) {
    report.set(`ts.cache.${name}.wallMs`, mid(runs, "wallMs"));
    report.set(`ts.cache.${name}.cpuMs`, mid(runs, "cpuMs"));
    line(
      `our CLI --cache, ${name} (median of ${repeat})`,
      `${fmtMs(mid(runs, "wallMs"))} wall, ${fmtMs(mid(runs, "cpuMs"))} CPU`,
    );
  }
  const ratio = (runs: ChildResult[], key: "wallMs" | "cpuMs"): number =>
    mid(runs, key) / mid(cold, key);
  report.set("ts.cacheWarmOverCold", ratio(warm, "wallMs"));
  report.set("ts.cacheWarmOverColdCpu", ratio(warm, "cpuMs"));
  report.set("ts.cacheOneChangedOverCold", ratio(changed, "wallMs"));
  report.set("ts.cacheOneChangedOverColdCpu", ratio(changed, "cpuMs"));
  line(
    "warm ÷ cold; one changed ÷ cold (wall; CPU)",
    `${ratio(warm, "wallMs").toFixed(3)}; ${ratio(warm, "cpuMs").toFixed(3)} — ${ratio(changed, "wallMs").toFixed(3)}; ${ratio(changed, "cpuMs").toFixed(3)}`,
  );
}
