/**
 * The `await-holding-lock` fix reviewers apply by hand: an awaited call that reads nothing the lock
 * guards moves out of the locked section, after the release when it is the section's last
 * statement, before the acquisition when it is the first. A suggestion: the call no longer runs
 * under the lock, which is the point, and its order against the section's other work is kept.
 */
import ts from 'typescript';
import type { Finding, Fix, RefusedFix, TextEdit } from '../../../engine/finding';
import type { ParsedFile } from '../../../engine/language';
import type { HeldRegion } from '../../../engine/model';
import { calleeLabel, isFunctionNode, lineIndent, nodeAtSpan, nodeContaining } from './ast';
import type { BuildInput } from './blocking';
import { narrowAroundAwait } from './lock-narrow';

type Result = { fix?: Fix; refused?: RefusedFix };

/** Where the locked section's statements are, and the statements outside it to move around. */
interface Section {
  readonly body: readonly ts.Statement[];
  /** The statement that takes the lock (an insertion before it runs before the acquisition). */
  readonly acquire: ts.Statement;
  /** The statement after which the lock is released (an insertion after it runs unlocked). */
  readonly release: ts.Statement;
  /** Names declared in the scope the moved statement lands in. */
  readonly outerNames: ReadonlySet<string>;
}

const isList = (n: ts.Node): n is ts.Block | ts.SourceFile | ts.CaseClause | ts.DefaultClause => ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n);

/** The statement of a statement list that contains `node`. */
function statementOf(node: ts.Node): ts.Statement | undefined {
  let n: ts.Node = node;
  while (n.parent && !isList(n.parent)) {
    if (isFunctionNode(n.parent)) return undefined;
    n = n.parent;
  }
  return n.parent ? (n as ts.Statement) : undefined;
}

function declared(statements: readonly ts.Statement[]): Set<string> {
  const names = new Set<string>();
  const addBinding = (b: ts.BindingName): void => {
    if (ts.isIdentifier(b)) names.add(b.text);
    else for (const e of b.elements) if (!ts.isOmittedExpression(e)) addBinding(e.name);
  };
  for (const s of statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) addBinding(d.name);
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) names.add(s.name.text);
  }
  return names;
}

function sectionOf(sf: ts.SourceFile, region: HeldRegion): Section | undefined {
  if (region.release === 'callback') {
    const fn = nodeAtSpan(sf, region.span, isFunctionNode);
    if (!fn?.body || !ts.isBlock(fn.body)) return undefined;
    const outer = statementOf(fn);
    if (!outer) return undefined;
    return { body: fn.body.statements, acquire: outer, release: outer, outerNames: declared((outer.parent as ts.Block).statements) };
  }
  if (region.release !== 'finally' && region.release !== 'explicit') return undefined;
  const acquireAwait = nodeContaining(sf, region.acquireSpan, ts.isAwaitExpression);
  const acquire = acquireAwait && statementOf(acquireAwait);
  if (!acquire || !region.releaseSpan) return undefined;
  const list = (acquire.parent as ts.Block).statements;
  const next = list[list.indexOf(acquire) + 1];
  if (!next) return undefined;
  const outerNames = declared(list);
  if (region.release === 'finally') {
    // `const release = await m.acquire(); try { … } finally { release(); }`, with no catch: moving out
    // of the `try` would take the call out of the handler.
    if (!ts.isTryStatement(next) || next.catchClause || !next.finallyBlock || next.finallyBlock.pos > region.releaseSpan.start || region.releaseSpan.end > next.finallyBlock.end) return undefined;
    return { body: next.tryBlock.statements, acquire, release: next, outerNames };
  }
  const releaseStmt = list.find((s) => s.pos <= region.releaseSpan!.start && region.releaseSpan!.end <= s.end);
  if (!releaseStmt) return undefined;
  const body = list.slice(list.indexOf(acquire) + 1, list.indexOf(releaseStmt));
  return { body, acquire, release: releaseStmt, outerNames: declared(list.filter((s) => !body.includes(s))) };
}

/** The names an expression reads (member names and object keys aside), and whether it reads `this`. */
function reads(node: ts.Node): { names: Set<string>; usesThis: boolean } {
  const names = new Set<string>();
  let usesThis = false;
  const visit = (n: ts.Node): void => {
    if (n.kind === ts.SyntaxKind.ThisKeyword) usesThis = true;
    const p = n.parent;
    const member = p && (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p)) && p.name === n;
    if (ts.isIdentifier(n) && !member) names.add(n.text);
    if (ts.isShorthandPropertyAssignment(n)) names.add(n.name.text);
    n.forEachChild(visit);
  };
  visit(node);
  return { names, usesThis };
}

/** Names written anywhere in the statements: assigned, incremented, or declared. */
function written(statements: readonly ts.Statement[]): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && ts.isIdentifier(n.left)) names.add(n.left.text);
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && ts.isIdentifier(n.operand)) names.add(n.operand.text);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) names.add(n.name.text);
    n.forEachChild(visit);
  };
  statements.forEach(visit);
  return names;
}

/** Module-level variables holding data (not functions, classes or imports): state a lock may guard. */
function moduleState(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const s of sf.statements) {
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      const init = d.initializer;
      const code = init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isClassExpression(init) || (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require'));
      if (!code && ts.isIdentifier(d.name)) names.add(d.name.text);
    }
  }
  return names;
}

/** The statement's text with its lines re-indented from `from` to `to`. */
function reindent(text: string, from: string, to: string, eol: string): string {
  return text
    .split(/\r?\n/)
    .map((line, i) => (i === 0 ? line : line.startsWith(from) ? to + line.slice(from.length) : line))
    .join(eol);
}

