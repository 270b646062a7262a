/**
 * Builds the {@link FileModel} of a Go file from the mirrored tree: every function is an async
 * context (every goroutine can park), calls are resolved through imports and declared types, and
 * the parking points are the yield points. Held mutex regions are read by `locks.ts`.
 */
import type { Catalog } from '../../engine/catalog';
import { isIoCall } from '../../engine/catalog';
import { escapeRegExp } from '../../engine/regexp';
import type { AsyncContext, CallSite, ChannelFills, Comment, ExpectedLock, FileModel, FunctionInfo, HeldRegion, Parking, ReExport, Span, YieldKind, YieldPoint } from '../../engine/model';
import { deferredBefore, spanContains } from '../../engine/model';
import { flaggedOff, onGuardedResource } from '../../engine/rule-support';
import { CONTEXT_ONLY_METHODS, PARKING_CALLS } from './catalog';
import { findGoFanOuts, isErrgroupGo } from './fan-out';
import { filledBefore, makesBuffered } from './filled-receive';
import { channelFills } from './fills';
import { findGoChannelBypasses, findGoLeaks } from './goroutines';
import { madeIn } from './building';
import { assignedTargets, buildHeldRegions, lockKeyOf, lockUses, statementsOf, type Acquisition } from './locks';
import { findGoRetries } from './retries';
import { GoScope } from './scope';
import { cappedTextOf, field, textOf, walk, type GoNode } from './syntax';
import { nodeSpan } from '../tree-sitter';

const FUNCTION_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);
const LOOP_TYPES = new Set(['for_statement']);

/**
 * Calls that run the function literal they are given before they return, on the caller's goroutine:
 * `filepath.Walk`/`WalkDir`, `fs.WalkDir`, `sort.Slice`/`SliceStable`/`Search`, `slices.…Func`,
 * `strings.…Func`/`Map`, `bytes.…Func`/`Map`, and gorm's `db.Transaction(func(tx) error { … })`.
 */
const INLINE_RUNNERS = /^(?:filepath\.(?:Walk|WalkDir)|fs\.WalkDir|sort\.(?:Slice|SliceStable|Search)|slices\.\w+Func|(?:strings|bytes)\.(?:\w+Func|Map)|[\w.]+\.Transaction)$/;

function runsInline(text: string, call: GoNode | undefined): boolean {
  if (call?.type !== 'call_expression') return false;
  const fn = field(call, 'function');
  return fn !== undefined && INLINE_RUNNERS.test(text.slice(fn.start, fn.end).replace(/\s+/g, ''));
}

/** A function while the model is built. */
export interface GoFn {
  readonly node: GoNode;
  readonly info: FunctionInfo;
  readonly parent: GoFn | undefined;
  /** Receiver name and its type (`c`, `Cache`), for methods. */
  readonly receiver?: { readonly name: string; readonly type: string };
  /** Parameters and locals → resolved type. */
  readonly vars: Map<string, string>;
  /** Spawned by a `go` statement. */
  readonly spawned: boolean;
  /** Local channels made with a capacity (`errc := make(chan error, 1)`) → the capacity as written. */
  readonly capacities: Map<string, string>;
  /** Parameters and locals whose type the file does not state (`fn := handlers[k]`): a call of one is not a package function. */
  readonly untyped: Set<string>;
}

/** What the pass collects, shared with the lock reader and the fix builders. */
export interface GoState {
  readonly text: string;
  readonly scope: GoScope;
  readonly fns: GoFn[];
  readonly fnOfNode: Map<GoNode, GoFn>;
  readonly callOfNode: Map<GoNode, number>;
  /** Call site id → call node. */
  readonly nodeOfCall: Map<number, GoNode>;
  readonly calls: CallSite[];
  readonly catalog: Catalog;
  /** Package functions by name, methods by `Type.name`. */
  readonly funcs: Map<string, number>;
  /** For each leaking goroutine (by spawn id), each channel it may block on: its `make`, and the capacity that holds every send (absent: none does). */
  readonly leaks: Map<number, { readonly make: GoNode; readonly capacity?: string }[]>;
  /** Each fan-out site's `go` statement or `g.Go` call, by fan-out id, for the fixes. */
  readonly fanOutNodes: Map<number, GoNode>;
  /** Constants by name (`const pollNs = 50`), each with its value as written, package-level or local. */
  readonly consts: Map<string, { readonly spec: GoNode; readonly value: GoNode }[]>;
}

/** A node's span in the model's terms (one definition for every tree-sitter frontend). */
export const span = nodeSpan;

/** The innermost function at or above `node` (excluding `node` itself). */
export function enclosingFn(state: GoState, node: GoNode): GoFn | undefined {
  for (let n = node.parent; n; n = n.parent) {
    const f = state.fnOfNode.get(n);
    if (f) return f;
  }
  return undefined;
}

function insideLoop(node: GoNode): boolean {
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) if (LOOP_TYPES.has(n.type)) return true;
  return false;
}

/** The type of a variable visible in `fn` (its own, its enclosing functions', the package's). */
export function varType(state: GoState, fn: GoFn | undefined, name: string): string | undefined {
  for (let f = fn; f; f = f.parent) {
    const t = f.vars.get(name);
    if (t !== undefined) return t;
    if (f.receiver?.name === name) return f.receiver.type;
  }
  return state.scope.vars.get(name);
}

/** The resolved type of an expression, when declarations say it. */
export function exprType(state: GoState, expr: GoNode | undefined, fn: GoFn | undefined, depth = 0): string | undefined {
  if (!expr || depth > 8) return undefined;
  const { text, scope } = state;
  switch (expr.type) {
    case 'identifier':
      return varType(state, fn, text.slice(expr.start, expr.end));
    case 'selector_expression': {
      const op = field(expr, 'operand');
      const f = field(expr, 'field');
      if (!op || !f) return undefined;
      return scope.fieldType(exprType(state, op, fn, depth + 1), text.slice(f.start, f.end));
    }
    case 'parenthesized_expression':
      return exprType(state, expr.children[0], fn, depth + 1);
    case 'index_expression': {
      // An element of a map, slice or array field (`r.items[name]`, a `map[string]*Entry`).
      const op = field(expr, 'operand');
      const owner = op?.type === 'selector_expression' ? field(op, 'operand') : undefined;
      const f = op?.type === 'selector_expression' ? field(op, 'field') : undefined;
      return owner && f ? scope.elementType(exprType(state, owner, fn, depth + 1), text.slice(f.start, f.end)) : undefined;
    }
    case 'unary_expression':
      return text[expr.start] === '&' ? exprType(state, field(expr, 'operand'), fn, depth + 1) : undefined;
    case 'composite_literal': {
      const t = field(expr, 'type');
      return t ? scope.resolveType(textOf(text, t)) : undefined;
    }
    case 'call_expression': {
      const fnNode = field(expr, 'function');
      const args = field(expr, 'arguments');
      const name = fnNode ? text.slice(fnNode.start, fnNode.end) : '';
      if ((name === 'new' || name === 'make') && args?.children[0]) return scope.resolveType(textOf(text, args.children[0]));
      const id = state.callOfNode.get(expr);
      const callee = id === undefined ? calleeOf(state, expr, fn) : state.calls[id]?.callee;
      return GoScope.resultOf(callee);
    }
    default:
      return undefined;
  }
}

/** Go's predeclared functions and types: a call of one, or a method of one, is never project code. */
const PREDECLARED = new Set([
  'append', 'cap', 'clear', 'close', 'complex', 'copy', 'delete', 'imag', 'len', 'make', 'max', 'min', 'new', 'panic', 'print', 'println', 'real', 'recover',
  'any', 'bool', 'byte', 'comparable', 'complex64', 'complex128', 'error', 'float32', 'float64', 'int', 'int8', 'int16', 'int32', 'int64', 'rune', 'string',
  'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
]);

/** A type or function of this package (not imported, not predeclared): it may be declared in another file of the folder. */
function packageLocal(name: string): boolean {
  return /^[A-Za-z_]\w*$/.test(name) && !PREDECLARED.has(name);
}

/**
 * The callee of a call, resolved through imports and declared types. A function or method of the
 * package that this file does not declare is named `./helper` or `./Store.Save`: it is in another
 * file of the same folder, where the linker (languages/go/resolver.ts) looks for it.
 */
