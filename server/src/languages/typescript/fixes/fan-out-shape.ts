/** What the fan-out fixes read of a `Promise.all(xs.map(fn))`: the mapped function, its receiver and how many arguments it uses. */
import ts from 'typescript';

/** The per-item function of `xs.map(fn)`, `xs.flatMap(fn)` or `Array.from(xs, fn)`, and the call and receiver it is mapped by. */
export interface Mapped {
  readonly call: ts.CallExpression;
  readonly method: 'map' | 'flatMap' | 'from';
  readonly fn: ts.Expression;
  /** `xs` of `xs.map(fn)`/`xs.flatMap(fn)`; absent for `Array.from`. */
  readonly receiver?: ts.Expression;
}

export function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

export function mappedFunction(call: ts.CallExpression): Mapped | undefined {
  const callee = skipParens(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const name = callee.name.text;
  if ((name === 'map' || name === 'flatMap') && call.arguments.length === 1) return { call, method: name, fn: call.arguments[0]!, receiver: callee.expression };
  if (name === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && call.arguments.length === 2) return { call, method: 'from', fn: call.arguments[1]! };
  return undefined;
}

/**
 * How many of `map`'s arguments (item, index, array) the per-item function can read: its parameter
 * count when it is a function literal or a function of this file named by an identifier; undefined
 * when the code does not say (a rest parameter, `arguments`, a method, a parameter of unknown type).
 */
export function perItemArity(sf: ts.SourceFile, written: ts.Expression): number | undefined {
  const fn = skipParens(written);
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) return arityOf(fn);
  if (!ts.isIdentifier(fn)) return undefined;
  let found: number | undefined;
  let seen = 0;
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionDeclaration(n) && n.name?.text === fn.text && n.body) {
      seen++;
      found = arityOf(n);
    } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === fn.text && n.initializer) {
      seen++;
      const init = skipParens(n.initializer);
      found = ts.isArrowFunction(init) || ts.isFunctionExpression(init) ? arityOf(init) : undefined;
    } else if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === fn.text) {
      seen++;
      found = undefined;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  // Two bindings of the name in the file: the code does not say which one this is.
  return seen === 1 ? found : undefined;
}

function arityOf(fn: ts.SignatureDeclaration): number | undefined {
  if (fn.parameters.some((p) => p.dotDotDotToken !== undefined)) return undefined;
  if (!ts.isArrowFunction(fn) && 'body' in fn && fn.body && readsArguments(fn.body)) return undefined;
  return fn.parameters.length;
}

function readsArguments(body: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === 'arguments') found = true;
    else if (!(ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n))) n.forEachChild(visit);
  };
  body.forEachChild(visit);
  return found;
}

/**
 * Whether each call of the per-item function gives one promise, so that work run through a limiter
 * keeps the value `Promise.all` sees. Always for `map` and `Array.from`; for `flatMap`, only when the
 * function is async (a function literal, or one of this file named by an identifier): `flatMap` keeps
 * a promise as one element but flattens an array, and a limiter around `(img) => [store(a), store(b)]`
 * would resolve at once to the array (bounding nothing) and hand `Promise.all` arrays of pending
 * promises in place of their values.
 */
export function onePromisePerItem(sf: ts.SourceFile, mapped: Mapped): boolean {
  if (mapped.method !== 'flatMap') return true;
  const fn = skipParens(mapped.fn);
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) return isAsync(fn);
  if (!ts.isIdentifier(fn)) return false;
  let found: boolean | undefined;
  let seen = 0;
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionDeclaration(n) && n.name?.text === fn.text && n.body) {
      seen++;
      found = isAsync(n);
    } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === fn.text) {
      seen++;
      const init = n.initializer && skipParens(n.initializer);
      found = init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && isAsync(init);
    } else if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === fn.text) {
      seen++;
      found = false;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return seen === 1 && found === true;
}

function isAsync(fn: ts.SignatureDeclaration): boolean {
  return (ts.getModifiers(fn as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) && !('asteriskToken' in fn && fn.asteriskToken);
}

/** Why no limiter wraps a `flatMap` function that gives an array (or may): the fix title's reason. */
export const FLAT_MAP_REASON =
  "`flatMap`'s function gives an array of promises (or may): a limiter around it would resolve at once to the array, bounding nothing, and `Promise.all` would get arrays of pending promises in place of their values";
