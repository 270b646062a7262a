// Code actions: the rule's fixes (and the refused ones, disabled, with why), fix all of a rule,
// `source.fixAll.asyncBoundary`, ignore on this line, and show the rule's docs. Edits are computed in `codeAction/resolve` for the document version
// the action was offered for; when the document moved on, the action resolves to no edit.
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  MessageType,
  ShowMessageNotification,
  type CodeAction,
  type CodeActionParams,
  type SnippetTextEdit,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { fixesFor, type Analysis } from '../engine/analyze';
import type { Finding, Fix, RefusedFix, TextEdit } from '../engine/finding';
import { fixAllPasses } from '../engine/fix-all';
import type { FixResult } from '../engine/language';
import { ruleById } from '../engine/rules';
import { INVALID_SUPPRESSION, REASON_PLACEHOLDER } from '../engine/suppressions';
import { LineIndex } from '../engine/line-index';
import { crossFileFixes } from '../project/cross-file-fix';
import { COMMANDS, type NoFixExplanation, type NoFixExplanationResult } from '../shared/protocol';
import { RULE_DOCS_BASE_URL, rangesTouch, ruleDocsUrl, toRange } from './convert';
import { toDiagnostic } from './diagnostics';
import { uriToPath, type DocumentAnalysis, type Session } from './session';

