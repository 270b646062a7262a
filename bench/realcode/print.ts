// The report of `npm run realcode`: per repository, then a summary table (the README's
// signal-quality figures), then what is left to judge.
import type { Repo } from "./corpora";
import { pinOf } from "./corpora";
import {
  precisionText,
  roleOf,
  verdictKey,
  type Finding,
  type Precision,
  type Verdict,
} from "./verdicts";

export interface JudgedFinding {
  readonly finding: Finding;
  /** The key text of the line the finding starts on. */
  readonly line: string;
  readonly verdict: Verdict | undefined;
}

export interface RepoResult {
  readonly repo: Repo;
  readonly root: string;
  readonly files: number;
  readonly run: {
    readonly findings: readonly Finding[];
    readonly problems: readonly string[];
    readonly seconds: number;
    readonly cached: boolean;
  };
  readonly judged: readonly JudgedFinding[];
  readonly precision: Precision;
}

export interface PrintOptions {
  /** Print the unjudged production findings as verdicts.json entries to fill in. */
  readonly stubs?: boolean | undefined;
  /** List verdicts that match no current finding. */
  readonly stale?: boolean | undefined;
  /** Print the production findings with this verdict (or `all`), with their reasons. */
  readonly list?: string | undefined;
  /** Extra arguments given to the CLI (none: default settings). */
  readonly cliArgs: readonly string[];
}

const ROLE_ORDER = [
  "production",
  "startup",
  "script",
  "test",
  "bench",
  "example",
];

function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function counts(items: readonly string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return [...m].sort((a, b) => {
    const ra = ROLE_ORDER.indexOf(a[0]);
    const rb = ROLE_ORDER.indexOf(b[0]);
    return ra >= 0 && rb >= 0 ? ra - rb : b[1] - a[1];
  });
}

function list(pairs: readonly [string, number][]): string {
  return pairs.length ? pairs.map(([k, n]) => `${k} ${n}`).join(", ") : "none";
}

function roleCell(r: RepoResult): string {
  return list(counts(r.run.findings.map(roleOf)));
}

function describe(j: JudgedFinding, repo: string): string {
  const f = j.finding;
  const role = f.role ? ` [${f.role}]` : "";
  return `  ${repo} ${f.file}:${f.line}:${f.column} ${f.rule}${role}\n      | ${j.line}\n      ${f.message.split("\n")[0]}`;
}

