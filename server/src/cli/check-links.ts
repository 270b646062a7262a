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
import { cacheKey, configKey, contentHash, stableJson, type ResultCache } from './cache';
import type { CheckItem, ItemOutcome } from './check-pipeline';
import { analyzeTask } from './check-tasks';

/** The digest of a file's imports, for its cache key. */
export function importsKey(imports: Imports): string {
  return createHash('sha256').update(stableJson(imports)).digest('hex').slice(0, 32);
}

/** Options for {@link linkResults}. */
export interface LinkOptions {
  readonly cache?: { readonly store: ResultCache; readonly tool: string };
  /** Reads and summarises a file outside the selection that an import names (`undefined`: not read). */
  readonly load: (abs: string) => Promise<FileSummary | undefined>;
}

/**
 * Replaces, in place, the outcome of each file whose imports matter with its analysis with those
 * imports. Returns how many files were analysed again.
 */
export async function linkResults<T extends CheckItem>(done: [T, ItemOutcome][], options: LinkOptions): Promise<number> {
  const summaries = new Map<string, FileSummary>();
  for (const [item, outcome] of done) if ('result' in outcome && outcome.result.summary) summaries.set(item.abs, outcome.result.summary);
  if (summaries.size === 0) return 0;
  const layout = await readProjectLayout(summaries.keys());
  await completeSummaries(summaries, options.load, layout);
  const linker = newLinker(summaries.values(), layout);
  let again = 0;
  for (let i = 0; i < done.length; i++) {
    const [item, outcome] = done[i]!;
    if (!('result' in outcome) || 'skipped' in item.source) continue;
    const imports = linker.importsFor(item.abs);
    if (!hasImports(imports)) continue;
    const text = item.source.text;
    const cache = options.cache;
    const ck = configKey(item.config);
    const key = cache
      ? cacheKey({ tool: cache.tool, config: ck, content: contentHash(text), importsKey: importsKey(imports), ...(item.location ? { location: JSON.stringify(item.location) } : {}) })
      : undefined;
    const hit = cache && key !== undefined ? cache.store.getLinked(item.abs, key) : undefined;
    if (hit) {
      done[i] = [item, { result: hit, cached: true }];
      continue;
    }
    again++;
    const result = await analyzeTask({ path: item.abs, text, config: item.config, configKey: ck, imports, ...(item.location ? { location: item.location } : {}) });
    if (cache && key !== undefined) cache.store.setLinked(item.abs, key, result);
    done[i] = [item, { result, cached: false }];
  }
  return again;
}
