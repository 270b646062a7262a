/**
 * Builds the {@link FileModel} of a Python file from the mirrored syntax tree: functions and async
 * contexts, calls (resolved through imports and the types the syntax gives), yield points (`await`,
 * `async with`, `async for`, `yield` in an async generator), channels and task spawns. Held regions
 * are read by `locks.ts` from what this pass collects.
 */
import type { Catalog } from '../../engine/catalog';
import type { AsyncContext, CallSite, ChannelSite, Comment, DetachedExcuse, FileModel, FunctionInfo, HandleUse, Span, SpawnSite, YieldKind, YieldPoint } from '../../engine/model';
import { libraryRetries } from './retry-libraries';
import { CHANNEL_BOUNDS, FILE_OBJECT, FILE_OPENED_HERE, FILE_OPENERS, NON_BLOCKING_SOCKET, OFFLOADERS, OFFLOADING_METHODS, TASK_SPAWNERS, TUPLE_RETURN_TYPES, type PythonLibrary } from './catalog';
import { PythonAmplifiers } from './amplifiers';
import { pythonExports } from './exports';
import { buildHeldRegions } from './locks';
import { Scope, dotted, type ClassRec, type PyFn } from './scope';
import { lifecycleByName } from './lifecycle';
import { calledOnlyFromHooks, inHookOnce } from './batch-callers';
import { compactCode, walk, type SyntaxNode } from './syntax';
import { nodeSpan } from '../tree-sitter';
import { escapeRegExp } from '../../engine/regexp';

const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);
const LOOP_TYPES = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const ROUTE_DECORATOR = /^@\s*([\w.]+\.(?:get|post|put|patch|delete|head|options|route|websocket|api_route|view))\s*\(/;

/** Everything the pass collects, shared with the lock reader, the role reader and the fix builders. */
export interface BuildState {
  readonly text: string;
  readonly scope: Scope;
  readonly fns: PyFn[];
  readonly fnOfNode: Map<SyntaxNode, PyFn>;
  readonly callOfNode: Map<SyntaxNode, number>;
  readonly calls: CallSite[];
  readonly catalog: Catalog;
  /** `with` statements, in source order. */
  readonly withs: SyntaxNode[];
  /** Expression statements that call `acquire()` / `release()` (possibly awaited). */
  readonly lockCalls: SyntaxNode[];
  /** The async library the file runs on: asyncio when it imports it (or none of them), else anyio, else trio. */
  library: PythonLibrary;
}

/** The library a file's code runs on, by what it imports: asyncio first (anyio code may use it directly), then anyio (which may run on trio), then trio. */
function libraryOf(scope: Scope): PythonLibrary {
  const modules = scope.importedModules();
  if (modules.has('asyncio')) return 'asyncio';
  if (modules.has('anyio')) return 'anyio';
  if (modules.has('trio')) return 'trio';
  return 'asyncio';
}

/** A node's span in the model's terms (one definition for every tree-sitter frontend). */
export const span = nodeSpan;

/** The innermost function-like ancestor of `node` (not `node` itself). */
export function enclosingFn(state: BuildState, node: SyntaxNode): PyFn | undefined {
  for (let n = node.parent; n; n = n.parent) {
    const f = state.fnOfNode.get(n);
    if (f) return f;
  }
  return undefined;
}

/** Literal iterables: a `for` over one runs a known, small number of times. */
const LITERALS: ReadonlySet<string> = new Set(['list', 'tuple', 'set']);

/**
 * The loops of its function a call is inside, in one walk up: `inLoop`, any loop; `perItem`, a loop
 * over a collection (`for`, a comprehension), not a `while`, nor a `for` over a literal list, tuple
 * or set (`for name in ["kernel.js", "kernel.css"]`); `repeats`, a `while` that no such loop over a
 * collection holds, which repeats over time.
 * The iterable of a `for` is evaluated once, before its loop.
 */
function loopFacts(node: SyntaxNode): { inLoop: boolean; perItem: boolean; repeats: boolean } {
  let inLoop = false;
  let perItem = false;
  let repeats = false;
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (!LOOP_TYPES.has(n.type)) continue;
    if (n.type === 'while_statement') {
      inLoop = repeats = true;
      continue;
    }
    const literal = n.type === 'for_statement' && LITERALS.has(n.children[1]?.type ?? '');
    if (n.type === 'for_statement' && n.children[1] && n.children[1].start <= node.start && node.end <= n.children[1].end) {
      // In the iterable: a literal's loop is not counted at all, as before.
      continue;
    }
    inLoop = true;
    if (!literal) perItem = true;
  }
  // A `while` inside a loop over a collection (a connect-until-up loop per configured upstream) runs per item.
  return { inLoop, perItem, repeats: repeats && !perItem };
}

/** The class whose body directly defines `fnNode` (through a decorator). */
function definingClass(scope: Scope, fnNode: SyntaxNode): ClassRec | undefined {
  let n = fnNode.parent;
  if (n?.type === 'decorated_definition') n = n.parent;
  if (n?.type !== 'block') return undefined;
  return n.parent ? scope.classes.get(n.parent) : undefined;
}

/** Decorators written above a function definition, as text. */
export function decoratorsOf(text: string, fnNode: SyntaxNode): string[] {
  const parent = fnNode.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return parent.children.filter((c) => c.type === 'decorator').map((d) => text.slice(d.start, d.end));
}

