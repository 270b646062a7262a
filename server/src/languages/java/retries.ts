/**
 * Java retries, as `RetrySite`s of kind `call`: Reactor's `retry()`/`retry(n)` (resubscribe at
 * once), `retryWhen` given `Retry.max(n)`/`maxInARow(n)`/`indefinitely()` (no delay) or
 * `Retry.fixedDelay(n, d)` (a constant delay), or `Retry.backoff(Long.MAX_VALUE, d)` (no cap); a spec
 * stored in a field or local is read where `retryWhen` uses it. resilience4j's
 * `RetryConfig.custom()…build()` waits a constant `waitDuration` unless its `intervalFunction` is
 * exponential. `Retry.backoff(n, d)` is what the rule asks for, and is not a site; nor is a spec whose
 * `doBeforeRetry` moves the retried publisher to the next address (a failover).
 */
import type { FunctionInfo, RetrySite } from '../../engine/model';
import { enclosingClass, enclosingFn, type JavaState } from './builder';
import { findJavaRetryLoops } from './retry-loops';
import { field, quoteCall, walk, type JavaNode } from './syntax';
import type { ClassRec } from './types';

const REACTOR_RETRY = 'reactor.util.retry.Retry';

interface Policy {
  readonly delay: RetrySite['delay'];
  readonly capped: boolean;
}

