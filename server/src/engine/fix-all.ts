import { analyzeFile, fixesFor, type Analysis, type ErrorSink } from './analyze';
import type { Config } from './config';
import { composeEdits } from './edits';
import { applyEdits, type Fix, type TextEdit } from './finding';
import type { FixContext, Languages } from './language';

/** What a fix-all takes: only safe fixes (`source.fixAll`) or the first of each finding; optionally one rule's. */
export interface FixAllOptions {
  readonly safeOnly: boolean;
  readonly rule?: string;
  readonly ctx?: Partial<FixContext>;
  readonly onError?: ErrorSink;
}

const sameEdit = (a: TextEdit, b: TextEdit): boolean => a.span.start === b.span.start && a.span.end === b.span.end && a.newText === b.newText;
const overlap = (a: TextEdit, b: TextEdit): boolean => (a.span.start < b.span.end && b.span.start < a.span.end) || (a.span.start === b.span.start && a.span.end === b.span.end);

/**
 * The combined edits of the first fix of every finding (optionally only of one rule), skipping
 * fixes that overlap an earlier one and fixes that create files. An edit equal to one already
 * taken (the same import added by two fixes) is shared, not an overlap. With `safeOnly`, only safe
 * fixes are taken: that is `source.fixAll`. One pass: {@link fixAllPasses} repeats it.
 */
export function fixAllEdits(analysis: Analysis, options: FixAllOptions): { edits: TextEdit[]; applied: Fix[] } {
  const edits: TextEdit[] = [];
  const applied: Fix[] = [];
  for (const finding of analysis.findings) {
    if (options.rule !== undefined && finding.rule !== options.rule) continue;
    const { fixes } = fixesFor(analysis, finding, options.ctx, options.onError);
    const fix = fixes.find((f) => (!options.safeOnly || f.safety === 'safe') && !f.createFiles?.length);
    if (!fix) continue;
    const own = fix.edits.filter((e) => !edits.some((o) => sameEdit(e, o)));
    if (own.some((e) => edits.some((o) => overlap(e, o)))) continue;
    edits.push(...own);
    applied.push(fix);
  }
  return { edits, applied };
}

/** Applies {@link fixAllEdits} to the analysed text. */
export function fixAllText(analysis: Analysis, options: FixAllOptions): string {
  return applyEdits(analysis.parsed.text, fixAllEdits(analysis, options).edits);
}

/**
 * Fix-all to a fixed point, as one edit list on the analysed text: passes of {@link fixAllEdits},
 * re-analysing between them (with `reanalyse`, which the caller gives the same config, imports and
 * location as `first`), so that fixes skipped for overlapping an earlier one get their turn. Stops
 * when a pass has nothing to do, after `maxPasses`, or before a pass whose combined edits would add
 * syntax errors. Running it again on the result finds nothing to do unless it stopped at `maxPasses`.
 */
export function fixAllPasses(
  first: Analysis,
  reanalyse: (text: string) => Analysis | undefined,
  options: FixAllOptions & { readonly maxPasses?: number },
): { edits: TextEdit[]; text: string; passes: number; fixes: number } {
  const original = first.parsed.text;
  const errors = first.model.syntaxErrors;
  const max = options.maxPasses ?? 8;
  let analysis = first;
  let edits: TextEdit[] = [];
  let text = original;
  let fixes = 0;
  let passes = 0;
  for (; passes < max; passes++) {
    const pass = fixAllEdits(analysis, options);
    if (pass.edits.length === 0) break;
    const next = applyEdits(text, pass.edits);
    const nextAnalysis = reanalyse(next);
    if (!nextAnalysis || nextAnalysis.model.syntaxErrors > errors) break;
    edits = composeEdits(original, edits, pass.edits);
    text = next;
    analysis = nextAnalysis;
    fixes += pass.applied.length;
  }
  return { edits, text, passes, fixes };
}

/** {@link fixAllPasses} on a file analysed with the given frontends and config (no imports, no location). */
export function fixAllToFixpoint(
  languages: Languages,
  file: { readonly path: string; readonly text: string },
  config: Config,
  options: FixAllOptions & { readonly maxPasses?: number },
): { text: string; passes: number; fixes: number } {
  const reanalyse = (text: string): Analysis | undefined => analyzeFile(languages, { path: file.path, text }, config, options.onError ? { onError: options.onError } : {});
  const first = reanalyse(file.text);
  if (!first) return { text: file.text, passes: 0, fixes: 0 };
  const { text, passes, fixes } = fixAllPasses(first, reanalyse, options);
  return { text, passes, fixes };
}