/** Reads the whole file into the model. */
export function buildModel(root: SyntaxNode, text: string, path: string, catalog: Catalog, syntaxErrors: number): { model: FileModel; state: BuildState } {
  const scope = new Scope(text);
  const comments: Comment[] = [];
  const fnNodes: SyntaxNode[] = [];
  const callNodes: SyntaxNode[] = [];
  const yieldNodes: SyntaxNode[] = [];
  const assignNodes: SyntaxNode[] = [];
  const paramNodes: SyntaxNode[] = [];
  const withs: SyntaxNode[] = [];
  const lockCalls: SyntaxNode[] = [];
  const tryNodes: SyntaxNode[] = [];
  const importNodes: SyntaxNode[] = [];
  walk(root, (n) => {
    switch (n.type) {
      case 'import_statement':
      case 'import_from_statement':
        importNodes.push(n);
        return false;
      case 'comment':
        comments.push({ span: span(n), text: text.slice(n.start + 1, n.end) });
        return false;
      case 'class_definition': {
        const name = n.children.find((c) => c.type === 'identifier');
        const rec: ClassRec = { name: name ? text.slice(name.start, name.end) : '', node: n, attrs: new Map(), methods: new Map() };
        scope.classes.set(n, rec);
        if (rec.name) scope.classesByName.set(rec.name, rec);
        return;
      }
      case 'call':
        callNodes.push(n);
        return;
      case 'await':
      case 'yield':
        yieldNodes.push(n);
        return;
      case 'with_statement':
        withs.push(n);
        if (/^async\b/.test(text.slice(n.start, n.start + 5))) yieldNodes.push(n);
        return;
      case 'for_statement':
        if (/^async\b/.test(text.slice(n.start, n.start + 5))) yieldNodes.push(n);
        return;
      case 'assignment':
        assignNodes.push(n);
        return;
      case 'try_statement':
        tryNodes.push(n);
        return;
      case 'typed_parameter':
      case 'typed_default_parameter':
        paramNodes.push(n);
        return;
      case 'expression_statement': {
        const e = n.children[0]?.type === 'await' ? n.children[0].children[0] : n.children[0];
        if (e?.type === 'call' && /\.\s*(acquire|release)$/.test(text.slice(e.children[0]?.start ?? 0, e.children[0]?.end ?? 0))) lockCalls.push(n);
        return;
      }
      default:
        if (FUNCTION_TYPES.has(n.type)) fnNodes.push(n);
        return;
    }
  });

  const state: BuildState = { text, scope, fns: [], fnOfNode: new Map(), callOfNode: new Map(), calls: [], catalog, withs, lockCalls, library: 'asyncio' };
  // Function records first (without contexts): resolution needs to know the file's functions.
  for (const node of fnNodes) {
    const parent = enclosingFn(state, node);
    const nameNode = node.type === 'function_definition' ? node.children.find((c) => c.type === 'identifier') : undefined;
    const name = nameNode ? text.slice(nameNode.start, nameNode.end) : lambdaName(text, node);
    const cls = node.type === 'function_definition' ? definingClass(scope, node) : undefined;
    const isAsync = node.type === 'function_definition' && /^async\b/.test(text.slice(node.start, node.start + 5));
    const rec: PyFn = { id: state.fns.length, node, ...(name !== undefined ? { name } : {}), ...(parent ? { parent } : {}), ...(cls ? { cls } : {}), bindings: new Map(), isAsync };
    state.fns.push(rec);
    state.fnOfNode.set(node, rec);
    if (cls && nameNode) cls.methods.set(name!, rec.id);
    else if (node.type === 'function_definition' && name !== undefined) {
      const list = scope.functionsByName.get(name);
      if (list) list.push(rec);
      else scope.functionsByName.set(name, [rec]);
    }
  }
  // Imports, once functions are known: an import inside a function binds its name there only.
  for (const n of importNodes) scope.addImport(n, enclosingFn(state, n));
  state.library = libraryOf(scope);
  // Bindings: annotated parameters, then assignments in source order (`self.x = …` first, for every method).
  for (const p of paramNodes) {
    const fn = enclosingFn(state, p);
    const id = p.children[0];
    const type = p.children.find((c) => c.type === 'type');
    if (!fn || !id || id.type !== 'identifier' || !type) continue;
    const t = scope.annotationType(type, fn);
    if (t) fn.bindings.set(text.slice(id.start, id.end), t);
  }
  const selfAssign = (a: SyntaxNode): boolean => a.children[0]?.type === 'attribute' && /^(self|cls)\s*\./.test(text.slice(a.start, a.start + 5));
  for (const a of [...assignNodes.filter(selfAssign), ...assignNodes.filter((a) => !selfAssign(a))]) bindAssignment(state, a);
  for (const w of withs) bindWithTargets(state, w);
  unblockSockets(state, callNodes);

  // Contexts, in function order (parents first).
  const contexts: AsyncContext[] = [];
  const functions: FunctionInfo[] = [];
  for (const f of state.fns) functions.push(describeFunction(state, f, functions, contexts));

  for (const node of callNodes) {
    const fn = enclosingFn(state, node);
    const site = readCall(state, node, fn, functions);
    state.callOfNode.set(node, site.id);
    state.calls.push(site);
  }

  const yieldPoints = readYields(state, yieldNodes, functions);
  const channels: ChannelSite[] = [];
  const spawns: SpawnSite[] = [];
  // Each async function's own yield points, read once: a dropped spawn asks for its coroutine's.
  const suspensions = new Map<number, YieldPoint[]>();
  for (const y of yieldPoints) {
    const owner = contexts[y.context]?.functionId;
    if (owner === undefined) continue;
    const list = suspensions.get(owner);
    if (list) list.push(y);
    else suspensions.set(owner, [y]);
  }
  for (const node of callNodes) {
    const call = state.calls[state.callOfNode.get(node)!]!;
    if (call.callee === undefined) continue;
    const ch = catalog.channels.get(call.callee);
    // A thread-safe `queue.Queue` matters here only in a file with async code (it is the normal tool of threaded code).
    if (ch && !(call.callee.startsWith('queue.') && contexts.length === 0)) {
      const bound = flowControlled(state, node) || boundedByUse(state, node) ? { shown: '', reason: undefined } : channelBound(text, node, ch.alwaysUnbounded === true, call.callee);
      channels.push({
        id: channels.length, span: call.span, constructor: ch.name, text: `${call.calleeText}(${bound.shown})`, bounded: bound.reason === undefined,
        ...(bound.reason ? { reason: bound.reason } : {}),
        ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
      });
    }
    if (TASK_SPAWNERS.has(call.callee)) {
      const handle = handleUse(text, node, state);
      // What the spawned coroutine waits on, read once for both questions below.
      const spawned = handle === 'dropped' ? spawnedCoroutine(state, node, contexts, suspensions) : undefined;
      const sleeper = spawned ? sleeperKind(state, spawned) : undefined;
      const excuse = handle === 'dropped' ? detachedExcuse(state, call, spawned, sleeper !== undefined) : undefined;
      // A sleeper that is reported is out of reach, not at risk of collection: the catalog says so, naming its endless loop as written.
      const runtime = sleeper !== undefined && excuse === undefined ? { runtime: sleeper.kind, ...(sleeper.loop !== undefined ? { detail: sleeper.loop } : {}) } : {};
      spawns.push({ id: spawns.length, span: call.span, spawner: call.callee, handle, inLoop: call.inLoop, ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}), ...(excuse ? { excuse } : {}), ...runtime });
    }
  }
  const heldRegions = buildHeldRegions(state, functions);
  const amplifiers = new PythonAmplifiers(state, callNodes);
  const fanOuts = amplifiers.fanOuts();
  const loops = amplifiers.retries(tryNodes);
  const retries = [...loops, ...libraryRetries(state, functions, loops.length)];
  const exports = pythonExports(state, importNodes);
  const model: FileModel = { language: 'python', path, contexts, functions, yieldPoints, heldRegions, calls: state.calls, channels, spawns, fanOuts, retries, comments, syntaxErrors, exports };
  return { model, state };
}

/** `f = lambda …` names the lambda `f`. */
function lambdaName(text: string, node: SyntaxNode): string | undefined {
  const p = node.parent;
  if (p?.type !== 'assignment' || p.children[p.children.length - 1] !== node) return undefined;
  const left = p.children[0];
  return left?.type === 'identifier' ? text.slice(left.start, left.end) : undefined;
}