function calleeOf(state: GoState, call: GoNode, fn: GoFn | undefined): string | undefined {
  const fnNode = field(call, 'function');
  if (fnNode?.type === 'identifier') {
    const name = state.text.slice(fnNode.start, fnNode.end);
    if (state.funcs.has(name) || !packageLocal(name) || varType(state, fn, name) !== undefined || declaredLocally(fn, name)) return undefined;
    return `./${name}`;
  }
  if (!fnNode || fnNode.type !== 'selector_expression') return undefined;
  const op = field(fnNode, 'operand');
  const member = field(fnNode, 'field');
  if (!op || !member) return undefined;
  const name = state.text.slice(member.start, member.end);
  if (op.type === 'identifier') {
    const id = state.text.slice(op.start, op.end);
    const pkg = state.scope.imports.get(id);
    if (pkg !== undefined && varType(state, fn, id) === undefined) return `${pkg}.${name}`;
  }
  const t = exprType(state, op, fn);
  if (t === undefined) {
    const path = fieldPath(state, op, fn, 0);
    return path === undefined ? undefined : `${path}.${name}`;
  }
  // A method promoted from an embedded type (`type Store struct{ *sql.DB }`). Go picks it by which
  // embedded type declares the method, not by field order: one of this file that declares it is
  // named directly; else, when the struct embeds types of the package declared in other files
  // (`type Server struct{ *Cache; *Store }`), the call is named through the struct (`./Server.Save`)
  // and the linker tries the struct's own methods, then each embedded type it re-exports.
  const s = state.scope.struct(t);
  if (s && !state.funcs.has(`${t}.${name}`)) {
    const here = s.embedded.find((e) => state.funcs.has(`${e}.${name}`));
    if (here !== undefined) return `${here}.${name}`;
    const others = s.embedded.filter((e) => !state.scope.structs.has(e));
    if (others.some(packageLocal)) return `./${t}.${name}`;
    const external = others[0];
    if (external !== undefined) return `${external}.${name}`;
  }
  if (packageLocal(t) && !state.funcs.has(`${t}.${name}`)) return `./${t}.${name}`;
  return `${t}.${name}`;
}

/**
 * A field of a struct this file does not declare, as a path the linker follows (`n.peer` with `n` an
 * `NSQD` declared in another file of the package: `./NSQD.peer`; a field of a type of another
 * package of the project: `example.com/m/store.Store.db`). The file that declares the struct
 * re-exports each field as its type (`NSQD.peer` → `lookupPeer`), so `./NSQD.peer.Command` links to
 * `lookupPeer.Command`. Only for calls: the type of such a field stays unknown to everything else.
 */
function fieldPath(state: GoState, expr: GoNode, fn: GoFn | undefined, depth: number): string | undefined {
  if (expr.type !== 'selector_expression' || depth > 4) return undefined;
  const op = field(expr, 'operand');
  const f = field(expr, 'field');
  if (!op || !f) return undefined;
  const name = state.text.slice(f.start, f.end);
  const t = exprType(state, op, fn);
  if (t === undefined) {
    const inner = fieldPath(state, op, fn, depth + 1);
    return inner === undefined ? undefined : `${inner}.${name}`;
  }
  if (state.scope.structs.has(t)) return undefined;
  if (packageLocal(t)) return `./${t}.${name}`;
  // A type of another package of the project (its import path names a host: `example.com/…`).
  return /^[\w-]+\.[\w.-]+\/[^ ]*\.[A-Za-z_]\w*$/.test(t) ? `${t}.${name}` : undefined;
}

/** A name bound in the function or one around it without a type the file states (`f := pick()`, a parameter of a func type). */
function declaredLocally(fn: GoFn | undefined, name: string): boolean {
  for (let f = fn; f; f = f.parent) if (f.untyped.has(name) || f.receiver?.name === name) return true;
  return false;
}

function addVars(state: GoState, fn: GoFn, node: GoNode): void {
  const { text, scope } = state;
  if (node.type === 'parameter_declaration' || node.type === 'variadic_parameter_declaration' || node.type === 'var_spec') {
    const type = field(node, 'type');
    const names = node.children.filter((c) => c.field === 'name');
    const value = field(node, 'value');
    names.forEach((n, i) => {
      // `var ( ch = make(chan T, n) )`, as alertmanager's provider/mem/mem.go declares its channels.
      const made = value?.children.filter((c) => c.type !== ',')[i];
      const cap = made ? makeCapacity(text, made) : undefined;
      if (cap !== undefined) fn.capacities.set(text.slice(n.start, n.end), cap);
      const t = type ? scope.resolveType(textOf(text, type)) : exprType(state, value?.children[i], fn);
      if (t !== undefined) fn.vars.set(text.slice(n.start, n.end), t);
      else fn.untyped.add(text.slice(n.start, n.end));
    });
    return;
  }
  // short_var_declaration
  const left = field(node, 'left')?.children ?? [];
  const right = field(node, 'right')?.children ?? [];
  left.forEach((n, i) => {
    if (n.type !== 'identifier') return;
    const value = right.length === left.length ? right[i] : i === 0 ? right[0] : undefined;
    const cap = value ? makeCapacity(text, value) : undefined;
    if (cap !== undefined) fn.capacities.set(text.slice(n.start, n.end), cap);
    const t = exprType(state, value, fn);
    if (t !== undefined) fn.vars.set(text.slice(n.start, n.end), t);
    else fn.untyped.add(text.slice(n.start, n.end));
  });
}

/** The capacity argument of `make(chan T, n)`, as written. */
function makeCapacity(text: string, value: GoNode): string | undefined {
  if (value.type !== 'call_expression') return undefined;
  const f = field(value, 'function');
  const args = field(value, 'arguments')?.children ?? [];
  if (!f || text.slice(f.start, f.end) !== 'make' || args[0]?.type !== 'channel_type' || !args[1]) return undefined;
  return textOf(text, args[1]);
}

/**
 * A send that cannot wait: on a local channel made with room for it (one send, not in a loop, into
 * `make(chan T, 1)`; one send per item of `range xs` into `make(chan T, len(xs))`), or right after a
 * `select` that drains the same channel with a `default` (the replace-latest idiom).
 */
function sendFits(state: GoState, node: GoNode, ch: GoNode): boolean {
  const { text } = state;
  const name = textOf(text, ch);
  const siblings = (node.parent?.children ?? []).filter((c) => c.type !== 'comment');
  const prev = siblings[siblings.indexOf(node) - 1];
  if (prev?.type === 'select_statement' && prev.children.some((c) => c.type === 'default_case')) {
    const drains = prev.children.some((c) => {
      const comm = c.type === 'communication_case' ? field(c, 'communication') : undefined;
      const recv = comm?.type === 'receive_statement' ? field(comm, 'right') : comm;
      const op = recv?.type === 'unary_expression' ? field(recv, 'operand') : undefined;
      return op !== undefined && textOf(text, op) === name;
    });
    if (drains) return true;
  }
  if (firstIntoFreshBuffer(state, node, ch)) return true;
  if (ch.type !== 'identifier') return false;
  let cap: string | undefined;
  let owner: GoFn | undefined;
  for (let f = enclosingFn(state, node); f && cap === undefined; f = f.parent) {
    cap = f.capacities.get(name);
    owner = f;
  }
  if (cap === undefined || !owner) return false;
  if (/^[1-9]\d*$/.test(cap)) return !insideLoop(node);
  // `len(xs)`, or at least that: `max(len(xs), n)` (alertmanager's provider/mem/mem.go `Subscribe`).
  const len = /^len\((.+)\)$/.exec(cap) ?? /^max\((?:.*,\s*)?len\(([^()]+)\)\s*(?:,.*)?\)$/.exec(cap);
  if (!len) return false;
  for (let n = node.parent; n && n !== owner.node; n = n.parent) {
    if (n.type !== 'for_statement') continue;
    const range = n.children.find((c) => c.type === 'range_clause');
    const over = range ? field(range, 'right') : undefined;
    if (over && textOf(text, over) === len[1]) return true;
  }
  return false;
}

/**
 * A send that is the first into a channel the function has just made with a buffer, kept in a field
 * or a name (nats.go's pubAckFuture.Ok: `paf.doneCh = make(chan *PubAck, 1)`, then under `if paf.pa
 * != nil` the send): the `make` is a statement of a block that holds the send, and between them
 * nothing sends into it, hands it on, or starts a goroutine, and no loop around the send repeats it.
 * No other goroutine can have filled a channel it has not seen yet (one reading the field meanwhile
 * would race with the assignment).
 */
function firstIntoFreshBuffer(state: GoState, send: GoNode, ch: GoNode): boolean {
  const { text } = state;
  const channel = textOf(text, ch);
  if (!/^\w+(?:\.\w+)*$/.test(channel)) return false;
  const word = new RegExp(`(?:^|[^\\w.])${channel.replace(/\./g, '\\.')}(?![\\w])`);
  for (let inner: GoNode = send, list = send.parent; list && !FUNCTION_TYPES.has(list.type); inner = list, list = list.parent) {
    if (LOOP_TYPES.has(list.type)) return false;
    if (list.type !== 'statement_list') continue;
    const at = list.children.indexOf(inner);
    for (let i = at - 1; i >= 0; i--) {
      const st = list.children[i]!;
      if (st.type === 'comment') continue;
      if (makesBuffered(state, st, channel)) {
        // Between the make and the send: no send into it, no use of it in a call, no goroutine.
        // A call that names the value it hangs off (`paf.flush()`, `f(paf)`) may send into it too.
        const root = new RegExp(`(?:^|[^\\w.])${/^\w+/.exec(channel)![0]}(?![\\w])`);
        let touched = false;
        const between = (n: GoNode): boolean => {
          if (touched || n.start >= send.start) return false;
          if (n.end <= send.start) {
            if (n.type === 'go_statement' || n.type === 'send_statement') touched = true;
            // Any call but of a predeclared function may send into it (a local closure `deliver(last)` that does).
            const f = n.type === 'call_expression' ? field(n, 'function') : undefined;
            if (n.type === 'call_expression' && (word.test(textOf(text, n)) || root.test(textOf(text, n)) || f?.type !== 'identifier' || !PREDECLARED.has(textOf(text, f)))) touched = true;
          }
          return !touched;
        };
        for (const later of list.children.slice(i + 1, at + 1)) walk(later, between);
        return !touched;
      }
      // Any other write of it (or of what it hangs off) first: not followed.
      if (word.test(textOf(text, st)) && assignedTargetsText(text, st).some((t) => channel === t || channel.startsWith(`${t}.`))) return false;
    }
  }
  return false;
}

