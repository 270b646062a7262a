/**
 * Fixes for a mutex held across a parking point (`await-holding-lock`), in the order they are
 * offered:
 * 1. move the parking statement after the `Unlock()` that follows it, when it touches nothing the
 *    mutex guards (no field of the mutex's owner, no package variable for a package-level mutex),
 *    reads nothing the statements it jumps over write, and jumps over no other lock's `Lock()` or
 *    `Unlock()`;
 * 2. replace `defer mu.Unlock()` by an explicit `mu.Unlock()` before the parking statement, when the
 *    statement is in the function's own body, no `return` comes between, and nothing after it
 *    touches the guarded state;
 * 3. unlock before the statement and lock again after it (a suggestion: what was read under the
 *    lock may change meanwhile).
 * Each works on whole lines, so a statement that shares its line with other code is refused.
 */
import type { Finding, Fix, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { handBackNeed, handBackRefusal, takenAfter } from '../../../engine/hand-back';
import type { HeldRegion, YieldPoint } from '../../../engine/model';
import { treeSitterTree } from '../../tree-sitter';
import type { GoData } from '../index';
import { GO_GRAMMAR, field, walk, type GoNode } from '../syntax';

const SIMPLE = new Set(['expression_statement', 'send_statement', 'short_var_declaration', 'assignment_statement']);

/** The whole lines a statement spans, when it has them to itself: `[start of its first line, after its last newline)`. */
function linesOf(text: string, node: GoNode): { start: number; end: number; indent: string } | undefined {
  const start = text.lastIndexOf('\n', node.start - 1) + 1;
  const indent = text.slice(start, node.start);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const nl = text.indexOf('\n', node.end);
  const end = nl < 0 ? text.length : nl + 1;
  // Only a comment may follow it on its last line.
  if (!/^\s*(?:\/\/.*)?$/.test(text.slice(node.end, nl < 0 ? text.length : nl))) return undefined;
  return { start, end, indent };
}

/** The innermost statement of a statement list that contains `at`. */
function statementAt(root: GoNode, at: { start: number; end: number }): GoNode | undefined {
  let found: GoNode | undefined;
  walk(root, (n) => {
    if (n.end < at.start || n.start > at.end) return false;
    if (n.parent?.type === 'statement_list' && n.start <= at.start && at.end <= n.end) found = n;
    return undefined;
  });
  return found;
}

/** The statement of the list holding `node` that is at `offset` (a lock or unlock call's statement). */
function siblingAt(node: GoNode, offset: number): GoNode | undefined {
  return node.parent?.children.find((c) => c.start <= offset && offset < c.end);
}

/** Identifiers read or written in a node's text (a coarse, textual set). */
function names(text: string, node: GoNode): Set<string> {
  return new Set(text.slice(node.start, node.end).match(/\b[A-Za-z_]\w*\b/g) ?? []);
}

/** Names the statements write (assignments, declarations, `x++`). */
function written(text: string, stmts: readonly GoNode[]): Set<string> {
  const out = new Set<string>();
  for (const s of stmts) {
    walk(s, (n) => {
      if (n.type === 'assignment_statement' || n.type === 'short_var_declaration') {
        for (const l of field(n, 'left')?.children ?? []) for (const id of names(text, l)) out.add(id);
      }
      if (n.type === 'inc_statement' || n.type === 'dec_statement') for (const id of names(text, n)) out.add(id);
      return undefined;
    });
  }
  return out;
}

export function lockFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = treeSitterTree<GoData>(parsed, GO_GRAMMAR);
  const data = finding.data;
  if (!tree || data?.regionId === undefined || data.yieldId === undefined || (data.variant !== undefined && data.variant !== 'reacquire')) return { fixes: [], refused: [] };
  const region = parsed.model.heldRegions[data.regionId];
  const y = parsed.model.yieldPoints[data.yieldId];
  if (!region || !y) return { fixes: [], refused: [] };
  const text = parsed.text;
  // A wait that runs at return under an unlock deferred earlier: the `defer` moves, nothing else.
  if (y.atReturn !== undefined && y.atReturn.context === region.context) return deferEarlier(text, tree.root, region, y.atReturn.defer);
  if (data.variant !== undefined) return { fixes: [], refused: [] };
  const stmt = statementAt(tree.root, y.span);
  const lines = stmt ? linesOf(text, stmt) : undefined;
  const title = `Release \`${region.lock}\` before the parking point`;
  // A call of a function that unlocks a caller's lock itself (its first operation on it is an
  // unlock): called without that lock, the unlock crashes; released and retaken around the call
  // under another lock it needs, the order reverses. Only the function's own code can change, and
  // the finding's advice says how (hand-back.ts).
  const need = handBackNeed(parsed.model, region, y);
  if (need) return { fixes: [], refused: [{ title, reason: handBackRefusal(need, region) }] };
  if (!stmt || !lines || !SIMPLE.has(stmt.type) || stmt.start < region.acquireSpan.end) {
    return { fixes: [], refused: [{ title, reason: 'the parking point is not a statement of its own (a condition, a `return`, a `select` or a loop): release the lock by hand' }] };
  }
  // Another lock taken after this one and still held at the parking point: unlocking and relocking
  // this one there would take the two in the reverse order, a deadlock with every goroutine that
  // takes them in the written order. Only the code's author can restructure that. By the order of
  // the two acquisitions held here, not by the piece of this region the wait lies in: a branch that
  // unlocks the inner lock early (`if … { p.statsMu.Unlock(); continue }`) splits that piece after
  // the inner `Lock()`.
  const inner = parsed.model.heldRegions.find((r) => takenAfter(region, r, y));
  if (inner) {
    return { fixes: [], refused: [{ title, reason: `\`${inner.lock}\`, taken after \`${region.lock}\`, is held here too: releasing and retaking \`${region.lock}\` under it reverses the order the two locks are taken in (a deadlock with any goroutine that takes them in order); release \`${inner.lock}\` first, or move the wait out of both` }] };
  }
  const guarded = guardedState(text, parsed.model.heldRegions, region);
  const touches = (n: GoNode): boolean => {
    const t = text.slice(n.start, n.end);
    if (guarded.owner === undefined) return [...names(text, n)].some((id) => guarded.names.has(id));
    const owner = guarded.owner.replace(/\./g, '\\.');
    return [...t.matchAll(new RegExp(`\\b${owner}\\.(\\w+)`, 'g'))].some((m) => guarded.names.has(m[1]!));
  };
  const fixes: Fix[] = [];
  const move = moveAfterUnlock(text, stmt, region, lines, touches);
  if (move) fixes.push(move);
  const undefer = explicitUnlock(text, stmt, region, lines, touches);
  if (undefer) fixes.push(undefer);
  fixes.push(unlockAround(region, y, lines));
  return { fixes, refused: [] };
}

