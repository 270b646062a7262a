import type { Finding } from './finding';
import { LineIndex } from './line-index';
import type { Comment, Span } from './model';

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

/**
 * Reads suppression comments. A comment alone on its line silences the next line; a comment after
 * code silences its own line. A suppression must name known rules and give a reason.
 */
export function scanSuppressions(text: string, comments: readonly Comment[], knownRules: ReadonlySet<string>, lines: LineIndex): SuppressionScan {
  const suppressions: Suppression[] = [];
  const problems: { span: Span; message: string }[] = [];
  for (const c of comments) {
    const at = c.text.indexOf(MARKER);
    if (at < 0) continue;
    // Only a comment that starts with the marker is a directive; prose that mentions it is not.
    if (c.text.slice(0, at).trim() !== '') continue;
    const rest = c.text.slice(at + MARKER.length);
    if (rest !== '' && !/^\s/.test(rest)) continue;
    const colon = rest.indexOf(':');
    const idsText = (colon < 0 ? rest : rest.slice(0, colon)).trim();
    const reason = colon < 0 ? '' : rest.slice(colon + 1).trim();
    const rules = idsText.split(/[\s,]+/).filter((s) => s !== '');
    if (rules.length === 0) {
      problems.push({ span: c.span, message: `Suppression names no rule: write \`${MARKER} <rule-id>: <reason>\`` });
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
    const endLine = lines.position(c.span.end).line;
    const before = text.slice(lines.lineStart(startLine), c.span.start);
    const ownLine = before.trim() === '';
    suppressions.push({ comment: c.span, rules, reason, line: ownLine ? endLine + 1 : startLine });
  }
  return { suppressions, problems };
}

/** Drops findings silenced by a suppression on their line. */
export function applySuppressions(findings: readonly Finding[], scan: SuppressionScan, lines: LineIndex): Finding[] {
  if (scan.suppressions.length === 0) return [...findings];
  const byLine = new Map<number, Set<string>>();
  for (const s of scan.suppressions) {
    const set = byLine.get(s.line) ?? new Set<string>();
    for (const r of s.rules) set.add(r);
    byLine.set(s.line, set);
  }
  return findings.filter((f) => !byLine.get(lines.position(f.span.start).line)?.has(f.rule));
}