/** The targets a statement assigns, as written (whitespace dropped). */
function assignedTargetsText(text: string, st: GoNode): string[] {
  const out: string[] = [];
  walk(st, (n) => {
    for (const t of assignedTargets(n)) out.push(textOf(text, t).replace(/\s+/g, ''));
    return true;
  });
  return out;
}

/** Reads the whole file into the model. */
export function buildModel(root: GoNode, text: string, path: string, catalog: Catalog, syntaxErrors: number): { model: FileModel; state: GoState } {
  const scope = new GoScope(text);
  const comments: Comment[] = [];
  const fnNodes: GoNode[] = [];
  const callNodes: GoNode[] = [];
  const varNodes: GoNode[] = [];
  const consts: GoState['consts'] = new Map();
  const parkNodes: GoNode[] = [];
  const goNodes: GoNode[] = [];
  const loopNodes: GoNode[] = [];
  const assignNodes: GoNode[] = [];
  walk(root, (n) => {
    switch (n.type) {
      case 'import_spec':
        scope.addImport(n);
        return false;
      case 'type_spec': {
        const name = field(n, 'name');
        const type = field(n, 'type');
        if (name && type?.type === 'struct_type') scope.addStruct(text.slice(name.start, name.end), type);
        return false;
      }
      case 'comment': {
        const raw = text.slice(n.start, n.end);
        comments.push({ span: span(n), text: raw.startsWith('//') ? raw.slice(2) : raw.slice(2, -2) });
        return false;
      }
      case 'call_expression':
        callNodes.push(n);
        return;
      case 'const_spec': {
        const values = field(n, 'value')?.children ?? [];
        n.children.filter((c) => c.field === 'name').forEach((c, i) => {
          const name = text.slice(c.start, c.end);
          if (values[i]) consts.set(name, [...(consts.get(name) ?? []), { spec: n, value: values[i]! }]);
        });
        return;
      }
      case 'parameter_declaration':
      case 'variadic_parameter_declaration':
      case 'var_spec':
      case 'short_var_declaration':
        varNodes.push(n);
        return;
      case 'for_statement':
        loopNodes.push(n);
        parkNodes.push(n);
        return;
      case 'send_statement':
      case 'select_statement':
        parkNodes.push(n);
        return;
      case 'go_statement':
        goNodes.push(n);
        return;
      case 'assignment_statement':
        assignNodes.push(n);
        return;
      case 'unary_expression':
        if (text.startsWith('<-', n.start)) parkNodes.push(n);
        return;
      default:
        if (FUNCTION_TYPES.has(n.type)) fnNodes.push(n);
        return;
    }
  });
  // Package-level `var mu sync.Mutex`.
  for (const v of varNodes) {
    if (v.type !== 'var_spec' || v.parent?.parent?.type !== 'source_file') continue;
    const type = field(v, 'type');
    if (!type) continue;
    const t = scope.resolveType(textOf(text, type));
    if (t !== undefined) for (const n of v.children.filter((c) => c.field === 'name')) scope.vars.set(text.slice(n.start, n.end), t);
  }

  const state: GoState = { text, scope, fns: [], fnOfNode: new Map(), callOfNode: new Map(), nodeOfCall: new Map(), calls: [], catalog, funcs: new Map(), leaks: new Map(), fanOutNodes: new Map(), consts };
  const contexts: AsyncContext[] = [];
  const functions: FunctionInfo[] = [];
  for (const node of fnNodes) {
    const parent = enclosingFn(state, node);
    const id = functions.length;
    const nameNode = node.type === 'func_literal' ? undefined : field(node, 'name');
    let receiver: GoFn['receiver'];
    if (node.type === 'method_declaration') {
      const param = field(node, 'receiver')?.children.find((c) => c.type === 'parameter_declaration');
      const rName = param ? field(param, 'name') : undefined;
      const rType = param ? field(param, 'type') : undefined;
      const t = rType ? scope.resolveType(textOf(text, rType)) : undefined;
      if (t !== undefined) receiver = { name: rName ? text.slice(rName.start, rName.end) : '', type: t };
    }
    const own = nameNode ? text.slice(nameNode.start, nameNode.end) : undefined;
    const name = own !== undefined && receiver ? `${receiver.type}.${own}` : own;
    const spawned = node.type === 'func_literal' && node.field === 'function' && node.parent?.type === 'call_expression' && node.parent.parent?.type === 'go_statement';
    const outer = parent?.info.name;
    const ctxName = name ?? (spawned ? (outer !== undefined ? `goroutine in ${outer}` : 'goroutine') : outer !== undefined ? `function literal in ${outer}` : 'function literal');
    const context = contexts.length;
    const nameSpan = nameNode ? span(nameNode) : { start: node.start, end: node.start + 4 };
    contexts.push({
      id: context, kind: spawned ? 'spawned-task' : 'async-function', name: ctxName, span: span(node), nameSpan,
      reason: spawned ? 'runs on its own goroutine, started by `go`' : 'runs on the goroutine that calls it, which parks on channels, locks and I/O', functionId: id,
    });
    const info: FunctionInfo = {
      id, ...(name !== undefined ? { name } : {}), span: span(node), ...(nameNode ? { nameSpan } : {}),
      ...(parent ? { parent: parent.info.id } : {}), context, offloaded: false, isAsync: false,
      // A literal handed to a call (`wg.Wrap(func() { … })`, `time.AfterFunc(d, func() { … })`) may run on
      // another goroutine or later: what it does is not part of the enclosing function's call. The
      // standard library's walkers, sorters and searches call it before they return: it is.
      ...(node.type === 'func_literal' && node.parent?.type === 'argument_list' && !runsInline(text, node.parent.parent) ? { deferred: true } : {}),
    };
    functions.push(info);
    const rec: GoFn = { node, info, parent, ...(receiver ? { receiver } : {}), vars: new Map(), spawned, capacities: new Map(), untyped: new Set() };
    state.fns.push(rec);
    state.fnOfNode.set(node, rec);
    if (own !== undefined) state.funcs.set(receiver ? `${receiver.type}.${own}` : own, id);
  }
  // Declarations in source order, so `db, _ := sql.Open(…)` is typed before `db.Query` is resolved.
  for (const v of varNodes) {
    const fn = enclosingFn(state, v);
    if (fn) addVars(state, fn, v);
  }
  // `for _, validate := range validators { validate(x) }` calls the loop's value, not a package function.
  for (const loop of loopNodes) {
    const left = field(loop.children.find((c) => c.type === 'range_clause') ?? loop, 'left');
    const fn = left && enclosingFn(state, loop);
    for (const n of fn ? (left.type === 'identifier' ? [left] : left.children) : []) if (n.type === 'identifier') fn!.untyped.add(text.slice(n.start, n.end));
  }
  for (const node of callNodes) {
    const site = readCall(state, node);
    state.callOfNode.set(node, site.id);
    state.nodeOfCall.set(site.id, node);
    state.calls.push(site);
  }
  const acquisitions: Acquisition[] = [];
  const heldRegions = buildHeldRegions(state, acquisitions);
  const fills = channelFills(state);
  const yieldPoints = readParkingPoints(state, parkNodes, catalog, heldRegions, fills);
  const uses = lockUses(state, heldRegions, yieldPoints, acquisitions);
  // `g.Go(func() error { … })` on an errgroup starts a goroutine like `go` does.
  const starters = [...goNodes, ...callNodes.filter((n) => isErrgroupGo(state, n))].sort((a, b) => a.start - b.start);
  // Every function and method of the file, exported or not: the other files of the package call
  // them all, and only the package's own files name the unexported ones.
  const exported = state.fns.filter((f) => f.node.type !== 'func_literal' && f.info.name !== undefined).map((f) => ({ name: f.info.name!, functionId: f.info.id }));
  const model: FileModel = {
    language: 'go', path, contexts, functions: fills.size === 0 ? functions : functions.map((f) => (fills.has(f.id) ? { ...f, fills: fills.get(f.id)! } : f)), yieldPoints, heldRegions, calls: state.calls, exports: { functions: exported, reexports: fieldReexports(scope) },
    channels: findGoChannelBypasses(state, goNodes, assignNodes), spawns: findGoLeaks(state, goNodes),
    fanOuts: findGoFanOuts(state, starters), retries: findGoRetries(state, loopNodes), comments, syntaxErrors,
    ...(uses.length > 0 ? { lockUses: uses } : {}),
  };
  return { model, state };
}

