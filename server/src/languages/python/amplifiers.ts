/**
 * Fan-outs and retries in Python, read from the view after the builder has resolved calls. As in
 * the TS and Rust frontends, a fan-out gets a source only when its collection visibly comes from
 * outside the code (a directory listing, a request's body or query, the lines of an input), and a
 * retry is a loop whose success leaves it and whose failure goes round again: a consumer loop (it
 * goes round on success too) or a `for` over items (each item is tried once) is not a retry.
 */
import type { CallSite, CapSwitch, CollectionSource, FanOutBound, FanOutSite, RetryDelay, RetrySite } from '../../engine/model';
import { escapeRegExp } from '../../engine/regexp';
import { switchableCap } from '../../engine/retry-caps';
import { enclosingFn, decoratorsOf, type BuildState } from './builder';
import type { SyntaxNode } from './syntax';

type Node = SyntaxNode;

const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);
const COMPREHENSIONS = new Set(['generator_expression', 'list_comprehension', 'set_comprehension']);
/** Combinators that start or wait for every awaitable they are given at once. */
const GATHERERS = new Set(['asyncio.gather', 'asyncio.wait', 'asyncio.as_completed']);
/** Task spawners per item: `asyncio.create_task`, a TaskGroup's `create_task`, a nursery's `start_soon`. */
const SPAWN_MEMBER = /^(create_task|ensure_future|start_soon)$/;
const SPAWN_RECEIVER = /^(asyncio|loop|self\.loop|self\._loop|tg|task_group|taskgroup|group|nursery|self\._?(tg|task_group|nursery))$/i;
/** What a directory listing or glob is called. */
const LISTING = /\b(?:os\.listdir|os\.scandir|os\.walk|glob\.i?glob|aiofiles\.os\.(?:listdir|scandir))\s*[(,)]|\.(?:iterdir|r?glob)\s*\(/;
/** The lines of an input. */
const LINES = /\.(?:readlines|splitlines)\s*\(|\bsys\.stdin\b|\bfileinput\.input\s*\(/;
/** A request's body, form or query: aiohttp, Starlette, Django, Flask-style names. */
export const REQUEST = /\b(?:request|req)\s*\.\s*(?:json|post|form|query|query_params|args|GET|POST|body|data|files|match_info|multipart)\b/;
/** A limiter in the per-item work: `async with sem:`, `await limiter.acquire()`, a `CapacityLimiter`. */
const LIMITER = /\basync\s+with\s+[\w.[\]'"]*(?:sem|semaphore|limiter|limit|throttle|slots?)\w*\b|\b\w*(?:sem|semaphore|limiter|slots)\w*\s*\.\s*acquire\s*\(|CapacityLimiter|Semaphore\s*\(/i;
const ROUTE_DECORATOR = /^@\s*[\w.]+\.(?:get|post|put|patch|delete|api_route|route|websocket)\s*\(/;

function slice(text: string, n: Node): string {
  return text.slice(n.start, n.end);
}

function code(text: string, n: Node): string {
  return slice(text, n).replace(/\s+/g, ' ').trim();
}

/** The positional arguments of a call (a bare generator argument, `f(x for x in xs)`, is one). */
function positional(call: Node): Node[] {
  const args = call.children[call.children.length - 1];
  if (!args) return [];
  if (args.type === 'generator_expression') return [args];
  return args.children.filter((c) => c.type !== 'keyword_argument' && c.type !== 'comment' && c.type !== 'dictionary_splat');
}

/** The first call inside `n`, as written, looking through a spawner (`create_task(fetch(u))` is `fetch`). */
function firstCall(text: string, n: Node | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'call') {
    const f = n.children[0]!;
    const name = slice(text, f).replace(/\s+/g, '');
    const member = name.slice(name.lastIndexOf('.') + 1);
    if (SPAWN_MEMBER.test(member) || /^(?:asyncio\.)?wait_for$/.test(name)) {
      const inner = firstCall(text, positional(n)[0]);
      if (inner !== undefined) return inner;
    }
    return name;
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

/** The innermost loop around `node` in its own function (a `for`, `async for` or `while`). */
function enclosingLoop(node: Node): Node | undefined {
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (n.type === 'for_statement' || n.type === 'while_statement') {
      // The iterable of a `for` is evaluated once, before the loop.
      if (n.type === 'for_statement' && n.children[1] && n.children[1].start <= node.start && node.end <= n.children[1].end) continue;
      return n;
    }
  }
  return undefined;
}

function isAsyncFor(text: string, loop: Node): boolean {
  return loop.type === 'for_statement' && /^async\b/.test(text.slice(loop.start, loop.start + 5));
}

/** Reads the file's fan-outs and retries. */
export class PythonAmplifiers {
  constructor(
    private readonly state: BuildState,
    /** The file's call nodes, in the order of `state.calls` (a call's id is its index). */
    private readonly callNodes: readonly Node[],
  ) {}

  private get text(): string {
    return this.state.text;
  }

  private callOf(node: Node): CallSite | undefined {
    const id = this.state.callOfNode.get(node);
    return id === undefined ? undefined : this.state.calls[id];
  }

  /** Fan-out sites: a gather over a comprehension, `map` or a list filled per item, and a task spawned per item of a `for`. */
  fanOuts(): FanOutSite[] {
    const out: FanOutSite[] = [];
    for (const node of this.callNodes) {
      const call = this.callOf(node);
      if (!call) continue;
      const site = GATHERERS.has(call.callee ?? '') ? this.gathered(node, call) : this.spawnedPerItem(node, call);
      if (site) out.push({ id: out.length, ...site });
    }
    return out;
  }

  private gathered(node: Node, call: CallSite): Omit<FanOutSite, 'id'> | undefined {
    let arg = positional(node)[0];
    if (arg?.type === 'list_splat') arg = arg.children[0];
    while (arg?.type === 'parenthesized_expression' && arg.children.length === 1) arg = arg.children[0];
    if (!arg) return undefined;
    // `gather(*tasks)`: the comprehension or the per-item `append` that filled `tasks`.
    if (arg.type === 'identifier') {
      const name = slice(this.text, arg);
      const init = this.lastAssignment(name, node);
      if (init && (COMPREHENSIONS.has(init.type) || isMapCall(this.text, init))) arg = init;
      else if (init && (init.type === 'list' || init.type === 'set') && init.children.length === 0) return this.appendedPerItem(name, node, call);
      else return undefined;
    }
    if (COMPREHENSIONS.has(arg.type)) {
      const clause = arg.children.find((c) => c.type === 'for_in_clause');
      const collection = clause?.children[clause.children.length - 1];
      if (!clause || !collection || /^async\b/.test(slice(this.text, clause))) return undefined;
      const element = arg.children[0]!;
      return this.site(call, node, 'map', collection, element, this.workBound(element));
    }
    if (isMapCall(this.text, arg)) {
      const [fn, collection] = positional(arg);
      if (!fn || !collection) return undefined;
      return this.site(call, node, 'map', collection, fn, this.workBound(fn));
    }
    return undefined;
  }

  /** `tasks = []; for x in xs: tasks.append(fetch(x))` before `gather(*tasks)`. A spawned task is the spawn's site. */
  private appendedPerItem(name: string, gather: Node, call: CallSite): Omit<FanOutSite, 'id'> | undefined {
    const fn = enclosingFn(this.state, gather);
    for (const other of this.state.calls) {
      if (other.span.start >= call.span.start) break;
      if (other.functionId !== fn?.id || other.calleeText !== `${name}.append`) continue;
      const node = this.callNodes[other.id];
      const loop = node ? enclosingLoop(node) : undefined;
      const pushed = node ? positional(node)[0] : undefined;
      if (!node || !loop || loop.type !== 'for_statement' || !pushed) continue;
      if (pushed.type === 'call' && SPAWN_MEMBER.test(this.callOf(pushed)?.member ?? '')) return undefined;
      const site = this.site(other, node, 'loop', loop.children[1]!, pushed, this.workBound(pushed) ?? this.loopBound(loop));
      return site ? { ...site, spawner: call.calleeText } : undefined;
    }
    return undefined;
  }

  private spawnedPerItem(node: Node, call: CallSite): Omit<FanOutSite, 'id'> | undefined {
    if (!SPAWN_MEMBER.test(call.member) || !call.inLoop) return undefined;
    const receiver = call.calleeText.slice(0, call.calleeText.lastIndexOf('.'));
    const known = call.callee !== undefined && /^(asyncio\.(create_task|ensure_future)|asyncio\.AbstractEventLoop\.create_task|asyncio\.TaskGroup\.create_task|anyio\.abc\.TaskGroup\.start_soon|trio\.Nursery\.start_soon)$/.test(call.callee);
    if (!known && !SPAWN_RECEIVER.test(receiver)) return undefined;
    const loop = enclosingLoop(node);
    if (!loop || loop.type !== 'for_statement') return undefined;
    const first = positional(node)[0];
    const bound = isAsyncFor(this.text, loop) ? 'accept-loop' : (this.loopBound(loop) ?? (first ? this.workBound(first) : undefined));
    return this.site(call, node, 'spawn', loop.children[1]!, first, bound);
  }

  private site(call: CallSite, at: Node, shape: FanOutSite['shape'], collection: Node, work: Node | undefined, workBound: FanOutBound | undefined): Omit<FanOutSite, 'id'> | undefined {
    const origin = this.originOf(collection, at, 0);
    const bound = origin.bound ?? workBound ?? this.validatedSize(collection, at);
    const w = work?.type === 'identifier' || work?.type === 'attribute' ? code(this.text, work) : firstCall(this.text, work);
    return {
      span: call.span,
      spawner: call.calleeText,
      shape,
      collection: code(this.text, collection),
      source: origin.source,
      ...(origin.sourceText !== undefined ? { sourceText: origin.sourceText } : {}),
      ...(bound ? { bound } : {}),
      ...(w !== undefined ? { work: w } : {}),
      ...(call.context !== undefined ? { context: call.context } : {}),
      ...(call.functionId !== undefined ? { functionId: call.functionId } : {}),
    };
  }

  /** `if len(ids) > MAX: raise …` before the fan-out: the size is checked. */
  private validatedSize(collection: Node, at: Node): FanOutBound | undefined {
    const name = /^[A-Za-z_]\w*/.exec(code(this.text, collection))?.[0];
    const fn = enclosingFn(this.state, at);
    if (name === undefined || !fn) return undefined;
    const before = this.text.slice(fn.node.start, at.start);
    return new RegExp(`\\bif\\s+len\\(\\s*${name}\\b[^:\\n]*[<>][^:\\n]*:\\s*(?:#[^\\n]*)?\\s*(?:raise|return)\\b`).test(before) ? 'slice' : undefined;
  }

  /** A limiter in the per-item work: in the element itself or in the same-file function it calls. */
  private workBound(work: Node): FanOutBound | undefined {
    if (LIMITER.test(slice(this.text, work))) return 'limiter';
    const calls: Node[] = [];
    const collect = (n: Node): void => {
      if (n.type === 'call') calls.push(n);
      n.children.forEach(collect);
    };
    collect(work);
    if (work.type === 'identifier') {
      // The function the name stands for where it is written: two nested helpers may share a name.
      const id = this.state.scope.functionNamed(slice(this.text, work), enclosingFn(this.state, work));
      if (id !== undefined) return LIMITER.test(slice(this.text, this.state.fns[id]!.node)) ? 'limiter' : undefined;
    }
    if (work.type === 'identifier' || work.type === 'attribute') {
      const fn = this.localFunctionNamed(slice(this.text, work));
      if (fn && LIMITER.test(slice(this.text, fn))) return 'limiter';
    }
    for (const c of calls) {
      const target = this.callOf(c)?.localTarget;
      const fn = target === undefined ? undefined : this.state.fns[target];
      if (fn && LIMITER.test(slice(this.text, fn.node))) return 'limiter';
    }
    return undefined;
  }

  private localFunctionNamed(name: string): Node | undefined {
    const last = name.slice(name.lastIndexOf('.') + 1);
    return this.state.scope.functionsByName.get(last)?.[0]?.node ?? [...this.state.scope.classes.values()].map((c) => c.methods.get(last)).filter((id) => id !== undefined).map((id) => this.state.fns[id]!.node)[0];
  }

  private loopBound(loop: Node): FanOutBound | undefined {
    const body = loop.children.find((c) => c.type === 'block');
    return body && LIMITER.test(slice(this.text, body)) ? 'limiter' : undefined;
  }

  /** The value last assigned to `name` in the function of `at`, before it. */
  private lastAssignment(name: string, at: Node): Node | undefined {
    const fn = enclosingFn(this.state, at);
    let found: Node | undefined;
    const visit = (n: Node): void => {
      if (n.start >= at.start) return;
      if (n !== fn?.node && FUNCTION_TYPES.has(n.type)) return;
      if (n.type === 'assignment' && n.children[0]?.type === 'identifier' && slice(this.text, n.children[0]) === name && n.children.length > 1) {
        found = n.children[n.children.length - 1];
      }
      n.children.forEach(visit);
    };
    const scope = fn?.node ?? rootOf(at);
    visit(scope);
    return found;
  }

  /** Where a collection comes from, following names to their assignment and attributes to their object. */
  private originOf(n: Node, at: Node, depth: number): Origin {
    const text = this.text;
    if (depth > 6) return { source: 'unknown' };
    while (n.type === 'parenthesized_expression' && n.children.length === 1) n = n.children[0]!;
    if (n.type === 'await' && n.children[0]) return this.originOf(n.children[0], at, depth + 1);
    const expr = code(text, n);
    if (n.type === 'list' || n.type === 'tuple' || n.type === 'set' || n.type === 'dictionary') return { source: 'unknown', bound: 'fixed' };
    if (n.type === 'subscript' && n.children.some((c) => c.type === 'slice')) return { source: 'unknown', bound: 'slice' };
    if (/\bislice\s*\(/.test(expr)) return { source: 'unknown', bound: 'slice' };
    if (/^range\s*\(\s*\d+\s*(,\s*\d+\s*)?\)$/.test(expr)) return { source: 'unknown', bound: 'fixed' };
    if (LISTING.test(expr)) return { source: 'listing', sourceText: shorten(expr) };
    if (LINES.test(expr)) return { source: 'lines', sourceText: shorten(expr) };
    if (REQUEST.test(expr)) return { source: 'request', sourceText: shorten(expr) };
    if (n.type === 'call') {
      // `enumerate(xs)`, `sorted(xs)`, `json.loads(body)`, `xs.items()`, `data.get("ids", [])`: the items are the argument's or the receiver's.
      const f = n.children[0]!;
      const fname = slice(text, f).replace(/\s+/g, '');
      const args = positional(n);
      if (/^(enumerate|sorted|reversed|list|set|tuple|zip|filter|json\.loads|orjson\.loads|ujson\.loads)$/.test(fname)) {
        const arg = fname === 'filter' ? args[1] : args[0];
        return arg ? this.originOf(arg, at, depth + 1) : { source: 'unknown' };
      }
      if (f.type === 'attribute' && /\.(items|values|keys|get|getall|getlist|copy)$/.test(fname)) return this.originOf(f.children[0]!, at, depth + 1);
      return { source: 'unknown' };
    }
    if (n.type === 'subscript' || n.type === 'attribute') return this.originOf(n.children[0]!, at, depth + 1);
    if (n.type === 'identifier') {
      const name = expr;
      const init = this.lastAssignment(name, at);
      if (init) return this.originOf(init, at, depth + 1);
      return this.parameterOrigin(name, at);
    }
    return { source: 'unknown' };
  }

  /** A parameter of a FastAPI route typed as a list or a Pydantic model is the request's body. */
  private parameterOrigin(name: string, at: Node): Origin {
    const fn = enclosingFn(this.state, at);
    if (!fn || fn.node.type !== 'function_definition') return { source: 'unknown' };
    let route = fn;
    while (route.parent && !decoratorsOf(this.text, route.node).some((d) => ROUTE_DECORATOR.test(d))) route = route.parent;
    if (!decoratorsOf(this.text, route.node).some((d) => ROUTE_DECORATOR.test(d))) return { source: 'unknown' };
    const params = route.node.children.find((c) => c.type === 'parameters');
    for (const p of params?.children ?? []) {
      if ((p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter') || !p.children[0] || slice(this.text, p.children[0]) !== name) continue;
      const type = p.children.find((c) => c.type === 'type');
      const t = type ? slice(this.text, type).replace(/\s+/g, '') : '';
      if (/^(?:typing\.)?(?:list|List|Sequence|set|Set|Iterable)\[/.test(t)) return { source: 'request', sourceText: `${name}: ${t}` };
      const cls = this.state.scope.classesByName.get(t);
      if (cls && /\(\s*[^)]*\bBaseModel\b/.test(this.text.slice(cls.node.start, this.text.indexOf(':', cls.node.start)))) return { source: 'request', sourceText: `${name}: ${t}` };
    }
    return { source: 'unknown' };
  }

  /** Retry loops: a `try` in a loop whose success leaves the loop and whose failure goes round again. */
  retries(tryNodes: readonly Node[]): RetrySite[] {
    const out: RetrySite[] = [];
    const seen = new Set<Node>();
    const text = this.text;
    for (const t of tryNodes) {
      const loop = enclosingLoop(t);
      if (!loop || seen.has(loop)) continue;
      if (loop.type === 'for_statement') {
        // Only a counter repeats an attempt; `for host in hosts` tries each item once.
        if (isAsyncFor(text, loop) || !/^(?:range|itertools\.count|count)\s*\(/.test(code(text, loop.children[1]!))) continue;
      }
      const body = t.children[0];
      if (!body || body.type !== 'block') continue;
      const elseClause = t.children.find((c) => c.type === 'else_clause');
      // Success leaves the loop: a `break`/`return` straight in the attempt or its `else` (a counted loop may
      // also leave from an `if`); a consumer loop that breaks on a close message and catches timeouts is not a retry.
      const counted = loop.type === 'for_statement';
      const succeeds = directExit(body) || (elseClause !== undefined && directExit(elseClause)) || (counted && containsExit(body));
      const handlers = t.children.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
      const goesRound = handlers.some((h) => !alwaysExits(h) && !readsOn(text, h));
      if (!succeeds || !goesRound) continue;
      const op = this.operation(body);
      if (!op) continue;
      seen.add(loop);
      const head = loop.type === 'while_statement' ? loop.children[0]! : loop.children[1]!;
      // A cap is a check outside the attempt: in a handler or after the `try` (an `if` in the attempt that returns is success).
      const capText = slice(text, loop).replace(slice(text, body), '');
      out.push({
        id: out.length,
        span: { start: loop.start, end: head.end },
        kind: 'loop',
        operation: op.call.calleeText,
        ...this.delayOf(loop, body),
        ...this.capOf(loop, head, capText),
        ...(op.awaited ? {} : { sync: true }),
        ...(op.call.context !== undefined ? { context: op.call.context } : {}),
        ...(op.call.functionId !== undefined ? { functionId: op.call.functionId } : {}),
      });
    }
    return out;
  }

  /** The attempt: the first awaited call in the `try` body, else the first call that does I/O or blocks. */
  private operation(body: Node): { call: CallSite; awaited: boolean } | undefined {
    let sync: CallSite | undefined;
    let found: { call: CallSite; awaited: boolean } | undefined;
    const visit = (n: Node): void => {
      if (found || FUNCTION_TYPES.has(n.type)) return;
      if (n.type === 'call') {
        const call = this.callOf(n);
        if (call && (call.awaited || inAsyncWith(this.text, n)) && !isSleep(call)) {
          found = { call, awaited: true };
          return;
        }
        if (call && !sync && call.callee !== undefined && (this.state.catalog.blocking.get(call.callee)?.category === 'net' || this.state.catalog.blocking.get(call.callee)?.category === 'db')) sync = call;
      }
      n.children.forEach(visit);
    };
    visit(body);
    return found ?? (sync ? { call: sync, awaited: false } : undefined);
  }

  /**
   * How the loop waits between attempts; when every sleep waits one configured interval
   * (`self.retry_interval`, `self._config.reconnect_delay`), that interval as written. Not a sleep
   * of a loop inside the attempt (a poll for the job it started: it paces the polls), nor a sleep of
   * no time (`await asyncio.sleep(0)`: a yield to the event loop).
   */
  private delayOf(loop: Node, attempt: Node): { delay: RetryDelay; interval?: string } {
    const text = this.text;
    const loopText = slice(text, loop);
    let delay: RetryDelay = 'none';
    const intervals = new Set<string>();
    for (const c of this.state.calls) {
      if (c.span.start < loop.start || c.span.end > loop.end || !isSleep(c)) continue;
      const amount = text.slice(c.argsSpan.start + 1, c.argsSpan.end - 1).trim();
      if (/^0+(?:\.0*)?$/.test(amount)) continue;
      const node = this.callNodes[c.id];
      const inner = node ? enclosingLoop(node) : undefined;
      if (inner && inner !== loop && attempt.start <= inner.start && inner.end <= attempt.end) continue;
      if (GROWTH.test(amount)) return { delay: 'growing' };
      const variable = /^([A-Za-z_]\w*)$/.exec(amount)?.[1] ?? /\(\s*([A-Za-z_]\w*)\s*[,)]/.exec(amount)?.[1];
      if (variable !== undefined) {
        const fnText = this.functionText(loop);
        if (new RegExp(`\\b${variable}\\s*(?:\\*=|\\*\\*=|<<=|=\\s*[^\\n]*(?:\\*|<<|pow\\s*\\(|backoff|expon))`, 'i').test(loopText)) return { delay: 'growing' };
        if (new RegExp(`\\b${variable}\\s*=\\s*[^\\n]*(?:backoff|expon)`, 'i').test(fnText)) return { delay: 'growing' };
      }
      const field = CONFIGURED_INTERVAL.exec(amount)?.[1];
      // A field the loop multiplies (`self.delay *= 2`, `self.delay = min(self.delay * 2, 60)`) grows like a variable.
      if (field !== undefined && multiplied(loopText, field)) return { delay: 'growing' };
      delay = 'constant';
      // A name read from the environment (`RETRY_DELAY = float(os.environ.get("RETRY_DELAY", "5"))`) is the user's interval too.
      const name = /^([A-Za-z_]\w*)(?:\s+or\s+\d+(?:\.\d+)?)?$/.exec(amount)?.[1];
      intervals.add(field !== undefined && this.isConfigured(field, loop) ? field : name !== undefined && fromEnvironment(text, name) ? name : '');
    }
    // One configured interval for every wait; a literal, a mix, an imported module's value or a field the loop assigns is a plain constant delay.
    const [only] = intervals;
    if (delay !== 'constant' || intervals.size !== 1 || !only || assigned(loopText, only) || this.assignedByHelper(loop, only)) return { delay };
    return { delay, interval: only };
  }

  /** `field` (`self._delay`) is assigned in a method of the class that the loop calls (`self._bump()`), or in one that method calls. */
  private assignedByHelper(loop: Node, field: string): boolean {
    if (!field.startsWith('self.')) return false;
    let cls: Node | undefined = loop.parent;
    while (cls && cls.type !== 'class_definition') cls = cls.parent;
    if (!cls) return false;
    const methods = new Map<string, string>();
    const collect = (n: Node): void => {
      for (const k of n.children) {
        if (k.type === 'function_definition') {
          const name = /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(slice(this.text, k))?.[1];
          if (name !== undefined && !methods.has(name)) methods.set(name, slice(this.text, k));
        } else if (k.type === 'block' || k.type === 'decorated_definition') collect(k);
      }
    };
    collect(cls);
    const seen = new Set<string>();
    const calls = (body: string): boolean => {
      for (const m of body.matchAll(/\bself\.([A-Za-z_]\w*)\s*\(/g)) {
        const method = methods.get(m[1]!);
        if (method === undefined || seen.has(m[1]!)) continue;
        seen.add(m[1]!);
        if (assigned(method, field) || calls(method)) return true;
      }
      return false;
    };
    return calls(slice(this.text, loop));
  }

  /**
   * A field read as configuration: not off an imported module or object (`settings.RECONNECT_DELAY`),
   * not a class attribute read through the class (`Client.retry_delay`), and not a name spelled as a
   * constant (`self.RETRY_DELAY`: the author's choice rather than the user's).
   */
  private isConfigured(field: string, at: Node): boolean {
    const root = field.slice(0, field.indexOf('.'));
    const { scope } = this.state;
    if (scope.imports.has(root) || scope.classesByName.has(root) || /^[A-Z][A-Z0-9_]*$/.test(field.slice(field.lastIndexOf('.') + 1))) return false;
    // An import in the function itself (`from app import conf`, `import settings as conf`): a module's value too.
    return !importsIn(this.functionText(at), root);
  }

  private functionText(n: Node): string {
    const fn = enclosingFn(this.state, n);
    return fn ? slice(this.text, fn.node) : this.text;
  }

  /** The cap, or the switch of a cap that applies only while a configured limit is set (`if self.max_retries and attempt >= self.max_retries: raise`). */
  private capOf(loop: Node, head: Node, loopText: string): { capped: boolean; capSwitch?: CapSwitch } {
    const headText = code(this.text, head);
    if (loop.type === 'for_statement') return { capped: /^range\s*\(/.test(headText) };
    // `while attempt < 5`, `while retries > 0`, `while retries:` with `retries -= 1`, `while time.monotonic() < deadline`.
    if (/[<>]|!=|==/.test(headText)) return { capped: true };
    const counter = /^(?:not\s+)?([A-Za-z_][\w.]*)$/.exec(headText)?.[1];
    if (counter !== undefined && counter !== 'True' && new RegExp(`\\b${counter.replace(/\./g, '\\.')}\\s*-=`).test(loopText)) return { capped: true };
    // `if not retries: break`.
    if (/\bif\s+not\s+[\w.]+\s*:\s*(?:#[^\n]*)?\s*(?:raise|return|break)\b/.test(loopText)) return { capped: true };
    // `if attempt >= MAX: raise`, `if attempts == 3: return None`.
    let capSwitch: CapSwitch | undefined;
    for (const m of loopText.matchAll(/\bif\s+([^:\n]*(?:<=|>=|<|>|==)[^:\n]*):\s*(?:#[^\n]*)?\s*(?:raise|return|break)\b/g)) {
      const off = switchableCap(m[1]!, slice(this.text, loop));
      if (!off) return { capped: true };
      capSwitch ??= off;
    }
    return capSwitch ? { capped: false, capSwitch } : { capped: false };
  }
}

const GROWTH = /\*|<<|pow\s*\(|backoff|expon/i;
/** A sleep's argument that reads a field (`self.retry_interval`, `self._config.reconnect_delay`), with a default for an unset one (`self.retry_delay or 5`). */
const CONFIGURED_INTERVAL = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?:\s+or\s+\d+(?:\.\d+)?)?$/;

/** `field` (or an object it is read from) is assigned in the loop: `self.retry_interval = …`, `self.delay += 1`, `self._config = load()`, `cfg = load()`. */
function assigned(loopText: string, field: string): boolean {
  const parts = field.split('.');
  const op = String.raw`\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)`;
  // A bare name only at the start of a statement: `connect(config=config)` passes a keyword argument.
  if (new RegExp(String.raw`(?:^|\n)[ \t]*${escapeRegExp(parts[0]!)}${op}`).test(loopText)) return true;
  for (let i = 2; i <= parts.length; i++) {
    if (new RegExp(String.raw`(?:^|[^\w.])${escapeRegExp(parts.slice(0, i).join('.'))}${op}`).test(loopText)) return true;
  }
  return false;
}

/** Every assignment of `name` in the file (at least one) reads the environment: `RETRY_DELAY = float(os.environ.get("RETRY_DELAY", "5"))`, `os.getenv(…)`. */
function fromEnvironment(text: string, name: string): boolean {
  const assignments = [...text.matchAll(new RegExp(String.raw`(?:^|\n)[ \t]*${escapeRegExp(name)}[ \t]*(?::[^=\n]*)?=(?!=)([^\n]*)`, 'g'))];
  return assignments.length > 0 && assignments.every((m) => /\b(?:os\.environ|os\.getenv|environ\.get|getenv)\b/.test(m[1]!));
}

/** `field` is multiplied or doubled in the loop: `self.delay *= 2`, `self.delay <<= 1`, `self.delay = self.delay * 2`, `self.delay = min(2 * self.delay, 60)`, `self.delay += self.delay`. */
function multiplied(loopText: string, field: string): boolean {
  const f = escapeRegExp(field);
  return new RegExp(`(?:^|[^\\w.])${f}\\s*(?:\\*=|\\*\\*=|<<=|\\+=\\s*${f}(?![\\w.])|=\\s*[^\\n]*(?<![\\w.])${f}(?![\\w.])\\s*(?:\\*|<<)|=(?!=)[^\\n]*\\*\\s*${f}(?![\\w.(]))`).test(loopText);
}

/**
 * The function binds `name` by an import statement of its own: `import conf`, `import conf.local`,
 * `import app.conf as conf`, `from app import conf`, `from app import (a,\n conf)`. The name an
 * import binds is its alias when it has one: `from app import conf as c` binds `c`, not `conf`.
 */
function importsIn(fnText: string, name: string): boolean {
  for (const m of fnText.matchAll(/(?:^|\n)[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]*))/g)) {
    const from = m[1] !== undefined;
    // One statement: up to a `;` or a comment; the parentheses of a multi-line list go.
    const list = (m[1] ?? m[2]!).replace(/#[^\n]*/g, '').split(';')[0]!.replace(/[()\\]/g, ' ');
    for (const item of list.split(',')) {
      const words = item.trim().split(/\s+/);
      // `x as y` binds `y`; `import a.b` binds `a`; `from m import a` binds `a`.
      const bound = words.length === 3 && words[1] === 'as' ? words[2] : from ? words[0] : words[0]?.split('.')[0];
      if (bound === name) return true;
    }
  }
  return false;
}
const SLEEPS = new Set(['asyncio.sleep', 'anyio.sleep', 'trio.sleep', 'time.sleep', 'gevent.sleep']);

function isSleep(c: CallSite): boolean {
  return c.callee !== undefined ? SLEEPS.has(c.callee) : /(^|\.)sleep$/.test(c.calleeText);
}

function isMapCall(text: string, n: Node): boolean {
  return n.type === 'call' && slice(text, n.children[0]!).trim() === 'map';
}

function rootOf(n: Node): Node {
  let r = n;
  while (r.parent) r = r.parent;
  return r;
}

function shorten(s: string): string {
  return s.length <= 60 ? s : `${s.slice(0, 57)}…`;
}

/** A `break` or `return` that leaves the loop (not inside a nested loop or function). */
function containsExit(n: Node): boolean {
  if (n.type === 'break_statement' || n.type === 'return_statement') return true;
  if (FUNCTION_TYPES.has(n.type) || n.type === 'for_statement' || n.type === 'while_statement' || n.type === 'class_definition') return false;
  return n.children.some(containsExit);
}

/**
 * A `break` or `return` among the statements of a block (or an `else:` clause's block), or of a
 * `with`/`async with` block among them: its body runs whenever the block does (aiohttp's `async with
 * session.get(url) as resp: return await resp.json()`).
 */
function directExit(n: Node): boolean {
  const block = n.type === 'block' ? n : n.children.find((c) => c.type === 'block');
  return block?.children.some((c) => c.type === 'break_statement' || c.type === 'return_statement' || (c.type === 'with_statement' && directExit(c))) ?? false;
}

/** The call is what an `async with` enters (`async with session.get(url) as resp:`). */
function inAsyncWith(text: string, call: Node): boolean {
  let n = call.parent;
  if (n?.type === 'as_pattern') n = n.parent;
  if (n?.type !== 'with_item') return false;
  const w = n.parent?.parent;
  return w?.type === 'with_statement' && /^async\b/.test(text.slice(w.start, w.start + 5));
}

/**
 * An `except` for a stream that has more to give, not a failure: `LimitOverrunError` (a line longer
 * than the reader's limit; the handler reads what was consumed and goes round for the rest, as
 * aiosmtpd drains an over-long command line) and `IncompleteReadError`. Going round makes progress.
 */
function readsOn(text: string, handler: Node): boolean {
  const block = handler.children.find((c) => c.type === 'block');
  // A comment between the `:` and the block belongs to the clause: leave it out.
  const head = text.slice(handler.start, block?.start ?? handler.end).replace(/#[^\n]*/g, '');
  const types = head.replace(/^except\*?\s*/, '').replace(/\bas\s+\w+\s*:?\s*$/, '').replace(/[():\s]/g, '');
  return types !== '' && types.split(',').every((t) => /^(?:asyncio\.)?(?:LimitOverrunError|IncompleteReadError)$/.test(t));
}

/** An `except` whose block ends the loop on every path: its last statement raises, returns or breaks. */
function alwaysExits(handler: Node): boolean {
  const block = handler.children.find((c) => c.type === 'block');
  const last = block?.children.filter((c) => c.type !== 'comment').at(-1);
  return last !== undefined && (last.type === 'raise_statement' || last.type === 'return_statement' || last.type === 'break_statement');
}
