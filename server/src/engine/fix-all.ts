import { analyzeFile, fixesFor, type Analysis, type ErrorSink } from './analyze';
import type { Config } from './config';
import { applyEdits, type Fix, type TextEdit } from './finding';
import type { FixContext, Languages } from './language';

/**
 * The combined edits of the first fix of every finding (optionally only of one rule), skipping
 * fixes that overlap an earlier one and fixes that create files. With `safeOnly`, only safe fixes
 * are taken: that is `source.fixAll`. One pass: callers re-analyse and repeat if they want more.
 */
export function fixAllEdits(
  analysis: Analysis,
  options: { readonly safeOnly: boolean; readonly rule?: string; readonly ctx?: Partial<FixContext>; readonly onError?: ErrorSink },
): { edits: TextEdit[]; applied: Fix[] } {
  const edits: TextEdit[] = [];
  const applied: Fix[] = [];
  for (const finding of analysis.findings) {
    if (options.rule !== undefined && finding.rule !== options.rule) continue;
    const { fixes } = fixesFor(analysis, finding, options.ctx, options.onError);
    const fix = fixes.find((f) => (!options.safeOnly || f.safety === 'safe') && !f.createFiles?.length);
    if (!fix) continue;
    const overlaps = fix.edits.some((e) => edits.some((o) => e.span.start < o.span.end && o.span.start < e.span.end || (e.span.start === o.span.start && e.span.end === o.span.end)));
    if (overlaps) continue;
    edits.push(...fix.edits);
    applied.push(fix);
  }
  return { edits, applied };
}

/** Applies {@link fixAllEdits} to the analysed text. */
export function fixAllText(analysis: Analysis, options: Parameters<typeof fixAllEdits>[1]): string {
  return applyEdits(analysis.parsed.text, fixAllEdits(analysis, options).edits);
}

/**
 * Applies fix-all repeatedly until nothing changes (at most `maxPasses` passes), re-analysing
 * between passes so that fixes skipped for overlapping an earlier one get their turn. The result
 * is a fixpoint: running it again changes nothing.
 */
export function fixAllToFixpoint(
  languages: Languages,
  file: { readonly path: string; readonly text: string },
  config: Config,
  options: { readonly safeOnly: boolean; readonly rule?: string; readonly ctx?: Partial<FixContext>; readonly onError?: ErrorSink; readonly maxPasses?: number },
): { text: string; passes: number; fixes: number } {
  let text = file.text;
  let fixes = 0;
  const max = options.maxPasses ?? 8;
  for (let pass = 0; pass < max; pass++) {
    const analysis = analyzeFile(languages, { path: file.path, text }, config, options.onError ? { onError: options.onError } : {});
    if (!analysis) return { text, passes: pass, fixes };
    const { edits, applied } = fixAllEdits(analysis, options);
    if (edits.length === 0) return { text, passes: pass, fixes };
    text = applyEdits(text, edits);
    fixes += applied.length;
  }
  return { text, passes: max, fixes };
}
