/**
 * Retry loops in Go: a `for` whose success leaves the loop and whose failure goes round again
 * (`for { if err := op(); err == nil { return nil }; time.Sleep(d) }`, `x, err := op(); if err != nil
 * { continue }; return x`), and `backoff.Retry` (cenkalti/backoff) with its policy.
 *
 * Not retries: loops over a collection (each item is tried once), read and accept loops (success
 * goes round too), and ticker-driven polls. A cap is a loop condition or an `if` that compares (an
 * attempt count, `time.Since(start)`), a deadline check, or a `ctx.Done()` case that leaves (the
 * caller's deadline caps the total time). A delay grows when what it sleeps is computed from the
 * attempt, reassigned larger in the loop, or named for backoff.
 */
import type { CapSwitch, RetryDelay, RetrySite } from '../../engine/model';
import { escapeRegExp } from '../../engine/regexp';
import { switchableCap } from '../../engine/retry-caps';
import { enclosingFn, type GoState } from './builder';
import { containsExit, exits, findAll, functionOf, rangeOver, statements } from './flow';
import { field, textOf, type GoNode } from './syntax';

const ERR_NAME = /^(?:err|\w*Err|\w*err)$/;
const GROWTH_NAME = /backoff|exponential|jitter|NextBackOff/i;
const SLEEPS = /^(?:time\.Sleep|time\.After|time\.NewTimer|\w+\.Sleep|\w*[Cc]lock\.(?:After|NewTimer)|\w+\.Reset|sleep)$/;
const INT_RANGE = /^(?:\d+|\w*(?:[Rr]etries|[Aa]ttempts|[Tt]ries)\w*|max\w*|n)$/;
const BACKOFF_RETRY = /(?:^|\/)backoff(?:\/v\d+)?\.Retry(?:Notify|WithData|NotifyWithData|NotifyWithTimer)?$/;

/** The retry loops and `backoff.Retry` calls of the file. */
export function findGoRetries(state: GoState, loops: readonly GoNode[]): RetrySite[] {
  const out: RetrySite[] = [];
  for (const loop of loops) {
    const site = readLoop(state, loop);
    if (site) out.push({ ...site, id: out.length });
  }
  for (const call of state.calls) {
    const name = call.callee ?? call.calleeText;
    if (!BACKOFF_RETRY.test(name) && !/^backoff\.Retry\w*$/.test(call.calleeText)) continue;
    const node = state.nodeOfCall.get(call.id)!;
    const args = (field(node, 'arguments')?.children ?? []).filter((c) => c.type !== 'comment');
    const policy = args[1];
    if (!policy) continue;
    const read = readPolicy(state, node, policy);
    if (!read) continue;
    out.push({
      id: out.length, span: call.calleeSpan, kind: 'call', retrier: call.calleeText, operation: args[0] ? short(textOf(state.text, args[0])) : 'the operation',
      delay: read.delay, capped: read.capped, ...(call.context !== undefined ? { context: call.context } : {}), ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
    });
  }
  return out.sort((a, b) => a.span.start - b.span.start).map((r, id) => ({ ...r, id }));
}

function short(code: string): string {
  const one = code.replace(/\s+/g, ' ');
  return one.length <= 40 ? one : /^func\b/.test(one) ? 'the function literal' : `${one.slice(0, 37)}…`;
}

