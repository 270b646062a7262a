/**
 * Fix builders for TypeScript and JavaScript: each finding's fixes as text edits computed on the
 * `ts.SourceFile`. Fixes are computed lazily (one finding at a time) and verified by the engine.
 */
import ts from 'typescript';
import type { Fix, Finding, RefusedFix } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import { calleeLabel, nodeAtSpan, nodeContaining, sourceFileOf } from './ast';
import { asyncHelperFix } from './async-helper';
import { asyncTwinFix, twinOf, type BuildInput } from './blocking';
import { channelFixes } from './channel';
import { detachedFixes } from './detached';
import { fanOutFixes } from './fan-out';
import { Imports } from './imports';
import { lockFixes } from './lock';
import { retryFixes } from './retry';
import { detectStyle } from './style';
import { offloadCallFix, offloadHelperFix } from './worker';

const NONE: FixResult = { fixes: [], refused: [] };

/** Style and imports per parsed tree: the fixes of one file's findings are asked for one after another. */
const inputs = new WeakMap<ts.SourceFile, BuildInput>();

/** The fixes for one finding of any rule; the first fix is the most natural one. */
export function buildFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  const sf = sourceFileOf(parsed, finding.span);
  let input = inputs.get(sf);
  if (!input) {
    const handlerEnds = new Set(parsed.model.contexts.filter((c) => c.kind === 'handler').map((c) => c.span.end));
    inputs.set(sf, (input = { sf, style: detectStyle(sf), imports: new Imports(sf), handlerEnds }));
  }
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
      add(offloadHelperFix(input, parsed, node, ctx));
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
