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
