/**
 * Pathological nesting: the TypeScript parser recurses once or more per level, so a few hundred
 * nested callbacks or a thousand nested `if`s overflow the stack and the whole file would be lost.
 * {@link flattenDeepNesting} blanks the inside of every bracket opened deeper than a limit (newlines
 * kept, so every position outside stays where it was); the shallow code of the file then parses
 * and is analysed as usual, and the caller says once what was not. {@link blankOverflowingStatements}
 * is the last resort for nesting without brackets (arrow chains, JSX).
 */
import ts from 'typescript';

/** The result of {@link flattenDeepNesting}: the text to parse and where each blanked region starts. */
export interface Flattened {
  readonly text: string;
  /** Offset of the inside of each bracket that was blanked, in order; empty when nothing was deep enough. */
  readonly cuts: readonly number[];
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
  if (regions.length === 0) return { text, cuts: [] };
  let out = '';
  let at = 0;
  for (const [from, to, kind] of regions) {
    const blank = text.slice(from, to).replace(/[^\r\n\u2028\u2029]/g, ' ');
    out += text.slice(at, from) + (kind === ts.SyntaxKind.OpenParenToken && blank.length > 0 ? `0${blank.slice(1)}` : blank);
    at = to;
  }
  out += text.slice(at);
  return { text: out, cuts: regions.map(([from]) => from) };
}


const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/g;

/** Lines `[from, to)` of a text, blanked. */
type LineRange = readonly [from: number, to: number];

/** Ranges sorted, adjacent and overlapping ones merged, empty ones dropped. */
function merged(ranges: readonly LineRange[]): LineRange[] {
  const out: [number, number][] = [];
  for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (from >= to) continue;
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
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
 * The innermost list of statements around `at`, and where what holds it ends (the offset of a
 * block's `}`, the end of the file).
 */
function statementListAt(sf: ts.SourceFile, at: number): { list: ts.NodeArray<ts.Statement>; close: number } {
  let found = { list: sf.statements, close: sf.text.length };
  let node: ts.Node = sf;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => (c.pos <= at && at < c.end ? c : undefined));
    if (!child) return found;
    if ((ts.isBlock(child) || ts.isModuleBlock(child) || ts.isCaseClause(child) || ts.isDefaultClause(child)) && child.statements.pos <= at && at <= child.statements.end) {
      found = { list: child.statements, close: ts.isCaseClause(child) || ts.isDefaultClause(child) ? child.end : child.end - 1 };
    }
    node = child;
  }
}

function parseDiagnostics(sf: ts.SourceFile): readonly { readonly start: number }[] {
  return (sf as unknown as { parseDiagnostics?: readonly { start: number }[] }).parseDiagnostics ?? [];
}

/** Rounds of the search below, in all and for one statement, before the rest is blanked at once. */
const MAX_ROUNDS = 32;
const MAX_ROUNDS_PER_STATEMENT = 8;

/**
 * The last resort when blanking deep brackets is not enough: a chain of a thousand arrow functions
 * or JSX elements nests without brackets. Each round finds, line by line, where the parser first
 * overflows (the longest prefix of lines that parses), walks back to the start of the statement it
 * is in, and blanks from there through the overflowing line; what is left of that statement starts
 * afresh and is blanked by the next round if it is still too deep. Every statement that overflows is
 * blanked on its own: the code between two of them is kept and analysed. What is left of a blanked
 * statement that does not parse (the closing tags of deep JSX) is blanked with it, so that it is
 * not reported as a syntax error of the file. Each round is a search over the file, so a statement
 * that needs more than {@link MAX_ROUNDS_PER_STATEMENT} rounds (thousands of levels more than the
 * parser takes), or a file that needs more than {@link MAX_ROUNDS}, is blanked from that statement's
 * start to where the rest of the file parses, as one cut. Positions outside the blanked lines stay
 * where they were. `parse` returns `undefined` when the parser overflows; `text` must overflow it. The result
 * is the tree and the blanked ranges (offsets, in order), or `undefined` when even blanking to the
 * end does not help.
 */
