/**
 * Hand-written Java retries and Spring's declarative ones, as `RetrySite`s:
 * - a `while`/`for`/`do` loop around a `try` whose success leaves the loop (a `return` or `break` in
 *   the `try`, or a flag the loop condition tests: `while (con == null && tries < MAX)`) and whose
 *   `catch` goes round again, with the delay it sleeps (`Thread.sleep`, `TimeUnit.sleep`) and
 *   whether anything caps the attempts (a loop condition that compares, an `if` that compares and
 *   leaves);
 * - Spring Retry's `@Retryable` (default: 3 attempts, 1 s apart) and Spring Framework 7's
 *   `@Retryable` (default: 3 retries, 1 s apart), whose delay grows only with a `multiplier` above 1.
 *
 * Not retries: loops that go round on success too (consumers, polls), loops whose attempt takes
 * what the loop changes (the next host, `it.next()`: each is tried once), and loops whose policy is
 * another object's (`retryPolicy.shouldRetry(e)`, `context.onError(e)` on a `Retry.Context`: its backoff and cap are
 * not visible here).
 */
import type { CapSwitch, FunctionInfo, RetryDelay, RetrySite } from '../../engine/model';
import { switchableCap } from '../../engine/retry-caps';
import { enclosingFn, receiverType, type JavaState } from './builder';
import { field, type JavaNode } from './syntax';

