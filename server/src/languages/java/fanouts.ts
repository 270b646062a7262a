/**
 * Java fan-outs, as `FanOutSite`s: a Reactor `flatMap`/`flatMapSequential` with no concurrency
 * argument over a `Flux` of input (it subscribes to up to 256 inner publishers at once,
 * `Queues.SMALL_BUFFER_SIZE`), `Mono.zip`/`Mono.when`/`Flux.merge`/`Flux.zip` over a list of publishers
 * built per item of input, and `CompletableFuture.allOf` over a future started per item
 * (`supplyAsync`, `sendAsync`, …). The rule reports only those whose items visibly come from outside:
 * the request (`@RequestBody`/`@RequestParam` parameters, `bodyToFlux`, `bodyToMono`, query
 * parameters), the lines of a file, a directory listing, or a message receiver (reactor-kafka's
 * `KafkaReceiver.receive()`, reactor-rabbitmq's `consume*`).
 *
 * Bounds: `flatMap(f, N)` is not a site at all; `take(N)`, `limitRate` do not bound concurrency, but
 * `take(N)` bounds the items (`slice`); a `supplyAsync(…, executor)` runs at most the executor's
 * threads at once (`limiter`).
 */
import type { CollectionSource, FanOutBound, FanOutSite } from '../../engine/model';
import { enclosingFn, type JFn, type JavaState } from './builder';
import { compact, field, quoteCall, type JavaNode } from './syntax';

const CF = 'java.util.concurrent.CompletableFuture';
const FLAT_MAPS = new Set(['flatMap', 'flatMapSequential']);
/** Operators that pass the source's items on one by one (the source decides how many there are). */
const PASS_THROUGH = new Set(['map', 'filter', 'distinct', 'doOnNext', 'doOnEach', 'log', 'name', 'tag', 'metrics', 'checkpoint', 'onErrorContinue', 'filterWhen', 'concatMap', 'mapNotNull', 'handle', 'cast', 'ofType', 'onBackpressureBuffer', 'limitRate', 'publishOn', 'subscribeOn', 'index', 'skip']);
/** Sources that wrap a collection, stream or array (the argument is the collection). */
const WRAPPERS = new Set(['fromIterable', 'fromStream', 'fromArray', 'stream', 'parallelStream', 'asList', 'copyOf', 'of']);
const COMBINERS: ReadonlyMap<string, string> = new Map([
  ['reactor.core.publisher.Mono.zip', 'Mono.zip'], ['reactor.core.publisher.Mono.when', 'Mono.when'], ['reactor.core.publisher.Mono.zipDelayError', 'Mono.zipDelayError'],
  ['reactor.core.publisher.Mono.whenDelayError', 'Mono.whenDelayError'], ['reactor.core.publisher.Flux.merge', 'Flux.merge'], ['reactor.core.publisher.Flux.mergeDelayError', 'Flux.mergeDelayError'],
  ['reactor.core.publisher.Flux.zip', 'Flux.zip'], ['reactor.core.publisher.Flux.mergeSequential', 'Flux.mergeSequential'], [`${CF}.allOf`, 'CompletableFuture.allOf'], [`${CF}.anyOf`, 'CompletableFuture.anyOf'],
]);
/** Combiners that subscribe to every source at once (`Flux.merge` of an `Iterable` goes through a 256-wide `flatMap`). */
const ALL_AT_ONCE = new Set(['Mono.zip', 'Mono.when', 'Mono.zipDelayError', 'Mono.whenDelayError', 'Flux.zip', 'CompletableFuture.allOf', 'CompletableFuture.anyOf']);
const DEFAULT_WIDTH = 'up to 256 at a time (the default concurrency of `flatMap`, `Queues.SMALL_BUFFER_SIZE`)';
const REQUEST_PARAM = /@(?:RequestBody|RequestParam|RequestPart|ModelAttribute)\b/;
const RECEIVER_TYPE = /(?:^|\.)(?:KafkaReceiver|Receiver|RabbitFluxReceiver)$/;

interface Origin {
  readonly source: CollectionSource;
  readonly text: string;
  readonly bound?: FanOutBound;
}

function args(call: JavaNode): JavaNode[] {
  return (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type));
}

