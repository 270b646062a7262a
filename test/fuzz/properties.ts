// The robustness properties, as plain functions over one input, shared by the bounded run in
// `npm test` (test/unit/fuzz.test.ts) and the long campaign (`npm run fuzz -- --minutes N`).
import { analyze, fixesFor, type Analysis } from '../../server/src/project/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { applyEdits } from '../../server/src/engine/finding';
import { fixAllToFixpoint } from '../../server/src/engine/fix-all';
import { LANGUAGES } from '../../server/src/project/languages';
import { posix } from 'node:path';
import { frontendForPath } from '../../server/src/languages';

/** Counters a campaign reports. */
export interface Stats {
  inputs: number;
  findings: number;
  fixesChecked: number;
  fixesRefused: number;
  fixAllRuns: number;
  /** Files that fixes create (worker modules), each parsed. */
  createdFiles: number;
  maxMs: number;
}

export function newStats(): Stats {
  return { inputs: 0, findings: 0, fixesChecked: 0, fixesRefused: 0, fixAllRuns: 0, createdFiles: 0, maxMs: 0 };
}

/**
 * Generous but finite: a hang or an exponential blow-up exceeds it, machine noise does not. It
 * bounds the CPU time `analyze` takes (this process's, which `analyze` alone uses while it runs
 * synchronously), not the wall time, which other processes on a loaded machine stretch at will.
 */
export function timeBoundMs(length: number): number {
  // The constant covers tree-sitter's own error recovery: 60 KB of `() => ` in a .java file costs the
  // bare parse about 3 s of CPU on an idle machine (ts_subtree_summarize_children), 4.7 s at load 8.
  return 6_000 + length * 0.02;
}

/**
 * Property 1: `analyze` returns within a time bound proportional to the input, and neither the
 * frontend nor any rule throws (the engine would catch it, so a caught error fails here too).
 */
export function neverThrows(path: string, text: string, stats: Stats): Analysis {
  const errors: string[] = [];
  const t0 = process.cpuUsage();
  const analysis = analyze({ path, text }, DEFAULT_CONFIG, { onError: (where, e) => errors.push(`${where}: ${e instanceof Error ? e.stack : String(e)}`) });
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  stats.inputs++;
  stats.maxMs = Math.max(stats.maxMs, ms);
  if (errors.length > 0) throw new Error(`internal error on ${path}: ${errors[0]}`);
  if (!analysis) throw new Error(`no frontend for ${path}`);
  if (ms > timeBoundMs(text.length)) throw new Error(`analyze took ${ms.toFixed(0)} ms of CPU for ${text.length} chars (bound ${timeBoundMs(text.length).toFixed(0)} ms)`);
  stats.findings += analysis.findings.length;
  for (const f of analysis.findings) {
    if (!(f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length)) throw new Error(`finding span out of bounds: ${JSON.stringify(f.span)} in ${text.length} chars`);
    if (f.focus && !(f.span.start <= f.focus.start && f.focus.start <= f.focus.end && f.focus.end <= f.span.end)) throw new Error(`finding focus ${JSON.stringify(f.focus)} outside its span ${JSON.stringify(f.span)}`);
  }
  return analysis;
}

/**
 * Property 2: every offered fix stays inside the file, adds no syntax error, and changes nothing
 * outside its edits; fix-all reaches a fixpoint, so applying it twice equals applying it once.
 */
export function fixesAreSafe(path: string, text: string, stats: Stats): void {
  stats.inputs++;
  const analysis = analyze({ path, text });
  if (!analysis) return;
  const frontend = frontendForPath(path)!;
  const before = analysis.model.syntaxErrors;
  for (const finding of analysis.findings) {
    const { fixes, refused } = fixesFor(analysis, finding);
    stats.fixesRefused += refused.length;
    for (const fix of fixes) {
      stats.fixesChecked++;
      for (const e of fix.edits) {
        if (!(e.span.start >= 0 && e.span.start <= e.span.end && e.span.end <= text.length)) throw new Error(`fix "${fix.title}" edits outside the file: ${JSON.stringify(e.span)}`);
      }
      const after = applyEdits(text, fix.edits);
      const errs = frontend.syntaxErrors(after, path);
      if (errs > before) throw new Error(`fix "${fix.title}" adds syntax errors (${before} → ${errs})`);
      // Outside the edits the text is unchanged: the prefix before the first edit and the suffix after the last.
      const first = Math.min(...fix.edits.map((e) => e.span.start));
      const last = Math.max(...fix.edits.map((e) => e.span.end));
      if (fix.edits.length > 0 && (!after.startsWith(text.slice(0, first)) || !after.endsWith(text.slice(last)))) throw new Error(`fix "${fix.title}" changed text outside its edits`);
      for (const created of fix.createFiles ?? []) {
        stats.createdFiles++;
        // A created file lands next to the fixed one, never outside it (`../` or absolute paths).
        const normal = posix.normalize(created.relativePath);
        if (posix.isAbsolute(normal) || normal.startsWith('../') || normal === '..') throw new Error(`fix "${fix.title}" creates a file outside the folder: ${created.relativePath}`);
        const createdFrontend = frontendForPath(normal);
        if (!createdFrontend) throw new Error(`fix "${fix.title}" creates a file in no supported language: ${created.relativePath}`);
        const createdErrors = createdFrontend.syntaxErrors(created.text, normal);
        if (createdErrors > 0) throw new Error(`fix "${fix.title}" creates ${created.relativePath} with ${createdErrors} syntax errors`);
      }
    }
  }
  if (analysis.findings.length === 0) return;
  stats.fixAllRuns++;
  const once = fixAllToFixpoint(LANGUAGES, { path, text }, DEFAULT_CONFIG, { safeOnly: true });
  const twice = fixAllToFixpoint(LANGUAGES, { path, text: once.text }, DEFAULT_CONFIG, { safeOnly: true });
  if (twice.text !== once.text) throw new Error('fix-all is not idempotent: a second run changed the text');
  if (frontend.syntaxErrors(once.text, path) > before) throw new Error('fix-all result adds syntax errors');
}
