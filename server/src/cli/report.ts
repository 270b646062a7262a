/** Findings as the CLI reports them: 1-based positions and a path relative to the working directory. */
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import type { Analysis } from '../engine/analyze';
import type { RelatedNote, Severity } from '../engine/finding';
import type { LineIndex } from '../engine/line-index';
import { countedMessage } from '../engine/merge';
import type { CodeRole, Span } from '../engine/model';
import { toPosix } from '../project/files';

/** A 1-based range, columns in UTF-16 code units plus one. */
export interface Range1 {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** One finding, located for output. */
export interface Reported extends Range1 {
  /** Relative to the working directory, forward slashes. */
  readonly file: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly related: readonly RelatedOut[];
  /** A hash of rule, file and the whitespace-normalised text of the finding's first line: stable when lines move. */
  readonly lineHash: string;
  /** Where the code runs (`production` unless something says otherwise). */
  readonly role: CodeRole;
}

/** A related note, located: in the finding's file, or in `file` (a hop of a cross-file chain: absolute when located, relative to the working directory when placed). */
export type RelatedOut = Range1 & { readonly message: string; readonly file?: string };

function range(lines: LineIndex, span: Span): Range1 {
  const s = lines.position(span.start);
  const e = lines.position(span.end);
  return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
}

/**
 * A finding located in its file but not yet placed relative to a working directory: what a worker
 * thread returns and what the result cache keeps (plain data, no path, so it survives a change of
 * working directory).
 */
export interface Located extends Range1 {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly related: readonly RelatedOut[];
  /** The whitespace-normalised text of the finding's first line, from which {@link Reported.lineHash} is made. */
  readonly lineText: string;
  readonly role: CodeRole;
  /**
   * For a finding that stands for several calls of one helper, each call as it would be reported
   * alone, the carrier first ({@link Finding.parts}): `--diff` re-places the finding on a changed call.
   */
  readonly parts?: readonly LocatedPart[];
}

/** One call of a merged finding, located. */
export interface LocatedPart extends Range1 {
  readonly message: string;
  readonly related: readonly RelatedOut[];
  readonly lineText: string;
  /** The related note naming this call when another carries the finding. */
  readonly note: string;
}

/** Locates an analysis's findings (1-based positions, the first line's normalised text). */
export function locate(analysis: Analysis): Located[] {
  const { lines } = analysis;
  const text = analysis.parsed.text;
  const lineTextOf = (r: Range1): string => {
    const lineStart = lines.lineStart(r.line - 1);
    const lineEnd = r.line < lines.lineCount ? lines.lineStart(r.line) : text.length;
    return text.slice(lineStart, lineEnd).replace(/\s+/g, ' ').trim();
  };
  const relatedOut = (related: readonly RelatedNote[]): RelatedOut[] =>
    related.map((n) =>
      n.elsewhere
        ? { line: n.elsewhere.range.line + 1, column: n.elsewhere.range.character + 1, endLine: n.elsewhere.range.endLine + 1, endColumn: n.elsewhere.range.endCharacter + 1, message: n.message, file: n.elsewhere.path }
        : { ...range(lines, n.span), message: n.message },
    );
  return analysis.findings.map((f) => {
    const r = range(lines, f.span);
    const parts = f.parts?.map((p): LocatedPart => {
      const pr = range(lines, p.span);
      return { ...pr, message: p.message, related: relatedOut(p.related), lineText: lineTextOf(pr), note: p.note };
    });
    return { ...r, rule: f.rule, severity: f.severity, message: f.message, related: relatedOut(f.related), lineText: lineTextOf(r), role: f.role ?? 'production', ...(parts ? { parts } : {}) };
  });
}

/**
 * Under `--diff`, a finding for several calls of one helper whose first call is unchanged is kept
 * when another of its calls changed, and placed on the first changed one (the others as related
 * locations), as it would be reported had that call come first. `undefined` when none changed.
 */
function onChangedPart(f: Omit<Located, 'lineText'>, keep: (line: number) => boolean): Located | undefined {
  const parts = f.parts ?? [];
  const at = parts.findIndex((p) => keep(p.line));
  if (at < 0) return undefined;
  const p = parts[at]!;
  const others = parts.filter((_, i) => i !== at);
  const { note: _note, ...where } = p;
  return {
    ...f,
    ...where,
    message: countedMessage(p.message, others.length),
    related: [...p.related, ...others.map(({ line, column, endLine, endColumn, note }) => ({ line, column, endLine, endColumn, message: note }))],
  };
}

/** Places located findings of the file at `absPath` relative to `cwd`; `keep` filters on the 1-based start line (for `--diff`). */
export function place(located: readonly Located[], absPath: string, cwd: string, keep: (line: number) => boolean = () => true): Reported[] {
  const file = toPosix(relative(cwd, absPath)) || absPath;
  const out: Reported[] = [];
  for (const whole of located) {
    const shown = keep(whole.line) ? whole : onChangedPart(whole, keep);
    if (!shown) continue;
    const { lineText, parts: _parts, ...f } = shown;
    const lineHash = createHash('sha256').update(`${f.rule}\0${file}\0${lineText}`).digest('hex').slice(0, 32);
    const related = f.related.map((n) => (n.file === undefined ? n : { ...n, file: toPosix(relative(cwd, n.file)) || n.file }));
    out.push({ file, ...f, related, lineHash });
  }
  return out;
}

/** Converts an analysis's findings; `keep` filters on the 1-based start line (for `--diff`). */
export function report(analysis: Analysis, absPath: string, cwd: string, keep: (line: number) => boolean = () => true): Reported[] {
  return place(locate(analysis), absPath, cwd, keep);
}

/** The JSON output: exactly the documented fields, in the documented order (`role` came last, after the original eight). */
export function formatJson(findings: readonly Reported[]): string {
  const rows = findings.map((f) => ({ file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, rule: f.rule, severity: f.severity, message: f.message, role: f.role }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}
