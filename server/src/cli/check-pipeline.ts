/**
 * Turns the files `check` selected into results, in the order they were selected: each file's
 * result comes from the cache when its key matches, else from an `analyze` task on the pool.
 * `check.ts` walks, reads and prints; this module decides where each file's result comes from.
 */
import type { Config } from '../engine/config';
import type { FileLocation } from '../engine/roles-paths';
import { type ResultCache, cacheKey, configKey } from './cache';
import { runTask, type FileResult, type TaskMessage } from './check-tasks';
import { sourceDigest, type SourceRead } from '../project/files';
import { autoThreads, checkWorkerEntry, inOrder, inProcessPool, workerPool, type Pool, type WorkerEntry } from './pool';

/**
 * With `--jobs auto` (the default), the first this-many files that need analysing run in-process and
 * threads start only after them: a worker thread loads the whole engine (TypeScript included) before
 * its first file, which costs more than a handful of files take in-process. A run that shows this
 * many files to analyse before its first task ({@link AUTO_LOOKAHEAD}) starts on the threads.
 */
export const AUTO_MIN_FILES = 64;
/**
 * How many files `--jobs auto` reads (and looks up in the cache) before its first task, to tell a
 * big run from a small one: a run with {@link AUTO_MIN_FILES} files to analyse among them goes to the
 * threads from its first file, so the main thread never loads the engine (TypeScript included) nor
 * holds trees of its own beside the workers'. Bounds the files held in memory while it looks.
 */
export const AUTO_LOOKAHEAD = 256;
/** How many files per thread may be read ahead of the one being printed. */
export const WINDOW_PER_THREAD = 8;

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

/** How `check` runs its tasks: the number of threads and, for tests, the worker module or the pool. */
export interface RunnerOptions {
  /** Worker threads; 1 runs in-process; `auto` is {@link autoThreads} (in-process below two) once a run is big enough ({@link AUTO_MIN_FILES}). */
  readonly jobs: number | 'auto';
  /** The cores `auto` divides (default: the available parallelism; tests pass their own). */
  readonly cores?: number;
  /** The worker module (default: {@link checkWorkerEntry}). */
  readonly worker?: WorkerEntry;
  /** Makes the pool (tests pass their own; default: in-process for 0 threads, piscina otherwise). */
  readonly makePool?: (threads: number) => Pool<TaskMessage, FileResult>;
}

/** Options for {@link checkInOrder}. */
export interface PipelineOptions extends RunnerOptions {
  readonly cache?: { readonly store: ResultCache; readonly tool: string };
  /** Where tasks run; shared with the cross-file pass (check-links.ts), which then owns closing it. Default: a runner of this call's own. */
  readonly runner?: TaskRunner;
}

/**
 * Where every task of one `check` run goes, both passes (each file on its own, then the files with
 * cross-file imports): in-process, or one pool of worker threads started on the first task that
 * needs analysing (a run answered from the cache starts no thread) and kept until {@link close}, so
 * the second pass does not start threads again.
 */
export class TaskRunner {
  /** How many tasks are worth having in flight at once (1 in-process). */
  readonly parallel: number;
  private readonly auto: boolean;
  private readonly threads: number;
  private readonly makePool: (threads: number) => Pool<TaskMessage, FileResult>;
  private pool: Pool<TaskMessage, FileResult> | undefined;
  private local: Pool<TaskMessage, FileResult> | undefined;
  private misses = 0;
  /** `auto` was told, before its first task, that the run has enough files to analyse for threads. */
  private big = false;

  constructor(options: RunnerOptions) {
    this.auto = options.jobs === 'auto';
    this.threads = this.auto ? autoThreads(options.cores) : Math.max(0, Math.floor(options.jobs as number));
    this.parallel = this.threads <= 1 ? 1 : this.threads;
    this.makePool = options.makePool ?? ((n: number) => defaultPool(n, options.worker));
  }

  /** True when every task runs in this thread, one at a time. */
  get inProcess(): boolean {
    return this.threads <= 1;
  }

  /** True while `auto` has run no task yet and would start in-process: then {@link expect} can send the run to the threads at once. */
  get undecided(): boolean {
    return this.auto && !this.inProcess && !this.big && this.misses === 0;
  }

  /**
   * Tells an `auto` runner how many files the run has to analyse at least, before its first task:
   * with {@link AUTO_MIN_FILES} or more, every task goes to the threads, the first one included.
   */
  expect(files: number): void {
    if (this.undecided && files >= AUTO_MIN_FILES) this.big = true;
  }

  /**
   * Runs one task. Never rejects: a task that fails (its worker thread died) is a result with an
   * internal error for that file.
   */
  async run(message: TaskMessage): Promise<FileResult> {
    const runner = this.poolFor();
    try {
      return await runner.run(message);
    } catch (error) {
      return { findings: [], errors: [{ where: runner.threads > 0 ? 'a worker thread' : 'the analysis', message: error instanceof Error ? error.message : String(error) }] };
    }
  }