/** Moves the awaited statement at the finding's yield point out of the locked section, when that is safe to suggest. */
export function moveOutOfLockFix(finding: Finding, parsed: ParsedFile, input: BuildInput): Result {
  const model = parsed.model;
  const region = finding.data?.regionId === undefined ? undefined : model.heldRegions[finding.data.regionId];
  const point = finding.data?.yieldId === undefined ? undefined : model.yieldPoints[finding.data.yieldId];
  if (!region || !point) return {};
  const { sf, style } = input;
  const awaited = nodeContaining(sf, point.keywordSpan, ts.isAwaitExpression);
  if (!awaited) return {};
  const label = ts.isCallExpression(awaited.expression) ? `${calleeLabel(awaited.expression.expression)}(…)` : '…';
  const title = `Move \`await ${label}\` out of the locked section`;
  const refuse = (reason: string): Result => ({ refused: { title, reason } });
  const section = sectionOf(sf, region);
  if (!section) return refuse(`the lock on \`${region.lock}\` is not taken and released in one block of statements`);
  const stmt = section.body.find((s) => s.pos <= awaited.pos && awaited.end <= s.end);
  if (!stmt) return {};
  const unwrap = (e: ts.Expression): ts.Expression => (ts.isParenthesizedExpression(e) ? unwrap(e.expression) : e);
  const decl = ts.isVariableStatement(stmt) && stmt.declarationList.declarations.length === 1 ? stmt.declarationList.declarations[0] : undefined;
  const simple = (ts.isExpressionStatement(stmt) && unwrap(stmt.expression) === awaited) || (decl && ts.isIdentifier(decl.name) && decl.initializer && unwrap(decl.initializer) === awaited);
  if (!simple) return refuse('the `await` is part of a larger statement under the lock (a condition, a loop, or a write to what the lock guards): release the lock before it and take it again after, if nothing guarded is read across it');
  const { names, usesThis } = reads(awaited.expression);
  if (usesThis) return refuse('the awaited call reads `this`, whose fields the lock may guard');
  const index = section.body.indexOf(stmt);
  const inSection = written(section.body.filter((s) => s !== stmt));
  const state = moduleState(sf);
  const guardedRead = [...names].find((n) => inSection.has(n) || state.has(n));
  if (guardedRead !== undefined) return refuse(`the awaited call reads \`${guardedRead}\`, which ${inSection.has(guardedRead) ? 'is set under the lock' : 'is module state the lock may guard'}`);
  const bound = decl && ts.isIdentifier(decl.name) ? decl.name.text : undefined;
  const last = index === section.body.length - 1;
  // Narrowing keeps the statement in its scope only for an explicit release; out of a callback or a `try` it leaves it.
  const leavesScope = last || index === 0 || region.release !== 'explicit';
  if (leavesScope && bound !== undefined && section.outerNames.has(bound)) return refuse(`\`${bound}\` is also declared outside the locked section`);
  if (!last && index !== 0) {
    // Work under the lock on both sides: moving the call would reorder it; release around it instead.
    const readAfter = new Set<string>();
    for (const s of section.body.slice(index + 1)) for (const n of reads(s).names) readAfter.add(n);
    const narrowed = narrowAroundAwait({ sf, style, region, acquire: section.acquire, release: section.release, body: section.body, stmt, setBefore: written(section.body.slice(0, index)), readAfter, label });
    return { ...(narrowed.fix ? { fix: narrowed.fix } : {}), ...(narrowed.refused ? { refused: { ...narrowed.refused, reason: `other work under the lock runs before and after it, so it cannot move out; and ${narrowed.refused.reason}` } } : {}) };
  }
  const text = sf.text;
  const eol = style.eol;
  // Comments on the lines above the statement describe it: they move with it.
  const comments = ts.getLeadingCommentRanges(text, stmt.pos) ?? [];
  const stmtStart = comments[0]?.pos ?? stmt.getStart(sf);
  const lineStart = text.lastIndexOf('\n', stmtStart - 1) + 1;
  if (text.slice(lineStart, stmtStart).trim() !== '') return {};
  let lineEnd = text.indexOf('\n', stmt.end);
  if (lineEnd < 0) lineEnd = text.length;
  // A trailing comment on the statement's line goes with it.
  const moved = text.slice(stmtStart, lineEnd).replace(/\r$/, '').trimEnd();
  const anchor = last ? section.release : section.acquire;
  const indent = lineIndent(text, anchor.getStart(sf));
  const body = reindent(moved, lineIndent(text, stmtStart), indent, eol);
  const removal: TextEdit = { span: { start: lineStart, end: Math.min(lineEnd + 1, text.length) }, newText: '' };
  let insertion: TextEdit;
  if (last) {
    let after = text.indexOf('\n', anchor.end);
    if (after < 0) after = text.length;
    const lineBreak = text.slice(after - 1, after) === '\r' ? after - 1 : after;
    insertion = { span: { start: lineBreak, end: lineBreak }, newText: `${eol}${indent}${body}` };
  } else {
    const at = text.lastIndexOf('\n', anchor.getStart(sf) - 1) + 1;
    insertion = { span: { start: at, end: at }, newText: `${indent}${body}${eol}` };
  }
  const where = last ? 'after the lock is released' : 'before the lock is taken';
  return { fix: { title: `Move \`await ${label}\` ${where} (it reads nothing the locked section writes)`, safety: 'suggestion', edits: [removal, insertion] } };
}
