/**
 * Analysis of a set of files with their cross-file links, in memory: summarise every file, link the
 * summaries, and analyse again the files whose calls reach blocking work or I/O in another file.
 * The CLI does the same in its two passes (cli/check.ts), with reading, workers and the cache.
 */
import { summaryOf, type Analysis, type AnalyzeOptions } from '../engine/analyze';
import type { Config } from '../engine/config';
import type { Imports, ProjectLayout } from '../engine/linker';
import type { FileSummary } from '../engine/summary';
import { analyze } from './analyze';
import { newLinker } from './summaries';

/** A file of the project, with its path as messages show it. */
export interface ProjectFile {
  readonly path: string;
  readonly text: string;
  /** The file's path in its project, for messages about chains through it (default: `path`). */
  readonly shown?: string;
  readonly config?: Config;
  readonly options?: Omit<AnalyzeOptions, 'imports'>;
}

/** Whether a file's imports carry anything its analysis would use. */
export function hasImports(imports: Imports): boolean {
  for (const _ in imports) return true;
  return false;
}

/** Analyses every file with the links between them; returns the analyses by path and the summaries. `layout`: project/layout.ts. */
export function analyzeProject(files: readonly ProjectFile[], layout: ProjectLayout = {}): { analyses: Map<string, Analysis>; summaries: Map<string, FileSummary> } {
  const analyses = new Map<string, Analysis>();
  const summaries = new Map<string, FileSummary>();
  for (const f of files) {
    const a = analyze({ path: f.path, text: f.text }, f.config, f.options);
    if (!a) continue;
    analyses.set(f.path, a);
    const s = summaryOf(a, f.shown ?? f.path);
    if (s) summaries.set(f.path, s);
  }
  const linker = newLinker(summaries.values(), layout);
  for (const f of files) {
    const imports = linker.importsFor(f.path);
    if (!hasImports(imports)) continue;
    const a = analyze({ path: f.path, text: f.text }, f.config, { ...f.options, imports });
    if (a) analyses.set(f.path, a);
  }
  return { analyses, summaries };
}