function readCall(state: GoState, node: GoNode): CallSite {
  const { text } = state;
  const fn = enclosingFn(state, node);
  const fnNode = field(node, 'function') ?? node.children[0]!;
  const args = field(node, 'arguments') ?? node.children[node.children.length - 1]!;
  const calleeText = cappedTextOf(text, fnNode);
  const callee = calleeOf(state, node, fn);
  let member = calleeText.slice(calleeText.lastIndexOf('.') + 1);
  let localTarget: number | undefined;
  if (fnNode.type === 'identifier') localTarget = state.funcs.get(calleeText);
  else if (fnNode.type === 'selector_expression') {
    const m = field(fnNode, 'field');
    if (m) member = text.slice(m.start, m.end);
    const t = exprType(state, field(fnNode, 'operand'), fn);
    if (t !== undefined) localTarget = state.funcs.get(`${t}.${member}`);
  }
  const argCount = args.children.filter((c) => c.type !== 'comment').length;
  // `removeSession(sess, false)`: a flag that decides whether the callee locks (locks.ts guardedLocks).
  const argNodes = args.children.filter((c) => c.type !== 'comment' && c.type !== '(' && c.type !== ')' && c.type !== ',');
  const boolArgs = argNodes.some((a) => a.type === 'true' || a.type === 'false') ? argNodes.map((a) => (a.type === 'true' ? true : a.type === 'false' ? false : null)) : undefined;
  return {
    id: state.calls.length, span: span(node), calleeSpan: span(fnNode), argsSpan: span(args), calleeText,
    ...(callee !== undefined ? { callee } : {}), member, ...(localTarget !== undefined ? { localTarget } : {}),
    ...(fn ? { functionId: fn.info.id, context: fn.info.context! } : {}),
    awaited: false, inLoop: insideLoop(node), resultUnused: node.parent?.type === 'expression_statement', argCount,
    ...(node.parent?.type === 'go_statement' ? { spawns: true } : {}), ...(node.parent?.type === 'defer_statement' ? { deferred: true } : {}),
    ...(boolArgs ? { boolArgs } : {}),
  };
}

/** Inside a `select` case's communication: the `select` is the parking point, not the case. */
function inSelectCase(node: GoNode): boolean {
  let n = node.parent;
  if (n?.type === 'receive_statement') n = n.parent;
  return n?.type === 'communication_case' && node.parent !== undefined && (node.field === 'communication' || node.parent.field === 'communication');
}

const CTX_ARG = /^(?:ctx|context\.(?:Background|TODO)\(\)|[\w.]+\.Context\(\))$/;
const CLIENT_NAME = /client|stub|cli$|conn$|db$|store|repo|api$|svc$|service/i;

/** Why a call parks the goroutine, if it does (a catalog entry, I/O, or a client call that takes a `ctx`). */
function callParking(state: GoState, call: CallSite, fn: GoFn | undefined, catalog: Catalog): Parking | undefined {
  const shown = `\`${call.calleeText}\``;
  if (call.callee !== undefined) {
    const park = PARKING_CALLS.get(call.callee);
    // `time.Sleep(50)` is 50 ns (a Duration without a unit; nats-server's pse_windows.go): under a millisecond is no wait.
    if (call.callee === 'time.Sleep' && sleepNanoseconds(state, call, fn) < 1_000_000) return undefined;
    if (park) return { what: shown, until: park.until };
    if (catalog.diskIo?.has(call.callee)) return { what: `${shown} (file I/O)`, until: 'until the disk answers', disk: true };
    if (isIoCall(catalog, call.callee)) return { what: `${shown} (I/O)`, until: 'until the I/O completes' };
  }
  // A method taking a `context.Context` first on a client, store or stub: by Go convention it may
  // go to the network (a gRPC stub, a database or HTTP client interface).
  // A same-file function is judged by its body, not by its signature.
  if (call.localTarget !== undefined || call.argCount === 0 || CONTEXT_ONLY_METHODS.has(call.member) || !call.calleeText.includes('.')) return undefined;
  const args = state.text.slice(call.argsSpan.start + 1, call.argsSpan.end - 1);
  // Up to the first comma (not `split`: a function literal argument can be long).
  const comma = args.indexOf(',');
  const first = (comma < 0 ? args : args.slice(0, comma)).trim();
  const firstIsCtx = CTX_ARG.test(first) || (/^\w+$/.test(first) && varType(state, fn, first) === 'context.Context');
  if (!firstIsCtx) return undefined;
  const recv = call.calleeText.slice(0, call.calleeText.lastIndexOf('.'));
  if (state.scope.imports.has(recv)) return undefined;
  const lastSeg = recv.slice(recv.lastIndexOf('.') + 1);
  const recvNode = state.nodeOfCall.get(call.id);
  const recvType = recvNode ? exprType(state, field(field(recvNode, 'function')!, 'operand'), fn) : undefined;
  if (!CLIENT_NAME.test(lastSeg) && !(recvType !== undefined && CLIENT_NAME.test(recvType.slice(recvType.lastIndexOf('.') + 1)))) return undefined;
  return { what: `${shown} (a call to another service)`, until: 'until the remote call returns' };
}

/**
 * The nanoseconds `time.Sleep` is given when its argument is an integer literal (`time.Sleep(50)`),
 * or a constant of this file declared as one (`const pollNs = 50; time.Sleep(pollNs)`: an untyped
 * constant becomes a Duration of that many nanoseconds); NaN otherwise.
 */
function sleepNanoseconds(state: GoState, call: CallSite, fn: GoFn | undefined): number {
  const args = state.text.slice(call.argsSpan.start, call.argsSpan.end);
  const named = /^[\s(]*([A-Za-z_]\w*)[\s)]*$/.exec(args);
  if (!named || args.split('(').length !== args.split(')').length) return nanoseconds(args);
  const value = constantAt(state, named[1]!, fn, call.span.start);
  return value ? nanoseconds(`(${state.text.slice(value.start, value.end)})`) : NaN;
}

/**
 * The value of the constant `name` where code of `fn` at `at` reads it: declared in `fn` (before
 * `at`) or a function around it, else at package level; none when a parameter or variable of those
 * functions takes the name, or the package declares it more than once (in different files' scopes).
 */
function constantAt(state: GoState, name: string, fn: GoFn | undefined, at: number): GoNode | undefined {
  const specs = state.consts.get(name) ?? [];
  for (let f = fn; f; f = f.parent) {
    if (f.vars.has(name) || f.untyped.has(name)) return undefined;
    const local = specs.filter((c) => c.spec.end <= at && enclosingFn(state, c.spec) === f);
    if (local.length > 0) return local[local.length - 1]!.value;
  }
  const global = specs.filter((c) => c.spec.parent?.parent?.type === 'source_file');
  return global.length === 1 ? global[0]!.value : undefined;
}

/** The integer literal a call's argument list holds (`(50)`, `((1_000))`), in nanoseconds as a bare Duration is; NaN otherwise. */
function nanoseconds(args: string): number {
  const m = /^[\s(]*(\d[\d_]*)[\s)]*$/.exec(args);
  return m && args.split('(').length === args.split(')').length ? Number(m[1]!.replace(/_/g, '')) : NaN;
}

/**
 * Where a wait written at `node` runs when it runs at a function's return: a deferred call
 * (`defer c.unsubscribe(sub)`), or a wait in the body of a function literal that `defer` calls
 * (`defer func() { s.notify() }()`), whose body runs at the enclosing function's return. Undefined
 * for code that runs where it is written (a deferred call's arguments are evaluated at the `defer`).
 */
function atReturnOf(state: GoState, node: GoNode): { context: number; defer: Span } | undefined {
  if (node.type === 'call_expression' && node.parent?.type === 'defer_statement') {
    const fn = enclosingFn(state, node);
    return fn ? { context: fn.info.context!, defer: span(node.parent) } : undefined;
  }
  const fn = enclosingFn(state, node);
  const call = fn?.node.type === 'func_literal' && fn.node.field === 'function' ? fn.node.parent : undefined;
  if (call?.type !== 'call_expression' || call.parent?.type !== 'defer_statement' || !fn!.parent) return undefined;
  return { context: fn!.parent.info.context!, defer: span(call.parent) };
}

/**
 * The locks still held when a wait that runs at return ({@link atReturnOf}) runs: it runs after
 * the explicit `Unlock()`s on the way there (nats-server's `deliverMsg` defers `client.unsubscribe`,
 * which takes `client.mu`, inside its `client.mu` section and unlocks on every return path), and
 * before the deferred `Unlock()`s registered earlier (defers run last in, first out). So of the
 * sections around the `defer`, those released by a `defer …Unlock()` written before it; one is
 * enough for the wait to park under that lock.
 */
function heldAtReturn(regions: readonly HeldRegion[], at: { context: number; defer: Span } | undefined): HeldRegion[] {
  if (!at) return [];
  return regions.filter((r) => r.context === at.context && spanContains(r.span, at.defer) && at.defer.start >= r.acquireSpan.end && deferredBefore(r, at.defer));
}

/** A deferred call that runs with no lock of its function held (see {@link heldAtReturn}): not a wait under one. */
function deferredFree(state: GoState, regions: readonly HeldRegion[], node: GoNode): boolean {
  return node.parent?.type === 'defer_statement' && heldAtReturn(regions, atReturnOf(state, node)).length === 0;
}

/**
 * A token taken from a channel to gate file I/O and given back right after (nats-server's `dios`:
 * `<-dios; err := os.WriteFile(…); dios <- struct{}{}`): a semaphore that bounds how many goroutines
 * do file I/O at once. It is one when the receive is a statement of its own, a later statement of
 * the same list sends to the same channel, and the calls between them include file I/O and no
 * other I/O. Whether its receive waits only for others' disk work depends on the channel's other
 * holders too (see {@link tokenWait}).
 */
