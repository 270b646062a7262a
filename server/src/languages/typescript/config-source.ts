/**
 * Whether a collection is the process's configuration: read from a config source (a `require` or
 * `import` of a config module or a JSON/YAML file, the parameter of a config-file loader's callback,
 * `process.env`/`process.argv`, a literal), or a structure the code builds from one (a hash ring built
 * from the configured nodes, an object filled once per configured item). Its size is the operator's
 * decision, not the traffic's: a loop over it is a burst bounded by the config file.
 *
 * Provenance decides, never a name: `const config = JSON.parse(msg)` in a message handler and
 * `const userSettings = await db.query(…)` are data. A collection seeded from configuration stays
 * configuration only while every fill of it is bounded too (`peers = new Set(config.seeds)` then
 * `peers.add(rinfo.address)` per packet grows with the traffic). A structure of its own type (a hash
 * ring) that the code reshapes outside request and message handlers stays configuration: a health
 * check re-adding a node it had removed does not make the ring traffic-sized.
 */
import ts from 'typescript';
import type { FunctionInfo } from '../../engine/model';
import { isFunctionLike, unwrap } from './ast';
import { lookup, requiredModule, type Binding, type ClassInfo, type Scope } from './resolve';
import type { RawCall } from './records';
import type { WalkResult } from './walk';

/** A config module, by the last segment of its specifier: `config`, `nconf`, `./lib/config`, `../app-settings`. */
const CONFIG_MODULE = /(^|[-_.a-z0-9$])(config|conf|cfg|configuration|settings)$/i;
/** A data file shipped beside the code or named by the operator (`./config.json`, `../hosts.yaml`). */
const CONFIG_FILE = /\.(json5?|ya?ml|toml|ini)$/i;
/** Built-in collections: every item in them is one the code put there. */
const BUILTIN_COLLECTION = /^(Map|Set|Array|Object|WeakMap|WeakSet)$/;
/** Array and object methods whose result holds (some of) the receiver's items. */
const PASS_THROUGH = new Set(['filter', 'map', 'slice', 'concat', 'sort', 'reverse', 'flat', 'flatMap', 'toSorted', 'toReversed', 'keys', 'values', 'entries']);
/** Methods that call their callback once per item of the receiver. */
const ITERATING = new Set(['forEach', 'map', 'filter', 'flatMap', 'some', 'every', 'reduce', 'find']);
/** Methods that add an item to a collection. */
const FILLS = new Set(['push', 'unshift', 'set', 'add']);
const MAX_DEPTH = 12;
/** How deep an argument's literal structure is read (`{ a: { b: 1 } }`); deeper is not taken as static. */
const MAX_NESTING = 16;
/** A request or message a client sent (`req.body.config`, `ctx.request.query.settings`). */
const REQUEST_PART = /(^|\.)(req|request|body|query|params|payload)(\.|$)/;

/** What the check reads of the file besides the expression: its functions' scopes and its tree. */
export interface ConfigReader {
  isConfig(expr: ts.Expression, scope: Scope): boolean;
}

