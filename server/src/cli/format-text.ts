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
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** For a terminal: the file's text, to draw a code frame under each finding, and where the rules' docs are. */
export interface TerminalView {
  readonly source: string;
  readonly docsUri: (rule: string) => string;
  /** Columns to wrap long messages at. */
  readonly width: number;
}

/**
 * Formats findings, one line each (`file:line:col  severity  rule  message`); `color` wraps severities
 * and paths in ANSI colours. With a {@link TerminalView} (standard output is a terminal), a long
 * message is wrapped under the line, and a code frame and the rule's docs link follow, as ESLint and Ruff do.
 */
export function formatText(findings: readonly Reported[], color: boolean, terminal?: TerminalView): string {
  const paint = (kind: keyof typeof COLOURS, s: string): string => (color ? `${COLOURS[kind][0]}${s}${COLOURS[kind][1]}` : s);
  const lines = terminal?.source.split(/\r\n|\r|\n/);
  let out = '';
  for (const f of findings) {
    const head = `${paint('path', `${oneLine(f.file)}:${f.line}:${f.column}`)}  ${paint(f.severity, f.severity)}  ${paint('dim', f.rule)}`;
    const plainHead = `${oneLine(f.file)}:${f.line}:${f.column}  ${f.severity}  ${f.rule}`;
    const room = terminal ? terminal.width - plainHead.length - 2 : Infinity;
    if (f.message.length <= room) out += `${head}  ${f.message}\n`;
    else {
      // Wrapped: as much as fits after the head, the rest in indented lines.
      const [first = '', ...rest] = room >= 30 ? wrap(f.message, room) : ['', f.message];
      const more = wrap(rest.join(' '), terminal!.width - 4).map((l) => `    ${l}\n`).join('');
      out += `${head}${first === '' ? '' : `  ${first}`}\n${more}`;
    }
    for (const n of f.related) out += `    ${oneLine(n.file ?? f.file)}:${n.line}:${n.column}  ${paint('note', 'note')}  ${n.message}\n`;
    if (terminal && lines) {
      out += codeFrame(lines, f, paint);
      out += `    ${paint('dim', `docs: ${terminal.docsUri(f.rule)}`)}\n\n`;
    }
  }
  return out;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}

/** The finding's first line with a gutter, and carets under the reported columns (up to the line's end). */
function codeFrame(lines: readonly string[], f: Reported, paint: (kind: keyof typeof COLOURS, s: string) => string): string {
  const text = lines[f.line - 1];
  if (text === undefined) return '';
  // Tabs would shift the carets; a very long line (minified code) is cut around the finding.
  const shown = text.replace(/\t/g, ' ');
  const from = shown.length > 120 ? Math.max(0, f.column - 41) : 0;
  const visible = oneLine(shown.slice(from, from + 120));
  const start = f.column - 1 - from;
  const end = f.endLine === f.line ? f.endColumn - 1 - from : visible.length;
  const carets = '^'.repeat(Math.max(1, Math.min(visible.length, end) - start));
  const gutter = String(f.line);
  return `  ${paint('dim', `${gutter} |`)} ${visible}\n  ${' '.repeat(gutter.length)} ${paint('dim', '|')} ${' '.repeat(Math.max(0, start))}${paint(f.severity, carets)}\n`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** `3 findings (2 warnings, 1 info) in 2 files (12 checked)`, or `No findings in 12 files`. */
export function summaryLine(findings: readonly Reported[], files: number): string {
  if (findings.length === 0) return `No findings in ${plural(files, 'file', 'files')}`;
  const withFindings = new Set(findings.map((f) => f.file)).size;
  const inFiles = `in ${plural(withFindings, 'file', 'files')} (${files} checked)`;
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
