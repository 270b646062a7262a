/**
 * Builds the {@link FileModel} from the mirrored syntax tree: functions and async contexts, calls
 * (resolved through `use` and local types), yield points, channels and spawns. Held regions are
 * read by `locks.ts` from what this pass collects.
 */
import type { Catalog } from '../../engine/catalog';
import type { AsyncContext, CallSite, ChannelSite, Comment, ContextKind, FileModel, FunctionInfo, HandleUse, Span, SpawnSite } from '../../engine/model';
import { ASYNC_SPAWNERS, OFFLOADERS, PARALLEL_ITERATORS, TASK_SPAWNERS } from './catalog';
import { addLetBindings, addParameters } from './bindings';
import { Bindings, calleeOf, calleeText, typeOf, type Binding, type FnScope } from './calls';
import { buildHeldRegions, type Edition } from './locks';
import { Scope, compact, type TypeRef } from './scope';
import { findRustFanOuts, findRustRetries } from './amplifiers';
import { spawnExcuse, spawnHandle } from './tasks';
import { readYields } from './yields';
import { callsInMacros } from './macros';
import { carriesReply } from './replies';
import { childOfType, walk, type SyntaxNode } from './syntax';
import { exportedFunctions, fileRelativePath, inlineModsAround, pubUseReExports } from './exports';
import { namesFile } from './resolver';
import { nearestAncestorIn, nodeList, nodeSpan } from '../tree-sitter';

const FUNCTION_TYPES = new Set(['function_item', 'closure_expression', 'async_block']);
const LOOP_TYPES = new Set(['loop_expression', 'while_expression', 'for_expression']);

/** What the builder knows about a function-like node while it walks. */
export interface FnRecord extends FnScope {
  readonly node: SyntaxNode;
  readonly info: FunctionInfo;
}

/** Everything the pass collects, shared with the lock reader and the fix builders. */
export interface BuildState {
  readonly text: string;
  readonly scope: Scope;
  readonly fns: FnRecord[];
  readonly fnOfNode: Map<SyntaxNode, FnRecord>;
  /** Call node → call site id. */
  readonly callOfNode: Map<SyntaxNode, number>;
  readonly calls: CallSite[];
  readonly catalog: Catalog;
  readonly statics: Binding[];
  typeMemo?: Map<SyntaxNode, TypeRef | undefined>;
  /** For a node that is not a function: the innermost function at or above it (see {@link enclosingFn}). */
  readonly fnAbove: Map<SyntaxNode, FnRecord | undefined>;
  /** For a node: whether a loop encloses it within its function (see `insideLoop`). */
  readonly loopAbove: Map<SyntaxNode, boolean>;
  /** Same-file inline modules (`mod helpers { … }`) by name. */
  readonly inlineMods: ReadonlyMap<string, SyntaxNode>;
  /** Modules declared in this file and kept in their own files (`mod db;`). */
  readonly fileMods: ReadonlySet<string>;
  /** The file's path, which places it in its crate (`resolver.ts`). */
  readonly path: string;
}

/** The innermost function-like ancestor of `node` (not `node` itself). */
export function enclosingFn(state: BuildState, node: SyntaxNode): FnRecord | undefined {
  // Memoised along the path walked: fields of anonymous classes or closures nested a thousand deep
  // cost O(depth) once rather than per lookup.
  return nearestAncestorIn(node, state.fnOfNode, state.fnAbove);
}

/** True when a loop lies between `node` and its enclosing function (memoised like {@link enclosingFn}). */
function insideLoop(state: BuildState, node: SyntaxNode): boolean {
  const path: SyntaxNode[] = [];
  let found = false;
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (LOOP_TYPES.has(n.type)) {
      found = true;
      break;
    }
    const known = state.loopAbove.get(n);
    if (known !== undefined) {
      found = known;
      break;
    }
    path.push(n);
  }
  for (const p of path) state.loopAbove.set(p, found);
  return found;
}

/** A node's span in the model's terms (one definition for every tree-sitter frontend). */
export const span = nodeSpan;

