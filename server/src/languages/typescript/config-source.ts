/**
 * Whether a collection is the process's configuration: read from a config object (`config.nodes`,
 * `this.settings.backends`, `process.env`), or a structure the code builds from one (a hash ring
 * built from the configured nodes, an object filled once per configured item). Its size is the
 * operator's decision, not the traffic's: a loop over it is a burst bounded by the config file.
 *
 * Only how the collection is built counts: a structure built from configuration is taken to stay
 * configuration, whatever its own methods do to it later (a hash ring re-adding a node its health
 * check had removed).
 */
import ts from 'typescript';
import { isFunctionLike, unwrap } from './ast';
import { lookup, type Scope } from './resolve';
import type { WalkResult } from './walk';

/** A name that holds configuration: `config`, `conf`, `cfg`, `settings`, and `serverConfig`, `app_settings`. */
const CONFIG_NAME = /(^|[a-z0-9_$])(config|conf|cfg|configuration|settings)$/i;
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

export function configReader(w: WalkResult, sf: ts.SourceFile, moduleScope: Scope): ConfigReader {
  let fills: Map<string, ts.Node[]> | undefined;
  // Bindings being followed: `a = b` and `b = a` must not loop.
  const following = new Set<object>();

  /** The writes that add items to a collection named `name` (`name[k] = v`, `name.push(v)`), anywhere in the file. */
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
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(n.left) && ts.isIdentifier(n.left.expression)) add(n.left.expression.text, n);
        else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && FILLS.has(n.expression.name.text) && ts.isIdentifier(n.expression.expression)) add(n.expression.expression.text, n);
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

  function isConfig(expr: ts.Expression, scope: Scope, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    const e = unwrap(expr);
    if (ts.isIdentifier(e)) {
      const b = lookup(e.text, scope);
      // Named for configuration, unless it was taken from a request (`const config = req.body`).
      if (CONFIG_NAME.test(e.text)) return !(b?.k === 'var' && b.exprs.some((x) => REQUEST_PART.test(x.getText(sf))));
      if (!b) return false;
      if (b.k === 'member') return isConfig(b.base, b.scope, depth + 1);
      if (b.k !== 'var' || b.exprs.length === 0 || following.has(b)) return false;
      following.add(b);
      try {
        const built = b.exprs.filter((x) => !emptyCollection(x));
        if (built.length > 0) return built.every((x) => isConfig(x, b.scope, depth + 1));
        // Declared empty: its items are what the file puts in it.
        const writes = fillsOf(e.text);
        return writes.length > 0 && writes.every((f) => boundedFill(f, depth));
      } finally {
        following.delete(b);
      }
    }
    if (ts.isPropertyAccessExpression(e)) {
      // What a client sent is data, whatever its fields are called (`req.body.config.items`).
      if (REQUEST_PART.test(e.getText(sf))) return false;
      if (CONFIG_NAME.test(e.name.text)) return true;
      const base = unwrap(e.expression);
      if (ts.isIdentifier(base) && base.text === 'process') return e.name.text === 'env' || e.name.text === 'argv';
      return isConfig(e.expression, scope, depth + 1);
    }
    if (ts.isElementAccessExpression(e)) return isConfig(e.expression, scope, depth + 1);
    if (ts.isCallExpression(e)) {
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
