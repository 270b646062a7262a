/**
 * Fixes for a goroutine per item (`unbounded-fan-out`), all suggestions since the limit is a
 * decision (`8` is a placeholder, and the titles say so):
 * - `g.Go` on an `errgroup.Group` with no limit: `g.SetLimit(8)` after the group is made (or before
 *   the loop when the group is made elsewhere in the function's view and nothing runs on it yet);
 * - `go func(…) { defer wg.Done(); … }(…)` joined by a `sync.WaitGroup` that serves only this loop:
 *   the group becomes an `errgroup.Group` with `SetLimit(8)`, the `go` a `g.Go(func() error { … })`
 *   (the literal's arguments bound before it, a loop variable copied for Go before 1.22, every bare
 *   `return` a `return nil`), `wg.Wait()` a `g.Wait()`, and the imports follow (`errgroup` added,
 *   `sync` dropped when nothing else uses it);
 * - any `go` in the loop: a semaphore channel made before the loop, a token sent before each `go`
 *   and received back when the goroutine ends.
 * Every edit works on whole lines, so a statement that shares its line with other code is refused.
 */
import type { Finding, Fix, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { isReportedFanOut } from '../../../engine/rules/unbounded-fan-out';
import { treeSitterTree } from '../../tree-sitter';
import { findAll, functionOf, loopOf, statements } from '../flow';
import type { GoData } from '../index';
import { GO_GRAMMAR, field, walk, type GoNode } from '../syntax';
import { escapeRegExp } from '../../../engine/regexp';

/** The limit the fixes write: a placeholder the titles name. */
const LIMIT = '8';
const ERRGROUP = 'golang.org/x/sync/errgroup';
const PLACEHOLDER = `(${LIMIT} is a placeholder: choose the limit)`;

export function fanOutFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = treeSitterTree<GoData>(parsed, GO_GRAMMAR);
  const id = finding.data?.fanOutId;
  const node = id === undefined ? undefined : tree?.data.state.fanOutNodes.get(id);
  if (!tree || !node) return { fixes: [], refused: [] };
  const text = parsed.text;
  const loop = loopOf(node);
  const fn = loop ? functionOf(loop) : undefined;
  if (!loop || !fn) return { fixes: [], refused: [] };
  // The other `go` loops the rule reports (the ones fix-all converts along with this one).
  const reported = new Set<GoNode>();
  for (const f of parsed.model.fanOuts ?? []) {
    const n = tree.data.state.fanOutNodes.get(f.id);
    if (n && n !== node && isReportedFanOut(f)) reported.add(n);
  }
  const site: Site = { text, root: tree.root, node, loop, fn, reported };
  if (node.type !== 'go_statement') return collect([limitGroup(site)]);
  const group = toErrgroup(site);
  // Fix-all takes every finding's first fix at once, and each conversion keeps `sync` imported for
  // the others' WaitGroups: together they would leave it unused. So while other convertible loops
  // share the last uses of `sync`, the semaphore (which keeps the WaitGroup) comes first.
  const shared = 'edits' in group && group.keepsSync === 'for-other-loops';
  return collect(shared ? [semaphore(site), group] : [group, semaphore(site)]);
}

interface Site {
  readonly text: string;
  readonly root: GoNode;
  /** The `go` statement or the `g.Go(…)` call. */
  readonly node: GoNode;
  readonly loop: GoNode;
  /** The function the loop is in. */
  readonly fn: GoNode;
  /** The file's other reported `go` statements. */
  readonly reported: ReadonlySet<GoNode>;
}

type Attempt = (Fix & { readonly keepsSync?: 'for-other-loops' }) | { readonly title: string; readonly reason: string };

function collect(attempts: readonly Attempt[]): FixResult {
  const fixes: Fix[] = [];
  const refused: { title: string; reason: string }[] = [];
  for (const a of attempts) {
    if ('edits' in a) fixes.push({ title: a.title, safety: a.safety, edits: a.edits });
    else refused.push(a);
  }
  return { fixes, refused };
}

const src = (text: string, n: GoNode): string => text.slice(n.start, n.end);

/** The statement's indentation, when it starts its line and only a comment follows it on its last line. */
function ownLines(text: string, n: GoNode): { start: number; end: number; indent: string } | undefined {
  const start = text.lastIndexOf('\n', n.start - 1) + 1;
  const indent = text.slice(start, n.start);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const nl = text.indexOf('\n', n.end);
  const end = nl < 0 ? text.length : nl + 1;
  if (!/^\s*(?:\/\/.*)?$/.test(text.slice(n.end, nl < 0 ? text.length : nl))) return undefined;
  return { start, end, indent };
}

