// `npm run bench [-- --quick] [-- --json FILE] [-- --repeat N] [-- --only ts,rust,python,go,java] [-- --scan-only]`
// `--scan-only`: only the cold scan ÷ bare parse of each language (no tools, cache, threads, keystrokes).
// Benchmarks, never part of `npm test`. Every heavy measurement runs in its own child process;
// ratios are taken between figures of the same run, since absolute times on a shared machine drift.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { frontendForPath } from "../server/src/languages";
import { TYPED_RULES, UNTYPED_RULES, writeEslintConfigs } from "./compare";
import {
  CACHE,
  CORPORA,
  PINS,
  installGoCorpus,
  installPythonCorpus,
  installJavaCorpus,
  installRustCorpus,
  installTools,
  installTsCorpus,
  listCorpus,
  subset,
  type Corpus,
} from "./corpora";
import { RSS_METHOD } from "./proc";
import { Report, section } from "./report";
import {
  measureKeystrokes,
  measureScan,
  measureScaling,
  measureServerMemory,
} from "./measure";
import { measureTsComparisons } from "./measure-tools";
import { measureCache, measureParallel } from "./measure-cli";
import { measureSizes, writeSizePlot } from "./plot";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "string" },
    repeat: { type: "string" },
    only: { type: "string" },
    edits: { type: "string" },
    "scan-only": { type: "boolean", default: false },
  },
});
const quick = values.quick!;
const repeat = Number(values.repeat ?? (quick ? "2" : "3"));
const edits = Number(values.edits ?? "60");
const scanOnly = values["scan-only"]!;
const only = new Set((values.only ?? "ts,rust,python,go,java").split(","));
const ROOT = join(__dirname, "..");
const BUILD = join(CACHE, "build");
const SERVER = join(ROOT, "dist/server.js");
const CLI = join(ROOT, "dist/cli.js");

/** Bundles the workers the way scripts/build.mjs bundles the CLI, so they run the shipped engine code, not a TS loader. */
async function buildWorkers(): Promise<void> {
  await build({
    entryPoints: {
      parse: "bench/workers/parse.ts",
      scan: "bench/workers/scan.ts",
      incremental: "bench/workers/incremental.ts",
    },
    outdir: BUILD,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    logLevel: "warning",
    mainFields: ["module", "main"],
    // The WASM runtime finds its .wasm next to its own module: leave it in node_modules.
    external: ["web-tree-sitter"],
    absWorkingDir: ROOT,
  });
}

/** `--quick`: every 10th file, copied into a folder of its own so the CLI, ESLint and the server all see the same subset. */
function quickCopy(corpus: Corpus): string {
  const root = join(CORPORA, `${corpus.name}-quick`);
  rmSync(root, { recursive: true, force: true });
  for (const f of subset(corpus, 10, [0], corpus.name).files) {
    const to = join(root, relative(corpus.root, f));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(f, to);
  }
  mkdirSync(join(root, ".git"), { recursive: true });
  return root;
}