/** The call whose argument list directly contains `node` (through a reference or parentheses). */
function callTakingArgument(node: SyntaxNode): SyntaxNode | undefined {
  let n = node.parent;
  let inner: SyntaxNode = node;
  // A closure that is the value of a block argument is the argument (`spawn_blocking({ let p = p.clone(); move || … })`).
  while (n && (n.type === 'parenthesized_expression' || n.type === 'reference_expression' || (n.type === 'block' && n.children[n.children.length - 1] === inner))) {
    inner = n;
    n = n.parent;
  }
  return n?.type === 'arguments' && n.parent?.type === 'call_expression' ? n.parent : undefined;
}

/** True when a method chain below `call` contains a rayon parallel iterator. */
function onParallelIterator(text: string, call: SyntaxNode): boolean {
  for (let n: SyntaxNode | undefined = call.children[0]; n; ) {
    if (n.type === 'field_expression') {
      const field = n.children[1];
      if (field && PARALLEL_ITERATORS.has(text.slice(field.start, field.end))) return true;
      n = n.children[0];
    } else if (n.type === 'call_expression' || n.type === 'try_expression' || n.type === 'await_expression' || n.type === 'generic_function') {
      n = n.children[0];
    } else return false;
  }
  return false;
}

const blockingNamesOf = new WeakMap<Catalog['blocking'], ReadonlySet<string>>();

/** The last path segment of every blocking entry of the catalog (`read_to_string`), once per catalog. */
function blockingNames(catalog: Catalog): ReadonlySet<string> {
  let names = blockingNamesOf.get(catalog.blocking);
  if (!names) {
    const set = new Set<string>();
    for (const name of catalog.blocking.keys()) set.add(name.slice(name.lastIndexOf(':') + 1));
    blockingNamesOf.set(catalog.blocking, (names = set));
  }
  return names;
}

/** What the file-level collection (`collectItem`) fills, in source order. */
interface Items {
  readonly root: SyntaxNode;
  readonly text: string;
  readonly scope: Scope;
  readonly comments: Comment[];
  readonly implTypes: Map<SyntaxNode, string>;
  readonly statics: Binding[];
  /** Same-file inline modules (`mod helpers { … }`) by name. */
  readonly inlineMods: Map<string, SyntaxNode>;
  /** Modules declared in this file and kept in their own files (`mod db;`). */
  readonly fileMods: Set<string>;
  readonly pubUses: SyntaxNode[];
  /** Every `fn` and `mod` item in pre-order, macro bodies' included: where `roles.ts` looks for attributes. */
  readonly items: SyntaxNode[];
}