/** What a Reactor `Retry` spec expression does, from the factory at the root of its chain. */
function reactorSpec(state: JavaState, node: JavaNode): Policy | undefined {
  let root: JavaNode = node;
  while (root.type === 'method_invocation') {
    const obj = field(root, 'object');
    if (!obj || obj.type !== 'method_invocation') break;
    root = obj;
  }
  if (root.type !== 'method_invocation') return undefined;
  const id = state.callOfNode.get(root);
  const site = id === undefined ? undefined : state.calls[id];
  // A fully qualified `reactor.util.retry.Retry.max(…)` (in a file that imports resilience4j's `Retry`).
  const call = site && site.callee === undefined && site.calleeText.startsWith(`${REACTOR_RETRY}.`) ? { ...site, callee: site.calleeText } : site;
  // reactor-extra's `reactor.retry.Retry.anyOf(…).fixedBackoff(d).retryMax(n)`: read from the whole chain.
  if (call?.callee?.startsWith('reactor.retry.Retry.')) {
    const chain = state.text.slice(node.start, node.end);
    if (/\.\s*(?:exponentialBackoff|exponentialBackoffWithJitter|randomBackoff)\s*\(/.test(chain)) return undefined;
    return { delay: /\.\s*fixedBackoff\s*\(/.test(chain) ? 'constant' : 'none', capped: /\.\s*(?:retryMax|retryOnce|timeout)\s*\(/.test(chain) };
  }
  if (!call?.callee?.startsWith(`${REACTOR_RETRY}.`)) return undefined;
  const first = field(root, 'arguments')?.children.find((c) => !/comment$/.test(c.type));
  const firstText = first ? state.text.slice(first.start, first.end).replace(/\s+/g, '') : '';
  const uncapped = /^(?:Long\.MAX_VALUE|Integer\.MAX_VALUE)$/.test(firstText);
  switch (call.member) {
    case 'max':
    case 'maxInARow':
      return { delay: 'none', capped: !uncapped };
    case 'indefinitely':
      return { delay: 'none', capped: false };
    case 'fixedDelay':
      return { delay: 'constant', capped: !uncapped };
    case 'backoff':
      return uncapped ? { delay: 'growing', capped: false } : undefined;
    default:
      return undefined;
  }
}

/** A resilience4j `RetryConfig.custom()…build()` chain: constant unless an exponential interval function is set. */
function resilienceConfig(state: JavaState, node: JavaNode): Policy | undefined {
  const text = state.text.slice(node.start, node.end);
  if (!/^RetryConfig\s*\.\s*(?:<[^>]*>\s*)?custom\s*\(/.test(text) || !state.types.importsUnder('io.github.resilience4j.')) return undefined;
  if (/Exponential|exponential/.test(text)) return undefined;
  return { delay: 'constant', capped: !/maxAttempts\s*\(\s*Integer\.MAX_VALUE\s*\)/.test(text) };
}

/** How a message names the publisher a retry resubscribes to: as written, or its root and last operator when long. */
function operationOf(state: JavaState, call: JavaNode): string {
  const obj = field(call, 'object');
  if (!obj) return 'the publisher';
  const whole = obj.type === 'method_invocation' || obj.type === 'object_creation_expression' ? quoteCall(state.text, obj) : state.text.slice(obj.start, obj.end).replace(/\s+/g, '');
  if (whole.length <= 60) return whole;
  let root: JavaNode = obj;
  while (root.type === 'method_invocation' && field(root, 'object')) root = field(root, 'object')!;
  const name = field(obj, 'name');
  const head = state.text.slice(root.start, root.end).replace(/\s+/g, '');
  return name ? `${head.length <= 30 ? head : head.slice(0, 29) + '…'}….${state.text.slice(name.start, obj.end).replace(/\s+/g, '').replace(/\((.{20,})\)$/s, '(…)')}` : whole.slice(0, 59) + '…';
}

/** What a callback advances: `i.incrementAndGet()`, `it.next()`, `index[0]++`, `n += 1`. */
const ADVANCES = /\b([A-Za-z_$][\w$]*)(?:\[[^\]]*\])?\s*(?:\.\s*(?:incrementAndGet|getAndIncrement|addAndGet|getAndAdd|next|poll|remove)\s*\(|\+\+|--|\+=|-=)|(?:\+\+|--)\s*([A-Za-z_$][\w$]*)/g;

/**
 * The spec's `doBeforeRetry`/`doAfterRetry` callback advances something the retried publisher reads
 * (`doBeforeRetry(s -> index.incrementAndGet())` with `Mono.defer(() -> dial(addresses.get(index.get())))`):
 * each resubscription tries the next address or replica once, a failover, not a retry of the same call.
 */
function failsOver(state: JavaState, retryWhen: JavaNode, spec: JavaNode): boolean {
  const sourceText = retriedText(state, retryWhen);
  if (sourceText === undefined) return false;
  for (const n of specOperators(state, spec, /^do(?:Before|After)Retry$/)) {
    const args = field(n, 'arguments');
    for (const m of (args ? state.text.slice(args.start, args.end) : '').matchAll(ADVANCES)) {
      if (word((m[1] ?? m[2])!).test(sourceText)) return true;
    }
  }
  return false;
}

/** The text of the publisher `retryWhen` resubscribes to. */
function retriedText(state: JavaState, retryWhen: JavaNode): string | undefined {
  const source = field(retryWhen, 'object');
  return source ? state.text.slice(source.start, source.end) : undefined;
}

/** The operators of a `Retry` spec's chain (`Retry.max(3).filter(…).doBeforeRetry(…)`) whose name matches `name`, outermost first. */
function* specOperators(state: JavaState, spec: JavaNode, name: RegExp): Generator<JavaNode> {
  for (let n: JavaNode | undefined = spec; n?.type === 'method_invocation'; n = field(n, 'object')) {
    const id = field(n, 'name');
    if (id && name.test(state.text.slice(id.start, id.end))) yield n;
  }
}

/** A pattern that finds `name` (dots allowed) as a whole word. */
function word(name: string): RegExp {
  return new RegExp(`(?<![\\w$])${esc(name)}(?![\\w$])`);
}

/** `name` (dots allowed) escaped for a pattern. */
function esc(name: string): string {
  return name.replace(/[$.]/g, '\\$&');
}

/** The type a name has where `node` is: a local or parameter of an enclosing function, else a field of an enclosing class. */
function typeOfName(state: JavaState, node: JavaNode, name: string): string | undefined {
  for (let f = enclosingFn(state, node); f; f = f.parent) {
    const t = f.vars.get(name);
    if (t !== undefined) return t;
  }
  for (let c = enclosingClass(state.types, node); c; c = c.outer) {
    const t = c.fields.get(name);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** The field a write targets (`f = …`, `this.f = …`, `f++`), when it is one of `cls`'s fields. */
function writtenField(state: JavaState, cls: ClassRec, node: JavaNode): string | undefined {
  const target = node.type === 'assignment_expression' ? field(node, 'left') : node.type === 'update_expression' ? node.children.find((c) => c.type === 'identifier' || c.type === 'field_access') : undefined;
  if (!target) return undefined;
  let name: string | undefined;
  if (target.type === 'identifier') name = state.text.slice(target.start, target.end);
  else if (target.type === 'field_access' && field(target, 'object')?.type === 'this') {
    const f = field(target, 'field');
    name = f ? state.text.slice(f.start, f.end) : undefined;
  }
  return name !== undefined && cls.fields.has(name) ? name : undefined;
}

/**
 * How a write moves a field: to a computed value (`target = target.resolve(location)`), to a literal
 * (`authenticate = true`), or by a count (`n++`, `n += 1`).
 */
type WriteKind = 'value' | 'literal' | 'count';

const LITERAL = /^(?:true|false|null_literal|string_literal|character_literal|\w+_integer_literal|\w+_floating_point_literal)$/;

function writeKind(state: JavaState, node: JavaNode): WriteKind {
  if (node.type === 'update_expression') return 'count';
  const left = field(node, 'left');
  const right = field(node, 'right');
  const operator = left && right ? state.text.slice(left.end, right.start).trim() : '=';
  if (operator !== '=') return 'count';
  return right && LITERAL.test(right.type) ? 'literal' : 'value';
}

/** The fields of `cls` that `node` writes, and how, directly or through a call of another of `cls`'s methods (one level). */
function fieldsWritten(state: JavaState, cls: ClassRec, node: JavaNode, follow: boolean): Map<string, Set<WriteKind>> {
  const out = new Map<string, Set<WriteKind>>();
  const add = (f: string, kind: WriteKind): void => {
    const kinds = out.get(f) ?? new Set<WriteKind>();
    kinds.add(kind);
    out.set(f, kinds);
  };
  walk(node, (n) => {
    if (n !== node && (n.type === 'lambda_expression' || n.type === 'class_body')) return false;
    const f = writtenField(state, cls, n);
    if (f !== undefined) add(f, writeKind(state, n));
    if (follow && n.type === 'method_invocation') {
      const obj = field(n, 'object');
      const name = field(n, 'name');
      if ((!obj || obj.type === 'this') && name) {
        for (const id of cls.methods.get(state.text.slice(name.start, name.end)) ?? []) {
          const body = field(state.fns[id]!.node, 'body');
          if (body) for (const [w, kinds] of fieldsWritten(state, cls, body, false)) for (const k of kinds) add(w, k);
        }
      }
    }
    return true;
  });
  return out;
}

/**
 * The spec's `filter(h)` hands the decision to an object `h` of a `Predicate` class of this file whose
 * `test`, on every path that answers "retry", first moves what the retried request reads of `h` (a
 * redirect's new target, credentials armed for the next request that the request disarms, a count the
 * request side caps) or turns off the flag its own
 * `if` tests (a reset connection retried once): each resubscription is a new request the predicate
 * aimed, as when reactor-netty's client follows redirects with `Retry.indefinitely().filter(handler)`,
 * not a repeat of the failed call. A count under the predicate's own cap (`used < max`), or one only a
 * header or a metrics getter reads, moves nothing the request acts on, and stays a retry.
 */
function reaims(state: JavaState, retryWhen: JavaNode, spec: JavaNode): boolean {
  const sourceText = retriedText(state, retryWhen);
  if (sourceText === undefined) return false;
  for (const n of specOperators(state, spec, /^filter$/)) {
    const args = (field(n, 'arguments')?.children ?? []).filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',' && !/comment$/.test(c.type));
    if (args.length !== 1 || args[0]!.type !== 'identifier') continue;
    const handler = state.text.slice(args[0]!.start, args[0]!.end);
    if (!word(handler).test(sourceText)) continue;
    const type = typeOfName(state, retryWhen, handler);
    const cls = type === undefined ? undefined : state.types.classesByName.get(type.slice(type.search(/[\w$]+$/)));
    if (!cls || !/\bPredicate\s*</.test(cls.supers)) continue;
    const tests = (cls.methods.get('test') ?? []).map((id) => state.fns[id]!).filter((f) => field(f.node, 'body'));
    if (tests.length !== 1) continue;
    const test = tests[0]!;
    const body = field(test.node, 'body')!;
    // What the retried request reads of the handler: `handler.f`, a method it calls (`handler.target()`)
    // that reads `f`, or, when it hands the handler itself on (`observe(sink, handler)`), a method other
    // than `test` and a plain getter (`return f;`) that reads `f`.
    const flat = sourceText.replace(/\s*\.\s*/g, '.');
    const handedOn = new RegExp(`[(,]\\s*${esc(handler)}\\s*[,)]`).test(sourceText);
    const bodies = [...cls.methods.entries()].filter(([m]) => m !== 'test').flatMap(([m, ids]) => ids.map((id) => ({ m, body: field(state.fns[id]!.node, 'body') }))).filter((b): b is { m: string; body: JavaNode } => b.body !== undefined).map(({ m, body }) => ({ m, text: state.text.slice(body.start, body.end) }));
    const getter = (text: string, f: string): boolean => new RegExp(`^\\{\\s*return\\s+(?:this\\s*\\.\\s*)?${esc(f)}\\s*;\\s*\\}$`).test(text);
    const readsOf = (f: string): boolean =>
      word(`${handler}.${f}`).test(flat) || bodies.some(({ m, text }) => word(f).test(text) && (word(`${handler}.${m}`).test(flat) || (handedOn && !getter(text, f))));
    // A write moves the request when the request reads the field and, for a literal, something other
    // than `test` sets it back (the request consumes it: `applyAuthenticatorOnNextRequest = false`),
    // for a count, another method compares it (a cap the request checks); a count that only reaches a
    // header or a metric, or a flag already set from the second answer on, repeats the same request.
    const setElsewhere = (f: string): boolean => bodies.some(({ text }) => new RegExp(`(?<![\\w$])${esc(f)}\\s*=(?!=)`).test(text.replace(/\bthis\s*\.\s*/g, '')));
    const compared = (f: string): boolean => bodies.some(({ text }) => new RegExp(`(?<![\\w$])${esc(f)}\\s*(?:[<>]=?|[!=]=)|(?:[<>]=?|[!=]=)\\s*(?:this\\s*\\.\\s*)?${esc(f)}(?![\\w$])`).test(text));
    const moves = (f: string, kind: WriteKind): boolean => readsOf(f) && (kind === 'value' || (kind === 'literal' ? setElsewhere(f) : compared(f)));
    let answers = 0;
    let aimed = true;
    walk(body, (r) => {
      if (r.type === 'lambda_expression' || r.type === 'class_body') return false;
      if (r.type !== 'return_statement') return true;
      const value = r.children.find((c) => c.type !== 'return' && c.type !== ';');
      if (value?.type === 'false') return false;
      answers++;
      // Only a `return true` after a statement of its block that moves what the request reads (see `moves`).
      const block = r.parent;
      const before = value?.type === 'true' && block?.type === 'block' ? block.children.slice(0, block.children.indexOf(r)) : [];
      // A flag the answer's own `if` tests and the answer turns off is a one-shot switch
      // (`if (retryReset && …) { retryReset = false; return true; }`); a count under a cap is not.
      const guards: string[] = [];
      for (let a = block?.parent; a && a !== body; a = a.parent) {
        const cond = a.type === 'if_statement' ? field(a, 'condition') : undefined;
        if (cond) guards.push(state.text.slice(cond.start, cond.end).replace(/\s+/g, '').replace(/\bthis\./g, ''));
      }
      const switchesOff = (s: JavaNode): boolean => {
        const assign = s.type === 'expression_statement' ? s.children.find((c) => c.type === 'assignment_expression') : undefined;
        const value = assign ? field(assign, 'right') : undefined;
        const f = assign ? writtenField(state, cls, assign) : undefined;
        if (!f || (value?.type !== 'true' && value?.type !== 'false')) return false;
        const tested = new RegExp(`(!)?(?<![\\w$.])${esc(f)}(?![\\w$])`, 'g');
        return guards.some((g) => [...g.matchAll(tested)].some((m) => (m[1] === '!') === (value.type === 'true')));
      };
      // Statements that always run before the answer: a write inside an `if` of its own may not.
      const always = before.filter((s) => s.type === 'expression_statement' || s.type === 'local_variable_declaration');
      if (!always.some((s) => switchesOff(s) || [...fieldsWritten(state, cls, s, true)].some(([f, kinds]) => [...kinds].some((k) => moves(f, k))))) aimed = false;
      return false;
    });
    if (answers > 0 && aimed) return true;
  }
  return false;
}

/** Fields and locals initialised with a retry policy (`RETRY = Retry.fixedDelay(…)`), by name. */
function storedPolicies(state: JavaState): Map<string, { node: JavaNode; policy: Policy }> {
  const out = new Map<string, { node: JavaNode; policy: Policy }>();
  for (const call of state.calls) {
    const node = state.nodeOfCall.get(call.id);
    const decl = node?.parent;
    if (!node || decl?.type !== 'variable_declarator' || field(decl, 'value') !== node) continue;
    const policy = reactorSpec(state, node) ?? resilienceConfig(state, node);
    const name = field(decl, 'name');
    if (policy && name) out.set(state.text.slice(name.start, name.end), { node, policy });
  }
  return out;
}

/** The retries the file configures or writes without backoff or without a cap, in source order. */
export function findJavaRetries(state: JavaState, functions: readonly FunctionInfo[]): RetrySite[] {
  const all: Omit<RetrySite, 'id'>[] = [...findJavaRetryLoops(state, functions), ...findLibraryRetries(state)];
  return all.sort((a, b) => a.span.start - b.span.start).map((r, id) => ({ ...r, id }));
}

/** Reactor's and resilience4j's retries without backoff or without a cap. */
function findLibraryRetries(state: JavaState): RetrySite[] {
  const out: RetrySite[] = [];
  if (!state.types.importsUnder('reactor.') && !state.types.importsUnder('io.github.resilience4j.')) return out;
  const stored = storedPolicies(state);
  const reported = new Set<JavaNode>();
  const push = (call: (typeof state.calls)[number], node: JavaNode, retrier: string, operation: string, policy: Policy): void => {
    out.push({
      id: out.length, span: { start: node.start, end: node.end }, kind: 'call', retrier, operation, delay: policy.delay, capped: policy.capped,
      ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
    });
  };
  for (const call of state.calls) {
    const node = state.nodeOfCall.get(call.id);
    if (!node || node.type !== 'method_invocation' || !field(node, 'object')) continue;
    const args = (field(node, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type));
    if (call.member === 'retry' && args.length <= 1 && state.types.importsUnder('reactor.') && call.callee?.startsWith('reactor.') !== false) {
      // `retry()` resubscribes forever; `retry(n)` n times; both at once.
      push(call, node, `retry(${args.length === 0 ? '' : state.text.slice(args[0]!.start, args[0]!.end).replace(/\s+/g, ' ')})`, operationOf(state, node), { delay: 'none', capped: args.length === 1 });
      continue;
    }
    if (call.member !== 'retryWhen' || args.length !== 1) continue;
    const arg = args[0]!;
    const inline = reactorSpec(state, arg);
    if (inline && (failsOver(state, node, arg) || reaims(state, node, arg))) continue;
    if (inline) {
      reported.add(arg);
      push(call, node, `retryWhen(${quoteCall(state.text, arg)})`, operationOf(state, node), inline);
      continue;
    }
    // A stored spec: reported once, where it is made, naming the first publisher it retries.
    const name = arg.type === 'identifier' ? state.text.slice(arg.start, arg.end) : arg.type === 'field_access' ? state.text.slice(field(arg, 'field')!.start, arg.end) : undefined;
    const spec = name === undefined ? undefined : stored.get(name);
    if (!spec || reported.has(spec.node)) continue;
    reported.add(spec.node);
    const specCall = state.calls[state.callOfNode.get(spec.node)!]!;
    push(specCall, spec.node, quoteCall(state.text, spec.node), operationOf(state, node), spec.policy);
  }
  // A resilience4j config built where nothing in the file uses it by name (a `@Bean`): reported where it is built.
  for (const call of state.calls) {
    const node = state.nodeOfCall.get(call.id);
    if (!node || reported.has(node) || call.member !== 'build') continue;
    const policy = resilienceConfig(state, node);
    if (!policy) continue;
    reported.add(node);
    push(call, node, 'RetryConfig.custom()…build()', '', policy);
  }
  return out;
}
