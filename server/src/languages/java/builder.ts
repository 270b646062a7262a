/**
 * Builds the {@link FileModel} of a Java file from the mirrored tree: functions (methods,
 * constructors, lambdas, method references), calls resolved through declared types and imports,
 * and the async contexts (reactor.ts decides which callbacks run on a non-blocking thread).
 */
import type { Catalog } from '../../engine/catalog';
import type { AsyncContext, CallSite, Comment, FileModel, FunctionInfo } from '../../engine/model';
import { nearestAncestorIn, nodeSpan } from '../tree-sitter';
import { RETURN_TYPES } from './catalog';
import { findJavaChannels } from './channels';
import { findJavaRetries } from './retries';
import { findJavaSpawns } from './spawns';
import { findJavaLocks } from './locks';
import { findJavaFanOuts } from './fanouts';
import { classifyCallbacks, methodContext, type CallbackRole } from './reactor';
import { field, textOf, compact, quoteCall, walk, type JavaNode } from './syntax';
import { JavaTypes, MONO, FLUX, type ClassRec } from './types';

export const span = nodeSpan;

const FUNCTION_TYPES = new Set(['method_declaration', 'constructor_declaration', 'compact_constructor_declaration', 'lambda_expression', 'method_reference']);
const CLASS_TYPES = new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'annotation_type_declaration']);
const LOOP_TYPES = new Set(['for_statement', 'enhanced_for_statement', 'while_statement', 'do_statement']);
const VAR_TYPES = new Set(['local_variable_declaration', 'formal_parameter', 'spread_parameter', 'catch_formal_parameter', 'resource', 'enhanced_for_statement', 'field_declaration']);

/** A function while the model is built. */
export interface JFn {
  readonly id: number;
  readonly node: JavaNode;
  readonly kind: 'method' | 'constructor' | 'lambda' | 'reference';
  readonly name?: string;
  /** The class whose member it is (methods), or that encloses it (lambdas). */
  readonly cls: ClassRec | undefined;
  readonly parent: JFn | undefined;
  /** Parameters and locals → resolved type. */
  readonly vars: Map<string, string>;
  /** The declared return type, resolved (methods). */
  readonly returns?: string;
  /** The modifiers as text (annotations included), for methods. */
  readonly modifiers: string;
}

/** What the pass collects, shared with reactor.ts, the role reader and the fixes. */
export interface JavaState {
  readonly text: string;
  readonly types: JavaTypes;
  readonly fns: JFn[];
  readonly fnOfNode: Map<JavaNode, JFn>;
  readonly calls: CallSite[];
  readonly callOfNode: Map<JavaNode, number>;
  readonly nodeOfCall: Map<number, JavaNode>;
  readonly catalog: Catalog;
  /** How each lambda or method reference handed to a call runs, by function id. */
  readonly callbacks: Map<number, CallbackRole>;
  /** For a node that is not a function: the innermost function at or above it (see {@link enclosingFn}). */
  readonly fnAbove: Map<JavaNode, JFn | undefined>;
  /** For a node: whether a loop encloses it within its function (see `insideLoop`). */
  readonly loopAbove: Map<JavaNode, boolean>;
}

/** The innermost function at or above `node` (excluding `node` itself). */
export function enclosingFn(state: JavaState, node: JavaNode): JFn | undefined {
  // Memoised along the path walked: fields of anonymous classes or closures nested a thousand deep
  // cost O(depth) once rather than per lookup.
  return nearestAncestorIn(node, state.fnOfNode, state.fnAbove);
}

/** The innermost class (or anonymous class body) at or above `node`, excluding `node`. */
export function enclosingClass(types: JavaTypes, node: JavaNode): ClassRec | undefined {
  for (let n = node.parent; n; n = n.parent) {
    const c = types.classes.get(n);
    if (c) return c;
  }
  return undefined;
}

