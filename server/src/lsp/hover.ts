// Hover, the code-review annotation: on a yield point, what is held across it and what to do, then
// its place among the context's yield points; on an async function's name, a summary; on a suppression, the rule's docs;
// on an unbounded fan-out or a detached task, what it starts and what to do.
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver';
import type { Analysis } from '../engine/analyze';
import type { Finding } from '../engine/finding';
import type { Imports } from '../engine/linker';
import { hoverWording, type HoverWording } from '../engine/catalog';
import type { AsyncContext, FanOutSite, FileModel, HeldRegion, SpawnSite, Span } from '../engine/model';
import { spanContains } from '../engine/model';
import { ruleById } from '../engine/rules';
import { isReportedSpawn } from '../engine/rules/detached-task';
import { isReportedFanOut } from '../engine/rules/unbounded-fan-out';
import { contextPhrase } from '../engine/rule-support';
import { roleAt } from '../engine/roles';
import { fixesOf, usableFixes } from './code-actions';
import { ruleDocsUrl, toRange } from './convert';
import type { Session } from './session';
import { yieldViews } from './yield-info';

const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const within = (span: Span, offset: number): boolean => span.start <= offset && offset <= span.end;
const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

function line(analysis: Analysis, offset: number): number {
  return analysis.lines.position(offset).line + 1;
}

/** What to do about a finding, in one line: the fix a quick fix applies, or why there is none. */
export type FixNote = (finding: Finding) => string;

function findingNotes(analysis: Analysis, span: Span, note: FixNote): string[] {
  // The diagnostic's own message shows above the hover in VS Code: say what to do, not what is wrong again.
  return analysis.findings.filter((f) => overlaps(f.span, span)).map((f) => `\`${f.rule}\`: ${note(f)}`);
}

/** The role, only where it is not the default: a production role says nothing new. */
function roleNote(analysis: Analysis, offset: number, functionId?: number): string[] {
  const roles = analysis.model.roles;
  if (!roles) return [];
  const fact = roleAt(analysis.model, roles, offset, functionId);
  return fact.role === 'production' ? [] : [`Role \`${fact.role}\`: runs ${fact.where}`];
}

