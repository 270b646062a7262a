import type { Finding } from './finding';
import { LineIndex } from './line-index';
import type { Comment, Span } from './model';
import { lowerBound } from './sorted';

/** The rule id under which malformed suppression comments are reported. */
export const INVALID_SUPPRESSION = 'invalid-suppression';

const MARKER = 'async-boundary-ignore';

/**
 * The reason an editor's "ignore on this line" action writes, selected for the user to type over.
 * Left as it is, it is not a reason: the suppression is reported and silences nothing.
 */
export const REASON_PLACEHOLDER = 'explain why this is safe';

/** A reason that only restates the prompt: the placeholder, or a `<…>` template copied from a message. */
function isPlaceholderReason(reason: string): boolean {
  return reason.toLowerCase() === REASON_PLACEHOLDER || /^<[^<>]*>$/.test(reason);
}

/** A parsed `async-boundary-ignore <rule-id>: <reason>` comment. */
export interface Suppression {
  readonly comment: Span;
  readonly rules: readonly string[];
  readonly reason: string;
  /** The 0-based line whose findings it silences. */
  readonly line: number;
}

/** Suppressions found in a file, and the problems with the malformed ones. */
export interface SuppressionScan {
  readonly suppressions: readonly Suppression[];
  readonly problems: readonly { readonly span: Span; readonly message: string }[];
}

/** The variants of the marker: `-next-line` always silences the line after the comment. */
const NEXT_LINE = '-next-line';

/**
 * Reads suppression comments. A comment alone on its line silences the next line; a comment after
 * code silences its own line; `async-boundary-ignore-next-line` silences the next line wherever it
 * is. Doc-comment forms are read like plain ones: JSDoc `/** … *\/` (on any of its lines) and Rust
 * `///`, `//!`, `/*! … *\/`. A suppression must name known rules and give a reason; any other
 * comment that starts with the marker is reported, never ignored in silence.
 */
export function scanSuppressions(text: string, comments: readonly Comment[], knownRules: ReadonlySet<string>, lines: LineIndex): SuppressionScan {
  const suppressions: Suppression[] = [];
  const problems: { span: Span; message: string }[] = [];
  for (const c of comments) {
    const at = c.text.indexOf(MARKER);
    if (at < 0) continue;
    // Only a comment that starts with the marker is a directive; prose that mentions it is not. Doc-comment
    // marks before it (`*` of JSDoc lines, `/` of Rust's `///`, `!` of `//!`) are not prose.
    if (c.text.slice(0, at).replace(/[*/!]/g, '').trim() !== '') continue;
    // In a block comment the reason may go on over several lines; a JSDoc line's leading `*` is not part of it.
    let rest = c.text
      .slice(at + MARKER.length)
      .split(/\r?\n|\r/)
      .map((line, i) => (i === 0 ? line : line.replace(/^\s*\*(?!\/)/, '')))
      .join(' ')
      .replace(/\s*\*+\/?\s*$/, '');
    const nextLine = rest.startsWith(NEXT_LINE);
    if (nextLine) rest = rest.slice(NEXT_LINE.length);
    if (rest !== '' && !/^[\s:]/.test(rest)) {
      // `async-boundary-ignore-file`, `async-boundary-ignored`: a form that does not exist must not look like it worked.
      const form = MARKER + (/^[\w-]*/.exec(rest)?.[0] ?? '');
      problems.push({ span: c.span, message: `\`${form}\` is not a suppression comment: write \`${MARKER} <rule-id>: <reason>\` (this line, or alone on the line above) or \`${MARKER}${NEXT_LINE} <rule-id>: <reason>\`` });
      continue;
    }
    const colon = rest.indexOf(':');
    const idsText = (colon < 0 ? rest : rest.slice(0, colon)).trim();
    const reason = colon < 0 ? '' : rest.slice(colon + 1).trim();
    const rules = idsText.split(/[\s,]+/).filter((s) => s !== '');
    if (rules.length === 0) {
      problems.push({ span: c.span, message: `Suppression names no rule, so it silences nothing: write \`${MARKER} <rule-id>: <reason>\`, naming the rule of the finding` });
      continue;
    }
    const unknown = rules.filter((r) => !knownRules.has(r));
    if (unknown.length > 0) {
      problems.push({
        span: c.span,
        message: `Suppression names unknown rule ${unknown.map((u) => `\`${u}\``).join(', ')}: use one of ${[...knownRules].sort().map((k) => `\`${k}\``).join(', ')}`,
      });
      continue;
    }
    if (reason === '') {
      problems.push({ span: c.span, message: `Suppression of ${rules.map((r) => `\`${r}\``).join(', ')} gives no reason: add one after a colon, \`${MARKER} ${rules[0]}: <why this is safe>\`` });
      continue;
    }
    if (isPlaceholderReason(reason)) {
      problems.push({ span: c.span, message: `Suppression of ${rules.map((r) => `\`${r}\``).join(', ')} still has the placeholder reason \`${reason}\`: replace it with why this code is safe` });
      continue;
    }
    const startLine = lines.position(c.span.start).line;
    // A Rust `///` comment's node ends after its newline: its last line is the one the newline ends.
    let end = c.span.end;
    while (end > c.span.start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
    const endLine = lines.position(end).line;
    const before = text.slice(lines.lineStart(startLine), c.span.start);
    const ownLine = before.trim() === '';
    suppressions.push({ comment: c.span, rules, reason, line: ownLine || nextLine ? endLine + 1 : startLine });
  }
  return { suppressions, problems };
}

/**
 * Drops findings silenced by a suppression on one of their lines: a finding that spans several
 * lines is silenced on any of them, or from the line above its first.
 */
export function applySuppressions(findings: readonly Finding[], scan: SuppressionScan, lines: LineIndex): Finding[] {
  if (scan.suppressions.length === 0) return [...findings];
  // Per rule, the silenced lines in order: one binary search per finding, however long its span.
  const byRule = new Map<string, number[]>();
  for (const s of scan.suppressions) {
    for (const r of s.rules) {
      const list = byRule.get(r) ?? [];
      list.push(s.line);
      byRule.set(r, list);
    }
  }
  for (const list of byRule.values()) list.sort((a, b) => a - b);
  return findings.filter((f) => {
    const silenced = byRule.get(f.rule);
    if (!silenced) return true;
    const first = lines.position(f.span.start).line;
    const last = lines.position(Math.max(f.span.start, f.span.end)).line;
    const i = lowerBound(silenced, first, (l) => l);
    return !(i < silenced.length && silenced[i]! <= last);
  });
}