/** The collection pass's rarer kinds (items, comments): `false` when the walk skips the node's subtree. */
function collectItem(c: Items, n: SyntaxNode): boolean | undefined {
  const { text, scope } = c;
  switch (n.type) {
    case 'use_declaration':
      scope.addUse(n);
      if (n.parent === c.root && childOfType(n, 'visibility_modifier')) c.pubUses.push(n);
      return false;
    case 'struct_item':
      scope.addStruct(n);
      return false;
    case 'type_item': {
      const name = childOfType(n, 'type_identifier');
      const value = n.children[n.children.length - 1];
      if (name && value && value !== name) scope.typeAliases.set(compact(text, name), compact(text, value));
      return false;
    }
    case 'line_comment':
    case 'block_comment': {
      const raw = text.slice(n.start, n.end);
      const body = n.type === 'line_comment' ? raw.replace(/^\/\/[/!]?/, '') : raw.replace(/^\/\*[*!]?/, '').replace(/\*\/$/, '');
      c.comments.push({ span: span(n), text: body });
      return false;
    }
    case 'impl_item': {
      const body = childOfType(n, 'declaration_list');
      const types = n.children.filter((t) => t !== body && t.type !== 'type_parameters' && t.type !== 'where_clause');
      const self = types[types.length - 1];
      if (body && self) c.implTypes.set(body, compact(text, self).replace(/<.*$/, ''));
      return undefined;
    }
    case 'static_item':
    case 'const_item': {
      const name = childOfType(n, 'identifier');
      const type = n.children.find((t, i) => i > 0 && t !== name && /type|generic/.test(t.type));
      if (name && type) c.statics.push({ name: compact(text, name), pos: 0, type: compact(text, type) });
      return undefined;
    }
    case 'mod_item': {
      c.items.push(n);
      // `mod helpers { … }`: its functions are called as `helpers::f()` (or through `use helpers::f`).
      const name = childOfType(n, 'identifier');
      if (name && childOfType(n, 'declaration_list')) c.inlineMods.set(text.slice(name.start, name.end), n);
      else if (name && n.parent === c.root) c.fileMods.add(text.slice(name.start, name.end));
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Reads the whole file into the model. */
export function buildModel(root: SyntaxNode, text: string, path: string, catalog: Catalog, syntaxErrors: number, edition: Edition): { model: FileModel; state: BuildState; items: SyntaxNode[] } {
  const scope = new Scope(text);
  const fnNodes = nodeList();
  const callNodes = nodeList();
  const awaitNodes = nodeList();
  const macroNodes = nodeList();
  const letNodes = nodeList();
  const collected: Items = { root, text, scope, comments: [], implTypes: new Map(), statics: [], inlineMods: new Map(), fileMods: new Set(), pubUses: nodeList(), items: nodeList() };
  const { comments, implTypes, statics, inlineMods, fileMods, pubUses } = collected;
  // Pass over the mirror (plain JS): collect what later steps need, in source order. The kinds met
  // in every function body are handled here; items, comments and the rest by `collectItem`, so
  // this callback stays small and is compiled once.
  walk(root, (n) => {
    const type = n.type;
    if (type === 'call_expression') callNodes.push(n);
    else if (type === 'await_expression') awaitNodes.push(n);
    else if (type === 'macro_invocation') macroNodes.push(n);
    // `if let Ok(handle) = Handle::try_current()`: a let condition's value may hold calls, so the walk goes on into it.
    else if (type === 'let_declaration' || type === 'let_condition') letNodes.push(n);
    else if (FUNCTION_TYPES.has(type)) {
      fnNodes.push(n);
      if (type === 'function_item') collected.items.push(n);
    } else return collectItem(collected, n);
    return undefined;
  });

  // Calls inside macro token trees (`format!("{}", read(p))`), in source order with the others.
  const exprMacros = macroNodes.filter((m) => !/^(?:\w+::)*macro_rules$/.test(text.slice(m.children[0]?.start ?? 0, m.children[0]?.end ?? 0)));
  let macroCalls: SyntaxNode[] = [];
  if (exprMacros.length > 0) {
    const blocking = blockingNames(catalog);
    const local = new Set<string>();
    for (const f of fnNodes) {
      const id = f.type === 'function_item' ? childOfType(f, 'identifier') : undefined;
      if (id) local.add(text.slice(id.start, id.end));
    }
    macroCalls = callsInMacros(exprMacros, text, (n) => blocking.has(n) || local.has(n));
  }
  // The items of the macro bodies just parsed (each transplanted between the macro's name and its token tree).
  for (const m of exprMacros) {
    if (m.children.length <= 2) continue;
    for (let i = 1; i < m.children.length - 1; i++) {
      walk(m.children[i]!, (n) => {
        if (n.type === 'function_item' || n.type === 'mod_item') collected.items.push(n);
      });
    }
  }
  if (macroCalls.length > 0) {
    callNodes.push(...macroCalls);
    callNodes.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  const state: BuildState = { text, scope, fns: [], fnOfNode: new Map(), callOfNode: new Map(), calls: [], catalog, statics, fnAbove: new Map(), loopAbove: new Map(), inlineMods, fileMods, path };
  const contexts: AsyncContext[] = [];
  const functions: FunctionInfo[] = [];
  // Functions are in pre-order, so a parent is recorded before its children.
  for (const node of fnNodes) {
    const parentFn = enclosingFn(state, node);
    const info = describeFunction(state, node, parentFn, contexts, functions.length);
    functions.push(info);
    const selfType = node.type === 'function_item' && node.parent ? implTypes.get(node.parent) : parentFn?.selfType;
    const rec: FnRecord = { node, info, parent: parentFn, bindings: new Bindings(), selfType };
    state.fns.push(rec);
    state.fnOfNode.set(node, rec);
    addParameters(state, rec);
  }
  for (const node of letNodes) addLetBindings(state, node);

  // Calls: id order is source order (call nodes were collected in pre-order; an outer call precedes its callee chain).
  const byNamedFn = new Map<string, number[]>();
  for (const f of functions) {
    if (f.name === undefined) continue;
    const ids = byNamedFn.get(f.name);
    if (ids) ids.push(f.id);
    else byNamedFn.set(f.name, [f.id]);
  }
  state.typeMemo = new Map();
  for (const node of callNodes) {
    const fn = enclosingFn(state, node);
    const site = readCall(state, node, fn, byNamedFn);
    state.callOfNode.set(node, site.id);
    state.calls.push(site);
  }

  const yieldPoints = readYields(state, awaitNodes, macroNodes);
  // Same-file functions declared to return a `Result`, by name (a spawned call of one can fail).
  const returnsResult = (name: string): boolean | undefined => {
    const ids = byNamedFn.get(name);
    if (!ids) return undefined;
    return ids.some((id) => {
      const n = state.fns[id]!.node;
      const body = n.children.find((c) => c.type === 'block');
      return /->[^{]*\bResult\b/.test(text.slice(n.start, body ? body.start : n.end));
    });
  };
  const channels: ChannelSite[] = [];
  const spawns: SpawnSite[] = [];
  for (const node of callNodes) {
    const call = state.calls[state.callOfNode.get(node)!]!;
    if (call.callee === undefined) continue;
    const ch = catalog.channels.get(call.callee);
    if (ch && !inTestCode(text, node)) {
      // A request/response channel is bounded by its callers: each waits on the oneshot its message carries.
      const bounded = (!ch.alwaysUnbounded && call.argCount > 0) || carriesReply(text, node, enclosingFn(state, node)?.node);
      channels.push({
        id: channels.length, span: call.span, constructor: ch.name, text: `${call.calleeText}()`, bounded,
        ...(!bounded ? { reason: 'no-capacity' as const } : {}),
        ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
      });
    }
    if (TASK_SPAWNERS.has(call.callee)) {
      const runtime = spawnRuntime(call.callee);
      // A smol `Task` cancels its task when dropped: `let _task = …` keeps it running to the end of the
      // scope (the idiom), and nothing excuses dropping it at once, since the task's work is not done.
      const handle = runtime === 'smol' ? smolHandle(text, node, handleUse(node)) : spawnHandle(text, node, handleUse(node));
      const excuse = handle === 'dropped' && runtime !== 'smol' ? spawnExcuse(text, node, returnsResult) : undefined;
      spawns.push({ id: spawns.length, span: call.span, spawner: call.calleeText, handle, inLoop: call.inLoop, ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}), callId: call.id, ...(excuse ? { excuse } : {}), ...(runtime ? { runtime } : {}) });
    }
  }
  const heldRegions = buildHeldRegions(state, yieldPoints, edition);
  const fanOuts = findRustFanOuts(text, callNodes, state.calls, state.callOfNode);
  const retries = findRustRetries(text, callNodes, state.calls, state.callOfNode);
  const norm = (p: string): string => fileRelativePath(p, fileMods, []);
  const exports = { functions: exportedFunctions(state.fns, text), reexports: pubUses.flatMap((u) => pubUseReExports(u, text, norm)) };
  const model: FileModel = { language: 'rust', path, contexts, functions, yieldPoints, heldRegions, calls: state.calls, channels, spawns, fanOuts, retries, comments, syntaxErrors, exports };
  return { model, state, items: collected.items };
}

/** `#[test]`, `#[tokio::test(…)]`, `#[bench]`, `#[cfg(test)]`, `#[cfg(all(test, …))]`, not `#[cfg(not(test))]`. */
const TEST_ATTRIBUTE = /^#\[\s*(?:(?:[\w]+::)*(?:test|bench)\b|cfg\((?![^\]]*\bnot\s*\()[^\]]*\btest\b)/;

/** Inside a test function or a `#[cfg(test)]` module: read from the attributes just above each enclosing item. */
function inTestCode(text: string, node: SyntaxNode): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type !== 'function_item' && n.type !== 'mod_item') continue;
    const siblings = n.parent?.children ?? [];
    for (let i = siblings.indexOf(n) - 1; i >= 0; i--) {
      const a = siblings[i]!;
      if (a.type === 'line_comment' || a.type === 'block_comment') continue;
      if (a.type !== 'attribute_item') break;
      if (TEST_ATTRIBUTE.test(text.slice(a.start, a.end))) return true;
    }
  }
  return false;
}