/**
 * What the mutex guards, as far as the file shows: the fields of its owner (`c.items` for `c.mu`),
 * or the variables for a package-level mutex, that some region of the same mutex writes
 * (assigns, increments, `delete`s from, appends to). Fields only read under it (a client, a
 * channel, a config value) are not its state.
 */
function guardedState(text: string, regions: readonly HeldRegion[], region: HeldRegion): { owner?: string; names: Set<string> } {
  const ownerOf = (lock: string): string | undefined => (lock.lastIndexOf('.') > 0 ? lock.slice(0, lock.lastIndexOf('.')) : undefined);
  const owner = ownerOf(region.lock);
  const out = new Set<string>();
  for (const r of regions) {
    if (r.lockKey !== region.lockKey) continue;
    const o = ownerOf(r.lock);
    const prefix = o === undefined ? '' : `\\b${o.replace(/\./g, '\\.')}\\.`;
    const body = text.slice(r.span.start, r.span.end);
    const id = o === undefined ? '\\b([A-Za-z_]\\w*)' : `${prefix}(\\w+)`;
    for (const m of body.matchAll(new RegExp(`${id}(?:\\[[^\\]\\n]*\\])*\\s*(?:[-+*/|&]?=(?!=)|\\+\\+|--)`, 'g'))) out.add(m[1]!);
    for (const m of body.matchAll(new RegExp(`\\bdelete\\(\\s*${o === undefined ? '' : `${o.replace(/\./g, '\\.')}\\.`}(\\w+)`, 'g'))) out.add(m[1]!);
  }
  out.delete(region.lock.slice(region.lock.lastIndexOf('.') + 1));
  return { ...(owner !== undefined ? { owner } : {}), names: out };
}

