// `npm run realcode [-- --quick] [-- --repo NAME[,NAME]] [-- --list true|false|debatable|all]
//   [-- --stubs] [-- --stale] [-- --no-cache] [-- --jobs N] [-- --json FILE] [-- --cli=ARG …] [-- --dist DIR]`
// Runs the built CLI (`dist/cli.js check --format json`, default settings) on each repository of
// the real-code corpus and prints, per repository, findings per rule and per role, precision on
// production code against verdicts.json, and the production findings nobody has judged yet.
// Never part of `npm test`: it installs packages and takes minutes on a cold cache.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { walkFiles } from "../../server/src/project/files";
import { mapLimited } from "../../server/src/project/summaries";
import { supportedExtensions } from "../../server/src/languages";
import {
  REALCODE_CACHE,
  REPOS,
  installRepo,
  pinOf,
  type Repo,
} from "./corpora";
import {
  lineKey,
  loadVerdicts,
  roleOf,
  verdictKey,
  type Finding,
  type Precision,
  type Verdict,
} from "./verdicts";
import { printReport, type RepoResult } from "./print";

const ROOT = resolve(__dirname, "../..");

const VERDICTS_FILE = join(__dirname, "verdicts.json");

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    repo: { type: "string", multiple: true },
    stubs: { type: "boolean", default: false },
    stale: { type: "boolean", default: false },
    list: { type: "string" },
    "no-cache": { type: "boolean", default: false },
    // Extra CLI arguments (`--cli=--min-severity=hint`): to see what the defaults hide; part of the cache key.
    cli: { type: "string", multiple: true },
    // Another build's dist/ folder (another worktree's), to preview its findings against these verdicts.
    dist: { type: "string" },
    jobs: { type: "string", default: "2" },
    json: { type: "string" },
  },
});

const DIST = values.dist ? resolve(values.dist) : join(ROOT, "dist");
const CLI = join(DIST, "cli.js");

function fail(message: string): never {
  process.stderr.write(`realcode: ${message}\n`);
  process.exit(2);
}

function selectRepos(): Repo[] {
  const names = (values.repo ?? [])
    .flatMap((r) => r.split(","))
    .filter(Boolean);
  for (const n of names)
    if (!REPOS.some((r) => r.name === n))
      fail(
        `unknown repository \`${n}\`: one of ${REPOS.map((r) => r.name).join(", ")}`,
      );
  if (names.length > 0) return REPOS.filter((r) => names.includes(r.name));
  return values.quick ? REPOS.filter((r) => r.quick) : [...REPOS];
}

/** A hash of the built CLI: cached results are reused only for the same build of the same pin. */
function buildKey(): string {
  const h = createHash("sha256");
  for (const f of readdirSync(DIST).sort())
    // Everything the CLI may load: its bundle, its worker bundles, the grammars (not the editor client).
    if ((f.endsWith(".js") && f !== "client.js") || f.endsWith(".wasm"))
      h.update(f).update(readFileSync(join(DIST, f)));
  return h.digest("hex").slice(0, 16);
}

interface CliRun {
  readonly findings: Finding[];
  /** Internal errors and crashes the CLI reported on stderr: they mean findings may be missing. */
  readonly problems: string[];
  readonly seconds: number;
}

function runCli(repo: Repo, root: string): Promise<CliRun> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [CLI, "check", "--format", "json", ...(values.cli ?? []), ...repo.paths],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) =>
      done({
        findings: [],
        problems: [`could not start the CLI: ${e.message}`],
        seconds: 0,
      }),
    );
    child.on("close", (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      const stderr = Buffer.concat(err).toString("utf8");
      const problems = stderr
        .split("\n")
        .filter(
          (l) =>
            /internal error|failed to load|Error|config/.test(l) &&
            !l.startsWith("notice:"),
        );
      if (code !== 0 && code !== 1)
        problems.push(`the CLI exited with ${code ?? signal}`);
      try {
        done({
          findings: JSON.parse(
            Buffer.concat(out).toString("utf8"),
          ) as Finding[],
          problems,
          seconds,
        });
      } catch {
        done({
          findings: [],
          problems: [
            ...problems,
            "the CLI printed no JSON",
            ...(stderr.trim() ? [stderr.trim().slice(-1000)] : []),
          ],
          seconds,
        });
      }
    });
  });
}