/** The nearest named method or constructor at or above `fn`. */
export function namedOwner(fn: JFn | undefined): JFn | undefined {
  for (let f = fn; f; f = f.parent) if (f.name !== undefined) return f;
  return undefined;
}

/** True when a loop lies between `node` and its enclosing function (memoised like {@link enclosingFn}). */
function insideLoop(state: JavaState, node: JavaNode): boolean {
  const path: JavaNode[] = [];
  let found = false;
  for (let from = node, n = node.parent; n && !FUNCTION_TYPES.has(n.type); from = n, n = n.parent) {
    const known = state.loopAbove.get(from);
    if (known !== undefined) {
      found = known;
      break;
    }
    path.push(from);
    // The iterable of a `for (x : xs)` is evaluated once.
    if (LOOP_TYPES.has(n.type) && !(n.type === 'enhanced_for_statement' && field(n, 'value') === from)) {
      found = true;
      break;
    }
  }
  for (const p of path) state.loopAbove.set(p, found);
  return found;
}

/** The type of a variable visible in `fn`: its own, its enclosing functions', its class's fields. */
export function varType(state: JavaState, fn: JFn | undefined, name: string, at: JavaNode): string | undefined {
  for (let f = fn; f; f = f.parent) {
    const t = f.vars.get(name);
    if (t !== undefined) return t;
  }
  for (let c = fn?.cls ?? enclosingClass(state.types, at); c; c = c.outer) {
    const t = c.fields.get(name);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** The resolved type of an expression, when declarations say it. */
export function exprType(state: JavaState, expr: JavaNode | undefined, fn: JFn | undefined, depth = 0): string | undefined {
  if (!expr || depth > 12) return undefined;
  const { text, types } = state;
  switch (expr.type) {
    case 'identifier': {
      const name = text.slice(expr.start, expr.end);
      const v = varType(state, fn, name, expr);
      if (v !== undefined) return v;
      // A class name: a static call's receiver.
      return /^[A-Z]/.test(name) && !/^[A-Z0-9_]+$/.test(name) ? types.resolveName(name) : undefined;
    }
    case 'field_access': {
      const obj = field(expr, 'object');
      const f = field(expr, 'field');
      if (!obj || !f) return undefined;
      const name = text.slice(f.start, f.end);
      if (obj.type === 'this') return varType(state, undefined, name, expr) ?? fieldOf(state, fn?.cls, name);
      const t = exprType(state, obj, fn, depth + 1);
      // An enum constant (`TimeUnit.SECONDS`) has its enum's type.
      if (t !== undefined && /^[A-Z][A-Z0-9_]*$/.test(name)) return t;
      return t === undefined ? undefined : fieldOf(state, types.classesByName.get(t), name);
    }
    case 'method_invocation': {
      const id = state.callOfNode.get(expr);
      const call = id === undefined ? undefined : state.calls[id];
      // The callee and the result both need the receiver's type: it is read once. Read once per
      // link, a chain (`Mono.just(x).map(…).flatMap(…)…`) costs its length; read for each, it cost
      // three times as much per link, three to the power of the chain's length in all.
      const recv = once(() => receiverType(state, expr, fn, depth + 1));
      const resolved = call?.localTarget === undefined ? calleeWith(state, expr, fn, recv) : undefined;
      const callee = call ? call.callee : resolved!.callee;
      const local = call?.localTarget ?? resolved!.localTarget;
      if (local !== undefined) return state.fns[local]?.returns;
      const name = field(expr, 'name');
      return JavaTypes.resultOf(recv(), name ? text.slice(name.start, name.end) : '', callee, RETURN_TYPES);
    }
    case 'object_creation_expression':
    case 'cast_expression': {
      const t = field(expr, 'type');
      return t ? types.resolveType(text.slice(t.start, t.end)) : undefined;
    }
    case 'parenthesized_expression':
      return exprType(state, expr.children[0], fn, depth + 1);
    case 'this':
      return fn?.cls?.name;
    default:
      return undefined;
  }
}

function fieldOf(state: JavaState, cls: ClassRec | undefined, name: string): string | undefined {
  for (let c = cls; c; c = c.outer) {
    const t = c.fields.get(name);
    if (t !== undefined) return t;
  }
  void state;
  return undefined;
}

/** The type of a method invocation's receiver (`object` field), when known. */
export function receiverType(state: JavaState, call: JavaNode, fn: JFn | undefined, depth = 0): string | undefined {
  const obj = field(call, 'object');
  return obj ? exprType(state, obj, fn, depth) : undefined;
}

const REACTOR_BLOCKING = new Map([
  ['block', MONO], ['blockOptional', MONO], ['toFuture', MONO], ['blockFirst', FLUX], ['blockLast', FLUX], ['toIterable', FLUX], ['toStream', FLUX],
]);

/** `get` computed at its first call, and remembered. */
function once<T>(get: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = get();
      done = true;
    }
    return value;
  };
}