const LOOPS = new Set(['while_statement', 'for_statement', 'do_statement']);
const TRIES = new Set(['try_statement', 'try_with_resources_statement']);
/** Kinds whose bodies run elsewhere or later: a `return` or `break` inside them does not leave the loop. */
const NESTED_CODE = new Set(['lambda_expression', 'class_body', 'method_declaration', 'constructor_declaration']);
const INNER_BREAK_TARGETS = new Set(['while_statement', 'for_statement', 'do_statement', 'enhanced_for_statement', 'switch_block', 'switch_expression']);
const LOGGING = /^(?:log|logger|LOG|LOGGER|Log|logging|System\.out|System\.err)\b/;
const SLEEP = /^(?:Thread\.sleep|(?:TimeUnit\.)?(?:NANOSECONDS|MICROSECONDS|MILLISECONDS|SECONDS|MINUTES|HOURS|DAYS)\.sleep|\w*[Uu]nit\.sleep|sleep|\w*[Ss]leep\w*|LockSupport\.parkNanos|Uninterruptibles\.sleepUninterruptibly)$/;
const WAITS = /^(?:await\w*|poll|take|acquire|tryAcquire|tryLock|join|waitFor\w*|isDone|isTerminated|isAlive)$/;
/** What yields the next item of something iterated: an iterator, a queue, an indexed list, a rotation. */
const NEXT_ITEM = /\.\s*(?:next|poll|take|remove|pop)\s*\(|\bnext(?!Int|Long|Double|Float|Boolean|Gaussian|Bytes)\w*\s*\(/;
const GROWTH = /backoff|back_off|exponential|jitter|nextDelay|nextInterval|nextBackOff/i;
/** A failure path that retries a transaction conflict (Spring's and JPA's exception names, SQL states). */
const CONFLICT = /OptimisticLock|CannotAcquireLock|DeadlockLoser|PessimisticLock|ConcurrencyFailure|CannotSerializeTransaction|SerializationFailure|StaleObjectState|StaleState|LockAcquisition|TransactionConflict|\b40001\b|\b40P01\b/;
/** Spring Retry's annotation and Spring Framework 7's. */
const SPRING_RETRYABLE = new Set(['org.springframework.retry.annotation.Retryable', 'org.springframework.resilience.annotation.Retryable']);

/** The statements of a block, or the statement itself. */
function statements(node: JavaNode | undefined): JavaNode[] {
  if (!node) return [];
  if (node.type === 'block') return node.children.filter((c) => !/comment$/.test(c.type));
  return [node];
}

/** Every node under `root` (not `root`) that `pick` accepts, not looking inside lambdas and classes. */
function findAll(root: JavaNode | undefined, pick: (n: JavaNode) => boolean): JavaNode[] {
  const out: JavaNode[] = [];
  const stack = root ? [...root.children].reverse() : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (NESTED_CODE.has(n.type)) continue;
    if (pick(n)) out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

/** A `return`, a `throw`, or a `break`/`continue` that leaves `loop` (unlabelled and not inside an inner loop or switch, or labelled). */
function leaves(state: JavaState, n: JavaNode, loop: JavaNode): boolean {
  if (n.type === 'return_statement' || n.type === 'throw_statement') return true;
  if (n.type !== 'break_statement') return false;
  if (/^break\s+\w/.test(state.text.slice(n.start, n.end))) return true;
  for (let p = n.parent; p && p !== loop; p = p.parent) if (INNER_BREAK_TARGETS.has(p.type)) return false;
  return true;
}

/** A `continue` of `loop` inside `node`. */
function continues(node: JavaNode, loop: JavaNode): boolean {
  return findAll(node, (n) => n.type === 'continue_statement').some((c) => {
    for (let p = c.parent; p && p !== loop; p = p.parent) if (p.type === 'while_statement' || p.type === 'for_statement' || p.type === 'do_statement' || p.type === 'enhanced_for_statement') return false;
    return true;
  });
}

/** The normal end of a block leaves the loop: its last statement leaves, or an `if` one of whose branches ends so (the other is a failed status). */
function endsWithExit(state: JavaState, node: JavaNode | undefined, loop: JavaNode): boolean {
  const stmts = statements(node);
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (leaves(state, last, loop)) return last.type !== 'throw_statement';
  if (last.type === 'if_statement') return endsWithExit(state, field(last, 'consequence'), loop) || endsWithExit(state, field(last, 'alternative'), loop);
  if (last.type === 'block' || last.type === 'synchronized_statement' || TRIES.has(last.type)) return endsWithExit(state, last.type === 'block' ? last : field(last, 'body'), loop);
  return false;
}

/** The last statement of a block always leaves (a `throw`, `return` or `break`), and nothing before it goes round. */
function alwaysLeaves(state: JavaState, block: JavaNode | undefined, loop: JavaNode): boolean {
  const stmts = statements(block);
  const last = stmts[stmts.length - 1];
  if (!last || !block || continues(block, loop)) return false;
  if (leaves(state, last, loop)) return true;
  // `if (…) { …; throw e; } else { …; return; }`.
  if (last.type === 'if_statement') {
    const alt = field(last, 'alternative');
    return alt !== undefined && alwaysLeaves(state, field(last, 'consequence'), loop) && alwaysLeaves(state, alt, loop);
  }
  return false;
}

/** Names a statement list assigns: `x = …`, `x++`, `this.x = …`. */
function assigned(state: JavaState, root: JavaNode | undefined): Set<string> {
  const out = new Set<string>();
  for (const n of findAll(root, (x) => x.type === 'assignment_expression' || x.type === 'update_expression')) {
    const target = n.type === 'assignment_expression' ? field(n, 'left') : n.children.find((c) => c.type === 'identifier' || c.type === 'field_access');
    if (!target) continue;
    const name = target.type === 'field_access' ? field(target, 'field') : target;
    if (name?.type === 'identifier') out.add(state.text.slice(name.start, name.end));
  }
  return out;
}

function identifiers(state: JavaState, node: JavaNode | undefined): string[] {
  if (!node) return [];
  return [...state.text.slice(node.start, node.end).matchAll(/\b[A-Za-z_$][\w$]*\b/g)].map((m) => m[0]);
}

/**
 * The attempt: the call the `try` returns (directly, or through the local it returns), else the first
 * call that is not logging or a sleep.
 */
function attemptOf(state: JavaState, body: JavaNode): JavaNode | undefined {
  const { text } = state;
  const isCall = (n: JavaNode | undefined): boolean => n?.type === 'method_invocation' || n?.type === 'object_creation_expression';
  const ret = statements(body).find((s) => s.type === 'return_statement');
  let value = ret?.children.find((c) => !/comment$/.test(c.type));
  while (value?.type === 'cast_expression' || value?.type === 'parenthesized_expression') value = field(value, 'value') ?? value.children[value.children.length - 1];
  if (value && isCall(value)) return value;
  // `return result;`, `return response != null && response.isSuccess();`: the call that made the local.
  const returned = new Set(identifiers(state, value));
  for (const d of findAll(body, (n) => n.type === 'variable_declarator' || n.type === 'assignment_expression')) {
    const target = field(d, d.type === 'variable_declarator' ? 'name' : 'left');
    const init = field(d, d.type === 'variable_declarator' ? 'value' : 'right');
    if (target && init && returned.has(text.slice(target.start, target.end)) && isCall(init)) return init;
  }
  // Else the first call that is not logging or a sleep, nor inside one.
  const aside = (c: JavaNode): boolean => LOGGING.test(operationText(state, c)) || SLEEP.test(operationText(state, c));
  const calls = findAll(body, isCall);
  calls.sort((a, b) => a.start - b.start);
  return calls.find((c) => {
    for (let n: JavaNode | undefined = c; n && n !== body; n = n.parent) if (isCall(n) && aside(n)) return false;
    return true;
  });
}

function operationText(state: JavaState, call: JavaNode): string {
  if (call.type === 'object_creation_expression') {
    const t = field(call, 'type');
    return `new ${t ? state.text.slice(t.start, t.end).replace(/\s+/g, '').replace(/<.*$/s, '') : '…'}`;
  }
  const name = field(call, 'name');
  return state.text.slice(call.start, name ? name.end : call.end).replace(/\s+/g, '');
}

const COMPARES = /[<>]=?|!=/;

/** The loop's own condition: `while (c)`, `for (…; c; …)`, `do … while (c)`. */
function conditionOf(loop: JavaNode): JavaNode | undefined {
  return field(loop, 'condition');
}

/**
 * Something caps the attempts: a loop condition that compares, or an `if` in the loop that compares
 * and leaves. An `if` that compares only while a configured limit is set (`if (maxAttempts > 0 &&
 * attempt >= maxAttempts)`) is returned as the switch when nothing else caps the loop.
 */
function capped(state: JavaState, loop: JavaNode): boolean | CapSwitch {
  const cond = conditionOf(loop);
  if (cond && COMPARES.test(state.text.slice(cond.start, cond.end).replace(/->/g, ''))) return true;
  let optional: CapSwitch | undefined;
  for (const ifs of findAll(field(loop, 'body'), (n) => n.type === 'if_statement')) {
    const c = field(ifs, 'condition');
    if (!c || !/[<>]=?|==|!=|isAfter|isBefore|[Ee]xpired|[Dd]eadline|[Ee]xhausted/.test(state.text.slice(c.start, c.end))) continue;
    const cons = field(ifs, 'consequence');
    if (!cons || !(leaves(state, cons, loop) || findAll(cons, (n) => leaves(state, n, loop)).length > 0)) continue;
    const off = switchableCap(state.text.slice(c.start, c.end), state.text.slice(loop.start, loop.end));
    if (!off) return true;
    optional ??= off;
  }
  return optional ?? false;
}

/** How the loop waits between attempts. */
function delayOf(state: JavaState, loop: JavaNode, counters: ReadonlySet<string>): RetryDelay {
  const { text } = state;
  const body = field(loop, 'body');
  const bodyText = body ? text.slice(body.start, body.end) : '';
  let delay: RetryDelay = 'none';
  for (const call of findAll(body, (n) => n.type === 'method_invocation')) {
    const callee = operationText(state, call);
    const name = field(call, 'name');
    const member = name ? text.slice(name.start, name.end) : '';
    if (GROWTH.test(member)) return 'growing';
    if (!SLEEP.test(callee) && !SLEEP.test(member)) continue;
    const args = field(call, 'arguments');
    const amount = args ? text.slice(args.start, args.end) : '';
    if (grows(amount, bodyText, counters)) return 'growing';
    delay = 'constant';
  }
  return delay;
}

/** A sleep amount computed from the attempt, from a variable the loop makes larger, or by a helper named for backoff. */
function grows(amount: string, bodyText: string, counters: ReadonlySet<string>, depth = 0): boolean {
  if (GROWTH.test(amount) || /<<|Math\.pow|\bpow\s*\(/.test(amount)) return true;
  for (const id of amount.match(/\b[a-z_$][\w$]*\b/g) ?? []) {
    if (counters.has(id) && /\*|<</.test(amount)) return true;
    // `long wait = base * attempt;` in the loop, then `Thread.sleep(wait)`.
    const local = new RegExp(`\\b${id}\\s*=\\s*([^;]+);`).exec(bodyText)?.[1];
    if (local !== undefined && depth < 2 && local !== amount && grows(local, bodyText, counters, depth + 1)) return true;
    if (new RegExp(`\\b${id}\\s*(?:\\*=|<<=|\\+=\\s*${id}\\b|=\\s*[^;]*\\b${id}\\b\\s*(?:\\*|<<)|=\\s*Math\\.min\\([^;]*\\*)`).test(bodyText)) return true;
  }
  return false;
}

/** The loop's counters: the `for` clause's variables and anything stepped with `++`, `--` or `+=` in the loop. */
function countersOf(state: JavaState, loop: JavaNode): Set<string> {
  const out = new Set<string>();
  const text = state.text.slice(loop.start, loop.end);
  for (const m of text.matchAll(/(?:\+\+|--)\s*([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*(?:\+\+|--|\+=)/g)) out.add(m[1] ?? m[2]!);
  return out;
}

function readLoop(state: JavaState, loop: JavaNode): Omit<RetrySite, 'id'> | undefined {
  const { text } = state;
  const body = field(loop, 'body');
  const tries = statements(body).filter((s) => TRIES.has(s.type));
  const cond = conditionOf(loop);
  const condNames = new Set(identifiers(state, cond));
  for (const t of tries) {
    const tryBody = field(t, 'body');
    const catches = t.children.filter((c) => c.type === 'catch_clause');
    if (!tryBody || catches.length === 0) continue;
    // Success leaves: a `return`/`break` in the `try`, or a flag the loop condition tests that the `try` sets.
    const exits = endsWithExit(state, tryBody, loop);
    const flagged = !exits && [...assigned(state, tryBody)].some((n) => condNames.has(n));
    if (!exits && !flagged) continue;
    // A `catch` that goes round; those that always leave end the loop at the first failure.
    const retrying = catches.filter((c) => !alwaysLeaves(state, field(c, 'body'), loop));
    if (retrying.length === 0) continue;
    // An interrupted sleep is a cancellation: a loop that only goes round on `InterruptedException` is not retrying a failure.
    if (retrying.every((c) => /\bInterruptedException\b/.test(text.slice(c.start, (field(c, 'body') ?? c).start)))) continue;
    const attempt = attemptOf(state, tryBody);
    if (!attempt) continue;
    // Waiting for something to finish or arrive (`awaitTermination`, `take`, `tryLock`) is a poll, not a retry.
    const member = attempt.type === 'method_invocation' ? text.slice((field(attempt, 'name') ?? attempt).start, (field(attempt, 'name') ?? attempt).end) : '';
    if (WAITS.test(member)) continue;
    if (failover(state, loop, tryBody, flagged)) continue;
    // A policy decided by another object (`retryPolicy.canRetry(e)`, `retryer.attempt()`): its backoff and cap are not here.
    const others = findAll(loop, (n) => n.type === 'method_invocation' && n !== attempt);
    // A getter of a setting (`properties.getMaxRetries()`, `getRetryDelayMs()`) reads a number; it decides nothing.
    if (others.some((c) => /^(?!get[A-Z])\w*retr(?:y|ies)/i.test(state.text.slice((field(c, 'name') ?? c).start, (field(c, 'name') ?? c).end)))) continue;
    // Or one whose receiver is declared as a retry's or a backoff's state (resilience4j's `Retry.Context`, `BackOffExecution`):
    // `context.onError(e)` sleeps its interval and throws when the attempts are spent.
    if (others.some((c) => policyObject(state, c))) continue;
    const handlers = retrying.map((c) => text.slice(c.start, c.end)).join('\n');
    const cap = capped(state, loop);
    const isCapped = cap === true;
    const headEnd = loop.type === 'do_statement' ? loop.start + 2 : Math.max(loop.start + 3, text.slice(0, body?.start ?? loop.end).trimEnd().length);
    const call = state.calls[state.callOfNode.get(attempt) ?? -1];
    const fn = enclosingFn(state, loop);
    return {
      span: { start: loop.start, end: headEnd }, kind: 'loop', operation: operationText(state, attempt), delay: delayOf(state, loop, countersOf(state, loop)),
      capped: isCapped, sync: true, ...(isCapped && CONFLICT.test(handlers) ? { conflict: true } : {}), ...(cap !== true && cap !== false ? { capSwitch: cap } : {}),
      ...(call?.context !== undefined ? { context: call.context } : {}), ...(fn ? { functionId: fn.id } : {}),
    };
  }
  return undefined;
}

/** `name = value` pairs of an annotation's arguments, nested annotations kept as text. */
function annotationArgs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const open = text.indexOf('(');
  if (open < 0) return out;
  const inner = text.slice(open + 1, text.lastIndexOf(')'));
  let depth = 0;
  let from = 0;
  const parts: string[] = [];
  for (let i = 0; i <= inner.length; i++) {
    const ch = inner[i];
    if (ch === '(' || ch === '{') depth++;
    else if (ch === ')' || ch === '}') depth--;
    else if ((ch === ',' && depth === 0) || i === inner.length) {
      parts.push(inner.slice(from, i));
      from = i + 1;
    }
  }
  for (const p of parts) {
    const m = /^\s*([A-Za-z]\w*)\s*=\s*([\s\S]*?)\s*$/.exec(p);
    if (m) out.set(m[1]!, m[2]!);
    else if (p.trim() !== '') out.set('value', p.trim());
  }
  return out;
}

const number = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const m = /^\s*(-?[\d_.]+)[LlDdFf]?\s*$/.exec(v);
  return m ? Number(m[1]!.replace(/_/g, '')) : undefined;
};

/**
 * A Spring `@Retryable` on a method: its policy, or `undefined` when it backs off and stops, or is
 * configured elsewhere. Spring Retry's `@Backoff` (AnnotationAwareRetryOperationsInterceptor): the
 * first delay is `delay`, or `value` (default 1000 ms) when `delay` is 0; a `multiplier` above 1 grows
 * it; with no multiplier and a `maxDelay` above it, each wait is random between the two (uniform, not
 * growing); else every wait is the first delay. Framework 7's own `@Retryable`: `delay` (default 1 s),
 * `multiplier`, and `jitter` spreading each wait.
 */
function readRetryable(annotation: string, framework7: boolean): { delay: RetryDelay; capped: boolean; jittered?: boolean } | undefined {
  const args = annotationArgs(annotation);
  // A policy built elsewhere (an interceptor bean, expressions resolved at run time) is not visible here.
  if (args.has('interceptor') || [...args.keys()].some((k) => k.endsWith('Expression') || k.endsWith('String'))) return undefined;
  const uncapped = (v: string | undefined): boolean => v !== undefined && /Integer\.MAX_VALUE|Long\.MAX_VALUE/.test(v);
  const capped = !uncapped(args.get(framework7 ? 'maxRetries' : 'maxAttempts'));
  let delay: RetryDelay;
  let jittered = false;
  if (framework7) {
    const multiplier = number(args.get('multiplier'));
    delay = multiplier !== undefined && multiplier > 1 ? 'growing' : number(args.get('delay')) === 0 ? 'none' : 'constant';
    jittered = (number(args.get('jitter')) ?? 0) > 0;
  } else {
    const backoff = args.get('backoff');
    if (backoff !== undefined && /\w+Expression\s*=/.test(backoff)) return undefined;
    const settings = backoff === undefined ? new Map<string, string>() : annotationArgs(backoff);
    const multiplier = number(settings.get('multiplier')) ?? 0;
    const delayAttr = number(settings.get('delay')) ?? 0;
    const first = delayAttr === 0 ? number(settings.get('value')) ?? 1000 : delayAttr;
    const max = number(settings.get('maxDelay')) ?? 0;
    if (multiplier > 1) delay = 'growing';
    else if (multiplier <= 0 && max > first) {
      delay = 'constant';
      jittered = true;
    } else delay = first === 0 ? 'none' : 'constant';
  }
  if (delay === 'growing' && capped) return undefined;
  return jittered && delay !== 'growing' ? { delay, capped, jittered } : { delay, capped };
}

/** Spring's `@Retryable` on methods: reported on the annotation. */
function findRetryables(state: JavaState, functions: readonly FunctionInfo[]): Omit<RetrySite, 'id'>[] {
  const out: Omit<RetrySite, 'id'>[] = [];
  const qualified = state.types.imports.get('Retryable');
  const wild = state.types.wildcards.find((w) => w === 'org.springframework.retry.annotation' || w === 'org.springframework.resilience.annotation');
  const which = qualified !== undefined ? (SPRING_RETRYABLE.has(qualified) ? qualified : undefined) : wild !== undefined ? `${wild}.Retryable` : undefined;
  for (const f of state.fns) {
    if (f.kind !== 'method' || !f.modifiers.includes('Retryable')) continue;
    const mods = f.node.children.find((c) => c.type === 'modifiers');
    for (const a of mods?.children ?? []) {
      if (a.type !== 'annotation' && a.type !== 'marker_annotation') continue;
      const written = state.text.slice(a.start, a.end);
      const named = /^@\s*([\w.]+)/.exec(written)?.[1];
      const full = named !== undefined && named.includes('.') ? named : named === 'Retryable' ? which : undefined;
      if (full === undefined || !SPRING_RETRYABLE.has(full)) continue;
      const policy = readRetryable(written, full.startsWith('org.springframework.resilience.'));
      if (!policy) continue;
      const short = written.replace(/\s+/g, ' ');
      out.push({
        span: { start: a.start, end: a.end }, kind: 'call', retrier: short.length <= 60 ? short : `@${named}(…)`, operation: '', ...policy,
        ...(functions[f.id]?.context !== undefined ? { context: functions[f.id]!.context } : {}), functionId: f.id,
      });
    }
  }
  return out;
}

/**
 * The loop tries something different each time round: a call of the `try` takes a variable the loop
 * changes (`servers.get(index)`, the next host), directly or through a local made from one, or an
 * iterator's next item: a failover or a scan, where each target is tried once.
 */
function failover(state: JavaState, loop: JavaNode, tryBody: JavaNode, flagged: boolean): boolean {
  const { text } = state;
  const writes = assigned(state, loop);
  if (loop.type === 'for_statement') for (const c of loop.children) if (c.field === 'update' || c.field === 'init') for (const id of identifiers(state, c)) writes.add(id);
  // Locals declared in the loop from what changes (`String server = servers.get(index)`, `ServerInfo s = nextServer()`), in order.
  for (const d of findAll(field(loop, 'body'), (n) => n.type === 'variable_declarator')) {
    const name = field(d, 'name');
    const value = field(d, 'value');
    if (!name || !value) continue;
    const init = text.slice(value.start, value.end);
    if (NEXT_ITEM.test(init) || identifiers(state, value).some((id) => writes.has(id))) writes.add(text.slice(name.start, name.end));
  }
  for (const call of findAll(tryBody, (n) => n.type === 'method_invocation' || n.type === 'object_creation_expression')) {
    if (LOGGING.test(operationText(state, call)) || SLEEP.test(operationText(state, call))) continue;
    const args = field(call, 'arguments');
    if (args && (NEXT_ITEM.test(text.slice(args.start, args.end)) || identifiers(state, args).some((id) => writes.has(id)))) return true;
    const receiver = field(call, 'object');
    if (receiver && !flagged && identifiers(state, receiver).some((id) => writes.has(id))) return true;
  }
  return false;
}

/** A type named for a retry's or a backoff's state, not its settings: `Retry.Context`, `RetryBudget.Attempt`, `BackOffExecution`. */
const POLICY_TYPE = /(?:^|\.)(?=[A-Z])\w*(?:Retr(?:y|ier|ies)|Back[Oo]ff)(?!\w*(?:Config|Configuration|Properties|Settings|Options)\b)\w*(?:\.[A-Z]\w*)*$/;

/** A call (not a getter of a setting) on an object whose declared type is a retry's or a backoff's state. */
function policyObject(state: JavaState, call: JavaNode): boolean {
  const name = field(call, 'name');
  if (!name || /^get[A-Z]/.test(state.text.slice(name.start, name.end))) return false;
  const t = receiverType(state, call, enclosingFn(state, call));
  return t !== undefined && POLICY_TYPE.test(t);
}

/** The file's hand-written retry loops and Spring `@Retryable` methods without backoff or without a cap. */
export function findJavaRetryLoops(state: JavaState, functions: readonly FunctionInfo[]): Omit<RetrySite, 'id'>[] {
  const out: Omit<RetrySite, 'id'>[] = [];
  const loops = findAllLoops(state);
  for (const loop of loops) {
    const site = readLoop(state, loop);
    if (site) out.push(site);
  }
  out.push(...findRetryables(state, functions));
  return out;
}

/** Every `while`/`for`/`do` loop of the file that holds a `try`, found from the tries (there are fewer of them than nodes). */
function findAllLoops(state: JavaState): JavaNode[] {
  const seen = new Set<JavaNode>();
  const out: JavaNode[] = [];
  for (const call of state.calls) {
    if (!call.inLoop) continue;
    const node = state.nodeOfCall.get(call.id);
    for (let n = node?.parent; n && !NESTED_CODE.has(n.type); n = n.parent) {
      if (!TRIES.has(n.type)) continue;
      const block = n.parent;
      const loop = block?.type === 'block' ? block.parent : block;
      if (loop && LOOPS.has(loop.type) && !seen.has(loop)) {
        seen.add(loop);
        out.push(loop);
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