function nameOf(state: JavaState, call: JavaNode): string {
  const n = field(call, 'name');
  return n ? state.text.slice(n.start, n.end) : '';
}

/** The declaration of a parameter or local `name` visible from `fn`: its node (a formal parameter or a declarator). */
function declarationOf(state: JavaState, fn: JFn | undefined, name: string): JavaNode | undefined {
  for (let f = fn; f; f = f.parent) {
    const params = field(f.node, 'parameters');
    const p = params?.children.find((c) => (c.type === 'formal_parameter' || c.type === 'spread_parameter') && compact(state.text, field(c, 'name') ?? c.children[c.children.length - 1]!) === name);
    if (p) return p;
    const body = field(f.node, 'body');
    // An explicit stack, in source order: deep nesting must not overflow the call stack.
    const stack: JavaNode[] = body ? [...body.children].reverse() : [];
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (c.type === 'lambda_expression' || c.type === 'class_body') continue;
      if ((c.type === 'variable_declarator' || c.type === 'resource') && field(c, 'name') && compact(state.text, field(c, 'name')!) === name) return c;
      for (let i = c.children.length - 1; i >= 0; i--) stack.push(c.children[i]!);
    }
  }
  return undefined;
}

/** Where the items of `expr` come from, when the code shows it. */
function originOf(state: JavaState, expr: JavaNode | undefined, fn: JFn | undefined, depth = 0): Origin | undefined {
  if (!expr || depth > 8) return undefined;
  const { text } = state;
  const shown = compact(text, expr).length <= 60 ? text.slice(expr.start, expr.end).replace(/\s+/g, ' ') : quoteCall(text, expr);
  if (expr.type === 'parenthesized_expression' || expr.type === 'cast_expression') return originOf(state, expr.children[expr.children.length - 1], fn, depth + 1);
  if (expr.type === 'identifier') {
    const name = text.slice(expr.start, expr.end);
    const decl = declarationOf(state, fn, name);
    if (!decl) return undefined;
    if (decl.type === 'formal_parameter' || decl.type === 'spread_parameter') {
      return REQUEST_PARAM.test(text.slice(decl.start, decl.end)) ? { source: 'request', text: name } : undefined;
    }
    const inner = originOf(state, field(decl, 'value'), fn, depth + 1);
    return inner ? { ...inner, text: inner.text } : undefined;
  }
  if (expr.type === 'field_access') {
    // `request.ids()` style accessors are method calls; a field of a request body parameter (`body.ids`).
    const obj = field(expr, 'object');
    const inner = obj ? originOf(state, obj, fn, depth + 1) : undefined;
    return inner?.source === 'request' ? { source: 'request', text: shown } : undefined;
  }
  if (expr.type !== 'method_invocation') return undefined;
  const id = state.callOfNode.get(expr);
  const site = id === undefined ? undefined : state.calls[id];
  const member = nameOf(state, expr);
  const obj = field(expr, 'object');
  const recv = obj ? compact(text, obj) : '';
  const callee = site?.callee ?? '';
  if (callee === 'java.nio.file.Files.lines' || callee === 'java.nio.file.Files.readAllLines' || (member === 'lines' && /(?:reader|Reader)\b|\)$/.test(recv) && args(expr).length === 0 && !/^Files$/.test(recv))) {
    return { source: 'lines', text: shown };
  }
  if (/^java\.nio\.file\.Files\.(?:list|walk|find|newDirectoryStream)$/.test(callee) || member === 'listFiles') return { source: 'listing', text: shown };
  if (/^(?:bodyToFlux|bodyToMono|queryParams|getQueryParams|multipartData|formData)$/.test(member)) return { source: 'request', text: shown };
  if (/^(?:receive|receiveAutoAck|receiveAtmostOnce|receiveExactlyOnce|consumeAutoAck|consumeManualAck|consumeNoAck)$/.test(member) && obj) {
    const t = site?.callee?.slice(0, site.callee.lastIndexOf('.'));
    if ((t !== undefined && RECEIVER_TYPE.test(t)) || /receiver$/i.test(recv)) return { source: 'channel', text: shown };
  }
  // A wrapper (`Flux.fromIterable(ids)`, `ids.stream()`) has its collection's origin.
  if (WRAPPERS.has(member)) {
    const a = args(expr);
    const inner = a.length === 1 ? originOf(state, a[0], fn, depth + 1) : member === 'stream' || member === 'parallelStream' ? originOf(state, obj, fn, depth + 1) : undefined;
    return inner;
  }
  // A request body's accessor (`body.ids()`, `request.getItems()`), or an operator that passes items on.
  if (obj && (PASS_THROUGH.has(member) || member === 'flatMapMany' || member === 'flatMapIterable' || /^(?:get[A-Z]\w*|[a-z]\w*)$/.test(member))) {
    const inner = originOf(state, obj, fn, depth + 1);
    if (!inner) return undefined;
    if (member === 'take' || member === 'limit') return { ...inner, bound: 'slice' };
    if (PASS_THROUGH.has(member) || member === 'flatMapMany' || member === 'flatMapIterable') return inner;
    return inner.source === 'request' ? { source: 'request', text: shown } : inner;
  }
  return undefined;
}