/** `source.fixAll.asyncBoundary`: safe fixes of every rule, for `editor.codeActionsOnSave`. */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.asyncBoundary`;

/**
 * The reason the "ignore" action writes: a snippet placeholder the cursor lands on where the client
 * takes snippet edits. Left as it is, the engine reports it (`invalid-suppression`): it is a prompt, not a reason.
 */
export const IGNORE_REASON_PLACEHOLDER = REASON_PLACEHOLDER;

type ActionData =
  | { uri: string; version: number; kind: 'fix'; finding: number; fix: number }
  | { uri: string; version: number; kind: 'fix-rule'; rule: string }
  | { uri: string; version: number; kind: 'fix-all' }
  | { uri: string; version: number; kind: 'ignore'; finding: number };

const fixCache = new WeakMap<Analysis, Map<number, FixResult>>();

/** The fixes and refused fixes of one finding, computed once per analysis (code actions and hovers share them). */
export function fixesOf(session: Session, analysis: Analysis, index: number): FixResult {
  let perAnalysis = fixCache.get(analysis);
  if (!perAnalysis) fixCache.set(analysis, (perAnalysis = new Map()));
  let result = perAnalysis.get(index);
  if (!result) {
    const finding = analysis.findings[index];
    const ctx = session.manifests.fixContextFor(analysis.parsed.path);
    result = finding ? fixesFor(analysis, finding, ctx, session.onError) : { fixes: [], refused: [] };
    // A helper in another file: made async there, with its callers across the project checked.
    const project = finding && session.index?.fixProject();
    if (finding && project) {
      const cross = crossFileFixes(analysis, finding, session.index!.importsFor(analysis.parsed.path), project, ctx);
      result = { fixes: [...cross.fixes, ...result.fixes], refused: [...result.refused, ...cross.refused] };
    }
    perAnalysis.set(index, result);
  }
  return result;
}

/** The fixes the client can apply: a fix creating files needs `resourceOperations: ['create']`. */
export function usableFixes(session: Session, analysis: Analysis, index: number): { fix: Fix; index: number }[] {
  const canCreate = session.support.createFiles && session.support.documentChanges;
  return fixesOf(session, analysis, index)
    .fixes.map((fix, i) => ({ fix, index: i }))
    .filter(({ fix }) => canCreate || !fix.createFiles?.length);
}

function wanted(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export async function codeActions(session: Session, params: CodeActionParams): Promise<CodeAction[]> {
  const uri = params.textDocument.uri;
  const current = await session.current(uri);
  if (!current) return [];
  const { analysis, version } = current;
  const only = params.context.only;
  const actions: CodeAction[] = [];
  const base = { uri, version };
  if (wanted(only, FIX_ALL_KIND) && only?.length && analysis.findings.length > 0) {
    actions.push({ title: 'Fix all safely fixable async-boundary problems', kind: FIX_ALL_KIND, data: { ...base, kind: 'fix-all' } satisfies ActionData });
  }
  if (!wanted(only, CodeActionKind.QuickFix)) return finish(session, current, actions);
  const offeredRuleFixAll = new Set<string>();
  analysis.findings.forEach((finding, index) => {
    const diagnostic = toDiagnostic(analysis, finding, uri);
    // The editor underlines a multi-line finding on its first line only (diagnostics.ts `underlined`),
    // but its fixes apply to the whole span: Ctrl+. on any of its lines offers them.
    if (!rangesTouch(diagnostic.range, params.range) && !rangesTouch(toRange(analysis.lines, finding.span), params.range)) return;
    const diagnostics = [diagnostic];
    const fixes = usableFixes(session, analysis, index);
    for (const { fix, index: fixIndex } of fixes) {
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics, isPreferred: fix.safety === 'safe', data: { ...base, kind: 'fix', finding: index, fix: fixIndex } satisfies ActionData });
    }
    // A fix the engine considered and refused is offered disabled, with why: the user learns what to do by hand.
    const { refused } = fixesOf(session, analysis, index);
    if (session.support.codeActionDisabled) {
      for (const r of refused) actions.push({ title: r.title, kind: CodeActionKind.QuickFix, diagnostics, disabled: { reason: capitalise(r.reason) } });
    }
    // VS Code lists no disabled action in its Ctrl+. menu and no reason in any menu: with no fix to
    // offer, the reason itself is a row there (and in every client's list), which shows it whole.
    if (fixes.length === 0 && refused.length > 0) actions.push(explainAction(finding.rule, refused, diagnostics));
    const sameRule = analysis.findings.filter((f) => f.rule === finding.rule).length;
    // Fix-all takes safe fixes only: offer it where this finding has one.
    if (fixes.some(({ fix }) => fix.safety === 'safe') && sameRule > 1 && !offeredRuleFixAll.has(finding.rule)) {
      offeredRuleFixAll.add(finding.rule);
      actions.push({ title: `Fix all \`${finding.rule}\` problems in this file`, kind: CodeActionKind.QuickFix, diagnostics, data: { ...base, kind: 'fix-rule', rule: finding.rule } satisfies ActionData });
    }
    if (finding.rule === INVALID_SUPPRESSION) return;
    actions.push({ title: `Ignore \`${finding.rule}\` on this line`, kind: CodeActionKind.QuickFix, diagnostics, data: { ...base, kind: 'ignore', finding: index } satisfies ActionData });
    if (ruleById(finding.rule)) {
      actions.push({
        title: `Show documentation for \`${finding.rule}\``,
        kind: CodeActionKind.QuickFix,
        diagnostics,
        command: { title: `Show documentation for \`${finding.rule}\``, command: COMMANDS.openRuleDocs, arguments: [finding.rule] },
      });
    }
  });
  return finish(session, current, actions);
}

/** Clients that cannot resolve get the edits right away. */
function finish(session: Session, current: DocumentAnalysis, actions: CodeAction[]): CodeAction[] {
  if (session.support.codeActionResolve) return actions;
  return actions.map((a) => (a.data ? resolveWith(session, current, a) : a));
}

export async function resolveCodeAction(session: Session, action: CodeAction): Promise<CodeAction> {
  const data = action.data as ActionData | undefined;
  if (!data || typeof data.uri !== 'string') return action;
  const doc = session.documents.get(data.uri);
  // The document moved on since the action was offered: its offsets no longer apply.
  if (!doc || doc.version !== data.version) return action;
  const current = await session.current(data.uri);
  if (!current || current.version !== data.version) return action;
  return resolveWith(session, current, action);
}

