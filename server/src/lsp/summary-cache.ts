/**
 * The language server's summary cache: the cross-file summary of each closed file the workspace
 * index read from disk, kept between sessions in a folder the client gives (VS Code: the
 * extension's workspace storage, never the workspace), so a start-up re-analyses only the files
 * that changed. An entry is keyed by a digest of everything the summary depends on: the file's
 * content, the tool's build, the resolved config, where the file sits in its project and the path
 * messages show. The file is data only: a corrupt, foreign or malformed file is ignored and
 * rewritten; writes are atomic.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../engine/config';
import type { FileLocation } from '../engine/roles-paths';
import type { FileSummary } from '../engine/summary';
import { writeAtomically } from '../project/atomic-write';
import { readCacheEnvelope } from '../project/cache-envelope';
import { configKey, contentHash, sha256, stableJson } from '../project/digest';
import { validSummary } from '../project/summary-shape';

/** The cache file's name in the client's storage folder. */
export const SUMMARY_CACHE_FILE = 'summaries.json';
const FORMAT = 4;
const MAX_BYTES = 256 * 1024 * 1024;
/** Writes wait this long for more changes. */
const SAVE_DELAY_MS = 2000;

interface Entry {
  readonly key: string;
  /** `null`: the file does not link (its language has no summaries, or it could not be analysed). */
  readonly summary: FileSummary | null;
}

/** What a summary depends on; {@link SummaryCache.key} digests it. */
export interface SummaryKeyParts {
  readonly tool: string;
  readonly config: Config;
  readonly text: string;
  readonly location: FileLocation | undefined;
  readonly shown: string;
}

export class SummaryCache {
  private readonly configKeys = new WeakMap<Config, string>();
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<string | undefined> = Promise.resolve(undefined);

  private constructor(
    readonly path: string,
    private readonly entries: Map<string, Entry>,
    /** Why the file on disk was not used, if it existed and was not a valid cache. */
    readonly rejected: string | undefined,
    private dirty: boolean,
  ) {}

  /** Reads the cache in `folder`; a missing file is an empty cache, a bad one is ignored (and rewritten on the next save). */
  static async open(folder: string): Promise<SummaryCache> {
    const path = join(folder, SUMMARY_CACHE_FILE);
    let text: string;
    try {
      const info = await stat(path);
      if (!info.isFile() || info.size > MAX_BYTES) return new SummaryCache(path, new Map(), 'it is not a regular file of at most 256 MB', true);
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return new SummaryCache(path, new Map(), code === 'ENOENT' ? undefined : `it cannot be read (${code ?? String(error)})`, false);
    }
    const parsed = parse(text);
    return typeof parsed === 'string' ? new SummaryCache(path, new Map(), parsed, true) : new SummaryCache(path, parsed, undefined, false);
  }

  /** The key of a file's summary. */
  key(parts: SummaryKeyParts): string {
    let ck = this.configKeys.get(parts.config);
    if (ck === undefined) this.configKeys.set(parts.config, (ck = configKey(parts.config)));
    return sha256(stableJson({ format: FORMAT, tool: parts.tool, config: ck, content: contentHash(parts.text), location: parts.location ?? null, shown: parts.shown }));
  }

  /** The cached summary (`null`: cached as not linking) when the key matches; `undefined` when there is none. */
  get(path: string, key: string): FileSummary | null | undefined {
    const entry = this.entries.get(path);
    return entry?.key === key ? entry.summary : undefined;
  }

  set(path: string, key: string, summary: FileSummary | undefined): void {
    this.entries.set(path, { key, summary: summary ?? null });
    this.dirty = true;
    this.scheduleSave();
  }

  /** Forgets a file that went away. */
  delete(path: string): void {
    if (this.entries.delete(path)) {
      this.dirty = true;
      this.scheduleSave();
    }
  }

  private scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes the cache now if anything changed; resolves to the failure, if any (a cache that cannot be written costs the next start-up its speed). */
  save(): Promise<string | undefined> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.saving = this.saving.then(async () => {
      if (!this.dirty) return undefined;
      this.dirty = false;
      const failed = await writeAtomically(this.path, JSON.stringify({ tool: 'async-boundary-summaries', format: FORMAT, entries: Object.fromEntries(this.entries) }));
      if (failed !== undefined) this.dirty = true;
      return failed;
    });
    return this.saving;
  }
}

function parse(text: string): Map<string, Entry> | string {
  const read = readCacheEnvelope(text, 'async-boundary-summaries', FORMAT, 'an async-boundary summary cache');
  if (typeof read === 'string') return read;
  const raw = read.entries;
  const entries = new Map<string, Entry>();
  // Object.entries lists own keys only: a `__proto__` key in the JSON is just a key here.
  for (const [path, value] of Object.entries(raw)) {
    const e = value as Partial<Entry> | null;
    if (typeof e !== 'object' || e === null || typeof e.key !== 'string' || !(e.summary === null || validSummary(e.summary))) return 'it has a malformed entry';
    entries.set(path, { key: e.key, summary: e.summary as FileSummary | null });
  }
  return entries;
}