function bindAssignment(state: BuildState, a: SyntaxNode): void {
  const { text, scope } = state;
  const left = a.children[0];
  if (!left) return;
  const annotation = a.children.find((c, i) => i > 0 && c.type === 'type');
  const right = a.children.length > 1 ? a.children[a.children.length - 1] : undefined;
  const fn = enclosingFn(state, a);
  const opened = right?.type === 'call' && !annotation && isFileOpener(state, right, fn);
  // A file opened in a function is that function's: its `open` is the finding (a field is not).
  const type = opened
    ? (fn && left.type === 'identifier' ? FILE_OPENED_HERE : FILE_OBJECT)
    : (annotation ? scope.annotationType(annotation, fn) : undefined) ?? (right && right !== annotation ? scope.typeOf(right, fn) : undefined);
  if (left.type === 'identifier') {
    const name = text.slice(left.start, left.end);
    const cls = classBodyOf(scope, a);
    if (type === undefined) {
      if (!fn && !cls) scope.shadowed.add(name);
      return;
    }
    if (cls && !fn) cls.attrs.set(name, type);
    else if (fn) fn.bindings.set(name, type);
    else scope.globals.set(name, type);
    return;
  }
  // `a, b = x(), y()` and `(a, b) = (x(), y())`: element by element.
  if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && right && (right.type === 'expression_list' || right.type === 'tuple')) {
    const names = left.children.filter((c) => c.type !== 'comment');
    const values = right.children.filter((c) => c.type !== 'comment');
    if (names.length !== values.length) return;
    names.forEach((n, i) => {
      if (n.type !== 'identifier') return;
      const t = scope.typeOf(values[i]!, fn);
      if (t === undefined) return;
      if (fn) fn.bindings.set(text.slice(n.start, n.end), t);
      else scope.globals.set(text.slice(n.start, n.end), t);
    });
    return;
  }
  // `conn, addr = sock.accept()`, `a, b = socket.socketpair()`: the call's tuple, element by element.
  if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && right?.type === 'call') {
    const callee = scope.resolve(right, fn).callee;
    const elements = callee !== undefined ? TUPLE_RETURN_TYPES.get(callee) : undefined;
    const names = left.children.filter((c) => c.type !== 'comment');
    if (!elements || names.length !== elements.length) return;
    names.forEach((n, i) => {
      const t = elements[i];
      if (t === undefined) return;
      const member = n.children[n.children.length - 1];
      if (n.type === 'attribute' && member && /^(self|cls)\s*\./.test(text.slice(n.start, n.end))) scope.classOf(fn)?.attrs.set(text.slice(member.start, member.end), t);
      if (n.type !== 'identifier') return;
      if (fn) fn.bindings.set(text.slice(n.start, n.end), t);
      else scope.globals.set(text.slice(n.start, n.end), t);
    });
    return;
  }
  if (left.type === 'attribute' && type !== undefined) {
    const obj = left.children[0];
    const member = left.children[left.children.length - 1];
    if (obj?.type === 'identifier' && /^(self|cls)$/.test(text.slice(obj.start, obj.end)) && member) {
      scope.classOf(fn)?.attrs.set(text.slice(member.start, member.end), type);
    }
  }
}

/** The event loop's socket methods: they take a non-blocking socket (asyncio checks it in debug mode). */
const LOOP_SOCKET_METHODS: ReadonlySet<string> = new Set([
  'sock_recv', 'sock_recv_into', 'sock_recvfrom', 'sock_recvfrom_into', 'sock_sendall', 'sock_sendto', 'sock_connect', 'sock_accept', 'sock_sendfile',
]);
/** Calls whose `sock=` socket becomes a transport's: asyncio calls `sock.setblocking(False)` on it. */
const SOCKET_HANDOVERS: ReadonlySet<string> = new Set([
  'asyncio.open_connection', 'asyncio.start_server', 'asyncio.open_unix_connection', 'asyncio.start_unix_server',
  'asyncio.AbstractEventLoop.create_connection', 'asyncio.AbstractEventLoop.create_server', 'asyncio.AbstractEventLoop.create_datagram_endpoint',
  'asyncio.AbstractEventLoop.create_unix_connection', 'asyncio.AbstractEventLoop.create_unix_server', 'asyncio.AbstractEventLoop.connect_accepted_socket',
]);

/**
 * A socket variable (or `self.` field) the file makes non-blocking, `x.setblocking(False)` or
 * `x.settimeout(0)`, or hands to the event loop (`loop.sock_recv(x, n)`, `asyncio.open_connection(sock=x)`),
 * is typed {@link NON_BLOCKING_SOCKET}: its calls do not wait. Read for the whole function (or class),
 * as the bindings are, not in statement order.
 */
function unblockSockets(state: BuildState, callNodes: readonly SyntaxNode[]): void {
  const { text, scope } = state;
  const mark = (node: SyntaxNode | undefined, fn: PyFn | undefined): void => {
    while (node?.type === 'parenthesized_expression') node = node.children[0];
    if (!node || scope.typeOf(node, fn) !== 'socket.socket') return;
    if (node.type === 'identifier') {
      const name = text.slice(node.start, node.end);
      for (let f = fn; f; f = f.parent) {
        if (f.bindings.has(name)) {
          f.bindings.set(name, NON_BLOCKING_SOCKET);
          return;
        }
      }
      if (scope.globals.has(name)) scope.globals.set(name, NON_BLOCKING_SOCKET);
      return;
    }
    const member = node.children[node.children.length - 1];
    if (node.type === 'attribute' && member) scope.classOf(fn)?.attrs.set(text.slice(member.start, member.end), NON_BLOCKING_SOCKET);
  };
  for (const call of callNodes) {
    const f = call.children[0];
    const args = call.children[call.children.length - 1];
    if (!f || args?.type !== 'argument_list') continue;
    const fn = enclosingFn(state, call);
    const member = f.type === 'attribute' ? text.slice(f.children[f.children.length - 1]!.start, f.end) : '';
    const items = args.children.filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',' && c.type !== 'comment');
    const only = items.length === 1 ? text.slice(items[0]!.start, items[0]!.end).trim() : undefined;
    if ((member === 'setblocking' && (only === 'False' || only === '0')) || (member === 'settimeout' && only !== undefined && /^0(?:\.0*)?$/.test(only))) {
      mark(f.children[0], fn);
    } else if (LOOP_SOCKET_METHODS.has(member) && items[0]?.type !== 'keyword_argument') {
      mark(items[0], fn);
    } else {
      const kw = items.find((a) => a.type === 'keyword_argument' && /^sock\s*=/.test(text.slice(a.start, a.end)));
      const callee = kw ? scope.resolve(call, fn).callee : undefined;
      if (kw && callee !== undefined && SOCKET_HANDOVERS.has(callee)) mark(kw.children[kw.children.length - 1], fn);
    }
  }
}

/** The class whose body holds `node` directly (not inside a method). */
function classBodyOf(scope: Scope, node: SyntaxNode): ClassRec | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (FUNCTION_TYPES.has(n.type)) return undefined;
    const cls = scope.classes.get(n);
    if (cls) return cls;
  }
  return undefined;
}

