/**
 * Fix for a retry loop (`retry-without-backoff`): what the loop lacks, added where it goes.
 * - No cap: the loop counts its attempts (`while (true)` → `for (let attempt = 1; ; attempt++)`) and
 *   its `catch` rethrows once `attempt >= 5`.
 * - No growth: the constant sleep's delay `d` becomes `Math.random() * Math.min(30000, d * 2 ** attempt)`
 *   (exponential, capped at 30 s, with full jitter); a configured interval `d` (`this.options.retryDelay`)
 *   stays the ceiling instead: `Math.random() * Math.min(d, 100 * 2 ** attempt)`. A `d` that is a read
 *   or a call, which may be unset, is written `(d ?? 30000)` as the ceiling, `(d ?? 100)` as the base
 *   (see `orDefault`); a loop with no sleep gets one at the top of its `catch`, from 100 ms. The
 *   sleeps edited are the ones the detector counted as the loop's waits (`RetrySite.waits`), every one.
 *   A `setTimeout(cb, ms)` in a closure (a request timeout) is not one of them.
 * It is a suggestion: the numbers are placeholders, and giving up changes what the caller sees (the
 * last error instead of an endless wait). A sync retry with no delay is refused: it cannot wait
 * without blocking the thread.
 */
import ts from 'typescript';
import type { Finding, TextEdit } from '../../../engine/finding';
import type { RetrySite } from '../../../engine/model';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { isFunctionNode, lineIndent, nodeAtSpan, uniqueName } from './ast';
import type { BuildInput } from './blocking';
import { semi } from './style';

const NONE: FixResult = { fixes: [], refused: [] };
export const RETRY_ATTEMPTS = 5;

type Loop = ts.WhileStatement | ts.ForStatement | ts.DoStatement;