/** The callee of a method invocation, resolved through declared types and imports, and a same-file method it names. */
export function calleeOf(state: JavaState, call: JavaNode, fn: JFn | undefined, depth = 0): { callee?: string; localTarget?: number } {
  return calleeWith(state, call, fn, () => receiverType(state, call, fn, depth));
}

/** {@link calleeOf}, given the receiver's type (asked only when the call has a receiver other than `this`). */
function calleeWith(state: JavaState, call: JavaNode, fn: JFn | undefined, receiver: () => string | undefined): { callee?: string; localTarget?: number } {
  const { text, types } = state;
  const nameNode = field(call, 'name');
  if (!nameNode) return {};
  const name = text.slice(nameNode.start, nameNode.end);
  const obj = field(call, 'object');
  const argCount = (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type)).length;
  if (!obj || obj.type === 'this') {
    const local = localMethod(state, fn?.cls ?? enclosingClass(types, call), name, argCount);
    if (local !== undefined) return { localTarget: local };
    if (!obj) {
      const owner = types.staticImports.get(name);
      if (owner !== undefined) return { callee: `${owner}.${name}` };
      if (name === 'wait') return { callee: 'java.lang.Object.wait' };
    }
    return {};
  }
  const t = receiver();
  if (t !== undefined && /\./.test(t)) return { callee: `${t}.${name}` };
  // `wait` is final on `Object`: every `x.wait()` is `Object.wait`.
  if (name === 'wait' && argCount <= 2) return { callee: 'java.lang.Object.wait' };
  // `.block()` and its kin on a receiver of unknown type, in a file that uses Reactor: a user's own
  // `block()` method is told apart by the receiver's declared type, when there is one.
  const reactorType = REACTOR_BLOCKING.get(name);
  if (reactorType && t === undefined && argCount <= 1 && types.importsUnder('reactor.')) return { callee: `${reactorType}.${name}` };
  if (t !== undefined) {
    const cls = types.classesByName.get(t);
    if (cls) {
      const local = localMethod(state, cls, name, argCount);
      if (local !== undefined) return { localTarget: local };
    }
    return { callee: `${t}.${name}` };
  }
  return {};
}

function localMethod(state: JavaState, cls: ClassRec | undefined, name: string, argCount: number): number | undefined {
  for (let c = cls; c; c = c.outer) {
    const ids = c.methods.get(name);
    if (!ids || ids.length === 0) continue;
    const exact = ids.find((id) => paramCount(state.fns[id]!.node) === argCount);
    return exact ?? ids[0];
  }
  return undefined;
}

function paramCount(node: JavaNode): number {
  const params = field(node, 'parameters');
  return params ? params.children.filter((c) => c.type === 'formal_parameter' || c.type === 'spread_parameter').length : 0;
}

