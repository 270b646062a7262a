/**
 * Memoised work: code that runs once per process because its result is kept in a variable the
 * function fills on its first call. A reviewer does not flag the one small read behind
 * `if (href !== undefined) return href; … href = …` (Ghost's gift-preview image) as blocking every
 * request: it blocks the first one only.
 *
 * Two shapes, both keyed on a variable declared outside the function (a module-level cache):
 * - an early return on the cached value, with an assignment to it later in the body: every call
 *   after the guard runs once;
 * - a lazy initialisation, `if (!cached) { … cached = … }` or `cached ??= …`: the calls in the
 *   branch (or the right-hand side) run once.
 * A cache on `this` is per instance, and instances may be per request: not treated as memoised.
 */
import ts from 'typescript';
import type { Span } from '../../engine/model';
import { T, unwrap } from './ast';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

/** The spans, within a function's body, whose calls run once per process. */
export function memoisedSpans(fn: ts.FunctionLikeDeclaration): Span[] {
  const body = fn.body;
  if (!body || !T.isBlock(body)) return [];
  const out: Span[] = [];
  const statements = body.statements;
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i]!;
    if (T.isIfStatement(st) && !st.elseStatement) {
      const test = cacheTest(st.expression);
      if (!test || test.name.startsWith('this.')) continue;
      // The shape first (most `if`s are not a memo guard), then whether the name is the function's own,
      // which reads the whole body.
      if (!test.empty) {
        if (returns(st.thenStatement) && !declaredIn(fn, test.name) && (assigns(statements.slice(i + 1), test.name) || assignedByCallees(fn.getSourceFile(), statements.slice(i + 1), test.name))) {
          out.push({ start: st.end, end: body.end });
          break;
        }
      } else if (assigns([st.thenStatement], test.name) && !declaredIn(fn, test.name)) out.push({ start: st.thenStatement.pos, end: st.thenStatement.end });
      continue;
    }
    // `cached ??= load()`, `cached ||= load()`
    if (T.isExpressionStatement(st)) {
      const e = unwrap(st.expression);
      if (
        T.isBinaryExpression(e) &&
        (e.operatorToken.kind === SK.QuestionQuestionEqualsToken || e.operatorToken.kind === SK.BarBarEqualsToken) &&
        T.isIdentifier(e.left) &&
        !declaredIn(fn, e.left.text)
      ) {
        out.push({ start: e.right.pos, end: e.right.end });
      }
    }
  }
  return out;
}

/**
 * The cache variable an `if` tests, and whether the branch runs when it is empty (`!x`,
 * `x === undefined`, `x == null`) or when it is filled (`x`, `x !== undefined`, `x != null`).
 */
function cacheTest(cond: ts.Expression): { name: string; empty: boolean } | undefined {
  const e = unwrap(cond);
  const named = cacheName(e);
  if (named !== undefined) return { name: named, empty: false };
  if (T.isPrefixUnaryExpression(e) && e.operator === SK.ExclamationToken) {
    const inner = cacheName(unwrap(e.operand));
    return inner !== undefined ? { name: inner, empty: true } : undefined;
  }
  if (!T.isBinaryExpression(e)) return undefined;
  const op = e.operatorToken.kind;
  const eq = op === SK.EqualsEqualsEqualsToken || op === SK.EqualsEqualsToken;
  const ne = op === SK.ExclamationEqualsEqualsToken || op === SK.ExclamationEqualsToken;
  if (!eq && !ne) return undefined;
  const [left, right] = [unwrap(e.left), unwrap(e.right)];
  const name = isNothing(right) ? cacheName(left) : isNothing(left) ? cacheName(right) : undefined;
  return name !== undefined ? { name, empty: eq } : undefined;
}

/**
 * A cache as a name: a variable (`href`) or a property of a module-level object
 * (`cache.outdated`, as The Lounge's package checker keeps it); never a property of `this`.
 */
function cacheName(e: ts.Expression): string | undefined {
  if (T.isIdentifier(e)) return e.text;
  if (T.isPropertyAccessExpression(e) && T.isIdentifier(e.expression) && T.isIdentifier(e.name)) return `${e.expression.text}.${e.name.text}`;
  return undefined;
}

const FUNCTIONS = new WeakMap<ts.SourceFile, Map<string, ts.Node>>();

/**
 * True when a same-file function that the statements call (directly or in a callback, as in
 * `.then(() => updateOutdated(false))`) assigns the cache: The Lounge's package checker fills
 * `cache.outdated` through `updateOutdated`.
 */
function assignedByCallees(sf: ts.SourceFile, statements: readonly ts.Node[], name: string): boolean {
  let fns = FUNCTIONS.get(sf);
  if (!fns) {
    fns = new Map();
    for (const st of sf.statements) {
      if (T.isFunctionDeclaration(st) && st.name && st.body) fns.set(st.name.text, st.body);
      else if (T.isVariableStatement(st))
        for (const d of st.declarationList.declarations) {
          const init = d.initializer && unwrap(d.initializer);
          if (T.isIdentifier(d.name) && init && (T.isArrowFunction(init) || T.isFunctionExpression(init))) fns.set(d.name.text, init.body);
        }
    }
    FUNCTIONS.set(sf, fns);
  }
  const called = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (T.isCallExpression(n) && T.isIdentifier(n.expression)) called.add(n.expression.text);
    T.forEachChild(n, visit);
  };
  for (const st of statements) visit(st);
  for (const c of called) {
    const body = fns.get(c);
    if (body && assigns([body], name)) return true;
  }
  return false;
}

function isNothing(e: ts.Expression): boolean {
  return e.kind === SK.NullKeyword || (T.isIdentifier(e) && e.text === 'undefined') || T.isVoidExpression(e);
}

function returns(st: ts.Statement): boolean {
  if (T.isReturnStatement(st)) return true;
  return T.isBlock(st) && st.statements.length > 0 && T.isReturnStatement(st.statements[st.statements.length - 1]!);
}

/** True when one of the statements assigns `name` (`name = …`, at any depth outside nested functions). */
function assigns(statements: readonly ts.Node[], name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || T.isFunctionLike(n)) return;
    if (T.isBinaryExpression(n) && n.operatorToken.kind === SK.EqualsToken && cacheName(unwrap(n.left)) === name) {
      found = true;
      return;
    }
    T.forEachChild(n, visit);
  };
  for (const st of statements) visit(st);
  return found;
}

/** True when `name` is a parameter or a local declaration of `fn` (then it is no cross-call cache). */
function declaredIn(fn: ts.FunctionLikeDeclaration, cache: string): boolean {
  const name = cache.split('.')[0]!;
  for (const p of fn.parameters) if (T.isIdentifier(p.name) && p.name.text === name) return true;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n !== fn && T.isFunctionLike(n)) return;
    if (T.isVariableDeclaration(n) && T.isIdentifier(n.name) && n.name.text === name) {
      found = true;
      return;
    }
    T.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}
