/**
 * Small syntax helpers shared by the frontend and the fix builder. `node.parent` is set on every
 * tree that came from {@link sourceFileOf}: the frontend's walk sets it, and a fresh parse asks
 * TypeScript for it.
 */
import ts from 'typescript';
import type { ParsedFile } from '../../engine/language';
import type { Span } from '../../engine/model';

/** The script kind for a path: `.js`-family files are parsed as JavaScript, `.tsx`/`.jsx` with JSX. */
export function scriptKindFor(path: string): ts.ScriptKind {
  const dot = path.lastIndexOf('.');
  const ext = dot < 0 ? '' : path.slice(dot).toLowerCase();
  switch (ext) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    default:
      return ts.ScriptKind.TS;
  }
}

/**
 * Parses a file. Without `parents`, parent pointers are left for the frontend's walk to set (it
 * visits every node anyway); pass `true` for a tree used without that walk. Throws `RangeError` on
 * pathological nesting.
 */
export function parseSourceFile(text: string, path: string, parents = false): ts.SourceFile {
  // JSDoc is never read here (no type checker): skipping it saves a good part of the parse.
  return ts.createSourceFile(path, text, PARSE_OPTIONS, parents, scriptKindFor(path));
}

const PARSE_OPTIONS: ts.CreateSourceFileOptions = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };

/** The TypeScript tree of a parsed file, re-parsing when the frontend kept none (closed file, failed parse). */
export function sourceFileOf(parsed: ParsedFile): ts.SourceFile {
  const tree = parsed.tree as ts.SourceFile | undefined;
  if (tree && typeof tree === 'object' && tree.kind === ts.SyntaxKind.SourceFile && tree.text === parsed.text) return tree;
  return parseSourceFile(parsed.text, parsed.path, true);
}

/** The first position at or after `pos` that is not whitespace or a comment (or a leading `#!` line). */
export function skipTrivia(text: string, pos: number): number {
  const len = text.length;
  while (pos < len) {
    const c = text.charCodeAt(pos);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) {
      pos++;
    } else if (c === 47 && text.charCodeAt(pos + 1) === 47) {
      pos += 2;
      while (pos < len && !isLineBreak(text.charCodeAt(pos))) pos++;
    } else if (c === 47 && text.charCodeAt(pos + 1) === 42) {
      const close = text.indexOf('*/', pos + 2);
      pos = close < 0 ? len : close + 2;
    } else if (c === 35 && pos === 0 && text.charCodeAt(1) === 33) {
      while (pos < len && !isLineBreak(text.charCodeAt(pos))) pos++;
    } else break;
  }
  return pos;
}

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** Start of a node without its leading trivia; cheaper than `getStart` and never reads JSDoc. */
export function startOf(node: ts.Node, text: string): number {
  return skipTrivia(text, node.pos);
}

/** The span of a node without its leading trivia. */
export function spanOf(node: ts.Node, text: string): Span {
  return { start: skipTrivia(text, node.pos), end: node.end };
}

/**
 * The innermost node whose span (without trivia) is exactly `span`, or, when none matches
 * exactly, the innermost node that contains it. Iterative, so deep trees cannot overflow.
 */
export function findNodeAtSpan(sf: ts.SourceFile, span: Span): ts.Node | undefined {
  const text = sf.text;
  let exact: ts.Node | undefined;
  let containing: ts.Node | undefined;
  let current: ts.Node | undefined = sf;
  while (current) {
    const node: ts.Node = current;
    current = undefined;
    T.forEachChild(node, (child) => {
      if (current || child.pos > span.start || child.end < span.end) return;
      const start = skipTrivia(text, child.pos);
      if (start > span.start) return;
      containing = child;
      if (start === span.start && child.end === span.end) exact = child;
      current = child;
    });
  }
  return exact ?? containing;
}

/**
 * TypeScript's module object exposes its API through getters, one function call per `ts.x` read.
 * A plain object of the members the frontend uses, made once, turns the hot paths'
 * `T.isIdentifier(…)` into a property load. It lists them by name: a copy of the whole module
 * (2,000+ members) is a dictionary-mode object in V8, where each read is a hash lookup and no call
 * through it is inlined. A member missing here is a compile error (add it to the list).
 */