/** The per-item work a mapper starts, as written: a method reference, or the first call in a lambda. */
function workOf(state: JavaState, mapper: JavaNode | undefined): string | undefined {
  if (!mapper) return undefined;
  // A method reference reads as the call it makes per item: `mailer::send` → `mailer.send(…)`, `this::load` → `load(…)`, `Job::new` → `new Job(…)`.
  if (mapper.type === 'method_reference') {
    const m = /^(.*)::(\w+)$/s.exec(compact(state.text, mapper));
    if (!m) return compact(state.text, mapper);
    const [, target, member] = m;
    if (member === 'new') return `new ${target}(…)`;
    return target === 'this' ? `${member}(…)` : `${target}.${member}(…)`;
  }
  if (mapper.type !== 'lambda_expression') return undefined;
  let first: JavaNode | undefined;
  // The first call in source order, found with an explicit stack (an expression body is itself the call).
  const stack: JavaNode[] = [field(mapper, 'body') ?? mapper];
  while (stack.length > 0 && !first) {
    const c = stack.pop()!;
    if (c.type === 'lambda_expression') continue;
    if (c.type === 'method_invocation') {
      const chainRoot = rootOf(c);
      const recv = field(chainRoot, 'object');
      // `Mono.just(x)`, `Mono.empty()`: nothing is started per item.
      if (!(recv && /^(?:Mono|Flux)$/.test(compact(state.text, recv)) && /^(?:just|empty|error|justOrEmpty)$/.test(nameOf(state, chainRoot)))) first = c;
      continue;
    }
    for (let i = c.children.length - 1; i >= 0; i--) stack.push(c.children[i]!);
  }
  if (!first) return undefined;
  const quoted = quoteCall(state.text, first);
  return quoted.replace(/\((?:[^()]|\([^()]*\))*\)/, (m) => (m === '()' ? m : '(…)')).replace(/^(.{0,60}).*$/s, '$1');
}

function rootOf(call: JavaNode): JavaNode {
  let n = call;
  for (let obj = field(n, 'object'); obj?.type === 'method_invocation'; obj = field(n, 'object')) n = obj;
  return n;
}

/** The items a list of publishers or futures was built from: `xs.stream().map(f).toList()` → `xs` and `f`. */
function builtPerItem(state: JavaState, expr: JavaNode | undefined, fn: JFn | undefined, depth = 0): { origin: Origin; mapper?: JavaNode } | undefined {
  if (!expr || depth > 4) return undefined;
  const { text } = state;
  if (expr.type === 'identifier') {
    const decl = declarationOf(state, fn, text.slice(expr.start, expr.end));
    return decl?.type === 'variable_declarator' ? builtPerItem(state, field(decl, 'value'), fn, depth + 1) : undefined;
  }
  if (expr.type !== 'method_invocation') return undefined;
  // `futures.toArray(new CompletableFuture[0])`, `….toArray(CompletableFuture[]::new)`.
  const member = nameOf(state, expr);
  if (member === 'toArray' || member === 'toList' || member === 'collect' || member === 'collectList') {
    return builtPerItem(state, field(expr, 'object'), fn, depth + 1);
  }
  if (member === 'map') {
    const obj = field(expr, 'object');
    const origin = originOf(state, obj, fn);
    return origin ? { origin, mapper: args(expr)[0] } : undefined;
  }
  return undefined;
}

