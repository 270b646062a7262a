/** Findings as the CLI reports them: 1-based positions and a path relative to the working directory. */
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import type { Analysis } from '../engine/analyze';
import type { Severity } from '../engine/finding';
import type { LineIndex } from '../engine/line-index';
import type { Span } from '../engine/model';
import { toPosix } from './files';

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
  readonly related: readonly (Range1 & { readonly message: string })[];
  /** A hash of rule, file and the whitespace-normalised text of the finding's first line: stable when lines move. */
  readonly lineHash: string;
}

function range(lines: LineIndex, span: Span): Range1 {
  const s = lines.position(span.start);
  const e = lines.position(span.end);
  return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
}

/** Converts an analysis's findings; `keep` filters on the 1-based start line (for `--diff`). */
export function report(analysis: Analysis, absPath: string, cwd: string, keep: (line: number) => boolean = () => true): Reported[] {
  const file = toPosix(relative(cwd, absPath)) || absPath;
  const { lines } = analysis;
  const text = analysis.parsed.text;
  const out: Reported[] = [];
  for (const f of analysis.findings) {
    const r = range(lines, f.span);
    if (!keep(r.line)) continue;
    const lineStart = lines.lineStart(r.line - 1);
    const lineEnd = r.line < lines.lineCount ? lines.lineStart(r.line) : text.length;
    const normalised = text.slice(lineStart, lineEnd).replace(/\s+/g, ' ').trim();
    const lineHash = createHash('sha256').update(`${f.rule}\0${file}\0${normalised}`).digest('hex').slice(0, 32);
    out.push({ file, ...r, rule: f.rule, severity: f.severity, message: f.message, related: f.related.map((n) => ({ ...range(lines, n.span), message: n.message })), lineHash });
  }
  return out;
}

/** The JSON output: exactly the documented fields, in the documented order. */
export function formatJson(findings: readonly Reported[]): string {
  const rows = findings.map((f) => ({ file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, rule: f.rule, severity: f.severity, message: f.message }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}