function diskGate(state: GoState, node: GoNode, channel: string, catalog: Catalog): boolean {
  const io = tokenIo(state, node, channel, catalog);
  return io !== undefined && io.length > 0 && io.every((c) => catalog.diskIo!.has(c.callee!));
}

/** The I/O calls made while the token the receive `node` takes is held, up to the send of the same list that gives it back; undefined when none does. */
function tokenIo(state: GoState, node: GoNode, channel: string, catalog: Catalog): CallSite[] | undefined {
  const stmt = node.parent;
  const list = stmt?.type === 'expression_statement' ? stmt.parent : undefined;
  if (!stmt || !list || !catalog.diskIo) return undefined;
  const sibs = list.children;
  const from = sibs.indexOf(stmt);
  const back = sibs.findIndex((st, i) => i > from && st.type === 'send_statement' && textOf(state.text, field(st, 'channel') ?? st) === channel);
  if (back < 0) return undefined;
  const between = { start: stmt.end, end: sibs[back]!.start };
  return state.calls.filter((c) => spanContains(between, c.span) && c.callee !== undefined && isIoCall(catalog, c.callee));
}

/**
 * How long the receive of a file-I/O gate (see {@link diskGate}) waits: until another holder gives
 * the token back. The other receives of the same channel in the file (`s.sem` in any method of the
 * same type) say what those holders do; when one holds it across other I/O (an upload that takes
 * the token around `http.Post`), or the file does not show when it gives it back, the wait is not
 * bounded by the disk. Holders in other files of the package are not seen, and the wording says so.
 */
function tokenWait(state: GoState, receives: readonly GoNode[], node: GoNode, channel: string, catalog: Catalog): { until: string; disk: boolean } {
  const fn = enclosingFn(state, node);
  const key = fn ? lockKeyOf(channel, fn) : channel;
  for (const other of receives) {
    if (other === node || inSelectCase(other)) continue;
    const op = field(other, 'operand');
    const ofn = enclosingFn(state, other);
    if (!op || !ofn) continue;
    const written = textOf(state.text, op);
    if (lockKeyOf(written, ofn) !== key) continue;
    const io = tokenIo(state, other, written, catalog);
    const network = io?.find((c) => !catalog.diskIo!.has(c.callee!));
    const holder = ofn.info.name !== undefined ? `\`${ofn.info.name}\`` : 'a function literal';
    if (network) return { until: `until another holder of the token gives it back (${holder} holds it across \`${network.calleeText}\`)`, disk: false };
    if (io === undefined) return { until: `until another holder of the token gives it back (${holder} takes it and gives it back elsewhere, if at all)`, disk: false };
  }
  return { until: 'until another holder of the token gives it back (every holder in this file holds it across file I/O only)', disk: true };
}

/**
 * `dios <- struct{}{}` closing a gate: the token taken by the earlier `<-dios` of the same list is
 * given back, and a buffered channel has room for it (it held it before), so the send does not
 * wait. Only for a file-I/O gate (see {@link diskGate}) or a channel the file makes with a capacity
 * (`var calls = make(chan struct{}, 4)`): on an unbuffered one a send after a receive may well wait.
 */
function givesTokenBack(state: GoState, send: GoNode, ch: GoNode, catalog: Catalog): boolean {
  const list = send.parent;
  if (!list) return false;
  const channel = textOf(state.text, ch);
  const at = list.children.indexOf(send);
  return list.children.some((st, i) => {
    if (i >= at || st.type !== 'expression_statement') return false;
    const e = st.children[0];
    if (e?.type !== 'unary_expression' || !state.text.startsWith('<-', e.start) || textOf(state.text, field(e, 'operand') ?? e) !== channel) return false;
    return diskGate(state, e, channel, catalog) || (/^\w+$/.test(channel) && new RegExp(`\\b${channel}\\s*:?=\\s*make\\(\\s*chan\\b[^,()]*(?:\\([^()]*\\)[^,()]*)*,\\s*[^)\\s0]`).test(state.text));
  });
}

