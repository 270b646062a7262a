/**
 * The `await-holding-lock` suggestion for an awaited call between other locked work: release the
 * lock before the `await` and take it again after it. Offered only when nothing guarded is read
 * across it: the awaited call reads nothing the section sets, nor `this` or module state (checked
 * by the caller), and nothing the section sets before the `await` is read after it. Still a
 * suggestion: other tasks may take the lock in between and change what it guards, so an invariant
 * the code relied on before the `await` must be checked again after it.
 *
 * `const release = await m.acquire(); … release();`: `release();` before the statement and
 * `release = await m.acquire();` after it (the binding becomes `let`). `try { … } finally {
 * release(); }`: the `try` is split in two around the statement, the second section with its own
 * releaser (`releaseAgain`), so that each `finally` releases only what its `try` took.
 * `await m.runExclusive(async () => { … })`: the callback is split in two around the statement.
 */
import ts from 'typescript';
import type { Fix, RefusedFix, TextEdit } from '../../../engine/finding';
import type { HeldRegion } from '../../../engine/model';
import { isFunctionNode, lineIndent, nodeAtSpan } from './ast';
import type { FileStyle } from './style';
import { semi } from './style';

export type Narrowed = { fix?: Fix; refused?: RefusedFix };

/** What the caller knows of the locked section around the awaited statement. */
export interface NarrowInput {
  readonly sf: ts.SourceFile;
  readonly style: FileStyle;
  readonly region: HeldRegion;
  /** The statement that takes the lock (for a callback, the statement that calls it). */
  readonly acquire: ts.Statement;
  /** The statement that releases it: the `try` statement, the `release()` call, or the callback's call. */
  readonly release: ts.Statement;
  readonly body: readonly ts.Statement[];
  /** The statement of `body` that awaits. */
  readonly stmt: ts.Statement;
  /** Names set under the lock before `stmt`, and names read after it. */
  readonly setBefore: ReadonlySet<string>;
  readonly readAfter: ReadonlySet<string>;
  readonly label: string;
}

function containsReturn(statements: readonly ts.Statement[]): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit || isFunctionNode(n)) return;
    if (ts.isReturnStatement(n)) hit = true;
    else n.forEachChild(visit);
  };
  statements.forEach(visit);
  return hit;
}

function callsName(statements: readonly ts.Statement[], name: string): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name) hit = true;
    else n.forEachChild(visit);
  };
  statements.forEach(visit);
  return hit;
}

/** The statement's lines, with the comments above it: from the start of its first line to its line break. */
function statementLines(sf: ts.SourceFile, stmt: ts.Statement): { start: number; end: number; lineBreak: number } | undefined {
  const text = sf.text;
  const comments = ts.getLeadingCommentRanges(text, stmt.pos) ?? [];
  const first = comments[0]?.pos ?? stmt.getStart(sf);
  const start = text.lastIndexOf('\n', first - 1) + 1;
  if (text.slice(start, first).trim() !== '') return undefined;
  let nl = text.indexOf('\n', stmt.end);
  if (nl < 0) nl = text.length;
  const lineBreak = text[nl - 1] === '\r' ? nl - 1 : nl;
  const rest = text.slice(stmt.end, lineBreak).trim();
  if (rest !== '' && !rest.startsWith('//')) return undefined;
  return { start, end: Math.min(nl + 1, text.length), lineBreak };
}

