/**
 * What goroutines do to a function's lifetime and its queues:
 * - the goroutine leak (`detached-task`): a goroutine sends on an unbuffered channel the function
 *   made, and the function can return without receiving (a `select` with a `ctx.Done()`, timer or
 *   `default` case that leaves, a `return` between the `go` and the receive, a `return` inside the
 *   `range` over it while the goroutine sends more): the send then never completes;
 * - the patterns that defeat a channel's bound (`unbounded-channel`): a goroutine started only to
 *   send (`go func() { ch <- v }()`), so the sender never waits and parked goroutines pile up, and a
 *   slice used as a queue that a `select` loop appends to with no length check.
 */
import type { ChannelSite, SpawnSite } from '../../engine/model';
import { enclosingFn, type GoState } from './builder';
import { GO_SEND_SPAWN, GO_SLICE_QUEUE } from './catalog';
import { containsExit, findAll, functionOf, headSpan, localChannels, loopOf, receivedFrom, rangeOver, statements } from './flow';
import { field, textOf, walk, type GoNode } from './syntax';

const JOIN = /\.Wait\(\)$/;

/** The leaking goroutines of the file, as dropped spawns with the reason in `detail`. */
export function findGoLeaks(state: GoState, goNodes: readonly GoNode[]): SpawnSite[] {
  const { text } = state;
  const out: SpawnSite[] = [];
  const chansOf = new Map<GoNode, ReturnType<typeof localChannels>>();
  for (const node of goNodes) {
    if (node.type !== 'go_statement') continue;
    const lit = field(node.children.find((c) => c.type === 'call_expression') ?? node, 'function');
    const fnNode = functionOf(node);
    if (lit?.type !== 'func_literal' || !fnNode) continue;
    let chans = chansOf.get(fnNode);
    if (!chans) chansOf.set(fnNode, (chans = localChannels(fnNode, text)));
    const fnBody = field(fnNode, 'body');
    // A function that joins its goroutines (`wg.Wait()`, `g.Wait()`) does not return before they finish.
    if (findAll(fnBody, (n) => n.type === 'call_expression' && JOIN.test(textOf(text, field(n, 'function') ?? n))).length > 0) continue;
    let site: SpawnSite | undefined;
    const makes: { make: GoNode; capacity?: string }[] = [];
    for (const send of findAll(field(lit, 'body'), (n) => n.type === 'send_statement')) {
      const chNode = field(send, 'channel');
      const ch = chNode ? textOf(text, chNode) : '';
      const made = chans.get(ch);
      if (!made || made.capacity !== '' && made.capacity !== '0') continue;
      if (declaredIn(text, lit, ch)) continue;
      if (guardedSend(send)) continue;
      const senders = goNodes.filter((o) => o !== node && functionOf(o) === fnNode && new RegExp(`\\b${ch}\\s*<-`).test(textOf(text, o))).length;
      const why = earlyExit(state, fnNode, node, lit, ch, loopOf(send) !== undefined || loopOf(node) !== undefined || senders > 0);
      if (!why) continue;
      if (!makes.some((m) => m.make === made.node)) makes.push({ make: made.node, ...fitting(text, node, send, senders) });
      if (site) continue;
      const fn = enclosingFn(state, node);
      const owner = fn?.info.name;
      const detail = `it sends on \`${ch}\`, an unbuffered channel, and ${owner !== undefined ? `\`${owner}\`` : 'the function'} can return without receiving from it (${why}), so the send never completes and the goroutine is never freed`;
      site = {
        id: out.length, span: headSpan(text, node), spawner: 'go func() {…}()', handle: 'dropped', inLoop: loopOf(node) !== undefined, detail,
        ...(fn ? { context: fn.info.context!, functionId: fn.info.id } : {}),
      };
    }
    if (site) {
      state.leaks.set(site.id, makes);
      out.push(site);
    }
  }
  return out;
}

/**
 * The capacity that holds every send, so none waits: 1 for one goroutine's one send, the number of
 * goroutines for a few single sends, `len(xs)` for one goroutine per item of `range xs`.
 */
function fitting(text: string, go: GoNode, send: GoNode, otherSenders: number): { capacity?: string } {
  if (loopOf(send) !== undefined && loopOf(send)!.start > go.start) return {};
  const loop = loopOf(go);
  if (!loop) return { capacity: String(otherSenders + 1) };
  const over = rangeOver(loop);
  return over && otherSenders === 0 && loopOf(loop) === undefined ? { capacity: `len(${textOf(text, over)})` } : {};
}

/** `ch` is (re)declared inside the goroutine, so it is not the function's channel. */
function declaredIn(text: string, lit: GoNode, ch: string): boolean {
  return findAll(field(lit, 'body'), (n) => n.type === 'short_var_declaration').some((d) => (field(d, 'left')?.children ?? []).some((l) => textOf(text, l) === ch));
}

/** The send is a `select` case beside a `default` or another case: it can give up. */
function guardedSend(send: GoNode): boolean {
  const cc = send.parent;
  if (cc?.type !== 'communication_case' || send.field !== 'communication') return false;
  const select = cc.parent;
  return (select?.children ?? []).filter((c) => c.type === 'communication_case' || c.type === 'default_case').length > 1;
}

/** How the function can return without receiving from `ch`, as a phrase, or `undefined` when it cannot. */
function earlyExit(state: GoState, fnNode: GoNode, go: GoNode, lit: GoNode, ch: string, manySends: boolean): string | undefined {
  const { text } = state;
  const body = field(fnNode, 'body');
  const receives: GoNode[] = [];
  let escapes = false;
  walk(body!, (n) => {
    if (n === lit) return false;
    if (n.type === 'func_literal' && n !== lit) {
      // A receive in another closure (a callback) is out of this function's flow: treat the channel as handed off.
      if (new RegExp(`<-\\s*${ch}\\b`).test(textOf(text, n))) escapes = true;
      return false;
    }
    if (receivedFrom(text, n) === ch) receives.push(n);
    if (n.type === 'for_statement' && rangeOver(n) && textOf(text, rangeOver(n)!) === ch) receives.push(n);
    if (n.type === 'identifier' && textOf(text, n) === ch && n.start > go.end) {
      const p = n.parent;
      // Returned, passed to a call, stored or given another name: another owner receives it.
      if (p?.type === 'expression_list' && (p.parent?.type === 'return_statement' || (p.parent?.type === 'assignment_statement' || p.parent?.type === 'short_var_declaration') && p.field === 'right' || p.parent?.type === 'var_spec' && p.field === 'value')) escapes = true;
      if (p?.type === 'argument_list' || p?.type === 'keyed_element' || p?.type === 'literal_element') escapes = true;
    }
    return undefined;
  });
  if (escapes) return undefined;
  // Nothing in the function receives from it and nothing else gets it: every path returns without receiving.
  if (receives.length === 0) return `nothing in it ever receives from \`${ch}\``;
  const first = receives.filter((r) => r.start > go.end).sort((a, b) => a.start - b.start)[0];
  if (!first) return undefined;
  // Goroutines started in a loop, all sending on `ch`, and a single receive: the first value wins, the rest wait forever.
  if (loopOf(go) !== undefined && receives.every((r) => r.type !== 'for_statement' && loopOf(r) === undefined)) {
    return `only one value is received while the loop starts a goroutine per item, so every other send waits forever`;
  }
  // A `return` between the `go` and the first receive (not inside another closure).
  const early = findAll(body, (n) => n.type === 'return_statement').find((r) => r.start > go.end && r.end <= first.start && !(r.start >= lit.start && r.end <= lit.end));
  if (early) return `the \`return\` on line ${lineOf(text, early.start)}`;
  for (const r of receives) {
    if (r.type === 'for_statement') {
      if (manySends && containsExit(field(r, 'body'))) return `the \`return\` or \`break\` inside the \`range\` over \`${ch}\``;
      continue;
    }
    const select = selectOf(r);
    const loop = loopOf(r);
    // More than one send, received in a loop that can return before the last one.
    if (manySends && loop && loop.start > go.end && !rangeOver(loop) && containsExit(field(loop, 'body'), false)) {
      return `the \`return\` inside the loop that receives from \`${ch}\` on line ${lineOf(text, loop.start)}, while more sends are pending`;
    }
    if (!select) continue;
    const others = select.children.filter((c) => (c.type === 'communication_case' || c.type === 'default_case') && !(r.start >= c.start && r.end <= c.end));
    if (others.length === 0) continue;
    const inLoop = loopOf(select) !== undefined && (loopOf(select)!.start > go.end);
    for (const c of others) {
      // A case that drains the channel itself before leaving (kafka-go's `case <-ctx.Done(): conn.Close(); <-errch`) frees the sender.
      // A receive that is a case of another `select` (beside a `default`) may be skipped.
      if (receives.some((x) => x.start >= c.start && x.end <= c.end && selectOf(x) === undefined)) continue;
      const leaves = containsExit(c, true) || !inLoop;
      if (!leaves) continue;
      const later = receives.some((x) => x.start > select.end && !inLoop);
      if (!containsExit(c, true) && later) continue;
      return `the ${caseName(text, c)} case of the \`select\` on line ${lineOf(text, select.start)}`;
    }
  }
  return undefined;
}

/** The `select` a receive is a case of. */
function selectOf(recv: GoNode): GoNode | undefined {
  let n = recv.parent;
  if (n?.type === 'receive_statement') n = n.parent;
  if (n?.type === 'communication_case') return n.parent?.type === 'select_statement' ? n.parent : undefined;
  return undefined;
}

function caseName(text: string, c: GoNode): string {
  if (c.type === 'default_case') return '`default`';
  const comm = field(c, 'communication');
  const t = comm ? textOf(text, comm).replace(/^\w+(?:\s*,\s*\w+)?\s*:?=\s*/, '') : 'other';
  return `\`${t.length > 30 ? t.replace(/\(.*\)/, '(…)') : t}\``;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * `go func() { ch <- v }()`: a goroutine whose only work is one send of a value already computed.
 * A channel the function made itself and drains is the result-channel idiom (or a leak, read
 * above), so only a channel from elsewhere (a field, a parameter, a package variable), or any
 * channel when the `go` is in a loop, is reported.
 */
export function findGoChannelBypasses(state: GoState, goNodes: readonly GoNode[], assignments: readonly GoNode[]): ChannelSite[] {
  const { text } = state;
  const out: ChannelSite[] = [];
  for (const node of goNodes) {
    if (node.type !== 'go_statement') continue;
    const lit = field(node.children.find((c) => c.type === 'call_expression') ?? node, 'function');
    if (lit?.type !== 'func_literal') continue;
    // Only a statement that starts with `defer` is normalised for the test (a body's others may be long).
    const stmts = statements(field(lit, 'body')).filter((s) => !(text.startsWith('defer', s.start) && /^defer\s+\w+\.Done\(\)$/.test(textOf(text, s))));
    const send = stmts.length === 1 && stmts[0]!.type === 'send_statement' ? stmts[0]! : undefined;
    if (!send) continue;
    const value = field(send, 'value');
    if (value && findAll(value, (n) => n.type === 'call_expression' && !/^(?:string|\[\]byte|int|int64|float64|time\.Duration)$/.test(textOf(text, field(n, 'function') ?? n))).length > 0) continue;
    const ch = textOf(text, field(send, 'channel')!);
    const fnNode = functionOf(node);
    const local = fnNode ? localChannels(fnNode, text).get(ch) : undefined;
    if (local && (local.capacity !== '' || loopOf(node) === undefined)) continue;
    const fn = enclosingFn(state, node);
    out.push({
      id: out.length, span: headSpan(text, node), constructor: GO_SEND_SPAWN, text: `go func() { ${ch} <- ${value ? shortValue(textOf(text, value)) : 'v'} }()`,
      bounded: false, reason: 'no-capacity', ...(fn ? { context: fn.info.context!, functionId: fn.info.id } : {}),
    });
  }
  for (const a of assignments) {
    const site = sliceQueue(state, a);
    if (site) out.push({ ...site, id: out.length });
  }
  return out.sort((a, b) => a.span.start - b.span.start).map((c, id) => ({ ...c, id }));
}

function shortValue(v: string): string {
  return v.length <= 20 ? v : '…';
}

/**
 * Whether `q` keeps what is appended to it from one turn of the `select` loop to the next, with no
 * count that bounds the turns: a field or a variable made before the loops does; a batch made in the
 * loop's body (`ready := []T{first}`, `var group []T`) starts again each turn, and a counted loop
 * (`for i := 0; i < max; i++`) around the `select` bounds what one batch takes.
 */
function accumulates(state: GoState, q: string, append: GoNode, select: GoNode, fnNode: GoNode | undefined): boolean {
  const { text } = state;
  const loops: GoNode[] = [];
  for (let l = loopOf(select); l; l = loopOf(l)) loops.push(l);
  let decl: GoNode | undefined;
  if (/^\w+$/.test(q) && fnNode) {
    const declares = (n: GoNode): boolean =>
      n.start < append.start &&
      ((n.type === 'short_var_declaration' && (field(n, 'left')?.children ?? []).some((l) => textOf(text, l) === q)) ||
        (n.type === 'var_spec' && n.children.some((c) => c.field === 'name' && textOf(text, c) === q)));
    decl = findAll(field(fnNode, 'body'), declares).pop();
  }
  // The loops around the `select` that do not also hold the declaration: each of their turns adds to the same slice.
  const turning = decl ? loops.filter((l) => !(decl!.start >= l.start && decl!.end <= l.end)) : loops;
  return turning.some((l) => !counted(l) && !drains(text, l));
}

/**
 * `for len(sent) > 0 { … delete(sent, k) … }`: the loop runs until a map it empties is empty, so its
 * turns are bounded by what the map held (nats-server waits for one reply per stream it asked).
 */
function drains(text: string, loop: GoNode): boolean {
  const cond = loop.children.find((c) => c.type === 'binary_expression');
  const m = cond ? /^len\(\s*([\w.]+)\s*\)\s*(?:>\s*0|!=\s*0)$/.exec(textOf(text, cond)) : null;
  if (!m) return false;
  const body = field(loop, 'body');
  if (!body) return false;
  const map = m[1]!.replace(/\./g, '\\.');
  const inBody = textOf(text, body);
  // Emptied, and never refilled in the loop (`pending[r.Next] = true` would keep it going).
  return new RegExp(`\\bdelete\\(\\s*${map}\\s*,`).test(inBody) && !new RegExp(`(?:^|[^\\w.])${map}\\s*\\[[^\\]]*\\]\\s*(?:=|\\+=|\\+\\+)|(?:^|[^\\w.])${map}\\s*=`).test(inBody);
}

/** `for i := 0; i < n; i++`: a loop whose condition counts. */
function counted(loop: GoNode): boolean {
  const clause = loop.children.find((c) => c.type === 'for_clause');
  return clause !== undefined && field(clause, 'condition') !== undefined && field(clause, 'update') !== undefined;
}

/** A length check of `q` against anything but zero (`len(q) >= max`, `len(q) < cap(q)`) in `scope`: it bounds the queue. */
function lengthChecked(scope: string, q: string): boolean {
  const esc = q.replace(/\./g, '\\.');
  const checks = [...scope.matchAll(new RegExp(`len\\(\\s*${esc}\\s*\\)\\s*(?:>=|>|<=|<|==)\\s*([\\w.()]+)|([\\w.()]+)\\s*(?:>=|>|<=|<|==)\\s*len\\(\\s*${esc}\\s*\\)`, 'g'))];
  return checks.some((c) => (c[1] ?? c[2]) !== '0');
}

/** `q` is emptied somewhere in `scope`: `q = nil`, `q = q[:0]`, or beside others (`batch, resch = batch[:0], resch[:0]`). */
function resetIn(scope: string, q: string): boolean {
  const esc = q.replace(/\./g, '\\.');
  // Statements may share a line of the function's text: a name starts after a space, `;` or brace, and
  // the next search starts at the value (which runs to the line's end) so a later statement is seen.
  const re = new RegExp(`(?:^|[\\s;{}])((?:[\\w.]+\\s*,\\s*)*${esc}(?:\\s*,\\s*[\\w.]+)*)\\s*=\\s*([^\\n;]*)`, 'g');
  for (let m = re.exec(scope); m; m = re.exec(scope)) {
    const left = m[1]!.split(',').map((x) => x.trim());
    const right = m[2]!.split(',').map((x) => x.trim());
    const value = right[left.indexOf(q)] ?? '';
    if (/^nil\b/.test(value) || new RegExp(`^${esc}\\[\\s*:\\s*0\\s*\\]`).test(value) || /^\[\]/.test(value) || /^make\(/.test(value)) return true;
    re.lastIndex = m.index + m[0].length - m[2]!.length;
  }
  return false;
}

/** `q = append(q, v)` in a receive case of a `select` in a loop, with no `len(q)` compared to a limit in the function. */
function sliceQueue(state: GoState, a: GoNode): Omit<ChannelSite, 'id'> | undefined {
  const { text } = state;
  const m = /^([\w.]+)\s*=\s*append\(\s*([\w.]+)\s*,/.exec(textOf(text, a));
  if (!m || m[1] !== m[2]) return undefined;
  const q = m[1]!;
  let cc: GoNode | undefined;
  for (let n = a.parent; n && n.type !== 'func_literal' && n.type !== 'function_declaration' && n.type !== 'method_declaration'; n = n.parent) {
    if (n.type === 'communication_case') {
      cc = n;
      break;
    }
  }
  if (!cc) return undefined;
  const comm = field(cc, 'communication');
  if (comm?.type !== 'receive_statement' || !/<-/.test(textOf(text, comm))) return undefined;
  // What is queued comes from what the case receives (`case h := <-hosts:` … `q = append(q, addr)`):
  // a case that binds nothing (a timer's `case <-t.C:`) appends something else, and one that then
  // leaves the loop (`break LOOP`, `return`) appends once (nats-server's `missingNames` on a timeout).
  const left = field(comm, 'left');
  const appended = textOf(text, a).slice(textOf(text, a).indexOf(',') + 1);
  // `case <-w.wake: q = append(q, <-w.src)` queues what it receives all the same.
  if ((!left || !textOf(text, left).split(',').some((n) => n.trim() !== '_')) && !appended.includes('<-')) return undefined;
  const caseStmts = cc.children.filter((c) => c !== comm && c.type !== 'comment' && c.type !== 'case' && c.type !== ':');
  const last = caseStmts[caseStmts.length - 1];
  if (last && (last.type === 'return_statement' || (last.type === 'break_statement' && last.children.some((c) => c.type === 'label_name')))) return undefined;
  const select = cc.parent;
  if (!select || !loopOf(select)) return undefined;
  const fnNode = functionOf(a);
  if (!accumulates(state, q, a, select, fnNode)) return undefined;
  const scope = fnNode ? textOf(text, fnNode) : '';
  if (lengthChecked(scope, q)) return undefined;
  // `batch = append(batch, wm.msg); resch = append(resch, wm.res)` in one case, and `len(batch) >= w.batchSize`:
  // the two grow in step, so the check on one bounds both when the sibling is emptied too (kafka-go's Writer).
  const caseText = textOf(text, cc);
  for (const m of caseText.matchAll(/([\w.]+)\s*=\s*append\(\s*([\w.]+)\s*,/g)) {
    if (m[1] === m[2] && m[1] !== q && lengthChecked(scope, m[1]!) && resetIn(scope, q)) return undefined;
  }
  const fn = enclosingFn(state, a);
  return {
    span: { start: a.start, end: a.end }, constructor: GO_SLICE_QUEUE, text: `${q} = append(${q}, …)`, bounded: false, reason: 'no-capacity',
    ...(fn ? { context: fn.info.context!, functionId: fn.info.id } : {}),
  };
}