/** A lock operation written in a statement: a method of a mutex, or a local unlock function (`unlock()`, `release()`). */
const LOCK_OP = /\.(?:Try)?R?(?:Lock|Unlock)\(\s*\)|\b\w*(?:[uU]nlock|[rR]elease)\w*\(\s*\)/;

const unlockName = (region: HeldRegion): string => (region.shared ? 'RUnlock' : 'Unlock');
const lockName = (region: HeldRegion): string => (region.shared ? 'RLock' : 'Lock');

function moveAfterUnlock(text: string, stmt: GoNode, region: HeldRegion, lines: { start: number; end: number; indent: string }, touches: (n: GoNode) => boolean): Fix | undefined {
  if (region.release !== 'explicit' || !region.releaseSpan || stmt.type === 'short_var_declaration') return undefined;
  const unlock = siblingAt(stmt, region.releaseSpan.start);
  if (!unlock || unlock.start < stmt.end || touches(stmt)) return undefined;
  // Only past an unlock itself: not past a call that gives the lock up (`c.closeLocked()`, `return
  // c.doFlush()`), which does more than release it, and after a `return` the wait would never run.
  if (unlock.type !== 'expression_statement' || !/(?:\.R?Unlock|^\w*(?:[uU]nlock|[rR]elease)\w*)\(\s*\)$/.test(text.slice(unlock.start, unlock.end))) return undefined;
  const between = (stmt.parent?.children ?? []).filter((c) => c.start >= stmt.end && c.end <= unlock.start && c.type !== 'comment');
  // Another lock taken or released on the way (`s.statsMu.Lock()` between `s.wg.Wait()` and
  // `s.mu.Unlock()`): moved past it, the wait would run under a lock it never waited under (a
  // deadlock when what it waits for needs that lock, and a new lock order for whatever it locks),
  // or outside one it did (a call that unlocks that lock itself then panics).
  if (between.some((b) => LOCK_OP.test(text.slice(b.start, b.end)))) return undefined;
  const writes = written(text, between);
  if ([...names(text, stmt)].some((id) => writes.has(id))) return undefined;
  if (stmt.type === 'assignment_statement' && between.some((b) => [...written(text, [stmt])].some((id) => names(text, b).has(id)))) return undefined;
  const unlockLines = linesOf(text, unlock);
  if (!unlockLines) return undefined;
  const moved = text.slice(lines.start, lines.end);
  const edits: TextEdit[] = [
    { span: { start: lines.start, end: lines.end }, newText: '' },
    { span: { start: unlockLines.end, end: unlockLines.end }, newText: moved.endsWith('\n') ? moved : `${moved}\n` },
  ];
  return { title: `Move the parking statement after \`${region.lock}.${unlockName(region)}()\`: it touches nothing the lock guards`, safety: 'suggestion', edits };
}

