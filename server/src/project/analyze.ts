/**
 * The engine's `analyze` with the project's frontends composed in: what the CLI, the language
 * server and the tests call. The engine itself (engine/analyze.ts) imports no layer above it.
 */
import { analyzeFile, type AnalyzeOptions, type Analysis } from '../engine/analyze';
import { DEFAULT_CONFIG, type Config } from '../engine/config';
import { LANGUAGES } from './languages';

/** Analyses one file with every registered frontend (see {@link analyzeFile}). */
export function analyze(file: { readonly path: string; readonly text: string }, config: Config = DEFAULT_CONFIG, options: AnalyzeOptions = {}): Analysis | undefined {
  return analyzeFile(LANGUAGES, file, config, options);
}

export { applyEdits, fixesFor, type AnalyzeOptions, type Analysis, type ErrorSink } from '../engine/analyze';