/** `with requests.Session() as s:` / `async with aiohttp.ClientSession() as session:` type the target. */
function bindWithTargets(state: BuildState, w: SyntaxNode): void {
  const clause = w.children.find((c) => c.type === 'with_clause');
  const fn = enclosingFn(state, w);
  for (const item of clause?.children ?? []) {
    const value = item.children[0];
    if (value?.type !== 'as_pattern') continue;
    const expr = value.children[0];
    const target = value.children[value.children.length - 1]?.children[0];
    if (!expr || target?.type !== 'identifier') continue;
    // `with open(p) as f`: the file is closed at the block's end, its `open` is the finding.
    const t = expr.type === 'call' && isFileOpener(state, expr, fn) ? FILE_OPENED_HERE : state.scope.typeOf(expr, fn);
    if (t === undefined) continue;
    const name = state.text.slice(target.start, target.end);
    if (fn) fn.bindings.set(name, t);
    else state.scope.globals.set(name, t);
  }
}

/** `open(…)`, `Path(p).open(…)`, `gzip.open(…)`, `tempfile.TemporaryFile()`…: a call that returns a blocking file object. */
function isFileOpener(state: BuildState, call: SyntaxNode, fn: PyFn | undefined): boolean {
  const callee = state.scope.resolve(call, fn).callee;
  return callee !== undefined && FILE_OPENERS.has(callee);
}

/** The call a node is an argument of (positional or keyword), skipping parentheses. */
function callTakingArgument(node: SyntaxNode): SyntaxNode | undefined {
  let n = node.parent;
  while (n?.type === 'parenthesized_expression') n = n.parent;
  if (n?.type === 'keyword_argument') n = n.parent;
  return n?.type === 'argument_list' && n.parent?.type === 'call' ? n.parent : undefined;
}

function isOffloader(state: BuildState, call: SyntaxNode): boolean {
  const f = call.children[0];
  const member = f?.type === 'attribute' ? state.text.slice(f.children[f.children.length - 1]!.start, f.end) : undefined;
  if (member !== undefined && OFFLOADING_METHODS.has(member)) return true;
  const callee = state.scope.resolve(call, enclosingFn(state, call)).callee;
  return callee !== undefined && OFFLOADERS.has(callee);
}

function describeFunction(state: BuildState, f: PyFn, functions: FunctionInfo[], contexts: AsyncContext[]): FunctionInfo {
  const { text, scope } = state;
  const node = f.node;
  const parentInfo = f.parent ? functions[f.parent.id] : undefined;
  let offloaded = false;
  if (node.type === 'lambda') {
    const call = callTakingArgument(node);
    offloaded = call !== undefined && isOffloader(state, call);
  } else {
    // `@sync_to_async` (asgiref) and friends run the decorated body in a thread.
    for (const d of decoratorsOf(text, node)) {
      const name = /^@\s*([\w.]+)/.exec(d)?.[1];
      const q = name ? scope.qualify(name, f.parent) : undefined;
      if (q && OFFLOADERS.has(q)) offloaded = true;
    }
  }
  const nameNode = node.type === 'function_definition' ? node.children.find((c) => c.type === 'identifier') : undefined;
  let context: number | undefined;
  if (f.isAsync) {
    context = contexts.length;
    const route = decoratorsOf(text, node).map((d) => ROUTE_DECORATOR.exec(d)?.[1]).find((r) => r !== undefined);
    const name = route ? `@${route} ${f.name ?? 'handler'}` : (f.name ?? 'async function');
    contexts.push({
      id: context, kind: 'async-function', name, span: span(node), nameSpan: nameNode ? span(nameNode) : { start: node.start, end: node.start + 5 },
      reason: route ? `\`async def\` registered with \`@${route}\`` : '`async def`', functionId: f.id,
    });
  } else if (node.type === 'lambda' && !offloaded && parentInfo && !parentInfo.offloaded) {
    // A lambda runs where it is called: inline (`sorted(xs, key=lambda x: …)`) in its function's context.
    context = parentInfo.context;
  }
  return {
    id: f.id, ...(f.name !== undefined ? { name: f.name } : {}), span: span(node), ...(nameNode ? { nameSpan: span(nameNode) } : {}),
    ...(f.parent ? { parent: f.parent.id } : {}), ...(context !== undefined ? { context } : {}), offloaded, isAsync: f.isAsync,
  };
}

const SLEEPS = new Set(['asyncio.sleep', 'anyio.sleep', 'trio.sleep']);
const NON_BLOCKING_QUEUE_CALL = /\bblock\s*=\s*False\b/;
const EXIST_OK_CALLS: ReadonlySet<string> = new Set(['pathlib.Path.mkdir', 'os.makedirs']);
const EXIST_OK = /\bexist_ok\s*=\s*True\b/;

const CONNECT_IF_HOST: ReadonlySet<string> = new Set(['smtplib.SMTP', 'smtplib.SMTP_SSL', 'smtplib.LMTP', 'ftplib.FTP', 'ftplib.FTP_TLS']);

/** A host in a client's constructor call: a first positional argument or `host=`, not the empty string; `*args`/`**kwargs` may hold one. */
function hostGiven(text: string, args: SyntaxNode): boolean {
  if (args.type !== 'argument_list') return true;
  const items = args.children.filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',' && c.type !== 'comment');
  const empty = (n: SyntaxNode | undefined): boolean => n !== undefined && /^(?:''|"")$/.test(text.slice(n.start, n.end));
  for (const [i, a] of items.entries()) {
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return true;
    if (a.type === 'keyword_argument') {
      if (/^host\s*=/.test(text.slice(a.start, a.end))) return !empty(a.children[a.children.length - 1]);
      continue;
    }
    if (i === 0) return !empty(a);
  }
  return false;
}