async function countFiles(repo: Repo, root: string): Promise<number> {
  let n = 0;
  for await (const _ of walkFiles(repo.paths, root, {
    extensions: new Set(supportedExtensions()),
  }))
    n++;
  return n;
}

/** Runs the CLI on one repository, or reuses the cached run of the same build on the same pin. */
async function check(
  repo: Repo,
  root: string,
  key: string,
): Promise<CliRun & { cached: boolean }> {
  const dir = join(REALCODE_CACHE, "results");
  const file = join(dir, `${repo.name}.json`);
  const want = `${key} ${pinOf(repo)} ${repo.paths.join(",")} ${(values.cli ?? []).join(" ")}`;
  if (!values["no-cache"] && existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, "utf8")) as CliRun & {
      key: string;
    };
    if (cached.key === want) return { ...cached, cached: true };
  }
  const run = await runCli(repo, root);
  mkdirSync(dir, { recursive: true });
  if (run.problems.length === 0)
    writeFileSync(file, JSON.stringify({ key: want, ...run }));
  return { ...run, cached: false };
}


function lineText(
  root: string,
  file: string,
  line: number,
  cache: Map<string, string[]>,
): string {
  let lines = cache.get(file);
  if (!lines) {
    try {
      lines = readFileSync(join(root, file), "utf8").split("\n");
    } catch {
      lines = [];
    }
    cache.set(file, lines);
  }
  return lineKey(lines[line - 1] ?? "");
}

async function main(): Promise<void> {
  if (!existsSync(CLI))
    fail(
      `${CLI} is missing: run \`npm run build\` (or use \`npm run realcode\`, which builds first)`,
    );
  const verdicts = loadVerdicts(VERDICTS_FILE);
  const repos = selectRepos();
  const roots = new Map<string, string>();
  for (const repo of repos) {
    const root = installRepo(repo);
    if (root) roots.set(repo.name, root);
  }
  const key = buildKey();
  const runnable = repos.filter((r) => roots.has(r.name));
  const results: RepoResult[] = await mapLimited(
    runnable,
    Number(values.jobs) || 1,
    async (repo) => {
      const root = roots.get(repo.name)!;
      const [run, files] = await Promise.all([
        check(repo, root, key),
        countFiles(repo, root),
      ]);
      process.stderr.write(
        `[realcode] ${repo.name}: ${run.findings.length} findings in ${files} files (${run.cached ? "cached" : `${run.seconds.toFixed(1)} s`})\n`,
      );
      const texts = new Map<string, string[]>();
      const judged = run.findings.map((f) => {
        const line = lineText(root, f.file, f.line, texts);
        const verdict: Verdict | undefined = verdicts.get(
          verdictKey({ repo: repo.name, file: f.file, rule: f.rule, line }),
        );
        return { finding: f, line, verdict };
      });
      const production = judged.filter(
        (j) => roleOf(j.finding) === "production",
      );
      const precision: Precision = {
        true: production.filter((j) => j.verdict?.verdict === "true").length,
        false: production.filter((j) => j.verdict?.verdict === "false").length,
        debatable: production.filter((j) => j.verdict?.verdict === "debatable")
          .length,
        unjudged: production.filter((j) => !j.verdict).length,
      };
      return { repo, root, files, run, judged, precision };
    },
  );
  const skipped = repos.filter((r) => !roots.has(r.name)).map((r) => r.name);
  printReport(results, skipped, verdicts, {
    stubs: values.stubs,
    stale: values.stale,
    list: values.list,
    cliArgs: values.cli ?? [],
  });
  if (values.json)
    writeFileSync(
      values.json,
      `${JSON.stringify(
        results.map((r) => ({
          repo: r.repo.name,
          pin: pinOf(r.repo),
          files: r.files,
          findings: r.run.findings.length,
          precision: r.precision,
        })),
        null,
        2,
      )}\n`,
    );
}

main().catch((error: unknown) =>
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
);