function resolveWith(session: Session, current: DocumentAnalysis, action: CodeAction): CodeAction {
  const data = action.data as ActionData;
  const { analysis, uri, version } = current;
  const lines = analysis.lines;
  const toLsp = (edits: readonly TextEdit[]): LspTextEdit[] => edits.map((e) => ({ range: toRange(lines, e.span), newText: e.newText }));
  let edit: WorkspaceEdit | undefined;
  switch (data.kind) {
    case 'fix': {
      const fix = fixesOf(session, analysis, data.finding).fixes[data.fix];
      if (fix) edit = fixEdit(session, uri, version, toLsp(fix.edits), fix);
      break;
    }
    case 'fix-rule':
    case 'fix-all': {
      // To a fixed point: fixes that wanted the same place (two imports at the top) each get their turn.
      const options = { safeOnly: true, ctx: session.manifests.fixContextFor(analysis.parsed.path), ...(data.kind === 'fix-rule' ? { rule: data.rule } : {}), onError: session.onError };
      const { edits } = fixAllPasses(analysis, (text) => session.analyzeText(uri, current.config, text), options);
      edit = fixEdit(session, uri, version, toLsp(edits));
      break;
    }
    case 'ignore': {
      const finding = analysis.findings[data.finding];
      if (finding) edit = fixEdit(session, uri, version, [ignoreEdit(analysis, finding, session.support.snippetEdits && session.support.documentChanges)]);
      break;
    }
  }
  return edit ? { ...action, edit } : action;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The longest reason a menu row shows; a longer one is cut at a word and ends with `…`. */
const SHORT_REASON_MAX = 100;

/**
 * A refusal reason's cause, short enough for a menu row: up to the first `: `, ` (` or `; ` outside
 * inline code (where the reason goes on to say what to do instead), at most {@link SHORT_REASON_MAX} characters.
 */
export function shortReason(reason: string): string {
  let inCode = false;
  let end = reason.length;
  for (let i = 0; i < reason.length; i++) {
    const c = reason[i]!;
    if (c === '`') inCode = !inCode;
    else if (!inCode && (((c === ':' || c === ';') && reason[i + 1] === ' ') || (c === ' ' && reason[i + 1] === '('))) {
      end = i;
      break;
    }
  }
  let short = reason.slice(0, end).trim();
  if (short.length > SHORT_REASON_MAX) {
    const cut = short.lastIndexOf(' ', SHORT_REASON_MAX - 1);
    short = short.slice(0, cut > 0 ? cut : SHORT_REASON_MAX - 1);
    // An odd number of backticks would leave inline code open in a client that renders it.
    if ((short.match(/`/g) ?? []).length % 2 === 1) short = short.slice(0, short.lastIndexOf('`')).trimEnd();
    short = `${short.replace(/[,;:]$/, '')}…`;
  } else if (end < reason.length) {
    short = `${short}…`;
  }
  return short;
}

/** At most this many refused fixes are spelled out in an explanation. */
const EXPLAINED_MAX = 4;

/**
 * The text `asyncBoundary.explainNoFix` shows for its argument, and the rule's documentation; undefined
 * for an argument that is not a {@link NoFixExplanation} (the command can be called by hand).
 */
export function explainNoFix(arg: unknown): NoFixExplanationResult | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { rule, refused } = arg as Partial<Record<keyof NoFixExplanation, unknown>>;
  if (typeof rule !== 'string' || !Array.isArray(refused)) return undefined;
  const items = refused.filter((r): r is { title: string; reason: string } => typeof r === 'object' && r !== null && typeof (r as { title?: unknown }).title === 'string' && typeof (r as { reason?: unknown }).reason === 'string');
  if (items.length === 0) return undefined;
  const lines = items.slice(0, EXPLAINED_MAX).map((r) => `“${r.title}” is not offered: ${uncapitalise(r.reason)}.`);
  return { message: `No automatic fix for \`${rule}\` here. ${lines.join(' ')}`, docs: ruleById(rule) ? ruleDocsUrl(rule) : RULE_DOCS_BASE_URL };
}

const uncapitalise = (s: string): string => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s).replace(/\.$/, '');

/** The enabled row that states why a finding has no automatic fix; choosing it shows every refused fix with its whole reason. */
function explainAction(rule: string, refused: readonly RefusedFix[], diagnostics: CodeAction['diagnostics']): CodeAction {
  const title = `No automatic fix: ${shortReason(refused[0]!.reason)}`;
  const args: NoFixExplanation = { rule, refused: refused.map((r) => ({ title: r.title, reason: capitalise(r.reason) })) };
  return { title, kind: CodeActionKind.QuickFix, diagnostics, command: { title, command: COMMANDS.explainNoFix, arguments: [args] } };
}

/**
 * Inserts `<comment> async-boundary-ignore <rule>: <reason>` above the finding's line, indented like
 * it. As a snippet, the placeholder reason is selected so typing replaces it.
 */
export function ignoreEdit(analysis: Analysis, finding: Finding, snippet = false): LspTextEdit | SnippetTextEdit {
  const text = analysis.parsed.text;
  const line = analysis.lines.position(finding.span.start).line;
  const start = analysis.lines.lineStart(line);
  const indent = /^[ \t]*/.exec(text.slice(start, start + 200))![0];
  const token = analysis.model.language === 'python' ? '#' : '//';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const position = { line, character: 0 };
  const range = { start: position, end: position };
  const prefix = `${indent}${token} async-boundary-ignore ${finding.rule}: `;
  if (!snippet) return { range, newText: `${prefix}${IGNORE_REASON_PLACEHOLDER}${eol}` };
  // Snippet syntax gives `$`, `}` and `\\` meaning: the fixed text has none (indentation, a comment token, a rule id).
  return { range, snippet: { kind: 'snippet', value: `${prefix}\${1:${IGNORE_REASON_PLACEHOLDER}}${eol}` } };
}

/**
 * The edits of a fix in other files of the project, by URI, with the open document's version (null
 * for a closed file); `undefined` when one of those files no longer holds the text the edits were
 * computed on (changed on disk or in the editor since the fix was offered): its offsets would land
 * in the wrong places, and a closed file has no version the client could check.
 */
function otherFileEdits(session: Session, fix: Fix | undefined): { uri: string; version: number | null; edits: LspTextEdit[] }[] | undefined {
  const out: { uri: string; version: number | null; edits: LspTextEdit[] }[] = [];
  for (const other of fix?.otherFiles ?? []) {
    const uri = pathToFileURL(other.path).href;
    const text = session.index?.textOf(other.path);
    if (text === undefined || (other.base !== undefined && text !== other.base)) return undefined;
    const lines = new LineIndex(text);
    out.push({ uri, version: session.documents.get(uri)?.version ?? null, edits: other.edits.map((e) => ({ range: toRange(lines, e.span), newText: e.newText })) });
  }
  return out;
}

function fixEdit(session: Session, uri: string, version: number, edits: (LspTextEdit | SnippetTextEdit)[], fix?: Fix): WorkspaceEdit | undefined {
  const created = fix?.createFiles ?? [];
  const others = otherFileEdits(session, fix);
  if (!others) {
    // A `window/showMessage` notification, as the server's other messages (server.ts `inform`).
    const message = `async-boundary: “${fix?.title ?? 'The fix'}” was not applied: a file it edits changed since it was offered. Ask for the fix again.`;
    session.background(session.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message }), 'showing a message');
    return undefined;
  }
  // Snippet edits are only made for clients with `documentChanges`.
  if (!session.support.documentChanges) {
    const changes: Record<string, LspTextEdit[]> = { [uri]: edits.filter((e): e is LspTextEdit => 'newText' in e) };
    for (const o of others) changes[o.uri] = o.edits;
    return { changes };
  }
  const documentChanges: NonNullable<WorkspaceEdit['documentChanges']> = [{ textDocument: { uri, version }, edits }, ...others.map((o) => ({ textDocument: { uri: o.uri, version: o.version }, edits: o.edits }))];
  const folder = posix.dirname(uriToPath(uri));
  for (const file of created) {
    const path = posix.join(folder, file.relativePath);
    // A shared module (the typed worker runner) that an earlier fix in this folder created is kept.
    if (file.shared && existsSync(path)) continue;
    const target = pathToFileURL(path).href;
    // No ignoreIfExists: inserting the module's text into an existing file would corrupt it; failing the edit is safer.
    documentChanges.push({ kind: 'create', uri: target });
    documentChanges.push({ textDocument: { uri: target, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: file.text }] });
  }
  return { documentChanges };
}
