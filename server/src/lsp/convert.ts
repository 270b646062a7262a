// Conversions from engine data (UTF-16 offsets, findings) to LSP types. The only place that maps
// spans to ranges, so every feature agrees on positions.
import { DiagnosticSeverity, type Range } from 'vscode-languageserver';
import type { Severity } from '../engine/finding';
import type { LineIndex } from '../engine/line-index';
import type { Span } from '../engine/model';
import { repository } from '../../../package.json';

/** Where each rule's documentation lives: `docs/rules/<id>.md` in the repository package.json names. */
export const RULE_DOCS_BASE_URL = `${repository.url.replace(/\.git$/, '')}/blob/main/docs/rules/`;

export function ruleDocsUrl(ruleId: string): string {
  return `${RULE_DOCS_BASE_URL}${encodeURIComponent(ruleId)}.md`;
}

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(span.end) };
}

export function toSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
  }
}

/** True when two ranges are equal. */
export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** True when the ranges overlap or touch (a cursor at either end counts). */
export function rangesTouch(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
