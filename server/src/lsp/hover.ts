// Hover, the code-review annotation: on a yield point, its place among the context's yield points
// and what is held across it; on an async function's name, a summary; on a suppression, the rule's docs.
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver';
import type { Analysis } from '../engine/analyze';
import type { AsyncContext, Span } from '../engine/model';
import { spanContains } from '../engine/model';
import { ruleById } from '../engine/rules';
import { contextPhrase } from '../engine/rule-support';
import { roleAt } from '../engine/roles';
import { ruleDocsUrl, toRange } from './convert';
import type { Session } from './session';
import { yieldViews } from './yield-info';

const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const within = (span: Span, offset: number): boolean => span.start <= offset && offset <= span.end;
const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

function line(analysis: Analysis, offset: number): number {
  return analysis.lines.position(offset).line + 1;
}

/** `Role \`startup\`: at startup, before \`app.listen\``: why findings here are quiet (or not). */
function roleLine(analysis: Analysis, offset: number, functionId?: number): string {
  const roles = analysis.model.roles;
  if (!roles) return 'Role `production`';
  const fact = roleAt(analysis.model, roles, offset, functionId);
  return `Role \`${fact.role}\`: runs ${fact.where}`;
}

function findingsIn(analysis: Analysis, span: Span): string[] {
  return analysis.findings.filter((f) => overlaps(f.span, span)).map((f) => `- **${f.rule}**: ${f.message}`);
}

export function yieldPointHover(analysis: Analysis, offset: number): Hover | undefined {
  const view = yieldViews(analysis.model).find((v) => within(v.point.keywordSpan, offset));
  if (!view) return undefined;
  const ctx = analysis.model.contexts[view.point.context];
  const where = ctx ? contextPhrase(ctx) : 'async code';
  const parts = [`**Yield point ${view.point.ordinal} of ${view.total}** in ${where}`, ''];
  parts.push('The task may be suspended here; other tasks run before it resumes.', '');
  if (view.held.length === 0) parts.push('Nothing is held across it.');
  else {
    parts.push('Held across it:');
    for (const r of view.held) parts.push(`- \`${r.lock}\` (${r.kind === 'blocking' ? 'blocking' : 'async'} lock${r.lockType ? ` \`${r.lockType}\`` : ''}), acquired on line ${line(analysis, r.acquireSpan.start)}`);
  }
  parts.push('', roleLine(analysis, view.point.span.start));
  const findings = findingsIn(analysis, view.point.span);
  if (findings.length > 0) parts.push('', 'Findings:', ...findings);
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n') }, range: toRange(analysis.lines, view.point.keywordSpan) };
}

export function contextHover(analysis: Analysis, offset: number): Hover | undefined {
  const model = analysis.model;
  const ctx: AsyncContext | undefined = model.contexts.find((c) => within(c.nameSpan, offset));
  if (!ctx) return undefined;
  const yields = model.yieldPoints.filter((y) => y.context === ctx.id).length;
  const held = model.heldRegions.filter((r) => r.context === ctx.id).length;
  const blocking = analysis.findings.filter((f) => f.rule === 'blocking-in-async' && spanContains(ctx.span, f.span)).length;
  const findings = analysis.findings.filter((f) => spanContains(ctx.span, f.span)).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const value = [
    `**${capitalised(contextPhrase(ctx))}** runs on the event loop or executor (${ctx.reason})`,
    '',
    `- ${plural(yields, 'yield point')}`,
    `- ${plural(held, 'held lock region')}`,
    `- ${plural(blocking, 'blocking call')}`,
    `- ${plural(findings, 'finding')}`,
    '',
    roleLine(analysis, ctx.nameSpan.start, ctx.functionId),
  ].join('\n');
  return { contents: { kind: MarkupKind.Markdown, value }, range: toRange(analysis.lines, ctx.nameSpan) };
}

export function suppressionHover(analysis: Analysis, offset: number): Hover | undefined {
  const comment = analysis.model.comments.find((c) => within(c.span, offset));
  if (!comment) return undefined;
  const m = /^\s*async-boundary-ignore\s+([^:]*)/.exec(comment.text);
  if (!m) return undefined;
  const ids = m[1]!.split(/[\s,]+/).filter((s) => s !== '');
  const sections = ids.flatMap((id) => {
    const rule = ruleById(id);
    if (!rule) return [`**${id}**: not a known rule`];
    return [`**${id}**: ${rule.docs.summary}`, '', rule.docs.what, '', `*Why:* ${rule.docs.why}`, '', `[Documentation](${ruleDocsUrl(id)})`];
  });
  if (sections.length === 0) return undefined;
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n') }, range: toRange(analysis.lines, comment.span) };
}

export async function hover(session: Session, params: HoverParams): Promise<Hover | null> {
  const current = await session.current(params.textDocument.uri);
  if (!current) return null;
  const { analysis } = current;
  const offset = analysis.lines.offset(params.position.line, params.position.character);
  return yieldPointHover(analysis, offset) ?? contextHover(analysis, offset) ?? suppressionHover(analysis, offset) ?? null;
}
