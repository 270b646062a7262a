// Verdicts on real findings, kept in verdicts.json: a finding is keyed by repository, file, rule and
// the text of the line it starts on (whitespace collapsed), so a verdict survives lines moving and
// is dropped, visibly, when the line itself changes.
import { readFileSync } from "node:fs";

export const VERDICTS = ["true", "false", "debatable"] as const;
export type VerdictValue = (typeof VERDICTS)[number];

/** One judged finding. */
export interface Verdict {
  readonly repo: string;
  readonly file: string;
  readonly rule: string;
  /** The line the finding starts on, whitespace collapsed, at most `MAX_LINE` characters. */
  readonly line: string;
  readonly verdict: VerdictValue;
  /** One line: why, as the reviewer who received the finding would say it. */
  readonly reason: string;
}

/** A finding as the CLI's JSON prints it, with the role when the CLI reports one. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly severity: string;
  readonly message: string;
  readonly role?: string;
}

/** Minified lines are long; the start of the line identifies it well enough. */
export const MAX_LINE = 200;

/** The key text of a source line. */
export function lineKey(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, MAX_LINE);
}

export function verdictKey(v: {
  repo: string;
  file: string;
  rule: string;
  line: string;
}): string {
  return `${v.repo}\0${v.file}\0${v.rule}\0${v.line}`;
}

/** The role a finding's code has; findings from a CLI that reports no role count as production. */
export function roleOf(f: Finding): string {
  return f.role ?? "production";
}

/** Reads and validates verdicts.json; a malformed entry is an error naming it, not a silent skip. */
export function loadVerdicts(path: string): Map<string, Verdict> {
  const raw = JSON.parse(readFileSync(path, "utf8")) as unknown;
  if (!Array.isArray(raw))
    throw new Error(`${path}: expected an array of verdicts`);
  const out = new Map<string, Verdict>();
  raw.forEach((entry: Partial<Verdict>, i) => {
    const where = `${path}: entry ${i}`;
    for (const k of ["repo", "file", "rule", "line", "reason"] as const)
      if (typeof entry[k] !== "string" || entry[k] === "")
        throw new Error(`${where}: \`${k}\` must be a non-empty string`);
    if (!(VERDICTS as readonly unknown[]).includes(entry.verdict))
      throw new Error(
        `${where}: \`verdict\` must be one of ${VERDICTS.join(", ")}`,
      );
    const v = entry as Verdict;
    const key = verdictKey(v);
    if (out.has(key))
      throw new Error(
        `${where}: duplicate of an earlier verdict (${v.repo} ${v.file} ${v.rule} \`${v.line}\`)`,
      );
    out.set(key, v);
  });
  return out;
}

/** Counts of judged production findings and the precision they give. */
export interface Precision {
  readonly true: number;
  readonly false: number;
  readonly debatable: number;
  readonly unjudged: number;
}

/** `true / (true + false + debatable)`: a debatable finding is not one a reviewer thanks us for. */
export function precisionText(p: Precision): string {
  const judged = p.true + p.false + p.debatable;
  if (judged === 0)
    return p.unjudged > 0
      ? `n/a (${p.unjudged} unjudged)`
      : "n/a (no findings)";
  const pct = Math.round((100 * p.true) / judged);
  const parts = [`${pct}% (${p.true}/${judged})`];
  if (p.false) parts.push(`${p.false} false`);
  if (p.debatable) parts.push(`${p.debatable} debatable`);
  if (p.unjudged) parts.push(`${p.unjudged} unjudged`);
  return parts.join(", ");
}