/** Reads the parking points: channel operations, `select`, `range` over a channel, and calls that park. */
function readParkingPoints(state: GoState, parkNodes: GoNode[], catalog: Catalog, regions: readonly HeldRegion[], fills: ReadonlyMap<number, ChannelFills>): YieldPoint[] {
  const { text } = state;
  type Raw = {
    kind: YieldKind; span: Span; keywordSpan: Span; context: number; calls: number[]; parking: Parking; fn: number;
    releases?: string[]; handedBack?: string[]; expectsHeld?: ExpectedLock[]; givenUpBefore?: { call: number; key: string }[]; filledBy?: YieldPoint['filledBy']; reacquires?: string[]; atReturn?: { context: number; defer: Span };
  };
  const raws: Raw[] = [];
  const push = (node: GoNode, kind: YieldKind, keywordSpan: Span, parking: Parking, calls: number[] = []): void => {
    const fn = enclosingFn(state, node);
    if (!fn) return;
    const ret = atReturnOf(state, node);
    const atReturn = ret && heldAtReturn(regions, ret).length > 0 ? ret : undefined;
    raws.push({ kind, span: span(node), keywordSpan, context: fn.info.context!, calls, parking, fn: fn.info.id, ...(atReturn ? { atReturn } : {}) });
  };
  const receives = parkNodes.filter((n) => n.type === 'unary_expression');
  for (const node of parkNodes) {
    switch (node.type) {
      case 'send_statement': {
        const ch = field(node, 'channel');
        if (inSelectCase(node) || (ch && (sendFits(state, node, ch) || givesTokenBack(state, node, ch, catalog)))) break;
        const arrow = text.indexOf('<-', ch?.end ?? node.start);
        push(node, 'send', { start: arrow, end: arrow + 2 }, { what: ch ? `a send on \`${textOf(text, ch)}\`` : 'a channel send', until: 'until a receiver arrives' });
        break;
      }
      case 'unary_expression': {
        if (inSelectCase(node)) break;
        const op = field(node, 'operand');
        const opText = op ? textOf(text, op) : '';
        const timer = /^time\.(?:After|Tick)\(/.test(opText);
        const done = /\.Done\(\)$/.test(opText);
        const parking: Parking = timer
          ? { what: `\`<-${opText.replace(/\(.*$/s, '(…)')}\``, until: 'for the whole delay' }
          : done ? { what: `\`<-${opText}\``, until: 'until the context is cancelled' } : { what: `a receive from \`${opText}\``, until: 'until a value arrives' };
        // The value a call just put into a channel made here with a buffer: taken at once.
        const filled = timer || done ? undefined : filledBefore(state, fills, node);
        if (filled === 'local') break;
        const before = raws.length;
        const gate = diskGate(state, node, opText, catalog) ? tokenWait(state, receives, node, opText, catalog) : undefined;
        push(node, 'receive', { start: node.start, end: node.start + 2 }, gate ? { ...parking, until: gate.until, ...(gate.disk ? { disk: true as const } : {}) } : parking);
        if (filled && raws.length > before) raws[before]!.filledBy = filled;
        break;
      }
      case 'select_statement':
        if (!node.children.some((c) => c.type === 'default_case')) {
          push(node, 'select', { start: node.start, end: node.start + 6 }, { what: 'a `select`', until: 'until one of its cases is ready' });
        }
        break;
      case 'for_statement': {
        const range = node.children.find((c) => c.type === 'range_clause');
        const over = range ? field(range, 'right') : undefined;
        if (!over) break;
        const t = exprType(state, over, enclosingFn(state, node));
        if (t?.startsWith('chan ')) {
          push(node, 'receive', { start: node.start, end: node.start + 3 }, { what: `a \`range\` over channel \`${textOf(text, over)}\``, until: 'until a value arrives or the channel is closed' });
        }
        break;
      }
    }
  }
  const nodeOfCall = state.nodeOfCall;
  for (const call of state.calls) {
    if (call.functionId === undefined) continue;
    const node = nodeOfCall.get(call.id)!;
    // `<-time.After(d)` is read once, as the receive.
    if (node.parent?.type === 'unary_expression' && text.startsWith('<-', node.parent.start)) continue;
    if (node.parent?.type === 'go_statement' || deferredFree(state, regions, node)) continue;
    const parking = callParking(state, call, state.fns[call.functionId], catalog);
    if (parking) push(node, 'park', span(field(node, 'function') ?? node), parking, [call.id]);
  }
  // Same-file functions that reach a parking point park their caller too (to a fixed point).
  // Per function, the first wait it makes, unless that only touches the disk and a later one does not.
  const parksIn = new Map<number, Parking>();
  const better = (fn: number, p: Parking): boolean => {
    const had = parksIn.get(fn);
    return had === undefined || (had.disk === true && p.disk !== true);
  };
  for (const r of [...raws].sort((a, b) => a.span.start - b.span.start)) if (better(r.fn, r.parking)) parksIn.set(r.fn, r.parking);
  const helperCalls = state.calls.filter((c) => c.localTarget !== undefined && c.functionId !== undefined && c.localTarget !== c.functionId);
  // Functions whose one wait is a single send into a parameter: a call handing them a channel just made with a buffer does not park.
  const sendsOnce = onlySendsOnce(state, raws, helperCalls);
  const done = new Set<number>();
  const helperRaw = new Map<number, Raw>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const call of helperCalls) {
      const inner = parksIn.get(call.localTarget!);
      // Read again only when the callee's wait turned out to reach past the disk (see `better`).
      const seen = helperRaw.get(call.id);
      if (!inner || done.has(call.id) || (seen !== undefined && (seen.parking.disk !== true || inner.disk === true))) continue;
      const node = nodeOfCall.get(call.id)!;
      if (node.parent?.type === 'go_statement' || deferredFree(state, regions, node) || fillsFreshBuffer(state, node, sendsOnce.get(call.localTarget!))) {
        done.add(call.id);
        continue;
      }
      const what = `\`${call.calleeText}\`, which parks on ${inner.what.replace(/^`([^`]*)`, which parks on .*$/, '`$1`')}`;
      const parking: Parking = { what, until: inner.until, ...(inner.disk ? { disk: true as const } : {}) };
      if (seen) seen.parking = parking;
      else {
        const before = raws.length;
        push(node, 'park', span(field(node, 'function') ?? node), parking, [call.id]);
        if (raws.length > before) helperRaw.set(call.id, raws[before]!);
      }
      if (better(call.functionId!, parking)) {
        parksIn.set(call.functionId!, parking);
        changed = true;
      }
    }
  }
  // A method that hands its caller's lock back (its first operation on it is `Unlock()`: nats-server's
  // `stalledWait`) and parks only while it has released it: the call parks without that lock.
  for (const r of raws) {
    const call = r.kind === 'park' && r.calls.length === 1 ? state.calls[r.calls[0]!] : undefined;
    const target = call?.localTarget === undefined ? undefined : state.fns[call.localTarget];
    if (!call || !target?.receiver || call.functionId === undefined) continue;
    const { releases, handedBack, held } = releasedBy(state, raws, regions, target, call);
    if (releases.length > 0) r.releases = releases;
    if (handedBack.length > 0) r.handedBack = handedBack;
    // Its waits between the `Unlock()` and the relock are not the caller's, nor those after the
    // relock (reported in it): name the one it makes before releasing the caller's lock, and say where.
    if (held) r.parking = { what: `\`${call.calleeText}\`, which parks on ${held.parking.what.replace(/^`([^`]*)`, which parks on .*$/, '`$1`')}`, until: held.parking.until, inside: held.span, ...(held.parking.disk ? { disk: true as const } : {}) };
  }
  // Calls of functions that give a caller's lock up, and the waits after them in their function.
  const givers: { call: CallSite; key: string }[] = [];
  for (const call of state.calls) {
    if (call.localTarget === undefined || call.functionId === undefined || !regions.some((g) => g.entry === true)) continue;
    const target = state.fns[call.localTarget]!;
    // Only one that unlocks on every call: its unlock a statement of its body, not one under an `if`.
    const top = statementsOf(field(target.node, 'body'));
    const always = (at: Span): boolean => top.some((st) => st.start <= at.start && at.end <= st.end && (st.type === 'expression_statement' || st.type === 'defer_statement'));
    for (const e of expectedLocks(state, regions, target, call)) if (!e.relocks && e.key !== undefined && always(e.unlock)) givers.push({ call, key: e.key });
  }
  if (givers.length > 0) {
    for (const r of raws) {
      const before = givers.filter((g) => g.call.functionId === r.fn && g.call.span.end <= r.span.start).map((g) => ({ call: g.call.id, key: g.key }));
      if (before.length > 0) r.givenUpBefore = before;
    }
  }
  // The locks a called function unlocks before it takes them: its call must hold them.
  for (const r of raws) {
    const call = r.kind === 'park' && r.calls.length === 1 ? state.calls[r.calls[0]!] : undefined;
    if (call?.localTarget === undefined || call.functionId === undefined) continue;
    const expected = expectedLocks(state, regions, state.fns[call.localTarget]!, call);
    if (expected.length > 0) r.expectsHeld = expected;
  }
  // The caller's locks held at a call of a same-file function that takes them again, as the call
  // passes them (its receiver's or parameter's lock is the one this call names: `s.reload()` on a
  // local `s`; a mutex of its own local is none of the caller's), with the first such holder.
  const takenAgain = (call: CallSite, node: GoNode): { holder: HeldRegion; keys: string[] } | undefined => {
    const stmt = node.parent?.type;
    // Where it is written, under its own function's sections; at return (deferred, or in a deferred
    // literal's body), also under the enclosing function's sections released by an earlier deferred unlock.
    const atReturn = heldAtReturn(regions, atReturnOf(state, node));
    const here = stmt === 'defer_statement' ? [] : regions.filter((r) => r.context === call.context && r.span.start <= call.span.start && call.span.end <= r.span.end && call.span.start >= r.acquireSpan.end);
    const target = state.fns[call.localTarget!]!;
    // Not one it holds for its caller: on entry, or taken again to hand back after releasing it.
    const own = regions.filter((r) => r.context === target.info.context && !r.entry && !r.relock && !flaggedOff(r, call));
    const keys = new Set(own.map((r) => callersKey(state, target, call, r)));
    // Every held section is tested, not the first that contains the call (`r.mu` then `e.mu`, `e.bump()`).
    const holders = [...here, ...atReturn].filter((h) => keys.has(h.lockKey));
    return holders.length === 0 ? undefined : { holder: holders[0]!, keys: [...new Set(holders.map((h) => h.lockKey))] };
  };
  // A call of a same-file function that parks (read above): the rule's deadlock test needs the
  // locks it takes again in the caller's terms, not as the function writes them (`c.peer.flush()`
  // under `c.mu` takes the peer's lock; `s.flush()` under a parameter's `s.mu` takes that one).
  for (const r of raws) {
    const call = r.kind === 'park' && r.calls.length === 1 ? state.calls[r.calls[0]!] : undefined;
    if (call?.localTarget === undefined || call.functionId === undefined || call.localTarget === call.functionId) continue;
    const again = takenAgain(call, nodeOfCall.get(call.id)!);
    if (again) r.reacquires = again.keys;
  }
  // A call, inside a held region, to a same-file function that locks the same mutex: it waits for itself.
  for (const call of helperCalls) {
    const node = nodeOfCall.get(call.id)!;
    if (done.has(call.id) || helperRaw.has(call.id) || node.parent?.type === 'go_statement') continue;
    const again = takenAgain(call, node);
    if (!again) continue;
    push(node, 'park', call.calleeSpan, { what: `\`${call.calleeText}\`, which locks \`${again.holder.lock}\``, until: 'forever' }, [call.id]);
    raws[raws.length - 1]!.reacquires = again.keys;
  }
  raws.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  const counters = new Map<number, number>();
  return raws.map((r, id) => {
    const ordinal = (counters.get(r.context) ?? 0) + 1;
    counters.set(r.context, ordinal);
    return { id, kind: r.kind, span: r.span, keywordSpan: r.keywordSpan, context: r.context, ordinal, calls: r.calls, parking: r.parking, ...(r.releases ? { releases: r.releases } : {}), ...(r.handedBack ? { handedBack: r.handedBack } : {}), ...(r.expectsHeld ? { expectsHeld: r.expectsHeld } : {}), ...(r.givenUpBefore ? { givenUpBefore: r.givenUpBefore } : {}), ...(r.filledBy ? { filledBy: r.filledBy } : {}), ...(r.reacquires ? { reacquires: r.reacquires } : {}), ...(r.atReturn ? { atReturn: r.atReturn } : {}) };
  });
}

/**
 * The functions whose only wait is one plain send into a parameter (by its index), outside any loop,
 * with the parameter named nowhere else in the body (not handed on, not rebound), no function literal
 * and no call but of a predeclared function (`len`, `append`): snapshot(state, last, ch) that does
 * `ch <- len(state) + last`. Read from the direct waits, before helpers' waits are added.
 */
function onlySendsOnce(state: GoState, raws: readonly { kind: YieldKind; span: Span; fn: number }[], helperCalls: readonly CallSite[]): Map<number, number> {
  const out = new Map<number, number>();
  const byFn = new Map<number, { kind: YieldKind; span: Span }[]>();
  for (const r of raws) byFn.set(r.fn, [...(byFn.get(r.fn) ?? []), r]);
  const callers = new Set(helperCalls.map((c) => c.functionId));
  for (const [fnId, own] of byFn) {
    const fn = state.fns[fnId]!;
    const body = field(fn.node, 'body');
    if (own.length !== 1 || own[0]!.kind !== 'send' || callers.has(fnId) || !body) continue;
    let send: GoNode | undefined;
    walk(body, (n) => {
      if (n.type === 'send_statement' && n.start === own[0]!.span.start) send = n;
      return send === undefined;
    });
    const ch = send ? field(send, 'channel') : undefined;
    if (!send || ch?.type !== 'identifier' || insideLoop(send)) continue;
    const name = textOf(state.text, ch);
    const decls = field(fn.node, 'parameters')?.children.filter((c) => c.type === 'parameter_declaration') ?? [];
    const names = decls.flatMap((d) => d.children.filter((c) => c.field === 'name').map((n) => textOf(state.text, n)));
    const index = names.indexOf(name);
    if (index < 0 || decls.some((d) => d.children.filter((c) => c.field === 'name').length === 0)) continue;
    // A function literal in it (a deferred one that waits at return, a goroutine) is read as none of
    // its waits, and a call of anything but a predeclared function (`len`) may wait in another file
    // (the value sent may come from an HTTP call): not trusted.
    let uses = 0;
    let other = false;
    walk(body, (n) => {
      if (n.type === 'func_literal') other = true;
      if (n.type === 'call_expression') {
        const f = field(n, 'function');
        if (f?.type !== 'identifier' || !PREDECLARED.has(textOf(state.text, f))) other = true;
      }
      if (n.type === 'identifier' && textOf(state.text, n) === name) uses++;
      return !other;
    });
    if (uses === 1 && !other) out.set(fnId, index);
  }
  return out;
}

