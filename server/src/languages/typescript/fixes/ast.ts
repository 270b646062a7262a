import ts from 'typescript';
import type { ParsedFile } from '../../../engine/language';
import type { Span } from '../../../engine/model';

const ownTrees = new WeakMap<ParsedFile, ts.SourceFile>();

/**
 * The file's syntax tree with parent pointers: the frontend's own when it has them and still matches
 * the text at `probe` (a tree later handed to an incremental reparse is mutated in place), else a
 * fresh parse, kept for the other findings of the same parse.
 */
export function sourceFileOf(parsed: ParsedFile, probe?: Span): ts.SourceFile {
  const tree = parsed.tree as ts.SourceFile | undefined;
  if (tree && typeof tree === 'object' && tree.kind === ts.SyntaxKind.SourceFile && tree.text === parsed.text) {
    const first = tree.statements[0];
    const hasParents = !first || first.parent !== undefined;
    if (hasParents && (!probe || matches(tree, probe))) return tree;
  }
  let own = ownTrees.get(parsed);
  if (!own) ownTrees.set(parsed, (own = ts.createSourceFile(parsed.path, parsed.text, ts.ScriptTarget.Latest, true, scriptKind(parsed.path))));
  return own;
}

/** True when some node of the tree spans exactly `span` (an empty span always matches). */
function matches(sf: ts.SourceFile, span: Span): boolean {
  if (span.start === span.end) return true;
  return nodeAtSpan(sf, span, (n): n is ts.Node => n.end <= sf.text.length) !== undefined;
}

/** The script kind for a path, so `.js` files are parsed as JavaScript and `.tsx` with JSX. */
export function scriptKind(path: string): ts.ScriptKind {
  const ext = /\.[^./\\]+$/.exec(path)?.[0]?.toLowerCase() ?? '.ts';
  if (ext === '.tsx') return ts.ScriptKind.TSX;
  if (ext === '.jsx') return ts.ScriptKind.JSX;
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** True for `.ts`-family paths (type annotations allowed). */
export function isTypeScriptPath(path: string): boolean {
  return /\.(ts|tsx|mts|cts)$/i.test(path);
}

/** The innermost node whose span (without leading trivia) is exactly `span`, optionally of a wanted kind. */
export function nodeAtSpan<T extends ts.Node>(sf: ts.SourceFile, span: Span, test: (n: ts.Node) => n is T): T | undefined {
  let found: T | undefined;
  const visit = (node: ts.Node): void => {
    if (node.pos > span.start || node.end < span.end) return;
    if (node.getStart(sf) === span.start && node.end === span.end && test(node)) found = node;
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}

/** The innermost node of a kind that contains `span`. */
export function nodeContaining<T extends ts.Node>(sf: ts.SourceFile, span: Span, test: (n: ts.Node) => n is T): T | undefined {
  let found: T | undefined;
  const visit = (node: ts.Node): void => {
    if (node.getStart(sf) > span.start || node.end < span.end) return;
    if (test(node)) found = node;
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}

/** A function-like node that can hold `await` once it is made async. */
export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.ConstructorDeclaration;

export function isFunctionNode(n: ts.Node): n is FunctionNode {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isGetAccessorDeclaration(n) ||
    ts.isSetAccessorDeclaration(n) ||
    ts.isConstructorDeclaration(n)
  );
}

/** The nearest enclosing function of a node, or `undefined` at module level. */
export function enclosingFunction(node: ts.Node): FunctionNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionNode(n)) return n;
  return undefined;
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

export function isAsyncFunction(fn: FunctionNode): boolean {
  return hasModifier(fn, ts.SyntaxKind.AsyncKeyword);
}

/** The text of a node as written. */
export function textOf(sf: ts.SourceFile, node: ts.Node): string {
  return sf.text.slice(node.getStart(sf), node.end);
}

export function spanOf(sf: ts.SourceFile, node: ts.Node): Span {
  return { start: node.getStart(sf), end: node.end };
}

/** The whitespace at the start of the line containing `offset`. */
export function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/**
 * True when an `await X` put in place of `node` needs parentheses: the node is the receiver of a
 * member access or call, a tagged template, a non-null assertion, or the left operand of `**`.
 */
export function needsParensAsAwait(node: ts.Node): boolean {
  const p = node.parent;
  if (!p) return false;
  if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === node) return true;
  if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === node) return true;
  if (ts.isTaggedTemplateExpression(p) && p.tag === node) return true;
  if (ts.isNonNullExpression(p)) return true;
  if (ts.isBinaryExpression(p) && p.left === node && p.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) return true;
  return false;
}

const namesCache = new WeakMap<ts.SourceFile, Set<string>>();

/** Every name bound or read anywhere in the file (member names aside), to pick names that do not collide. */
export function identifierNames(sf: ts.SourceFile): ReadonlySet<string> {
  const cached = namesCache.get(sf);
  if (cached) return cached;
  const names = new Set<string>();
  namesCache.set(sf, names);
  const visit = (n: ts.Node): void => {
    // A member name (`fs.promises.readFile`, `{ readFile: … }`) does not take the name in scope.
    const p = n.parent;
    const member = p && (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === n;
    if (ts.isIdentifier(n) && !member) names.add(n.text);
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return names;
}

/** `base`, or `base2`, `base3`… when `base` is already used in the file. */
export function uniqueName(used: ReadonlySet<string>, base: string): string {
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/** A short readable form of a callee for titles: `db.prepare(…).get`, without comments or arguments. */
export function calleeLabel(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(e)) return `${calleeLabel(e.expression)}.${e.name.text}`;
  if (ts.isCallExpression(e)) return `${calleeLabel(e.expression)}(…)`;
  if (ts.isElementAccessExpression(e)) return `${calleeLabel(e.expression)}[…]`;
  if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) return calleeLabel(e.expression);
  return '…';
}
