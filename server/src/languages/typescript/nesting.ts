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
