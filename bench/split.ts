// Where a tree-sitter language's scan time goes, phase by phase, over the bench corpus of the language:
//   parse    the bare parse (what `npm run bench` divides by), trees freed;
//   view     parse + the shared layer's cursor pass (`materialise`) with the frontend's node kinds;
//   model    the frontend's `parse` (parse, view, the builder's model), trees freed;
//   analyze  `analyze()` with every rule on (model, catalog, rules, roles, suppressions), as the scan worker.
// Each phase runs in fresh processes (`--repeat` of them, alternating phases so drift on a shared machine
// hits all alike), each process `--rounds` times over the files: the first round is the cold one (the
// JavaScript still interpreted, the WASM still at its baseline tier, as in `npm run bench`'s scan), the
// others warm. CPU time (user + system) of the process around each round, reading the files untimed.
//
//   npx tsx bench/split.ts --lang rust|go|python|java [--list FILE] [--repeat N] [--rounds N]
// The list defaults to bench/.cache/lists/<lang>.txt, which `npm run bench -- --only <lang>` writes.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG, type Config } from "../server/src/engine/config";
import { RULES } from "../server/src/engine/rules";
import { frontendForPath, loadFrontendFor } from "../server/src/languages";
import { GO_GRAMMAR, GO_KINDS } from "../server/src/languages/go/syntax";
import { JAVA_GRAMMAR, JAVA_KINDS } from "../server/src/languages/java/syntax";
import {
  PYTHON_GRAMMAR,
  PYTHON_KINDS,
} from "../server/src/languages/python/syntax";
import { RUST_KINDS } from "../server/src/languages/rust/syntax";
import {
  freeTree,
  loadedGrammar,
  materialise,
  TreeSitterTree,
  type NodeKinds,
} from "../server/src/languages/tree-sitter";
import { analyze, releaseTree } from "../server/src/project/analyze";
import { median } from "./proc";

const LANGS: Record<string, { grammar: string; kinds: NodeKinds }> = {
  rust: { grammar: "tree-sitter-rust", kinds: RUST_KINDS },
  go: { grammar: GO_GRAMMAR, kinds: GO_KINDS },
  python: { grammar: PYTHON_GRAMMAR, kinds: PYTHON_KINDS },
  java: { grammar: JAVA_GRAMMAR, kinds: JAVA_KINDS },
};
const PHASES = ["parse", "view", "model", "analyze"] as const;

const { values } = parseArgs({
  options: {
    lang: { type: "string" },
    list: { type: "string" },
    repeat: { type: "string", default: "3" },
    rounds: { type: "string", default: "4" },
    phase: { type: "string" },
  },
});
const lang = values.lang ?? "";
if (!LANGS[lang])
  throw new Error(`--lang must be one of ${Object.keys(LANGS).join(", ")}`);
const list = values.list ?? join(__dirname, ".cache/lists", `${lang}.txt`);
const rounds = Number(values.rounds);

/** Every rule on, at its default severity, as the scan worker runs them. */
const config: Config = {
  ...DEFAULT_CONFIG,
  rules: Object.fromEntries(RULES.map((r) => [r.id, r.defaultSeverity])),
};

function cpuMs(work: () => void): number {
  const c0 = process.cpuUsage();
  work();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** One phase in this process: prints the CPU ms of each round as JSON. */
async function child(phase: string): Promise<void> {
  const files = readFileSync(list, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const texts = files.map((f) =>
    readFileSync(f, "utf8").replace(/^\uFEFF/, ""),
  );
  await loadFrontendFor(files[0]!);
  const { grammar, kinds } = LANGS[lang]!;
  const { parser, language } = loadedGrammar(grammar);
  const frontend = frontendForPath(files[0]!)!;
  const run: Record<string, () => void> = {
    parse: () => texts.forEach((t) => parser.parse(t)?.delete()),
    view: () =>
      texts.forEach((t) => {
        const tree = parser.parse(t)!;
        materialise(tree, language, t, kinds);
        tree.delete();
      }),
    model: () =>
      texts.forEach((t, i) => {
        const parsed = frontend.parse(t, files[i]!, frontend.catalog);
        if (parsed.tree instanceof TreeSitterTree) freeTree(parsed.tree);
      }),
    analyze: () =>
      texts.forEach((t, i) =>
        releaseTree(analyze({ path: files[i]!, text: t }, config)),
      ),
  };
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) ms.push(cpuMs(run[phase]!));
  process.stdout.write(`${JSON.stringify(ms)}\n`);
}

function main(): void {
  const cold = new Map<string, number[]>(PHASES.map((p) => [p, []]));
  const warm = new Map<string, number[]>(PHASES.map((p) => [p, []]));
  const load0 = loadavg()[0]!;
  for (let i = 0; i < Number(values.repeat); i++) {
    for (const phase of PHASES) {
      const out = execFileSync(
        process.execPath,
        [
          ...process.execArgv,
          __filename,
          "--lang",
          lang,
          "--list",
          list,
          "--rounds",
          String(rounds),
          "--phase",
          phase,
        ],
        { encoding: "utf8" },
      );
      const ms = JSON.parse(out.trim().split("\n").pop()!) as number[];
      cold.get(phase)!.push(ms[0]!);
      warm.get(phase)!.push(...ms.slice(1));
    }
  }
  const c = (p: string): number => median(cold.get(p)!);
  const w = (p: string): number => median(warm.get(p)!);
  process.stdout.write(
    `${lang}: ${list}, ${values.repeat} processes per phase, ${rounds} rounds each; load ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}\n`,
  );
  process.stdout.write(
    "phase      cold CPU ms  ÷ parse   step | warm CPU ms  ÷ parse   step\n",
  );
  let prevC = 0;
  let prevW = 0;
  for (const p of PHASES) {
    const step = (d: number): string =>
      p === "parse" ? "" : `${d >= 0 ? "+" : ""}${d.toFixed(2)}`;
    const row = (v: number, prev: number, base: number): string =>
      `${v.toFixed(0).padStart(11)} ${(v / base).toFixed(2).padStart(8)} ${step((v - prev) / base).padStart(6)}`;
    process.stdout.write(
      `${p.padEnd(8)} ${row(c(p), prevC, c("parse"))} | ${row(w(p), prevW, w("parse"))}\n`,
    );
    prevC = c(p);
    prevW = w(p);
  }
}

if (values.phase) {
  child(values.phase).catch((e: unknown) => {
    process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`);
    process.exit(1);
  });
} else main();
