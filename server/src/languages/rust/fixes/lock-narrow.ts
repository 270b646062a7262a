/**
 * The `await-holding-lock` fix for a `let`-bound guard that is used after the `.await`: narrow the
 * locked region around the statement that awaits. When the guard is not used before that statement,
 * the `let` moves after it (the lock is taken once the awaited work is done); otherwise the guard is
 * released with `drop(guard);` before the statement and taken again with the same `let` after it.
 *
 * In Rust the guarded value is reachable only through the guard, so "nothing guarded is read across
 * the `.await`" is a question about names: the statement that awaits must not use the guard, and no
 * value read from the guard before it (a `let`, an assignment, a `&mut` argument of a statement that
 * uses the guard) may be used by that statement or after it. The fix is a suggestion: other tasks
 * may take the lock while it is released, so what was true of the guarded value before the `.await`
 * must be checked again after it.
 */
import type { Fix, TextEdit } from '../../../engine/finding';
import type { HeldRegion } from '../../../engine/model';
import type { SyntaxNode } from '../syntax';
import { indentAt, lineOf, wholeLine } from './util';

/** A narrowing fix, or why there is none. */
export type Narrowed = { fix: Fix } | { reason: string };

const KEYWORDS = new Set(['mut', 'ref', 'let', 'else', 'if', 'match', 'true', 'false', 'self', 'Self', 'box', 'in', 'as', 'return', 'await', 'move', 'async']);

const word = (name: string): RegExp => new RegExp(`(?<![\\w.])${name}\\b(?!\\s*!)`);
/**
 * The code with comments removed and each string literal replaced by the names it formats
 * (`"{guard}"` → `guard`), so that a word inside a string is not read as a use.
 */
function codeOnly(code: string): string {
  return code
    .replace(/'(?:[^'\\\n]|\\.[^']*)'/g, "' '")
    .replace(/"(?:[^"\\]|\\.)*"/g, (lit) => ` ${[...lit.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]).join(' ')} `)
    .replace(/\/\/[^\n]*/g, '');
}

/** A use of `name` as a variable: not a field (`x.name`), a path segment (`a::name`), a macro name, or a word in a string. */
const usesName = (code: string, name: string): boolean => new RegExp(`(?<![\\w.]|::)${name}\\b(?!\\s*(?:!|::))`).test(codeOnly(code));

/** The names a `let` statement binds. */
function letNames(code: string): Set<string> {
  const names = new Set<string>();
  const let_ = /^let\s+([^=]*?)\s*(?::[^=]*)?=(?![=>])/.exec(code);
  if (let_) for (const m of let_[1]!.matchAll(/\b[a-z_][A-Za-z0-9_]*\b/g)) if (!KEYWORDS.has(m[0])) names.add(m[0]);
  return names;
}