  // `auto` analyses its first files in-process and moves to threads only when the run proves big
  // enough: a small run (one file, a warm cache with a few changes) never pays for starting threads.
  private poolFor(): Pool<TaskMessage, FileResult> {
    this.misses++;
    if (this.inProcess) return (this.pool ??= this.makePool(0));
    if (this.auto && !this.big && this.misses <= AUTO_MIN_FILES) return (this.local ??= this.makePool(0));
    return (this.pool ??= this.makePool(this.threads));
  }

  /** Stops the worker threads, if any started; call it once every task has settled. */
  async close(): Promise<void> {
    const [pool, local] = [this.pool, this.local];
    this.pool = this.local = undefined;
    await Promise.all([pool?.close(), local?.close()]);
  }
}

interface Prepared<T> {
  readonly item: T;
  readonly configKey: string;
  readonly key?: string;
  /** The content digest `key` was made with. */
  readonly digest?: string;
  readonly hit?: FileResult;
}

const configKeys = new WeakMap<Config, string>();
/** {@link configKey}, computed once per config object. */
export function keyOfConfig(config: Config): string {
  let key = configKeys.get(config);
  if (key === undefined) configKeys.set(config, (key = configKey(config)));
  return key;
}

/** The cache key of a file's own result (without its imports). */
export function ownKey(tool: string, configKey: string, source: { readonly text: string; readonly digest?: string }, location: FileLocation | undefined): string {
  return cacheKey({ tool, config: configKey, content: sourceDigest(source), ...(location ? { location: JSON.stringify(location) } : {}) });
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
      const key = ownKey(cache.tool, ck, item.source, item.location);
      cache.store.remember(item.abs, item.source);
      const hit = cache.store.get(item.abs, key);
      yield { item, configKey: ck, key, digest: sourceDigest(item.source), ...(hit ? { hit } : {}) };
    }
  }

  const runner = options.runner ?? new TaskRunner(options);
  const isMiss = (p: Prepared<T>): boolean => !('skipped' in p.item.source) && !p.hit;
  const work = async (p: Prepared<T>): Promise<ItemOutcome> => {
    const src = p.item.source;
    if ('skipped' in src) return { skipped: src.skipped };
    if (p.hit) return { result: p.hit, cached: true };
    // A source known by its stamp (a warm run) is read now; if it changed since, its result is kept under its new content's key.
    const text = src.text;
    const key = cache && p.key !== undefined && sourceDigest(src) !== p.digest ? ownKey(cache.tool, p.configKey, src, p.item.location) : p.key;
    if (cache && key !== p.key) cache.store.remember(p.item.abs, src);
    const result = await runner.run({ kind: 'analyze', input: { path: p.item.abs, text, config: p.item.config, configKey: p.configKey, ...(p.item.location ? { location: p.item.location } : {}), ...(p.item.summaryPath !== undefined ? { summaryPath: p.item.summaryPath, ...(cache ? { digest: true } : {}) } : {}) } });
    if (cache && key !== undefined) cache.store.set(p.item.abs, key, result);
    return { result, cached: false };
  };
  try {
    // In-process there is nothing to overlap with: one file at a time, as before threads existed.
    const items = runner.undecided ? decideFirst(prepared(), isMiss, runner) : prepared();
    for await (const [p, outcome] of inOrder(items, runner.inProcess ? 1 : runner.parallel * WINDOW_PER_THREAD, work)) {
      // `work` never rejects; a rejection here would be a bug in this module, reported as such for the file.
      yield [p.item, outcome.ok ? outcome.value : { result: { findings: [], errors: [{ where: 'the check pipeline', message: String(outcome.error) }] }, cached: false }] as const;
    }
  } finally {
    if (!options.runner) await runner.close();
  }
}

/**
 * Yields `items` unchanged, after reading up to {@link AUTO_LOOKAHEAD} of them ahead to count those
 * that need analysing (`isMiss`) and telling the runner ({@link TaskRunner.expect}) before the first
 * task starts.
 */
async function* decideFirst<P>(items: AsyncIterable<P>, isMiss: (item: P) => boolean, runner: TaskRunner): AsyncGenerator<P> {
  const iterator = items[Symbol.asyncIterator]();
  const ahead: P[] = [];
  let misses = 0;
  let ended = false;
  while (misses < AUTO_MIN_FILES && ahead.length < AUTO_LOOKAHEAD) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    ahead.push(next.value);
    if (isMiss(next.value)) misses++;
  }
  runner.expect(misses);
  try {
    yield* ahead;
    if (!ended) yield* { [Symbol.asyncIterator]: () => iterator };
  } finally {
    // A consumer that stops early closes the walk behind (a no-op once it has ended).
    if (!ended) await iterator.return?.();
  }
}
