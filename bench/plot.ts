// Time against corpus size for our CLI, ESLint and oxlint: each tool on 25 %, 50 % and 100 % of the
// TS corpus (nested, spread-out subsets named file by file; the 100 % figures are the comparison
// runs, on the folder), drawn as an SVG line chart the README shows.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { runEslint, runOxlint } from "./compare";
import { subset, type Corpus } from "./corpora";
import { node } from "./measure";
import { runChild } from "./proc";
import { fmtMs, line, type Report } from "./report";

interface Series {
  readonly label: string;
  readonly key: string;
  readonly colour: string;
  readonly dash?: string;
}

const SERIES: readonly Series[] = [
  { label: "async-boundary (--jobs auto)", key: "ours", colour: "#1a56c4" },
  { label: "async-boundary --jobs 1", key: "ours1", colour: "#1a56c4", dash: "5 4" },
  { label: "ESLint 9 untyped", key: "eslint", colour: "#b35c00" },
  { label: "ESLint 9 untyped --concurrency auto", key: "eslintAuto", colour: "#b35c00", dash: "5 4" },
  { label: "oxlint (all threads)", key: "oxlint", colour: "#2e8b57" },
];

/** Runs every tool on the 25 % and 50 % subsets; the 100 % points come from figures already in the report. */
export async function measureSizes(
  report: Report,
  corpus: Corpus,
  cli: string,
  eslintConfig: string,
): Promise<void> {
  const full: Record<string, string> = {
    ours: "ts.cli.wallMs",
    ours1: "ts.jobs1.wallMs",
    eslint: "ts.eslint.wallMs",
    eslintAuto: "ts.eslintAuto.wallMs",
    oxlint: "ts.oxlintAll.wallMs",
  };
  for (const s of SERIES) {
    const ms = report.get(full[s.key]!);
    if (ms !== undefined) {
      report.set(`ts.sizes.p100.${s.key}.wallMs`, ms);
    }
  }
  report.set("ts.sizes.p100.lines", corpus.lines);
  for (const [pct, keep] of [
    [25, [0]],
    [50, [0, 2]],
  ] as const) {
    const part = subset(corpus, 4, keep, `${corpus.name}-${pct}`);
    report.set(`ts.sizes.p${pct}.lines`, part.lines);
    const runs: Record<string, number> = {};
    const args = (extra: string[]) => [cli, "check", ...part.files, "--format", "json", ...extra];
    runs["ours"] = (await runChild(node, args([]), { cwd: corpus.root, okCodes: [0, 1] })).wallMs;
    runs["ours1"] = (await runChild(node, args(["--jobs", "1"]), { cwd: corpus.root, okCodes: [0, 1] })).wallMs;
    runs["eslint"] = (await runEslint(eslintConfig, part.files)).wallMs;
    runs["eslintAuto"] = (await runEslint(eslintConfig, part.files, { concurrency: "auto" })).wallMs;
    runs["oxlint"] = (await runOxlint(part.files, { threads: "all" })).wallMs;
    for (const [key, ms] of Object.entries(runs)) report.set(`ts.sizes.p${pct}.${key}.wallMs`, ms);
    line(
      `sizes: ${pct} % (${part.lines} lines)`,
      SERIES.map((s) => `${s.key} ${fmtMs(runs[s.key]!)}`).join(", "),
    );
  }
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Writes the chart of the `ts.sizes.*` figures to `path`; returns false when too few points were measured. */
export function writeSizePlot(report: Report, path: string, caption: string): boolean {
  const pcts = [25, 50, 100];
  const xs = pcts.map((p) => report.get(`ts.sizes.p${p}.lines`));
  if (xs.some((x) => x === undefined)) return false;
  const points = SERIES.map((s) =>
    pcts.map((p, i) => {
      const ms = report.get(`ts.sizes.p${p}.${s.key}.wallMs`);
      return ms === undefined ? undefined : { x: xs[i]!, y: ms / 1000 };
    }),
  );
  const all = points.flat().filter((p) => p !== undefined);
  if (all.length === 0) return false;
  const W = 720;
  const H = 420;
  const left = 60;
  const right = 250;
  const top = 40;
  const bottom = 50;
  const maxX = Math.max(...all.map((p) => p.x));
  const maxY = Math.max(...all.map((p) => p.y)) * 1.1;
  const px = (x: number): number => left + (x / maxX) * (W - left - right);
  const py = (y: number): number => H - bottom - (y / maxY) * (H - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${left}" y="22" font-size="14">${esc(caption)}</text>`,
    `<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="#333"/>`,
    `<text x="${(left + W - right) / 2}" y="${H - 12}" text-anchor="middle">lines of TS/JS (25 %, 50 %, 100 % of the corpus)</text>`,
    `<text x="16" y="${(top + H - bottom) / 2}" transform="rotate(-90 16 ${(top + H - bottom) / 2})" text-anchor="middle">wall time (s)</text>`,
  ];
  const step = maxY > 20 ? 5 : maxY > 8 ? 2 : maxY > 4 ? 1 : 0.5;
  for (let y = 0; y <= maxY; y += step) {
    out.push(
      `<line x1="${left}" y1="${py(y)}" x2="${W - right}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${y}</text>`,
    );
  }
  for (const x of xs) out.push(`<text x="${px(x!)}" y="${H - bottom + 16}" text-anchor="middle">${Math.round(x! / 1000)}k</text>`);
  SERIES.forEach((s, i) => {
    const ps = points[i]!.filter((p) => p !== undefined);
    if (ps.length > 0) {
      const d = ps.map((p, j) => `${j === 0 ? "M" : "L"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
      for (const p of ps) out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${s.colour}"/>`);
    }
    const ly = top + 10 + i * 20;
    out.push(
      `<line x1="${W - right + 15}" y1="${ly}" x2="${W - right + 45}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      `<text x="${W - right + 52}" y="${ly + 4}">${esc(s.label)}</text>`,
    );
  });
  out.push("</svg>");
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${out.join("\n")}\n`);
  return true;
}