function describeFunction(state: BuildState, node: SyntaxNode, parentFn: FnRecord | undefined, contexts: AsyncContext[], id: number): FunctionInfo {
  const { text } = state;
  const head = text.slice(node.start, Math.min(node.end, node.start + 40));
  let name: string | undefined;
  let nameSpan: Span | undefined;
  let isAsync: boolean;
  if (node.type === 'function_item') {
    const ident = childOfType(node, 'identifier');
    const mods = childOfType(node, 'function_modifiers');
    isAsync = mods !== undefined && /\basync\b/.test(text.slice(mods.start, mods.end));
    if (ident) {
      name = text.slice(ident.start, ident.end);
      nameSpan = span(ident);
    }
  } else {
    isAsync = node.type === 'async_block' || /^async\b/.test(head);
    if (node.type === 'closure_expression' && node.parent?.type === 'let_declaration') {
      const pat = node.parent.children.find((c) => c.type === 'identifier');
      if (pat) name = text.slice(pat.start, pat.end);
    }
  }
  // Where the body runs: handed to an offloader, to an async spawner, or inline.
  const call = callTakingArgument(node);
  let offloaded = false;
  let spawnedBy: string | undefined;
  if (call) {
    const fnNode = call.children[0];
    const callee = fnNode ? calleeOf(state, call, enclosingFn(state, call), true) : undefined;
    const member = fnNode?.type === 'field_expression' ? text.slice(fnNode.children[1]?.start ?? 0, fnNode.children[1]?.end ?? 0) : '';
    // A sync closure handed to a call whose result is awaited runs elsewhere (`asyncify(|| …).await`,
    // `pool.interact(|c| …).await`): inline closures (`map`, `filter`) never make the future themselves.
    const awaitedCall = call.parent?.type === 'await_expression' || (call.parent?.type === 'try_expression' && call.parent.parent?.type === 'await_expression');
    const syncClosure = node.type === 'closure_expression' && !/^async\b/.test(head);
    // Offloaders are also known by their last name, whatever path re-exports them (`crate::blocking::spawn_blocking`).
    const last = callee?.slice(callee.lastIndexOf(':') + 1) ?? member;
    const byName = last === 'spawn_blocking' || last === 'block_in_place' || last === 'unblock';
    if ((callee && OFFLOADERS.has(callee)) || byName || onParallelIterator(text, call) || (syncClosure && awaitedCall)) offloaded = true;
    else if (callee && ASYNC_SPAWNERS.has(callee)) spawnedBy = callee;
  }
  const parentContext = parentFn && !parentFn.info.offloaded ? parentFn.info.context : undefined;
  let context: number | undefined;
  if (isAsync) {
    const kind: ContextKind = spawnedBy ? 'spawned-task' : node.type === 'function_item' ? 'async-function' : 'async-block';
    const outer = parentFn?.info.name;
    const anon = spawnedBy ? 'task' : node.type === 'async_block' ? 'async block' : 'async closure';
    const ctxName = name ?? (outer !== undefined ? `${anon} in ${outer}` : anon);
    const reason = spawnedBy ? `body of \`${spawnedBy}\`` : node.type === 'function_item' ? '`async fn`' : node.type === 'async_block' ? '`async` block' : '`async` closure';
    context = contexts.length;
    contexts.push({ id: context, kind, name: ctxName, span: span(node), nameSpan: nameSpan ?? { start: node.start, end: node.start + Math.max(1, head.indexOf(' ') < 0 ? 1 : head.indexOf(' ')) }, reason, functionId: id });
  } else if (node.type === 'closure_expression' && !offloaded) {
    context = parentContext;
  }
  return {
    id, ...(name !== undefined ? { name } : {}), span: span(node), ...(nameSpan ? { nameSpan } : {}),
    ...(parentFn ? { parent: parentFn.info.id } : {}), ...(context !== undefined ? { context } : {}), offloaded, isAsync,
  };
}