function readCall(state: BuildState, node: SyntaxNode, fn: PyFn | undefined, functions: FunctionInfo[]): CallSite {
  const { text, scope } = state;
  const fnNode = node.children[0]!;
  const args = node.children[node.children.length - 1]!;
  const argCount = args.type === 'argument_list' ? args.children.filter((c) => c.type !== 'comment').length : 1;
  const resolved = scope.resolve(node, fn);
  let callee = resolved.callee;
  // `q.get(block=False)`, `q.get(False)`, `q.put(item, False)` do not wait.
  if (callee && /^queue\.\w+\.(get|put)$/.test(callee)) {
    const argText = text.slice(args.start, args.end);
    const positional = args.children.filter((c) => c.type !== 'keyword_argument' && c.type !== 'comment');
    const blockArg = positional[callee.endsWith('.get') ? 0 : 1];
    if (NON_BLOCKING_QUEUE_CALL.test(argText) || (blockArg && text.slice(blockArg.start, blockArg.end) === 'False')) callee = undefined;
  }
  // `mkdir(…, exist_ok=True)` is idempotent: the catalog lists it apart, as a cheap call (`<name>:exist_ok`).
  if (callee && EXIST_OK_CALLS.has(callee) && EXIST_OK.test(text.slice(args.start, args.end))) callee = `${callee}:exist_ok`;
  // Resolving a numeric address (`NI_NUMERICHOST`, `AI_NUMERICHOST`, trio's `_NUMERIC_ONLY`) asks no DNS server.
  if (callee && /^socket\.get(?:addrinfo|nameinfo)$/.test(callee) && /NUMERIC/.test(text.slice(args.start, args.end))) callee = undefined;
  // `smtplib.SMTP()`, `ftplib.FTP()` connect in `__init__` only when given a host (CPython: `if host:`).
  if (callee && CONNECT_IF_HOST.has(callee) && !hostGiven(text, args)) callee = undefined;
  // `await asyncio.sleep(0)` only lets other tasks run: a checkpoint, not a wait on time or I/O.
  if (callee && SLEEPS.has(callee) && args.type === 'argument_list' && argCount === 1 && /^0(?:\.0*)?$/.test(text.slice(args.start + 1, args.end - 1).trim())) callee = undefined;
  // Leaving `with ThreadPoolExecutor(…)` joins the pool: the call stands for the block's exit.
  if (callee && /^concurrent\.futures\.(Thread|Process)PoolExecutor$/.test(callee) && node.parent && withItemOf(node)?.parent?.parent?.type === 'with_statement') {
    const w = withItemOf(node)!.parent!.parent!;
    if (!/^async\b/.test(text.slice(w.start, w.start + 5))) callee = `${callee}.__exit__`;
  }
  const ct = compactCode(text.slice(fnNode.start, fnNode.end));
  const member = ct.slice(ct.lastIndexOf('.') + 1);
  const info = fn ? functions[fn.id] : undefined;
  let up = node.parent;
  while (up && (up.type === 'await' || up.type === 'parenthesized_expression')) up = up.parent;
  let awaitedBy = node.parent;
  while (awaitedBy?.type === 'parenthesized_expression') awaitedBy = awaitedBy.parent;
  return {
    id: state.calls.length, span: span(node), calleeSpan: span(fnNode), argsSpan: span(args), calleeText: ct,
    ...(callee !== undefined ? { callee } : {}), member, ...(resolved.localTarget !== undefined ? { localTarget: resolved.localTarget } : {}),
    ...(info ? { functionId: info.id } : {}), ...(info?.context !== undefined ? { context: info.context } : {}),
    awaited: awaitedBy?.type === 'await', ...loopFacts(node), resultUnused: up?.type === 'expression_statement', argCount,
    ...(fn && (memoized(state, fn) || behindMemoGuard(text, node, fn)) ? { once: true } : {}),
  };
}

/**
 * A queue an asyncio protocol fills from `data_received` under flow control: the function that takes
 * from it (`await self.queue.get()`) calls `resume_reading()` when it has drained it, and the file
 * pauses reading as it queues (uvicorn's wsproto websocket protocol). The transport stops reading
 * while messages wait, so the queue cannot outgrow what the peer sent before the pause.
 */
function flowControlled(state: BuildState, node: SyntaxNode): boolean {
  let assign = node.parent;
  if (assign?.type !== 'assignment' || assign.children[assign.children.length - 1] !== node) return false;
  const target = assign.children[0];
  if (!target) return false;
  const name = compactCode(state.text.slice(target.start, target.end));
  const getters = state.calls.filter((c) => c.calleeText === `${name}.get` && c.functionId !== undefined);
  if (getters.length === 0 || !state.calls.some((c) => c.member === 'pause_reading')) return false;
  return getters.every((g) => state.calls.some((c) => c.functionId === g.functionId && c.member === 'resume_reading'));
}

/**
 * A queue whose use bounds it, though its constructor does not:
 * - every put is a single call (not in a loop) in code that runs once by its name, at startup or at
 *   shutdown: uvicorn's lifespan queue receives `lifespan.startup` in `startup()` and
 *   `lifespan.shutdown` in `shutdown()`, two messages in all;
 * - a pool: filled in a loop where it is made (`for port in data_ports: q.put_nowait((0, port))`),
 *   and refilled elsewhere only with what was taken from it (a put of a name bound from its own
 *   `get`/`get_nowait` in that function, or a put in an `except`/`finally` that gives the item back):
 *   aioftp's passive data ports. It never holds more than it was filled with.
 * Either way the queue is only used through its own methods here (`q.put(…)`, `q.get()`, `q is None`):
 * handed to other code, it could be filled there.
 */
function boundedByUse(state: BuildState, node: SyntaxNode): boolean {
  const assign = node.parent;
  if (assign?.type !== 'assignment' || assign.children[assign.children.length - 1] !== node) return false;
  const target = assign.children[0];
  if (!target || (target.type !== 'identifier' && target.type !== 'attribute')) return false;
  const name = compactCode(state.text.slice(target.start, target.end));
  if (escapes(state.text, name)) return false;
  const ctor = state.calls[state.callOfNode.get(node)!]!;
  // `self.queue` names an attribute of the class that makes it: other classes' `self.queue` are theirs.
  const classOf = (id: number | undefined): ClassRec | undefined => {
    for (let g = id === undefined ? undefined : state.fns[id]; g; g = g.parent) if (g.cls) return g.cls;
    return undefined;
  };
  const cls = name.startsWith('self.') ? classOf(ctor.functionId) : undefined;
  const puts = state.calls.filter((c) => (c.calleeText === `${name}.put` || c.calleeText === `${name}.put_nowait`) && (cls === undefined || classOf(c.functionId) === cls));
  if (puts.length === 0) return false;
  if (puts.every((p) => !p.inLoop && p.functionId !== undefined && lifecycleByName(state, state.fns[p.functionId]!) !== undefined)) return true;
  const nodeOf = nodesOfCalls(state);
  // A batch handed over: every put queues an item of a collection its function was given.
  if (puts.every((p) => handsOverBatch(state, nodeOf.get(p.id), name))) return true;
  // A pool: filled in a loop in the function that makes it, given back elsewhere.
  const own = puts.filter((p) => p.functionId === ctor.functionId && p.span.start > ctor.span.end);
  if (!own.some((p) => p.inLoop)) return false;
  return puts.filter((p) => p.functionId !== ctor.functionId).every((p) => givesBack(state, nodeOf.get(p.id), p, name));
}

/** A parameter annotated as a collection: `flows: Sequence[flow.Flow]`, `items: list[Job]`. */
const COLLECTION_ANNOTATION = /^(?:typing\.|collections\.abc\.)?(?:Sequence|MutableSequence|List|list|Iterable|Collection|Tuple|tuple|Set|set|FrozenSet|frozenset)\b/;

/**
 * A put in a `for` loop over a parameter its function declares as a collection
 * (`def start_replay(self, flows: Sequence[Flow]): for f in flows: self.queue.put_nowait(f)`, as
 * mitmproxy's client replay hands flows to its worker): the queue holds what the caller already
 * holds, as many items as that collection; its size is not visible here, as for a fan-out over a
 * parameter, which is not reported either. Only when that function also empties the queue or makes
 * it afresh (it `join`s or drains it with `get`/`get_nowait`, clears it, or assigns it a new queue),
 * or when it is a sync function that only configuration, command and start-up hooks of the file call
 * and no other file can (batch-callers.ts: mitmproxy's `start_replay`, itself a command, is called
 * from its `configure` option hook and its `load_file` command, and must queue every flow it is
 * handed, which a bound would only drop): a batch function called once per request (an aiohttp handler's
 * `crawler.enqueue(body["urls"])`) adds a caller's batch to what is queued already, without bound.
 */