/** The first of `names` that the function does not use yet. */
function freeName(text: string, fn: GoNode, names: readonly string[]): string | undefined {
  const body = src(text, fn);
  return names.find((n) => !new RegExp(`\\b${n}\\b`).test(body));
}

/** The statement of `fn`'s statement lists that contains `n` and sits directly in `list`'s parent block. */
function enclosingStatement(n: GoNode): GoNode | undefined {
  for (let s: GoNode | undefined = n; s; s = s.parent) if (s.parent?.type === 'statement_list') return s;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// `g.SetLimit(8)` on an errgroup that has none.

function limitGroup(site: Site): Attempt {
  const { text, node, loop, fn } = site;
  const group = field(field(node, 'function')!, 'operand');
  const title = `Limit the errgroup to ${LIMIT} goroutines at a time with \`SetLimit\` ${PLACEHOLDER}`;
  if (!group) return { title, reason: 'the group is not named' };
  const g = src(text, group);
  if (!/^\w+$/.test(g)) return { title, reason: `\`${g}\` is shared beyond this function: call \`SetLimit\` where the group is made, before any \`Go\`` };
  const call = `${g}.SetLimit(${LIMIT})`;
  const fixTitle = `Limit the errgroup to ${LIMIT} goroutines at a time: \`${call}\` ${PLACEHOLDER}`;
  // Where the group is made in this function: `g, ctx := errgroup.WithContext(…)`, `var g errgroup.Group`, `g := new(errgroup.Group)`.
  const made = findAll(field(fn, 'body'), (n) => n.type === 'short_var_declaration' || n.type === 'var_declaration' || n.type === 'assignment_statement').find((d) => {
    const t = src(text, d);
    return new RegExp(`(?:^|\\bvar\\s+|,\\s*)${escapeRegExp(g)}\\b[^=]*?(?::?=|\\s+\\*?errgroup\\.Group)`).test(t) && /errgroup\.(?:WithContext|Group)/.test(t) && new RegExp(`^(?:var\\s+)?${escapeRegExp(g)}\\b`).test(t);
  });
  if (made) {
    const lines = ownLines(text, made);
    if (!lines || made.start > loop.start) return { title, reason: 'the statement that makes the group shares its line with other code' };
    return { title: fixTitle, safety: 'suggestion', edits: [{ span: { start: lines.end, end: lines.end }, newText: `${lines.indent}${call}\n` }] };
  }
  // Made elsewhere (a parameter): limit it before the loop, unless goroutines already run on it (SetLimit panics then).
  const before = text.slice(fn.start, loop.start);
  if (new RegExp(`\\b${escapeRegExp(g)}\\.(?:Go|TryGo)\\s*\\(`).test(before)) return { title, reason: `goroutines already run on \`${g}\` before the loop, and \`SetLimit\` panics while any is active` };
  const lines = ownLines(text, loop);
  if (!lines) return { title, reason: 'the loop shares its line with other code' };
  return { title: fixTitle, safety: 'suggestion', edits: [{ span: { start: lines.start, end: lines.start }, newText: `${lines.indent}${call}\n` }] };
}

// ---------------------------------------------------------------------------------------------
// A `go` loop joined by a WaitGroup → an errgroup with a limit.

function toErrgroup(site: Site, checkOthers = true): Attempt {
  const { text, root, node, loop, fn } = site;
  const call = node.children.find((c) => c.type === 'call_expression');
  const lit = call ? field(call, 'function') : undefined;
  const title = `Run the goroutines on an \`errgroup.Group\` limited to ${LIMIT} at a time ${PLACEHOLDER}`;
  if (!call || lit?.type !== 'func_literal') return { title, reason: 'the goroutine is not a function literal joined by a `sync.WaitGroup`' };
  const body = field(lit, 'body')!;
  if (field(lit, 'result')) return { title, reason: 'the function literal returns values' };
  const goLines = ownLines(text, node);
  if (!goLines) return { title, reason: 'the `go` statement shares its line with other code' };

  // The WaitGroup: `wg.Done()` in the goroutine, `wg.Add(1)` before the `go`, `wg.Wait()` after the loop, declared in the function, used nowhere else.
  const own = statements(body);
  const done = own.find((s) => /^(?:defer\s+)?(\w+)\.Done\(\)$/.test(src(text, s)));
  const wg = done ? /^(?:defer\s+)?(\w+)\.Done\(\)$/.exec(src(text, done))![1]! : undefined;
  if (!done || !wg) return { title, reason: 'the goroutine is not joined by a `sync.WaitGroup` of this function' };
  const fnBody = field(fn, 'body')!;
  const stmtsNamed = (re: RegExp): GoNode[] => findAll(fnBody, (n) => n.parent?.type === 'statement_list' && re.test(src(text, n)));
  const add = stmtsNamed(new RegExp(`^${wg}\\.Add\\(1\\)$`)).find((s) => s.start > loop.start && s.end < node.start);
  const wait = stmtsNamed(new RegExp(`^${wg}\\.Wait\\(\\)$`)).find((s) => s.start > loop.end && s.parent === enclosingStatement(loop)?.parent);
  const decl = findAll(fnBody, (n) => n.parent?.type === 'statement_list' && new RegExp(`^(?:var\\s+${wg}\\s+sync\\.WaitGroup|${wg}\\s*:=\\s*(?:sync\\.WaitGroup\\{\\}|&sync\\.WaitGroup\\{\\}|new\\(sync\\.WaitGroup\\)))$`).test(src(text, n)))[0];
  const uses = (src(text, fn).match(new RegExp(`\\b${wg}\\b`, 'g')) ?? []).length;
  if (!add || !wait || !decl || uses !== 4) return { title, reason: `\`${wg}\` does more than join this loop's goroutines (or is not declared, added to and waited for here)` };
  const [addLines, doneLines, waitLines, declLines] = [ownLines(text, add), ownLines(text, done), ownLines(text, wait), ownLines(text, decl)];
  if (!addLines || !doneLines || !waitLines || !declLines) return { title, reason: 'a statement of the WaitGroup shares its line with other code' };

  const g = freeName(text, fn, ['g', 'eg', 'grp', 'group']);
  if (!g) return { title, reason: 'no free name for the group' };
  const edits: TextEdit[] = [];
  edits.push({ span: { start: declLines.start, end: declLines.end }, newText: `${declLines.indent}var ${g} errgroup.Group\n${declLines.indent}${g}.SetLimit(${LIMIT})\n` });
  edits.push({ span: { start: addLines.start, end: addLines.end }, newText: '' });
  edits.push({ span: { start: waitLines.start, end: waitLines.end }, newText: `${waitLines.indent}_ = ${g}.Wait()\n` });

  // The literal's arguments are evaluated at the `go`; bound before `g.Go` they still are.
  const bind = bindings(text, lit, call, loop, node);
  if (typeof bind !== 'string') return { title, reason: bind.reason };
  const head = `${bind !== '' ? `${bind}\n${goLines.indent}` : ''}${g}.Go(func() error {`;
  edits.push({ span: { start: node.start, end: body.start + 1 }, newText: head });
  edits.push({ span: { start: doneLines.start, end: doneLines.end }, newText: '' });
  for (const r of findAll(body, (n) => n.type === 'return_statement')) {
    if (src(text, r) === 'return') edits.push({ span: { start: r.start, end: r.end }, newText: 'return nil' });
  }
  // `return nil` at the end of the literal, unless it already ends in a return.
  const last = own.filter((s) => s !== done).at(-1);
  const close = body.end - 1;
  const closeLine = text.lastIndexOf('\n', close - 1) + 1;
  const multiline = /^[ \t]*$/.test(text.slice(closeLine, close));
  const tail = last?.type === 'return_statement' ? '' : multiline ? `${goLines.indent}\treturn nil\n` : '; return nil ';
  const tailAt = multiline ? closeLine : close;
  if (tail !== '') edits.push({ span: { start: tailAt, end: tailAt }, newText: tail });
  edits.push({ span: { start: close, end: node.end }, newText: '})' });

  // Imports: errgroup in, `sync` out when the WaitGroup was its last use.
  const syncUses = (text.match(/\bsync\./g) ?? []).length - (/\bsync\./.test(src(text, decl)) ? 1 : 0);
  edits.push(...importEdits(text, root, { add: ERRGROUP, remove: syncUses === 0 ? 'sync' : undefined }));
  const keepsSync = checkOthers && syncUses > 0 && syncUses === otherWaitGroupLoops(site) ? { keepsSync: 'for-other-loops' as const } : {};
  return { ...keepsSync, title: `Run the goroutines on an \`errgroup.Group\` limited to ${LIMIT} at a time: \`${g}.SetLimit(${LIMIT})\` and \`${g}.Go\` in place of \`${wg}\` ${PLACEHOLDER}`, safety: 'suggestion', edits };
}

/**
 * How many of the file's `sync.` uses belong to other `go` loops that this fix could convert too
 * (a `var wg sync.WaitGroup` each, reported by the rule), so that converting them all would leave
 * `sync` unused.
 */
function otherWaitGroupLoops(site: Site): number {
  let n = 0;
  for (const x of site.reported) {
    const loop = x.type === 'go_statement' ? loopOf(x) : undefined;
    const fn = loop ? functionOf(loop) : undefined;
    if (loop && fn && 'edits' in toErrgroup({ ...site, node: x, loop, fn }, false)) n++;
  }
  return n;
}

/** The loop's own variables (`for i, x := range …`, `for i := 0; …`): shared by every iteration before Go 1.22. */
function loopVars(text: string, loop: GoNode): Set<string> {
  const out = new Set<string>();
  const clause = loop.children.find((c) => c.type === 'range_clause' || c.type === 'for_clause');
  const left = clause?.type === 'range_clause' ? field(clause, 'left') : clause ? field(field(clause, 'initializer') ?? clause, 'left') : undefined;
  for (const n of left?.children ?? (left ? [left] : [])) if (n.type === 'identifier' && src(text, n) !== '_') out.add(src(text, n));
  return out;
}

/**
 * `name1, name2 := arg1, arg2` for the literal's parameters, or `''` when it has none. A parameter
 * named like its argument is copied only when the argument is a loop variable (the Go < 1.22
 * capture idiom); one declared in the loop's body is already a new variable per iteration.
 */
function bindings(text: string, lit: GoNode, call: GoNode, loop: GoNode, go: GoNode): string | { reason: string } {
  const params = field(lit, 'parameters');
  const names: string[] = [];
  for (const p of params?.children ?? []) {
    if (p.type === 'variadic_parameter_declaration') return { reason: 'the function literal takes a variadic parameter' };
    if (p.type !== 'parameter_declaration') continue;
    const ns = p.children.filter((c) => c.field === 'name');
    if (ns.length === 0) return { reason: 'a parameter of the function literal has no name' };
    names.push(...ns.map((n) => src(text, n)));
  }
  const args = (field(call, 'arguments')?.children ?? []).filter((c) => c.type !== 'comment');
  if (args.length !== names.length) return { reason: 'the function literal is called with a spread argument' };
  const shared = loopVars(text, loop);
  const block = go.parent;
  const declaredHere = (name: string): boolean =>
    (block?.children ?? []).some((s) => s.end <= go.start && (s.type === 'short_var_declaration' || s.type === 'var_declaration') && new RegExp(`^(?:var\\s+)?(?:[\\w\\s,]*,\\s*)?${name}\\b`).test(src(text, s)));
  const left: string[] = [];
  const right: string[] = [];
  names.forEach((name, i) => {
    const arg = src(text, args[i]!).replace(/\s+/g, ' ');
    if (name === '_' || (name === arg && !shared.has(name))) return;
    left.push(name);
    right.push(arg);
  });
  if (left.some((n) => declaredHere(n) && !shared.has(n))) return { reason: 'a parameter of the function literal is already declared in the loop' };
  // A loop variable the literal captures itself is shared by every iteration before Go 1.22 (vet's loopclosure): copy it too.
  const captured: string[] = [];
  walk(field(lit, 'body')!, (n) => (n.type === 'identifier' ? (captured.push(src(text, n)), false) : undefined));
  for (const v of shared) {
    if (captured.includes(v) && !names.includes(v) && !left.includes(v)) {
      left.push(v);
      right.push(v);
    }
  }
  return left.length === 0 ? '' : `${left.join(', ')} := ${right.join(', ')}`;
}

/** Edits adding one import (to the last import block, in a group of its own after the standard library) and removing another. */
function importEdits(text: string, root: GoNode, change: { add: string; remove: string | undefined }): TextEdit[] {
  const decls = root.children.filter((c) => c.type === 'import_declaration');
  const specs: GoNode[] = [];
  for (const d of decls) walk(d, (n) => (n.type === 'import_spec' ? (specs.push(n), false) : undefined));
  const pathOf = (s: GoNode): string => src(text, field(s, 'path') ?? s).replace(/^["`]|["`]$/g, '');
  const edits: TextEdit[] = [];
  const removed = change.remove === undefined ? undefined : specs.find((s) => pathOf(s) === change.remove && !field(s, 'name'));
  const has = specs.some((s) => pathOf(s) === change.add);
  if (removed) {
    const lines = ownLines(text, removed.parent?.type === 'import_declaration' ? removed.parent : removed);
    if (lines) {
      if (removed.parent?.type === 'import_declaration' && !has) {
        return [...edits, { span: { start: lines.start, end: lines.end }, newText: `import "${change.add}"\n` }];
      }
      edits.push({ span: { start: lines.start, end: lines.end }, newText: '' });
    }
  }
  if (has) return edits;
  const list = decls.at(-1)?.children.find((c) => c.type === 'import_spec_list');
  if (list) {
    const rest = specs.filter((s) => s !== removed && list.start <= s.start && s.end <= list.end);
    const stdlib = rest.length > 0 && !pathOf(rest.at(-1)!).split('/')[0]!.includes('.');
    const close = list.end - 1;
    const at = text.lastIndexOf('\n', close - 1) + 1;
    if (/^[ \t]*$/.test(text.slice(at, close))) return [...edits, { span: { start: at, end: at }, newText: `${stdlib ? '\n' : ''}\t"${change.add}"\n` }];
  }
  const after = decls.at(-1) ?? root.children.find((c) => c.type === 'package_clause');
  if (!after) return edits;
  return [...edits, { span: { start: after.end, end: after.end }, newText: `\n\nimport "${change.add}"` }];
}

// ---------------------------------------------------------------------------------------------
// A semaphore channel around the `go`.

function semaphore(site: Site): Attempt {
  const { text, node, loop, fn } = site;
  const title = `Bound the goroutines with a semaphore channel of ${LIMIT} ${PLACEHOLDER}`;
  const loopLines = ownLines(text, loop);
  const goLines = ownLines(text, node);
  if (!loopLines || !goLines) return { title, reason: 'the loop or the `go` statement shares its line with other code' };
  const sem = freeName(text, fn, ['sem', 'slots', 'tokens', 'limiter']);
  if (!sem) return { title, reason: 'no free name for the semaphore' };
  const call = node.children.find((c) => c.type === 'call_expression');
  if (!call) return { title, reason: 'the `go` statement has no call' };
  const release = `defer func() { <-${sem} }()`;
  const edits: TextEdit[] = [
    { span: { start: loopLines.start, end: loopLines.start }, newText: `${loopLines.indent}${sem} := make(chan struct{}, ${LIMIT})\n` },
  ];
  const lit = field(call, 'function');
  if (lit?.type === 'func_literal') {
    edits.push({ span: { start: goLines.start, end: goLines.start }, newText: `${goLines.indent}${sem} <- struct{}{}\n` });
    const body = field(lit, 'body')!;
    // After the line that opens the body (and any comment on it), or inside a one-line body.
    const nl = text.indexOf('\n', body.start);
    const opensLine = nl >= 0 && nl < body.end && /^\s*(?:\/\/.*)?$/.test(text.slice(body.start + 1, nl));
    edits.push(opensLine ? { span: { start: nl + 1, end: nl + 1 }, newText: `${goLines.indent}\t${release}\n` } : { span: { start: body.start + 1, end: body.start + 1 }, newText: ` ${release};` });
  } else {
    // `go f(x)` → a literal that releases the token, with the loop's variables copied for Go < 1.22.
    const shared = loopVars(text, loop);
    const used = [...new Set(findAll(field(call, 'arguments'), (n) => n.type === 'identifier').map((n) => src(text, n)))].filter((n) => shared.has(n));
    const copy = used.length > 0 ? `${goLines.indent}${used.join(', ')} := ${used.join(', ')}\n` : '';
    edits.push({ span: { start: goLines.start, end: goLines.start }, newText: `${goLines.indent}${sem} <- struct{}{}\n${copy}` });
    const inner = `${goLines.indent}\t`;
    edits.push({ span: { start: call.start, end: call.end }, newText: `func() {\n${inner}${release}\n${inner}${src(text, call)}\n${goLines.indent}}()` });
  }
  return {
    title: `Bound the goroutines with a semaphore channel: \`${sem} := make(chan struct{}, ${LIMIT})\` before the loop, \`${sem} <- struct{}{}\` before each \`go\`, released when the goroutine ends ${PLACEHOLDER}`,
    safety: 'suggestion',
    edits,
  };
}