function addVars(state: JavaState, node: JavaNode): void {
  const { text, types } = state;
  const fn = enclosingFn(state, node);
  const typeNode = field(node, 'type');
  const declared = typeNode ? types.resolveType(text.slice(typeNode.start, typeNode.end)) : undefined;
  const bind = (nameNode: JavaNode | undefined, value: JavaNode | undefined): void => {
    if (!nameNode || nameNode.type !== 'identifier') return;
    const t = declared ?? (value ? exprType(state, value, fn) : undefined);
    if (t === undefined) return;
    const name = text.slice(nameNode.start, nameNode.end);
    if (node.type === 'field_declaration') {
      const cls = enclosingClass(types, node);
      cls?.fields.set(name, t);
    } else if (fn) fn.vars.set(name, t);
  };
  if (node.type === 'local_variable_declaration' || node.type === 'field_declaration') {
    for (const d of node.children.filter((c) => c.field === 'declarator')) bind(field(d, 'name'), field(d, 'value'));
  } else if (node.type === 'spread_parameter') {
    const decl = node.children.find((c) => c.type === 'variable_declarator');
    bind(field(decl ?? node, 'name') ?? decl?.children.find((c) => c.type === 'identifier'), undefined);
  } else {
    bind(field(node, 'name') ?? node.children.find((c) => c.type === 'identifier'), field(node, 'value'));
  }
}

/** Reads the whole file into the model. */
export function buildModel(root: JavaNode, text: string, path: string, catalog: Catalog, syntaxErrors: number): { model: FileModel; state: JavaState } {
  const types = new JavaTypes(text);
  const comments: Comment[] = [];
  const fnNodes: JavaNode[] = [];
  const callNodes: JavaNode[] = [];
  const varNodes: JavaNode[] = [];
  const classNodes: JavaNode[] = [];
  walk(root, (n) => {
    switch (n.type) {
      case 'import_declaration':
        types.addImport(n);
        return false;
      case 'line_comment':
        comments.push({ span: span(n), text: text.slice(n.start + 2, n.end) });
        return false;
      case 'block_comment':
        comments.push({ span: span(n), text: text.slice(n.start + 2, Math.max(n.start + 2, n.end - 2)) });
        return false;
      case 'method_invocation':
        callNodes.push(n);
        return;
      case 'object_creation_expression':
        callNodes.push(n);
        if (field(n, 'body') ?? n.children.find((c) => c.type === 'class_body')) classNodes.push(n);
        return;
      default:
        if (FUNCTION_TYPES.has(n.type)) fnNodes.push(n);
        else if (CLASS_TYPES.has(n.type)) classNodes.push(n);
        else if (VAR_TYPES.has(n.type)) varNodes.push(n);
        return;
    }
  });
  for (const c of classNodes) {
    const anonymous = c.type === 'object_creation_expression';
    const nameNode = anonymous ? undefined : field(c, 'name');
    const mods = anonymous ? undefined : c.children.find((x) => x.type === 'modifiers');
    const supers = c.children.filter((x) => x.type === 'superclass' || x.type === 'super_interfaces' || x.type === 'extends_interfaces' || (anonymous && x.field === 'type'));
    const rec: ClassRec = {
      name: nameNode ? text.slice(nameNode.start, nameNode.end) : '', node: c, modifiers: mods ? text.slice(mods.start, mods.end) : '',
      supers: supers.map((s) => text.slice(s.start, s.end)).join(' '), outer: enclosingClass(types, c), fields: new Map(), methods: new Map(),
    };
    types.classes.set(c, rec);
    if (rec.name !== '' && !types.classesByName.has(rec.name)) types.classesByName.set(rec.name, rec);
  }

  const state: JavaState = { text, types, fns: [], fnOfNode: new Map(), calls: [], callOfNode: new Map(), nodeOfCall: new Map(), catalog, callbacks: new Map(), fnAbove: new Map(), loopAbove: new Map() };
  for (const node of fnNodes) {
    const parent = enclosingFn(state, node);
    const kind = node.type === 'lambda_expression' ? 'lambda' : node.type === 'method_reference' ? 'reference' : node.type === 'method_declaration' ? 'method' : 'constructor';
    const nameNode = kind === 'method' || kind === 'constructor' ? field(node, 'name') : undefined;
    const cls = enclosingClass(types, node);
    const mods = kind === 'method' || kind === 'constructor' ? node.children.find((c) => c.type === 'modifiers') : undefined;
    const retNode = kind === 'method' ? field(node, 'type') : undefined;
    const returns = retNode ? types.resolveType(text.slice(retNode.start, retNode.end)) : undefined;
    const rec: JFn = {
      id: state.fns.length, node, kind, ...(nameNode ? { name: text.slice(nameNode.start, nameNode.end) } : {}), cls, parent, vars: new Map(),
      ...(returns !== undefined ? { returns } : {}), modifiers: mods ? text.slice(mods.start, mods.end) : '',
    };
    state.fns.push(rec);
    state.fnOfNode.set(node, rec);
    if (kind === 'method' && rec.name !== undefined && cls) {
      const list = cls.methods.get(rec.name);
      if (list) list.push(rec.id);
      else cls.methods.set(rec.name, [rec.id]);
    }
  }
  // Fields first (every method sees them), then parameters and locals in source order.
  for (const v of varNodes) if (v.type === 'field_declaration') addVars(state, v);
  for (const v of varNodes) if (v.type !== 'field_declaration') addVars(state, v);
  // Typed lambda parameters (`(ServerWebExchange exchange, GatewayFilterChain chain) -> …`) are formal_parameters, read above.

  for (const node of callNodes) {
    const site = readCall(state, node);
    state.callOfNode.set(node, site.id);
    state.nodeOfCall.set(site.id, node);
    state.calls.push(site);
  }

  classifyCallbacks(state);
  const contexts: AsyncContext[] = [];
  const functions: FunctionInfo[] = [];
  for (const f of state.fns) functions.push(describeFunction(state, f, functions, contexts));
  // Calls take the context of their function; a method reference is a call of its own.
  const calls = state.calls.map((c) => {
    const fnId = c.functionId;
    const ctx = fnId === undefined ? undefined : functions[fnId]?.context;
    return ctx === undefined ? c : { ...c, context: ctx };
  });
  for (const f of state.fns) if (f.kind === 'reference') calls.push(referenceCall(state, f, functions, calls.length));
  state.calls.length = 0;
  state.calls.push(...calls);
  const { heldRegions, yieldPoints } = findJavaLocks(state, functions, contexts, calls);
  const model: FileModel = {
    language: 'java', path, contexts, functions, yieldPoints, heldRegions, calls, channels: findJavaChannels(state), spawns: findJavaSpawns(state), fanOuts: findJavaFanOuts(state), retries: findJavaRetries(state, functions), comments, syntaxErrors,
  };
  return { model, state };
}