function explicitUnlock(text: string, stmt: GoNode, region: HeldRegion, lines: { start: number; end: number; indent: string }, touches: (n: GoNode) => boolean): Fix | undefined {
  if (region.release !== 'finally' || !region.releaseSpan) return undefined;
  const body = stmt.parent;
  const fn = body?.parent?.parent;
  if (body?.type !== 'statement_list' || !fn || !/^(?:function_declaration|method_declaration|func_literal)$/.test(fn.type)) return undefined;
  const deferStmt = siblingAt(stmt, region.releaseSpan.start);
  if (!deferStmt || deferStmt.type !== 'defer_statement' || deferStmt.start > stmt.start) return undefined;
  const deferLines = linesOf(text, deferStmt);
  if (!deferLines) return undefined;
  // No return between the defer and the statement (it would now leave with the lock held), and nothing guarded after it.
  let blocked = false;
  walk(fn, (n) => {
    if (blocked) return false;
    if (n !== fn && n.type === 'func_literal') return false;
    if (n.type === 'return_statement' && n.start > deferStmt.end && n.end <= stmt.start) blocked = true;
    return undefined;
  });
  if (blocked) return undefined;
  const after = body.children.filter((c) => c.start >= stmt.end && c.type !== 'comment');
  if (after.some((c) => touches(c) || new RegExp(`\\b${region.lock.replace(/\./g, '\\.')}\\.R?Lock\\(`).test(text.slice(c.start, c.end)))) return undefined;
  if (touches(stmt)) return undefined;
  const edits: TextEdit[] = [
    { span: { start: deferLines.start, end: deferLines.end }, newText: '' },
    { span: { start: lines.start, end: lines.start }, newText: `${lines.indent}${region.lock}.${unlockName(region)}()\n` },
  ];
  return { title: `Unlock \`${region.lock}\` before the parking point instead of deferring it: nothing after it touches the guarded state`, safety: 'suggestion', edits };
}

function unlockAround(region: HeldRegion, y: YieldPoint, lines: { start: number; end: number; indent: string }): Fix {
  const what = y.parking?.what ?? 'the parking point';
  return {
    title: `Unlock \`${region.lock}\` around ${what} and lock it again after (what was read under the lock may change meanwhile)`,
    safety: 'suggestion',
    edits: [
      { span: { start: lines.start, end: lines.start }, newText: `${lines.indent}${region.lock}.${unlockName(region)}()\n` },
      { span: { start: lines.end, end: lines.end }, newText: `${lines.indent}${region.lock}.${lockName(region)}()\n` },
    ],
  };
}

/** Statements that leave the block or end the goroutine early, or register another deferred call. */
const EXITS = new Set(['return_statement', 'goto_statement', 'break_statement', 'continue_statement', 'defer_statement', 'go_statement']);
const EXIT_CALL = /^(?:panic|os\.Exit|\w+\.(?:Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln|Exit))$/;

/**
 * Moves a `defer` whose call runs at return under a lock up to just before the `defer mu.Unlock()`
 * registered earlier, so it runs after the unlock (defers run last in, first out): what the
 * finding advises. Only when the two are statements of the same block, each on lines of its own,
 * and the statements between them neither leave early (a `return` there would now run the deferred
 * call too), nor register another deferred call (the two would run in the other order), nor declare
 * or assign a name the moved statement evaluates (see {@link evaluatedClash}).
 */
