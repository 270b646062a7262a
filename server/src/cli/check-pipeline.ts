/**
 * Turns the files `check` selected into results, in the order they were selected: each file's
 * result comes from the cache when its key matches, else from an `analyze` task on the pool.
 * `check.ts` walks, reads and prints; this module decides where each file's result comes from.
 */
import type { Config } from '../engine/config';
import type { FileLocation } from '../engine/roles-paths';
import { type ResultCache, cacheKey, configKey, contentHash } from './cache';
import { runTask, type FileResult, type TaskMessage } from './check-tasks';
import type { SourceRead } from '../project/files';
import { checkWorkerEntry, defaultJobs, inOrder, inProcessPool, workerPool, type Pool, type WorkerEntry } from './pool';

/**
 * With `--jobs auto` (the default), the first this-many files that need analysing run in-process and
 * threads start only after them: a worker thread loads the whole engine (TypeScript included) before
 * its first file, which costs more than a handful of files take in-process.
 */
export const AUTO_MIN_FILES = 64;
/** How many files per thread may be read ahead of the one being printed. */
const WINDOW_PER_THREAD = 8;

/** A file `check` selected: where it is, the config that governs it, and its text (or why it was skipped). */
export interface CheckItem {
  readonly abs: string;
  readonly config: Config;
  readonly source: SourceRead;
  /** Where the file sits in its project (its path's role depends on it). */
  readonly location?: FileLocation;
  /** The file's path as cross-file messages show it: its result then carries its summary. */
  readonly summaryPath?: string;
}

/** Where a file's result came from. */
export type ItemOutcome = { readonly skipped: string } | { readonly result: FileResult; readonly cached: boolean };

/** Options for {@link checkInOrder}. */
export interface PipelineOptions {
  /** Worker threads; 1 runs in-process; `auto` is the available parallelism once a run is big enough ({@link AUTO_MIN_FILES}). */
  readonly jobs: number | 'auto';
  readonly cache?: { readonly store: ResultCache; readonly tool: string };
  /** The worker module (default: {@link checkWorkerEntry}). */
  readonly worker?: WorkerEntry;
  /** Makes the pool (tests pass their own; default: in-process for 0 threads, piscina otherwise). */
  readonly makePool?: (threads: number) => Pool<TaskMessage, FileResult>;
}

interface Prepared<T> {
  readonly item: T;
  readonly configKey: string;
  readonly key?: string;
  readonly hit?: FileResult;
}

const configKeys = new WeakMap<Config, string>();
function keyOfConfig(config: Config): string {
  let key = configKeys.get(config);
  if (key === undefined) configKeys.set(config, (key = configKey(config)));
  return key;
}

function defaultPool(threads: number, worker: WorkerEntry | undefined): Pool<TaskMessage, FileResult> {
  if (threads === 0) return inProcessPool((m: TaskMessage) => runTask(m));
  return workerPool<TaskMessage, FileResult>({ threads, ...(worker ?? checkWorkerEntry()) });
}

/**
 * Yields every item with its outcome, in the order of `items`. Never throws for one file's sake: a
 * task that fails (its worker thread died) is a result with an internal error for that file.
 */
export async function* checkInOrder<T extends CheckItem>(items: AsyncIterable<T>, options: PipelineOptions): AsyncGenerator<readonly [T, ItemOutcome]> {
  const cache = options.cache;
  async function* prepared(): AsyncGenerator<Prepared<T>> {
    for await (const item of items) {
      const ck = keyOfConfig(item.config);
      if ('skipped' in item.source) {
        cache?.store.forget(item.abs);
        yield { item, configKey: ck };
        continue;
      }
      if (!cache) {
        yield { item, configKey: ck };
        continue;
      }
      const key = cacheKey({ tool: cache.tool, config: ck, content: contentHash(item.source.text), ...(item.location ? { location: JSON.stringify(item.location) } : {}) });
      const hit = cache.store.get(item.abs, key);
      yield { item, configKey: ck, key, ...(hit ? { hit } : {}) };
    }
  }

  const auto = options.jobs === 'auto';
  const threads = auto ? (defaultJobs() >= 2 ? defaultJobs() : 0) : Math.max(0, Math.floor(options.jobs as number));
  const inProcess = threads <= 1;
  // Started on the first file that needs analysing: a run answered from the cache starts no thread.
  let pool: Pool<TaskMessage, FileResult> | undefined;
  const makePool = options.makePool ?? ((n: number) => defaultPool(n, options.worker));
  // `auto` analyses its first files in-process and moves to threads only when the run proves big
  // enough: a small run (one file, a warm cache with a few changes) never pays for starting threads.
  let local: Pool<TaskMessage, FileResult> | undefined;
  let misses = 0;
  const poolFor = (): Pool<TaskMessage, FileResult> => {
    misses++;
    if (inProcess) return (pool ??= makePool(0));
    if (auto && misses <= AUTO_MIN_FILES) return (local ??= makePool(0));
    return (pool ??= makePool(threads));
  };
  const work = async (p: Prepared<T>): Promise<ItemOutcome> => {
    const src = p.item.source;
    if ('skipped' in src) return { skipped: src.skipped };
    if (p.hit) return { result: p.hit, cached: true };
    const runner = poolFor();
    let result: FileResult;
    try {
      result = await runner.run({ kind: 'analyze', input: { path: p.item.abs, text: src.text, config: p.item.config, configKey: p.configKey, ...(p.item.location ? { location: p.item.location } : {}), ...(p.item.summaryPath !== undefined ? { summaryPath: p.item.summaryPath } : {}) } });
    } catch (error) {
      result = { findings: [], errors: [{ where: runner.threads > 0 ? 'a worker thread' : 'the analysis', message: error instanceof Error ? error.message : String(error) }] };
    }
    if (cache && p.key !== undefined) cache.store.set(p.item.abs, p.key, result);
    return { result, cached: false };
  };
  try {
    // In-process there is nothing to overlap with: one file at a time, as before threads existed.
    for await (const [p, outcome] of inOrder(prepared(), inProcess ? 1 : threads * WINDOW_PER_THREAD, work)) {
      // `work` never rejects; a rejection here would be a bug in this module, reported as such for the file.
      yield [p.item, outcome.ok ? outcome.value : { result: { findings: [], errors: [{ where: 'the check pipeline', message: String(outcome.error) }] }, cached: false }] as const;
    }
  } finally {
    await Promise.all([pool?.close(), local?.close()]);
  }
}