function readCall(state: JavaState, node: JavaNode): CallSite {
  const { text, types } = state;
  const fn = enclosingFn(state, node);
  const args = field(node, 'arguments') ?? node.children[node.children.length - 1]!;
  const argCount = args.children.filter((c) => !/comment$/.test(c.type)).length;
  let calleeSpan;
  let calleeText: string;
  let member: string;
  let resolved: { callee?: string; localTarget?: number };
  if (node.type === 'object_creation_expression') {
    const t = field(node, 'type')!;
    calleeSpan = { start: node.start, end: t.end };
    member = compact(text, t).replace(/<.*$/s, '');
    calleeText = `new ${member}`;
    const q = types.resolveType(text.slice(t.start, t.end));
    resolved = q !== undefined && q.includes('.') ? { callee: `new ${q}` } : {};
  } else {
    const nameNode = field(node, 'name')!;
    calleeSpan = { start: node.start, end: nameNode.end };
    calleeText = text.slice(node.start, nameNode.end).replace(/\s+/g, '');
    member = text.slice(nameNode.start, nameNode.end);
    resolved = calleeOf(state, node, fn);
  }
  let up = node.parent;
  while (up?.type === 'parenthesized_expression') up = up.parent;
  return {
    id: state.calls.length, span: span(node), calleeSpan, argsSpan: span(args), calleeText, written: quoteCall(text, node),
    ...(resolved.callee !== undefined ? { callee: resolved.callee } : {}), member,
    ...(resolved.localTarget !== undefined ? { localTarget: resolved.localTarget } : {}),
    ...(fn ? { functionId: fn.id } : {}),
    awaited: false, inLoop: insideLoop(state, node), resultUnused: up?.type === 'expression_statement', argCount,
  };
}

