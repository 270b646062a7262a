/**
 * Name resolution without a type checker: imports, requires, local aliases and simple receiver
 * typing (`const db = new Database()`), in the catalog's naming (see catalog.ts).
 *
 * Scopes are per function (block scoping is ignored: shadowing inside a block of the same function
 * is rare in the code this reads). Bindings are recorded during the walk and resolved lazily, after
 * it, so a use may come before its declaration (hoisting).
 */
import ts from 'typescript';
import { isFunctionLike, nameText, T, unwrap } from './ast';
import { CONSTRUCTS, DEFAULT_EXPORTS, GLOBALS, RETURNS } from './catalog';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

/** What a name is bound to. */
export type Binding =
  /** A static path, already resolved (`fs`, `fs.readFileSync`). */
  | { readonly k: 'value'; readonly path: string }
  /**
   * A variable or field, resolved on demand from its initializer and later assignments (the first
   * that resolves wins), else from its type annotation.
   */
  | { readonly k: 'var'; readonly exprs: ts.Expression[]; readonly type?: ts.TypeNode | undefined; readonly scope: Scope; memo?: string | null }
  /** A destructured property of an initializer (`const { readFileSync } = require('fs')`). */
  | { readonly k: 'member'; readonly base: ts.Expression; readonly prop: string; readonly scope: Scope; memo?: string | null }
  /** A parameter or field with a type annotation (`db: Database`). */
  | { readonly k: 'type'; readonly node: ts.TypeNode; readonly scope: Scope; memo?: string | null }
  /** A function declaration. */
  | { readonly k: 'fn'; readonly node: ts.Node }
  /** Something we know nothing about that shadows outer names (an untyped parameter). */
  | { readonly k: 'opaque' };

/** What `this` refers to inside a class's methods. */
export interface ClassInfo {
  readonly node: ts.ClassLikeDeclaration;
  readonly fields: Map<string, Binding>;
  /** Methods and function-valued fields, by name. */
  readonly methods: Map<string, ts.Node>;
}

/** A function's (or the module's) bindings. */
export interface Scope {
  readonly bindings: Map<string, Binding>;
  readonly parent: Scope | undefined;
  /** The class `this` refers to, when known. */
  readonly cls: ClassInfo | undefined;
  /** Resolved call results, shared by every scope of one file: a long call chain resolves each link once. */
  readonly calls: Map<ts.Node, string | undefined>;
}

export function newScope(parent: Scope | undefined, cls: ClassInfo | undefined): Scope {
  return { bindings: new Map(), parent, cls, calls: parent ? parent.calls : new Map() };
}

/** Module specifier → catalog module name (`node:fs` → `fs`). */
export function moduleName(spec: string): string {
  return spec.startsWith('node:') ? spec.slice(5) : spec;
}

/** What a default import or whole-module `require` of `spec` names. */
export function moduleValue(spec: string): string {
  const m = moduleName(spec);
  const cls = DEFAULT_EXPORTS.get(m);
  return cls === undefined ? m : `${m}.${cls}`;
}

/** The module of a `require('x')` or `import('x')` call, if `node` is one. */
export function requiredModule(node: ts.Node): string | undefined {
  if (!T.isCallExpression(node)) return undefined;
  const callee = node.expression;
  const isRequire = T.isIdentifier(callee) && callee.text === 'require';
  if ((!isRequire && callee.kind !== SK.ImportKeyword) || node.arguments.length !== 1) return undefined;
  const arg = node.arguments[0]!;
  return T.isStringLiteralLike(arg) ? arg.text : undefined;
}

/** The binding a name refers to from `scope`, if any. */
export function lookup(name: string, scope: Scope | undefined): Binding | undefined {
  for (let s = scope; s; s = s.parent) {
    const b = s.bindings.get(name);
    if (b) return b;
  }
  return undefined;
}

/** The helpers compilers wrap a `require` in (TypeScript's and Babel's). */
const INTEROP_HELPERS: ReadonlySet<string> = new Set(['__importDefault', '__importStar', '_interopRequireDefault', '_interopRequireWildcard']);

/** Guards against alias cycles and pathological chains (`a.b.c…` thousands deep). */
const MAX_DEPTH = 48;

