/**
 * How scripts/ruff-fixtures.ts reads one of Ruff's test fixtures: which lines are Ruff's positives,
 * which are its negatives, and which neither, decided from what Ruff reports and what the fixture's
 * own comments say, never from a list of exceptions kept here.
 *
 * - A line is a positive when Ruff reports it under a rule in scope: in the fixture's own snapshot
 *   (what Ruff's tests assert), or when Ruff runs on the fixture with every rule in scope selected
 *   (a line a fixture marks "OK" for its own rule may be another rule's finding).
 * - A line Ruff does not report is set aside when the comment of its case calls it a false
 *   negative ("OK (false negative)"): Ruff's authors say Ruff misses it, so it is no negative.
 *   A "potential false negative" is not set aside: its authors are not sure, so it stays a negative.
 * - Every other line of code is a negative.
 */

/** One line Ruff reports, with the rule code and where the report comes from. */
export interface RuffReport {
  readonly line: number;
  readonly code: string;
  readonly source: 'snapshot' | 'ruff';
}

export type LineClass =
  | { readonly kind: 'positive'; readonly codes: readonly string[]; readonly sources: readonly ('snapshot' | 'ruff')[] }
  | { readonly kind: 'negative' }
  | { readonly kind: 'aside'; readonly reason: string };

/** The comment that ends a line of Python, outside string literals, without its `#`. */
export function trailingComment(line: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (line.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = undefined;
      }
    } else if (c === '"' || c === "'") {
      quote = line.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += quote.length - 1;
    } else if (c === '#') return line.slice(i + 1).trim();
  }
  return undefined;
}

const isBlank = (s: string): boolean => s.trim() === '';
const isCommentOnly = (s: string): boolean => /^\s*#/.test(s);

/**
 * The comments that describe the case a line belongs to: the line's own trailing comment, then the
 * comment lines right above the top-level statement that holds it (past its decorators), as Ruff's
 * fixtures head each case (`# OK (false negative)` above `async def f():`); a `def` or `class` line
 * gets its own comment only. 0-based `index`.
 */
export function caseComments(lines: readonly string[], index: number): string[] {
  const out: string[] = [];
  const own = trailingComment(lines[index] ?? '');
  if (own !== undefined) out.push(own);
  // A `def` or `class` line only opens its case: what the heading says is about the body.
  if (/^\s*(@|(async\s+)?def\s|class\s)/.test(lines[index] ?? '')) return out;
  let top = index;
  while (top > 0 && (isBlank(lines[top]!) || isCommentOnly(lines[top]!) || /^\s/.test(lines[top]!))) top--;
  while (top > 0 && lines[top - 1]!.startsWith('@')) top--;
  const heading: string[] = [];
  for (let i = top - 1; i >= 0 && isCommentOnly(lines[i]!) && !/^\s/.test(lines[i]!); i--) heading.unshift(lines[i]!.replace(/^\s*#\s?/, '').trim());
  return [...out, ...heading];
}

/** A comment that says Ruff misses the case: "false negative", but not a "potential" one. */
export function callsItAFalseNegative(comment: string): boolean {
  return /\bfalse negative\b/i.test(comment) && !/\b(potential|possible|maybe)\s+false negative\b/i.test(comment);
}

/** Whether a line holds code (not blank, not only a comment). */
export function isCode(line: string): boolean {
  return !isBlank(line) && !isCommentOnly(line);
}

/** Every line of code of a fixture (1-based), classified from Ruff's reports and the fixture's comments. */
export function classifyLines(text: string, reports: readonly RuffReport[]): Map<number, LineClass> {
  const lines = text.split('\n');
  const byLine = new Map<number, RuffReport[]>();
  for (const r of reports) byLine.set(r.line, [...(byLine.get(r.line) ?? []), r]);
  const out = new Map<number, LineClass>();
  lines.forEach((text, i) => {
    const line = i + 1;
    const reported = byLine.get(line);
    if (reported) {
      out.set(line, { kind: 'positive', codes: [...new Set(reported.map((r) => r.code))].sort(), sources: [...new Set(reported.map((r) => r.source))].sort() });
      return;
    }
    if (!isCode(text)) return;
    const fn = caseComments(lines, i).find(callsItAFalseNegative);
    out.set(line, fn !== undefined ? { kind: 'aside', reason: `Ruff reports nothing, and the case's comment says it misses it: "# ${fn}"` } : { kind: 'negative' });
  });
  return out;
}