export function printReport(
  results: readonly RepoResult[],
  skipped: readonly string[],
  verdicts: ReadonlyMap<string, Verdict>,
  options: PrintOptions,
): void {
  const anyRole = results.some((r) =>
    r.run.findings.some((f) => f.role !== undefined),
  );
  out(
    `Real-code corpus, ${new Date().toISOString().slice(0, 10)}: \`dist/cli.js check --format json${options.cliArgs.map((a) => ` ${a}`).join("")}\`${options.cliArgs.length ? "" : " with default settings"}`,
  );
  if (!anyRole)
    out("(this CLI reports no `role`: every finding is counted as production)");
  out();
  for (const r of results) {
    out(`${r.repo.name}  ${pinOf(r.repo)}  ${r.repo.description}`);
    out(
      `  ${r.files} files, ${r.run.findings.length} findings${r.run.cached ? "" : `, ${r.run.seconds.toFixed(1)} s`}`,
    );
    out(`  rules: ${list(counts(r.run.findings.map((f) => f.rule)))}`);
    out(`  roles: ${roleCell(r)}`);
    out(`  production precision: ${precisionText(r.precision)}`);
    for (const p of r.run.problems) out(`  CLI problem: ${p}`);
    out();
  }
  if (skipped.length)
    out(`Not run (could not be installed here): ${skipped.join(", ")}\n`);

  out(
    "| repository | language | files | findings by role | production precision |",
  );
  out("|---|---|---:|---|---|");
  const total = { true: 0, false: 0, debatable: 0, unjudged: 0 };
  let files = 0;
  const all: Finding[] = [];
  for (const r of results) {
    out(
      `| ${r.repo.name} ${pinOf(r.repo).replace(/^.*[@=]/, "")} | ${{ rust: "Rust", python: "Python", go: "Go", typescript: "JS/TS" }[r.repo.language]} | ${r.files} | ${roleCell(r)} | ${precisionText(r.precision)} |`,
    );
    for (const k of ["true", "false", "debatable", "unjudged"] as const)
      total[k] += r.precision[k];
    files += r.files;
    all.push(...r.run.findings);
  }
  out(
    `| **all** | | ${files} | ${list(counts(all.map(roleOf)))} | ${precisionText(total)} |`,
  );
  out();
  // A reason that starts with a short label ("Test code: …", "Startup: …") names a kind of false finding.
  const wrong = results.flatMap((r) =>
    r.judged.filter(
      (j) =>
        roleOf(j.finding) === "production" &&
        j.verdict !== undefined &&
        j.verdict.verdict !== "true",
    ),
  );
  if (wrong.length) {
    const kinds = wrong.map(
      (j) =>
        `${j.verdict!.verdict} ${/^([\w /-]{1,20})(?::|$)/.exec(j.verdict!.reason)?.[1] ?? "other"}`,
    );
    out(`Production findings not judged true, by kind: ${list(counts(kinds))}`);
    out();
  }

  if (options.list) {
    const wanted = results.flatMap((r) =>
      r.judged
        .filter(
          (j) =>
            roleOf(j.finding) === "production" &&
            j.verdict &&
            (options.list === "all" || j.verdict.verdict === options.list),
        )
        .map((j) => ({ j, name: r.repo.name })),
    );
    out(`Production findings judged ${options.list} (${wanted.length}):`);
    for (const { j, name } of wanted)
      out(
        `${describe(j, name)}\n      verdict ${j.verdict!.verdict}: ${j.verdict!.reason}`,
      );
    out();
  }

  const unjudged = results.flatMap((r) =>
    r.judged
      .filter((j) => roleOf(j.finding) === "production" && !j.verdict)
      .map((j) => ({ j, name: r.repo.name })),
  );
  out(
    unjudged.length
      ? `Production findings nobody judged yet (${unjudged.length}):`
      : "Every production finding is judged.",
  );
  for (const { j, name } of unjudged) out(describe(j, name));
  if (unjudged.length)
    out(
      `(judge them in bench/realcode/verdicts.json; \`--stubs\` prints entries to fill in)`,
    );

  const seen = new Set(
    results.flatMap((r) =>
      r.judged.map((j) =>
        verdictKey({
          repo: r.repo.name,
          file: j.finding.file,
          rule: j.finding.rule,
          line: j.line,
        }),
      ),
    ),
  );
  const ran = new Set(results.map((r) => r.repo.name));
  const stale = [...verdicts]
    .filter(([k, v]) => ran.has(v.repo) && !seen.has(k))
    .map(([, v]) => v);
  if (stale.length) {
    out(
      `\n${stale.length} verdicts match no finding of the repositories run (the finding went away or its line changed)${options.stale ? ":" : "; `--stale` lists them"}`,
    );
    if (options.stale)
      for (const v of stale)
        out(`  ${v.repo} ${v.file} ${v.rule} (${v.verdict}) | ${v.line}`);
  }

  if (options.stubs && unjudged.length) {
    out("\nStubs for verdicts.json:");
    const seenStub = new Set<string>();
    const stubs = unjudged
      .map(({ j, name }) => ({
        repo: name,
        file: j.finding.file,
        rule: j.finding.rule,
        line: j.line,
        verdict: "",
        reason: j.finding.message.split("\n")[0],
      }))
      .filter(
        (s) => !seenStub.has(verdictKey(s)) && seenStub.add(verdictKey(s)),
      );
    out(JSON.stringify(stubs, null, 2));
  }
}
