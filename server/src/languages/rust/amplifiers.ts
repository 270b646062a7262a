/**
 * Fan-outs and retries in Rust, read from the view and the source text after the builder has
 * resolved calls. Like the TS frontend, a fan-out gets a source only when its collection visibly
 * comes from outside the code (a directory listing, the lines of an input, a request's `Json<Vec<…>>`),
 * and a retry is a loop whose success leaves it and whose failure goes round again, not a readiness
 * loop (`WouldBlock`, `Interrupted`, a `poll_*` function).
 */
import type { CallSite, CapSwitch, CollectionSource, FanOutBound, FanOutSite, RetryDelay, RetrySite } from '../../engine/model';
import { switchableCap } from '../../engine/retry-caps';
import { TASK_SPAWNERS } from './catalog';
import type { SyntaxNode } from './syntax';

const FUNCTION_TYPES = new Set(['function_item', 'closure_expression', 'async_block']);
const LOOP_TYPES = new Set(['loop_expression', 'while_expression', 'for_expression']);

const JOINERS = /(^|::)(join_all|try_join_all)$/;
const LISTING = /\bread_dir\s*\(|\bglob\s*\(|WalkDir::new|\bglob::glob/;
const LINES = /\.lines\s*\(\s*\)/;
const REQUEST_PARAM = (name: string): RegExp => new RegExp(`(Json|Form|Query)\\s*\\(\\s*(mut\\s+)?${name}\\s*\\)\\s*:\\s*(\\w+::)*(Json|Form|Query)\\s*<\\s*Vec\\s*<|\\b${name}\\s*:\\s*(\\w+::)*(Json|Form)\\s*<\\s*Vec\\s*<`);
const ACCEPT = /\.(accept|accept_bi|accept_uni|recv_from|recv|incoming|next_request)\s*\(|\.next\(\)\s*\.await/;
// A semaphore permit, or a `JoinSet` drained inside the loop (`while tasks.len() >= N { tasks.join_next().await; }`).
const LIMITER = /\.acquire(_owned|_many|_many_owned)?\s*\(|Semaphore|\.len\(\)\s*>=?\s*\w+\s*\{[^}]*\.join_next\(\)/;

type Node = SyntaxNode;

function slice(text: string, n: Node): string {
  return text.slice(n.start, n.end);
}

function enclosing(node: Node, types: ReadonlySet<string>, stopAt: ReadonlySet<string> = FUNCTION_TYPES): Node | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (types.has(n.type)) return n;
    if (stopAt.has(n.type)) return undefined;
  }
  return undefined;
}

function enclosingFunctionItem(node: Node): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_item') return n;
  return undefined;
}

/** The first call inside `n` (its callee as written), for messages. */
function firstCall(text: string, n: Node | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'call_expression' && n.children[0]) {
    const callee = n.children[0];
    const inner = firstCall(text, callee);
    if (inner !== undefined && callee.type === 'field_expression') return inner;
    return slice(text, callee).replace(/\s+/g, '');
  }
  for (const c of n.children) {
    const hit = firstCall(text, c);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

interface Origin {
  readonly source: CollectionSource;
  readonly sourceText?: string;
  readonly bound?: FanOutBound;
}

/** Where a collection comes from: the expression itself, a `let` of it earlier in the function, or a request extractor parameter. */
function originOf(text: string, collection: string, at: Node): Origin {
  const own = sourceOf(collection);
  if (own) return own;
  if (/^\s*(\[|vec!\s*\[|&\s*\[)/.test(collection) || /^\s*\d+\s*\.\.=?\s*\d+\s*$/.test(collection)) return { source: 'unknown', bound: 'fixed' };
  if (/\.take\s*\(/.test(collection)) return { source: 'unknown', bound: 'slice' };
  const name = /^\s*&?\s*(?:mut\s+)?([A-Za-z_]\w*)\s*$/.exec(collection.replace(/\.(iter|into_iter|iter_mut|drain\(\.\.\))\(\)\s*$/, ''))?.[1];
  const fn = enclosingFunctionItem(at);
  if (name === undefined || !fn) return { source: 'unknown' };
  const before = text.slice(fn.start, at.start);
  const lets = [...before.matchAll(new RegExp(`\\blet\\s+(?:mut\\s+)?${name}\\s*(?::[^=]+)?=\\s*([^;]+);`, 'g'))];
  const last = lets[lets.length - 1];
  if (last) {
    const init = last[1]!;
    const from = sourceOf(init);
    if (from) return from;
    if (/\.take\s*\(|\.chunks\s*\(/.test(init)) return { source: 'unknown', bound: 'slice' };
    if (/^\s*(vec!\s*\[|\[)/.test(init)) return { source: 'unknown', bound: 'fixed' };
  }
  const params = fn.children.find((c) => c.type === 'parameters');
  if (params && REQUEST_PARAM(name).test(slice(text, params))) return { source: 'request', sourceText: name };
  return { source: 'unknown' };
}

function sourceOf(expr: string): Origin | undefined {
  const compact = expr.replace(/\s+/g, ' ').trim();
  if (/\.take\s*\(/.test(compact)) return { source: 'unknown', bound: 'slice' };
  if (LISTING.test(compact)) return { source: 'listing', sourceText: shorten(compact) };
  if (LINES.test(compact)) return { source: 'lines', sourceText: shorten(compact) };
  return undefined;
}

function shorten(code: string): string {
  return code.length <= 60 ? code : `${code.slice(0, 57)}…`;
}

/** The collection an iterator chain walks: `xs` in `xs.iter().map(…)`, `read_dir(d)?` in `read_dir(d)?.map(…)`. */
function chainCollection(text: string, chain: Node): { collection: string; bounded?: FanOutBound; closure?: Node } | undefined {
  // Walk down the receivers of `.map(…)`, `.filter(…)`, `.iter()`… to the first non-method receiver.
  let n: Node | undefined = chain;
  let closure: Node | undefined;
  let bounded: FanOutBound | undefined;
  let sawMap = false;
  while (n && n.type === 'call_expression') {
    const callee: Node | undefined = n.children[0];
    if (!callee || callee.type !== 'field_expression') break;
    const method = callee.children[callee.children.length - 1];
    const name = method ? slice(text, method) : '';
    if (name === 'map' || name === 'then' || name === 'and_then') {
      sawMap = true;
      const args = n.children.find((c) => c.type === 'arguments');
      closure = args?.children[0] ?? closure;
    }
    if (name === 'take' || name === 'chunks') bounded = 'slice';
    const recv: Node | undefined = callee.children[0];
    if (!recv) break;
    if (/^(iter|into_iter|iter_mut|drain|keys|values|into_values|lines)$/.test(name)) {
      const inner = slice(text, recv);
      return sawMap ? { collection: name === 'lines' ? `${inner}.lines()` : inner, ...(bounded ? { bounded } : {}), ...(closure ? { closure } : {}) } : undefined;
    }
    n = recv.type === 'try_expression' ? recv.children[0] : recv;
  }
  return undefined;
}

/** Fan-out sites: `join_all`/`try_join_all` over an iterator, and a task spawned per item of a `for` loop. */
export function findRustFanOuts(text: string, callNodes: readonly Node[], calls: readonly CallSite[], callOf: ReadonlyMap<Node, number>): FanOutSite[] {
  const out: FanOutSite[] = [];
  for (const node of callNodes) {
    const id = callOf.get(node);
    const call = id === undefined ? undefined : calls[id];
    if (!call) continue;
    const name = call.callee ?? call.calleeText;
    let site: Omit<FanOutSite, 'id'> | undefined;
    if (JOINERS.test(name) || JOINERS.test(call.calleeText)) {
      const arg = node.children.find((c) => c.type === 'arguments')?.children[0];
      const chain = arg ? chainCollection(text, arg) : undefined;
      if (!chain) continue;
      const origin = originOf(text, chain.collection, node);
      const bound = chain.bounded ?? origin.bound;
      const work = firstCall(text, chain.closure);
      site = base(call, 'map', chain.collection, origin, bound, work);
    } else if (TASK_SPAWNERS.has(name) || (/^spawn(_blocking|_local)?$/.test(call.member) && /(set|tasks)$/i.test(call.calleeText.replace(/\.spawn\w*$/, '')))) {
      if (!call.inLoop) continue;
      const loop = enclosing(node, LOOP_TYPES);
      if (!loop || loop.type !== 'for_expression') continue;
      const loopText = slice(text, loop);
      const bodyIndex = loop.children.findIndex((c) => c.type === 'block');
      const value = bodyIndex > 0 ? loop.children[bodyIndex - 1] : undefined;
      if (!value) continue;
      const collection = slice(text, value);
      const origin = originOf(text, collection, node);
      let bound = origin.bound;
      if (!bound && ACCEPT.test(collection)) bound = 'accept-loop';
      if (!bound && LIMITER.test(loopText)) bound = 'limiter';
      const args = node.children.find((c) => c.type === 'arguments');
      site = base(call, 'spawn', collection, origin, bound, firstCall(text, args?.children[0]));
    }
    if (site) out.push({ id: out.length, ...site });
  }
  return out;
}

function base(call: CallSite, shape: FanOutSite['shape'], collection: string, origin: Origin, bound: FanOutBound | undefined, work: string | undefined): Omit<FanOutSite, 'id'> {
  return {
    span: call.span,
    spawner: call.calleeText,
    shape,
    collection: collection.replace(/\s+/g, ' ').trim(),
    source: origin.source,
    ...(origin.sourceText !== undefined ? { sourceText: origin.sourceText } : {}),
    ...(bound ? { bound } : {}),
    ...(work !== undefined ? { work } : {}),
    ...(call.context !== undefined ? { context: call.context } : {}),
    ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
  };
}

const READINESS = /WouldBlock|Interrupted|Poll::|ready!|Pending/;
// A sleep statement, or a sleep that is a match arm's value (`Err(_) => thread::sleep(d),`).
const SLEEP = /\b(?:sleep|sleep_ms|delay_for|Delay::new|Timer::after)\s*\(\s*([^;]*?)\)\s*(?:\.await)?\s*(?:[;,}]|$)/g;
const GROWTH = /\*|pow\s*\(|<<|backoff|exponential|jitter|mul_f|saturating_mul|checked_mul/i;

/** Retry loops: `loop { match op().await { Ok(v) => break v, Err(_) => … } }` and `if let Ok(v) = op() { return … }` in a loop. */
export function findRustRetries(text: string, callNodes: readonly Node[], calls: readonly CallSite[], callOf: ReadonlyMap<Node, number>): RetrySite[] {
  const out: RetrySite[] = [];
  const seen = new Set<Node>();
  for (const node of callNodes) {
    let n: Node = node;
    if (n.parent?.type === 'await_expression') n = n.parent;
    const holder = n.parent;
    if (!holder || (holder.type !== 'match_expression' && holder.type !== 'let_condition') || holder.children[holder.type === 'match_expression' ? 0 : 1] !== n) continue;
    const loop = enclosing(holder, LOOP_TYPES);
    if (!loop || seen.has(loop)) continue;
    // `for x in items` tries each item once (addresses, hosts, proxies); only a range (`for attempt in 0..5`)
    // repeats an attempt. `while let Some(x) = …` consumes a queue or walks a chain.
    const loopHead = text.slice(loop.start, loop.children.find((c) => c.type === 'block')?.start ?? loop.end);
    if (loop.type === 'for_expression' && !/\bin\s+\(?\s*[\w:]+\s*\.\.=?\s*[\w:]+\s*\)?\s*$/.test(loopHead)) continue;
    if (loop.type === 'while_expression' && /^while\s+let\b/.test(loopHead)) continue;
    const fn = enclosingFunctionItem(loop);
    const fnName = fn?.children.find((c) => c.type === 'identifier');
    if (fnName && /^poll_/.test(slice(text, fnName))) continue;
    // Comments are prose: a `// retry with backoff later` must not read as a growing delay.
    const loopText = withoutComments(slice(text, loop));
    if (READINESS.test(loopText)) continue;
    if (!isRetry(text, holder, loop)) continue;
    seen.add(loop);
    const call = calls[callOf.get(node)!];
    const operation = firstCall(text, node) ?? call?.calleeText ?? 'the operation';
    const block = loop.children.find((c) => c.type === 'block');
    const head = { start: loop.start, end: block ? block.start : loop.end };
    const headText = text.slice(head.start, head.end);
    const inBody = capInBody(loopText);
    const capped = loop.type === 'for_expression' || (loop.type === 'while_expression' && /[<>]|\b(attempt|retr|tries)/i.test(headText)) || inBody === true;
    out.push({
      id: out.length,
      span: { start: head.start, end: Math.max(head.start + 1, text.slice(0, head.end).trimEnd().length) },
      kind: 'loop',
      operation,
      delay: delayOf(loopText),
      capped,
      ...(!capped && inBody !== false ? { capSwitch: inBody } : {}),
      ...(n.type === 'await_expression' ? {} : { sync: true }),
      ...(call?.context !== undefined ? { context: call.context } : {}),
      ...(call?.functionId !== undefined ? { functionId: call.functionId } : {}),
    });
  }
  return out;
}

/** Success leaves the loop and some failure goes round again. */
function isRetry(text: string, holder: Node, loop: Node): boolean {
  const exits = (n: Node | undefined): boolean => !!n && (/^(break|return)\b/.test(slice(text, n).trim().replace(/^\{\s*/, '')) || containsExit(n));
  if (holder.type === 'let_condition') {
    const ifExpr = holder.parent;
    // A `Result` only: `if let Some(x) = …` in a loop is a search or a poll, not a retry of a failure.
    if (!ifExpr || ifExpr.type !== 'if_expression' || !/^let\s+Ok\s*\(/.test(slice(text, holder))) return false;
    const thenBlock = ifExpr.children.find((c) => c.type === 'block');
    const elseClause = ifExpr.children.find((c) => c.type === 'else_clause');
    return exits(thenBlock) && !(elseClause && containsExit(elseClause));
  }
  const block = holder.children.find((c) => c.type === 'match_block');
  if (!block) return false;
  let ok = false;
  let fails = false;
  for (const arm of block.children) {
    if (arm.type !== 'match_arm') continue;
    const pattern = arm.children.find((c) => c.type === 'match_pattern');
    const p = pattern ? slice(text, pattern) : '';
    const body = arm.children.find((c) => c !== pattern);
    if (/^Ok\s*\(/.test(p) && exits(body)) ok = true;
    // A failure arm that yields a value (`Err(Version) if h09 => (0, OK, …)`) recovers; only one that goes round retries.
    // An arm that leaves only when a check holds (`if attempt >= max { return Err(e) }`) goes round otherwise.
    if (/^(Err\b|_\s*$)/.test(p) && !alwaysExits(text, body) && !producesValue(body)) fails = true;
  }
  void loop;
  return ok && fails;
}

const VALUE_TYPES = new Set(['tuple_expression', 'struct_expression', 'array_expression', 'integer_literal', 'float_literal', 'string_literal', 'boolean_literal', 'char_literal']);

/** An arm body that evaluates to a value the code goes on with (a tuple, a struct, a literal, or a block ending in one). */
function producesValue(n: Node | undefined): boolean {
  if (!n) return false;
  if (VALUE_TYPES.has(n.type)) return true;
  if (n.type !== 'block') return false;
  const last = [...n.children].reverse().find((c) => c.type !== 'line_comment' && c.type !== 'block_comment');
  return last !== undefined && producesValue(last);
}

/**
 * The arm's body leaves the loop: it holds a break or return, as `containsExit` reads it, except one
 * under an `if` (without `else`) that compares, `if attempt >= max { return Err(e) }`: that is a cap,
 * and past it the arm goes round. A test that decides whether the failure is retryable at all
 * (`if !retryable || !reused { return Err(e) }`, hyper's retry of a request cancelled on a stale pooled
 * connection) still reads as leaving, as before.
 */
function alwaysExits(text: string, n: Node | undefined): boolean {
  if (!n) return false;
  if (n.type === 'break_expression' || n.type === 'return_expression') return true;
  if (FUNCTION_TYPES.has(n.type) || LOOP_TYPES.has(n.type)) return false;
  if (n.type === 'if_expression' && !n.children.some((c) => c.type === 'else_clause')) {
    const then = n.children.find((c) => c.type === 'block');
    const cond = text.slice(n.start, then?.start ?? n.end).replace(/->|=>/g, '');
    if (/[<>]/.test(cond)) return false;
  }
  return n.children.some((c) => alwaysExits(text, c));
}

/** A `break`/`return`/`?`-free check: any break or return not inside a nested loop or function. */
function containsExit(n: Node): boolean {
  if (n.type === 'break_expression' || n.type === 'return_expression') return true;
  if (FUNCTION_TYPES.has(n.type) || LOOP_TYPES.has(n.type)) return false;
  return n.children.some(containsExit);
}

/**
 * An `if attempt >= MAX { return/break/bail! }` in the loop, or an arm guard that compares. A test that
 * compares only while a configured limit is set (`if max > 0 && attempt >= max`, or inside `if let
 * Some(max) = self.max_retries { … }`) is returned as the switch when nothing else caps the loop.
 */
function capInBody(loopText: string): boolean | CapSwitch {
  if (/Err\s*\([^)]*\)\s*if\s+[^=]*(<=|>=|<|>)/.test(loopText)) return true;
  let optional: CapSwitch | undefined;
  for (const m of loopText.matchAll(/if\s+([^{;]*(?:<=|>=|<|>|==)[^{;]*)\{[^}]*\b(?:return|break|bail!|panic!|Err\s*\()/g)) {
    const cond = m[1]!;
    const opened = /if\s+let\s+Some\s*\(\s*(\w+)\s*\)\s*=\s*&?\s*([\w.]+(?:\(\))?)\s*\{\s*$/.exec(loopText.slice(0, m.index));
    const bound = opened && new RegExp(`(?:<=?|>=?|==)\\s*\\*?${opened[1]}\\b|\\b${opened[1]}\\s*(?:<=?|>=?|==)`).test(cond) ? { limit: opened[2]!, when: 'is None' } : undefined;
    const off = bound ?? switchableCap(cond, loopText);
    if (!off) return true;
    optional ??= off;
  }
  return optional ?? false;
}

function withoutComments(code: string): string {
  return code.replace(/"(?:[^"\\\n]|\\.)*"|\/\/[^\n]*|\/\*[^]*?\*\//g, (m) => (m.startsWith('"') ? m : ''));
}

function delayOf(loopText: string): RetryDelay {
  let delay: RetryDelay = 'none';
  for (const m of loopText.matchAll(SLEEP)) {
    const amount = m[1] ?? '';
    if (GROWTH.test(amount)) return 'growing';
    const variable = /^\s*&?\s*([a-z_]\w*)\s*$/.exec(amount)?.[1] ?? /\(\s*([a-z_]\w*)\s*\)/.exec(amount)?.[1];
    if (variable !== undefined && new RegExp(`\\b${variable}\\s*(\\*=|<<=|=\\s*[^;]*(\\*|pow|<<|mul|backoff))`).test(loopText)) return 'growing';
    delay = 'constant';
  }
  if (delay === 'none' && /\binterval\b[^;]*\.tick\(\)/.test(loopText)) delay = 'constant';
  if (delay === 'none' && GROWTH.test(loopText) && /backoff/i.test(loopText)) delay = 'growing';
  return delay;
}
