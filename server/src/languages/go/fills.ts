/**
 * Go: the functions that put a value into a channel they are given before they return, and the
 * receives that take that value right after (nats-server's consumer: `o.inch = make(chan bool, 8)`,
 * `o.acc.sl.registerNotification(…, o.inch)`, `if o.active = <-o.inch; …`, under `o.mu`). The
 * registration sends the current interest into the channel (a `select` with a `default`, into an
 * empty buffer) before it returns, so the receive takes it at once: no parking point.
 *
 * What a function fills is read from its body alone (see {@link ChannelFills}), to a fixed point
 * over the same-file functions it hands the channel to; the linker carries it to the other files of
 * the package; the receives are found by `filled-receive.ts`. Known limits: a function that stores
 * the channel (a registry of subscribers) is taken to let others only send into it, and a caller
 * that drops the function's error is taken to have had none (the function sends on every path but
 * those that return an error).
 */
import type { ChannelFills } from '../../engine/model';
import type { GoFn, GoState } from './builder';
import { field, textOf, walk, type GoNode } from './syntax';

/** One path through a function so far: whether it has sent into the channel, and the error variables it knows are not nil. */
interface PathState {
  readonly sent: boolean;
  readonly nonNil: readonly string[];
}

/** More paths than this and the function is not read (its fills stay unknown). */
const MAX_PATHS = 32;
/** Calls that end the goroutine or the program: no normal return after them. */
const NO_RETURN = /^(?:panic|os\.Exit|log\.(?:Fatal|Panic)\w*)$/;
/** Statements the path walk does not follow: a function with one is not read. */
const JUMPS = new Set(['goto_statement', 'fallthrough_statement', 'labeled_statement']);

/** Builtins a channel may be handed to without anything receiving from it. */
const BUILTINS = new Set(['append', 'len', 'cap', 'close']);

class GiveUp extends Error {}

/** The parameters of a function as names (one empty name for an unnamed one), with their types; undefined when variadic. */
function parameters(state: GoState, fn: GoFn): { names: string[]; types: string[] } | undefined {
  const list = field(fn.node, 'parameters');
  const names: string[] = [];
  const types: string[] = [];
  for (const d of list?.children ?? []) {
    if (d.type === 'variadic_parameter_declaration') return undefined;
    if (d.type !== 'parameter_declaration') continue;
    const type = field(d, 'type');
    const t = type ? textOf(state.text, type) : '';
    const ns = d.children.filter((c) => c.field === 'name');
    if (ns.length === 0) {
      names.push('');
      types.push(t);
    }
    for (const n of ns) {
      names.push(textOf(state.text, n));
      types.push(t);
    }
  }
  return { names, types };
}

/** The arguments of a call, without punctuation and comments. */
export function argumentsOf(call: GoNode): GoNode[] {
  return (field(call, 'arguments')?.children ?? []).filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',' && c.type !== 'comment');
}

/**
 * How the call fills `channel` through the same-file function it calls (the facts found so far):
 * on every return (`always`), on every return without an error (`unlessError`), or not at all.
 */
function callFills(state: GoState, facts: ReadonlyMap<number, ChannelFills>, call: GoNode | undefined, channel: string): 'always' | 'unlessError' | undefined {
  const id = call === undefined ? undefined : state.callOfNode.get(call);
  const target = id === undefined ? undefined : state.calls[id]?.localTarget;
  const f = target === undefined ? undefined : facts.get(target);
  const args = f && call ? argumentsOf(call) : [];
  if (!f || args.length !== f.arity) return undefined;
  const names = (ps: readonly number[] | undefined): boolean => (ps ?? []).some((p) => args[p] !== undefined && textOf(state.text, args[p]) === channel);
  return names(f.params) ? 'always' : names(f.unlessError) ? 'unlessError' : undefined;
}

/** The one call a simple statement makes as a whole (`f(ch)`, `err = f(ch)`, `err := f(ch)`), if any. */
export function wholeCall(stmt: GoNode): GoNode | undefined {
  if (stmt.type === 'expression_statement') return stmt.children[0]?.type === 'call_expression' ? stmt.children[0] : undefined;
  if (stmt.type === 'assignment_statement' || stmt.type === 'short_var_declaration') {
    const right = field(stmt, 'right')?.children.filter((c) => c.type !== ',') ?? [];
    return right.length === 1 && right[0]!.type === 'call_expression' ? right[0] : undefined;
  }
  return undefined;
}