/** A `backoff` policy, written in the call or in the variable it names: how it waits and whether it stops. */
function readPolicy(state: GoState, call: GoNode, policy: GoNode): { delay: RetryDelay; capped: boolean } | undefined {
  const { text } = state;
  let written = textOf(text, policy);
  const fn = enclosingFn(state, call);
  const body = fn ? text.slice(fn.node.start, call.start) : '';
  const name = /^(\w+)$/.exec(written)?.[1];
  if (name !== undefined) {
    const inits = [...body.matchAll(new RegExp(`\\b${name}\\s*:?=\\s*([^\\n]+)`, 'g'))];
    written = inits.map((m) => m[1]).join('\n') + '\n' + [...body.matchAll(new RegExp(`\\b${name}\\.(\\w+)\\s*=\\s*([^\\n]+)`, 'g'))].map((m) => `${m[1]}=${m[2]}`).join('\n');
  }
  if (/StopBackOff/.test(written)) return undefined;
  const delay: RetryDelay = /ExponentialBackOff/.test(written) ? 'growing' : /ConstantBackOff/.test(written) ? 'constant' : /ZeroBackOff/.test(written) ? 'none' : 'growing';
  // An exponential policy stops after `MaxElapsedTime` (15 minutes by default) unless it is set to 0.
  const unlimitedExp = /MaxElapsedTime\s*=\s*0\b|WithMaxElapsedTime\s*\(\s*0\s*\)/.test(written);
  const capped = /WithMaxRetries\s*\(|WithContext\s*\(/.test(written) || (delay === 'growing' && !unlimitedExp);
  return { delay, capped };
}

/** A `for` loop that retries an attempt, if it is one. */
function readLoop(state: GoState, loop: GoNode): Omit<RetrySite, 'id'> | undefined {
  const { text } = state;
  const over = rangeOver(loop);
  if (over && !INT_RANGE.test(textOf(text, over))) return undefined;
  const body = field(loop, 'body');
  const stmts = statements(body);
  if (ticking(text, loop)) return undefined;
  let attempt: GoNode | undefined;
  let guard: GoNode | undefined;
  // `for err != nil { time.Sleep(d); err = op() }`: the condition is the failure.
  const cond = loop.children.find((c) => c.type === 'binary_expression');
  const condErr = cond ? /^(\w+)\s*!=\s*nil$/.exec(textOf(text, cond))?.[1] : undefined;
  if (condErr !== undefined && ERR_NAME.test(condErr)) {
    for (const s of stmts) {
      if (s.type !== 'assignment_statement' || !(field(s, 'left')?.children ?? []).some((l) => textOf(text, l) === condErr)) continue;
      const right = field(s, 'right')?.children[0];
      if (right?.type === 'call_expression') attempt = right;
    }
  }
  for (let i = 0; i < stmts.length && !attempt; i++) {
    const s = stmts[i]!;
    if (s.type !== 'if_statement') continue;
    const test = errTest(text, s, stmts[i - 1]);
    if (!test) continue;
    const rest = stmts.slice(i + 1);
    const restExits = rest.some((r) => exits(r, text));
    const cons = field(s, 'consequence');
    const alt = field(s, 'alternative');
    if (test.success === 'consequence') {
      // `if err == nil { return v }` then the failure path goes round.
      if (containsExit(cons) && !restExits && !exits(alt, text)) attempt = test.call;
    } else if (!exits(cons, text) && !(alt && exits(alt, text)) && restExits && !containsReturnOnly(cons)) {
      // `if err != nil { …; continue }` then the success path leaves.
      attempt = test.call;
      guard = s;
    }
  }
  if (!attempt) return undefined;
  // A bind that lost a race for a local port ("address already in use", `EADDRINUSE`) is tried again on
  // another port: no remote dependency waits behind it (hashicorp/memberlist's `newMemberlist`).
  if (body && /address already in use|EADDRINUSE/.test(textOf(text, body))) return undefined;
  // Local file-system work tried again (`os.RemoveAll` while a file is still open): no service waits behind it.
  const attemptCall = state.calls.find((c) => state.nodeOfCall.get(c.id) === attempt);
  if (attemptCall?.callee !== undefined && state.catalog.diskIo?.has(attemptCall.callee) && delayOf(state, loop).delay !== 'none') return undefined;
  // An attempt whose arguments the loop changes (a bigger buffer, the next scope, the rest of the input) is a search, not a retry.
  const writes = writtenIn(text, body);
  const args = field(attempt, 'arguments');
  if (args && [...(textOf(text, args).match(/\b[A-Za-z_]\w*\b/g) ?? [])].some((id) => writes.has(id))) return undefined;
  const recv = field(attempt, 'function');
  const recvRoot = recv?.type === 'selector_expression' ? /^(\w+)/.exec(textOf(text, recv))?.[1] : undefined;
  if (recvRoot !== undefined && writes.has(recvRoot) && recvRoot !== 'err') return undefined;
  // A retry policy decided elsewhere (`r.Handlers.Retry.Run(r)`, `cs.shouldRetry(err)`): its backoff and cap are not visible here.
  if (findAll(body, (n) => n.type === 'call_expression' && n !== attempt).some((c) => /[Rr]etry/.test(textOf(text, field(c, 'function') ?? c)))) return undefined;
  const fn = enclosingFn(state, loop);
  const head = { start: loop.start, end: Math.max(loop.start + 3, text.slice(0, body?.start ?? loop.end).trimEnd().length) };
  const callee = field(attempt, 'function');
  return {
    span: head, kind: 'loop', operation: callee ? textOf(text, callee) : 'the operation', ...delayOf(state, loop), ...capOf(text, loop, over, guard),
    ...(fn ? { context: fn.info.context!, functionId: fn.info.id } : {}),
  };
}

/** Names assigned or declared in the loop body (not inside function literals). */
function writtenIn(text: string, body: GoNode | undefined): Set<string> {
  const out = new Set<string>();
  for (const n of findAll(body, (x) => x.type === 'assignment_statement' || x.type === 'short_var_declaration' || x.type === 'inc_statement' || x.type === 'dec_statement')) {
    const left = n.type === 'inc_statement' || n.type === 'dec_statement' ? n.children : (field(n, 'left')?.children ?? []);
    for (const l of left) {
      const root = /^\*?\s*(\w+)/.exec(textOf(text, l))?.[1];
      if (root !== undefined && root !== '_') out.add(root);
    }
  }
  return out;
}

/** A failure branch whose every exit is a `return`: only a conditional return there is a cap, not a retry path. */
function containsReturnOnly(cons: GoNode | undefined): boolean {
  const stmts = statements(cons);
  return stmts.length > 0 && stmts.every((s) => s.type === 'return_statement');
}

/** The `if` tests the error of a call made in its initializer or in the statement before it. */
function errTest(text: string, ifs: GoNode, prev: GoNode | undefined): { call: GoNode; success: 'consequence' | 'after' } | undefined {
  const cond = field(ifs, 'condition');
  if (!cond) return undefined;
  const c = textOf(text, cond);
  const m = /(?:^|&&\s*|\|\|\s*|\(\s*)(\w+)\s*(==|!=)\s*nil\b/.exec(c);
  if (!m || !ERR_NAME.test(m[1]!)) return undefined;
  const errVar = m[1]!;
  const init = field(ifs, 'initializer');
  const source = init ?? prev;
  if (!source || (source.type !== 'short_var_declaration' && source.type !== 'assignment_statement')) return undefined;
  const left = (field(source, 'left')?.children ?? []).map((n) => textOf(text, n));
  if (!left.includes(errVar)) return undefined;
  const right = field(source, 'right')?.children[0];
  if (right?.type !== 'call_expression') return undefined;
  const callee = textOf(text, field(right, 'function') ?? right);
  if (/(?:^|\.)(?:Accept|AcceptTCP|Read|ReadFrom|Recv|RecvMsg|Next|Scan|ReadMessage|ReadString|ReadLine|ReadBytes|Decode)$/.test(callee)) return undefined;
  // Walking an error chain (`err = unwrap(err)`, `cause.Cause()`) is not another attempt.
  if (/(?:^|\.)(?:[Uu]nwrap|Cause|Parent)$/.test(callee) || (field(right, 'arguments')?.children ?? []).some((a) => textOf(text, a) === errVar)) return undefined;
  return { call: right, success: m[2] === '==' ? 'consequence' : 'after' };
}

/** `if err != nil && retry <= 6 { …; continue }`: past the count, the failure falls through to the exit after the `if`. */
function guardCaps(text: string, guard: GoNode | undefined): boolean {
  const cond = guard ? field(guard, 'condition') : undefined;
  return cond !== undefined && /&&[^|]*[<>]|[<>][^|]*&&/.test(textOf(text, cond).replace(/<-/g, ''));
}

/** A poll on a ticker: `for range ticker.C`, or a `select` with a ticker case. */
function ticking(text: string, loop: GoNode): boolean {
  const fn = functionOf(loop);
  const fnText = fn ? text.slice(fn.start, fn.end) : '';
  // `x.C` of a ticker: named for one, or made by `time.NewTicker` in the function (a timer's `C` fires once).
  const ticker = (chan: string): boolean => {
    if (/time\.Tick\(/.test(chan)) return true;
    const m = /(\w+)\.C$/.exec(chan);
    if (!m) return false;
    return /tick/i.test(m[1]!) || new RegExp(`\\b${m[1]}\\s*:?=\\s*time\\.NewTicker\\(`).test(fnText);
  };
  const over = rangeOver(loop);
  if (over && ticker(textOf(text, over))) return true;
  return findAll(field(loop, 'body'), (n) => n.type === 'communication_case').some((c) => {
    const m = /^case\s*(?:\w+\s*:?=\s*)?<-\s*([^:]+?)\s*:/.exec(textOf(text, c));
    return m !== null && ticker(m[1]!);
  });
}

/** Whether the attempts are capped, or capped only while a configured limit is set (`max > 0 && attempt > max`). */
function capOf(text: string, loop: GoNode, over: GoNode | undefined, guard: GoNode | undefined): { capped: boolean; capSwitch?: CapSwitch } {
  const found = cappedLoop(text, loop, over);
  if (found === true || guardCaps(text, guard)) return { capped: true };
  return found === false ? { capped: false } : { capped: false, capSwitch: found };
}

/**
 * The loop stops: a condition that compares, a range over a count, an `if` that compares or checks a
 * deadline and leaves, or a `ctx.Done()` case that leaves. An `if` that compares only while a limit
 * is set (serf's `if config.RetryMaxAttempts > 0 && attempt > config.RetryMaxAttempts`) is returned
 * as the switch when nothing else stops the loop.
 */
function cappedLoop(text: string, loop: GoNode, over: GoNode | undefined): boolean | CapSwitch {
  if (over) return true;
  const clause = loop.children.find((c) => c.type === 'for_clause');
  const cond = clause ? field(clause, 'condition') : loop.children.find((c) => c.type === 'binary_expression' || c.type === 'call_expression' || c.type === 'unary_expression');
  // `for time.Now().Before(deadline)` (nats-server's fileStore.Delete retries RemoveAll for a second): a deadline caps it.
  if (cond && /<|>/.test(textOf(text, cond).replace(/<-/g, ''))) return true;
  // A deadline the loop does not push back (`deadline = time.Now().Add(…)` in the body would).
  const deadline = cond ? /^!?\s*time\.Now\(\)\.(?:After|Before)\(\s*(\w+)\s*\)$/.exec(textOf(text, cond).trim()) : null;
  if (deadline && !writtenIn(text, field(loop, 'body')).has(deadline[1]!)) return true;
  const body = field(loop, 'body');
  let optional: CapSwitch | undefined;
  for (const ifs of findAll(body, (n) => n.type === 'if_statement', false)) {
    const c = textOf(text, field(ifs, 'condition') ?? ifs);
    const compares = /[^<-]<=?[^-]|>=?/.test(c.replace(/<-/g, '')) || /\.(?:After|Before)\(|\bctx\.Err\(\)|Expired|Deadline/.test(c);
    if (!compares || !containsExit(field(ifs, 'consequence'), false)) continue;
    const off = switchableCap(c, textOf(text, loop));
    if (!off) return true;
    optional ??= off;
  }
  for (const cc of findAll(body, (n) => n.type === 'communication_case', false)) {
    if (/^case\s*<-\s*[\w.()]*(?:ctx|Context\(\))\w*\.Done\(\)/.test(textOf(text, cc)) && containsExit(cc, false)) return true;
  }
  return optional ?? false;
}

/**
 * How the loop waits between attempts, and, when it sleeps a field of a configuration or an object
 * (`time.Sleep(config.RetryInterval)`, `<-time.After(c.opts.RetryDelay)`), that interval as written.
 */
function delayOf(state: GoState, loop: GoNode): { delay: RetryDelay; interval?: string } {
  const { text } = state;
  const body = field(loop, 'body');
  const bodyText = body ? text.slice(body.start, body.end) : '';
  const counters = new Set<string>();
  const clause = loop.children.find((c) => c.type === 'for_clause');
  const init = clause ? field(clause, 'initializer') : undefined;
  for (const n of field(init ?? loop, 'left')?.children ?? []) counters.add(textOf(text, n));
  const range = loop.children.find((c) => c.type === 'range_clause');
  for (const n of (range ? field(range, 'left')?.children : undefined) ?? []) counters.add(textOf(text, n));
  for (const m of bodyText.matchAll(/\b(\w+)\s*(?:\+\+|\+=)/g)) counters.add(m[1]!);
  let delay: RetryDelay = 'none';
  const intervals = new Set<string>();
  for (const call of findAll(body, (n) => n.type === 'call_expression')) {
    const callee = textOf(text, field(call, 'function') ?? call);
    if (GROWTH_NAME.test(callee)) return { delay: 'growing' };
    if (!SLEEPS.test(callee)) continue;
    const arg = field(call, 'arguments');
    const amount = arg ? textOf(text, arg) : '';
    if (grows(amount, bodyText, counters)) return { delay: 'growing' };
    delay = 'constant';
    intervals.add(CONFIGURED_INTERVAL.exec(amount)?.[1] ?? '');
  }
  // One configured interval for every wait of the loop; a literal (`5 * time.Second`) or a mix is a plain constant delay,
  // and so is another package's value (`retry.DefaultInterval`) or a field the loop itself assigns (`c.delay += c.delay`).
  const [only] = intervals;
  if (intervals.size !== 1 || !only) return { delay };
  if (state.scope.imports.has(only.slice(0, only.indexOf('.')))) return { delay };
  if (new RegExp(String.raw`(?:^|[^\w.])${escapeRegExp(only)}\s*(?:\+\+|--|(?:[-+*/%&|^]|<<|>>|&\^)?=(?!=))`).test(bodyText)) return { delay };
  return { delay, interval: only };
}

/** A sleep's argument that is a field read (`(config.RetryInterval)`, `(c.opts.retryDelay)`), not a `time` constant. */
const CONFIGURED_INTERVAL = /^\(\s*((?!time\.)[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\s*,?\s*\)$/;

/** The amount is computed from the attempt, from a variable the loop makes larger, or by a helper named for backoff. */
function grows(amount: string, bodyText: string, counters: ReadonlySet<string>, depth = 0): boolean {
  // A helper named for backoff computes it (`backoff(attempt)`, `b.NextBackOff()`); a constant named `backoffInterval` does not.
  if (/(?:backoff|exponential|jitter)\w*\s*\(/i.test(amount) || /<<|math\.Pow/.test(amount)) return true;
  for (const id of amount.match(/\b[a-z_]\w*\b/g) ?? []) {
    if (counters.has(id) && /\*|<</.test(amount)) return true;
    // `d := base << attempt` in the loop, then `time.Sleep(d)`.
    const local = new RegExp(`\\b${id}\\s*:=\\s*([^\\n]+)`).exec(bodyText)?.[1];
    if (local !== undefined && depth < 2 && local !== amount && grows(local, bodyText, counters, depth + 1)) return true;
    if (new RegExp(`\\b${id}\\s*(?:\\*=|<<=|\\+=\\s*${id}\\b|=\\s*[^\\n]*\\b${id}\\b\\s*(?:\\*|<<)|=\\s*min\\([^\\n]*\\*)`).test(bodyText)) return true;
  }
  // A field the loop multiplies (`cfg.RetryInterval *= 2`, `c.delay += c.delay`, `c.delay = c.delay * 2`).
  const field = CONFIGURED_INTERVAL.exec(amount)?.[1];
  if (field !== undefined) {
    const f = escapeRegExp(field);
    if (new RegExp(`(?:^|[^\\w.])${f}\\s*(?:\\*=|<<=|\\+=\\s*${f}(?![\\w.])|=\\s*[^\\n]*(?<![\\w.])${f}(?![\\w.])\\s*(?:\\*|<<))`).test(bodyText)) return true;
  }
  return false;
}
