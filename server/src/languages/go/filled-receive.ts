/**
 * Go: a receive that takes the value a call has just put into a channel made with a buffer (see
 * `fills.ts` for the functions that fill one): nats-server's `setLeader`, under `o.mu`, makes
 * `o.inch`, registers it with `o.acc.sl.registerNotification(…, o.inch)` and reads the current
 * interest with `<-o.inch` at once.
 */
import type { ChannelFills } from '../../engine/model';
import type { GoState } from './builder';
import { argumentsOf, wholeCall } from './fills';
import { field, textOf, walk, type GoNode } from './syntax';

/** The capacity of `make(chan T, N)` when N is a positive integer literal. */
function bufferOf(state: GoState, value: GoNode | undefined): boolean {
  if (value?.type !== 'call_expression') return false;
  const f = field(value, 'function');
  const args = argumentsOf(value);
  return f !== undefined && textOf(state.text, f) === 'make' && args.length === 2 && args[0]!.type === 'channel_type' && /^[1-9][\d_]*$/.test(textOf(state.text, args[1]!));
}

/** Whether `stmt` makes `channel` with a buffer: `ch := make(chan T, 8)`, `o.inch = make(chan bool, 8)`, `var ch = make(…)`. */
export function makesBuffered(state: GoState, stmt: GoNode | undefined, channel: string): boolean {
  if (!stmt) return false;
  const { text } = state;
  if (stmt.type === 'assignment_statement' || stmt.type === 'short_var_declaration') {
    if (stmt.type === 'assignment_statement' && text.slice(field(stmt, 'left')!.end, field(stmt, 'right')!.start).trim() !== '=') return false;
    const left = field(stmt, 'left')?.children.filter((c) => c.type !== ',') ?? [];
    const right = field(stmt, 'right')?.children.filter((c) => c.type !== ',') ?? [];
    const i = left.findIndex((l) => textOf(text, l) === channel);
    return i >= 0 && left.length === right.length && bufferOf(state, right[i]);
  }
  if (stmt.type === 'var_declaration') {
    const specs = stmt.children.filter((c) => c.type === 'var_spec');
    if (specs.length !== 1) return false;
    const names = specs[0]!.children.filter((c) => c.field === 'name');
    const values = field(specs[0]!, 'value')?.children.filter((c) => c.type !== ',') ?? [];
    const i = names.findIndex((n) => textOf(text, n) === channel);
    return i >= 0 && names.length === values.length && bufferOf(state, values[i]);
  }
  return false;
}

/**
 * A receive `<-ch` that takes the value a call just put into `ch`: `ch` (a name or a field) is made
 * with a buffer by the statement before the call, the call hands it on as a whole argument, and the
 * receive is the first thing its statement evaluates, with only `defer`s between (they run at
 * return). The call is a statement of its own, an assignment of its result, or the initializer of an
 * `if err != nil { … return }` with no `else` that tests the error it assigns (`checked`). `local`
 * when the call is of a same-file function that fills that parameter on every return, or unless it
 * returns an error and the error is checked (the receive does not wait); the call and argument when
 * it fills it only unless it fails and the error is not checked (the rule makes it a hint), or when
 * it may name another file's function (the linker's summary decides); undefined otherwise. A field (`o.inch`)
 * is taken to be received from by no other goroutine in between: one that read the field there
 * would race with its assignment.
 */
export function filledBefore(state: GoState, facts: ReadonlyMap<number, ChannelFills>, recv: GoNode): 'local' | { call: number; arg: number; args: number; checked: boolean } | undefined {
  const { text } = state;
  const op = field(recv, 'operand');
  const channel = op ? textOf(text, op) : '';
  if (!/^\w+(?:\.\w+)*$/.test(channel)) return undefined;
  // The statement the receive is in, and nothing evaluated before it there.
  let stmt: GoNode = recv;
  while (stmt.parent && stmt.parent.type !== 'statement_list') {
    if (stmt.parent.type === 'func_literal') return undefined;
    stmt = stmt.parent;
  }
  const list = stmt.parent;
  if (!list) return undefined;
  // Nothing evaluated before it in its statement (a call or a receive that ends before it starts),
  // and no loop around it there (`for <-ch {`: the later turns wait).
  let earlier = false;
  walk(stmt, (n) => {
    if (earlier || n.start >= recv.start) return false;
    const evaluated = n.type === 'call_expression' || (n.type === 'unary_expression' && text.startsWith('<-', n.start));
    if ((evaluated && n.end <= recv.start) || (n.type === 'for_statement' && n.end >= recv.end)) earlier = true;
    return !earlier;
  });
  if (earlier) return undefined;
  const sibs = list.children.filter((c) => c.type !== 'comment');
  let i = sibs.indexOf(stmt) - 1;
  while (i >= 0 && sibs[i]!.type === 'defer_statement') i--;
  const prev = sibs[i];
  if (!prev || !makesBuffered(state, sibs[i - 1], channel)) return undefined;
  let call = wholeCall(prev);
  let checked = false;
  if (!call && prev.type === 'if_statement' && !field(prev, 'alternative')) {
    const init = field(prev, 'initializer');
    const cond = field(prev, 'condition');
    const body =
      field(prev, 'consequence')
        ?.children.find((c) => c.type === 'statement_list')
        ?.children.filter((c) => c.type !== 'comment') ?? [];
    const failed = cond?.type === 'binary_expression' && /^\w+\s*!=\s*nil$/.test(textOf(text, cond));
    // The error the initializer assigns last (the call's last result) is the one tested.
    const left = init ? (field(init, 'left')?.children.filter((c) => c.type !== ',') ?? []) : [];
    const tested = cond ? textOf(text, field(cond, 'left') ?? cond) : '';
    if (init && failed && body[body.length - 1]?.type === 'return_statement') {
      call = wholeCall(init);
      checked = left.length > 0 && textOf(text, left[left.length - 1]!) === tested;
    }
  }
  if (!call) return undefined;
  const args = argumentsOf(call);
  const arg = args.findIndex((a) => textOf(text, a) === channel);
  // Handed on once, as itself (not `f(ch, <-ch)`, nor inside a literal).
  const word = new RegExp(`(?:^|[^\\w.])${channel.replace(/\./g, '\\.')}\\b`);
  if (arg < 0 || args.filter((a) => word.test(textOf(text, a))).length !== 1) return undefined;
  const id = state.callOfNode.get(call);
  const site = id === undefined ? undefined : state.calls[id];
  if (!site) return undefined;
  if (site.localTarget !== undefined) {
    const f = facts.get(site.localTarget);
    if (f === undefined || f.arity !== args.length) return undefined;
    if (f.params.includes(arg) || (checked && f.unlessError?.includes(arg))) return 'local';
    return f.unlessError?.includes(arg) ? { call: site.id, arg, args: args.length, checked } : undefined;
  }
  return site.callee !== undefined ? { call: site.id, arg, args: args.length, checked } : undefined;
}