/** A method reference (`this::load`, `repo::findById`) is a call made when the function it stands for runs. */
function referenceCall(state: JavaState, f: JFn, functions: FunctionInfo[], id: number): CallSite {
  const { text, types } = state;
  const node = f.node;
  const obj = node.children[0];
  const nameNode = node.children[node.children.length - 1];
  const member = nameNode && nameNode !== obj ? text.slice(nameNode.start, nameNode.end) : 'new';
  let callee: string | undefined;
  let localTarget: number | undefined;
  if (obj && (obj.type === 'this' || obj.type === 'super')) localTarget = localMethod(state, f.cls, member, -1);
  else if (obj) {
    const t = exprType(state, obj, f.parent);
    const cls = t === undefined ? undefined : types.classesByName.get(t);
    if (cls) localTarget = localMethod(state, cls, member, -1);
    else if (t !== undefined && t.includes('.')) callee = member === 'new' ? `new ${t}` : `${t}.${member}`;
  }
  const ctx = functions[f.id]?.context;
  return {
    id, span: span(node), calleeSpan: span(node), argsSpan: { start: node.end, end: node.end }, calleeText: textOf(text, node).replace(/\s+/g, ''),
    ...(callee !== undefined ? { callee } : {}), member, ...(localTarget !== undefined ? { localTarget } : {}),
    functionId: f.id, ...(ctx !== undefined ? { context: ctx } : {}), awaited: false, inLoop: false, resultUnused: false, argCount: 0,
  };
}

function describeFunction(state: JavaState, f: JFn, functions: FunctionInfo[], contexts: AsyncContext[]): FunctionInfo {
  const node = f.node;
  const nameNode = f.kind === 'method' || f.kind === 'constructor' ? field(node, 'name') : undefined;
  const parentInfo = f.parent ? functions[f.parent.id] : undefined;
  let context: number | undefined;
  let offloaded = false;
  const push = (c: Omit<AsyncContext, 'id' | 'functionId'>): number => {
    contexts.push({ ...c, id: contexts.length, functionId: f.id });
    return contexts.length - 1;
  };
  if (f.kind === 'method') {
    const mc = methodContext(state, f);
    if (mc) context = push({ ...mc, span: span(node), nameSpan: nameNode ? span(nameNode) : { start: node.start, end: node.start + 1 } });
  } else if (f.kind === 'lambda' || f.kind === 'reference') {
    const role = state.callbacks.get(f.id);
    if (role?.kind === 'offloaded') offloaded = true;
    else if (role?.kind === 'context') {
      context = push({
        kind: role.contextKind, name: role.name, span: span(node), nameSpan: role.nameSpan, reason: role.reason,
        ...(role.runsOn !== undefined ? { runsOn: role.runsOn } : {}), ...(role.advice !== undefined ? { advice: role.advice } : {}),
      });
    } else if (role?.kind !== 'outside' && parentInfo && !parentInfo.offloaded) {
      // Anything else runs where it is called: inline (`list.forEach(x -> …)`) in its function's context.
      context = parentInfo.context;
    }
  }
  return {
    id: f.id, ...(f.name !== undefined ? { name: f.name } : {}), span: span(node), ...(nameNode ? { nameSpan: span(nameNode) } : {}),
    ...(f.parent ? { parent: f.parent.id } : {}), ...(context !== undefined ? { context } : {}), offloaded, isAsync: false,
  };
}
