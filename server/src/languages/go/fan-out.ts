/**
 * Goroutine fan-out in Go: a `go` statement (or an `errgroup.Group`'s `g.Go`) once per item of a
 * `range` over a collection whose size the code does not control: a directory listing, the lines
 * of an input, a request's decoded body or query, or a channel (one goroutine per value, however
 * many its senders send). Like the other frontends, a collection the code does not show the origin
 * of (a parameter slice, a field) gets no source and the rule says nothing about it.
 *
 * Bounds: a semaphore channel or `semaphore.Weighted.Acquire` in the loop or the goroutine, an
 * errgroup with `SetLimit`, a loop over connections (one goroutine per connection is the accept
 * idiom). A fixed pool (`for i := 0; i < workers; i++`) is not a `range` and is not read.
 */
import type { CollectionSource, FanOutBound, FanOutSite } from '../../engine/model';
import { enclosingFn, exprType, type GoFn, type GoState } from './builder';
import { IO_RESOURCE_TYPES } from './catalog';
import { findAll, functionOf, headSpan, localChannels, loopOf, rangeOver, statements } from './flow';
import { field, textOf, walk, type GoNode } from './syntax';
import { escapeRegExp } from '../../engine/regexp';

const LISTING = /\b(?:os\.ReadDir|ioutil\.ReadDir|filepath\.Glob|fs\.ReadDir|fs\.Glob|afero\.ReadDir)\s*\(|\.Readdir(?:names)?\s*\(/;
const LINES = /\b(?:strings|bytes)\.(?:Split|SplitN|Fields)\s*\([^;]*(?:"\\n"|'\\n')|\bstrings\.Fields\s*\(/;
const REQUEST = /\b(?:\w+\.)?(?:URL\.Query\(\)|(?:Form|PostForm|MultipartForm\.(?:File|Value))\b)/;
const DECODE = /\bjson\.NewDecoder\s*\(\s*(\w+)\.Body\s*\)\.Decode\s*\(\s*&?\s*(\w+)|\bjson\.Unmarshal\s*\([^,]+,\s*&\s*(\w+)|\b(?:c|ctx)\.(?:Bind|BindJSON|ShouldBind|ShouldBindJSON)\s*\(\s*&\s*(\w+)/g;
const LIMITER_NAME = /sem|limit|token|slot|throttle|concurren|gate|ticket|pool/i;
const TICKER = /\.C$|^time\.Tick\(|\.Tick\(\)$/;

interface Origin {
  readonly source: CollectionSource;
  readonly sourceText?: string;
  readonly bound?: FanOutBound;
}

/** The goroutine-per-item sites of the file. */
export function findGoFanOuts(state: GoState, goNodes: readonly GoNode[]): FanOutSite[] {
  const out: FanOutSite[] = [];
  const { text } = state;
  for (const node of goNodes) {
    const call = node.type === 'go_statement' ? node.children.find((c) => c.type === 'call_expression') : node;
    if (!call) continue;
    const loop = loopOf(node);
    if (!loop) continue;
    if (commandAction(state, node, loop)) continue;
    const fn = enclosingFn(state, node);
    const over = rangeOver(loop);
    let origin: Origin | undefined;
    let collection: string;
    if (over) {
      collection = textOf(text, over);
      origin = originOf(state, over, loop, fn);
    } else {
      // `for sc.Scan() { line := sc.Text(); go … }`: one goroutine per line of the input.
      const cond = loop.children.find((c) => c.type !== 'block' && c.type !== 'for_clause' && c.type !== 'comment');
      const condText = cond ? textOf(text, cond) : '';
      if (!/^\w+\.Scan\(\)$/.test(condText)) continue;
      collection = condText.replace(/\.Scan\(\)$/, '');
      origin = { source: 'lines', sourceText: condText };
    }
    let bound = origin.bound;
    if (bound === undefined && cappedBefore(text, collection, loop)) bound = 'slice';
    if (bound === undefined && limited(state, node, call, loop)) bound = 'limiter';
    const spawner = node.type === 'go_statement' ? 'go' : textOf(text, field(call, 'function')!);
    const fnLit = node.type === 'go_statement' ? field(call, 'function') : field(call, 'arguments')?.children[0];
    const work = fnLit?.type === 'func_literal' ? firstWork(text, fnLit) : node.type === 'go_statement' ? textOf(text, field(call, 'function')!) : undefined;
    const info = fn?.info;
    state.fanOutNodes.set(out.length, node);
    out.push({
      id: out.length, span: headSpan(text, node), spawner, shape: 'spawn', collection, source: origin.source,
      ...(origin.sourceText !== undefined ? { sourceText: origin.sourceText } : {}), ...(bound ? { bound } : {}),
      ...(work !== undefined ? { work } : {}), ...(info ? { context: info.context!, functionId: info.id } : {}),
    });
  }
  return out;
}

/**
 * A goroutine one command of a control loop starts (nats-server's Windows service: `for change :=
 * range changes { switch change.Cmd { … case ldmCmd: go w.server.lameDuckMode() } }`): it runs in
 * a `switch` case that names constants, and it is given nothing of the item, so it is one action an
 * operator asked for, not work per item. A `go` per tick or per message outside such a case stays.
 */
function commandAction(state: GoState, node: GoNode, loop: GoNode): boolean {
  const { text } = state;
  let kase: GoNode | undefined;
  for (let n = node.parent; n && n !== loop; n = n.parent) {
    if (n.type === 'expression_case') kase = n;
    if (n.type === 'func_literal') return false;
  }
  const values = kase ? field(kase, 'value') : undefined;
  if (!kase || !values) return false;
  // The switch is over the item (`switch change.Cmd`), and it is all the loop does with it: an item
  // copied into a local or a field before the switch may reach the goroutine under another name.
  const sw = kase.parent;
  const body = field(loop, 'body');
  const stmts = (body?.children ?? []).find((c) => c.type === 'statement_list')?.children.filter((c) => c.type !== 'comment') ?? body?.children.filter((c) => c.type !== '{' && c.type !== '}' && c.type !== 'comment') ?? [];
  if (sw?.type !== 'expression_switch_statement' || stmts.length !== 1 || stmts[0] !== sw) return false;
  const tag = field(sw, 'value');
  // Case values are names or selectors of constants (`ldmCmd`, `svc.Stop`), not expressions of the item.
  if (!values.children.filter((c) => c.type !== ',' && c.type !== 'comment').every((v) => v.type === 'identifier' || v.type === 'selector_expression' || /_literal$/.test(v.type))) return false;
  const range = loop.children.find((c) => c.type === 'range_clause');
  const items = new Set((range ? field(range, 'left')?.children ?? [] : []).filter((c) => c.type === 'identifier').map((c) => textOf(text, c)));
  if (items.size === 0 || !tag || !items.has(/^[A-Za-z_]\w*/.exec(textOf(text, tag))?.[0] ?? '')) return false;
  let usesItem = false;
  walk(kase, (n) => {
    if (n.type === 'identifier' && items.has(textOf(text, n))) usesItem = true;
    return !usesItem;
  });
  return !usesItem;
}

/** `g.Go(func() error { … })` on an `errgroup.Group`: a goroutine like `go`, which `SetLimit` bounds. */
export function isErrgroupGo(state: GoState, call: GoNode): boolean {
  const id = state.callOfNode.get(call);
  const site = id === undefined ? undefined : state.calls[id];
  if (!site || site.member !== 'Go') return false;
  return site.callee === 'golang.org/x/sync/errgroup.Group.Go' || (site.callee === undefined && /^(?:g|eg|grp|group|errg)$/i.test(site.calleeText.replace(/\.Go$/, '')));
}

/** Where the ranged collection comes from. */
function originOf(state: GoState, over: GoNode, loop: GoNode, fn: GoFn | undefined): Origin {
  const { text } = state;
  const written = textOf(text, over);
  const own = sourceOf(written);
  if (own) return own;
  const type = exprType(state, over, fn);
  if (type?.startsWith('chan ')) {
    if (TICKER.test(written)) return { source: 'unknown', bound: 'fixed' };
    const elem = type.slice(5).replace(/^\*/, '');
    const resolved = state.scope.resolveType(elem);
    if (resolved !== undefined && (IO_RESOURCE_TYPES.has(resolved) || /Conn$/.test(resolved))) return { source: 'channel', bound: 'accept-loop' };
    return { source: 'channel', sourceText: written };
  }
  if (TICKER.test(written)) return { source: 'unknown', bound: 'fixed' };
  // `range xs` where `xs := os.ReadDir(dir)` or `xs = strings.Split(body, "\n")` earlier in the function.
  const root = /^(\w+)/.exec(written)?.[1];
  const fnNode = functionOf(loop);
  if (root === undefined || !fnNode) return { source: 'unknown' };
  const before = text.slice(fnNode.start, loop.start);
  const assigned = new RegExp(`(?:^|[\\s,(])${root}\\s*(?:,\\s*\\w+\\s*)?:?=\\s*([^\\n]+)`, 'g');
  let last: string | undefined;
  for (const m of before.matchAll(assigned)) last = m[1];
  if (last !== undefined) {
    const from = sourceOf(last);
    if (from) return from;
  }
  // A value decoded from the request body (`json.NewDecoder(r.Body).Decode(&req)`), or a gRPC-style request parameter.
  for (const m of before.matchAll(DECODE)) {
    const target = m[2] ?? m[3] ?? m[4];
    // The pattern stops at the decoded variable: close the call it is the argument of.
    if (target === root) return { source: 'request', sourceText: closeCalls(m[0].replace(/\s+/g, ' ')) };
  }
  const params = field(fnNode, 'parameters');
  for (const p of params?.children ?? []) {
    if (p.type !== 'parameter_declaration') continue;
    const names = p.children.filter((c) => c.field === 'name').map((n) => text.slice(n.start, n.end));
    const t = field(p, 'type');
    if (names.includes(root) && t && /Request$/.test(textOf(text, t)) && !/http\.Request$/.test(textOf(text, t)) && written !== root) {
      return { source: 'request', sourceText: `${root} ${textOf(text, t)}` };
    }
  }
  return { source: 'unknown' };
}

/** `json.NewDecoder(r.Body).Decode(&req` with the parentheses it leaves open closed. */
function closeCalls(code: string): string {
  const open = (code.match(/\(/g) ?? []).length - (code.match(/\)/g) ?? []).length;
  return open > 0 ? code + ')'.repeat(open) : code;
}

/** `if len(req.IDs) > maxBatch { …; return }` before the loop, or a constant slice of the collection (`files[:10]`). */
function cappedBefore(text: string, collection: string, loop: GoNode): boolean {
  if (/\[\s*(?:\d+|\w+)?\s*:\s*(?:\d+|[A-Z_]\w*|max\w*)\s*\]$/.test(collection)) return true;
  const fnNode = functionOf(loop);
  if (!fnNode) return false;
  const before = text.slice(fnNode.start, loop.start);
  const esc = escapeRegExp(collection);
  return new RegExp(`len\\(\\s*${esc}\\s*\\)\\s*(?:>|>=)\\s*\\w`).test(before);
}

function sourceOf(expr: string): Origin | undefined {
  const compact = expr.replace(/\s+/g, ' ').trim();
  // The machine's own devices and processes (`/sys/devices/system/cpu/cpu*`, `/proc`): as many as the hardware has.
  if (LISTING.test(compact) && /\/(?:sys|proc)\/|\b(?:sys|proc)\.Path\(|devices\/system/.test(compact)) return { source: 'unknown', bound: 'fixed' };
  if (LISTING.test(compact)) return { source: 'listing', sourceText: shorten(compact) };
  if (LINES.test(compact)) return { source: 'lines', sourceText: shorten(compact) };
  if (REQUEST.test(compact) && /\br\b|\breq\b|\brequest\b/.test(compact)) return { source: 'request', sourceText: shorten(compact) };
  return undefined;
}

function shorten(code: string): string {
  return code.length <= 60 ? code : `${code.slice(0, 57)}…`;
}

/**
 * A limiter bounds the goroutines: a send on a semaphore channel (a buffered local channel, or one
 * named for the job) or a receive of a token in the loop before the `go` or at the goroutine's
 * start, `Acquire` on a `semaphore.Weighted`, `SetLimit` on the errgroup.
 */
function limited(state: GoState, node: GoNode, call: GoNode, loop: GoNode): boolean {
  const { text } = state;
  const fnNode = functionOf(loop);
  const chans = fnNode ? localChannels(fnNode, text) : new Map<string, { capacity: string }>();
  const isSem = (ch: string): boolean => LIMITER_NAME.test(ch) || (chans.get(ch)?.capacity ?? '') !== '';
  const body = field(loop, 'body');
  for (const stmt of statements(body)) {
    if (stmt.end > node.start) break;
    if (stmt.type === 'send_statement' && isSem(textOf(text, field(stmt, 'channel')!))) return true;
    if (/^<-\s*(\w[\w.]*)$/.test(textOf(text, stmt)) && isSem(textOf(text, stmt).replace(/^<-\s*/, ''))) return true;
    if (/\.Acquire\s*\(/.test(textOf(text, stmt))) return true;
  }
  const lit = node.type === 'go_statement' ? field(call, 'function') : field(call, 'arguments')?.children[0];
  if (lit?.type === 'func_literal') {
    const first = statements(field(lit, 'body')).slice(0, 3);
    for (const stmt of first) {
      const t = textOf(text, stmt);
      if (stmt.type === 'send_statement' && isSem(textOf(text, field(stmt, 'channel')!))) return true;
      if (/\.Acquire\s*\(/.test(t)) return true;
      if (/^<-\s*\w/.test(t) && isSem(t.replace(/^<-\s*/, ''))) return true;
    }
  }
  if (node.type !== 'go_statement') {
    const group = textOf(text, field(field(call, 'function')!, 'operand')!);
    const scope = fnNode && fnNode.type === 'func_literal' ? (functionOf(fnNode) ?? fnNode) : fnNode;
    const setLimit = new RegExp(`\\b${group.replace(/[.]/g, '\\.')}\\.SetLimit\\s*\\(`);
    if ((scope && setLimit.test(text.slice(scope.start, scope.end))) || (group.includes('.') && setLimit.test(text))) return true;
    if (/\.TryGo\b/.test(textOf(text, call))) return true;
  }
  return false;
}

/** The first call a goroutine's body makes that is its work (not `wg.Done`, a semaphore or a log line). */
function firstWork(text: string, lit: GoNode): string | undefined {
  for (const c of findAll(field(lit, 'body'), (n) => n.type === 'call_expression')) {
    const callee = field(c, 'function');
    if (!callee || callee.type === 'func_literal') continue;
    const name = textOf(text, callee);
    if (/(?:\.Done|\.Add|\.Release|\.Acquire|^defer|^len|^append|^make|^close|^recover|\.Lock|\.Unlock|\.Printf|\.Println|\.Errorf)$/.test(name) || /^(?:len|append|make|close|recover|panic|new|string)$/.test(name)) continue;
    return name;
  }
  return undefined;
}