function handsOverBatch(state: BuildState, node: SyntaxNode | undefined, name: string): boolean {
  let loop: SyntaxNode | undefined;
  let fn: SyntaxNode | undefined;
  for (let n = node?.parent; n; n = n.parent) {
    if (FUNCTION_TYPES.has(n.type)) { fn = n; break; }
    if (!loop && LOOP_TYPES.has(n.type)) loop = n;
  }
  if (!loop || loop.type !== 'for_statement' || !fn) return false;
  const iterable = loop.children[1];
  if (iterable?.type !== 'identifier') return false;
  const over = state.text.slice(iterable.start, iterable.end);
  const params = fn.children.find((c) => c.type === 'parameters');
  const param = params?.children.find((p) => (p.type === 'typed_parameter' || p.type === 'typed_default_parameter') && p.children.some((c) => c.type === 'identifier' && state.text.slice(c.start, c.end) === over));
  const type = param?.children.find((c) => c.type === 'type');
  if (!type || !COLLECTION_ANNOTATION.test(state.text.slice(type.start, type.end))) return false;
  const q = escapeRegExp(name);
  const body = state.text.slice(fn.start, fn.end).replace(/#[^\n]*/g, '');
  const empties = new RegExp(`(?<![\\w.])${q}\\s*(?:\\.\\s*(?:join|get|get_nowait|clear|_queue\\.clear)\\s*\\(|=(?!=)\\s*(?:asyncio\\.|queue\\.)?\\w*Queue\\s*\\()`);
  if (empties.test(body)) return true;
  // Or a sync batch function only the file's configuration, command and start-up hooks call (mitmproxy's option hook and command).
  const rec = state.fnOfNode.get(fn);
  return rec !== undefined && calledOnlyFromHooks(state, rec);
}

/** A name that leaves the queue's own methods: passed as an argument, aliased, returned, stored elsewhere. */
function escapes(text: string, name: string): boolean {
  const re = new RegExp(`(?<![\\w.])${escapeRegExp(name)}(?!\\w)`, 'g');
  for (const m of text.matchAll(re)) {
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 12);
    if (/^\s*(?:\.|is\b|:|=(?!=))/.test(after)) continue;
    return true;
  }
  return false;
}

/** A put that gives back what was taken: in an `except`/`finally`, or of a name bound from the queue's own `get` in that function. */
function givesBack(state: BuildState, node: SyntaxNode | undefined, put: CallSite, name: string): boolean {
  if (!node) return false;
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (n.type === 'except_clause' || n.type === 'finally_clause') return true;
  }
  const taken = new Set<string>();
  for (const g of state.calls) {
    if (g.functionId !== put.functionId || (g.calleeText !== `${name}.get` && g.calleeText !== `${name}.get_nowait`)) continue;
    let a = nodesOfCalls(state).get(g.id)?.parent;
    if (a?.type === 'await') a = a.parent;
    const left = a?.type === 'assignment' ? a.children[0] : undefined;
    if (left) for (const id of state.text.slice(left.start, left.end).matchAll(/[A-Za-z_]\w*/g)) taken.add(id[0]);
  }
  const args = state.text.slice(put.argsSpan.start, put.argsSpan.end);
  return [...args.matchAll(/[A-Za-z_]\w*/g)].some((m) => taken.has(m[0]));
}

const GUARD = /^(?:not\s+([A-Za-z_]\w*)|([A-Za-z_]\w*)\s+is\s+None|([A-Za-z_]\w*)\s*==\s*None)$/;

/**
 * A call in the body of `if _cache is None:` (or `if not _cache:`) that assigns a module-level
 * `global _cache` of the function: a lazily built singleton, made on the first call only.
 */
function behindMemoGuard(text: string, node: SyntaxNode, fn: PyFn): boolean {
  for (let n = node.parent; n && n !== fn.node; n = n.parent) {
    const p = n.parent;
    if (n.type !== 'block' || p?.type !== 'if_statement' || p.children[1] !== n) continue;
    const cond = p.children[0];
    const m = cond ? GUARD.exec(text.slice(cond.start, cond.end).replace(/^\(|\)$/g, '').trim()) : null;
    const name = m ? (m[1] ?? m[2] ?? m[3])! : undefined;
    if (name === undefined || !declaredOuter(text, fn.node, name)) continue;
    if (new RegExp(`(?:^|\\n)\\s*${name}\\s*(?::[^=\\n]*)?=(?!=)`).test(text.slice(n.start, n.end))) return true;
  }
  return false;
}

/** Decorators that cache a function's result: its body runs once per distinct arguments (once per process for none). */
const MEMOIZERS: ReadonlySet<string> = new Set(['functools.cache', 'functools.lru_cache', 'cachetools.cached', 'async_lru.alru_cache']);
const memoizedFns = new WeakMap<PyFn, boolean>();

/** Whether `fn`, or a function it is nested in, is decorated with a cache (`@lru_cache`, `@functools.cache`). */
function memoized(state: BuildState, fn: PyFn): boolean {
  let known = memoizedFns.get(fn);
  if (known === undefined) {
    known = decoratorsOf(state.text, fn.node).some((d) => {
      const name = /^@\s*([\w.]+)/.exec(d)?.[1];
      const q = name === undefined ? undefined : state.scope.qualify(name, fn.parent);
      return q !== undefined && MEMOIZERS.has(q);
    }) || (fn.parent !== undefined && memoized(state, fn.parent));
    memoizedFns.set(fn, known);
  }
  return known;
}

/** The `with_item` whose value is `node` (directly or as the expression of `… as x`). */
function withItemOf(node: SyntaxNode): SyntaxNode | undefined {
  let n = node.parent;
  if (n?.type === 'as_pattern') n = n.parent;
  return n?.type === 'with_item' ? n : undefined;
}