/** The names a simple statement assigns (left sides that are plain names). */
function assignedNames(state: GoState, stmt: GoNode): string[] {
  const out: string[] = [];
  if (stmt.type === 'assignment_statement' || stmt.type === 'short_var_declaration' || stmt.type === 'receive_statement') {
    for (const n of field(stmt, 'left')?.children ?? []) if (n.type === 'identifier') out.push(textOf(state.text, n));
  } else if (stmt.type === 'var_declaration') {
    walk(stmt, (n) => {
      if (n.type === 'var_spec') for (const c of n.children) if (c.field === 'name') out.push(textOf(state.text, c));
    });
  } else if (stmt.type === 'inc_statement' || stmt.type === 'dec_statement') {
    const e = stmt.children[0];
    if (e?.type === 'identifier') out.push(textOf(state.text, e));
  }
  return out;
}

/**
 * Whether the function's body, for parameter `k`, does only what {@link ChannelFills} allows with it:
 * no receive from it, no `range` over it, no assignment or declaration of the name (a shadow would
 * make a later `k <- v` another channel), no use in a function literal, a `go` or a `defer`, no
 * hand-off to a same-file function that does any of these, and none to a function of another file
 * or package (`append(chs, notify)`, `len`, `cap` and `close` aside).
 */
function clean(state: GoState, fn: GoFn, k: string, seen: Set<string>): boolean {
  const key = `${fn.info.id}:${k}`;
  if (seen.has(key)) return true;
  seen.add(key);
  const { text } = state;
  let ok = true;
  const body = field(fn.node, 'body');
  if (!body) return false;
  const isK = (n: GoNode | undefined): boolean => n !== undefined && n.type === 'identifier' && textOf(text, n) === k;
  walk(body, (n) => {
    if (!ok) return false;
    switch (n.type) {
      case 'func_literal':
      case 'go_statement':
      case 'defer_statement': {
        let uses = false;
        walk(n, (m) => {
          if (isK(m)) uses = true;
          return !uses;
        });
        if (uses) ok = false;
        return false;
      }
      case 'unary_expression':
        if (text.startsWith('<-', n.start) && isK(field(n, 'operand'))) ok = false;
        return;
      case 'range_clause':
        if (isK(field(n, 'right')) || (field(n, 'left')?.children ?? []).some(isK)) ok = false;
        return;
      case 'assignment_statement':
      case 'short_var_declaration':
      case 'receive_statement':
        if ((field(n, 'left')?.children ?? []).some(isK)) ok = false;
        return;
      case 'var_spec':
      case 'const_spec':
        if (n.children.some((c) => c.field === 'name' && isK(c))) ok = false;
        return;
      case 'call_expression': {
        const id = state.callOfNode.get(n);
        const target = id === undefined ? undefined : state.calls[id]?.localTarget;
        const args = argumentsOf(n);
        if (target === undefined) {
          // Another file's or package's function could receive from it: only the builtins that cannot.
          const f = field(n, 'function');
          if (args.some(isK) && !(f?.type === 'identifier' && BUILTINS.has(textOf(text, f)))) ok = false;
          return;
        }
        const callee = state.fns[target]!;
        const params = parameters(state, callee);
        args.forEach((a, i) => {
          if (!isK(a)) return;
          const name = params?.names[i];
          if (!params || params.names.length !== args.length || !name || !clean(state, callee, name, seen)) ok = false;
        });
        return;
      }
      default:
        return;
    }
  });
  return ok;
}

/**
 * Reads one function's paths for parameter `k`: true when every normal return has sent into it, or
 * (not `strict`) returns a non-nil error. Error variables are known not nil only in the scope that
 * tested them, and never one whose address is taken or that a function literal uses (a call or a
 * deferred literal may change it).
 */
