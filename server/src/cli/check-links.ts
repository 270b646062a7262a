/**
 * The cross-file pass of `check`: after every selected file has been analysed on its own (with its
 * summary), the summaries are completed with the files their imports name (a file checked on its
 * own still sees its helpers), linked, and each file whose calls reach blocking work or I/O in
 * another file is analysed again with the linker's answer for it. Its result is cached under a key
 * that includes a digest of that answer (`importsKey`), so a change to an imported file's summary
 * invalidates its importers and nothing else.
 */
import { createHash } from 'node:crypto';
import type { Imports, ProjectLayout } from '../engine/linker';
import type { FileSummary } from '../engine/summary';
import { hasImports } from '../project/link';
import { readProjectLayout } from '../project/layout';
import { completeSummaries, newLinker, probesHold, type Probes } from '../project/summaries';
import { cacheKey, stableJson, type LinkRecord, type ResultCache } from './cache';
import { sourceDigest } from '../project/files';
import { keyOfConfig, TaskRunner, WINDOW_PER_THREAD, type CheckItem, type ItemOutcome } from './check-pipeline';
import type { FileResult } from './check-tasks';
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
  /**
   * Reads and summarises a file outside the selection that an import names (`undefined`: not read);
   * with `fresh`, analyses it even when the cache has its result (the cached summary was not valid).
   */
  readonly load: (abs: string, fresh?: boolean) => Promise<Summarised | undefined>;
}

/** A file's summary with its digest, as a task gives them back; a cached result has the digest only (the cache reads the summary on demand). */
export type Summarised = Pick<FileResult, 'summary' | 'summaryDigest'>;

/** A digest of what a run's cross-file pass starts from: the tool, the layout, and each file's path and summary digest in order. */
function startKey(tool: string, layout: ProjectLayout, files: readonly (readonly [string, string])[]): string {
  const hash = createHash('sha256').update(`${tool}\0${layoutJson(layout)}`);
  for (const [path, digest] of files) hash.update(`\0${path}\0${digest}`);
  return hash.digest('hex');
}

/** The layout as JSON, its maps as sorted entry lists (JSON.stringify writes a Map as `{}`). */
function layoutJson(layout: ProjectLayout): string {
  return JSON.stringify(layout, (_key, value: unknown) => (value instanceof Map ? { map: [...(value as Map<string, unknown>)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) } : value));
}

/** What a link record says of an outside file: its summary's digest, `null` when it has no summary. */
function outsideDigest(got: Summarised | undefined): string | null {
  return got?.summaryDigest ?? (got?.summary ? '(no digest)' : null);
}

/**
 * The linker's answers of an earlier run, when that run started from the same summaries and layout
 * (`key`) and every folder listing, link and outside file it relied on is unchanged; else `undefined`.
 */
async function recordedImports(store: ResultCache, key: string, load: LinkOptions['load']): Promise<LinkRecord['imports'] | undefined> {
  const record = store.getLinkRecord(key);
  if (!record) return undefined;
  if (!(await probesHold(record))) return undefined;
  const outside = await Promise.all(record.outside.map(async ([abs, digest]) => outsideDigest(await load(abs)) === digest));
  return outside.includes(false) ? undefined : record.imports;
}

/**
 * Replaces, in place, the outcome of each file whose imports matter with its analysis with those
 * imports. Returns how many files were analysed again. The analyses run on the runner's threads,
 * a bounded window at a time; each lands in its file's slot of `done`, so the order of the output
 * is the order of `done` whatever order they finish in.
 */
