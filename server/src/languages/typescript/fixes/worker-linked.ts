/**
 * "Offload to a worker thread" for a call of a sync function that another module of the project
 * exports (a cross-file chain, project/cross-file-fix.ts): the worker loads that module.
 */
import ts from 'typescript';
import type { FixContext, ParsedFile } from '../../../engine/language';
import type { CallSite } from '../../../engine/model';
import { calleeLabel, isTypeScriptPath } from './ast';
import type { BuildInput } from './blocking';
import { offloadCallFix, unclonableReturn, type Result } from './worker';

/** The function of another module of the project that a call names (a cross-file chain), as the fix reads it. */
export interface LinkedHelper {
  /** The helper's module, parsed. */
  readonly sf: ts.SourceFile;
  readonly path: string;
  /** The module's path as messages show it (`services/password-hash.js`). */
  readonly shown: string;
  /** The function's own name in its module (`verify`, `passwordHash`). */
  readonly name: string;
}

/**
 * Offloads the call of a sync function that another module of the project exports: the worker
 * imports that module as the call site does and calls it there. Refused for TypeScript (the
 * generated JavaScript worker cannot load a TypeScript module), for a method, for a result that
 * does not survive the copy back, and for a module that runs code when it is loaded (a pool, a
 * connection, a server), which the worker would run again.
 */
export function offloadLinkedFix(input: BuildInput, parsed: ParsedFile, call: ts.CallExpression, site: CallSite, ctx: FixContext, helper: LinkedHelper, others: readonly ts.CallExpression[] = []): Result {
  const label = calleeLabel(call.expression);
  const title = `Offload \`${label}\` to a worker thread`;
  if (isTypeScriptPath(helper.path) || isTypeScriptPath(parsed.path)) {
    const what = isTypeScriptPath(helper.path) ? `\`${helper.name}\` is in ${helper.shown}, a TypeScript module` : 'this file is TypeScript, whose imports';
    return { refused: { title, reason: `${what} the generated JavaScript worker cannot load: make \`${helper.name}\` async in its own file, or offload the blocking call inside it` } };
  }
  const fn = exportedFunction(helper.sf, helper.name);
  if (!fn) return { refused: { title, reason: `\`${helper.name}\` is not a function of ${helper.shown} the worker can call on its own (a method of a class closes over its object)` } };
  if (usesThis(fn)) return { refused: { title, reason: `\`${helper.name}\` uses \`this\`, which does not survive the copy to a worker thread` } };
  if (returnsModule(fn)) return { refused: { title, reason: `\`${helper.name}\` returns what \`require\` loads, whose functions do not survive the copy back from a worker thread` } };
  const returned = unclonableReturn(fn);
  if (returned) return { refused: { title, reason: `\`${helper.name}\` returns ${returned}, which does not survive the copy back from a worker thread` } };
  const loading = loadTimeCode(helper.sf);
  if (loading !== undefined) {
    return { refused: { title, reason: `${helper.shown} runs code when it is loaded (line ${loading}), which a worker thread would run again in a fresh copy of the module: make \`${helper.name}\` async there, or move it to a module of its own` } };
  }
  return offloadCallFix(input, parsed, call, site, ctx, others);
}

type Fn = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

/**
 * The sync function `name` of a module, outside any class: declared at the top, assigned to a
 * top-level variable, to `exports.x`/`module.exports`, or a member of an object literal.
 */
function exportedFunction(sf: ts.SourceFile, name: string): Fn | undefined {
  let found: Fn | undefined;
  const named = (fn: Fn): string | undefined => {
    if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
    if (ts.isMethodDeclaration(fn)) return ts.isIdentifier(fn.name) ? fn.name.text : undefined;
    const p = fn.parent;
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (p && ts.isBinaryExpression(p) && ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
    return undefined;
  };
  const visit = (n: ts.Node): void => {
    if (found || ts.isClassLike(n)) return;
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || (ts.isMethodDeclaration(n) && ts.isObjectLiteralExpression(n.parent))) && named(n) === name) {
      const isAsync = n.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
      if (!isAsync && !n.asteriskToken && n.body) found = n;
      return;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}

/** A function that returns what `require` loads (a plugin loader's modules). */
function returnsModule(fn: Fn): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require') found = true;
    else n.forEachChild(visit);
  };
  const results: ts.Node[] = [];
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) results.push(fn.body);
  const collect = (n: ts.Node): void => {
    if (ts.isReturnStatement(n) && n.expression) results.push(n.expression);
    else if (!ts.isFunctionDeclaration(n) && !ts.isFunctionExpression(n) && !ts.isClassLike(n)) n.forEachChild(collect);
  };
  if (fn.body) collect(fn.body);
  for (const r of results) visit(r);
  return found;
}

/** A function body that reads `this` (outside nested non-arrow functions). */
function usesThis(fn: Fn): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword) found = true;
    else if (!(ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n))) n.forEachChild(visit);
  };
  if (fn.body) fn.body.forEachChild(visit);
  return found;
}

/** `a.b.c` for identifiers joined by dots, else `''`. */
function dottedName(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    const left = dottedName(e.expression);
    return left && `${left}.${e.name.text}`;
  }
  return '';
}

/** Top-level code that only declares: imports, requires, functions, classes, literals, exports. */
function declaresOnly(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isClassExpression(e) || ts.isIdentifier(e) || ts.isLiteralExpression(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword || e.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isPropertyAccessExpression(e)) return declaresOnly(e.expression);
  if (ts.isPrefixUnaryExpression(e)) return declaresOnly(e.operand);
  if (ts.isBinaryExpression(e)) return declaresOnly(e.left) && declaresOnly(e.right);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && declaresOnly(x));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every((p) => ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && declaresOnly(p.initializer)));
  }
  if (ts.isCallExpression(e)) {
    const callee = dottedName(e.expression);
    // `require('x')`, and TypeScript's CommonJS helpers around it (`__importDefault(require('x'))`).
    if (callee === 'require') return e.arguments.length === 1 && ts.isStringLiteralLike(e.arguments[0]!);
    if (/^__import(Default|Star)$/.test(callee)) return e.arguments.length === 1 && declaresOnly(e.arguments[0]!);
    // Built-ins that compute a value and touch nothing (`path.join(__dirname, 'public')`, `Object.freeze({…})`).
    if (/^(path|util|Object|Symbol|String|Number|Boolean|RegExp)(\.\w+)?$/.test(callee) && callee !== 'Object.assign') return e.arguments.every((a) => !ts.isSpreadElement(a) && declaresOnly(a));
    return false;
  }
  return false;
}

/** The 1-based line of the first top-level statement of a module that runs something when the module loads, if any. */
function loadTimeCode(sf: ts.SourceFile): number | undefined {
  for (const st of sf.statements) {
    let ok: boolean;
    if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st) || ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEmptyStatement(st)) ok = true;
    else if (ts.isExportDeclaration(st)) ok = true;
    else if (ts.isExportAssignment(st)) ok = declaresOnly(st.expression);
    else if (ts.isVariableStatement(st)) ok = st.declarationList.declarations.every((d) => !d.initializer || declaresOnly(d.initializer));
    // `"use strict"`, `module.exports = …`, `exports.x = …`, `Object.defineProperty(exports, "__esModule", …)`.
    else if (ts.isExpressionStatement(st)) ok = declaresOnly(st.expression) && (!ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken);
    else ok = false;
    if (!ok) return sf.getLineAndCharacterOfPosition(st.getStart(sf)).line + 1;
  }
  return undefined;
}