export const T = {
  canHaveModifiers: ts.canHaveModifiers,
  factory: ts.factory,
  forEachChild: ts.forEachChild,
  getModifiers: ts.getModifiers,
  isArrayBindingPattern: ts.isArrayBindingPattern,
  isArrayLiteralExpression: ts.isArrayLiteralExpression,
  isArrowFunction: ts.isArrowFunction,
  isAwaitExpression: ts.isAwaitExpression,
  isBinaryExpression: ts.isBinaryExpression,
  isBindingElement: ts.isBindingElement,
  isBlock: ts.isBlock,
  isBreakStatement: ts.isBreakStatement,
  isCallExpression: ts.isCallExpression,
  isConditionalExpression: ts.isConditionalExpression,
  isCaseClause: ts.isCaseClause,
  isCatchClause: ts.isCatchClause,
  isClassDeclaration: ts.isClassDeclaration,
  isClassExpression: ts.isClassExpression,
  isClassLike: ts.isClassLike,
  isConstructorDeclaration: ts.isConstructorDeclaration,
  isContinueStatement: ts.isContinueStatement,
  isDecorator: ts.isDecorator,
  isDefaultClause: ts.isDefaultClause,
  isDeleteExpression: ts.isDeleteExpression,
  isDoStatement: ts.isDoStatement,
  isElementAccessExpression: ts.isElementAccessExpression,
  isEnumDeclaration: ts.isEnumDeclaration,
  isExportAssignment: ts.isExportAssignment,
  isExportDeclaration: ts.isExportDeclaration,
  isExpressionStatement: ts.isExpressionStatement,
  isExternalModuleReference: ts.isExternalModuleReference,
  isForInStatement: ts.isForInStatement,
  isForOfStatement: ts.isForOfStatement,
  isForStatement: ts.isForStatement,
  isFunctionDeclaration: ts.isFunctionDeclaration,
  isFunctionExpression: ts.isFunctionExpression,
  isFunctionLike: ts.isFunctionLike,
  isGetAccessor: ts.isGetAccessor,
  isIdentifier: ts.isIdentifier,
  isIfStatement: ts.isIfStatement,
  isImportDeclaration: ts.isImportDeclaration,
  isIterationStatement: ts.isIterationStatement,
  isMethodDeclaration: ts.isMethodDeclaration,
  isModuleBlock: ts.isModuleBlock,
  isModuleDeclaration: ts.isModuleDeclaration,
  isNamedExports: ts.isNamedExports,
  isNamespaceExport: ts.isNamespaceExport,
  isNamespaceImport: ts.isNamespaceImport,
  isNewExpression: ts.isNewExpression,
  isNumericLiteral: ts.isNumericLiteral,
  isObjectBindingPattern: ts.isObjectBindingPattern,
  isObjectLiteralExpression: ts.isObjectLiteralExpression,
  isPostfixUnaryExpression: ts.isPostfixUnaryExpression,
  isPrefixUnaryExpression: ts.isPrefixUnaryExpression,
  isPrivateIdentifier: ts.isPrivateIdentifier,
  isPropertyAccessExpression: ts.isPropertyAccessExpression,
  isPropertyAssignment: ts.isPropertyAssignment,
  isPropertyDeclaration: ts.isPropertyDeclaration,
  isQualifiedName: ts.isQualifiedName,
  isReturnStatement: ts.isReturnStatement,
  isShorthandPropertyAssignment: ts.isShorthandPropertyAssignment,
  isSourceFile: ts.isSourceFile,
  isSpreadAssignment: ts.isSpreadAssignment,
  isSpreadElement: ts.isSpreadElement,
  isStringLiteral: ts.isStringLiteral,
  isStringLiteralLike: ts.isStringLiteralLike,
  isSwitchStatement: ts.isSwitchStatement,
  isThrowStatement: ts.isThrowStatement,
  isTryStatement: ts.isTryStatement,
  isTypeOfExpression: ts.isTypeOfExpression,
  isTypeReferenceNode: ts.isTypeReferenceNode,
  isVariableDeclaration: ts.isVariableDeclaration,
  isVariableDeclarationList: ts.isVariableDeclarationList,
  isVariableStatement: ts.isVariableStatement,
  isVoidExpression: ts.isVoidExpression,
  isWhileStatement: ts.isWhileStatement,
} satisfies Partial<typeof ts>;

