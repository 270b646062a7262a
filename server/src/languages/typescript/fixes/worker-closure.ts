import ts from 'typescript';
import { textOf } from './ast';
import type { Binding, Imports } from './imports';

/** Code that can move into a worker module: declarations in source order, and the imports they use. */
export interface MovableCode {
  /** Top-level statements (helpers and literal constants) to copy, in source order. */
  readonly declarations: readonly ts.Node[];
  /** Import bindings the moved code reads. */
  readonly imports: readonly Binding[];
  /** Names the moved code reads that no declaration in the file provides: globals (`Buffer`, `require`). */
  readonly globals: ReadonlySet<string>;
}

/** A top-level declaration that can be copied: a function, or a `const` bound to a function or a literal. */
type TopLevel =
  | { readonly kind: 'function'; readonly node: ts.FunctionDeclaration | ts.VariableStatement; readonly body: ts.Node }
  | { readonly kind: 'constant'; readonly node: ts.VariableStatement }
  | { readonly kind: 'state'; readonly what: string };

function isDeclarationName(id: ts.Identifier): boolean {
  const p = id.parent;
  return (
    ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name === id) ||
    (ts.isBindingElement(p) && p.name === id)
  );
}

/** True for an identifier that reads a binding (not a property name, label or declaration). */
export function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isEnumMember(p) || ts.isMetaProperty(p)) return false;
  return !isDeclarationName(id);
}

/** Names a function reads from outside itself, and whether it uses `this` (outside nested functions). */
export function freeNames(fn: ts.Node): { names: Set<string>; usesThis: boolean } {
  const declared = new Set<string>();
  const referenced = new Set<string>();
  let usesThis = false;
  const visit = (n: ts.Node, ownThis: boolean): void => {
    if (ts.isTypeNode(n) || ts.isTypeParameterDeclaration(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword && ownThis) usesThis = true;
    if (ts.isIdentifier(n)) {
      if (isDeclarationName(n)) declared.add(n.text);
      else if (isReference(n)) referenced.add(n.text);
    }
    // A nested function expression or declaration has its own `this`; an arrow shares it.
    const nestedThis = ownThis && !(n !== fn && (ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isClassLike(n)));
    n.forEachChild((c) => visit(c, nestedThis));
  };
  visit(fn, true);
  for (const d of declared) referenced.delete(d);
  return { names: referenced, usesThis };
}

/** True for an initializer a worker can re-evaluate to the same value: literals and literal containers. */
function isLiteralValue(e: ts.Expression): boolean {
  if (ts.isStringLiteral(e) || ts.isNumericLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isRegularExpressionLiteral(e) || ts.isBigIntLiteral(e)) return true;
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isPrefixUnaryExpression(e)) return isLiteralValue(e.operand);
  if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)) return isLiteralValue(e.expression);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every(isLiteralValue);
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => ts.isPropertyAssignment(p) && isLiteralValue(p.initializer));
  return false;
}

/** How a top-level name is declared, for deciding whether it can move. */
function topLevel(sf: ts.SourceFile, name: string): TopLevel | undefined {
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name) return { kind: 'function', node: st, body: st };
    if (ts.isClassDeclaration(st) && st.name?.text === name) return { kind: 'state', what: `the class \`${name}\`` };
    if (ts.isEnumDeclaration(st) && st.name.text === name) return { kind: 'state', what: `the enum \`${name}\`` };
    if (ts.isImportEqualsDeclaration(st) && st.name.text === name) return { kind: 'state', what: `\`${name}\` from an \`import … = require()\`` };
    if (!ts.isVariableStatement(st)) continue;
    for (const decl of st.declarationList.declarations) {
      const names = bindingNames(decl.name);
      if (!names.includes(name)) continue;
      const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
      if (!isConst) return { kind: 'state', what: `the module-level \`${st.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var'} ${name}\`` };
      const init = decl.initializer;
      if (init && ts.isIdentifier(decl.name) && st.declarationList.declarations.length === 1) {
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return { kind: 'function', node: st, body: init };
        if (isLiteralValue(init)) return { kind: 'constant', node: st };
      }
      return { kind: 'state', what: `the module-level \`${name}\`, whose value a worker would not share` };
    }
  }
  return undefined;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/**
 * Collects a function and the same-file pure code it depends on. Returns the reason instead when
 * it reads something a worker cannot have: `this`, module-level mutable state, a class.
 */
export function collectMovable(sf: ts.SourceFile, imports: Imports, root: ts.Node, rootName: string): MovableCode | { reason: string } {
  const seen = new Set<ts.Node>();
  const usedImports = new Map<string, Binding>();
  const queue: { node: ts.Node; body: ts.Node; name: string }[] = [{ node: root, body: root, name: rootName }];
  const moved: ts.Node[] = [];
  const globals = new Set<string>();
  while (queue.length) {
    const item = queue.shift()!;
    if (seen.has(item.node)) continue;
    seen.add(item.node);
    moved.push(item.node);
    const { names, usesThis } = freeNames(item.body);
    if (usesThis) return { reason: `\`${item.name}\` uses \`this\`, which a worker module does not have` };
    for (const name of names) {
      if (name === rootName && item.node === root) continue;
      const binding = imports.bindingOf(name);
      if (binding) {
        usedImports.set(binding.local, binding);
        continue;
      }
      const decl = topLevel(sf, name);
      if (!decl) {
        if (declaredInEnclosingScope(root, name)) return { reason: `\`${rootName}\` reads \`${name}\` from the function it is declared in, which cannot move to a worker` };
        globals.add(name); // a global (`Buffer`, `JSON`, `Math`)
        continue;
      }
      if (decl.kind === 'state') return { reason: `\`${item.name}\` reads ${decl.what}, which a worker thread would see as a separate copy` };
      if (decl.kind === 'constant') {
        if (!seen.has(decl.node)) {
          seen.add(decl.node);
          moved.push(decl.node);
        }
      } else queue.push({ node: decl.node, body: decl.body, name });
    }
  }
  moved.sort((a, b) => a.pos - b.pos);
  return { declarations: moved, imports: [...usedImports.values()].sort((a, b) => a.statement.pos - b.statement.pos), globals };
}

/** True when `name` is declared in a function enclosing `node` (a closure variable). */
function declaredInEnclosingScope(node: ts.Node, name: string): boolean {
  for (let p = node.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isFunctionLike(p) || ts.isBlock(p)) {
      let found = false;
      p.forEachChild(function visit(n): void {
        if (found || n === node) return;
        if (ts.isIdentifier(n) && isDeclarationName(n) && n.text === name) found = true;
        else n.forEachChild(visit);
      });
      if (found) return true;
    }
  }
  return false;
}

/** A declaration's text without `export`/`export default`, so it can sit in any module. */
export function declarationText(sf: ts.SourceFile, node: ts.Node): string {
  const text = textOf(sf, node);
  return text.replace(/^export\s+(default\s+)?/, '');
}

/** A sync function declared at the top of the file under `name`: its statement and its function node. */
export function helperDeclaration(sf: ts.SourceFile, name: string): { node: ts.Statement; fn: ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression } | undefined {
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name && st.body && !st.asteriskToken) {
      return st.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ? undefined : { node: st, fn: st };
    }
    if (ts.isVariableStatement(st) && st.declarationList.declarations.length === 1) {
      const d = st.declarationList.declarations[0]!;
      const init = d.initializer;
      if (ts.isIdentifier(d.name) && d.name.text === name && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
        return init.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ? undefined : { node: st, fn: init };
      }
    }
  }
  return undefined;
}