/** Resolves an expression to a catalog name: the value's path, or for an instance, its type. */
export function resolveExpr(expr: ts.Expression, scope: Scope, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  switch (e.kind) {
    case SK.Identifier: {
      const name = (e as ts.Identifier).text;
      const b = lookup(name, scope);
      if (!b) return GLOBALS.has(name) ? name : undefined;
      return resolveBinding(b, depth + 1);
    }
    case SK.PropertyAccessExpression: {
      const pa = e as ts.PropertyAccessExpression;
      return member(pa.expression, pa.name.text, scope, depth);
    }
    case SK.ElementAccessExpression: {
      const ea = e as ts.ElementAccessExpression;
      return T.isStringLiteralLike(ea.argumentExpression) ? member(ea.expression, ea.argumentExpression.text, scope, depth) : undefined;
    }
    case SK.CallExpression: {
      if (scope.calls.has(e)) return scope.calls.get(e);
      const out = resolveCall(e as ts.CallExpression, scope, depth);
      // A miss deep in a chain may only be the depth limit talking: cache it only from the top.
      if (out !== undefined || depth === 0) scope.calls.set(e, out);
      return out;
    }
    case SK.NewExpression: {
      const callee = resolveExpr((e as ts.NewExpression).expression, scope, depth + 1);
      return callee === undefined ? undefined : CONSTRUCTS.get(callee) ?? callee;
    }
    case SK.AwaitExpression:
      return resolveExpr((e as ts.AwaitExpression).expression, scope, depth + 1);
    default:
      return undefined;
  }
}

/** The type of a call's result: a required module, or what the catalog says the callee returns. */
function resolveCall(call: ts.CallExpression, scope: Scope, depth: number): string | undefined {
  const mod = requiredModule(call);
  if (mod !== undefined) return moduleValue(mod);
  // Compiled output wraps its requires (`__importDefault(require('bcryptjs'))`): the module, as an ES import would name it.
  const interop = unwrap(call.expression);
  if (T.isIdentifier(interop) && INTEROP_HELPERS.has(interop.text) && call.arguments.length === 1) {
    const inner = requiredModule(unwrap(call.arguments[0]!));
    if (inner !== undefined) return moduleValue(inner);
  }
  const callee = resolveExpr(call.expression, scope, depth + 1);
  if (callee === undefined) return undefined;
  const ret = RETURNS.get(callee);
  if (ret === '$arg0') return call.arguments[0] ? resolveExpr(call.arguments[0], scope, depth + 1) : undefined;
  return ret;
}

function member(base: ts.Expression, name: string, scope: Scope, depth: number): string | undefined {
  const b = unwrap(base);
  if (b.kind === SK.ThisKeyword) {
    const cls = thisClass(scope);
    const field = cls?.fields.get(name);
    return field ? resolveBinding(field, depth + 1) : undefined;
  }
  if (b.kind === SK.Identifier) {
    // `const entry = { mutex: new Mutex(), conn }` … `entry.mutex`: read the literal's property.
    const binding = lookup((b as ts.Identifier).text, scope);
    const init = binding?.k === 'var' && binding.exprs.length === 1 ? unwrap(binding.exprs[0]!) : undefined;
    if (init && T.isObjectLiteralExpression(init)) return literalProperty(init, name, binding!.k === 'var' ? binding!.scope : scope, depth);
  }
  const path = resolveExpr(b, scope, depth + 1);
  // The default import convention already names the default export: `.default` adds nothing.
  return path === undefined ? undefined : name === 'default' ? path : `${path}.${name}`;
}

function literalProperty(obj: ts.ObjectLiteralExpression, name: string, scope: Scope, depth: number): string | undefined {
  for (const p of obj.properties) {
    if (T.isPropertyAssignment(p) && nameText(p.name) === name) return resolveExpr(p.initializer, scope, depth + 1);
    if (T.isShorthandPropertyAssignment(p) && p.name.text === name) return resolveExpr(p.name, scope, depth + 1);
  }
  return undefined;
}

function thisClass(scope: Scope): ClassInfo | undefined {
  return scope.cls;
}

function resolveBinding(b: Binding, depth: number): string | undefined {
  switch (b.k) {
    case 'value':
      return b.path;
    case 'fn':
    case 'opaque':
      return undefined;
    default: {
      if (b.memo !== undefined) return b.memo ?? undefined;
      b.memo = null; // cycle guard: `const a = b; const b = a`
      let out: string | undefined;
      if (b.k === 'var') {
        for (const e of b.exprs) {
          out = isFunctionLike(unwrap(e)) ? undefined : resolveExpr(e, b.scope, depth);
          if (out !== undefined) break;
        }
        if (out === undefined && b.type) out = resolveType(b.type, b.scope, depth);
      } else if (b.k === 'member') {
        const base = resolveExpr(b.base, b.scope, depth);
        out = base === undefined ? undefined : b.prop === 'default' ? base : `${base}.${b.prop}`;
      } else out = resolveType(b.node, b.scope, depth);
      b.memo = out ?? null;
      return out;
    }
  }
}

