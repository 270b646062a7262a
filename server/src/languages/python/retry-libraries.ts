/**
 * Retries configured through a library: tenacity's `@retry(…)` (and `Retrying`/`AsyncRetrying`
 * loops) and backoff's `@backoff.on_exception(…)`. What the loop reader learns from the body of a
 * hand-written loop, these say in their arguments: tenacity waits only with `wait=` and stops only
 * with `stop=` (its defaults are `wait_none()` and `stop_never`: retry at once, forever); backoff's
 * wait generator is its first argument and only `max_tries`/`max_time` stop it.
 * `backoff.on_predicate` polls a result (retry while it is falsy) and is not a retry of a failure.
 */
import type { FunctionInfo, RetryDelay, RetrySite } from '../../engine/model';
import type { BuildState } from './builder';
import type { SyntaxNode } from './syntax';

const TENACITY_DECORATOR = 'tenacity.retry';
const TENACITY_LOOPS = new Set(['tenacity.Retrying', 'tenacity.AsyncRetrying']);
const BACKOFF = 'backoff.on_exception';
/** Waits that grow with the attempt: exponential (with or without jitter), incrementing, a chain. */
const GROWING_WAIT = /\bwait_(?:random_)?exponential(?:_jitter)?\b|\bwait_incrementing\b|\bwait_chain\b/;
const GROWING_GEN = /^(?:backoff\.)?(?:expo|fibo)$/;

/** The decorators of a function definition, outermost first. */
function decorators(fn: SyntaxNode): SyntaxNode[] {
  const parent = fn.parent;
  return parent?.type === 'decorated_definition' ? parent.children.filter((c) => c.type === 'decorator') : [];
}

interface Policy {
  readonly delay: RetryDelay;
  readonly capped: boolean;
}

function keywords(text: string, args: SyntaxNode): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const a of args.children) {
    // `retry(**RETRY_POLICY)`: the policy is not written here.
    if (a.type === 'dictionary_splat' || a.type === 'list_splat') return undefined;
    if (a.type === 'keyword_argument' && a.children.length >= 2) {
      out.set(text.slice(a.children[0]!.start, a.children[0]!.end), text.slice(a.children[1]!.start, a.children[1]!.end).replace(/\s+/g, ' '));
    }
  }
  return out;
}

/** tenacity: `wait=` and `stop=`, each absent meaning none. */
function tenacityPolicy(text: string, args: SyntaxNode | undefined): Policy | undefined {
  const kw = args ? keywords(text, args) : new Map<string, string>();
  if (!kw) return undefined;
  const wait = kw.get('wait');
  const stop = kw.get('stop');
  const delay: RetryDelay = wait === undefined || /^(?:tenacity\.)?wait_none\(\)$/.test(wait) ? 'none' : GROWING_WAIT.test(wait) ? 'growing' : 'constant';
  const capped = stop !== undefined && !/^(?:tenacity\.)?stop_never$/.test(stop);
  return { delay, capped };
}

/** backoff: the wait generator, then `max_tries` / `max_time`. */
function backoffPolicy(text: string, args: SyntaxNode): Policy | undefined {
  const kw = keywords(text, args);
  if (!kw) return undefined;
  const first = args.children.find((c) => c.type !== 'keyword_argument' && c.type !== 'comment');
  if (!first) return undefined;
  const gen = text.slice(first.start, first.end).replace(/\s+/g, '');
  const delay: RetryDelay = GROWING_GEN.test(gen) ? 'growing' : /^(?:backoff\.)?constant$/.test(gen) ? 'constant' : 'growing';
  const set = (k: string): boolean => kw.has(k) && kw.get(k) !== 'None';
  return { delay, capped: set('max_tries') || set('max_time') };
}

/** The policy a `retry(…)` or `backoff.on_exception(…)` call states, or undefined when it is neither or not written out. */
function policyOf(name: string | undefined, text: string, args: SyntaxNode | undefined): Policy | undefined {
  if (name === TENACITY_DECORATOR) return tenacityPolicy(text, args?.type === 'argument_list' ? args : undefined);
  if (name === BACKOFF && args?.type === 'argument_list') return backoffPolicy(text, args);
  return undefined;
}

/** The retries that tenacity and backoff set up in the file, numbered from `firstId`. */
export function libraryRetries(state: BuildState, functions: readonly FunctionInfo[], firstId: number): RetrySite[] {
  const { text, scope } = state;
  const out: RetrySite[] = [];
  const push = (site: Omit<RetrySite, 'id'>): void => void out.push({ id: firstId + out.length, ...site });
  const nodes: SyntaxNode[] = [];
  for (const [node, id] of state.callOfNode) nodes[id] = node;
  // A policy made once at module level and used as a decorator: `api_retry = retry(stop=…, wait=…)`.
  const shared = new Map<string, Policy>();
  for (const call of state.calls) {
    if (call.functionId !== undefined) continue;
    const node = nodes[call.id];
    const assign = node?.parent;
    if (!node || assign?.type !== 'assignment' || assign.children[0]?.type !== 'identifier' || assign.children[assign.children.length - 1] !== node) continue;
    const policy = policyOf(call.callee, text, node.children[node.children.length - 1]);
    if (policy) shared.set(text.slice(assign.children[0].start, assign.children[0].end), policy);
  }
  for (const fn of state.fns) {
    for (const d of decorators(fn.node)) {
      const expr = d.children[0];
      if (!expr) continue;
      const isCall = expr.type === 'call';
      const target = isCall ? expr.children[0]! : expr;
      const written = text.slice(target.start, target.end).replace(/\s+/g, '');
      if (!/^[\w.]+$/.test(written)) continue;
      const policy = !isCall && fn.parent === undefined && shared.has(written) ? shared.get(written) : policyOf(scope.qualify(written, fn.parent), text, isCall ? expr.children[expr.children.length - 1] : undefined);
      if (!policy) continue;
      const info = functions[fn.id];
      push({
        span: { start: d.start, end: d.end }, kind: 'call', retrier: `@${written}`, operation: '', ...policy,
        ...(fn.isAsync ? {} : { sync: true }), ...(info?.context !== undefined ? { context: info.context } : {}), ...(info ? { functionId: info.id } : {}),
      });
    }
  }
  // `async for attempt in AsyncRetrying(stop=…, wait=…): with attempt: …`
  for (const call of state.calls) {
    if (call.callee === undefined || !TENACITY_LOOPS.has(call.callee)) continue;
    const node = nodes[call.id];
    const loop = node?.parent?.type === 'for_statement' ? node.parent : undefined;
    const policy = node && loop ? tenacityPolicy(text, node.children[node.children.length - 1]!) : undefined;
    if (!node || !loop || !policy) continue;
    const attempt = state.calls.find((c) => c.span.start > node.end && c.span.end <= loop.end && c.awaited);
    push({
      span: call.span, kind: 'call', retrier: call.calleeText, operation: attempt?.calleeText ?? '', ...policy,
      ...(call.callee === 'tenacity.Retrying' ? { sync: true } : {}),
      ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
    });
  }
  return out;
}
