/**
 * What a TS/JS file exports, for its cross-file summary: ES exports (`export function`,
 * `export class`, `export default`, `export { a as b }`), re-exports (`export * from`,
 * `export { a as b } from`, an import exported again), and CommonJS (`module.exports = { … }`,
 * `module.exports = fn`, `exports.x = …`). Reads the top-level statements only.
 */
import ts from 'typescript';
import type { ModuleExports, ReExport } from '../../engine/model';
import { isFunctionLike, nameText, T, unwrap } from './ast';
import { requiredModule } from './resolve';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

/** What a top-level name is. */
type Local =
  | { readonly k: 'fn'; readonly node: ts.Node }
  | { readonly k: 'class'; readonly node: ts.ClassLikeDeclaration }
  /** A module-level object of functions (`const Helper = { hash, password: { compare } }`). */
  | { readonly k: 'object'; readonly node: ts.ObjectLiteralExpression }
  | { readonly k: 'import'; readonly module: string; readonly name: string };

/**
 * Whether a statement has the modifier: what `getModifiers` lists, read from `node.modifiers` without
 * the filtered copy it makes (a decorator there is never a modifier's kind).
 */
function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  if (!T.canHaveModifiers(node)) return false;
  const mods = (node as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (!mods) return false;
  for (let i = 0; i < mods.length; i++) if (mods[i]!.kind === kind) return true;
  return false;
}

