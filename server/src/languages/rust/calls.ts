/**
 * Resolving callees and receiver types. A path call resolves through `use`; a method call is named
 * by its receiver's type (`std::process::Command::output`), where the type comes from an annotation,
 * a constructor (`T::new(…)`), a struct field, a channel constructor or a known return type.
 */
import { DIESEL_CONNECTIONS, RETURN_TYPES } from './catalog';
import { compact, type Scope, type TypeRef } from './scope';
import type { SyntaxNode } from './syntax';

/** A `let`, parameter or static binding with its type as written (or as inferred). */
export interface Binding {
  readonly name: string;
  /** Offset from which the binding is visible. */
  readonly pos: number;
  readonly type: string;
  readonly resolved?: TypeRef;
}

/** A function's bindings by name, in source order. */
export class Bindings {
  private readonly byName = new Map<string, Binding[]>();

  push(b: Binding): void {
    const list = this.byName.get(b.name);
    if (list) list.push(b);
    else this.byName.set(b.name, [b]);
  }

  /** The last binding of `name` visible at offset `at`. */
  latest(name: string, at: number): Binding | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.pos <= at) return list[i];
    return undefined;
  }
}

/** A function's bindings, for looking up a name's type at a position. */
export interface FnScope {
  readonly parent: FnScope | undefined;
  readonly bindings: Bindings;
  /** The `impl` type that `self`/`Self` refer to. */
  readonly selfType: string | undefined;
}

/** What callee resolution needs from the builder. */
export interface ResolveState {
  readonly text: string;
  readonly scope: Scope;
  readonly statics: readonly Binding[];
  /** Types of expressions already read; set once every binding is known (before that, results may change). */
  typeMemo?: Map<SyntaxNode, TypeRef | undefined>;
}

/** Methods of a lock whose result derefs to the guarded value. */
const LOCK_METHODS = new Set(['lock', 'read', 'write', 'try_lock', 'try_read', 'try_write', 'blocking_lock', 'lock_owned', 'read_owned', 'write_owned', 'borrow', 'borrow_mut']);
const DIESEL_METHODS = new Set(['load', 'execute', 'get_result', 'get_results', 'first']);

/**
 * The callee as written, whitespace removed and non-empty argument lists of the calls it chains on
 * collapsed: `Command::new(..).arg(..).output`.
 */
export function calleeText(text: string, fnNode: SyntaxNode): string {
  const holes: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [fnNode];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'arguments' || n.type === 'closure_expression' || n.type === 'async_block' || n.type === 'line_comment' || n.type === 'block_comment') {
      if (n.children.length > 0 || n.type.endsWith('comment')) holes.push(n);
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  holes.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = fnNode.start;
  for (const h of holes) {
    out += text.slice(pos, h.start) + (h.type === 'arguments' ? '(..)' : h.type.endsWith('comment') ? '' : '..');
    pos = h.end;
  }
  out += text.slice(pos, fnNode.end);
  // Whitespace goes, except a single space between two words (`dyn Error`) and after a comma
  // (`(host.as_str(), port)`, as rustfmt writes it).
  return out.replace(/\s+/g, (ws: string, at: number, all: string) => (((/\w/.test(all[at - 1] ?? '') && /\w/.test(all[at + ws.length] ?? '')) || (all[at - 1] === ',' && !/[)\]}>]/.test(all[at + ws.length] ?? ')'))) ? ' ' : ''));
}

function lookup(state: ResolveState, fn: FnScope | undefined, name: string, at: number): TypeRef | undefined {
  for (let f = fn; f; f = f.parent) {
    const b = f.bindings.latest(name, at);
    if (b) return b.resolved ?? state.scope.readType(b.type, f.selfType);
  }
  const s = state.statics.find((b) => b.name === name);
  return s ? state.scope.readType(s.type) : undefined;
}

function selfTypeOf(fn: FnScope | undefined): string | undefined {
  for (let f = fn; f; f = f.parent) if (f.selfType !== undefined) return f.selfType;
  return undefined;
}

/** Strips wrappers that do not change a value's type for resolution: `(x)`, `&x`, `*x`, `x?`. */
function unwrapExpr(node: SyntaxNode): SyntaxNode {
  let n = node;
  while ((n.type === 'parenthesized_expression' || n.type === 'reference_expression' || n.type === 'unary_expression' || n.type === 'try_expression') && n.children.length > 0) {
    n = n.children[n.children.length - 1]!;
  }
  return n;
}

/** The type of an expression, when the file says it. */
export function typeOf(state: ResolveState, node: SyntaxNode, fn: FnScope | undefined, depth = 0): TypeRef | undefined {
  if (depth > 64) return undefined;
  const memo = state.typeMemo;
  if (memo) {
    if (memo.has(node)) return memo.get(node);
    const t = readTypeOf(state, node, fn, depth);
    memo.set(node, t);
    return t;
  }
  return readTypeOf(state, node, fn, depth);
}

function readTypeOf(state: ResolveState, node: SyntaxNode, fn: FnScope | undefined, depth: number): TypeRef | undefined {
  const { text, scope } = state;
  const n = unwrapExpr(node);
  switch (n.type) {
    case 'identifier':
      return lookup(state, fn, text.slice(n.start, n.end), n.start);
    case 'self': {
      const s = selfTypeOf(fn);
      return s === undefined ? undefined : { path: scope.resolvePath(s), args: [] };
    }
    case 'field_expression': {
      const [value, field] = n.children;
      if (!value || !field) return undefined;
      const owner = typeOf(state, value, fn, depth + 1);
      return owner ? scope.fieldType(owner, text.slice(field.start, field.end), selfTypeOf(fn)) : undefined;
    }
    case 'await_expression':
      return n.children[0] ? typeOf(state, n.children[0], fn, depth + 1) : undefined;
    case 'struct_expression': {
      const name = n.children[0];
      return name ? scope.readType(compact(text, name), selfTypeOf(fn)) : undefined;
    }
    case 'call_expression':
      return callResultType(state, n, fn, depth);
    default:
      return undefined;
  }
}

