/**
 * Pathological nesting: the TypeScript parser recurses once or more per level, so a few hundred
 * nested callbacks or a thousand nested `if`s overflow the stack and the whole file would be lost.
 * {@link flattenDeepNesting} blanks the inside of every bracket opened deeper than a limit (newlines
 * kept, so every position outside stays where it was); the shallow code of the file then parses
 * and is analysed as usual, and the caller says once what was not.
 */
import ts from 'typescript';

/** The result of {@link flattenDeepNesting}: the text to parse and where the first blanked region starts. */
export interface Flattened {
  readonly text: string;
  /** Offset of the first bracket whose inside was blanked; `undefined` when nothing was deep enough. */
  readonly cut: number | undefined;
}

const OPEN = new Set([ts.SyntaxKind.OpenBraceToken, ts.SyntaxKind.OpenBracketToken, ts.SyntaxKind.OpenParenToken, ts.SyntaxKind.TemplateHead]);
const CLOSE = new Set([ts.SyntaxKind.CloseBraceToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.CloseParenToken]);
/** Tokens after which a `/` divides; anywhere else it starts a regular expression. */
const ENDS_EXPRESSION = new Set([
  ts.SyntaxKind.Identifier, ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.CloseBraceToken,
  ts.SyntaxKind.NumericLiteral, ts.SyntaxKind.StringLiteral, ts.SyntaxKind.BigIntLiteral, ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateTail, ts.SyntaxKind.ThisKeyword, ts.SyntaxKind.SuperKeyword,
  ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword, ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken,
]);

/**
 * Blanks the contents of brackets nested deeper than `maxDepth`. A blanked `( … )` keeps a `0` so
 * that it stays an expression; `{ … }` and `[ … ]` stay valid as they are. Iterative: any depth.
 */
export function flattenDeepNesting(text: string, maxDepth: number, languageVariant: ts.LanguageVariant = ts.LanguageVariant.Standard): Flattened {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, languageVariant, text);
  // The kind of each open bracket (`TemplateHead` for `${`), innermost last.
  const stack: ts.SyntaxKind[] = [];
  let blankFrom = -1;
  let blankKind = ts.SyntaxKind.Unknown;
  const regions: [number, number, ts.SyntaxKind][] = [];
  let previous = ts.SyntaxKind.Unknown;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && !ENDS_EXPRESSION.has(previous)) kind = scanner.reScanSlashToken();
    if (kind === ts.SyntaxKind.CloseBraceToken && stack[stack.length - 1] === ts.SyntaxKind.TemplateHead) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === ts.SyntaxKind.TemplateMiddle) {
        previous = kind;
        continue;
      }
    }
    if (OPEN.has(kind)) {
      stack.push(kind);
      if (stack.length === maxDepth + 1 && blankFrom < 0) {
        blankFrom = scanner.getTokenEnd();
        blankKind = kind;
      }
    } else if (CLOSE.has(kind) || kind === ts.SyntaxKind.TemplateTail) {
      if (stack.length === maxDepth + 1 && blankFrom >= 0) {
        regions.push([blankFrom, scanner.getTokenStart(), blankKind]);
        blankFrom = -1;
      }
      stack.pop();
    }
    previous = kind;
  }
  if (blankFrom >= 0) regions.push([blankFrom, text.length, blankKind]);
  if (regions.length === 0) return { text, cut: undefined };
  let out = '';
  let at = 0;
  for (const [from, to, kind] of regions) {
    const blank = text.slice(from, to).replace(/[^\r\n\u2028\u2029]/g, ' ');
    out += text.slice(at, from) + (kind === ts.SyntaxKind.OpenParenToken && blank.length > 0 ? `0${blank.slice(1)}` : blank);
    at = to;
  }
  out += text.slice(at);
  return { text: out, cut: regions[0]![0] };
}

const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/g;

/** `text` with `[from, to)` blanked, line breaks kept. */
function blank(text: string, from: number, to: number): string {
  return from >= to ? text : text.slice(0, from) + text.slice(from, to).replace(/[^\r\n\u2028\u2029]/g, ' ') + text.slice(to);
}

/** The innermost statement (a child of a block, a module body, a case or the file) that contains `at`. */
function statementAt(sf: ts.SourceFile, at: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  let node: ts.Node = sf;
  for (;;) {
    const holdsStatements = ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node);
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => (c.pos <= at && at < c.end ? c : undefined));
    if (!child) return found;
    if (holdsStatements) found = child;
    node = child;
  }
}

/**
 * The last resort when blanking deep brackets is not enough: a chain of a thousand arrow functions
 * or JSX elements nests without brackets. Finds, line by line, where the parser first overflows,
 * and blanks whole lines from the start of the statement it is in up to the first line after which
 * the rest of the file parses; positions outside stay where they were, so the code before and after
 * is analysed. About twice the logarithm of the line count in parses. `parse` returns `undefined`
 * when the parser overflows; the result is `undefined` when even blanking to the end does not help.
 */
export function blankOverflowingStatement(text: string, parse: (text: string) => ts.SourceFile | undefined): { sf: ts.SourceFile; cut: number } | undefined {
  const starts = [0];
  for (const m of text.matchAll(LINE_BREAK)) starts.push(m.index + m[0].length);
  const lines = starts.length;
  const lineStart = (line: number): number => (line >= lines ? text.length : starts[line]!);
  // Whether a parse overflows the stack depends on the stack the engine has at that moment (frame
  // sizes change as code is optimised), so a text that parsed once may overflow when parsed again:
  // every tree a step found is kept, never parsed twice.
  // The longest prefix of whole lines that parses: lines [0, ok) parse, lines [0, ok] overflow.
  let ok = 0;
  let prefix = parse(blank(text, 0, text.length));
  if (!prefix) return undefined;
  let over = lines;
  while (over - ok > 1) {
    const mid = (ok + over) >> 1;
    const sf = parse(blank(text, lineStart(mid), text.length));
    if (sf) {
      ok = mid;
      prefix = sf;
    } else over = mid;
  }
  // The overflowing construct began in the statement the prefix ends in when that statement is
  // unfinished (the parser reports an error at its end); otherwise it begins on line `ok`.
  const lastCode = text.slice(0, lineStart(ok)).trimEnd().length - 1;
  const errors = (prefix as unknown as { parseDiagnostics?: readonly { start: number }[] }).parseDiagnostics ?? [];
  let first = ok;
  if (lastCode >= 0 && errors.some((e) => e.start >= lastCode)) {
    const statement = statementAt(prefix, lastCode);
    const start = statement ? statement.getStart(prefix) : 0;
    while (first > 0 && lineStart(first) > start) first--;
  }
  // The fewest lines from there on whose blanking lets the whole file parse.
  const from = lineStart(first);
  let whole = first === ok ? prefix : parse(blank(text, from, text.length));
  if (!whole) return undefined;
  let short = ok;
  let enough = lines;
  while (enough - short > 1) {
    const mid = (short + enough) >> 1;
    const sf = parse(blank(text, from, lineStart(mid)));
    if (sf) {
      enough = mid;
      whole = sf;
    } else short = mid;
  }
  return { sf: whole, cut: from };
}