/** Releases the lock before the awaited statement and takes it again after it, when that is safe to suggest. */
export function narrowAroundAwait(input: NarrowInput): Narrowed {
  const { sf, style, region, stmt, label } = input;
  const title = `Release \`${region.lock}\` before \`await ${label}\` and take it again after it`;
  const refuse = (reason: string): Narrowed => ({ refused: { title, reason } });
  const crossing = [...input.setBefore].find((n) => input.readAfter.has(n));
  if (crossing !== undefined) {
    return refuse(`\`${crossing}\` is set under the lock before the \`await\` and read after it: once the lock is released, other tasks may change what it was read from; read it again after the \`await\``);
  }
  const lines = statementLines(sf, stmt);
  if (!lines) return refuse('the awaited statement shares its lines with other code');
  const text = sf.text;
  const eol = style.eol;
  // The edit runs to the end of the section's last line, so that another fix moving a later statement
  // out of the section in the same fix-all pass overlaps it and waits for the next pass.
  const lastStmt = input.body[input.body.length - 1]!;
  const lastNl = text.indexOf('\n', lastStmt.end);
  const bodyEnd = lastNl < 0 ? text.length : text[lastNl - 1] === '\r' ? lastNl - 1 : lastNl;
  const tail = text.slice(lines.lineBreak, bodyEnd);
  const safety = 'nothing set under the lock before it is read after it; other tasks may change what the lock guards in between: re-check what you rely on';
  if (region.release === 'callback') {
    const fn = nodeAtSpan(sf, region.span, isFunctionNode);
    const outer = input.acquire;
    const unwrap = (e: ts.Expression): ts.Expression => (ts.isParenthesizedExpression(e) ? unwrap(e.expression) : e);
    const awaited = ts.isExpressionStatement(outer) ? unwrap(outer.expression) : undefined;
    const call = awaited && ts.isAwaitExpression(awaited) && ts.isCallExpression(awaited.expression) ? awaited.expression : undefined;
    if (!fn?.body || !ts.isBlock(fn.body) || !call || call.arguments[call.arguments.length - 1] !== fn) {
      return refuse('the callback that holds the lock is not awaited as a statement of its own: its result is used');
    }
    const index = input.body.indexOf(stmt);
    if (containsReturn(input.body.slice(0, index))) return refuse('the callback returns before the `await`: split in two, the work after it would run anyway');
    const outerIndent = lineIndent(text, outer.getStart(sf));
    const header = text.slice(outer.getStart(sf), fn.body.getStart(sf) + 1);
    if (header.includes('\n')) return refuse('the call that takes the lock spans lines before its callback');
    const closing = text.slice(fn.body.end - 1, outer.end);
    const stmtIndent = lineIndent(text, stmt.getStart(sf));
    const moved = text
      .slice(lines.start, lines.lineBreak)
      .split(/\r?\n/)
      .map((line) => (line.startsWith(stmtIndent) ? outerIndent + line.slice(stmtIndent.length) : line))
      .join(eol);
    const newText = `${outerIndent}${closing}${eol}${moved}${eol}${outerIndent}${header}${tail}`;
    return {
      fix: {
        title: `${title}: split the callback in two (${safety})`,
        safety: 'suggestion',
        edits: [{ span: { start: lines.start, end: bodyEnd }, newText }],
      },
    };
  }
  const guard = region.guard;
  const acquire = input.acquire;
  const decl = ts.isVariableStatement(acquire) && acquire.declarationList.declarations.length === 1 ? acquire.declarationList.declarations[0] : undefined;
  if (!guard || !decl || !ts.isIdentifier(decl.name) || decl.name.text !== guard || !decl.initializer || decl.type) {
    return refuse('the lock is not taken as `const release = await lock.acquire()`');
  }
  if (callsName(input.body, guard)) return refuse(`\`${guard}()\` is already called inside the locked section`);
  const indent = lineIndent(text, stmt.getStart(sf));
  const stmtText = text.slice(lines.start, lines.lineBreak);
  const initializer = decl.initializer.getText(sf);
  const edits: TextEdit[] = [];
  if (region.release === 'finally') {
    // Two `try … finally` sections, the second with its own releaser, so each `finally` releases what its `try` took.
    const tryStmt = input.release;
    const releaseAt = region.releaseSpan?.start;
    if (!ts.isTryStatement(tryStmt) || !tryStmt.finallyBlock || releaseAt === undefined || !text.startsWith(guard, releaseAt)) return refuse('the `finally` does not call the releaser by its name');
    let again = `${guard}Again`;
    for (let i = 2; new RegExp(`\\b${again}\\b`).test(text); i++) again = `${guard}Again${i}`;
    const tryIndent = lineIndent(text, tryStmt.getStart(sf));
    const moved = stmtText
      .split(/\r?\n/)
      .map((line) => (line.startsWith(indent) ? tryIndent + line.slice(indent.length) : line))
      .join(eol);
    const finallyText = text.slice(tryStmt.finallyBlock.getStart(sf), tryStmt.finallyBlock.end);
    const newText = `${tryIndent}} finally ${finallyText}${eol}${moved}${eol}${tryIndent}const ${again} = ${initializer}${semi(style)}${eol}${tryIndent}try {${tail}`;
    edits.push({ span: { start: lines.start, end: bodyEnd }, newText });
    edits.push({ span: { start: releaseAt, end: releaseAt + guard.length }, newText: again });
    return { fix: { title: `${title}: split the \`try … finally\` in two (${safety})`, safety: 'suggestion', edits } };
  }
  // `const release = await m.acquire(); … release();`: the release is a plain call, so it can be repeated.
  const releaseText = text.slice(input.release.getStart(sf), input.release.end).replace(/;$/, '');
  if (releaseText !== `${guard}()`) return refuse(`the lock is released with \`${releaseText}\`, not a plain \`${guard}()\``);
  const keyword = (acquire as ts.VariableStatement).declarationList.getStart(sf);
  if (text.startsWith('const', keyword)) edits.push({ span: { start: keyword, end: keyword + 5 }, newText: 'let' });
  else if (!text.startsWith('let', keyword)) return refuse(`\`${guard}\` is declared with \`var\``);
  edits.push({ span: { start: lines.start, end: bodyEnd }, newText: `${indent}${guard}()${semi(style)}${eol}${stmtText}${eol}${indent}${guard} = ${initializer}${semi(style)}${tail}` });
  return { fix: { title: `${title} (${safety})`, safety: 'suggestion', edits } };
}