function readYields(state: BuildState, nodes: readonly SyntaxNode[], functions: FunctionInfo[]): YieldPoint[] {
  const raw: { kind: YieldKind; span: Span; keywordSpan: Span; context: number; operand: Span }[] = [];
  for (const n of nodes) {
    const fn = enclosingFn(state, n);
    const ctx = fn ? functions[fn.id]?.context : undefined;
    // Only the async function itself suspends: a `yield` in a sync generator nested in it does not.
    if (ctx === undefined || !fn?.isAsync) continue;
    if (n.type === 'await') {
      raw.push({ kind: 'await', span: span(n), keywordSpan: { start: n.start, end: n.start + 5 }, context: ctx, operand: span(n) });
    } else if (n.type === 'yield') {
      raw.push({ kind: 'yield', span: span(n), keywordSpan: { start: n.start, end: n.start + 5 }, context: ctx, operand: span(n) });
    } else if (n.type === 'with_statement') {
      const clause = n.children.find((c) => c.type === 'with_clause');
      if (clause) raw.push({ kind: 'async-with', span: { start: n.start, end: clause.end }, keywordSpan: { start: n.start, end: n.start + 5 }, context: ctx, operand: span(clause) });
    } else {
      const iterable = n.children[1];
      if (iterable) raw.push({ kind: 'for-await', span: { start: n.start, end: iterable.end }, keywordSpan: { start: n.start, end: n.start + 5 }, context: ctx, operand: span(iterable) });
    }
  }
  raw.sort((a, b) => a.span.start - b.span.start);
  const ordinals = new Map<number, number>();
  return raw.map((y, id) => {
    const ordinal = (ordinals.get(y.context) ?? 0) + 1;
    ordinals.set(y.context, ordinal);
    const calls = state.calls.filter((c) => c.span.start >= y.operand.start && c.span.end <= y.operand.end).map((c) => c.id);
    return { id, kind: y.kind, span: y.span, keywordSpan: y.keywordSpan, context: y.context, ordinal, calls };
  });
}