// Kinds read once for the hot helpers below.
const SK = ts.SyntaxKind;
const WRAPPERS: ReadonlySet<ts.SyntaxKind> = new Set([SK.ParenthesizedExpression, SK.AsExpression, SK.NonNullExpression, SK.SatisfiesExpression, SK.TypeAssertionExpression]);

/**
 * Strips parentheses, `as`/`satisfies`/type assertions, non-null assertions and the `0, ` of an
 * indirect call's head (`(0, fs_1.readFileSync)`: see {@link indirectCallee}).
 */
export function unwrap(node: ts.Expression): ts.Expression {
  let e = node;
  for (;;) {
    if (WRAPPERS.has(e.kind)) e = (e as ts.ParenthesizedExpression).expression;
    else if (e.kind === SK.BinaryExpression && isIndirectHead(e as ts.BinaryExpression)) e = (e as ts.BinaryExpression).right;
    else return e;
  }
}

/** `0, f`: a comma expression whose value is `f`, written only to call `f` without a `this`. */
function isIndirectHead(b: ts.BinaryExpression): boolean {
  return b.operatorToken.kind === SK.CommaToken && b.left.kind === SK.NumericLiteral && (b.left as ts.NumericLiteral).text === '0';
}

/**
 * The function an indirect call calls: tsc's and Babel's CommonJS output call an imported function
 * as `(0, fs_1.readFileSync)(…)` (so that `this` is not the module object); the call is of
 * `fs_1.readFileSync`. `undefined` for any other callee.
 */
export function indirectCallee(callee: ts.Expression): ts.Expression | undefined {
  if (callee.kind !== SK.ParenthesizedExpression) return undefined;
  const inner = (callee as ts.ParenthesizedExpression).expression;
  return inner.kind === SK.BinaryExpression && isIndirectHead(inner as ts.BinaryExpression) ? (inner as ts.BinaryExpression).right : undefined;
}

/** The parent of a node, skipping parentheses and type-only wrappers. */
export function outerParent(node: ts.Node): ts.Node | undefined {
  let p = node.parent;
  while (p && WRAPPERS.has(p.kind)) p = p.parent;
  return p;
}

/** True for function-like nodes with a body: declarations, expressions, arrows, methods, accessors, constructors. */
const FUNCTION_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([SK.FunctionDeclaration, SK.FunctionExpression, SK.ArrowFunction, SK.MethodDeclaration, SK.Constructor, SK.GetAccessor, SK.SetAccessor]);

export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return FUNCTION_KINDS.has(node.kind);
}

