// Start-up of the CLI as users run it: `--version`, a run over an empty folder, over one Rust file
// and over one TypeScript file, against a bare `node -e 0` and against the same CLI bundled with the
// TypeScript compiler inside (as it was before dist/typescript.js), all in one run, alternating, so
// the ratios hold on a busy machine even when the absolute figures do not.
//
//   npx tsx bench/startup.ts [--repeat N]     (builds dist/ first; N defaults to 15)
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { median, runChild, type ChildResult } from "./proc";

const ROOT = join(__dirname, "..");
const CLI = join(ROOT, "dist", "cli.js");
const repeatAt = process.argv.indexOf("--repeat");
const repeat = repeatAt > 0 ? Number(process.argv[repeatAt + 1]) : 15;

/** The CLI bundled the old way: one file with the compiler in it (enough for `--version` and an empty run). */
async function bundleWithCompiler(dir: string): Promise<string> {
  const outfile = join(dir, "cli.js");
  await build({
    entryPoints: [join(ROOT, "server/src/cli/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minifyWhitespace: true,
    mainFields: ["module", "main"],
    logLevel: "warning",
    external: ["@napi-rs/nice", "tsx/cjs"],
  });
  return outfile;
}

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly runs: ChildResult[];
}

async function main(): Promise<void> {
  const built = spawnSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("build failed");
  const dir = mkdtempSync(join(tmpdir(), "ab-startup-"));
  try {
    const oldCli = await bundleWithCompiler(join(dir, "old"));
    for (const sub of ["empty", "rust/src", "ts"]) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, "rust/src/main.rs"), "async fn handler() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n");
    writeFileSync(join(dir, "ts/handler.ts"), "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n");
    const cases: Case[] = [
      { name: "node -e 0", args: ["-e", "0"], runs: [] },
      { name: "--version", args: [CLI, "--version"], runs: [] },
      { name: "--version, compiler bundled in", args: [oldCli, "--version"], runs: [] },
      { name: "check empty/", args: [CLI, "check", "empty"], runs: [] },
      { name: "check empty/, compiler bundled in", args: [oldCli, "check", "empty"], runs: [] },
      { name: "check rust/ (1 file)", args: [CLI, "check", "rust"], runs: [] },
      { name: "check ts/ (1 file)", args: [CLI, "check", "ts"], runs: [] },
    ];
    const load = loadavg()[0]!;
    for (let i = 0; i < repeat; i++) {
      for (const c of cases) c.runs.push(await runChild(process.execPath, c.args, { cwd: dir, okCodes: [0, 1], env: { ...process.env, NO_COLOR: "1" } }));
    }
    const wall = (c: Case): number => median(c.runs.map((r) => r.wallMs));
    const cpu = (c: Case): number => median(c.runs.map((r) => r.cpuMs));
    const base = cases[0]!;
    console.log(`start-up, median of ${repeat} alternating runs each (load average ${load.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after)`);
    console.log(`dist/cli.js ${(statSync(CLI).size / 1e6).toFixed(1)} MB, dist/typescript.js ${(statSync(join(ROOT, "dist/typescript.js")).size / 1e6).toFixed(1)} MB, compiler bundled in ${(statSync(oldCli).size / 1e6).toFixed(1)} MB`);
    for (const c of cases) {
      console.log(`  ${c.name.padEnd(36)} wall ${wall(c).toFixed(0).padStart(5)} ms (${(wall(c) / wall(base)).toFixed(2)}x node)  cpu ${cpu(c).toFixed(0).padStart(5)} ms`);
    }
    const ratio = (of: (c: Case) => number, a: number, b: number): string => `${(of(cases[b]!) / of(cases[a]!)).toFixed(2)}x`;
    console.log(`compiler bundled in / apart: --version ${ratio(wall, 1, 2)} wall, ${ratio(cpu, 1, 2)} cpu; empty run ${ratio(wall, 3, 4)} wall, ${ratio(cpu, 3, 4)} cpu`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