export function retryFixes(finding: Finding, parsed: ParsedFile, input: BuildInput): FixResult {
  const id = finding.data?.retryId;
  const site = id === undefined ? undefined : parsed.model.retries?.[id];
  if (!site) return NONE;
  const { sf, style } = input;
  // A configured interval stays the ceiling: the wait grows from 100 ms up to it, with full jitter (the rule's interval advice).
  const interval = site.kind === 'loop' && site.delay === 'constant' && site.jittered !== true ? site.interval : undefined;
  const title =
    interval !== undefined
      ? `Retry at most ${RETRY_ATTEMPTS} times, waiting a random, growing part of \`${interval}\` (${RETRY_ATTEMPTS} attempts and the 100 ms base are placeholders: choose them)`
      : `Retry at most ${RETRY_ATTEMPTS} times with exponential backoff and jitter (${RETRY_ATTEMPTS} attempts, 30 s and the base delay are placeholders: choose them)`;
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });
  if (site.kind === 'recursion') return recursionFix(sf, site, title);
  if (site.kind !== 'loop') return NONE;
  const loop = nodeAtSpan(sf, { start: site.span.start, end: site.span.start }, isLoop) ?? findLoopAt(sf, site.span.start);
  if (!loop) return NONE;
  const tryStmt = firstTry(loop.statement);
  const handler = tryStmt?.catchClause;
  if (!tryStmt || !handler) return NONE;
  // New names shadow outer ones only where the loop is: they must not collide with a name the loop itself uses.
  const used = namesIn(loop);
  const edits: TextEdit[] = [];
  const s = semi(style);
  let counter = counterOf(loop);
  const handlerLines: string[] = [];
  if (!site.capped) {
    if (ts.isDoStatement(loop)) return refuse('a `do … while` loop has no head to count attempts in: add a counter by hand');
    counter = uniqueName(used, 'attempt');
    const head = headEdit(sf, loop, counter);
    if (!head) return refuse('the loop head already declares or updates variables: add a counter by hand');
    edits.push(head);
    let errName: string;
    const decl = handler.variableDeclaration;
    if (decl && ts.isIdentifier(decl.name)) errName = decl.name.text;
    else if (decl) return refuse('the `catch` destructures the error, so there is no error to rethrow');
    else {
      errName = uniqueName(used, 'err');
      // `catch {` → `catch (err) {`
      const catchKw = handler.getStart(sf) + 'catch'.length;
      edits.push({ span: { start: catchKw, end: catchKw }, newText: ` (${errName})` });
    }
    handlerLines.push(`if (${counter} >= ${RETRY_ATTEMPTS}) throw ${errName}${s}`);
  }
  if (site.delay !== 'growing') {
    if (counter === undefined) return refuse('no loop variable counts the attempts, so the delay has nothing to grow with');
    // Exactly the waits the detector counted (not a timer in a closure, such as a request timeout's `setTimeout(() => ac.abort(), ms)`).
    const waits = site.delay === 'constant' ? site.waits : [];
    if (waits === undefined || (site.delay === 'constant' && waits.length === 0)) return refuse('the sleep was not located: grow its delay by hand');
    if (waits.some((w) => w.start === w.end)) return refuse('the sleep is given no delay to grow');
    for (const w of waits) {
      const amount = nodeAtSpan(sf, w, ts.isExpression);
      if (!amount) return refuse('the sleep was not located: grow its delay by hand');
      // A poll inside the `catch` (`while (!this.healthy) await sleep(500)`): its sleep paces the polls, and growing it with the attempt would change the poll, not add a wait.
      if (inNestedLoop(amount, loop)) return refuse('the sleep paces a loop of its own inside the retry (a poll): wait with backoff between attempts by hand');
      const newText =
        interval !== undefined
          ? `Math.random() * Math.min(${orDefault(sf, amount, 30000)}, 100 * 2 ** ${counter})`
          : `Math.random() * Math.min(30000, ${orDefault(sf, amount, 100)} * 2 ** ${counter})`;
      edits.push({ span: { start: amount.getStart(sf), end: amount.end }, newText });
    }
    if (!waits.length) {
      if (site.sync) return refuse('the retry is synchronous: it cannot wait between attempts without blocking the thread (make it async, then wait with backoff)');
      handlerLines.push(`await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30000, 100 * 2 ** ${counter})))${s}`);
    }
  }
  if (handlerLines.length) {
    const block = handler.block;
    const first = block.statements[0];
    const eol = style.eol;
    if (first) {
      const indent = lineIndent(sf.text, first.getStart(sf));
      edits.push({ span: { start: first.getStart(sf), end: first.getStart(sf) }, newText: handlerLines.map((l) => l + eol + indent).join('') });
    } else {
      const indent = lineIndent(sf.text, handler.getStart(sf));
      const inner = indent + style.indent;
      // An empty `catch {}` or one holding only a comment: the new lines go first, before the comment.
      const open = block.getStart(sf) + 1;
      edits.push({ span: { start: open, end: open }, newText: handlerLines.map((l) => eol + inner + l).join('') + (sf.text.slice(open, block.end - 1).trim() === '' ? eol + indent : '') });
    }
  }
  if (!edits.length) return NONE;
  return { fixes: [{ title, safety: 'suggestion', edits }], refused: [] };
}

/** `n` sits in a loop nested in `loop` (not in a function nested in it); with the file for `loop`, in any loop of its own function. */
function inNestedLoop(n: ts.Node, loop: ts.Node): boolean {
  for (let p = n.parent; p && p !== loop; p = p.parent) {
    if (isFunctionNode(p)) return false;
    if (isLoop(p) || ts.isForOfStatement(p) || ts.isForInStatement(p)) return true;
  }
  return false;
}

function namesIn(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) names.add(n.text);
    n.forEachChild(visit);
  };
  visit(node);
  return names;
}

function isLoop(n: ts.Node): n is Loop {
  return ts.isWhileStatement(n) || ts.isForStatement(n) || ts.isDoStatement(n);
}

function findLoopAt(sf: ts.SourceFile, start: number): Loop | undefined {
  let found: Loop | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n.end <= start || n.getStart(sf) > start) return;
    if (isLoop(n) && n.getStart(sf) === start) found = n;
    else n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}