function callResultType(state: ResolveState, call: SyntaxNode, fn: FnScope | undefined, depth: number): TypeRef | undefined {
  const { text, scope } = state;
  let f = call.children[0];
  if (f?.type === 'generic_function') f = f.children[0];
  if (!f) return undefined;
  if (f.type === 'field_expression') {
    const [recv, field] = f.children;
    if (!recv || !field) return undefined;
    const t = typeOf(state, recv, fn, depth + 1);
    if (!t) return undefined;
    const method = text.slice(field.start, field.end);
    const known = RETURN_TYPES.get(`${t.path}::${method}`);
    if (known) return { path: known, args: [] };
    // A lock's guard derefs to the guarded value.
    if (LOCK_METHODS.has(method) && /(Mutex|RwLock|RefCell)$/.test(t.path)) {
      const guarded = t.args[0];
      return guarded === undefined ? undefined : scope.readType(guarded, selfTypeOf(fn));
    }
    return t;
  }
  if (f.type === 'identifier' || f.type === 'scoped_identifier') {
    const path = f.type === 'identifier' ? scope.aliases.get(text.slice(f.start, f.end)) : scope.resolvePath(compact(text, f));
    if (path === undefined) return undefined;
    const known = RETURN_TYPES.get(path);
    if (known) return { path: known, args: [] };
    const cut = path.lastIndexOf('::');
    if (cut < 0) return undefined;
    const owner = path.slice(0, cut);
    const ownerLast = owner.slice(owner.lastIndexOf(':') + 1);
    if (ownerLast === 'Self') {
      const s = selfTypeOf(fn);
      return s === undefined ? undefined : { path: scope.resolvePath(s), args: [] };
    }
    // `T::new(…)`, `T::connect(…)`: a call on a type path returns that type (constructors, builders).
    if (/^[A-Z]/.test(ownerLast) && !/^[A-Z0-9_]+$/.test(ownerLast)) return { path: owner, args: [] };
  }
  return undefined;
}

/**
 * The fully qualified callee of a call, or `undefined`. With `pathOnly`, method calls are resolved
 * only through types that need no local bindings (used while bindings are still being read).
 */
export function calleeOf(state: ResolveState, call: SyntaxNode, fn: FnScope | undefined, pathOnly: boolean): string | undefined {
  const { text, scope } = state;
  let f = call.children[0];
  if (f?.type === 'generic_function') f = f.children[0];
  if (!f) return undefined;
  if (f.type === 'identifier') return scope.aliases.get(text.slice(f.start, f.end));
  if (f.type === 'scoped_identifier') {
    const path = scope.resolvePath(compact(text, f));
    // Diesel re-exports its connection types; `PgConnection::establish` is `diesel::Connection::establish`.
    const m = /(?:^|::)(\w+)::establish$/.exec(path);
    if (m && DIESEL_CONNECTIONS.has(m[1]!) && (path.startsWith('diesel') || scope.uses('diesel'))) return 'diesel::Connection::establish';
    return path;
  }
  if (f.type !== 'field_expression') return undefined;
  const [recv, field] = f.children;
  if (!recv || !field) return undefined;
  const method = text.slice(field.start, field.end);
  // `ToSocketAddrs` must be in scope for `.to_socket_addrs()` to compile: its import names the method, whatever the receiver.
  if (method === 'to_socket_addrs' && scope.aliases.get('ToSocketAddrs') === 'std::net::ToSocketAddrs') return 'std::net::ToSocketAddrs::to_socket_addrs';
  const t = pathOnly && recv.type === 'identifier' ? undefined : typeOf(state, recv, fn);
  if (t) return `${t.path}::${method}`;
  const args = call.children[call.children.length - 1];
  const argCount = args?.type === 'arguments' ? args.children.length : 0;
  const awaited = call.parent?.type === 'await_expression';
  // Diesel's `RunQueryDsl` methods take the connection: `.load(&mut conn)`, `.execute(&mut conn)`.
  const arg = argCount === 1 ? args!.children[0]! : undefined;
  const connArg = arg !== undefined && (/^&mut\b/.test(text.slice(arg.start, arg.end)) || /Connection$/.test(typeOf(state, arg, fn)?.path ?? ''));
  if (DIESEL_METHODS.has(method) && connArg && !awaited && scope.uses('diesel')) {
    return `diesel::RunQueryDsl::${method}`;
  }
  if (method === 'block_on' && argCount === 1) return 'tokio::runtime::Runtime::block_on';
  // `client.get(url).send().await` on a client whose type the file does not say: reqwest's builder.
  if (method === 'send' && argCount === 0 && awaited) return 'reqwest::RequestBuilder::send';
  // A chain rooted at a crate function (`sqlx::query(…).fetch_one(…)`) is named under it, so I/O prefixes match.
  let root: SyntaxNode | undefined = recv;
  while (root && (root.type === 'call_expression' || root.type === 'field_expression' || root.type === 'await_expression' || root.type === 'try_expression' || root.type === 'generic_function')) {
    if (root.type === 'call_expression') {
      const inner = root.children[0]?.type === 'generic_function' ? root.children[0].children[0] : root.children[0];
      if (inner && inner.type === 'scoped_identifier') {
        const path = scope.resolvePath(compact(text, inner));
        return path.includes('::') && !/^(crate|self|super|Self)::/.test(path) ? `${path}::${method}` : undefined;
      }
    }
    root = root.children[0];
  }
  return undefined;
}
