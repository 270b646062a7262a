/**
 * Fix builders for TypeScript and JavaScript: each finding's fixes as text edits computed on the
 * `ts.SourceFile`. Fixes are computed lazily (one finding at a time) and verified by the engine.
 */
import ts from 'typescript';
import type { Fix, Finding, RefusedFix, TextEdit } from '../../../engine/finding';
import type { CrossFileFixer, EditsOrReason, FixContext, FixResult, ParsedFile } from '../../../engine/language';
import { calleeLabel, enclosingFunction, isAsyncFunction, needsParensAsAwait, nodeAtSpan, nodeContaining, sourceFileOf } from './ast';
import { asyncHelperFix, helperAsyncEdits } from './async-helper';
import { asyncTwinFix, twinOf, type BuildInput } from './blocking';
import { channelFixes } from './channel';
import { detachedFixes } from './detached';
import { fanOutFixes } from './fan-out';
import { Imports } from './imports';
import { lockFixes } from './lock';
import { ensureAsync } from './make-async';
import { retryFixes } from './retry';
import { detectStyle } from './style';
import { offloadCallFix, offloadHelperFix } from './worker';
import { offloadLinkedFix } from './worker-linked';
import { isReference } from './worker-closure';

const NONE: FixResult = { fixes: [], refused: [] };

/** Style and imports per parsed tree: the fixes of one file's findings are asked for one after another. */
const inputs = new WeakMap<ts.SourceFile, BuildInput>();

function inputOf(parsed: ParsedFile, span: { start: number; end: number }): BuildInput {
  const sf = sourceFileOf(parsed, span);
  let input = inputs.get(sf);
  if (!input) {
    const handlerEnds = new Set(parsed.model.contexts.filter((c) => c.kind === 'handler').map((c) => c.span.end));
    inputs.set(sf, (input = { sf, style: detectStyle(sf), imports: new Imports(sf), handlerEnds }));
  }
  return input;
}

/** The fixes for one finding of any rule; the first fix is the most natural one. */
export function buildFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  const input = inputOf(parsed, finding.span);
  switch (finding.rule) {
    case 'blocking-in-async':
      return blockingFixes(finding, parsed, ctx, input);
    case 'unbounded-channel':
      return channelFixes(finding, parsed, input);
    case 'await-holding-lock':
      return lockFixes(finding, parsed, input);
    case 'detached-task':
      return detachedFixes(finding, parsed);
    case 'unbounded-fan-out':
      return fanOutFixes(finding, parsed, ctx, input);
    case 'retry-without-backoff':
      return retryFixes(finding, parsed, input);
    default:
      return NONE;
  }
}

function callNode(sf: ts.SourceFile, span: { start: number; end: number }): ts.CallExpression | undefined {
  return nodeAtSpan(sf, span, ts.isCallExpression) ?? nodeContaining(sf, span, ts.isCallExpression);
}

function blockingFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext, input: BuildInput): FixResult {
  const call = finding.data?.callId === undefined ? undefined : parsed.model.calls[finding.data.callId];
  if (!call) return NONE;
  const node = callNode(input.sf, call.span);
  if (!node) return NONE;
  // A merged finding (engine/merge.ts) stands for every call of one helper in its function: an
  // offload moves each of them (a fix that left some would be refused by the engine).
  const others = (finding.parts ?? []).slice(1).map((p) => callNode(input.sf, p.span)).filter((n): n is ts.CallExpression => n !== undefined && n !== node);
  const fixes: Fix[] = [];
  const refused: RefusedFix[] = [];
  const add = (r: { fix?: Fix; refused?: RefusedFix }): void => {
    if (r.fix) fixes.push(r.fix);
    if (r.refused) refused.push(r.refused);
  };
  const innerId = finding.data?.innerCallId;
  if (innerId !== undefined) {
    const inner = parsed.model.calls[innerId];
    const innerEntry = inner?.callee === undefined ? undefined : ctx.catalog.blocking.get(inner.callee);
    if (innerEntry?.category === 'sleep') {
      // A worker that sleeps still makes the caller wait; the fix is an async sleep, not a thread.
      refused.push({ title: `Offload \`${calleeLabel(node.expression)}\` to a worker thread`, reason: 'it sleeps rather than computes: make it async and use `await setTimeout(ms)` from `timers/promises`' });
    } else {
      // An async twin inside the helper is the smaller change; a worker takes the whole helper off the loop.
      if (inner?.callee !== undefined && twinOf(inner.callee, innerEntry)) add(asyncHelperFix(input, parsed, node, ctx));
      add(offloadHelperFix(input, parsed, node, ctx, others));
    }
    return { fixes, refused };
  }
  const callee = call.callee;
  if (callee === undefined) return NONE;
  const entry = ctx.catalog.blocking.get(callee);
  const twin = twinOf(callee, entry);
  if (twin) add(asyncTwinFix(input, node, callee, entry));
  // CPU-heavy work goes to a worker even when it has a twin; other blocking work only when it has none.
  if (entry?.cpuHeavy || (!twin && entry && entry.category !== 'sleep')) add(offloadCallFix(input, parsed, node, call, ctx));
  return { fixes, refused };
}