function deferEarlier(text: string, root: GoNode, region: HeldRegion, at: { start: number; end: number }): FixResult {
  const title = `Register the \`defer\` before the deferred \`${unlockName(region)}()\` of \`${region.lock}\``;
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });
  let stmt: GoNode | undefined;
  walk(root, (n) => {
    if (stmt || n.end <= at.start || n.start > at.start) return false;
    if (n.type === 'defer_statement' && n.start === at.start) stmt = n;
    return undefined;
  });
  const unlock = stmt && region.releaseSpan ? siblingAt(stmt, region.releaseSpan.start) : undefined;
  if (!stmt || !unlock || unlock.type !== 'defer_statement' || unlock.end > stmt.start) {
    return refuse('the `defer` is not in the same block as the deferred unlock: registered earlier, it would also run on the paths that never reach it; move it by hand');
  }
  const lines = linesOf(text, stmt);
  const unlockLines = linesOf(text, unlock);
  if (!lines || !unlockLines) return refuse('the `defer` or the deferred unlock shares its line with other code: move it by hand');
  const between = (stmt.parent?.children ?? []).filter((c) => c.start >= unlock.end && c.end <= stmt!.start && c.type !== 'comment');
  let exits = false;
  for (const b of between) {
    walk(b, (n) => {
      if (exits || n.type === 'func_literal') return false;
      if (EXITS.has(n.type) || (n.type === 'call_expression' && EXIT_CALL.test(text.slice(n.start, (field(n, 'function') ?? n).end)))) exits = true;
      return undefined;
    });
  }
  if (exits) return refuse('a statement between the deferred unlock and the `defer` may leave the function or registers another deferred call: registered earlier, the call would run on that path too, or in another order');
  const clash = evaluatedClash(text, stmt, between);
  if (clash !== undefined) return refuse(`the \`defer\` uses \`${clash}\`, which a statement between it and the deferred unlock declares or assigns: move it by hand`);
  const moved = text.slice(lines.start, lines.end);
  return {
    fixes: [{
      title: `${title}: it then runs after the unlock (defers run last in, first out)`,
      safety: 'suggestion',
      edits: [
        { span: { start: unlockLines.start, end: unlockLines.start }, newText: moved.endsWith('\n') ? moved : `${moved}\n` },
        { span: { start: lines.start, end: lines.end }, newText: '' },
      ],
    }],
    refused: [],
  };
}

/**
 * A name the `defer` statement evaluates that the statements before it (`between`) declare or
 * change: registered earlier, it would not compile, or its arguments, evaluated where it is
 * registered, would take other values. A function literal's body reads its variables when it runs,
 * so only their declarations count there; a method's receiver is a pointer to a struct holding a
 * mutex (a copy would copy the mutex), so assigning one of its fields does not change it.
 */
function evaluatedClash(text: string, stmt: GoNode, between: readonly GoNode[]): string | undefined {
  const declared = new Set<string>();
  const assigned = new Set<string>();
  const roots = new Set<string>();
  const assign = (n: GoNode): void => {
    const t = text.slice(n.start, n.end).replace(/\s+/g, '');
    assigned.add(t);
    const root = /^[A-Za-z_]\w*/.exec(t);
    if (root) roots.add(root[0]);
  };
  for (const b of between) {
    walk(b, (n) => {
      if (n.type === 'func_literal') return false;
      if (n.type === 'short_var_declaration') for (const id of names(text, field(n, 'left') ?? n)) declared.add(id);
      if (n.type === 'var_spec' || n.type === 'const_spec') for (const c of n.children) if (c.type === 'identifier') declared.add(text.slice(c.start, c.end));
      if (n.type === 'range_clause') for (const id of names(text, field(n, 'left') ?? n)) declared.add(id);
      if (n.type === 'assignment_statement') for (const l of field(n, 'left')?.children ?? []) assign(l);
      if (n.type === 'inc_statement' || n.type === 'dec_statement') assign(n.children[0] ?? n);
      return undefined;
    });
  }
  const call = stmt.children.find((c) => c.type === 'call_expression');
  if (!call) return undefined;
  const fn = field(call, 'function');
  const args = field(call, 'arguments');
  const hit = (args ? [...names(text, args)] : []).find((id) => declared.has(id) || roots.has(id));
  if (hit !== undefined || !fn) return hit;
  const fnNames = [...names(text, fn)];
  if (fn.type === 'func_literal') return fnNames.find((id) => declared.has(id));
  // `s.notify`: the receiver chain is evaluated; a plain name assigned between changes it.
  return fnNames.find((id) => declared.has(id) || assigned.has(id));
}
