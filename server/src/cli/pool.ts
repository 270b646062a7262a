/**
 * Where `check` runs its per-file tasks: in-process (`--jobs 1`), or on a pool of worker threads
 * (piscina) that each hold one task, hence one file's tree, at a time. {@link inOrder} hands tasks
 * out a bounded window ahead and gives their results back in input order, so the output is the
 * same whatever the number of threads and memory stays bounded by the window.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Piscina from 'piscina';

/** Runs messages through one handler, on this thread or on worker threads. */
export interface Pool<M, R> {
  /** Worker threads; 0 when tasks run in-process. */
  readonly threads: number;
  /** Rejects when the handler throws or its worker thread dies (the pool replaces the thread). */
  run(message: M): Promise<R>;
  /** Stops the worker threads; call it once every task has settled. */
  close(): Promise<void>;
}

/** Runs each message on this thread, one at a time. */
export function inProcessPool<M, R>(handler: (message: M) => Promise<R>): Pool<M, R> {
  return { threads: 0, run: (message) => handler(message), close: async () => undefined };
}

/** Where a worker thread finds its module. */
export interface WorkerEntry {
  /** Absolute path of a module whose default export is the handler. */
  readonly filename: string;
  /**
   * Node options of the threads; absent, they inherit this process's, as Node does by default. Not
   * `process.execArgv` given back: Node refuses V8 options in a worker's `execArgv`
   * (ERR_WORKER_INVALID_EXEC_ARGV), so `node --max-old-space-size=8192 cli.js check` failed every
   * file on threads, while inherited ones (V8's are process-wide anyway) are taken as they are.
   */
  readonly execArgv?: readonly string[];
}

/** Options for {@link workerPool}. */
export interface WorkerPoolOptions extends WorkerEntry {
  readonly threads: number;
}

/** Runs messages on `threads` worker threads, each with one task at a time. */
export function workerPool<M, R>(options: WorkerPoolOptions): Pool<M, R> {
  const piscina = new Piscina<M, R>({
    filename: options.filename,
    ...(options.execArgv ? { execArgv: [...options.execArgv] } : {}),
    minThreads: options.threads,
    maxThreads: options.threads,
    // One file per thread at a time bounds memory to one tree per thread.
    concurrentTasksPerWorker: 1,
    // Tasks arrive as messages, so the thread's event loop turns between tasks: the tree-sitter
    // frontends free their WASM trees from finalizers, which only run when it does.
    atomics: 'disabled',
  });
  // A thread that fails outside a task has nobody to reject; the pool starts another one. Without a
  // listener the 'error' event would end the process.
  piscina.on('error', () => undefined);
  return {
    threads: options.threads,
    run: (message) => piscina.run(message),
    close: () => piscina.destroy(),
  };
}

/**
 * The worker module of `check`: `check-worker.js` beside the bundle (dist/), or, when the CLI runs
 * from its TypeScript sources (the tests), `check-worker.ts` loaded through tsx's require hook.
 */
export function checkWorkerEntry(): WorkerEntry {
  if (__filename.endsWith('.ts')) return { filename: join(__dirname, 'check-worker.ts'), execArgv: [...process.execArgv, '--require', require.resolve('tsx/cjs')] };
  return { filename: join(__dirname, 'check-worker.js') };
}

/**
 * The worker threads `--jobs auto` starts on a machine with `cores` cores: one per two cores, and
 * none (the run stays in-process) below two threads. Each thread is a V8 isolate that compiles the
 * TypeScript compiler and our engine for itself, and its optimising compiler runs beside it on
 * another core: measured on the TS corpus (926 files, 2 cores), an in-process run spent 4.4 s of
 * CPU on its main thread and 4.4 s on V8's compiler threads, and two workers 6.3 s analysing plus
 * 7.4 s compiling, so `--jobs 2` took 1.2 times the wall time of `--jobs 1`. A thread pays off only
 * when it has a core for its analysis and one for its compiler.
 */
export function autoThreads(cores: number = availableParallelism()): number {
  const threads = Math.floor(cores / 2);
  return threads >= 2 ? threads : 0;
}

/** A task's outcome: its result, or why it failed. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

function settle<R>(promise: Promise<R>): Promise<Settled<R>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * Runs `work` on each item, at most `window` items ahead of the one being consumed, and yields
 * `[item, outcome]` in the order of `items`. A failure is an outcome, not a throw, so one bad item
 * never stops the others. Items are pulled from `items` only as the window frees up.
 */
export async function* inOrder<I, R>(items: AsyncIterable<I>, window: number, work: (item: I) => Promise<R>): AsyncGenerator<readonly [I, Settled<R>]> {
  const size = Math.max(1, Math.floor(window));
  const pending: { readonly item: I; readonly outcome: Promise<Settled<R>> }[] = [];
  for await (const item of items) {
    // `work` may throw synchronously: that is an outcome too.
    let started: Promise<R>;
    try {
      started = work(item);
    } catch (error) {
      started = Promise.reject(error);
    }
    pending.push({ item, outcome: settle(started) });
    if (pending.length >= size) {
      const head = pending.shift()!;
      yield [head.item, await head.outcome] as const;
    }
  }
  for (const head of pending) yield [head.item, await head.outcome] as const;
}