function readCall(state: BuildState, node: SyntaxNode, fn: FnRecord | undefined, byNamedFn: Map<string, number[]>): CallSite {
  const { text } = state;
  const fnNode = node.children[0]!;
  const args = node.children[node.children.length - 1]!;
  const argCount = args.type === 'arguments' ? args.children.filter((c) => c.type !== 'line_comment' && c.type !== 'block_comment' && c.type !== 'attribute_item').length : 0;
  let callee = calleeOf(state, node, fn, false);
  // Paths into the project are written from the file's module (`mod db;` then `db::open()` is `self::db::open`).
  if (callee !== undefined && callee.includes('::') && (state.fileMods.size > 0 || state.inlineMods.size > 0)) {
    callee = fileRelativePath(callee, state.fileMods, state.inlineMods.size > 0 ? inlineModsAround(node, text) : []);
  }
  // `OpenOptions::new().custom_flags(libc::O_NONBLOCK).open(p)` does not wait on the open (a FIFO
  // with no writer, a device): it is not the blocking open the catalog lists.
  if (callee === 'std::fs::OpenOptions::open' && nonBlockingOpen(text, fnNode, fn)) callee = undefined;
  const ct = calleeText(text, fnNode);
  const base = fnNode.type === 'generic_function' ? fnNode.children[0]! : fnNode;
  let member = ct.slice(Math.max(ct.lastIndexOf(':'), ct.lastIndexOf('.')) + 1);
  if (base.type === 'field_expression') member = compact(text, base.children[1] ?? base);
  // Same-file targets: `helper(x)`, `Self::helper(x)`, `self.helper(x)`, `crate::m::helper(x)`, or a closure bound by `let`.
  let localTarget: number | undefined;
  // A method is matched within its `impl` type (`self.save()`, `Self::new()`, `store.save()` for a local `store: Store`).
  const lastSeg = (p: string): string => p.slice(p.lastIndexOf(':') + 1);
  const local = (name: string, owner: string | null): number | undefined => {
    const ids = byNamedFn.get(name);
    const pick = ids?.filter((id) => {
      const self = state.fns[id]?.selfType;
      if (owner === null) return self === undefined || state.fns[id]!.node.type !== 'function_item';
      return self !== undefined && lastSeg(self) === lastSeg(owner);
    });
    return pick && pick.length === 1 ? pick[0] : undefined;
  };
  // A free function of a same-file inline module (`helpers::read_cfg()`, or `read_cfg()` after `use helpers::read_cfg`).
  const inModule = (owner: string, name: string): number | undefined => {
    const mod = state.inlineMods.get(lastSeg(owner.replace(/^(crate|self|super)::/, '')));
    if (!mod) return undefined;
    const pick = byNamedFn.get(name)?.filter((id) => {
      const f = state.fns[id]!;
      return f.selfType === undefined && f.node.type === 'function_item' && f.node.start > mod.start && f.node.end <= mod.end;
    });
    return pick && pick.length === 1 ? pick[0] : undefined;
  };
  const selfType = fn?.selfType;
  const aliased = base.type === 'identifier' ? state.scope.aliases.get(member) : undefined;
  // A closure bound by `let` shadows an imported function of the same name (`let verify = |p| …; verify(p)`).
  const shadow = aliased !== undefined && base.type === 'identifier' ? letClosure(state, member, node, byNamedFn) : undefined;
  if (shadow !== undefined) {
    localTarget = shadow;
    callee = undefined;
  } else if (base.type === 'identifier' && aliased === undefined) localTarget = local(member, null);
  else if (aliased !== undefined && aliased.includes('::')) localTarget = inModule(aliased.slice(0, aliased.lastIndexOf('::')), member);
  else if (base.type === 'scoped_identifier') {
    const owner = ct.slice(0, Math.max(0, ct.lastIndexOf('::')));
    const modTarget = owner.includes('::') || !state.scope.aliases.has(owner) ? inModule(owner, member) : undefined;
    if (modTarget !== undefined) localTarget = modTarget;
    else if (owner === 'Self' && selfType !== undefined) localTarget = local(member, selfType);
    else if (owner === '' || (/^(crate|super|self)(::|$)/.test(owner) && namesFile(ownModulePath(state, owner, node), state.path))) localTarget = local(member, null);
    else if (state.scope.structs.has(lastSeg(owner)) || state.scope.typeAliases.has(owner)) localTarget = local(member, owner);
  } else if (base.type === 'field_expression') {
    const recv = base.children[0];
    if (recv?.type === 'self' && selfType !== undefined) localTarget = local(member, selfType);
    else if (recv) {
      const t = typeOf(state, recv, fn);
      if (t && state.scope.structs.has(lastSeg(t.path))) localTarget = local(member, t.path);
    }
  }
  const ctxFn = fn?.info;
  const inLoop = insideLoop(state, node);
  let up = node.parent;
  while (up && (up.type === 'try_expression' || up.type === 'await_expression')) up = up.parent;
  return {
    id: state.calls.length, span: span(node), calleeSpan: span(fnNode), argsSpan: span(args), calleeText: ct,
    ...(callee !== undefined ? { callee } : {}), member, ...(localTarget !== undefined ? { localTarget } : {}),
    ...(ctxFn ? { functionId: ctxFn.id } : {}), ...(ctxFn?.context !== undefined ? { context: ctxFn.context } : {}),
    awaited: node.parent?.type === 'await_expression', inLoop, resultUnused: up?.type === 'expression_statement', argCount,
  };
}