/** The first `try` with a `catch` in the loop body, not inside a nested function or loop. */
function firstTry(body: ts.Node): ts.TryStatement | undefined {
  let found: ts.TryStatement | undefined;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionNode(n) || (n !== body && isLoop(n))) return;
    if (ts.isTryStatement(n) && n.catchClause) found = n;
    else n.forEachChild(visit);
  };
  visit(body);
  return found;
}

/** The variable a `for` loop declares and compares in its condition (`for (let attempt = 0; attempt < 5; attempt++)`). */
function counterOf(loop: Loop): string | undefined {
  if (!ts.isForStatement(loop) || !loop.initializer || !ts.isVariableDeclarationList(loop.initializer)) return undefined;
  const d = loop.initializer.declarations[0];
  if (!d || !ts.isIdentifier(d.name)) return undefined;
  const name = d.name.text;
  return loop.incrementor && new RegExp(`\\b${name}\\b`).test(loop.incrementor.getText()) ? name : undefined;
}

/** `while (c)` → `for (let attempt = 1; c; attempt++)`; `for (;;)` → `for (let attempt = 1; ; attempt++)`. */
function headEdit(sf: ts.SourceFile, loop: Loop, counter: string): TextEdit | undefined {
  const start = loop.getStart(sf);
  const bodyStart = loop.statement.getStart(sf);
  const close = sf.text.lastIndexOf(')', bodyStart);
  if (close < start) return undefined;
  if (ts.isWhileStatement(loop)) {
    const cond = loop.expression;
    const c = cond.kind === ts.SyntaxKind.TrueKeyword ? '' : sf.text.slice(cond.getStart(sf), cond.end);
    return { span: { start, end: close + 1 }, newText: `for (let ${counter} = 1; ${c}; ${counter}++)` };
  }
  if (ts.isForStatement(loop) && !loop.initializer && !loop.incrementor) {
    const c = loop.condition ? sf.text.slice(loop.condition.getStart(sf), loop.condition.end) : '';
    return { span: { start, end: close + 1 }, newText: `for (let ${counter} = 1; ${c}; ${counter}++)` };
  }
  return undefined;
}

/**
 * A delay `d` the fix puts in arithmetic, with a default when it may be unset: a name, a property or
 * element read or a call (`this.options.retryDelay`, `this.options?.retryDelay`, an option of a
 * `Partial<Options>`) becomes `(d ?? fallback)`, so that the fixed code type-checks under strict
 * whatever its declared type; `??` on a read typed `number` is allowed and changes nothing. A literal,
 * arithmetic or a `d ?? 1000` already defaulted is written as is (TypeScript rejects `??` after an
 * expression that is never nullish). The fallback: 30000 (the cap of the other backoff) for a
 * configured interval kept as the ceiling; 100 (the base of the sleep added to a loop with none) for
 * a delay that grows: unset, the original slept 0 ms, and a 0 base would leave that storm in place.
 */
function orDefault(sf: ts.SourceFile, e: ts.Expression, fallback: number): string {
  const u = skipParens(e);
  const nullable =
    ts.isIdentifier(u) || ts.isPropertyAccessExpression(u) || ts.isElementAccessExpression(u) || (ts.isCallExpression(u) && !/^Math\./.test(u.expression.getText(sf)));
  return nullable && !declaredNumber(sf, u) ? `(${sf.text.slice(e.getStart(sf), e.end)} ?? ${fallback})` : paren(sf, e);
}

/**
 * A name or a field of `this` this file declares set, every declaration of it: `const RETRY_MS = 500`,
 * `ms: number` or `ms = 1000` as a parameter, `private delay = 500` in a class; not `ms?: number`, a
 * type with `undefined`, an import, nor a field of another object (its type may be `Partial<…>`).
 */
