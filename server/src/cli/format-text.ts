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

/** Formats findings for a terminal; `color` wraps severities and paths in ANSI colours. */
export function formatText(findings: readonly Reported[], color: boolean): string {
  const paint = (kind: keyof typeof COLOURS, s: string): string => (color ? `${COLOURS[kind][0]}${s}${COLOURS[kind][1]}` : s);
  let out = '';
  for (const f of findings) {
    out += `${paint('path', `${f.file}:${f.line}:${f.column}`)}  ${paint(f.severity, f.severity)}  ${paint('dim', f.rule)}  ${f.message}\n`;
    for (const n of f.related) out += `    ${n.file ?? f.file}:${n.line}:${n.column}  ${paint('note', 'note')}  ${n.message}\n`;
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
