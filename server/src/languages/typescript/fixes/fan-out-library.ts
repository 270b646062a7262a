/**
 * The fan-out fixes that bound the work with the library the project already depends on: p-map
 * (`Promise.all(xs.map(fn))` → `pMap(xs, fn, { concurrency: N })`) and p-limit (a `limit =
 * pLimit(N)` made before the statement, each item's work run through `limit(() => …)`, the
 * combinator kept). Both are default exports; both are CommonJS up to a major version and ES modules
 * only after it, so a CommonJS file gets a `require` only when the manifest's range stays on the
 * CommonJS majors (the ES-only ones need `import`, which such a file cannot write at the top).
 */
import ts from 'typescript';
import type { Fix, RefusedFix, TextEdit } from '../../../engine/finding';
import type { FixContext } from '../../../engine/language';
import { identifierNames, isFunctionNode, lineIndent, textOf, uniqueName } from './ast';
import type { BuildInput } from './blocking';
import { FLAT_MAP_REASON, type Mapped, onePromisePerItem, perItemArity, skipParens } from './fan-out-shape';
import { semi } from './style';

export type FanOutLibrary = 'p-map' | 'p-limit';

/** The last major version of each that is a CommonJS module (`module.exports = fn`); later ones are ES modules only. */
const LAST_COMMONJS_MAJOR: Record<FanOutLibrary, number> = { 'p-limit': 3, 'p-map': 4 };

/**
 * Whether every major version a package.json range allows is at most `last`; undefined when the range
 * does not say (a dist-tag, `*`, a URL or a workspace link).
 */
export function rangeStaysAtOrBelow(range: string | undefined, last: number): boolean | undefined {
  if (range === undefined) return undefined;
  const parts = range.replace(/^npm:(?:@[^/]+\/)?[^@]+@/, '').split('||').map((p) => p.trim());
  let answer: boolean | undefined = true;
  for (const part of parts) {
    const upper = /<(=?)\s*v?(\d+)(?:\.(\d+|x|\*))?/.exec(part);
    if (upper) {
      // `<4` and `<4.0.0` stop before 4; `<=3.9` and `<4.1` allow the major they name.
      const major = Number(upper[2]);
      const minorZero = upper[3] === undefined || upper[3] === '0';
      answer = answer === true && (upper[1] === '' && minorZero ? major - 1 : major) <= last ? true : false;
      continue;
    }
    if (/^>/.test(part)) return false;
    // `^3.1.0`, `~3`, `3.x`, `3`, `=3.1.0`, `2 - 3.4` (the top of a hyphen range). npm's grammar puts
    // spaces around a hyphen range's hyphen and none around a prerelease's (`^5.0.0-0`, `4.0.0-beta.3`).
    const hyphen = /\s-\s+v?(\d+)/.exec(part);
    const first = /^[\^~=v]*\s*(\d+)/.exec(part);
    const major = hyphen ? Number(hyphen[1]) : first ? Number(first[1]) : undefined;
    if (major === undefined) return undefined;
    if (major > last) answer = false;
  }
  return answer;
}

/**
 * The local name that calls the library's default export: one the file already binds (`import
 * pLimit from 'p-limit'`, `import { default as limiter }`, a `require` of a CommonJS version), else
 * a new import in the file's module style, or why there can be none.
 */
function libraryLocal(input: BuildInput, ctx: FixContext, lib: FanOutLibrary, base: string): { local: string; edits: TextEdit[] } | { reason: string } {
  const commonjs = rangeStaysAtOrBelow(ctx.versions?.get(lib), LAST_COMMONJS_MAJOR[lib]);
  for (const b of input.imports.bindings) {
    if (b.module !== lib) continue;
    if (b.kind === 'named' && b.imported === 'default') return { local: b.local, edits: [] };
    if (b.kind !== 'namespace') continue;
    const st = b.statement;
    if (ts.isImportDeclaration(st)) {
      if (st.importClause?.name?.text === b.local) return { local: b.local, edits: [] };
    } else if (commonjs !== false) {
      // `const pLimit = require('p-limit')` or `import pLimit = require('p-limit')`: the CommonJS export is the function.
      return { local: b.local, edits: [] };
    }
  }
  const { style } = input;
  const local = uniqueName(identifierNames(input.sf), base);
  const spec = `${style.quote}${lib}${style.quote}`;
  if (!style.esm && commonjs !== true) {
    const last = LAST_COMMONJS_MAJOR[lib];
    return {
      reason:
        commonjs === false
          ? `${lib} ${last + 1} and later are ES modules only, which this CommonJS file cannot \`require\` on every Node version (${lib} ${last} is the last CommonJS release)`
          : `this CommonJS file can \`require\` ${lib} only up to ${last}, and the package.json does not say which major version the project installs`,
    };
  }
  const plan = input.imports.plan(style);
  plan.declareImport(style.esm ? `import ${local} from ${spec}${semi(style)}` : `const ${local} = require(${spec})${semi(style)}`);
  return { local, edits: plan.edits() };
}