/** A module path written in the file, as seen from the file's module (through the inline modules around `node`). */
function ownModulePath(state: BuildState, owner: string, node: SyntaxNode): string {
  if (state.inlineMods.size === 0) return owner;
  return fileRelativePath(`${owner}::_`, state.fileMods, inlineModsAround(node, state.text)).slice(0, -3);
}

/** A closure bound by `let` under `name` in a function around `call`, before it: what a call of `name` there runs. */
function letClosure(state: BuildState, name: string, call: SyntaxNode, byNamedFn: Map<string, number[]>): number | undefined {
  for (const id of byNamedFn.get(name) ?? []) {
    const f = state.fns[id]!;
    if (f.node.type !== 'closure_expression' || f.node.start > call.start) continue;
    const owner = f.info.parent === undefined ? undefined : state.fns[f.info.parent]?.node;
    if (owner && owner.start <= call.start && call.end <= owner.end) return id;
  }
  return undefined;
}

const NONBLOCK_FLAG = /\bcustom_flags\s*\([^)]*\bO_NONBLOCK\b/;

/**
 * True when an `OpenOptions` open sets `O_NONBLOCK`: in its chain
 * (`OpenOptions::new().custom_flags(libc::O_NONBLOCK).open(p)`), or on the builder it is called on
 * (`options.custom_flags(libc::O_NONBLOCK); options.open(p)`) earlier in the same function.
 */