function fillsParam(state: GoState, fn: GoFn, k: string, facts: ReadonlyMap<number, ChannelFills>, strict: boolean): boolean {
  const { text } = state;
  const body = field(fn.node, 'body');
  if (!body) return false;
  const result = field(fn.node, 'result');
  // One type per result: `(n int, err error)`, `(a, b int)`, `error`.
  const resultTypes = !result
    ? []
    : result.type === 'parameter_list'
      ? result.children
          .filter((c) => c.type === 'parameter_declaration')
          .flatMap((d) => {
            const t = textOf(text, field(d, 'type') ?? d);
            return Array<string>(Math.max(1, d.children.filter((c) => c.field === 'name').length)).fill(t);
          })
      : [textOf(text, result)];
  const returnsError = resultTypes[resultTypes.length - 1] === 'error';
  const breaks: PathState[][] = [];
  const untracked = new Set<string>();
  walk(body, (n) => {
    if (n.type === 'func_literal') {
      walk(n, (m) => {
        if (m.type === 'identifier') untracked.add(textOf(text, m));
      });
      return false;
    }
    const op = n.type === 'unary_expression' && text[n.start] === '&' ? field(n, 'operand') : undefined;
    if (op?.type === 'identifier') untracked.add(textOf(text, op));
    return;
  });

  const merge = (states: PathState[]): PathState[] => {
    const seen = new Map<string, PathState>();
    for (const s of states) seen.set(`${s.sent}|${[...s.nonNil].sort().join(',')}`, s);
    if (seen.size > MAX_PATHS) throw new GiveUp();
    return [...seen.values()];
  };
  const sent = (states: PathState[]): PathState[] => states.map((s) => ({ sent: true, nonNil: s.nonNil }));
  const forget = (states: PathState[], names: readonly string[]): PathState[] =>
    names.length === 0
      ? states
      : states.map((s) => ({
          sent: s.sent,
          nonNil: s.nonNil.filter((n) => !names.includes(n)),
        }));
  const fillsBy = (call: GoNode | undefined): 'always' | 'unlessError' | undefined => callFills(state, facts, call, k);
  /** A value a `return` gives back that is a non-nil error on this path. */
  const isError = (e: GoNode, s: PathState): boolean => {
    const t = textOf(text, e);
    if (e.type === 'identifier') return /^Err[A-Z0-9_]\w*$/.test(t) || s.nonNil.includes(t);
    return e.type === 'call_expression' && /^(?:errors\.New|fmt\.Errorf)\(/.test(t);
  };

  const simple = (stmt: GoNode, states: PathState[]): PathState[] => {
    const assigned = assignedNames(state, stmt);
    let out = forget(states, assigned);
    if (stmt.type === 'send_statement') {
      const ch = field(stmt, 'channel');
      if (ch && textOf(text, ch) === k) out = sent(out);
    }
    const by = fillsBy(wholeCall(stmt));
    if (by === 'always') out = sent(out);
    else if (by === 'unlessError' && !strict && stmt.type !== 'expression_statement') {
      // `err := f(k)`: sent where `err` is nil, not where it is not (its error is the call's last result).
      const left = field(stmt, 'left')?.children.filter((c) => c.type !== ',') ?? [];
      const last = left[left.length - 1];
      if (last?.type === 'identifier') out = merge([...sent(out), ...knowing(out, textOf(text, last))]);
    }
    return out;
  };
  /** The names a statement declares in its scope (`:=`, `var`): known facts about them end with it. */
  const declared = (stmt: GoNode | undefined): string[] =>
    stmt && (stmt.type === 'short_var_declaration' || stmt.type === 'var_declaration' || stmt.type === 'receive_statement') ? assignedNames(state, stmt) : [];

  /** The error variable a condition tests against nil: `err != nil` holds it on the then-branch, `err == nil` on the else-branch. */
  const nilTest = (cond: GoNode | undefined): { name: string; whenTrue: boolean } | undefined => {
    if (cond?.type !== 'binary_expression') return undefined;
    const l = field(cond, 'left');
    const r = field(cond, 'right');
    if (l?.type !== 'identifier' || r?.type !== 'nil') return undefined;
    const op = text.slice(l.end, r.start).trim();
    return op === '!=' ? { name: textOf(text, l), whenTrue: true } : op === '==' ? { name: textOf(text, l), whenTrue: false } : undefined;
  };
  const knowing = (states: PathState[], name: string | undefined): PathState[] =>
    name === undefined || untracked.has(name) ? states : states.map((s) => (s.nonNil.includes(name) ? s : { sent: s.sent, nonNil: [...s.nonNil, name] }));
  /** The paths on which `name` is nil: those that know it is not are not taken. */
  const nilOn = (states: PathState[], name: string | undefined): PathState[] => (name === undefined ? states : states.filter((s) => !s.nonNil.includes(name)));

  const statement = (stmt: GoNode, states: PathState[]): PathState[] => {
    if (states.length === 0) return states;
    switch (stmt.type) {
      case 'block':
        return list(
          stmt.children.find((c) => c.type === 'statement_list'),
          states,
        );
      case 'expression_statement': {
        const call = wholeCall(stmt);
        const f = call ? field(call, 'function') : undefined;
        if (f && NO_RETURN.test(textOf(text, f).replace(/\s+/g, ''))) return [];
        return simple(stmt, states);
      }
      case 'return_statement': {
        const values = stmt.children.find((c) => c.type === 'expression_list')?.children.filter((c) => c.type !== ',') ?? [];
        const filled = values.some((v) => v.type === 'call_expression' && fillsBy(v) === 'always');
        // `return f(k)` with f filling k unless it fails: its error is what this returns.
        const passed = !strict && returnsError && values.length === 1 && values[0]!.type === 'call_expression' && fillsBy(values[0]) === 'unlessError';
        for (const s of states) {
          if (s.sent || filled || passed) continue;
          const last = values[values.length - 1];
          if (strict || !returnsError || !last || values.length !== resultTypes.length || !isError(last, s)) throw new GiveUp();
        }
        return [];
      }
      case 'if_statement': {
        const init = field(stmt, 'initializer');
        const before = init ? simple(init, states) : states;
        const test = nilTest(field(stmt, 'condition'));
        const consequence = field(stmt, 'consequence');
        const alternative = field(stmt, 'alternative');
        const onTrue = test === undefined ? before : test.whenTrue ? knowing(before, test.name) : nilOn(before, test.name);
        const onFalse = test === undefined ? before : test.whenTrue ? nilOn(before, test.name) : knowing(before, test.name);
        const then = consequence ? statement(consequence, onTrue) : onTrue;
        // The initializer's names are the `if`'s own: an `err` tested there is not the one outside.
        return forget(merge([...then, ...(alternative ? statement(alternative, onFalse) : onFalse)]), declared(init));
      }
      case 'for_statement': {
        // The body may run no times: what it sends does not count after the loop, and a variable it
        // assigns on one turn may be nil on the next, so no error is known inside it nor after it.
        const entry = merge(states.map((s) => ({ sent: s.sent, nonNil: [] })));
        breaks.push([]);
        const b = field(stmt, 'body');
        if (b) statement(b, entry);
        breaks.pop();
        return entry;
      }
      case 'expression_switch_statement':
      case 'type_switch_statement':
      case 'select_statement': {
        const init = field(stmt, 'initializer');
        const before = init ? simple(init, states) : states;
        const cases = stmt.children.filter((c) => c.type === 'expression_case' || c.type === 'type_case' || c.type === 'communication_case' || c.type === 'default_case');
        // A send case into the channel: its `default` is taken only when the send cannot proceed, that
        // is, when the channel's buffer is full (a value is in it) — see ChannelFills.
        const sendCase =
          stmt.type === 'select_statement' &&
          cases.some((c) => {
            const comm = field(c, 'communication');
            const ch = comm?.type === 'send_statement' ? field(comm, 'channel') : undefined;
            return ch !== undefined && textOf(text, ch) === k;
          });
        breaks.push([]);
        const ends: PathState[] = [];
        for (const c of cases) {
          let start = before;
          const comm = field(c, 'communication');
          if (comm) start = simple(comm, start);
          if (c.type === 'default_case' && sendCase) start = sent(start);
          ends.push(
            ...list(
              c.children.find((x) => x.type === 'statement_list'),
              start,
            ),
          );
        }
        ends.push(...breaks.pop()!);
        // A switch without a `default` may match no case; a `select` always runs one.
        if (stmt.type !== 'select_statement' && !cases.some((c) => c.type === 'default_case')) ends.push(...before);
        const scoped = [...declared(init), ...cases.flatMap((c) => declared(field(c, 'communication')))];
        const alias = stmt.type === 'type_switch_statement' ? field(stmt, 'alias') : undefined;
        for (const n of alias?.children ?? []) if (n.type === 'identifier') scoped.push(textOf(text, n));
        return forget(merge(ends), scoped);
      }
      case 'break_statement':
        if (breaks.length === 0) throw new GiveUp();
        breaks[breaks.length - 1]!.push(...states);
        return [];
      case 'continue_statement':
        return [];
      case 'go_statement':
      case 'defer_statement':
      case 'empty_statement':
      case 'const_declaration':
      case 'type_declaration':
        return states;
      default:
        return simple(stmt, states);
    }
  };
  /** A block's statements: what it declares goes out of scope at its end. */
  const list = (stmts: GoNode | undefined, states: PathState[]): PathState[] => {
    let out = states;
    const own: string[] = [];
    for (const s of stmts?.children ?? []) {
      if (s.type === 'comment') continue;
      out = statement(s, out);
      own.push(...declared(s));
    }
    return forget(out, own);
  };

  let jumps = false;
  walk(body, (n) => {
    if (JUMPS.has(n.type)) jumps = true;
    return !jumps && n.type !== 'func_literal';
  });
  if (jumps) return false;
  try {
    const end = statement(body, [{ sent: false, nonNil: [] }]);
    // Falling off the end is a return only for a function without results (Go rejects it otherwise).
    return resultTypes.length > 0 || end.every((s) => s.sent);
  } catch (e) {
    if (e instanceof GiveUp) return false;
    throw e;
  }
}

/**
 * The channel parameters each function of the file fills ({@link ChannelFills}), by function id,
 * to a fixed point over the same-file functions that hand the channel on (`registerNotification`
 * → `sendNotification(notify, …)`). Only declared functions and methods: a literal is not called by name.
 */
export function channelFills(state: GoState): Map<number, ChannelFills> {
  const { text } = state;
  const candidates: {
    fn: GoFn;
    arity: number;
    params: { index: number; name: string }[];
  }[] = [];
  for (const fn of state.fns) {
    if (fn.node.type === 'func_literal') continue;
    const ps = parameters(state, fn);
    if (!ps) continue;
    const params: { index: number; name: string }[] = [];
    ps.names.forEach((name, index) => {
      // A channel it may send on (`chan T`, `chan<- T`), named, and named again in the body.
      if (name === '' || !/^chan\b/.test(ps.types[index]!)) return;
      const body = field(fn.node, 'body');
      if (body && new RegExp(`\\b${name}\\b`).test(text.slice(body.start, body.end))) params.push({ index, name });
    });
    if (params.length > 0)
      candidates.push({
        fn,
        arity: ps.names.length,
        params: params.filter((p) => clean(state, fn, p.name, new Set())),
      });
  }
  const facts = new Map<number, ChannelFills>();
  // First what each fills on every return, then what it fills unless it returns an error (using the
  // first). Each round can only add parameters (a fill found lets its callers' paths send): stop
  // when none is added.
  for (const strict of [true, false]) {
    for (let round = 0, changed = true; changed && round < 8; round++) {
      changed = false;
      for (const c of candidates) {
        const had = facts.get(c.fn.info.id);
        const known = [...(had?.params ?? []), ...(had?.unlessError ?? [])];
        const found = c.params.filter((p) => !known.includes(p.index) && fillsParam(state, c.fn, p.name, facts, strict)).map((p) => p.index);
        if (found.length === 0) continue;
        const params = strict ? [...(had?.params ?? []), ...found] : [...(had?.params ?? [])];
        const unlessError = strict ? [...(had?.unlessError ?? [])] : [...(had?.unlessError ?? []), ...found];
        facts.set(c.fn.info.id, { arity: c.arity, params: params.sort((a, b) => a - b), ...(unlessError.length > 0 ? { unlessError: unlessError.sort((a, b) => a - b) } : {}) });
        changed = true;
      }
    }
  }
  return facts;
}
