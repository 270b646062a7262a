/**
 * Fixes for an unbounded fan-out over `xs.map(fn)` (or `Array.from(xs, fn)`): keep the combinator and
 * bound the work. With `p-map` among the project's dependencies (and an ES module, since p-map is
 * ESM-only from v5), `Promise.all(xs.map(fn))` becomes `pMap(xs, fn, { concurrency: N })`; in every
 * case `fn` can be wrapped in a small inline limiter, `limitConcurrency(N, fn)`, declared once per
 * file. Both are suggestions: the bound is a decision, and bounding delays the later items.
 */
import ts from 'typescript';
import type { Fix, Finding, TextEdit } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import { isTypeScriptPath, nodeAtSpan, nodeContaining, textOf } from './ast';
import type { BuildInput } from './blocking';
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
  const pMap = pMapFix(input, ctx, combinator, arg, mapped);
  if (pMap) fixes.push(pMap);
  const helper = existingHelper(sf);
  const edits: TextEdit[] = [{ span: { start: mapped.fn.getStart(sf), end: mapped.fn.end }, newText: `${helper ?? HELPER}(${n}, ${textOf(sf, mapped.fn)})` }];
  if (!helper) {
    const plan = input.imports.plan(style);
    plan.declare(helperText(style, isTypeScriptPath(sf.fileName)));
    edits.unshift(...plan.edits());
  }
  fixes.push({
    title: `Run at most ${n} of \`${site.collection}\`'s items at once with an inline \`${HELPER}\` helper (${n} is a placeholder: choose N)`,
    safety: 'suggestion',
    edits,
  });
  return { fixes, refused: [] };
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** The per-item function of `xs.map(fn)` or `Array.from(xs, fn)`, and for `.map` its receiver. */
function mappedFunction(call: ts.CallExpression): { fn: ts.Expression; receiver?: ts.Expression } | undefined {
  const callee = skipParens(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  // `flatMap` flattens what the work returns, which a limiter around each call keeps as it is.
  if ((callee.name.text === 'map' || callee.name.text === 'flatMap') && call.arguments.length === 1) return { fn: call.arguments[0]!, ...(callee.name.text === 'map' ? { receiver: callee.expression } : {}) };
  if (callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && call.arguments.length === 2) return { fn: call.arguments[1]! };
  return undefined;
}

/**
 * `Promise.all(xs.map(fn))` → `pMap(xs, fn, { concurrency: N })`, when the project depends on p-map
 * and the file is an ES module. pMap passes `(item, index)`, as `map` does without the array; a
 * function that reads a third parameter is left to the helper.
 */
function pMapFix(input: BuildInput, ctx: FixContext, combinator: ts.CallExpression, arg: ts.CallExpression, mapped: { fn: ts.Expression; receiver?: ts.Expression }): Fix | undefined {
  const { sf, style } = input;
  if (!ctx.dependencies?.has('p-map') || !style.esm || mapped.receiver === undefined) return undefined;
  const callee = skipParens(combinator.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'all' || combinator.arguments.length !== 1) return undefined;
  const fn = skipParens(mapped.fn);
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters.length > 2) return undefined;
  const existing = input.imports.namespace('p-map');
  const local = existing ?? 'pMap';
  const edits: TextEdit[] = [];
  if (!existing) {
    const plan = input.imports.plan(style);
    plan.declareImport(`import ${local} from ${style.quote}p-map${style.quote}${semi(style)}`);
    edits.push(...plan.edits());
  }
  const n = FAN_OUT_LIMIT;
  edits.push({ span: { start: combinator.getStart(sf), end: combinator.end }, newText: `${local}(${textOf(sf, mapped.receiver)}, ${textOf(sf, mapped.fn)}, { concurrency: ${n} })` });
  void arg;
  return { title: `Run at most ${n} at once with \`pMap\` (p-map; ${n} is a placeholder: choose N)`, safety: 'suggestion', edits };
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