/** "Make the helper async" across files: the helper's file and its callers' (project/cross-file-fix.ts). */
export const typescriptCrossFileFix: CrossFileFixer = {
  makeAsync(parsed: ParsedFile, name: string, ctx: FixContext): EditsOrReason {
    const r = helperAsyncEdits(inputOf(parsed, { start: 0, end: 0 }), parsed, name, ctx);
    if (!r) return { reason: `\`${name}\` is not a sync function declared at the top of its file (a method, a default export and an async function are not rewritten)` };
    return 'reason' in r ? { reason: r.reason } : { edits: r.edits, label: r.label };
  },
  awaitCalls(parsed: ParsedFile, callIds: readonly number[], fixing: number | undefined): EditsOrReason {
    const input = inputOf(parsed, { start: 0, end: 0 });
    const edits: TextEdit[] = [];
    const asyncAt = new Set<number>();
    // The helper as this file names it (`verify`, `passwordHash.verify`): a use that is not a call
    // (kept in an array, bound, handed to a callback) would get a promise where it got a value.
    const named = new Set<string>();
    for (const id of callIds) {
      const site = parsed.model.calls[id];
      const node = site && callNode(input.sf, site.span);
      if (node) named.add(node.expression.getText(input.sf));
    }
    const valueUse = usedAsValue(input.sf, named);
    if (valueUse) return { reason: `\`${valueUse.text}\` is used as a value on line ${valueUse.line}, not only called: its users would get a promise` };
    for (const id of callIds) {
      const site = parsed.model.calls[id];
      const node = site && callNode(input.sf, site.span);
      if (!site || !node) return { reason: 'a call of it could not be found again' };
      if (node.parent && ts.isAwaitExpression(node.parent)) continue;
      const line = input.sf.getLineAndCharacterOfPosition(node.getStart(input.sf)).line + 1;
      const fn = enclosingFunction(node);
      if (id !== fixing && !(fn && isAsyncFunction(fn))) return { reason: `it is also called on line ${line}, in code that is not async: make that caller async or offload the call first` };
      const plan = ensureAsync(input.sf, node, input.handlerEnds);
      if (!plan.ok) return { reason: `line ${line}: ${plan.reason}` };
      for (const e of plan.edits) if (!asyncAt.has(e.span.start)) {
        asyncAt.add(e.span.start);
        edits.push(e);
      }
      const start = node.getStart(input.sf);
      if (needsParensAsAwait(node)) edits.push({ span: { start, end: start }, newText: '(await ' }, { span: { start: node.end, end: node.end }, newText: ')' });
      else edits.push({ span: { start, end: start }, newText: 'await ' });
    }
    return { edits, label: '' };
  },
  offloadCall(parsed: ParsedFile, callIds: readonly number[], helper: ParsedFile, name: string, shown: string, ctx: FixContext) {
    const site = callIds[0] === undefined ? undefined : parsed.model.calls[callIds[0]];
    if (!site) return {};
    const input = inputOf(parsed, site.span);
    const node = callNode(input.sf, site.span);
    if (!node) return {};
    const others: ts.CallExpression[] = [];
    for (const id of callIds.slice(1)) {
      const other = parsed.model.calls[id];
      const n = other && callNode(input.sf, other.span);
      if (n && n !== node) others.push(n);
    }
    return offloadLinkedFix(input, parsed, node, site, ctx, { sf: sourceFileOf(helper, { start: 0, end: 0 }), path: helper.path, shown, name }, others);
  },
};

/** The first place where one of `names` (an identifier or a dotted access) is read other than as the callee of a call. */
function usedAsValue(sf: ts.SourceFile, names: ReadonlySet<string>): { text: string; line: number } | undefined {
  if (names.size === 0) return undefined;
  let found: { text: string; line: number } | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    // Types never hold the function itself (`typeof helper` names its type), and their nodes may have no parents.
    if (ts.isImportDeclaration(n) || ts.isImportEqualsDeclaration(n) || ts.isTypeNode(n)) return;
    const dotted = n.parent !== undefined && (ts.isPropertyAccessExpression(n) || (ts.isIdentifier(n) && isReference(n)));
    if (dotted && names.has(n.getText(sf))) {
      const p = n.parent;
      const called = p && ts.isCallExpression(p) && p.expression === n;
      // `export { helper }` re-exports it as it is.
      if (!called && !ts.isExportSpecifier(p)) found = { text: n.getText(sf), line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 };
      return;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}