/** `Promise.all(xs.map(fn))` → `pMap(xs, fn, { concurrency: N })`; pMap passes `(item, index)`, as `map` does without the array. */
export function pMapFix(input: BuildInput, ctx: FixContext, combinator: ts.CallExpression, mapped: Mapped, n: number): Fix | RefusedFix | undefined {
  const { sf } = input;
  if (!ctx.dependencies?.has('p-map') || mapped.method !== 'map' || mapped.receiver === undefined) return undefined;
  const callee = skipParens(combinator.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'all' || combinator.arguments.length !== 1) return undefined;
  const arity = perItemArity(sf, mapped.fn);
  if (arity !== undefined && arity > 2) return undefined;
  const title = `Run at most ${n} at once with \`pMap\` (p-map; ${n} is a placeholder: choose N)`;
  const imported = libraryLocal(input, ctx, 'p-map', 'pMap');
  if ('reason' in imported) return { title, reason: imported.reason };
  const edits = [...imported.edits, { span: { start: combinator.getStart(sf), end: combinator.end }, newText: `${imported.local}(${textOf(sf, mapped.receiver)}, ${textOf(sf, mapped.fn)}, { concurrency: ${n} })` }];
  return { title, safety: 'suggestion', edits };
}

/**
 * `const limit = pLimit(N)` before the statement, and each item's work run through it: an arrow's
 * body becomes `limit(() => body)` under the same parameters, a function of the file that takes one
 * parameter is called as `limit(() => fn(item))`. The combinator stays, so `allSettled`, `any` and
 * `race` keep their meaning. Only where the limiter can be made in the same function as the fan-out.
 */
export function pLimitFix(input: BuildInput, ctx: FixContext, combinator: ts.CallExpression, mapped: Mapped, n: number): Fix | RefusedFix | undefined {
  const { sf, style } = input;
  if (!ctx.dependencies?.has('p-limit')) return undefined;
  const anchor = statementInBlock(combinator);
  if (!anchor) return undefined;
  const used = identifierNames(sf);
  const limit = uniqueName(used, 'limit');
  const title = `Run at most ${n} at once with a \`pLimit(${n})\` limiter (p-limit; ${n} is a placeholder: choose N)`;
  if (!onePromisePerItem(sf, mapped)) return { title, reason: FLAT_MAP_REASON };
  const wrapped = limitedWork(sf, mapped.fn, limit, uniqueName(used, 'item'));
  if (wrapped === undefined) return undefined;
  const imported = libraryLocal(input, ctx, 'p-limit', 'pLimit');
  if ('reason' in imported) return { title, reason: imported.reason };
  const start = anchor.getStart(sf);
  const edits: TextEdit[] = [
    ...imported.edits,
    { span: { start, end: start }, newText: `const ${limit} = ${imported.local}(${n})${semi(style)}${style.eol}${lineIndent(sf.text, start)}` },
    { span: { start: mapped.fn.getStart(sf), end: mapped.fn.end }, newText: wrapped },
  ];
  return { title, safety: 'suggestion', edits };
}

/** The per-item function with its work run through `limit`, or undefined when it cannot be written without changing what it does. */
function limitedWork(sf: ts.SourceFile, written: ts.Expression, limit: string, item: string): string | undefined {
  const fn = skipParens(written);
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    if (fn.typeParameters || fn.asteriskToken) return undefined;
    // A function expression's own `this`, `arguments` or name would change meaning inside an arrow.
    if (ts.isFunctionExpression(fn) && (fn.name || usesOwnBindings(fn.body))) return undefined;
    const isAsync = (ts.getModifiers(fn) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    const params = fn.parameters.map((p) => textOf(sf, p)).join(', ');
    const returns = fn.type ? `: ${textOf(sf, fn.type)}` : '';
    return `(${params}) => ${limit}(${isAsync ? 'async ' : ''}()${returns} => ${textOf(sf, fn.body)})`;
  }
  if (ts.isIdentifier(fn)) {
    const arity = perItemArity(sf, fn);
    if (arity === undefined || arity > 1) return undefined;
    return arity === 0 ? `() => ${limit}(() => ${fn.text}())` : `(${item}) => ${limit}(() => ${fn.text}(${item}))`;
  }
  return undefined;
}

/** `this` or `arguments` of the function itself (not of a nested non-arrow function). */
function usesOwnBindings(body: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(n) && n.text === 'arguments')) found = true;
    else if (!(isFunctionNode(n) && !ts.isArrowFunction(n))) n.forEachChild(visit);
  };
  body.forEachChild(visit);
  return found;
}

/** The statement holding `node` that sits in a block of the same function, where a declaration can go before it. */
export function statementInBlock(node: ts.Node): ts.Statement | undefined {
  for (let n: ts.Node = node; n.parent; n = n.parent) {
    if (isFunctionNode(n) || ts.isClassLike(n)) return undefined;
    const p = n.parent;
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isModuleBlock(p)) return n as ts.Statement;
  }
  return undefined;
}
