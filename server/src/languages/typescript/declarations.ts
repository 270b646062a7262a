/**
 * Bindings the walk records: imports, requires, variables and class members. Each returns whether
 * it marks the file as a worker-thread body (`parentPort`/`workerData` from `worker_threads`).
 */
import ts from 'typescript';
import { isFunctionLike, nameText, T, unwrap } from './ast';
import { WORKER_MARKERS } from './catalog';
import { declare, moduleName, moduleValue, requiredModule, resolveExpr, type ClassInfo, type Scope } from './resolve';

const WORKER_MARKER_VALUES: ReadonlySet<string> = new Set([...WORKER_MARKERS].map((m) => `worker_threads.${m}`));

/** Declares the names of a variable declaration; true when it takes a worker marker from `worker_threads`. */
export function declareVariable(decl: ts.VariableDeclaration, scope: Scope): boolean {
  const init = decl.initializer;
  // Compiled output reads the markers off the module object (`const { n } = worker_threads_1.workerData`).
  const marker = init !== undefined && T.isPropertyAccessExpression(unwrap(init)) && WORKER_MARKER_VALUES.has(resolveExpr(init, scope) ?? '');
  if (T.isIdentifier(decl.name)) {
    declare(scope, decl.name.text, { k: 'var', exprs: init ? [init] : [], type: decl.type, scope });
    return marker;
  }
  let worker = marker;
  if (T.isObjectBindingPattern(decl.name)) {
    const source = init ? unwrap(init) : undefined;
    const mod = source ? requiredModule(T.isAwaitExpression(source) ? unwrap(source.expression) : source) : undefined;
    for (const el of decl.name.elements) {
      if (!T.isIdentifier(el.name)) continue;
      const prop = el.propertyName ? nameText(el.propertyName) : el.name.text;
      if (!init || prop === undefined || el.dotDotDotToken) declare(scope, el.name.text, { k: 'opaque' });
      else declare(scope, el.name.text, { k: 'member', base: init, prop, scope });
      if (mod !== undefined && moduleName(mod) === 'worker_threads' && prop !== undefined && WORKER_MARKERS.has(prop)) worker = true;
    }
    return worker;
  }
  // Array patterns: `const [value, release] = await semaphore.acquire()`; the names are opaque.
  for (const el of decl.name.elements) if (T.isBindingElement(el) && T.isIdentifier(el.name)) declare(scope, el.name.text, { k: 'opaque' });
  return false;
}

/** Declares the names an import brings in; true when it imports a worker marker from `worker_threads`. */
export function declareImport(imp: ts.ImportDeclaration, scope: Scope): boolean {
  if (!T.isStringLiteralLike(imp.moduleSpecifier) || !imp.importClause) return false;
  const mod = moduleName(imp.moduleSpecifier.text);
  const clause = imp.importClause;
  if (clause.name) declare(scope, clause.name.text, { k: 'value', path: moduleValue(mod) });
  const nb = clause.namedBindings;
  if (!nb) return false;
  if (T.isNamespaceImport(nb)) {
    declare(scope, nb.name.text, { k: 'value', path: mod });
    return false;
  }
  let worker = false;
  for (const el of nb.elements) {
    const imported = el.propertyName ? (nameText(el.propertyName) ?? el.name.text) : el.name.text;
    declare(scope, el.name.text, { k: 'value', path: imported === 'default' ? moduleValue(mod) : `${mod}.${imported}` });
    if (mod === 'worker_threads' && WORKER_MARKERS.has(imported)) worker = true;
  }
  return worker;
}

/** A class's fields and methods, read from its members (constructor assignments are added by the walk). */
export function classInfo(node: ts.ClassLikeDeclaration, scope: Scope): ClassInfo {
  const info: ClassInfo = { node, fields: new Map(), methods: new Map() };
  for (const m of node.members) {
    const name = nameText(m.name);
    if (name === undefined) continue;
    if (T.isMethodDeclaration(m) && m.body) info.methods.set(name, m);
    else if (T.isPropertyDeclaration(m)) {
      if (m.initializer) {
        const init = unwrap(m.initializer);
        if (isFunctionLike(init)) info.methods.set(name, init);
        else info.fields.set(name, { k: 'var', exprs: [m.initializer], type: m.type, scope });
      } else info.fields.set(name, { k: 'var', exprs: [], type: m.type, scope });
    }
  }
  // `new Store()` of a local class runs its constructor: that is the call's same-file target.
  const ctor = node.members.find((m): m is ts.ConstructorDeclaration => T.isConstructorDeclaration(m) && m.body !== undefined);
  // A class without a constructor is named by its declaration: no call target, but its instances are known (resolve.ts `localClassOf`).
  if (T.isClassDeclaration(node) && node.name) declare(scope, node.name.text, { k: 'fn', node: ctor ?? node });
  return info;
}