const FLUX_MAKERS = /^(?:flatMapMany|flatMapIterable|thenMany|fromIterable|fromStream|fromArray|bodyToFlux|receive\w*|consume\w*|range|interval|merge|concat|flux|expand|repeat|buffer|window)$/;
/** `ServerRequest.multipartData()`/`formData()` and the exchange's getters hand over the whole body as one map. */
const MONO_MAKERS = /^(?:bodyToMono|multipartData|formData|getMultipartData|getFormData|just|justOrEmpty|fromCallable|fromSupplier|fromFuture|collectList|collectMap|next|last|single|reduce|count|then|zip|when|toMono|singleOrEmpty|elementAt)$/;

/** Whether a chain ends in a `Mono` (its last operator that says so, read from the end back to its root). */
function monoChain(state: JavaState, expr: JavaNode): boolean {
  for (let n: JavaNode | undefined = expr; n; n = n.type === 'method_invocation' ? field(n, 'object') : undefined) {
    if (n.type !== 'method_invocation') {
      const t = n.type === 'identifier' ? declarationOf(state, enclosingFn(state, n), state.text.slice(n.start, n.end)) : undefined;
      const typeNode = t?.type === 'formal_parameter' ? field(t, 'type') : t?.parent ? field(t.parent, 'type') : undefined;
      return typeNode !== undefined && /^Mono\b/.test(compact(state.text, typeNode));
    }
    const name = nameOf(state, n);
    const recv = field(n, 'object');
    const factory = recv ? compact(state.text, recv) : '';
    if (factory === 'Mono' || factory === 'Flux') return factory === 'Mono';
    if (FLUX_MAKERS.test(name)) return false;
    if (MONO_MAKERS.test(name)) return true;
  }
  return false;
}

/** The file's fan-outs (reported or not: the rule decides from source and bound). */
export function findJavaFanOuts(state: JavaState): FanOutSite[] {
  const out: FanOutSite[] = [];
  const reactor = state.types.importsUnder('reactor.');
  for (const call of state.calls) {
    const node = state.nodeOfCall.get(call.id);
    if (!node || node.type !== 'method_invocation') continue;
    const fn = enclosingFn(state, node);
    const a = args(node);
    const push = (spawner: string, origin: Origin, work: string | undefined, inFlight?: string, bound?: FanOutBound): void => {
      const b = bound ?? origin.bound;
      out.push({
        id: out.length, span: { start: node.start, end: node.end }, spawner, shape: 'map', collection: origin.text, source: origin.source,
        ...(b !== undefined ? { bound: b } : {}), ...(work !== undefined ? { work } : {}), ...(inFlight !== undefined ? { inFlight } : {}),
        ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
      });
    };
    if (reactor && FLAT_MAPS.has(call.member) && a.length === 1) {
      const obj = field(node, 'object');
      // `Mono.flatMap` maps its one value: nothing fans out.
      if (!obj || monoChain(state, obj)) continue;
      const origin = originOf(state, obj, fn);
      const work = workOf(state, a[0]);
      if (!origin || work === undefined) continue;
      push(call.member, origin, work, DEFAULT_WIDTH);
      continue;
    }
    const combiner = call.callee !== undefined ? COMBINERS.get(call.callee) : undefined;
    // `Flux.merge(sources, maxConcurrency, prefetch)` states its bound.
    if (combiner !== undefined && a.length >= 1 && !(combiner.startsWith('Flux.merge') && a.length >= 2)) {
      const built = builtPerItem(state, a[0], fn);
      if (!built) continue;
      const mapper = built.mapper;
      const work = workOf(state, mapper);
      // A `supplyAsync(…, executor)` per item runs at most the executor's threads at once.
      const body = mapper?.type === 'lambda_expression' ? field(mapper, 'body') : undefined;
      const bounded = body !== undefined && /CompletableFuture\s*\.\s*(?:supplyAsync|runAsync)\s*\(/.test(state.text.slice(body.start, body.end)) && /,\s*\w+\s*\)\s*$/.test(state.text.slice(body.start, body.end));
      push(combiner, built.origin, work, ALL_AT_ONCE.has(combiner) ? undefined : DEFAULT_WIDTH, bounded ? 'limiter' : undefined);
    }
  }
  return out;
}