const INFINITE = /^(?:math\.inf|inf|float\(\s*["']inf["']\s*\)|sys\.maxsize)$/;

/** Whether a channel constructor call is bounded, and what its bound argument says. */
function channelBound(text: string, call: SyntaxNode, alwaysUnbounded: boolean, callee: string): { reason?: 'no-capacity' | 'infinite-capacity'; shown: string } {
  if (alwaysUnbounded) return { reason: 'no-capacity', shown: '' };
  const spec = CHANNEL_BOUNDS.get(callee);
  const args = call.children[call.children.length - 1];
  if (!spec || args?.type !== 'argument_list') return { shown: '' };
  let value: SyntaxNode | undefined = args.children.find((c) => c.type !== 'keyword_argument' && c.type !== 'comment');
  for (const kw of args.children) {
    if (kw.type === 'keyword_argument' && kw.children[0] && text.slice(kw.children[0].start, kw.children[0].end) === spec.keyword) value = kw.children[1];
  }
  // `Queue(*args)` or `Queue(**kw)`: the bound is not written here.
  if (!value && args.children.some((c) => c.type === 'list_splat' || c.type === 'dictionary_splat')) return { shown: '…' };
  if (!value) return spec.absent === 'unbounded' ? { reason: 'no-capacity', shown: '' } : { shown: '' };
  const v = text.slice(value.start, value.end).replace(/\s+/g, '');
  const shown = text.slice(args.start + 1, args.end - 1).trim();
  if (INFINITE.test(v)) return { reason: 'infinite-capacity', shown };
  if (spec.absent === 'unbounded' && /^(?:0|-\d+)$/.test(v)) return { reason: 'no-capacity', shown };
  return { shown };
}

function handleUse(text: string, call: SyntaxNode, state: BuildState): HandleUse {
  let n = call.parent;
  while (n?.type === 'parenthesized_expression') n = n.parent;
  if (!n) return 'dropped';
  if (n.type === 'await') return 'awaited';
  if (n.type === 'expression_statement') return 'dropped';
  if (n.type === 'assignment' && n.children[0]?.type === 'identifier') {
    // `task = unused = create_task(…)`: every name of the chain holds it.
    const names: string[] = [];
    let a: SyntaxNode | undefined = n;
    let top = n;
    while (a?.type === 'assignment' && a.children[0]?.type === 'identifier') {
      names.push(text.slice(a.children[0].start, a.children[0].end));
      top = a;
      a = a.parent;
    }
    if (a?.type === 'assignment') return 'stored';
    // A local the function never reads again holds the task only until the function returns.
    const fn = enclosingFn(state, n);
    if (names.every((name) => name === '_')) return 'dropped';
    if (!fn) return 'stored';
    const after = text.slice(top.end, fn.node.end).replace(/#[^\n]*/g, '');
    const read = (name: string): boolean =>
      name !== '_' && (new RegExp(`(?<![\\w.])${name}\\b(?!\\s*(?::[^=\\n]*)?=(?!=))`).test(after) || declaredOuter(text, fn.node, name));
    return names.some(read) ? 'stored' : 'dropped';
  }
  if (n.type === 'assignment' || n.type === 'augmented_assignment') return 'stored';
  if (n.type === 'return_statement') return 'returned';
  return 'passed';
}

/** Calls whose first argument is called once per connection or datagram (`asyncio.start_server(handle, …)`). */
const SERVER_CALLBACKS: ReadonlySet<string> = new Set(['start_server', 'start_unix_server', 'serve']);

/**
 * Why a dropped task is not lost, when the file shows it:
 * - `no-suspend`: its coroutine is a same-file async function with no `await`, `async with`,
 *   `async for` or `yield`: it runs to completion in the loop's next step, so nothing can collect it
 *   mid-flight; it is a `loop.call_soon` (mitmproxy's `ErrorCheck.running` schedules
 *   `_shutdown_if_errored`, which prints and exits);
 * - `timer`: every suspension of that function is an `await asyncio.sleep(…)`: the loop's timer holds
 *   the task while it sleeps, so it is a chain of `loop.call_later` callbacks (mitmproxy's
 *   `KeepServing.watch` polls every 0.1 s); its failure reaches the loop's exception handler when it
 *   ends, as a callback's would. Only when it is started once, from a start-up, configuration or
 *   command hook (`running`): a sleeper started per request or per cache entry (an expiry that sleeps
 *   its TTL, then deletes its key) is not collected, but nothing can cancel it when its key is
 *   replaced or removed, so it deletes the new value early, and they pile up with the traffic;
 * - `accept-loop`: it is started once (not in a loop) in a function the file hands to a server as
 *   its per-connection or per-datagram callback (`asyncio.start_server(self.handle, …)`, a UDP
 *   server's `start_server(self.handle_datagram, …)`): one task per connection, which the transport
 *   keeps alive while it waits on it (mitmproxy's DNS flows).
 */
function detachedExcuse(state: BuildState, call: CallSite, spawned: SpawnedCoroutine | undefined, sleeper: boolean): DetachedExcuse | undefined {
  if (spawned?.suspensions.length === 0) return 'no-suspend';
  if (sleeper && inHookOnce(state, call)) return 'timer';
  const fn = call.functionId === undefined ? undefined : state.fns[call.functionId];
  if (!call.inLoop && fn?.name !== undefined && !fn.parent) {
    const ref = fn.cls ? `self.${fn.name}` : fn.name;
    if (serverCallbacks(state).has(ref)) return 'accept-loop';
  }
  return undefined;
}

/** The coroutine a spawn starts, when it is a call of a same-file async function, and its own suspensions. */
interface SpawnedCoroutine {
  readonly fn: PyFn;
  /** Empty for one that runs to completion in one step. */
  readonly suspensions: readonly YieldPoint[];
}

/**
 * The coroutine a spawn starts and its suspensions, when it is a call of a same-file async function
 * (`create_task(self.watch())`); else undefined.
 */
function spawnedCoroutine(state: BuildState, node: SyntaxNode, contexts: readonly AsyncContext[], suspensions: ReadonlyMap<number, readonly YieldPoint[]>): SpawnedCoroutine | undefined {
  const arg = node.children.find((c) => c.type === 'argument_list')?.children.find((c) => c.type !== '(' && c.type !== ',');
  const inner = arg?.type === 'call' ? state.calls[state.callOfNode.get(arg)!] : undefined;
  const target = inner?.localTarget !== undefined ? state.fns[inner.localTarget] : undefined;
  if (!target?.isAsync) return undefined;
  const ctx = contexts.find((c) => c.functionId === target.id);
  return ctx ? { fn: target, suspensions: (suspensions.get(target.id) ?? []).filter((y) => y.context === ctx.id) } : undefined;
}

/**
 * Whether a spawn's coroutine suspends only on `asyncio.sleep` (and at least once), so the loop's
 * timer keeps it: `sleeper-loop` when it sleeps in a `while True` loop it never leaves (a refill or
 * keepalive that runs as long as the process), with that loop's head as written (`` `while 1` ``),
 * `sleeper` when it ends (an expiry that sleeps its delay once); undefined when it waits on anything else.
 */
function sleeperKind(state: BuildState, spawned: SpawnedCoroutine): { kind: 'sleeper' | 'sleeper-loop'; loop?: string } | undefined {
  const { fn, suspensions } = spawned;
  if (suspensions.length === 0 || !suspensions.every((y) => waitsOnTimer(state, y, fn))) return undefined;
  const loop = endlessLoop(state.text, fn.node);
  if (loop === undefined) return { kind: 'sleeper' };
  const cond = loop.children[0]!;
  return { kind: 'sleeper-loop', loop: `\`while ${state.text.slice(cond.start, cond.end)}\`` };
}

/**
 * The `while True:` (or `while 1:`) loop of a function's body with no `break` of its own and no
 * `return`, as one of its own statements or inside the `try:` or `with`/`async with` blocks that
 * wrap them (a worker that loops until cancelled and cleans up in `finally`): once there, it never
 * ends (only an exception or a cancellation ends it). A loop under an `if` may never start, and one in
 * a nested function is that function's.
 */
function endlessLoop(text: string, fn: SyntaxNode): SyntaxNode | undefined {
  const leaves = (n: SyntaxNode, inLoop: boolean): boolean => {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return false;
    if (n.type === 'return_statement' || (n.type === 'break_statement' && !inLoop)) return true;
    const loop = inLoop || n.type === 'for_statement' || n.type === 'while_statement';
    return n.children.some((c) => leaves(c, loop));
  };
  const endless = (st: SyntaxNode): SyntaxNode | undefined => {
    if (st.type === 'try_statement' || st.type === 'with_statement') {
      // The `try:` body or the `with` body: the view's only direct `block` child (a clause's block is the clause's).
      return firstOf(st.children.find((c) => c.type === 'block')?.children ?? []);
    }
    if (st.type !== 'while_statement') return undefined;
    // Named children only: the condition comes first.
    if (!alwaysTrue(text, st.children[0])) return undefined;
    if (st.children.some((c) => c.type === 'else_clause')) return undefined;
    return st.children.some((c) => leaves(c, false)) ? undefined : st;
  };
  const firstOf = (statements: readonly SyntaxNode[]): SyntaxNode | undefined => {
    for (const st of statements) {
      const found = endless(st);
      if (found) return found;
    }
    return undefined;
  };
  return firstOf(fn.children.find((c) => c.type === 'block')?.children ?? []);
}

/** `True`, or a nonzero integer literal (`while 1:`, the idiom older code writes). */
function alwaysTrue(text: string, cond: SyntaxNode | undefined): boolean {
  if (cond?.type === 'true') return true;
  return cond?.type === 'integer' && !/^(?:0[xXoObB])?[0_]+[jJ]?$/.test(text.slice(cond.start, cond.end));
}

/**
 * `await asyncio.sleep(…)`: the task waits on a timer the loop holds (`call_later` keeps the sleep's
 * future, whose done callback keeps the task; `sleep(0)` puts the task back in the ready queue).
 */
function waitsOnTimer(state: BuildState, y: YieldPoint, fn: PyFn): boolean {
  if (y.kind !== 'await' || y.calls.length === 0) return false;
  // The awaited call is the outermost one; the others are its arguments, evaluated before it waits.
  let outer: CallSite | undefined;
  for (const id of y.calls) {
    const c = state.calls[id]!;
    if (!outer || c.span.end - c.span.start > outer.span.end - outer.span.start) outer = c;
  }
  const node = outer && nodesOfCalls(state).get(outer.id);
  // Resolved again: the builder forgets the callee of `asyncio.sleep(0)`, a checkpoint for the blocking rule.
  return node !== undefined && outer!.span.end === y.span.end && state.scope.resolve(node, fn).callee === 'asyncio.sleep';
}

const nodesOf = new WeakMap<BuildState, ReadonlyMap<number, SyntaxNode>>();

/** Each call's node by the call's id, made once per file. */
function nodesOfCalls(state: BuildState): ReadonlyMap<number, SyntaxNode> {
  let map = nodesOf.get(state);
  if (!map) nodesOf.set(state, (map = new Map([...state.callOfNode].map(([n, id]) => [id, n]))));
  return map;
}

const serverCallbacksOf = new WeakMap<BuildState, ReadonlySet<string>>();

/** The first arguments of the file's server calls (`start_server(self.handle, …)` gives `self.handle`), read once per file. */
function serverCallbacks(state: BuildState): ReadonlySet<string> {
  let refs = serverCallbacksOf.get(state);
  if (refs) return refs;
  const found = new Set<string>();
  for (const [node, id] of state.callOfNode) {
    if (!SERVER_CALLBACKS.has(state.calls[id]?.member ?? '')) continue;
    const first = node.children.find((n) => n.type === 'argument_list')?.children.find((n) => n.type !== '(' && n.type !== ',');
    if (first) found.add(compactCode(state.text.slice(first.start, first.end)));
  }
  refs = found;
  serverCallbacksOf.set(state, refs);
  return refs;
}

/** `global name` / `nonlocal name` in the function: the assignment stores outside it. */
/**
 * Per function node and name, what {@link declaredOuter} found: every call in an `if not x:` block
 * asks it again, and each answer reads the whole function.
 */
const declaredOuterOf = new WeakMap<SyntaxNode, Map<string, boolean>>();

function declaredOuter(text: string, fn: SyntaxNode, name: string): boolean {
  let known = declaredOuterOf.get(fn);
  if (!known) declaredOuterOf.set(fn, (known = new Map()));
  let found = known.get(name);
  if (found === undefined) {
    found = new RegExp(`\\b(?:global|nonlocal)\\s+(?:[\\w\\s,]*,\\s*)?${name}\\b`).test(text.slice(fn.start, fn.end));
    known.set(name, found);
  }
  return found;
}

export { dotted };