/** The names a statement writes: what a `let` pattern binds, the target of an assignment, `&mut x` arguments. */
function writtenNames(source: string): Set<string> {
  const code = codeOnly(source);
  const names = letNames(code);
  const assign = /^\*?\s*([a-z_][A-Za-z0-9_]*)\s*(?:[-+*/%|&^]|<<|>>)?=(?![=>])/.exec(code);
  if (assign) names.add(assign[1]!);
  for (const m of code.matchAll(/&\s*mut\s+([a-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  return names;
}

/** The statement children of `block` from `from` (exclusive) to `to` (exclusive). */
function between(block: SyntaxNode, from: SyntaxNode, to: SyntaxNode): SyntaxNode[] {
  return block.children.filter((c) => c.start >= from.end && c.end <= to.start && !/comment$/.test(c.type));
}

/** Where the re-acquisition goes: at the end of the statement's line when only a comment follows it there. */
function afterStatement(text: string, stmt: SyntaxNode): number {
  const nl = text.indexOf('\n', stmt.end);
  const lineEnd = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
  const rest = text.slice(stmt.end, lineEnd).trim();
  return rest === '' || rest.startsWith('//') ? lineEnd : stmt.end;
}

/**
 * Narrows the region of `guard` (bound by `letNode`, a child of `block`) around `stmt`, the child of
 * `block` that holds the finding's `.await`.
 */
export function narrowFix(text: string, region: HeldRegion, guard: string, letNode: SyntaxNode, block: SyntaxNode, stmt: SyntaxNode): Narrowed {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const stmtText = text.slice(stmt.start, stmt.end);
  if (usesName(stmtText, guard)) {
    return { reason: `\`${guard}\` is used in the statement that awaits (line ${lineOf(text, stmt.start)}): releasing it around that statement would not compile; copy what it needs out of the guard with \`let\` first, or end the guard's scope before the \`.await\`` };
  }
  const before = between(block, letNode, stmt);
  // Values read from the guard before the `.await`, transitively.
  const tainted = new Set<string>([guard]);
  for (const s of before) {
    const code = text.slice(s.start, s.end);
    if ([...tainted].some((n) => usesName(code, n))) for (const n of writtenNames(code)) if (n !== guard) tainted.add(n);
  }
  tainted.delete(guard);
  const afterText = text.slice(stmt.start, region.span.end);
  const crossing = [...tainted].find((n) => usesName(afterText, n));
  if (crossing !== undefined) {
    return { reason: `\`${crossing}\` is read from \`${guard}\` before the \`.await\` and used after it: once the lock is released, other tasks may change what it was read from; read it again after the \`.await\`, then release the guard before it` };
  }
  // The acquisition is repeated as written: what it reads must mean the same after the statement.
  const letText = text.slice(letNode.start, letNode.end);
  const valueStart = letText.search(/=(?![=>])/);
  const value = valueStart < 0 ? '' : letText.slice(valueStart + 1);
  for (const s of [...before, stmt]) {
    const changed = [...writtenNames(text.slice(s.start, s.end))].find((n) => word(n).test(value));
    if (changed !== undefined) return { reason: `\`${changed}\` changes before the lock would be taken again: \`${value.trim().replace(/;$/, '')}\` would not take the same lock` };
  }
  const usedBefore = before.some((s) => usesName(text.slice(s.start, s.end), guard));
  const at = afterStatement(text, stmt);
  const indent = indentAt(text, stmt.start);
  if (!usedBefore) {
    // Nothing reads the guard before the `.await`: take the lock where it is first used instead,
    // past any other `.await` on the way, when what it reads stays the same until there.
    const line = wholeLine(text, { start: letNode.start, end: letNode.end });
    if (line.start === letNode.start) return { reason: `the \`let\` of \`${guard}\` shares its line with other code` };
    const later = block.children.filter((c) => c.start >= stmt.end && !/comment$/.test(c.type));
    const use = later.find((c) => usesName(text.slice(c.start, c.end), guard));
    const passed = use ? later.slice(0, later.indexOf(use)) : [];
    const stable = !passed.some((c) => [...writtenNames(text.slice(c.start, c.end))].some((n) => word(n).test(value)));
    const lineStart = use ? text.lastIndexOf('\n', use.start - 1) + 1 : -1;
    const insertion = use && stable && text.slice(lineStart, use.start).trim() === ''
      ? { span: { start: lineStart, end: lineStart }, newText: `${indent}${letText}${eol}` }
      : { span: { start: at, end: at }, newText: `${eol}${indent}${letText}` };
    return {
      fix: {
        title: `Lock \`${region.lock}\` where \`${guard}\` is first used, after the \`.await\` (other tasks are no longer kept out while it waits)`,
        safety: 'suggestion',
        edits: [{ span: line, newText: '' }, insertion],
      },
    };
  }
  const release = releaseBefore(text, region, guard, letNode, block, stmt);
  if ('reason' in release) return release;
  return {
    fix: {
      title: `Release \`${guard}\` before the \`.await\` and lock \`${region.lock}\` again after it (nothing read from it crosses the \`.await\`; other tasks may change it in between)`,
      safety: 'suggestion',
      edits: [release.edit, { span: { start: at, end: at }, newText: `${eol}${indent}${letText}` }],
    },
  };
}

/**
 * The edit that releases `guard` before `stmt`. An async lock's guard is dropped with
 * `drop(guard);`. A blocking guard (`std::sync`, `parking_lot`, `RefCell`) is not `Send`, and rustc
 * counts a guard that was borrowed as alive across the `.await` until its scope ends even after
 * `drop` (the future stays not `Send`, and `tokio::spawn` rejects it): its `let` and the statements
 * up to `stmt` go into a block of their own instead, as Clippy's `await_holding_lock` advises.
 */
export function releaseBefore(text: string, region: HeldRegion, guard: string, letNode: SyntaxNode, block: SyntaxNode, stmt: SyntaxNode): { edit: TextEdit } | { reason: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(text, stmt.start);
  if (region.kind === 'async') return { edit: { span: { start: stmt.start, end: stmt.start }, newText: `drop(${guard});${eol}${indent}` } };
  const scoped = [letNode, ...between(block, letNode, stmt)];
  const last = scoped[scoped.length - 1]!;
  const start = text.lastIndexOf('\n', letNode.start - 1) + 1;
  const nl = text.indexOf('\n', last.end);
  const end = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
  if (text.slice(start, letNode.start).trim() !== '' || codeOnly(text.slice(last.end, end)).trim() !== '' || end > stmt.start) {
    return { reason: `the \`let\` of \`${guard}\` or the statement that awaits shares its line with other code` };
  }
  const hidden = new Set<string>();
  for (const s of scoped.slice(1)) for (const n of letNames(codeOnly(text.slice(s.start, s.end)))) hidden.add(n);
  const rest = text.slice(stmt.start, block.end);
  const escaping = [...hidden].find((n) => n !== guard && usesName(rest, n));
  if (escaping !== undefined) {
    return { reason: `\`${escaping}\` is declared while \`${guard}\` is held and used after the \`.await\`: the block that releases the guard (a blocking guard must go out of scope, \`drop\` does not make the future \`Send\`) would hide it` };
  }
  const body = text.slice(start, end);
  const unit = indent.includes('\t') ? '\t' : '    ';
  // A string literal that spans lines keeps its lines as they are.
  const multiLineString = /"(?:[^"\\]|\\.)*"/g.exec(body) !== null && [...body.matchAll(/"(?:[^"\\]|\\.)*"/g)].some((m) => m[0].includes('\n'));
  const inner = multiLineString ? body : body.split(/\r?\n/).map((line) => (line.trim() === '' ? '' : unit + line)).join(eol);
  return { edit: { span: { start, end }, newText: `${indentAt(text, letNode.start)}{${eol}${inner}${eol}${indentAt(text, letNode.start)}}` } };
}
