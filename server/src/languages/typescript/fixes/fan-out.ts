/**
 * Fixes for an unbounded fan-out over `xs.map(fn)` (or `Array.from(xs, fn)`): bound the work, in
 * the first of these ways that fits. With p-map or p-limit among the project's dependencies, the
 * library (fan-out-library.ts); otherwise, where the awaited `Promise.all` is a statement, a
 * variable's value or what an async function returns, a loop that awaits chunks of N
 * (fan-out-chunks.ts); otherwise, in an expression, `fn` wrapped in a small inline limiter,
 * `limitConcurrency(N, fn)`, declared once per file. All are suggestions: the bound is a decision,
 * and bounding delays the later items.
 */
import ts from 'typescript';
import type { Fix, Finding, RefusedFix, TextEdit } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import { isTypeScriptPath, nodeAtSpan, nodeContaining, textOf } from './ast';
import type { BuildInput } from './blocking';
import { chunkFix } from './fan-out-chunks';
import { pLimitFix, pMapFix } from './fan-out-library';
import { FLAT_MAP_REASON, mappedFunction, onePromisePerItem, skipParens } from './fan-out-shape';
import { semi, type FileStyle } from './style';

const NONE: FixResult = { fixes: [], refused: [] };

/** The starting bound the fixes write; the titles say it is a placeholder. */
export const FAN_OUT_LIMIT = 8;
const HELPER = 'limitConcurrency';

export function fanOutFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext, input: BuildInput): FixResult {
  const id = finding.data?.fanOutId;
  const site = id === undefined ? undefined : parsed.model.fanOuts?.[id];
  if (!site) return NONE;
  const { sf, style } = input;
  if (site.shape !== 'map') {
    return { fixes: [], refused: [{ title: `Bound the work started per item of \`${site.collection}\``, reason: 'each promise starts in the loop that pushes it: bounding it means rewriting the loop (await chunks of N, or push `limit(() => …)` with a limiter)' }] };
  }
  const combinator = nodeAtSpan(sf, site.span, ts.isCallExpression) ?? nodeContaining(sf, site.span, ts.isCallExpression);
  const arg = combinator?.arguments[0] && skipParens(combinator.arguments[0]);
  if (!combinator || !arg || !ts.isCallExpression(arg)) return NONE;
  const mapped = mappedFunction(arg);
  if (!mapped) return NONE;
  const n = FAN_OUT_LIMIT;
  const fixes: Fix[] = [];
  const refused: RefusedFix[] = [];
  for (const offered of [pMapFix(input, ctx, combinator, mapped, n), pLimitFix(input, ctx, combinator, mapped, n)]) {
    if (offered === undefined) continue;
    if ('reason' in offered) refused.push(offered);
    else fixes.push(offered);
  }
  if (fixes.length === 0) {
    const chunked = chunkFix(input, combinator, mapped, n, site.collection);
    if (chunked) fixes.push(chunked);
  }
  if (fixes.length > 0) return { fixes, refused };
  const title = `Run at most ${n} of \`${site.collection}\`'s items at once with an inline \`${HELPER}\` helper (${n} is a placeholder: choose N)`;
  if (!onePromisePerItem(sf, mapped)) {
    if (!refused.some((r) => r.reason === FLAT_MAP_REASON)) refused.push({ title, reason: FLAT_MAP_REASON });
    return { fixes, refused };
  }
  const helper = existingHelper(sf);
  const edits: TextEdit[] = [{ span: { start: mapped.fn.getStart(sf), end: mapped.fn.end }, newText: `${helper ?? HELPER}(${n}, ${textOf(sf, mapped.fn)})` }];
  if (!helper) {
    const plan = input.imports.plan(style);
    plan.declare(helperText(style, isTypeScriptPath(sf.fileName)));
    edits.unshift(...plan.edits());
  }
  fixes.push({
    title,
    safety: 'suggestion',
    edits,
  });
  return { fixes, refused };
}

/** The name of the inline limiter when an earlier fix already declared it at the top level of the file. */
function existingHelper(sf: ts.SourceFile): string | undefined {
  for (const st of sf.statements) if (ts.isFunctionDeclaration(st) && st.name?.text === HELPER && st.body) return HELPER;
  return undefined;
}

/**
 * The limiter: calls beyond `limit` wait in a queue, and a finishing call hands its slot to the next
 * one (so a caller arriving in between cannot take it and exceed the limit).
 */
function helperText(style: FileStyle, typed: boolean): string {
  const i = style.indent;
  const s = semi(style);
  const sig = typed
    ? `function ${HELPER}<A extends unknown[], R>(limit: number, fn: (...args: A) => R | PromiseLike<R>): (...args: A) => Promise<R> {`
    : `function ${HELPER}(limit, fn) {`;
  const queue = typed ? `const queue: (() => void)[] = []${s}` : `const queue = []${s}`;
  const args = typed ? '...args: A' : '...args';
  const wait = typed ? 'new Promise<void>((resolve) => queue.push(resolve))' : 'new Promise((resolve) => queue.push(resolve))';
  return [
    `/** Wraps \`fn\` so that at most \`limit\` of its calls run at once; the others wait their turn. */`,
    sig,
    `${i}let active = 0${s}`,
    `${i}${queue}`,
    `${i}return async (${args}) => {`,
    `${i}${i}if (active < limit) active++${s}`,
    `${i}${i}else await ${wait}${s}`,
    `${i}${i}try {`,
    `${i}${i}${i}return await fn(...args)${s}`,
    `${i}${i}} finally {`,
    `${i}${i}${i}const next = queue.shift()${s}`,
    `${i}${i}${i}if (next) next()${s}`,
    `${i}${i}${i}else active--${s}`,
    `${i}${i}}`,
    `${i}}${s}`,
    '}',
  ].join(style.eol);
}