export async function linkResults<T extends CheckItem>(done: [T, ItemOutcome][], options: LinkOptions): Promise<number> {
  // Each summarised file, in order (a result from the cache has the summary's digest, not the
  // summary); and each with its digest, `undefined` when one has no digest.
  const summarised: [string, FileResult][] = [];
  let digests: [string, string][] | undefined = [];
  for (const [item, outcome] of done) {
    if (!('result' in outcome)) continue;
    const result = outcome.result;
    if (!result.summary && result.summaryDigest === undefined) continue;
    summarised.push([item.abs, result]);
    if (result.summaryDigest !== undefined) digests?.push([item.abs, result.summaryDigest]);
    else digests = undefined;
  }
  if (summarised.length === 0) return 0;
  /**
   * A file's summary: the task's, else the cache's (read now), else, when the cached one is not
   * valid, a fresh analysis's.
   */
  const summaryFor = async (abs: string, got: Summarised | undefined): Promise<FileSummary | undefined> => {
    if (got?.summary || got?.summaryDigest === undefined) return got?.summary;
    return options.cache?.store.summaryOf(abs) ?? (await options.load(abs, true))?.summary;
  };
  const runner = options.runner ?? new TaskRunner({ jobs: 1 });
  try {
    const layout = await readProjectLayout(summarised.map(([abs]) => abs));
    const cache = options.cache;
    // With the cache, a run whose summaries are those of an earlier run takes that run's answers,
    // once the file-system facts they rest on are checked: no linking, no summary is read.
    const key = cache && digests ? startKey(cache.tool, layout, digests) : undefined;
    let importsOf: (path: string) => Imports | undefined;
    const recorded = cache && key !== undefined ? await recordedImports(cache.store, key, options.load) : undefined;
    if (recorded) importsOf = (path) => (Object.hasOwn(recorded, path) ? recorded[path] : undefined);
    else {
      const summaries = new Map<string, FileSummary>();
      for (const [abs, result] of summarised) {
        const summary = await summaryFor(abs, result);
        if (summary) summaries.set(abs, summary);
      }
      const probes: Probes = { folders: new Map(), links: new Map() };
      const outside: [string, string | null][] = [];
      // An outside file summarised without a digest could not be checked by a later run: no record then.
      let checkable = true;
      const load = async (abs: string): Promise<FileSummary | undefined> => {
        const got = await options.load(abs);
        if (got?.summary && got.summaryDigest === undefined) checkable = false;
        outside.push([abs, outsideDigest(got)]);
        return summaryFor(abs, got);
      };
      await completeSummaries(summaries, load, layout, runner.parallel * WINDOW_PER_THREAD, probes);
      const linker = newLinker(summaries.values(), layout);
      const imports: Record<string, Imports> = {};
      for (const [item, outcome] of done) {
        if (!('result' in outcome) || 'skipped' in item.source) continue;
        const found = linker.importsFor(item.abs);
        if (hasImports(found)) imports[item.abs] = found;
      }
      importsOf = (path) => imports[path];
      if (cache && key !== undefined && checkable) cache.store.setLinkRecord(key, { folders: [...probes.folders], links: [...probes.links], outside: outside.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), imports });
    }
    // The files to analyse again, in the order of `done`.
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
      const imports = importsOf(item.abs);
      if (!imports || !hasImports(imports)) return;
      const ck = keyOfConfig(item.config);
      const key = cache
        ? cacheKey({ tool: cache.tool, config: ck, content: sourceDigest(item.source), importsKey: importsKey(imports), ...(item.location ? { location: JSON.stringify(item.location) } : {}) })
        : undefined;
      const hit = cache && key !== undefined ? cache.store.getLinked(item.abs, key) : undefined;
      if (hit) {
        done[i] = [item, { result: hit, cached: true }];
        return;
      }
      count++;
      // A source known by its stamp is read now; if it changed since, the result is not kept (its own result is of the old content).
      const digest = cache ? sourceDigest(item.source) : undefined;
      const text = item.source.text;
      const result = await runner.run({ kind: 'analyze', input: { path: item.abs, text, config: item.config, configKey: ck, imports, ...(item.location ? { location: item.location } : {}) } });
      if (cache && key !== undefined && sourceDigest(item.source) === digest) cache.store.setLinked(item.abs, key, result);
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