/** True when the function has the `async` modifier. */
export function isAsyncFunction(node: ts.FunctionLikeDeclaration): boolean {
  // `node.modifiers` directly: `ts.getModifiers` filters decorators out into a new array.
  const mods = (node as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (!mods) return false;
  for (const m of mods) if (m.kind === ASYNC) return true;
  return false;
}

const ASYNC = ts.SyntaxKind.AsyncKeyword;

/** The text of a name node (identifier, private name, string or numeric literal), if it has one. */
export function nameText(name: ts.Node | undefined): string | undefined {
  if (!name) return undefined;
  if (T.isIdentifier(name) || T.isPrivateIdentifier(name) || T.isStringLiteral(name) || T.isNumericLiteral(name)) return name.text;
  return undefined;
}

const MAX_TEXT = 400;

/** Source text of a node with whitespace normalised: runs collapse to one space, none around `.`/`?.`. */
export function normalisedText(text: string, start: number, end: number): string {
  // A callee thousands of characters long (a generated call chain) is shown by its ends: slicing
  // it whole for every call in the chain would be quadratic.
  if (end - start > MAX_TEXT) return `${normalisedText(text, start, start + MAX_TEXT / 2)}…${normalisedText(text, end - MAX_TEXT / 4, end)}`;
  const raw = text.slice(start, end);
  let plain = true;
  let slash = false;
  for (let i = start; i < end && plain; i++) {
    const c = text.charCodeAt(i);
    plain = c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 47;
    slash = c === 47;
  }
  if (plain) return raw;
  // A comment in a callee (`fs /* sync on purpose */ .readFileSync`) is not part of the name a message shows.
  const bare = slash || raw.includes('/') ? withoutComments(raw) : raw;
  return bare.replace(/\s+/g, ' ').replace(/ ?(\?\.|\.) ?/g, '$1').trim();
}

const K = ts.SyntaxKind;
/** Tokens after which a `/` divides; after anything else it opens a regular expression. */
const ENDS_OPERAND: ReadonlySet<ts.SyntaxKind> = new Set([
  K.Identifier, K.PrivateIdentifier, K.NumericLiteral, K.BigIntLiteral, K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateTail,
  K.RegularExpressionLiteral, K.CloseParenToken, K.CloseBracketToken, K.CloseBraceToken, K.ThisKeyword, K.SuperKeyword,
  K.TrueKeyword, K.FalseKeyword, K.NullKeyword, K.PlusPlusToken, K.MinusMinusToken,
]);

/**
 * Runs `use` with a scanner over `text` from `start` (standard variant), one scanner per trivia
 * setting made once: `ts.createScanner` builds some fifty closures, and the frontend scans a little
 * of many files (each constructor's first token, each callee written with a comment or a slash).
 * The scanner lets go of the text afterwards, and a nested use gets a scanner of its own.
 */
export function withScanner<R>(skipTrivia: boolean, text: string, start: number, use: (scanner: ts.Scanner) => R): R {
  const slot = skipTrivia ? 1 : 0;
  let scanner = scanners[slot];
  if (scanner === null) return use(ts.createScanner(ts.ScriptTarget.Latest, skipTrivia, ts.LanguageVariant.Standard, text, undefined, start));
  scanner ??= ts.createScanner(ts.ScriptTarget.Latest, skipTrivia, ts.LanguageVariant.Standard);
  scanners[slot] = null;
  try {
    scanner.setText(text, start);
    return use(scanner);
  } finally {
    scanner.setText('');
    // A `// @ts-ignore` scanned is kept in a list that `setText` does not clear (an internal method does).
    const internal = scanner as { clearCommentDirectives?: () => void };
    if (typeof internal.clearCommentDirectives === 'function') {
      internal.clearCommentDirectives();
      scanners[slot] = scanner;
    } else scanners[slot] = undefined;
  }
}

/** The shared scanners of {@link withScanner} (without and with trivia skipped): `null` while in use. */
const scanners: (ts.Scanner | undefined | null)[] = [undefined, undefined];

/** `code` with each comment replaced by a space, read token by token so strings, templates and regexes keep their slashes. */
function withoutComments(code: string): string {
  return withScanner(false, code, 0, (scanner) => commentsBlanked(scanner));
}

function commentsBlanked(scanner: ts.Scanner): string {
  const braces: boolean[] = []; // true for a template's `${`
  let out = '';
  let previous: ts.SyntaxKind = K.Unknown;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if ((kind === K.SlashToken || kind === K.SlashEqualsToken) && !ENDS_OPERAND.has(previous)) kind = scanner.reScanSlashToken();
    else if (kind === K.CloseBraceToken && braces.pop() === true) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === K.TemplateMiddle) braces.push(true);
    } else if (kind === K.OpenBraceToken) braces.push(false);
    else if (kind === K.TemplateHead) braces.push(true);
    if (kind === K.SingleLineCommentTrivia || kind === K.MultiLineCommentTrivia) {
      out += ' ';
      continue;
    }
    out += scanner.getTokenText();
    if (kind !== K.WhitespaceTrivia && kind !== K.NewLineTrivia) previous = kind;
  }
  return out;
}