async function typescript(report: Report): Promise<void> {
  section("TypeScript / JavaScript");
  let root = installTsCorpus();
  const exts = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
  let corpus = await listCorpus(
    "ts",
    "typescript",
    root,
    exts,
    `${PINS.effect} src/ (TS) + ${PINS.webpack} lib/ (JS)`,
  );
  if (quick) {
    root = quickCopy(corpus);
    corpus = await listCorpus(
      "ts-quick",
      "typescript",
      root,
      exts,
      `${corpus.description}, every 10th file`,
    );
  }
  const effectDir = join(root, "effect/src");
  const effect = await listCorpus(
    `${corpus.name}-effect`,
    "typescript",
    effectDir,
    [".ts"],
    `${PINS.effect} src/`,
  );
  report.set("ts.corpus.files", corpus.files.length);
  report.set("ts.corpus.lines", corpus.lines);
  report.set("ts.corpus.description", corpus.description);
  process.stdout.write(
    `  corpus: ${corpus.description}: ${corpus.files.length} files, ${corpus.lines} lines\n`,
  );
  await report.attempt("TS scan", () =>
    measureScan(report, "ts", corpus, BUILD, repeat, true),
  );
  if (scanOnly) return;
  if (existsSync(CLI)) {
    installTools();
    const configs = writeEslintConfigs(effectDir);
    await report.attempt("ESLint and oxlint comparisons", () =>
      measureTsComparisons(report, {
        corpus,
        effect,
        cli: CLI,
        configs,
        corporaDir: CORPORA,
        repeat,
        quick,
      }),
    );
    report.set("ts.eslint.untypedRules", UNTYPED_RULES);
    report.set("ts.eslint.typedRules", TYPED_RULES);
    await report.attempt("CLI threads", () =>
      measureParallel(report, corpus, CLI, repeat),
    );
    await report.attempt("CLI cache", () =>
      measureCache(report, corpus, CLI, repeat),
    );
    await report.attempt("time against corpus size", () =>
      measureSizes(report, corpus, CLI, configs.untyped),
    );
    // A full run's chart is the README's; a quick one stays in the cache folder.
    const plot = quick
      ? join(CACHE, "time-vs-size.svg")
      : join(ROOT, "docs/perf/time-vs-size.svg");
    const when = new Date().toISOString().slice(0, 16).replace("T", " ");
    if (
      writeSizePlot(
        report,
        plot,
        `${corpus.description}: wall time, ${when} UTC, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
      )
    )
      process.stdout.write(`  wrote ${relative(ROOT, plot)}\n`);
  } else
    report.note(
      "dist/cli.js is missing: the ESLint and oxlint comparisons need the CLI",
    );
  await report.attempt("TS scaling", () =>
    measureScaling(report, "ts", corpus, BUILD, repeat),
  );
  const keyFile = join(effectDir, "Micro.ts");
  if (existsSync(SERVER)) {
    // The quick corpus may not hold Micro.ts: the keystroke file always comes from the full one.
    const file = existsSync(keyFile)
      ? keyFile
      : join(installTsCorpus(), "effect/src/Micro.ts");
    await report.attempt("TS keystrokes", () =>
      measureKeystrokes(report, "ts", {
        server: SERVER,
        file,
        languageId: "typescript",
        edits,
        build: BUILD,
      }),
    );
    await report.attempt("server memory", () =>
      measureServerMemory(report, "ts", {
        server: SERVER,
        root,
        corpus,
        build: BUILD,
      }),
    );
  } else
    report.note(
      "dist/server.js is missing: keystroke latency and server memory are not measured",
    );
}

async function rust(report: Report): Promise<void> {
  section("Rust");
  const root = installRustCorpus();
  if (!root) {
    report.note(
      `${PINS.tokioApt} could not be installed: Rust is not measured`,
    );
    return;
  }
  let corpus = await listCorpus(
    "rust",
    "rust",
    root,
    [".rs"],
    `Tokio ${root.split("-").pop()} (Debian ${PINS.tokioApt})`,
  );
  if (quick) corpus = subset(corpus, 10, [0], "rust-quick");
  report.set("rust.corpus.files", corpus.files.length);
  report.set("rust.corpus.lines", corpus.lines);
  process.stdout.write(
    `  corpus: ${corpus.description}: ${corpus.files.length} files, ${corpus.lines} lines\n`,
  );
  if (!frontendForPath("x.rs")) {
    report.note(
      "no Rust frontend is registered yet: Rust scan, keystroke and scaling are not measured",
    );
    return;
  }
  await report.attempt("Rust scan", () =>
    measureScan(report, "rust", corpus, BUILD, repeat, true),
  );
  if (scanOnly) return;
  await report.attempt("Rust scaling", () =>
    measureScaling(report, "rust", corpus, BUILD, repeat),
  );
  const keyFile = join(root, "src/net/windows/named_pipe.rs");
  if (existsSync(SERVER) && existsSync(keyFile))
    await report.attempt("Rust keystrokes", () =>
      measureKeystrokes(report, "rust", {
        server: SERVER,
        file: keyFile,
        languageId: "rust",
        edits,
        build: BUILD,
      }),
    );
}

/** Go: cold scan ÷ bare tree-sitter parse over grpc-go (keystrokes and scaling are not measured for Go yet). */
async function go(report: Report): Promise<void> {
  section("Go");
  const root = installGoCorpus();
  if (!root) {
    report.note(`${PINS.grpcApt} could not be installed: Go is not measured`);
    return;
  }
  let corpus = await listCorpus(
    "go",
    "go",
    root,
    [".go"],
    `grpc-go (Debian ${PINS.grpcApt})`,
  );
  if (quick) corpus = subset(corpus, 10, [0], "go-quick");
  report.set("go.corpus.files", corpus.files.length);
  report.set("go.corpus.lines", corpus.lines);
  process.stdout.write(
    `  corpus: ${corpus.description}: ${corpus.files.length} files, ${corpus.lines} lines\n`,
  );
  await report.attempt("Go scan", () =>
    measureScan(report, "go", corpus, BUILD, repeat),
  );
}

async function python(report: Report): Promise<void> {
  section("Python");
  const root = installPythonCorpus();
  report.set("python.corpus.root", root ?? null);
  if (!root) {
    report.note(`${PINS.aiohttpApt} could not be installed: Python is not measured`);
    return;
  }
  const version = /__version__\s*=\s*"([^"]+)"/.exec(readFileSync(join(root, "__init__.py"), "utf8"))?.[1] ?? "?";
  let corpus = await listCorpus("python", "python", root, [".py"], `aiohttp ${version} (Debian ${PINS.aiohttpApt})`);
  if (quick) corpus = subset(corpus, 10, [0], "python-quick");
  report.set("python.corpus.files", corpus.files.length);
  report.set("python.corpus.lines", corpus.lines);
  process.stdout.write(`  corpus: ${corpus.description}: ${corpus.files.length} files, ${corpus.lines} lines\n`);
  await report.attempt("Python scan", () => measureScan(report, "python", corpus, BUILD, repeat));
}

/** Java: cold scan ÷ bare tree-sitter parse over the Java sources of Capacitor's Android runtime. */
async function java(report: Report): Promise<void> {
  section("Java");
  let root: string;
  try {
    root = installJavaCorpus();
  } catch (e) {
    report.note(`${PINS.capacitorAndroid} could not be installed: Java is not measured (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  let corpus = await listCorpus("java", "java", root, [".java"], `${PINS.capacitorAndroid} capacitor/src/main/java`);
  if (quick) corpus = subset(corpus, 10, [0], "java-quick");
  report.set("java.corpus.files", corpus.files.length);
  report.set("java.corpus.lines", corpus.lines);
  process.stdout.write(`  corpus: ${corpus.description}: ${corpus.files.length} files, ${corpus.lines} lines\n`);
  await report.attempt("Java scan", () => measureScan(report, "java", corpus, BUILD, repeat));
}

function addChecks(report: Report): void {
  const ratio = (cpuKey: string) => ({ cpuKey });
  // The CPU figure beside a keystroke latency is the in-process analysis, shown for diagnosis only.
  const ms = (cpuKey: string) => ({ unit: "ms", cpuKey, cpuShownOnly: true });
  report.check(
    "ts.scanOverParse",
    "TS/JS cold scan ÷ bare parse (analysis time)",
    "atMost",
    1.3,
    ratio("ts.scanOverParseCpu"),
  );
  report.check(
    "ts.summariesOverParse",
    "TS/JS cold scan with summaries (summarise, link, re-analyse) ÷ bare parse",
    "atMost",
    1.5,
    ratio("ts.summariesOverParseCpu"),
  );
  report.check(
    "ts.keystrokeIndexOverNoIndexP95",
    "TS keystroke p95 with the workspace index ÷ without (no worse; 10 % allowed for noise)",
    "atMost",
    1.1,
  );
  report.check(
    "ts.rssIndexOverNoIndex",
    "server peak RSS after a workspace scan, with the index ÷ without",
    "atMost",
    1.3,
  );
  report.check(
    "ts.eslintOverScan",
    "ESLint (untyped rules, one thread) time ÷ our CLI time",
    "atLeast",
    8,
    ratio("ts.eslintOverScanCpu"),
  );
  report.check(
    "ts.eslintAutoOverScan",
    "ESLint (untyped, --concurrency auto) time ÷ our CLI time",
    "atLeast",
    8,
  );
  report.check(
    "ts.scanOverOxlintAll",
    "our CLI time ÷ oxlint (native, all threads)",
    "atMost",
    6,
  );
  report.check(
    "ts.parallelSpeedupPerCore",
    "--jobs 1 ÷ --jobs cores wall time, per core",
    "atLeast",
    0.8,
  );
  report.check(
    "ts.cacheWarmOverCold",
    "--cache warm run, unchanged tree ÷ cold run",
    "atMost",
    0.15,
    ratio("ts.cacheWarmOverColdCpu"),
  );
  report.check(
    "ts.cacheOneChangedOverCold",
    "--cache warm run, one file changed ÷ cold run",
    "atMost",
    0.2,
    ratio("ts.cacheOneChangedOverColdCpu"),
  );
  report.check(
    "ts.rssOverEslint",
    "our CLI peak RSS ÷ ESLint (untyped) peak RSS",
    "atMost",
    0.4,
  );
  report.check(
    "ts.eslintTypedOverScan",
    "ESLint (type-aware) time ÷ our CLI time",
    "atLeast",
    20,
    ratio("ts.eslintTypedOverScanCpu"),
  );
  report.check(
    "ts.eslintTypedRssOverScan",
    "ESLint (type-aware) peak RSS ÷ our CLI peak RSS",
    "atLeast",
    4,
  );
  report.check(
    "ts.keystrokeP50Ms",
    "TS keystroke → diagnostics p50 (LSP; CPU: in-process analyze)",
    "atMost",
    25,
    ms("ts.analyzeIncrementalCpuP50Ms"),
  );
  report.check(
    "ts.keystrokeP95Ms",
    "TS keystroke → diagnostics p95",
    "atMost",
    50,
    ms("ts.analyzeIncrementalCpuP95Ms"),
  );
  report.check(
    "ts.rssOverTrees",
    "server peak RSS after workspace scan ÷ all trees held",
    "atMost",
    1.2,
  );
  report.check(
    "ts.scalingPerLine",
    "TS time per line, 100 % ÷ 25 % of corpus (linear ≈ 1)",
    "atMost",
    1.25,
    ratio("ts.scalingPerLineCpu"),
  );
  report.check(
    "rust.scanOverParse",
    "Rust cold scan ÷ bare tree-sitter parse",
    "atMost",
    1.3,
    ratio("rust.scanOverParseCpu"),
  );
  report.check(
    "rust.summariesOverParse",
    "Rust cold scan with summaries ÷ bare tree-sitter parse",
    "atMost",
    1.5,
    ratio("rust.summariesOverParseCpu"),
  );
  report.check(
    "rust.keystrokeIndexOverNoIndexP95",
    "Rust keystroke p95 with the workspace index ÷ without (no worse; 10 % allowed for noise)",
    "atMost",
    1.1,
  );
  report.check(
    "go.scanOverParse",
    "Go cold scan ÷ bare tree-sitter parse",
    "atMost",
    1.3,
    ratio("go.scanOverParseCpu"),
  );
  report.check(
    "python.scanOverParse",
    "Python cold scan ÷ bare tree-sitter parse",
    "atMost",
    1.3,
    ratio("python.scanOverParseCpu"),
  );
  report.check(
    "java.scanOverParse",
    "Java cold scan ÷ bare tree-sitter parse",
    "atMost",
    1.3,
    ratio("java.scanOverParseCpu"),
  );
  report.check(
    "rust.keystrokeP50Ms",
    "Rust keystroke → diagnostics p50 (LSP; CPU: in-process analyze)",
    "atMost",
    25,
    ms("rust.analyzeIncrementalCpuP50Ms"),
  );
  report.check(
    "rust.keystrokeP95Ms",
    "Rust keystroke → diagnostics p95",
    "atMost",
    50,
    ms("rust.analyzeIncrementalCpuP95Ms"),
  );
  report.check(
    "rust.scalingPerLine",
    "Rust time per line, 100 % ÷ 25 % of corpus",
    "atMost",
    1.25,
    ratio("rust.scalingPerLineCpu"),
  );
}
async function main(): Promise<void> {
  const started = Date.now();
  const report = new Report();
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGb: Math.round(totalmem() / 2 ** 30),
    quick,
    repeat,
    edits,
    rss: RSS_METHOD,
    loadBefore: loadavg()[0] ?? 0,
  };
  // The load average says how shared the machine was: wall times swing with it, CPU times much less.
  process.stdout.write(
    `async-boundary bench${quick ? " (quick)" : ""}: node ${meta.node}, ${meta.cpus} cores, load ${meta.loadBefore.toFixed(1)}, repeat ${repeat}, peak RSS by ${RSS_METHOD}\n`,
  );
  await buildWorkers();
  if (only.has("ts")) await typescript(report);
  if (only.has("rust")) await rust(report);
  if (only.has("python")) await python(report);
  if (only.has("go")) await go(report);
  if (only.has("java")) await java(report);
  addChecks(report);
  const met = report.checks.filter((c) => c.met === true).length;
  const measured = report.checks.filter((c) => c.met !== undefined).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const loadAfter = loadavg()[0] ?? 0;
  section(
    `Summary: ${met} of ${measured} measured targets met (${seconds} s, load ${meta.loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${meta.cpus} cores)`,
  );
  // A target counts as met when both its wall-time and CPU-time figures meet it.
  process.stdout.write(`${report.table()}\n`);
  if (values.json)
    report.writeJson(values.json, {
      ...meta,
      seconds: (Date.now() - started) / 1000,
      loadAfter,
    });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
