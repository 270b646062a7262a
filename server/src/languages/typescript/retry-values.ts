/**
 * What a retry's delay expression is, read for the TS/JS retry reader: the author's constant (a
 * literal, a module's value, an enum member, a field nothing outside its class sets) or a value the
 * user configures (an option, a setting read from the environment, a public field set on an instance).
 */
import ts from 'typescript';
import { isFunctionLike, nameText, T, unwrap } from './ast';
import { type ClassInfo, lookup, requiredModule, type Scope } from './resolve';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

/** A name spelled as a constant (`RETRY_DELAY_MS`). */
export const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * `name` holds constants rather than configuration, for the field at `path`: a class or function
 * (`Client.retryDelay` is static), a module-level object literal whose field there is the author's
 * value (`const DEFAULTS = { retryDelay: 1000 }`; not `{ retryDelay: Number(process.env.RETRY_DELAY
 * ?? 1000) }`, configured from the environment), or a local one or a string whose values are
 * literals (`const retry = { delay: 1000 }`, `const s = 'abc'`).
 */
export function isConstantHolder(name: string, path: readonly string[], scope: Scope, depth = 0): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const b = s.bindings.get(name);
    if (b === undefined) continue;
    if (b.k === 'fn') return true;
    if (b.k !== 'var' || b.exprs.length === 0) return false;
    const module = s;
    if (s.parent === undefined) {
      return b.exprs.every((x) => {
        const o = unwrap(x);
        if (!T.isObjectLiteralExpression(o)) return false;
        const v = propertyAt(o, path);
        return v !== undefined ? authorsValue(v, module, depth) : literalValue(o);
      });
    }
    return b.exprs.every((x) => literalValue(unwrap(x)));
  }
  return false;
}

/** The value an object literal gives the field at `path`, when it is written there (not through a spread). */
function propertyAt(o: ts.ObjectLiteralExpression, path: readonly string[]): ts.Expression | undefined {
  let value: ts.Expression = o;
  for (const key of path) {
    const u = unwrap(value);
    if (!T.isObjectLiteralExpression(u)) return undefined;
    let found: ts.Expression | undefined;
    for (const p of u.properties) {
      if (T.isSpreadAssignment(p)) found = undefined; // a later spread may override what came before
      else if (T.isPropertyAssignment(p) && nameText(p.name) === key) found = p.initializer;
      else if (T.isShorthandPropertyAssignment(p) && p.name.text === key) found = p.name;
    }
    if (found === undefined) return undefined;
    value = found;
  }
  return value;
}

/**
 * A value the author wrote rather than one read from outside the code: a literal, arithmetic on
 * literals, a name spelled as a constant or bound to a literal, a field of a constant holder or of an
 * import; not a call (`Number(process.env.RETRY_DELAY)`), nor a read of the environment or arguments.
 */
function authorsValue(e: ts.Expression, scope: Scope, depth: number): boolean {
  const u = unwrap(e);
  if (depth > 4) return false;
  if (literalValue(u)) return true;
  if (T.isPrefixUnaryExpression(u)) return authorsValue(u.operand, scope, depth + 1);
  if (T.isBinaryExpression(u)) {
    const op = u.operatorToken.kind;
    return (op === SK.AsteriskToken || op === SK.PlusToken || op === SK.MinusToken || op === SK.SlashToken) && authorsValue(u.left, scope, depth + 1) && authorsValue(u.right, scope, depth + 1);
  }
  if (T.isIdentifier(u)) {
    if (CONSTANT_NAME.test(u.text)) return true;
    const b = lookup(u.text, scope);
    return b?.k === 'var' && b.exprs.length > 0 && b.exprs.every((x) => authorsValue(x, b.scope, depth + 1));
  }
  if (T.isPropertyAccessExpression(u)) {
    let root: ts.Expression = u;
    while (T.isPropertyAccessExpression(root)) root = unwrap(root.expression);
    if (!T.isIdentifier(root) || root.text === 'process') return false;
    return isImported(root.text, scope) || isConstantHolder(root.text, fieldPath(u), scope, depth + 1);
  }
  return false;
}

/** `n` lies inside `outer`. */
export function within(n: ts.Node, outer: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === outer) return true;
  return false;
}

/** The names read off the root of a property chain, in order (`settings.retry.delay` → `retry`, `delay`). */
export function fieldPath(e: ts.PropertyAccessExpression): string[] {
  const path: string[] = [];
  let k: ts.Expression = e;
  while (T.isPropertyAccessExpression(k)) {
    path.unshift(k.name.text);
    k = unwrap(k.expression);
  }
  return path;
}

/** The class whose code `scope` is in, if any. */
export function enclosingClass(scope: Scope): ClassInfo | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.cls) return s.cls;
  return undefined;
}

/** `amount` without a literal default for when it is unset (`d ?? 1000`, `d || 1000` → `d`). */
export function withoutDefault(amount: ts.Expression): ts.Expression {
  const e = unwrap(amount);
  const defaulted = T.isBinaryExpression(e) && (e.operatorToken.kind === SK.QuestionQuestionToken || e.operatorToken.kind === SK.BarBarToken) && literalNumber(e.right);
  return defaulted ? unwrap(e.left) : e;
}

/** A literal number, or arithmetic on them (`5000`, `-1`, `5 * 1000`). */
export function literalNumber(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (T.isNumericLiteral(u)) return true;
  if (T.isPrefixUnaryExpression(u)) return (u.operator === SK.MinusToken || u.operator === SK.PlusToken) && literalNumber(u.operand);
  if (T.isBinaryExpression(u)) {
    const op = u.operatorToken.kind;
    return (op === SK.AsteriskToken || op === SK.PlusToken || op === SK.MinusToken || op === SK.SlashToken) && literalNumber(u.left) && literalNumber(u.right);
  }
  return false;
}

/** A literal: a number, a string, or an object literal whose every property is one. */
export function literalValue(e: ts.Expression): boolean {
  if (literalNumber(e) || T.isStringLiteralLike(e)) return true;
  if (!T.isObjectLiteralExpression(e)) return false;
  return e.properties.every((p) => T.isPropertyAssignment(p) && literalValue(unwrap(p.initializer)));
}

/** `name` is an enum or a namespace declared in the file (`enum Delays { Retry = 1000 }`, `namespace Cfg { export const retryDelay = 1000 }`): its members are the author's constants. */
export function declaresConstants(at: ts.Node, name: string): boolean {
  const sf = at.getSourceFile();
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if ((T.isEnumDeclaration(n) || T.isModuleDeclaration(n)) && T.isIdentifier(n.name) && n.name.text === name) hit = true;
    else if (T.isModuleDeclaration(n) || T.isModuleBlock(n) || T.isSourceFile(n) || T.isBlock(n) || isFunctionLike(n)) T.forEachChild(n, visit);
  };
  visit(sf);
  return hit;
}

/** `name` is bound to an import: `import config from './config'`, `import * as c from …`, `const c = require('…')`, `const { c } = require('…')`. */
export function isImported(name: string, scope: Scope): boolean {
  const b = lookup(name, scope);
  if (b === undefined) return false;
  if (b.k === 'value') return true;
  const required = (e: ts.Expression | undefined): boolean => {
    if (e === undefined) return false;
    const u = unwrap(e);
    return requiredModule(T.isAwaitExpression(u) ? unwrap(u.expression) : u) !== undefined;
  };
  if (b.k === 'var') return b.exprs.length === 1 && required(b.exprs[0]);
  return b.k === 'member' && required(b.base);
}