export function configReader(w: WalkResult, functions: readonly FunctionInfo[], sf: ts.SourceFile, moduleScope: Scope): ConfigReader {
  let fills: Map<string, ts.Node[]> | undefined;
  // Bindings being followed: `a = b` and `b = a` must not loop.
  const following = new Set<object>();
  // A binding's answer, kept when it was reached without cutting a cycle or the depth: then it does not
  // depend on where the question came from. Without it, k fills per level over L levels of collections
  // built from each other cost k^L evaluations (a 93-line file took 88 s).
  const settled = new Map<object, boolean>();
  // Incremented whenever an answer is cut short (a cycle, the depth, the budget): a result computed
  // while it moved is not kept.
  let cuts = 0;
  // A last bound for what the cache cannot settle (cycles through many fills): past it, nothing more is
  // taken as configuration, which keeps the finding.
  let budget = 20_000;

  /** The writes that add items to a collection named `name` (`name[k] = v`, `name.push(v)`, `this.name.add(v)` as `this.name`), anywhere in the file. */
  const fillsOf = (name: string): readonly ts.Node[] => {
    if (!fills) {
      const found = new Map<string, ts.Node[]>();
      const add = (n: string, at: ts.Node): void => {
        const list = found.get(n);
        if (list) list.push(at);
        else found.set(n, [at]);
      };
      // An explicit stack: a file nested thousands deep must not overflow the call stack here.
      const stack: ts.Node[] = [sf];
      const push = (c: ts.Node): void => void stack.push(c);
      while (stack.length > 0) {
        const n = stack.pop()!;
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(n.left)) {
          const target = collectionKey(n.left.expression);
          if (target !== undefined) add(target, n);
        } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && FILLS.has(n.expression.name.text)) {
          const target = collectionKey(n.expression.expression);
          if (target !== undefined) add(target, n);
        }
        n.forEachChild(push);
      }
      fills = found;
    }
    return fills.get(name) ?? [];
  };

  const scopeAt = (node: ts.Node): Scope => {
    for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
      if (!isFunctionLike(p)) continue;
      const id = w.fnIdByNode.get(p);
      if (id !== undefined) return w.functions[id]!.scope;
    }
    return moduleScope;
  };

  /** A fill bounded by configuration: inside a loop over configuration, or run once (in no loop) with configuration or literals. */
  const boundedFill = (fill: ts.Node, depth: number): boolean => {
    for (let p: ts.Node | undefined = fill.parent; p && !ts.isSourceFile(p); p = p.parent) {
      if (ts.isForOfStatement(p) || ts.isForInStatement(p)) return isConfig(p.expression, scopeAt(p), depth + 1);
      if (ts.isWhileStatement(p) || ts.isDoStatement(p) || ts.isForStatement(p)) return false;
      if (isFunctionLike(p)) {
        const host = p.parent;
        if (host && ts.isCallExpression(host) && ts.isPropertyAccessExpression(host.expression) && ITERATING.has(host.expression.name.text)) {
          return isConfig(host.expression.expression, scopeAt(host), depth + 1);
        }
        // A function the file calls from anywhere may run once per request: only a loop says how often.
        return false;
      }
    }
    return true;
  };

  /** Literals and configuration, also combined (`config.cacheSize || 10000`, `{ replicas: 0 }`), to a bounded nesting. */
  const isStatic = (e: ts.Expression, scope: Scope, depth: number, nesting = 0): boolean => {
    if (nesting > MAX_NESTING) return false;
    const u = unwrap(e);
    const inner = (x: ts.Expression): boolean => isStatic(x, scope, depth, nesting + 1);
    if (ts.isLiteralExpression(u) || ts.isNoSubstitutionTemplateLiteral(u) || u.kind === ts.SyntaxKind.TrueKeyword || u.kind === ts.SyntaxKind.FalseKeyword || u.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isBinaryExpression(u)) return inner(u.left) && inner(u.right);
    if (ts.isConditionalExpression(u)) return inner(u.whenTrue) && inner(u.whenFalse);
    if (ts.isObjectLiteralExpression(u)) return u.properties.every((p) => ts.isPropertyAssignment(p) && inner(p.initializer));
    if (ts.isArrayLiteralExpression(u)) return u.elements.every((x) => !ts.isSpreadElement(x) && inner(x));
    return isConfig(u, scope, depth + 1);
  };

  const emptyCollection = (e: ts.Expression): boolean => {
    const u = unwrap(e);
    if (ts.isObjectLiteralExpression(u)) return u.properties.length === 0;
    if (ts.isArrayLiteralExpression(u)) return u.elements.length === 0;
    return ts.isNewExpression(u) && ts.isIdentifier(u.expression) && /^(Map|Set|Array|Object)$/.test(u.expression.text) && (u.arguments?.length ?? 0) === 0;
  };

  /** The module a name is imported from (`import config from './config.js'`, `import cfg = require('./cfg')`). */
  let imports: Map<string, string> | undefined;
  const importedFrom = (name: string): string | undefined => {
    if (!imports) {
      const found = new Map<string, string>();
      for (const st of sf.statements) {
        if (ts.isImportDeclaration(st) && ts.isStringLiteralLike(st.moduleSpecifier) && st.importClause) {
          const spec = st.moduleSpecifier.text;
          const clause = st.importClause;
          if (clause.name) found.set(clause.name.text, spec);
          const nb = clause.namedBindings;
          if (nb && ts.isNamespaceImport(nb)) found.set(nb.name.text, spec);
          else if (nb) for (const el of nb.elements) found.set(el.name.text, spec);
        } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteralLike(st.moduleReference.expression)) {
          found.set(st.name.text, st.moduleReference.expression.text);
        }
      }
      imports = found;
    }
    return imports.get(name);
  };

  /**
   * An untyped parameter of a callback handed to a config loader: a function imported from a config
   * module (`loadConfig(path, (conf) => …)` with `loadConfig` from `./config`), or a call made on a
   * config module or configuration (`configlib.configFile(file, (conf) => …)`,
   * `config.nodes.forEach((node) => …)`). The loader's own name proves nothing.
   */
  const loaderParameter = (use: ts.Identifier, b: Binding, depth: number): boolean => {
    for (let p: ts.Node | undefined = use.parent; p && !ts.isSourceFile(p); p = p.parent) {
      if (!isFunctionLike(p)) continue;
      const id = w.fnIdByNode.get(p);
      if (id === undefined || w.functions[id]!.scope.bindings.get(use.text) !== b) continue;
      const host = p.parent;
      if (!host || !ts.isCallExpression(host) || !host.arguments.includes(p as ts.Expression)) return false;
      const callee = unwrap(host.expression);
      // The loader is known by where it comes from, never by its name: `getConferenceAttendees(id, cb)`
      // and `db.loadUserSettings(id, cb)` hand their callbacks data.
      if (ts.isIdentifier(callee)) return isConfig(callee, scopeAt(host), depth + 1);
      if (!ts.isPropertyAccessExpression(callee)) return false;
      return isConfig(callee.expression, scopeAt(host), depth + 1);
    }
    return false;
  };

  /** Whether every item in a variable or field comes from configuration. `key` names its fills. */
  const configBinding = (b: Binding, key: string, depth: number): boolean => {
    if (b.k !== 'var' || b.exprs.length === 0) return false;
    const known = settled.get(b);
    if (known !== undefined) return known;
    if (following.has(b) || --budget < 0) {
      cuts++;
      return false;
    }
    const cutsBefore = cuts;
    following.add(b);
    let answer: boolean;
    try {
      answer = configBindingOnce(b, key, depth);
    } finally {
      following.delete(b);
    }
    if (cuts === cutsBefore) settled.set(b, answer);
    return answer;
  };

  const configBindingOnce = (b: Binding & { k: 'var' }, key: string, depth: number): boolean => {
    const built = b.exprs.filter((x) => !emptyCollection(x));
    const writes = fillsOf(key);
    // Declared empty: its items are what the file puts in it.
    if (built.length === 0) return writes.length > 0 && writes.every((f) => boundedFill(f, depth));
    if (!built.every((x) => isStatic(x, scopeAt(x), depth))) return false;
    // Seeded from configuration: still configuration only while the file adds nothing the traffic
    // brings. A structure of its own type keeps its shape outside handlers (see the file's comment).
    const ownType = built.every((x) => {
      const u = unwrap(x);
      return ts.isNewExpression(u) && !(ts.isIdentifier(u.expression) && BUILTIN_COLLECTION.test(u.expression.text));
    });
    return writes.every((f) => boundedFill(f, depth) || (ownType && !inHandler(f)));
  };

  /** The file's calls by the name they call (`remember(a)`, `this.remember(a)`, `table.remember(a)` all under `remember`), from the walk's records. */
  let callsByName: Map<string, RawCall[]> | undefined;
  const callsNamed = (name: string): readonly RawCall[] => {
    if (!callsByName) {
      callsByName = new Map();
      for (const c of w.calls) {
        const list = callsByName.get(c.member);
        if (list) list.push(c);
        else callsByName.set(c.member, [c]);
      }
    }
    return callsByName.get(name) ?? [];
  };

  /**
   * The fill runs in a request, message or event handler, in code such a handler runs inline, or in a
   * function of the file a handler calls, directly or through other functions of the file (matched by
   * the name called, which errs toward "in a handler"): `remember(rinfo.address)` in a 'message'
   * listener makes `remember`'s `peers.add(…)` traffic.
   */
  const inHandler = (fill: ts.Node): boolean => {
    const seen = new Set<number>();
    const reached = (fnId: number | undefined, hops: number): boolean => {
      if (fnId === undefined) return false;
      if (functions[fnId]?.context !== undefined) return true;
      if (seen.has(fnId)) return false;
      seen.add(fnId);
      const name = w.functions[fnId]?.name;
      if (name === undefined) return false;
      // Past a few hops, or a budget spent, assume a handler can reach it: the finding stays.
      if (hops >= 8 || --budget < 0) return true;
      return callsNamed(name).some((call) => reached(call.functionId, hops + 1));
    };
    let fnId: number | undefined;
    for (let p: ts.Node | undefined = fill.parent; p && !ts.isSourceFile(p) && fnId === undefined; p = p.parent) if (isFunctionLike(p)) fnId = w.fnIdByNode.get(p);
    return reached(fnId, 0);
  };

  function isConfig(expr: ts.Expression, scope: Scope, depth = 0): boolean {
    if (depth > MAX_DEPTH) {
      cuts++;
      return false;
    }
    const e = unwrap(expr);
    if (ts.isIdentifier(e)) {
      const b = lookup(e.text, scope);
      if (!b) return false;
      if (b.k === 'value') {
        const spec = importedFrom(e.text);
        return spec !== undefined && configModule(spec);
      }
      if (b.k === 'member') return isConfig(b.base, b.scope, depth + 1);
      if (b.k === 'opaque') return loaderParameter(e, b, depth);
      return configBinding(b, e.text, depth);
    }
    if (ts.isPropertyAccessExpression(e)) {
      // What a client sent is data, whatever its fields are called (`req.body.config.items`).
      if (REQUEST_PART.test(e.getText(sf))) return false;
      const base = unwrap(e.expression);
      if (ts.isIdentifier(base) && base.text === 'process') return e.name.text === 'env' || e.name.text === 'argv';
      // A field the class sets from configuration (`this.backends = config.backends`).
      if (base.kind === ts.SyntaxKind.ThisKeyword) {
        const field = classOf(scope)?.fields.get(e.name.text);
        return field !== undefined && configBinding(field, `this.${e.name.text}`, depth);
      }
      return isConfig(e.expression, scope, depth + 1);
    }
    if (ts.isElementAccessExpression(e)) return isConfig(e.expression, scope, depth + 1);
    // `await import('./config.json')`.
    if (ts.isAwaitExpression(e)) {
      const spec = requiredModule(unwrap(e.expression));
      return spec !== undefined && configModule(spec);
    }
    if (ts.isCallExpression(e)) {
      const spec = requiredModule(e);
      if (spec !== undefined) return configModule(spec);
      const callee = unwrap(e.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        const m = callee.name.text;
        const recv = unwrap(callee.expression);
        // `Object.keys(config.backends)`, `Array.from(settings.hosts)`.
        if (ts.isIdentifier(recv) && (recv.text === 'Object' || recv.text === 'Array') && e.arguments[0]) return (m === 'keys' || m === 'values' || m === 'entries' || m === 'from') && isConfig(e.arguments[0], scope, depth + 1);
        if (PASS_THROUGH.has(m)) return isConfig(callee.expression, scope, depth + 1);
      }
      return false;
    }
    // A structure built from configuration (`new HashRing(nodes, 'md5', { replicas: 0 })`).
    if (ts.isNewExpression(e)) {
      const args = e.arguments ?? [];
      return args.some((a) => isConfig(a, scope, depth + 1)) && args.every((a) => isStatic(a, scope, depth));
    }
    return false;
  }

  return { isConfig: (expr, scope) => isConfig(expr, scope, 0) };
}

/** The key `fillsOf` files a collection under: a name, or `this.name` for a field. */
function collectionKey(target: ts.Expression): string | undefined {
  const u = unwrap(target);
  if (ts.isIdentifier(u)) return u.text;
  if (ts.isPropertyAccessExpression(u) && u.expression.kind === ts.SyntaxKind.ThisKeyword) return `this.${u.name.text}`;
  return undefined;
}

/** A module specifier that names a config module or a data file (`./config`, `config`, `../lib/config/index.js`, `./hosts.json`). */
function configModule(spec: string): boolean {
  if (CONFIG_FILE.test(spec)) return true;
  const segments = spec.replace(/^node:/, '').split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  let last = (segments.pop() ?? '').replace(/\.[cm]?[jt]sx?$/, '');
  if (last === 'index') last = segments.pop() ?? '';
  return CONFIG_MODULE.test(last);
}

/** The class `this` refers to in a scope or the function it is nested in. */
function classOf(scope: Scope): ClassInfo | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.cls) return s.cls;
  return undefined;
}
