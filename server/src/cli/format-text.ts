/** The human-readable output: one line per finding, notes indented under it, and a summary. */
import type { Severity } from '../engine/finding';
import type { Reported } from './report';

const COLOURS: Record<Severity | 'note' | 'path' | 'dim', [string, string]> = {
  error: ['\x1b[31m', '\x1b[39m'],
  warning: ['\x1b[33m', '\x1b[39m'],
  info: ['\x1b[36m', '\x1b[39m'],
  hint: ['\x1b[2m', '\x1b[22m'],
  note: ['\x1b[2m', '\x1b[22m'],
  path: ['\x1b[1m', '\x1b[22m'],
  dim: ['\x1b[2m', '\x1b[22m'],
};

/**
 * A file name as one line of text: control characters (a newline in a file name, an escape
 * sequence) are written as escapes, so each finding stays one line and a name cannot drive the terminal.
 */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Formats findings for a terminal; `color` wraps severities and paths in ANSI colours. */
export function formatText(findings: readonly Reported[], color: boolean): string {
  const paint = (kind: keyof typeof COLOURS, s: string): string => (color ? `${COLOURS[kind][0]}${s}${COLOURS[kind][1]}` : s);
  let out = '';
  for (const f of findings) {
    out += `${paint('path', `${oneLine(f.file)}:${f.line}:${f.column}`)}  ${paint(f.severity, f.severity)}  ${paint('dim', f.rule)}  ${f.message}\n`;
    for (const n of f.related) out += `    ${oneLine(n.file ?? f.file)}:${n.line}:${n.column}  ${paint('note', 'note')}  ${n.message}\n`;
  }
  return out;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** `3 findings (2 warnings, 1 info) in 12 files`, or `No findings in 12 files`. */
export function summaryLine(findings: readonly Reported[], files: number): string {
  const inFiles = `in ${plural(files, 'file', 'files')}`;
  if (findings.length === 0) return `No findings ${inFiles}`;
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  const parts = [
    [count('error'), 'error', 'errors'],
    [count('warning'), 'warning', 'warnings'],
    [count('info'), 'info', 'info'],
    [count('hint'), 'hint', 'hints'],
  ] as const;
  const breakdown = parts.filter(([n]) => n > 0).map(([n, one, many]) => plural(n, one, many));
  return `${plural(findings.length, 'finding', 'findings')} (${breakdown.join(', ')}) ${inFiles}`;
}