/** The exports of a file, given the walk's function ids by node. */
export function readExports(sf: ts.SourceFile, fnIdByNode: ReadonlyMap<ts.Node, number>): ModuleExports {
  const locals = new Map<string, Local>();
  const statements = sf.statements;
  for (let si = 0; si < statements.length; si++) {
    const st = statements[si]!;
    if (T.isFunctionDeclaration(st) && st.name && st.body) locals.set(st.name.text, { k: 'fn', node: st });
    else if (T.isClassDeclaration(st) && st.name) locals.set(st.name.text, { k: 'class', node: st });
    else if (T.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer ? unwrap(d.initializer) : undefined;
        if (!init) continue;
        const mod = requiredModule(T.isAwaitExpression(init) ? unwrap(init.expression) : init);
        if (T.isIdentifier(d.name)) {
          if (isFunctionLike(init)) locals.set(d.name.text, { k: 'fn', node: init });
          else if (T.isClassExpression(init)) locals.set(d.name.text, { k: 'class', node: init });
          else if (T.isObjectLiteralExpression(init)) locals.set(d.name.text, { k: 'object', node: init });
          else if (mod !== undefined) locals.set(d.name.text, { k: 'import', module: mod, name: '*' });
        } else if (T.isObjectBindingPattern(d.name) && mod !== undefined) {
          for (const el of d.name.elements) {
            const prop = el.propertyName ? nameText(el.propertyName) : T.isIdentifier(el.name) ? el.name.text : undefined;
            if (T.isIdentifier(el.name) && prop !== undefined && !el.dotDotDotToken) locals.set(el.name.text, { k: 'import', module: mod, name: prop });
          }
        }
      }
    } else if (T.isImportDeclaration(st) && st.importClause && T.isStringLiteralLike(st.moduleSpecifier)) {
      const module = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (clause.name) locals.set(clause.name.text, { k: 'import', module, name: 'default' });
      const nb = clause.namedBindings;
      if (nb && T.isNamespaceImport(nb)) locals.set(nb.name.text, { k: 'import', module, name: '*' });
      else if (nb) for (const el of nb.elements) locals.set(el.name.text, { k: 'import', module, name: el.propertyName ? (nameText(el.propertyName) ?? el.name.text) : el.name.text });
    }
  }

  const functions: { name: string; functionId: number }[] = [];
  const reexports: ReExport[] = [];
  const addFn = (name: string, node: ts.Node): void => {
    const id = fnIdByNode.get(node);
    if (id !== undefined) functions.push({ name, functionId: id });
  };
  const addClass = (name: string, cls: ts.ClassLikeDeclaration): void => {
    for (const m of cls.members) {
      if (T.isConstructorDeclaration(m) && m.body) addFn(name, m);
      const member = nameText(m.name);
      if (member === undefined) continue;
      if ((T.isMethodDeclaration(m) || T.isGetAccessor(m)) && m.body) addFn(`${name}.${member}`, m);
      else if (T.isPropertyDeclaration(m) && m.initializer && isFunctionLike(unwrap(m.initializer))) addFn(`${name}.${member}`, unwrap(m.initializer));
    }
  };
  /** Exports what a top-level name (or an expression) is under `name`. */
  const exportLocal = (name: string, local: Local | undefined): void => {
    if (!local) return;
    if (local.k === 'fn') addFn(name, local.node);
    else if (local.k === 'class') addClass(name, local.node);
    else if (local.k === 'object') exportObject(local.node, name, 0);
    else if (local.name === '*') {
      if (name === 'default') reexports.push({ module: local.module });
      else {
        reexports.push({ module: local.module, names: [{ imported: '*', exported: name }] });
        // A CommonJS module is its `module.exports`: `{ getAssetUrl: require('./asset-url') }` exports
        // that file's `module.exports = fn` under the name, so a call of the name calls its default export.
        reexports.push({ module: local.module, names: [{ imported: 'default', exported: name }] });
      }
    }
    else reexports.push({ module: local.module, names: [{ imported: local.name, exported: name }] });
  };
  const exportExpr = (name: string, expr: ts.Expression): void => {
    const e = unwrap(expr);
    if (isFunctionLike(e)) addFn(name, e);
    else if (T.isClassExpression(e)) addClass(name, e);
    else if (T.isIdentifier(e)) exportLocal(name, locals.get(e.text));
    else if (T.isObjectLiteralExpression(e)) exportObject(e, name, 0);
    else {
      const mod = requiredModule(e);
      if (mod !== undefined) exportLocal(name, { k: 'import', module: mod, name: '*' });
    }
  };
  /**
   * `module.exports = { verify, hash: hashPassword, check() {…} }`: each property is an export,
   * under `prefix` (`default.password.hash` for `exports.default = { password: { hash } }`).
   */
  const exportObject = (obj: ts.ObjectLiteralExpression, prefix: string | undefined, depth: number): void => {
    if (depth > 3) return;
    for (const p of obj.properties) {
      const key = nameText(p.name);
      if (key === undefined) continue;
      const name = prefix === undefined ? key : `${prefix}.${key}`;
      if (T.isShorthandPropertyAssignment(p)) exportLocal(name, locals.get(p.name.text));
      else if (T.isPropertyAssignment(p)) {
        const init = unwrap(p.initializer);
        if (T.isObjectLiteralExpression(init)) exportObject(init, name, depth + 1);
        else exportExpr(name, init);
      } else if (T.isMethodDeclaration(p) && p.body) addFn(name, p);
    }
  };

  for (let si = 0; si < statements.length; si++) {
    const st = statements[si]!;
    const exported = hasModifier(st, SK.ExportKeyword);
    const isDefault = hasModifier(st, SK.DefaultKeyword);
    if (T.isFunctionDeclaration(st) && exported && st.body) {
      if (isDefault) addFn('default', st);
      if (st.name) addFn(st.name.text, st);
    } else if (T.isClassDeclaration(st) && exported) {
      if (isDefault) addClass('default', st);
      if (st.name) addClass(st.name.text, st);
    } else if (T.isVariableStatement(st) && exported) {
      for (const d of st.declarationList.declarations) if (T.isIdentifier(d.name) && d.initializer) exportExpr(d.name.text, d.initializer);
    } else if (T.isExportAssignment(st)) {
      exportExpr('default', st.expression);
    } else if (T.isExportDeclaration(st) && !st.isTypeOnly) {
      const module = st.moduleSpecifier && T.isStringLiteralLike(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      const clause = st.exportClause;
      if (module !== undefined) {
        if (!clause) reexports.push({ module });
        else if (T.isNamedExports(clause)) reexports.push({ module, names: clause.elements.map((el) => ({ imported: el.propertyName ? (nameText(el.propertyName) ?? el.name.text) : el.name.text, exported: nameText(el.name) ?? '' })) });
        else if (T.isNamespaceExport(clause)) reexports.push({ module, names: [{ imported: '*', exported: nameText(clause.name) ?? '' }] });
      } else if (clause && T.isNamedExports(clause)) {
        for (const el of clause.elements) exportLocal(nameText(el.name) ?? '', locals.get(el.propertyName ? (nameText(el.propertyName) ?? '') : el.name.text));
      }
    } else if (T.isExpressionStatement(st) && T.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === SK.EqualsToken) {
      const target = commonJsTarget(st.expression.left);
      if (target === 'module') {
        const right = unwrap(st.expression.right);
        if (T.isObjectLiteralExpression(right)) exportObject(right, undefined, 0);
        else if (T.isIdentifier(right) && locals.get(right.text)?.k === 'object') exportObject((locals.get(right.text) as { node: ts.ObjectLiteralExpression }).node, undefined, 0);
        else exportExpr('default', right);
      } else if (target !== undefined) exportExpr(target, st.expression.right);
    }
  }
  return { functions, reexports };
}

/** `module.exports` → `module`; `module.exports.x` and `exports.x` → `x`; anything else → undefined. */
function commonJsTarget(left: ts.Expression): string | undefined {
  const e = unwrap(left);
  if (!T.isPropertyAccessExpression(e)) return undefined;
  const base = unwrap(e.expression);
  if (T.isIdentifier(base) && base.text === 'module' && e.name.text === 'exports') return 'module';
  if (T.isIdentifier(base) && base.text === 'exports') return e.name.text;
  if (T.isPropertyAccessExpression(base) && T.isIdentifier(base.expression) && base.expression.text === 'module' && base.name.text === 'exports') return e.name.text;
  return undefined;
}

/**
 * The functions the file exports, by export name, for a CommonJS module's calls of its own exports
 * (`exports.restartServer()`): a name exported twice (`exports.x = a; … exports.x = b`) is left out,
 * and so are a class's methods.
 */
export function exportedByName(exports: ModuleExports): Map<string, number> {
  const out = new Map<string, number>();
  const twice = new Set<string>();
  for (const f of exports.functions) {
    if (f.name.includes('.')) continue;
    if (out.has(f.name) && out.get(f.name) !== f.functionId) twice.add(f.name);
    out.set(f.name, f.functionId);
  }
  for (const name of twice) out.delete(name);
  return out;
}
