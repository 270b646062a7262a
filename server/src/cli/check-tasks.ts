/**
 * The work `check` hands out per file, as plain data in and plain data out, so it runs the same on
 * a worker thread (`--jobs N`) and in-process (`--jobs 1`). A task kind is a name, an input type and
 * an output type in {@link TaskKinds}, and a handler in {@link TASKS}: the worker entry
 * (`check-worker.ts`) exposes every handler by name, and the pool (`pool.ts`) runs them by name.
 *
 * The cross-file pass rides on `analyze`: a task with `summaryPath` returns the file's summary
 * beside its findings, and a task with `imports` is analysed with the linker's answer for it.
 */
import { createHash } from 'node:crypto';
import { summaryOf } from '../engine/analyze';
import type { Imports } from '../engine/linker';
import type { FileSummary } from '../engine/summary';
import { analyze, releaseTree } from '../project/analyze';
import type { Config } from '../engine/config';
import type { FileLocation } from '../engine/roles-paths';
import { frontendForPath, loadFrontendFor } from '../project/languages';
import { locate, type Located } from './report';

/** One file to analyse. */
export interface AnalyzeTask {
  /** Absolute path: it picks the frontend, and the model and messages may depend on it. */
  readonly path: string;
  readonly text: string;
  readonly config: Config;
  /**
   * A digest of `config` ({@link import('./cache').configKey}): a worker receives a structured
   * clone of the config with every task and keeps the first clone per key, so the engine's
   * per-config caches (the extended catalog) see one object per config, as in-process.
   */
  readonly configKey: string;
  /** Where the file sits in its project, for the role of its path. */
  readonly location?: FileLocation;
  /** The file's path as cross-file messages show it; when set, the result carries the file's summary. */
  readonly summaryPath?: string;
  /**
   * With the summary, its digest ({@link summaryDigest}): only `--cache` reads it (the link record
   * of check-links.ts), and a JSON text and a sha256 of every summary cost a run without the cache
   * about 3 % of its time.
   */
  readonly digest?: boolean;
  /** What the file's calls into other project files do (the linker's answer for this file). */
  readonly imports?: Imports;
}

/** An internal failure while analysing a file: where (a rule, a frontend, the worker) and what. */
export interface TaskError {
  readonly where: string;
  readonly message: string;
}

/** What analysing one file produced. */
export interface FileResult {
  readonly findings: readonly Located[];
  /** Internal errors: the findings are then possibly incomplete, and the result is not cached. */
  readonly errors: readonly TaskError[];
  /** Set when the language frontends failed to load in the thread that ran the task. */
  readonly frontendError?: string;
  /** The file's cross-file summary, when the task asked for it and the language links. */
  readonly summary?: FileSummary;
  /**
   * A digest of `summary` ({@link summaryDigest}), made where the summary is: the cache keeps it,
   * so a run can tell that the project's summaries are those of an earlier run without reading them.
   */
  readonly summaryDigest?: string;
  /** Where the first syntax error is (1-based): findings after it may be missing. */
  readonly syntaxError?: Position1;
  /** Where each region of code too deeply nested to analyse starts (1-based, in order): what is inside was left out. */
  readonly nestingCuts?: readonly Position1[];
}

/** A 1-based line and column. */
export interface Position1 {
  readonly line: number;
  readonly column: number;
}

/** Every task kind: name → [input, output]. */
export interface TaskKinds {
  analyze: [AnalyzeTask, FileResult];
}

export type TaskKind = keyof TaskKinds;
export type TaskInput<K extends TaskKind> = TaskKinds[K][0];
export type TaskOutput<K extends TaskKind> = TaskKinds[K][1];

/** Per language, the load of its frontend in this thread: the failure message, if any. */
const frontends = new Map<string, Promise<string | undefined>>();

/**
 * Loads the frontend of `path` once per thread, when the first file of its language comes (a run over
 * TypeScript loads no grammar); resolves to the failure message, if any (a failed grammar costs its
 * language, not the run).
 */
function frontendReady(path: string): Promise<string | undefined> {
  const language = frontendForPath(path)?.language;
  if (language === undefined) return Promise.resolve(undefined);
  let ready = frontends.get(language);
  if (!ready) {
    ready = loadFrontendFor(path).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    frontends.set(language, ready);
  }
  return ready;
}

/** The configs seen by this thread, by key (see {@link AnalyzeTask.configKey}). Configs are few per run. */
const configs = new Map<string, Config>();

function canonicalConfig(task: AnalyzeTask): Config {
  const known = configs.get(task.configKey);
  if (known) return known;
  configs.set(task.configKey, task.config);
  return task.config;
}

/** Analyses one file. Never throws: a failing rule or frontend is an entry in `errors`. */
export async function analyzeTask(task: AnalyzeTask): Promise<FileResult> {
  const frontendError = await frontendReady(task.path);
  const errors: TaskError[] = [];
  const analysis = analyze({ path: task.path, text: task.text }, canonicalConfig(task), {
    ...(task.location ? { location: task.location } : {}),
    ...(task.imports ? { imports: task.imports } : {}),
    onError: (where, error) => errors.push({ where, message: error instanceof Error ? error.message : String(error) }),
  });
  const findings = analysis ? locate(analysis) : [];
  const summary = analysis && task.summaryPath !== undefined ? summaryOf(analysis, task.summaryPath) : undefined;
  const at = (offset: number | undefined): Position1 | undefined => {
    if (offset === undefined || !analysis) return undefined;
    const p = analysis.lines.position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
  const syntaxError = analysis && analysis.model.syntaxErrors > 0 ? (at(analysis.model.firstSyntaxError) ?? { line: 1, column: 1 }) : undefined;
  const cuts = analysis?.model.nestingCuts ?? [];
  const nestingCuts = cuts.length > 0 ? cuts.map((offset) => at(offset)!) : undefined;
  // A worker holds one file's tree at a time.
  releaseTree(analysis);
  return { findings, errors, ...(frontendError !== undefined ? { frontendError } : {}), ...(summary ? { summary, ...(task.digest ? { summaryDigest: summaryDigest(summary) } : {}) } : {}), ...(syntaxError ? { syntaxError } : {}), ...(nestingCuts ? { nestingCuts } : {}) };
}

/** A digest of a summary as the frontend built it (the same code builds its fields in the same order). */
export function summaryDigest(summary: FileSummary): string {
  return createHash('sha256').update(JSON.stringify(summary)).digest('hex').slice(0, 32);
}

/** The handler of every task kind. */
export const TASKS: { readonly [K in TaskKind]: (input: TaskInput<K>) => Promise<TaskOutput<K>> } = {
  analyze: analyzeTask,
};

/** A task as it crosses to a worker thread: its kind and its input. */
export interface TaskMessage<K extends TaskKind = TaskKind> {
  readonly kind: K;
  readonly input: TaskInput<K>;
}

/** Runs a task by kind, in whichever thread this is. */
export function runTask<K extends TaskKind>(message: TaskMessage<K>): Promise<TaskOutput<K>> {
  const handler = TASKS[message.kind] as (input: TaskInput<K>) => Promise<TaskOutput<K>>;
  return handler(message.input);
}