/**
 * Whether the call `node`, a statement of its own, hands a function that sends once into its
 * parameter `param` ({@link onlySendsOnce}) a channel the statement before made with a buffer
 * (`ch := make(chan int, 1)`): the one send finds room, so the call does not park.
 */
function fillsFreshBuffer(state: GoState, node: GoNode, param: number | undefined): boolean {
  if (param === undefined || node.parent?.type !== 'expression_statement') return false;
  const stmt = node.parent;
  const list = stmt.parent;
  const sibs = list?.type === 'statement_list' ? list.children.filter((c) => c.type !== 'comment') : [];
  const args = field(node, 'arguments')?.children.filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',') ?? [];
  const arg = args[param];
  if (arg?.type !== 'identifier') return false;
  const channel = textOf(state.text, arg);
  // Handed on once, as itself (not also inside another argument).
  if (args.filter((a) => new RegExp(`\\b${channel}\\b`).test(textOf(state.text, a))).length !== 1) return false;
  return makesBuffered(state, sibs[sibs.indexOf(stmt) - 1], channel);
}

/** A parking point of a function, as the builder first records it. */
type ParkAt = { readonly span: Span; readonly fn: number; readonly calls: readonly number[]; readonly parking: Parking };

/**
 * What a call `x.method(…)` of `target` does with the caller's locks (by key) that the method hands
 * back (held on entry, see locks.ts; the method's `c.mu` is the caller's `x.mu`, and its `c`, a
 * receiver that embeds the lock, is the caller's `x`), judged by the
 * method's parking points as a plain locked section would be (not I/O on the connection beside the
 * mutex, `c.nc.Write` under `c.mu`):
 * - `releases`: the call gives the lock up for every wait it makes: each lies between its
 *   `Unlock()` and the relock (nats-server's `stalledWait`);
 * - `held`: the first wait it makes before its first `Unlock()`, with the caller's lock held: the
 *   caller's to report, at the call (the method's entry region reports nothing);
 * - `handedBack`: the locks it waits for only after taking them again itself: that wait is the
 *   method's own, reported where it waits, and the call, which only gets the lock back, is not
 *   reported for it again.
 */
function releasedBy(
  state: GoState,
  raws: readonly ParkAt[],
  regions: readonly HeldRegion[],
  target: GoFn,
  call: CallSite,
): { releases: string[]; handedBack: string[]; held?: ParkAt } {
  const own = regions.filter((g) => g.context === target.info.context && (g.entry === true || g.relock === true));
  const recv = target.receiver!.name;
  const operand = call.calleeText.slice(0, call.calleeText.lastIndexOf('.'));
  if (operand === '') return { releases: [], handedBack: [] };
  const parks = raws.filter((r) => r.fn === target.info.id).sort((a, b) => a.span.start - b.span.start);
  const guarded = (g: HeldRegion, p: ParkAt): boolean => p.calls.length > 0 && p.calls.every((id) => onGuardedResource(g, state.calls[id]!));
  const counts = (regionsOf: readonly HeldRegion[], p: ParkAt): boolean => regionsOf.some((g) => spanContains(g.span, p.span) && !guarded(g, p));
  const releases: string[] = [];
  const handedBack: string[] = [];
  let held: ParkAt | undefined;
  for (const key of new Set(own.filter((g) => g.entry).map((g) => g.lockKey))) {
    const mine = own.filter((g) => g.lockKey === key);
    const written = mine[0]!.lock.replace(/\s+/g, '');
    // `c.mu`, or the receiver itself when it embeds the lock (`n.Lock()`: nats-server's raft).
    if (written !== recv && !written.startsWith(`${recv}.`)) continue;
    const callers = lockKeyOf(`${operand}${written.slice(recv.length)}`, state.fns[call.functionId!]!);
    const entry = mine.filter((g) => g.entry);
    const before = parks.find((p) => counts(entry, p));
    if (before) {
      held ??= before;
      continue;
    }
    const relocked = mine.filter((g) => g.relock);
    if (parks.some((p) => counts(relocked, p))) handedBack.push(callers);
    else releases.push(callers);
  }
  return { releases, handedBack, ...(held ? { held } : {}) };
}

/**
 * The locks `target` unlocks before it takes them (its entry regions), for a call of it
 * ({@link YieldPoint.expectsHeld}): through the receiver, as the caller writes them (the method's
 * `c.mu`, or `n` for a receiver that embeds the lock, called as `x.peer.flush()`, is the caller's
 * `x.peer.mu`); any other (a lock handed through a parameter) as the function writes it, unmapped.
 */
function expectedLocks(state: GoState, regions: readonly HeldRegion[], target: GoFn, call: CallSite): ExpectedLock[] {
  const ctx = target.info.context;
  const recv = target.receiver?.name;
  const operand = call.calleeText.slice(0, Math.max(0, call.calleeText.lastIndexOf('.')));
  const out: ExpectedLock[] = [];
  const seen = new Set<string>();
  for (const g of regions) {
    if (g.context !== ctx || g.entry !== true || seen.has(g.lockKey)) continue;
    seen.add(g.lockKey);
    const written = g.lock.replace(/\s+/g, '');
    // Taken again before it returns: a relock, or a `defer c.mu.Lock()` (nats-server's updateServerUsage).
    const relocks =
      regions.some((x) => x.context === ctx && x.relock === true && x.lockKey === g.lockKey) ||
      new RegExp(`\\bdefer\\s+${escapeRegExp(written)}\\s*\\.\\s*R?Lock\\(\\s*\\)`).test(textOf(state.text, target.node));
    // An entry region starts at the function's first unlock of the lock (locks.ts: it stands for the caller's acquisition).
    const unlock = g.acquireSpan;
    const base = /^\w+/.exec(written)?.[0] ?? '';
    let caller: string | undefined;
    if (recv !== undefined && operand !== '' && base === recv) caller = `${operand}${written.slice(recv.length)}`;
    else {
      // A lock handed through a parameter (nats-server's `fs.removeMsgBlock(mb)` unlocks `mb.mu`): the argument's.
      const arg = argumentFor(state, target, call, base);
      if (arg !== undefined) caller = `${arg}${written.slice(base.length)}`;
    }
    if (caller !== undefined) out.push({ key: lockKeyOf(caller, state.fns[call.functionId!]!), lock: caller, unlock, relocks });
    // A package-level mutex is the same lock in every function.
    else if (base !== recv && !declaredIn(target, base)) out.push({ key: g.lockKey, lock: written, unlock, relocks });
    else out.push({ lock: written, unlock, relocks });
  }
  return out;
}

/** Whether `name` is a parameter or local of `fn` or a function around it. */
function declaredIn(fn: GoFn, name: string): boolean {
  for (let f: GoFn | undefined = fn; f; f = f.parent) if (f.vars.has(name) || f.untyped.has(name) || f.receiver?.name === name) return true;
  return false;
}

/** The argument `call` passes for `target`'s parameter `name`, as written (`&c.mu` as `c.mu`), when it is a plain name or selector. */
function argumentFor(state: GoState, target: GoFn, call: CallSite, name: string): string | undefined {
  const decls = field(target.node, 'parameters')?.children.filter((c) => c.type === 'parameter_declaration') ?? [];
  const names = decls.flatMap((d) => d.children.filter((c) => c.field === 'name').map((n) => textOf(state.text, n)));
  const i = names.indexOf(name);
  const node = state.nodeOfCall.get(call.id);
  const args = node ? (field(node, 'arguments')?.children.filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',') ?? []) : [];
  if (i < 0 || names.length !== args.length) return undefined;
  const arg = textOf(state.text, args[i]!).replace(/\s+/g, '').replace(/^&/, '');
  return /^\w+(?:\.\w+)*$/.test(arg) ? arg : undefined;
}

/** Whether `fn` assigns the name `name` itself (`n = n.next`, `n++`, a `range … =` clause), not a field of it, anywhere in its body. */
function rebinds(state: GoState, fn: GoFn, name: string): boolean {
  let found = false;
  walk(field(fn.node, 'body') ?? fn.node, (n) => {
    if (found) return false;
    // A declaration (`x := …`, `var x`, `for _, n := range …`) makes a new name; only `=`, `++`, `--` rebind one.
    if (n.type === 'short_var_declaration' || n.type === 'var_spec') return true;
    if (n.type === 'range_clause' && /:=/.test(state.text.slice(n.start, n.end).split('range')[0] ?? '')) return true;
    if (assignedTargets(n).some((t) => t.type === 'identifier' && state.text.slice(t.start, t.end) === name)) found = true;
    return !found;
  });
  return found;
}

