/**
 * The TypeScript/JavaScript frontend: parses with the TypeScript compiler API (no type checker),
 * walks the tree once, and builds the async-boundary model. See walk.ts for the walk, build.ts
 * for the derived facts, catalog.ts for the data.
 */
import ts from 'typescript';
import type { Catalog } from '../../engine/catalog';
import type { Frontend, ParsedFile, TextChange } from '../../engine/language';
import type { FileModel } from '../../engine/model';
import { parseSourceFile } from './ast';
import { blankOverflowingStatements, flattenDeepNesting } from './nesting';
import { buildModel } from './build';
import { typescriptCatalog } from './catalog';
import { TS_EXTENSIONS } from './extensions';
import { buildFixes, typescriptCrossFileFix } from './fixes';
import { typescriptRoleFacts } from './roles';
import { walk } from './walk';
import { exportedByName, readExports } from './exports';
import { typescriptResolver } from './resolver';


/** Trees already handed to `ts.updateSourceFile`, which mutates them: they cannot be reused. */
const consumed = new WeakSet<ts.SourceFile>();

function parseErrors(sf: ts.SourceFile): number {
  return diagnosticsOf(sf).length;
}

function diagnosticsOf(sf: ts.SourceFile): readonly { readonly start: number }[] {
  return (sf as unknown as { parseDiagnostics?: readonly { start: number }[] }).parseDiagnostics ?? [];
}

/** Bracket depths tried, deepest first, when the parser overflows the stack on the whole file. */
const FLATTEN_DEPTHS = [120, 40, 12];

/**
 * Parses a file whose nesting overflowed the parser: the contents of the deepest brackets are
 * blanked (positions kept) until the rest parses, and when that is not enough (nesting without
 * brackets: arrow chains, JSX), each statement that still overflows is blanked too. Returns the tree
 * and where each left-out region starts, in order; `undefined` when even that fails.
 */
function parseFlattened(text: string, path: string): { sf: ts.SourceFile; cuts: readonly number[] } | undefined {
  const variant = /\.[jt]sx$/i.test(path) ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
  let shallowest: { text: string; cuts: readonly number[] } | undefined;
  for (const depth of FLATTEN_DEPTHS) {
    const flat = flattenDeepNesting(text, depth, variant);
    if (flat.cuts.length === 0) continue;
    shallowest ??= flat;
    try {
      return { sf: parseSourceFile(flat.text, path), cuts: flat.cuts };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
  // Brackets blanked at the first depth tried, statements on top.
  const base = shallowest ?? { text, cuts: [] };
  const blanked = blankOverflowingStatements(base.text, (t) => parseTree(t, path));
  if (!blanked) return undefined;
  const inStatement = (at: number) => blanked.cuts.some((c) => c.from <= at && at < c.to);
  const cuts = [...base.cuts.filter((at) => !inStatement(at)), ...blanked.cuts.map((c) => c.from)].sort((a, b) => a - b);
  return { sf: blanked.sf, cuts };
}

function emptyModel(path: string, syntaxErrors: number): FileModel {
  return { language: 'typescript', path, contexts: [], functions: [], yieldPoints: [], heldRegions: [], calls: [], channels: [], spawns: [], comments: [], syntaxErrors };
}

/**
 * Parses `text`, incrementally when the previous tree and the changes allow it. Returns
 * `undefined` when the parser itself overflows the stack (thousands of nested brackets).
 */
function parseTree(text: string, path: string, previous?: ParsedFile, changes?: readonly TextChange[]): ts.SourceFile | undefined {
  try {
    const old = previous?.tree as ts.SourceFile | undefined;
    if (old && changes && changes.length > 0 && previous!.path === path && old.kind === ts.SyntaxKind.SourceFile && old.text === previous!.text && !consumed.has(old)) {
      const range = changeRange(previous!.text, text, changes);
      if (range) {
        consumed.add(old);
        // `updateSourceFile` shifts the old tree's positions in place: whoever still holds the
        // previous parse must not read that tree again, so it loses it (readers re-parse).
        (previous as { tree: unknown }).tree = undefined;
        try {
          return ts.updateSourceFile(old, text, range);
        } catch {
          // An inconsistent tree or range: a full parse is always correct.
        }
      }
    }
    return parseSourceFile(text, path);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * One change range covering `changes` applied in order (LSP semantics: each in the coordinates of
 * the text the previous one produced), or `undefined` when they do not turn `before` into `after`.
 */
function changeRange(before: string, after: string, changes: readonly TextChange[]): ts.TextChangeRange | undefined {
  let textNow = before;
  const ranges: ts.TextChangeRange[] = [];
  for (const c of changes) {
    if (c.start < 0 || c.end < c.start || c.end > textNow.length) return undefined;
    ranges.push(ts.createTextChangeRange(ts.createTextSpanFromBounds(c.start, c.end), c.newText.length));
    textNow = textNow.slice(0, c.start) + c.newText + textNow.slice(c.end);
  }
  if (textNow !== after) return undefined;
  return ts.collapseTextChangeRangesAcrossMultipleVersions(ranges);
}

export const typescriptFrontend: Frontend = {
  language: 'typescript',
  extensions: TS_EXTENSIONS,
  catalog: typescriptCatalog,
  resolver: typescriptResolver,
  parse(text: string, path: string, catalog: Catalog, previous?: ParsedFile, changes?: readonly TextChange[]): ParsedFile {
    let sf = parseTree(text, path, previous, changes);
    let nestingCuts: readonly number[] | undefined;
    if (!sf) {
      // The parser gave up on pathological nesting: analyse the shallow part, say where each deep part starts.
      const flat = parseFlattened(text, path);
      if (!flat) return { path, text, tree: undefined, model: { ...emptyModel(path, 1), nestingCuts: [0] } };
      sf = flat.sf;
      nestingCuts = flat.cuts;
    }
    const diagnostics = diagnosticsOf(sf);
    const w = walk(sf);
    const exports = readExports(sf, w.fnIdByNode);
    const built = buildModel(sf, path, w, catalog, diagnostics.length, new Set(exports.functions.map((f) => f.functionId)), exportedByName(exports));
    const model = {
      ...built,
      ...(diagnostics.length > 0 ? { firstSyntaxError: diagnostics.reduce((min, d) => Math.min(min, d.start), text.length) } : {}),
      ...(nestingCuts !== undefined ? { nestingCuts } : {}),
      roleFacts: typescriptRoleFacts(text, built, w),
      exports,
    };
    // The tree of a flattened text is not the file's: fixes and incremental parses must not use it.
    return { path, text, tree: nestingCuts === undefined ? sf : undefined, model };
  },
  syntaxErrors(text: string, path: string): number {
    try {
      return parseErrors(parseSourceFile(text, path));
    } catch (error) {
      if (error instanceof RangeError) return 1;
      throw error;
    }
  },
  fixes: (finding, parsed, ctx) => buildFixes(finding, parsed, ctx),
  crossFileFix: typescriptCrossFileFix,
};