/** Code as written, on one line, short, as inline code (a backtick inside would end it early). */
const code = (s: string): string => {
  const one = s.replace(/\s+/g, ' ').replace(/`/g, "'");
  return `\`${one.length <= 50 ? one : `${one.slice(0, 47)}…`}\``;
};

const FAN_OUT_SOURCES: Record<FanOutSite['source'], string> = {
  listing: ' (a directory listing)',
  request: ' (from the request)',
  lines: ' (the lines of an input)',
  channel: ' (the values of a channel)',
  unknown: '',
};

/** Fills a wording template's `{name}` placeholders. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** An unbounded fan-out, named: what is started, per item of what, and how to bound it. One the rule does not report says nothing. */
function fanOutLines(words: HoverWording, f: FanOutSite): string[] {
  if (!isReportedFanOut(f)) return [];
  const started = f.shape === 'spawn' || f.work === undefined ? `one ${words.task}` : `one ${code(f.work)}`;
  const bound = f.shape === 'spawn' ? (words.boundSpawnFanOut ?? words.boundFanOut) : words.boundFanOut;
  return [`**Fan-out** via ${code(f.spawner)}: ${started} per item of ${code(f.collection)}${FAN_OUT_SOURCES[f.source]}, ${f.inFlight ?? 'all at once, with no bound'}`, bound];
}

/** A spawn whose handle is dropped with nothing that excuses it, named: what it starts and how to keep it. */
function spawnLines(model: FileModel, imports: Imports, words: HoverWording, s: SpawnSite): string[] {
  if (!isReportedSpawn(model, s, imports)) return [];
  const started = s.inLoop ? `one ${words.task} per iteration` : `a ${words.task}`;
  const runtime = s.runtime !== undefined ? words.detachedBy?.[s.runtime] : undefined;
  const what = fill(runtime?.line ?? words.detachedLine, { spawner: code(s.spawner), started, detail: s.detail ?? 'it is not joined' });
  return [`**${words.detachedTitle}**: ${what}`, runtime?.keep ?? words.keepTask];
}

/** One lock held at a yield point, in the language's words. */
function heldLine(analysis: Analysis, words: HoverWording, r: HeldRegion): string {
  return fill(words.held, {
    lock: `\`${r.lock}\``,
    kind: r.kind === 'blocking' ? 'blocking' : 'async',
    type: r.lockType ? ` \`${r.lockType}\`` : '',
    typeName: r.lockType ? `\`${r.lockType}\`` : `a ${r.kind} lock`,
    locked: r.shared ? 'read-locked' : 'locked',
    line: String(line(analysis, r.acquireSpan.start)),
    writers: r.shared ? ' for writing' : '',
  });
}

/** Fan-outs and detached spawns whose span holds the offset (or, with a span, overlaps it). */
function amplifiers(analysis: Analysis, at: (span: Span) => boolean): { lines: string[]; spans: Span[] } {
  const model = analysis.model;
  const words = hoverWording(analysis.catalog);
  const out: { lines: string[]; spans: Span[] } = { lines: [], spans: [] };
  for (const f of model.fanOuts ?? []) {
    const l = at(f.span) ? fanOutLines(words, f) : [];
    if (l.length > 0) {
      out.lines.push(...l);
      out.spans.push(f.span);
    }
  }
  for (const s of model.spawns) {
    const l = at(s.span) ? spawnLines(model, analysis.imports, words, s) : [];
    if (l.length > 0) {
      out.lines.push(...l);
      out.spans.push(s.span);
    }
  }
  return out;
}

/** On a fan-out or a detached spawn: what it starts, whether it is bounded, what to do. */
export function amplifierHover(analysis: Analysis, offset: number, note: FixNote = () => ''): Hover | undefined {
  const found = amplifiers(analysis, (span) => within(span, offset));
  if (found.lines.length === 0) return undefined;
  const span = { start: Math.min(...found.spans.map((s) => s.start)), end: Math.max(...found.spans.map((s) => s.end)) };
  const parts = [...found.lines, ...findingNotes(analysis, span, note)];
  return { contents: { kind: MarkupKind.Markdown, value: lines(parts) }, range: toRange(analysis.lines, span) };
}

/** Markdown lines kept together (a hard break), so a hover stays a few compact lines. */
const lines = (parts: readonly string[]): string => parts.join('  \n');

export function yieldPointHover(analysis: Analysis, offset: number, note: FixNote = () => ''): Hover | undefined {
  const view = yieldViews(analysis.model).find((v) => within(v.point.keywordSpan, offset));
  if (!view) return undefined;
  const ctx = analysis.model.contexts[view.point.context];
  const where = ctx ? contextPhrase(ctx) : 'async code';
  const words = hoverWording(analysis.catalog);
  const parking = view.point.parking;
  const pause = parking ? fill(words.parked, { what: parking.what, until: parking.until }) : words.pause;
  // What is held and what to do lead (the first lines are what a glance reads); the yield point's place among the others follows.
  const lead = [...view.held.map((r) => heldLine(analysis, words, r)), ...amplifiers(analysis, (span) => overlaps(span, view.point.span)).lines, ...findingNotes(analysis, view.point.span, note)];
  const place = `${words.point} ${view.point.ordinal} of ${view.total}`;
  const parts = [...lead, `${lead.length === 0 ? `**${place}**` : place} in ${where}: ${pause}`];
  if (view.held.length === 0) parts.push(words.nothingHeld);
  parts.push(...roleNote(analysis, view.point.span.start));
  return { contents: { kind: MarkupKind.Markdown, value: lines(parts) }, range: toRange(analysis.lines, view.point.keywordSpan) };
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
  const words = hoverWording(analysis.catalog);
  // Zero counts say nothing; one line fits under the language's own signature hover.
  const counts = [plural(yields, words.point.toLowerCase()), plural(held, words.heldRegion), plural(blocking, 'blocking call'), plural(findings, 'finding')].filter((c) => !c.startsWith('0 '));
  const parts = [`**${capitalised(contextPhrase(ctx))}** ${fill(words.runsOn, { reason: ctx.reason })}`];
  if (counts.length > 0) parts.push(counts.join(' · '));
  parts.push(...roleNote(analysis, ctx.nameSpan.start, ctx.functionId));
  return { contents: { kind: MarkupKind.Markdown, value: lines(parts) }, range: toRange(analysis.lines, ctx.nameSpan) };
}

/**
 * The chain of a finding that runs through other files, one hop per line part:
 * `hash` calls `derive` (services/hash.ts:3) → `fs.readFileSync` blocks here (utils/kdf.ts:9).
 */
export function chainLine(finding: Finding, shown: (path: string) => string): string[] {
  const hops = finding.related.filter((r) => r.elsewhere);
  if (hops.length === 0) return [];
  const parts = hops.map((r) => `${r.message} (${shown(r.elsewhere!.path)}:${r.elsewhere!.range.line + 1})`);
  return [`**Across files**: ${parts.join(' → ')}`];
}

/** On a finding that is not a yield point (a blocking call, a channel): what to do about it, and its chain across files. */
export function findingHover(analysis: Analysis, offset: number, note: FixNote, shown: (path: string) => string = (p) => p): Hover | undefined {
  const here = analysis.findings.filter((f) => within(f.span, offset));
  if (here.length === 0) return undefined;
  const span = { start: Math.min(...here.map((f) => f.span.start)), end: Math.max(...here.map((f) => f.span.end)) };
  return { contents: { kind: MarkupKind.Markdown, value: lines(here.flatMap((f) => [`\`${f.rule}\`: ${note(f)}`, ...chainLine(f, shown)])) }, range: toRange(analysis.lines, span) };
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
  const note = fixNote(session, analysis);
  const shown = (path: string): string => session.index?.shownPath(path) ?? path;
  return yieldPointHover(analysis, offset, note) ?? contextHover(analysis, offset) ?? suppressionHover(analysis, offset) ?? amplifierHover(analysis, offset, note) ?? findingHover(analysis, offset, note, shown) ?? null;
}

/** The fix a quick fix would apply, or the reason the engine refused one, as the code actions offer them. */
function fixNote(session: Session, analysis: Analysis): FixNote {
  return (finding) => {
    const index = analysis.findings.indexOf(finding);
    const fix = usableFixes(session, analysis, index)[0]?.fix;
    if (fix) return `quick fix: ${fix.title}${fix.safety === 'suggestion' ? ' (a suggestion: review it)' : ''}`;
    const reason = fixesOf(session, analysis, index).refused[0];
    if (reason) return `no automatic fix: ${reason.reason}`;
    return `no automatic fix for this case; see [the rule's documentation](${ruleDocsUrl(finding.rule)})`;
  };
}