/** A type annotation naming an imported class (`db: Database`, `res: express.Response`). */
function resolveType(node: ts.TypeNode, scope: Scope, depth: number): string | undefined {
  if (!T.isTypeReferenceNode(node)) return undefined;
  const name = node.typeName;
  if (T.isIdentifier(name)) {
    const b = lookup(name.text, scope);
    return b ? resolveBinding(b, depth + 1) : undefined;
  }
  const parts: string[] = [];
  let q: ts.EntityName = name;
  while (T.isQualifiedName(q)) {
    parts.unshift(q.right.text);
    q = q.left;
  }
  const b = lookup(q.text, scope);
  const base = b ? resolveBinding(b, depth + 1) : undefined;
  return base === undefined ? undefined : [base, ...parts].join('.');
}

/** The same-file function a callee refers to: a declaration, a function-valued const, or `this.method`. */
export function resolveTarget(expr: ts.Expression, scope: Scope, depth = 0): ts.Node | undefined {
  if (depth > 8) return undefined;
  const e = unwrap(expr);
  if (T.isIdentifier(e)) {
    const b = lookup(e.text, scope);
    if (!b) return undefined;
    if (b.k === 'fn') return b.node;
    if (b.k === 'var' && b.exprs.length === 1) {
      const init = unwrap(b.exprs[0]!);
      if (isFunctionLike(init)) return init;
      if (T.isIdentifier(init)) return resolveTarget(init, b.scope, depth + 1);
    }
    return undefined;
  }
  if (T.isPropertyAccessExpression(e)) {
    const cls = receiverClass(e.expression, scope);
    return cls?.methods.get(e.name.text);
  }
  return undefined;
}

/**
 * The class a method's receiver is the instance of: `this`, or a name bound once to `this`
 * (`var self = this`, then `self.stop()` in a callback: Node-RED's Subflow.start).
 */
function receiverClass(receiver: ts.Expression, scope: Scope): ClassInfo | undefined {
  const r = unwrap(receiver);
  if (r.kind === SK.ThisKeyword) return scope.cls;
  if (!T.isIdentifier(r)) return undefined;
  const b = lookup(r.text, scope);
  if (b?.k !== 'var' || b.exprs.length !== 1 || unwrap(b.exprs[0]!).kind !== SK.ThisKeyword) return undefined;
  return b.scope.cls;
}

/**
 * A method of the superclass a call names, when the class extends an imported one: `super.stop()`, and
 * `this.stop()` (or `self.stop()`) in a class that declares no `stop` of its own. Named through the
 * import (`./Flow.Flow.stop` for `const Flow = require('./Flow').Flow; class Subflow extends Flow`), so
 * the linker finds the method in the other file (Node-RED's Subflow.stop chains on Flow.stop).
 * A superclass of the same file is left alone: its methods are not reached this way.
 */
export function superMethodCallee(expr: ts.Expression, scope: Scope): string | undefined {
  const e = unwrap(expr);
  if (!T.isPropertyAccessExpression(e)) return undefined;
  const name = e.name.text;
  const recv = unwrap(e.expression);
  let cls: ClassInfo | undefined;
  if (recv.kind === SK.SuperKeyword) cls = scope.cls ?? arrowClass(scope);
  else {
    cls = receiverClass(recv, scope);
    if (cls === undefined || cls.methods.has(name) || cls.fields.has(name)) return undefined;
  }
  const base = cls?.node.heritageClauses?.find((h) => h.token === SK.ExtendsKeyword)?.types[0]?.expression;
  if (base === undefined) return undefined;
  const b = unwrap(base);
  if (T.isIdentifier(b) && lookup(b.text, scope)?.k === 'fn') return undefined;
  const path = resolveExpr(b, scope);
  return path === undefined ? undefined : `${path}.${name}`;
}

/** The class of the nearest scope that knows one (an arrow function inside a method). */
function arrowClass(scope: Scope): ClassInfo | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.cls) return s.cls;
  return undefined;
}


/** The same-file class a callee of `new` names: a class declaration (through its constructor) or a `const X = class {…}`. */
export function localClassOfCallee(expr: ts.Expression, scope: Scope): ts.ClassLikeDeclaration | undefined {
  const e = unwrap(expr);
  if (!T.isIdentifier(e)) return T.isClassExpression(e) ? e : undefined;
  const b = lookup(e.text, scope);
  if (b?.k === 'fn') {
    if (T.isConstructorDeclaration(b.node)) return b.node.parent;
    return T.isClassDeclaration(b.node) ? b.node : undefined;
  }
  if (b?.k === 'var' && b.exprs.length > 0) {
    const init = unwrap(b.exprs[0]!);
    if (T.isClassExpression(init)) return init;
  }
  return undefined;
}

/** Declares a name in a scope; an inner declaration shadows outer ones. */
export function declare(scope: Scope, name: string, b: Binding): void {
  scope.bindings.set(name, b);
}
