/**
 * The cross-file pass of `check`: after every selected file has been analysed on its own (with its
 * summary), the summaries are completed with the files their imports name (a file checked on its
 * own still sees its helpers), linked, and each file whose calls reach blocking work or I/O in
 * another file is analysed again with the linker's answer for it. Its result is cached under a key
 * that includes a digest of that answer (`importsKey`), so a change to an imported file's summary
 * invalidates its importers and nothing else.
 */
import { createHash } from 'node:crypto';
import type { Imports } from '../engine/linker';
import type { FileSummary } from '../engine/summary';
import { hasImports } from '../project/link';
import { readProjectLayout } from '../project/layout';
import { completeSummaries, newLinker } from '../project/summaries';
import { cacheKey, contentHash, stableJson, type ResultCache } from './cache';
import { keyOfConfig, TaskRunner, WINDOW_PER_THREAD, type CheckItem, type ItemOutcome } from './check-pipeline';
import { inOrder } from './pool';

/** The digest of a file's imports, for its cache key. */
export function importsKey(imports: Imports): string {
  return createHash('sha256').update(stableJson(imports)).digest('hex').slice(0, 32);
}

/** Options for {@link linkResults}. */
export interface LinkOptions {
  readonly cache?: { readonly store: ResultCache; readonly tool: string };
  /** Where the second pass's analyses run: the first pass's runner, so its threads are reused (default: in-process). */
  readonly runner?: TaskRunner;
  /** Reads and summarises a file outside the selection that an import names (`undefined`: not read). */
  readonly load: (abs: string) => Promise<FileSummary | undefined>;
}

/**
 * Replaces, in place, the outcome of each file whose imports matter with its analysis with those
 * imports. Returns how many files were analysed again. The analyses run on the runner's threads,
 * a bounded window at a time; each lands in its file's slot of `done`, so the order of the output
 * is the order of `done` whatever order they finish in.
 */
export async function linkResults<T extends CheckItem>(done: [T, ItemOutcome][], options: LinkOptions): Promise<number> {
  const summaries = new Map<string, FileSummary>();
  for (const [item, outcome] of done) if ('result' in outcome && outcome.result.summary) summaries.set(item.abs, outcome.result.summary);
  if (summaries.size === 0) return 0;
  const runner = options.runner ?? new TaskRunner({ jobs: 1 });
  try {
    const layout = await readProjectLayout(summaries.keys());
    await completeSummaries(summaries, options.load, layout, runner.parallel * WINDOW_PER_THREAD);
    const linker = newLinker(summaries.values(), layout);
    const cache = options.cache;
    // The files to analyse again, in the order of `done`; the linker's answers are computed as the window moves.
    function* again(): Generator<number> {
      for (let i = 0; i < done.length; i++) {
        const [item, outcome] = done[i]!;
        if ('result' in outcome && !('skipped' in item.source)) yield i;
      }
    }
    let count = 0;
    const work = async (i: number): Promise<void> => {
      const [item] = done[i]!;
      if ('skipped' in item.source) return;
      const imports = linker.importsFor(item.abs);
      if (!hasImports(imports)) return;
      const text = item.source.text;
      const ck = keyOfConfig(item.config);
      const key = cache
        ? cacheKey({ tool: cache.tool, config: ck, content: contentHash(text), importsKey: importsKey(imports), ...(item.location ? { location: JSON.stringify(item.location) } : {}) })
        : undefined;
      const hit = cache && key !== undefined ? cache.store.getLinked(item.abs, key) : undefined;
      if (hit) {
        done[i] = [item, { result: hit, cached: true }];
        return;
      }
      count++;
      const result = await runner.run({ kind: 'analyze', input: { path: item.abs, text, config: item.config, configKey: ck, imports, ...(item.location ? { location: item.location } : {}) } });
      if (cache && key !== undefined) cache.store.setLinked(item.abs, key, result);
      done[i] = [item, { result, cached: false }];
    };
    for await (const [i, outcome] of inOrder(iterate(again()), runner.inProcess ? 1 : runner.parallel * WINDOW_PER_THREAD, work)) {
      // `work` does not reject (the runner turns a failed task into a result); if it did, the file keeps its own result and says why.
      if (!outcome.ok) {
        const [item, own] = done[i]!;
        if ('result' in own) done[i] = [item, { result: { ...own.result, errors: [...own.result.errors, { where: 'the cross-file pass', message: String(outcome.error) }] }, cached: false }];
      }
    }
    return count;
  } finally {
    if (!options.runner) await runner.close();
  }
}

async function* iterate<I>(items: Iterable<I>): AsyncGenerator<I> {
  yield* items;
}