export function blankOverflowingStatements(text: string, parse: (text: string) => ts.SourceFile | undefined): { sf: ts.SourceFile; cuts: readonly { readonly from: number; readonly to: number }[] } | undefined {
  const starts = [0];
  for (const m of text.matchAll(LINE_BREAK)) starts.push(m.index + m[0].length);
  const lines = starts.length;
  const lineStart = (line: number): number => (line >= lines ? text.length : starts[line]!);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lines - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const blanked = (ranges: readonly LineRange[]): string => {
    let out = '';
    let at = 0;
    for (const [from, to] of merged(ranges)) {
      const a = lineStart(from);
      const b = lineStart(to);
      out += text.slice(at, a) + text.slice(a, b).replace(/[^\r\n\u2028\u2029]/g, ' ');
      at = b;
    }
    return out + text.slice(at);
  };
  // Whether a parse overflows the stack depends on the stack the engine has at that moment (frame
  // sizes change as code is optimised), so a text that parsed once may overflow when parsed again:
  // every tree a step found is kept, never parsed twice.
  let cuts: LineRange[] = [];
  // Lines [0, lo) parse (with the cuts blanked); `known` is the tree of that prefix, the rest blanked.
  let lo = 0;
  let known: ts.SourceFile | undefined;
  let whole: ts.SourceFile | undefined;
  // Lines the last round blanked, and the rounds spent on the statement it blanked.
  let step = 0;
  let rounds = 0;
  for (let round = 0; ; round++) {
    if (round > 0) {
      whole = parse(blanked(cuts));
      if (whole) break;
    }
    if (round === MAX_ROUNDS || rounds === MAX_ROUNDS_PER_STATEMENT) {
      // Too many statements, or one too long (each round costs a search over the file): the fewest
      // lines from the last cut's start on whose blanking lets the whole file parse.
      const [from, to] = cuts[cuts.length - 1]!;
      whole = known;
      let short = to - 1;
      let enough = lines;
      while (enough - short > 1) {
        const mid = (short + enough) >> 1;
        const sf = parse(blanked([...cuts.slice(0, -1), [from, mid]]));
        if (sf) {
          enough = mid;
          whole = sf;
        } else short = mid;
      }
      cuts = merged([...cuts.slice(0, -1), [from, enough]]);
      break;
    }
    // The longest prefix of whole lines that parses: lines [0, ok) parse, lines [0, ok] overflow.
    let ok = lo;
    let prefix = known ?? parse(blanked([...cuts, [lo, lines]]));
    if (!prefix) return undefined;
    let over = lines;
    // What is left of the statement the last round blanked usually overflows again about as far
    // on: search from there in growing steps, then halve the last one.
    for (let ahead = step; ahead > 0 && lo + ahead < over; ahead *= 2) {
      const sf = parse(blanked([...cuts, [lo + ahead, lines]]));
      if (!sf) {
        over = lo + ahead;
        break;
      }
      ok = lo + ahead;
      prefix = sf;
    }
    while (over - ok > 1) {
      const mid = (ok + over) >> 1;
      const sf = parse(blanked([...cuts, [mid, lines]]));
      if (sf) {
        ok = mid;
        prefix = sf;
      } else over = mid;
    }
    // The overflowing construct began in the statement the prefix ends in when that statement is
    // unfinished (the parser reports an error at its end); otherwise it begins on line `ok`. Lines
    // before `lo` parsed before, so it never begins there.
    const lastCode = prefix.text.slice(0, lineStart(ok)).trimEnd().length - 1;
    let first = ok;
    if (lastCode >= lineStart(lo) && parseDiagnostics(prefix).some((e) => e.start >= lastCode)) {
      const statement = statementAt(prefix, lastCode);
      const start = statement ? statement.getStart(prefix) : 0;
      while (first > lo && lineStart(first) > start) first--;
    }
    const from = first === ok ? prefix : first === lo && known ? known : parse(blanked([...cuts, [first, lines]]));
    if (!from) return undefined;
    known = from;
    rounds = first === lo && round > 0 ? rounds + 1 : 1;
    step = ok + 1 - first;
    cuts = merged([...cuts, [first, ok + 1]]);
    lo = ok + 1;
  }
  if (!whole) return undefined;
  const tidied = absorbLeftovers(whole, cuts, lineStart, lineOf);
  const sf = tidied.length === cuts.length && tidied.every(([a, b], i) => a === cuts[i]![0] && b === cuts[i]![1]) ? whole : parse(blanked(tidied));
  if (sf) {
    whole = sf;
    cuts = tidied;
  }
  return { sf: whole, cuts: cuts.map(([from, to]) => ({ from: lineStart(from), to: lineStart(to) })) };
}

/**
 * The cuts, each grown over what is left of its statement when that does not parse: a blanked
 * statement's tail (the closing tags of deep JSX, a `)` whose `(` was blanked) becomes statements
 * with syntax errors, which would be analysed as code and reported as the file's syntax error. A
 * tail that parses (the last arrows of a chain) is kept: it is code of the file.
 */
function absorbLeftovers(sf: ts.SourceFile, cuts: readonly LineRange[], lineStart: (line: number) => number, lineOf: (offset: number) => number): LineRange[] {
  const errors = parseDiagnostics(sf)
    .map((d) => d.start)
    .sort((a, b) => a - b);
  const dirty = (from: number, to: number): boolean => {
    let lo = 0;
    let hi = errors.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (errors[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < errors.length && errors[lo]! < to;
  };
  const out: LineRange[] = [];
  for (const [i, [from, to]] of cuts.entries()) {
    const end = lineStart(to);
    const limit = i + 1 < cuts.length ? lineStart(cuts[i + 1]![0]) : sf.text.length;
    const { list, close } = statementListAt(sf, end);
    const k = list.findIndex((s) => s.getStart(sf) >= end);
    const startOf = (n: number): number => Math.min(n < list.length ? list[n]!.getStart(sf) : list.end, limit);
    // A statement is part of the tail when it, or the tokens the parser skipped before it, has an error.
    const inTail = (n: number): boolean => n < list.length && list[n]!.getStart(sf) < limit && dirty(list[n - 1]!.end, list[n]!.end);
    if (k < 0 || list[k]!.getStart(sf) >= limit || !(dirty(list[k]!.getStart(sf), startOf(k + 1)) || inTail(k + 1))) {
      out.push([from, to]);
      continue;
    }
    let j = k;
    while (inTail(j + 1)) j++;
    const next = startOf(j + 1);
    const reach = dirty(list[j]!.end, next) ? next : list[j]!.end;
    // Whole lines, never the line the next statement or the closing `}` is on.
    let endLine = lineOf(Math.max(reach - 1, 0)) + 1;
    if (j + 1 < list.length) endLine = Math.min(endLine, lineOf(next));
    else if (close < sf.text.length) endLine = Math.min(endLine, lineOf(close));
    out.push([from, Math.max(to, endLine)]);
  }
  return merged(out);
}