function nonBlockingOpen(text: string, fnNode: SyntaxNode, fn: FnRecord | undefined): boolean {
  if (NONBLOCK_FLAG.test(text.slice(fnNode.start, fnNode.end))) return true;
  const recv = fnNode.type === 'field_expression' ? fnNode.children[0] : undefined;
  if (!recv || recv.type !== 'identifier' || !fn) return false;
  const name = text.slice(recv.start, recv.end);
  const before = text.slice(fn.node.start, fnNode.start);
  return new RegExp(`\\b${name}\\s*\\.\\s*custom_flags\\s*\\([^)]*\\bO_NONBLOCK\\b`).test(before);
}

/** The runtime of a task spawner whose dropped handle means something other than tokio's (see `detachedBy` in the catalog). */
function spawnRuntime(callee: string): string | undefined {
  if (callee.startsWith('smol::')) return 'smol';
  if (callee.startsWith('async_std::')) return 'async-std';
  return undefined;
}

/** A smol `Task` bound to any name lives to the end of its scope; only `let _ = …` (and a statement) drops it at once. */
function smolHandle(text: string, call: SyntaxNode, base: HandleUse): HandleUse {
  if (base !== 'stored') return base;
  const n = call.parent;
  return n?.type === 'let_declaration' && /^let\s+_\s*[:=]/.test(text.slice(n.start, call.start)) ? 'dropped' : base;
}

function handleUse(call: SyntaxNode): HandleUse {
  let n = call.parent;
  while (n && (n.type === 'try_expression' || n.type === 'parenthesized_expression')) n = n.parent;
  if (!n) return 'dropped';
  if (n.type === 'await_expression') return 'awaited';
  if (n.type === 'expression_statement') return 'dropped';
  if (n.type === 'let_declaration' || n.type === 'assignment_expression') return 'stored';
  if (n.type === 'return_expression' || n.type === 'block') return 'returned';
  return 'passed';
}

