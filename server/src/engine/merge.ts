import type { Finding, MergedPart } from './finding';

/**
 * The message of a finding that stands for `more` other sites too: the count goes before the chain
 * and the advice, which end the message (a cheap call's reason stays last).
 */
export function countedMessage(message: string, more: number): string {
  if (more === 0) return message;
  const at = message.indexOf(': ');
  return at < 0 ? `${message} (this call and ${more} more)` : `${message.slice(0, at)} (this call and ${more} more)${message.slice(at)}`;
}

/**
 * Merges findings of one rule that share a group key (a helper called several times in one
 * function: one cause, one fix) into one at the first of them, "(this call and N more)", the others
 * as related locations. Run after suppressions: a suppressed call is already gone, so it neither
 * carries the finding nor silences the other calls. The merged finding keeps every part as it would
 * be reported alone ({@link Finding.parts}). Order is kept; findings without a group pass through.
 */
export function mergeGroups(findings: readonly Finding[]): Finding[] {
  if (!findings.some((f) => f.group)) return [...findings];
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.group) continue;
    const key = `${f.rule}\0${f.group.key}`;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  const out: Finding[] = [];
  for (const f of findings) {
    if (!f.group) {
      out.push(f);
      continue;
    }
    const list = groups.get(`${f.rule}\0${f.group.key}`)!;
    const { group: _group, ...alone } = f;
    if (list.length === 1) {
      out.push(alone);
      continue;
    }
    if (list[0] !== f) continue;
    const parts: MergedPart[] = list.map((p) => ({ span: p.span, message: p.message, related: p.related, note: p.group!.note }));
    out.push({
      ...alone,
      message: countedMessage(f.message, list.length - 1),
      related: [...f.related, ...list.slice(1).map((p) => ({ span: p.span, message: p.group!.note }))],
      parts,
    });
  }
  return out;
}