/**
 * Whether `fn` assigns the name `name` itself on every path before position `at` (its first lock):
 * a statement of a block that holds `at`, written before it, or the initializer of an `if`, `for`
 * or `switch` so placed, or a `range … =` clause of a loop around `at` (`for n = n.next; …`). One
 * under an `if` the path may skip (`if c.kind == leaf { c = c.remote }`), or a loop's update, which
 * runs after the first turn, does not count.
 */
function rebindsBefore(state: GoState, fn: GoFn, name: string, at: number): boolean {
  const body = field(fn.node, 'body');
  let found = false;
  walk(body ?? fn.node, (n) => {
    if (found || n.start >= at) return false;
    if (n.type === 'func_literal') return false;
    if (n.type === 'short_var_declaration' || n.type === 'var_spec') return true;
    const range = n.type === 'range_clause';
    if (range && /:=/.test(state.text.slice(n.start, n.end).split('range')[0] ?? '')) return true;
    // An `if` with an `else` whose every branch assigns it (`if c.leaf { c = c.remote } else { c = c.route }`), before the lock in its block.
    if (n.type === 'if_statement' && n.end <= at && n.parent?.type === 'statement_list' && n.parent.start <= at && at < n.parent.end && everyBranchAssigns(state, n, name)) {
      found = true;
      return false;
    }
    if (!assignedTargets(n).some((t) => t.type === 'identifier' && state.text.slice(t.start, t.end) === name)) return true;
    // The statement that carries it, in its block.
    let carrier: GoNode | undefined = n;
    if (range || (n.field === 'initializer' && n.parent?.type === 'for_clause')) carrier = n.parent?.type === 'for_clause' ? n.parent.parent : n.parent;
    else if (n.field === 'initializer') carrier = n.parent;
    const list = carrier?.parent;
    if (!carrier || list?.type !== 'statement_list' || !(list.start <= at && at < list.end)) return true;
    // A loop's `range` or initializer counts only for a lock inside that loop (or after it).
    found = true;
    return false;
  });
  return found;
}

/** Whether every branch of an `if` (with an `else`, through `else if`s) assigns `name` with `=` in a statement of its own block. */
function everyBranchAssigns(state: GoState, ifNode: GoNode, name: string): boolean {
  const assigns = (block: GoNode | undefined): boolean =>
    (block?.children.find((c) => c.type === 'statement_list')?.children ?? []).some(
      (st) => st.type === 'assignment_statement' && assignedTargets(st).some((t) => t.type === 'identifier' && state.text.slice(t.start, t.end) === name),
    );
  const alt = field(ifNode, 'alternative');
  if (!assigns(field(ifNode, 'consequence')) || !alt) return false;
  return alt.type === 'if_statement' ? everyBranchAssigns(state, alt, name) : assigns(alt);
}

/**
 * Whether the name `name` at position `at` in `fn` is one a declaration there binds (`for _, n :=
 * range n.kids { n.mu.Lock() }`, `n := n.next`), not the receiver or parameter of that name.
 */
function shadowedAt(state: GoState, fn: GoFn, name: string, at: number): boolean {
  let found = false;
  walk(field(fn.node, 'body') ?? fn.node, (n) => {
    if (found || n.start >= at) return false;
    if (n.type === 'func_literal') return false;
    const declares =
      ((n.type === 'short_var_declaration' || n.type === 'var_spec') && assignedTargets(n).some((t) => t.type === 'identifier' && state.text.slice(t.start, t.end) === name)) ||
      (n.type === 'range_clause' && /:=/.test(state.text.slice(n.start, n.end).split('range')[0] ?? '') && assignedTargets(n).some((t) => t.type === 'identifier' && state.text.slice(t.start, t.end) === name));
    if (!declares) return true;
    // Its scope: the `for`/`if`/`switch` it is the clause of, or the rest of its block.
    const decl = n.type === 'var_spec' ? n.parent : n;
    let scope: GoNode | undefined;
    if (n.type === 'range_clause' || decl?.parent?.type === 'for_clause') scope = n.type === 'range_clause' ? n.parent : decl!.parent!.parent;
    else if (decl?.field === 'initializer') scope = decl.parent;
    else scope = decl?.parent;
    if (scope && decl && scope.start <= at && at < scope.end && (scope !== decl.parent || decl.end <= at || decl.parent?.type !== 'statement_list')) found = true;
    return !found;
  });
  return found;
}

/**
 * The key, in the caller's terms, of the lock `target` takes in region `r`, for the call `call` of
 * it: through the receiver or a parameter, as the caller names it (the method's `c.mu`, called as
 * `s.reload()`, is the caller's `s.mu`); a mutex it makes itself is no lock of the caller's
 * (undefined); any other as the function keys it (a package-level lock is the same everywhere).
 */
function callersKey(state: GoState, target: GoFn, call: CallSite, r: HeldRegion): string | undefined {
  const written = r.lock.replace(/\s+/g, '');
  const base = /^\w+/.exec(written)?.[0] ?? '';
  const recv = target.receiver?.name;
  const operand = call.calleeText.slice(0, Math.max(0, call.calleeText.lastIndexOf('.')));
  let caller: string | undefined;
  // A name a declaration binds where it locks (`for _, n := range n.kids`) is not the receiver nor a parameter.
  if ((base === recv || argumentFor(state, target, call, base) !== undefined) && shadowedAt(state, target, base, r.acquireSpan.start)) return undefined;
  if (recv !== undefined && operand !== '' && base === recv) {
    // A receiver the method rebinds before it locks, on every path (`for n = n.next; …`), names another value by then.
    if (rebindsBefore(state, target, recv, r.acquireSpan.start)) return undefined;
    caller = `${operand}${written.slice(recv.length)}`;
  } else {
    const arg = argumentFor(state, target, call, base);
    // A parameter the function rebinds names another value by the time it locks, as a receiver does.
    if (arg !== undefined && rebindsBefore(state, target, base, r.acquireSpan.start)) return undefined;
    if (arg !== undefined) caller = `${arg}${written.slice(base.length)}`;
    // A mutex the function makes itself is none of the caller's; another local (`for _, mb := range
    // fs.blks`) may be the caller's value under another name, kept by its written key.
    else if (madeIn(state, target, base)) return undefined;
  }
  if (caller === undefined) return r.lockKey;
  const callerFn = state.fns[call.functionId!]!;
  // A plain alias the caller binds once (`srv := s`) names the same value.
  const root = /^\w+/.exec(caller)?.[0] ?? '';
  const aliased = aliasOf(state, callerFn, root);
  return lockKeyOf(aliased === undefined ? caller : `${aliased}${caller.slice(root.length)}`, callerFn);
}

/** The name `name` aliases in `fn`, when its only binding there is `name := other` with `other` a plain name. */
export function aliasOf(state: GoState, fn: GoFn, name: string): string | undefined {
  if (name === '' || rebinds(state, fn, name)) return undefined;
  let found: string | undefined;
  let bindings = 0;
  walk(field(fn.node, 'body') ?? fn.node, (n) => {
    if (n.type !== 'short_var_declaration' && n.type !== 'var_spec') return true;
    const left = n.type === 'var_spec' ? n.children.filter((c) => c.field === 'name') : (field(n, 'left')?.children.filter((c) => c.type !== ',') ?? []);
    const rightList = n.type === 'var_spec' ? field(n, 'value') : field(n, 'right');
    const right = rightList?.children.filter((c) => c.type !== ',') ?? [];
    left.forEach((l, i) => {
      if (l.type !== 'identifier' || state.text.slice(l.start, l.end) !== name) return;
      bindings++;
      const v = left.length === right.length ? right[i] : undefined;
      found = v?.type === 'identifier' && n.type === 'short_var_declaration' ? state.text.slice(v.start, v.end) : undefined;
    });
    return true;
  });
  return bindings === 1 ? found : undefined;
}

/**
 * Each field of the file's structs whose type is a named type of the project, as a re-export of
 * that type under `Struct.field` (module `.` for this package, else the import path): a method
 * called through the field in another file of the package (`n.peer.Command()`) links through it.
 */
function fieldReexports(scope: GoScope): ReExport[] {
  const byModule = new Map<string, { imported: string; exported: string }[]>();
  for (const [struct, info] of scope.structs) {
    // An embedded type re-exports the struct itself as that type (`Server` → `Store` for
    // `type Server struct{ *Store }`): a method of `Store` called on a `Server` in another file
    // (`./Server.Save`) links to `Store.Save`, after the struct's own methods.
    const members: [string, string][] = [...info.fields.entries()].map(([name, type]) => [`${struct}.${name}`, type]);
    for (const e of info.embedded) members.push([struct, e]);
    for (const [exported, type] of members) {
      let module: string;
      let imported: string;
      if (packageLocal(type)) {
        module = '.';
        imported = type;
      } else {
        const m = /^([\w-]+\.[\w.-]+\/[^ ]*)\.([A-Za-z_]\w*)$/.exec(type);
        if (!m) continue;
        module = m[1]!;
        imported = m[2]!;
      }
      const list = byModule.get(module) ?? [];
      list.push({ imported, exported });
      byModule.set(module, list);
    }
  }
  return [...byModule].map(([module, names]) => ({ module, names }));
}