function declaredNumber(sf: ts.SourceFile, u: ts.Expression): boolean {
  const field = ts.isPropertyAccessExpression(u) && !u.questionDotToken && u.expression.kind === ts.SyntaxKind.ThisKeyword;
  if (!ts.isIdentifier(u) && !field) return false;
  const name = ts.isIdentifier(u) ? u.text : (u as ts.PropertyAccessExpression).name.text;
  let found = false;
  let unsure = false;
  const undef = (t: ts.TypeNode): boolean =>
    t.kind === ts.SyntaxKind.UndefinedKeyword || t.kind === ts.SyntaxKind.AnyKeyword || t.kind === ts.SyntaxKind.UnknownKeyword || (ts.isUnionTypeNode(t) && t.types.some(undef)) || (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword);
  const visit = (n: ts.Node): void => {
    if (unsure) return;
    const imported = !field && (ts.isImportSpecifier(n) || ts.isImportClause(n) || ts.isNamespaceImport(n));
    const declares = imported || (field ? ts.isPropertyDeclaration(n) || ts.isParameter(n) : ts.isVariableDeclaration(n) || ts.isParameter(n));
    const declared = declares ? (n as ts.NamedDeclaration).name : undefined;
    if (declared && ts.isIdentifier(declared) && declared.text === name) {
      found = true;
      if (imported) unsure = true;
      else {
        const d = n as ts.VariableDeclaration | ts.ParameterDeclaration | ts.PropertyDeclaration;
        const optional = 'questionToken' in d && d.questionToken !== undefined;
        const typed = d.type !== undefined && !undef(d.type);
        const literal = d.initializer !== undefined && ts.isNumericLiteral(skipParens(d.initializer));
        if (optional || !(typed || (d.type === undefined && literal))) unsure = true;
      }
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return found && !unsure;
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

function paren(sf: ts.SourceFile, e: ts.Expression): string {
  const t = sf.text.slice(e.getStart(sf), e.end);
  return ts.isIdentifier(e) || ts.isNumericLiteral(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e) ? t : `(${t})`;
}

/**
 * A capped recursion with a constant delay whose attempt count rises in the call (`this.send(message,
 * attempt + 1)`): its sleep grows with that count. Anything else is a rewrite, not an edit.
 */
function recursionFix(sf: ts.SourceFile, site: RetrySite, title: string): FixResult {
  const { span, capped, delay } = site;
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });
  if (!capped) return refuse('the recursion has no attempt count to cap: rewrite it as a loop, or use a retry library (`p-retry`) with backoff and a limit');
  const call = nodeAtSpan(sf, span, ts.isCallExpression);
  if (!call) return NONE;
  let counter: string | undefined;
  for (const a of call.arguments) {
    if (ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.PlusToken && ts.isIdentifier(a.left) && ts.isNumericLiteral(a.right)) counter = a.left.text;
  }
  if (counter === undefined) return refuse('the attempt count does not rise in the call (`attempt + 1`), so the delay has nothing to grow with');
  // The waits the detector read before the call (not a timer in a closure elsewhere in the function).
  // With no delay, the waits are a 0 ms timer that defers the call (`setTimeout(() => retry(x, attempt + 1), 0)`): it grows from 100 ms, not from 0.
  const amounts = (site.waits ?? []).map((w) => (w.start === w.end ? undefined : nodeAtSpan(sf, w, ts.isExpression)));
  if (delay === 'growing' || !amounts.length || amounts.some((a) => a === undefined)) return refuse('no sleep with a delay precedes the call: wait with backoff before it by hand');
  // A health poll before the call (`while (!(await healthy())) await sleep(500)`): growing its sleep would change the poll.
  if (amounts.some((a) => inNestedLoop(a!, sf))) return refuse('the sleep paces a loop of its own before the call (a poll): wait with backoff before the call by hand');
  const base = (a: ts.Expression): string => (delay === 'none' ? '100' : orDefault(sf, a, 100));
  const edits = amounts.map((a) => ({ span: { start: a!.getStart(sf), end: a!.end }, newText: `Math.random() * Math.min(30000, ${base(a!)} * 2 ** ${counter})` }));
  return { fixes: [{ title, safety: 'suggestion', edits }], refused: [] };
}
