/**
 * The result cache of `check --cache`: one file mapping each checked file's absolute path to a key
 * and the file's result. The key digests everything a result depends on (the file's content, the
 * tool's build, the resolved config, the file's place in its project and, for a result with its
 * imports, the linker's answer for it: {@link KeyParts.importsKey}), so a change invalidates exactly
 * the files it can affect. The file is data only: it is parsed as JSON, every entry is checked for
 * shape, anything else is ignored and the file rewritten. Writes go to a temporary file renamed over
 * the cache, so a crash or a concurrent run never leaves half a cache behind.
 *
 * Layout: a first line of JSON (the envelope, each file's key and result, the link records), then
 * the files' cross-file summaries, each a JSON text at the byte offset and length its entry gives.
 * The summaries are nearly all of the file, and a run reads one only when its cross-file pass has to
 * link again (a summary changed): a warm run parses the first line alone.
 */
import { readFileSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeAtomically } from '../project/atomic-write';
import { readCacheEnvelope } from '../project/cache-envelope';
import type { FileResult } from './check-tasks';
import { validKnown, validLinkRecord, validResult } from './cache-shape';
import { validSummary } from '../project/summary-shape';
import type { FileSummary } from '../engine/summary';
import { configKey, contentHash, sha256, stableJson, toolIdentity } from '../project/digest';
import { sameStamp, sourceDigest, type FileStamp, type SourceRead } from '../project/files';

export { configKey, contentHash, stableJson, toolIdentity };
import type { Imports } from '../engine/linker';

/** The cache file's name, in the working directory by default (ESLint's is `.eslintcache`). */
export const CACHE_FILE_NAME = '.async-boundary-cache';
/** Bumped when the cache file's layout or the meaning of a result changes. */
const FORMAT = 13;
/**
 * How long before its read a file must have last changed for its stamp to vouch for its content in
 * later runs ({@link ResultCache.remember}): a write within the same tick of a coarse clock (or of a
 * file system that keeps times to 1 or 2 s) as the one before the read would leave the stamp as it
 * was; a write after the read, at least this much later than the last change, cannot.
 */
export const SETTLED_MS = 3000;
/** A cache bigger than this is not ours (or not worth parsing): it is ignored and rewritten. */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;

/** What a file's cached result depends on; {@link cacheKey} digests it. */
export interface KeyParts {
  /** {@link toolIdentity}: a new build of the tool invalidates every entry. */
  readonly tool: string;
  /** {@link configKey} of the config that governs the file. */
  readonly config: string;
  /** {@link contentHash} of the file's text. */
  readonly content: string;
  /**
   * The hook for cross-file analysis: a digest of the summaries of the files this file imports, so
   * that a change to an imported file's summary invalidates its importers and nothing else. Absent
   * while analysis is per file.
   */
  readonly importsKey?: string;
  /** Where the file sits in its project (`FileLocation` as JSON): the role of its path changes its result. */
  readonly location?: string;
}

/** The key of one file's result. */
export function cacheKey(parts: KeyParts): string {
  return sha256(stableJson({ format: FORMAT, ...parts }));
}

/**
 * The cache file for `--cache-location` (relative to `cwd`): a folder (existing, or written with a
 * trailing slash) gets {@link CACHE_FILE_NAME} inside it; anything else is the file itself. Without
 * the option: `node_modules/.cache/async-boundary/` when `cwd` has a `node_modules` folder (where
 * build tools keep caches, already ignored by git), else {@link CACHE_FILE_NAME} in `cwd`.
 */
export async function cacheLocation(given: string | undefined, cwd: string): Promise<string> {
  if (given === undefined) {
    const modules = join(cwd, 'node_modules');
    const isDir = await stat(modules).then(
      (s) => s.isDirectory(),
      () => false,
    );
    return isDir ? join(modules, '.cache', 'async-boundary', CACHE_FILE_NAME) : join(cwd, CACHE_FILE_NAME);
  }
  const abs = resolve(cwd, given);
  if (/[/\\]$/.test(given)) return join(abs, CACHE_FILE_NAME);
  const isDir = await stat(abs).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return isDir ? join(abs, CACHE_FILE_NAME) : abs;
}

/**
 * What the cross-file pass of a run relied on and what it concluded (check-links.ts): stored under
 * a digest of the tool, the project layout and every summary of the run, so a later run with the
 * same summaries checks these answers instead of linking again.
 */
export interface LinkRecord {
  /** Each folder the pass listed, with its listing's digest (`null`: it could not be read). */
  readonly folders: readonly (readonly [string, string | null])[];
  /** Each symbolic link the pass followed, and whether it led to a file. */
  readonly links: readonly (readonly [string, boolean])[];
  /** Each file outside the selection the pass loaded, with its summary's digest (`null`: none). */
  readonly outside: readonly (readonly [string, string | null])[];
  /** The linker's answer for each file that has imports that matter. */
  readonly imports: Readonly<Record<string, Imports>>;
}

/** How many link records a cache keeps (one per set of paths a project is checked with, roughly). */
const MAX_LINK_RECORDS = 8;

/** A file's content digest and the stamp of the file it was read from. */
export interface Known extends FileStamp {
  readonly digest: string;
}

interface Contents {
  readonly entries: Map<string, Entry>;
  readonly links: Map<string, LinkRecord>;
  readonly known: Map<string, Known>;
}

const empty = (): Contents => ({ entries: new Map(), links: new Map(), known: new Map() });

/**
 * What of a result the cache keeps: everything but internal errors (a result with errors is not kept
 * at all) and the summary, which the entry keeps beside it. A summary is kept only with its digest.
 */
function kept(result: FileResult): FileResult {
  return {
    findings: result.findings,
    errors: [],
    ...(result.summaryDigest !== undefined && result.summary ? { summaryDigest: result.summaryDigest } : {}),
    ...(result.syntaxError ? { syntaxError: result.syntaxError } : {}),
    ...(result.nestingCuts ? { nestingCuts: result.nestingCuts } : {}),
  };
}

interface Entry {
  readonly key: string;
  /** The file's result on its own, without its summary; `summaryDigest` says it has one. */
  readonly result: FileResult;
  /** The file's summary: read, or still the JSON text the file holds (read on first use), or gone (it was not valid). */
  summary?: FileSummary | Buffer;
  /** The file's result with its imports' summaries, when it has imports that matter (key: {@link KeyParts.importsKey} included). */
  linked?: { readonly key: string; readonly result: FileResult };
}

/** The results of past runs, loaded once at the start of a run and saved once at its end. */
export class ResultCache {
  private readonly entries: Map<string, Entry>;
  private readonly links: Map<string, LinkRecord>;
  private readonly known: Map<string, Known>;
  private readonly visited = new Set<string>();
  private dirty: boolean;

  private constructor(
    /** The cache file. */
    readonly path: string,
    contents: Contents,
    /** Why the file on disk was not used, if it existed and was not a valid cache. */
    readonly rejected: string | undefined,
  ) {
    this.entries = contents.entries;
    this.links = contents.links;
    this.known = contents.known;
    // A rejected file is rewritten even if this run changes nothing, so the next run can use it.
    this.dirty = rejected !== undefined;
  }

  /** Reads the cache at `path`. A missing file is an empty cache; an unreadable, corrupt or foreign one is ignored (see {@link rejected}). */
  static async open(path: string): Promise<ResultCache> {
    let bytes: Buffer;
    try {
      const info = await stat(path);
      if (!info.isFile()) return new ResultCache(path, empty(), 'it is not a regular file');
      if (info.size > MAX_CACHE_BYTES) return new ResultCache(path, empty(), 'it is larger than 256 MB');
      // One blocking read: the promise API reads a large file in chunks, each a round trip through the thread pool.
      bytes = readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return new ResultCache(path, empty(), code === 'ENOENT' ? undefined : `it cannot be read (${code ?? String(error)})`);
    }
    const parsed = parseCache(bytes);
    return typeof parsed === 'string' ? new ResultCache(path, empty(), parsed) : new ResultCache(path, parsed, undefined);
  }

  /**
   * The content digest of the file at absolute `file` when `stamp` is the stamp it had when a past
   * run read it: then a run need not read the file to know its key.
   */
  digestFor(file: string, stamp: FileStamp): string | undefined {
    const known = this.known.get(file);
    return known && sameStamp(known, stamp) ? known.digest : undefined;
  }

  /**
   * Keeps, for the next runs, the digest of the file at absolute `file` with the stamp it was read
   * with, if the file had last changed {@link SETTLED_MS} before the read (a file written just
   * before, or while, it was read is read again next time); else forgets what was kept.
   */
  remember(file: string, source: Exclude<SourceRead, { skipped: string }>): void {
    const stamped = source.stamped;
    const old = this.known.get(file);
    if (stamped && Math.max(stamped.stamp.mtimeMs, stamped.stamp.ctimeMs) <= stamped.readAt - SETTLED_MS) {
      const digest = sourceDigest(source);
      if (old && old.digest === digest && sameStamp(old, stamped.stamp)) return;
      this.known.set(file, { ...stamped.stamp, digest });
      this.dirty = true;
    } else if (old && this.known.delete(file)) this.dirty = true;
  }

  /**
   * The cached result for the file at absolute `file`, if its key matches. It comes without its
   * summary: `summaryDigest` says there is one, and {@link summaryOf} reads it.
   */
  get(file: string, key: string): FileResult | undefined {
    this.visited.add(file);
    const entry = this.entries.get(file);
    return entry?.key === key ? entry.result : undefined;
  }

  /**
   * The cross-file summary of the file at absolute `file`, read from the cache file on first use.
   * `undefined` when there is none, or when the stored one is not a valid summary: the entry is then
   * dropped, so the caller analyses the file again and the next save rewrites it.
   */
  summaryOf(file: string): FileSummary | undefined {
    const entry = this.entries.get(file);
    const stored = entry?.summary;
    if (!entry || stored === undefined) return undefined;
    if (!Buffer.isBuffer(stored)) return stored;
    let summary: unknown;
    try {
      summary = JSON.parse(stored.toString('utf8'));
    } catch {
      summary = undefined;
    }
    if (validSummary(summary)) return (entry.summary = summary as FileSummary);
    this.entries.delete(file);
    this.dirty = true;
    return undefined;
  }

  /** Records a file's result. A result with internal errors is not kept: the next run tries again. */
  set(file: string, key: string, result: FileResult): void {
    this.visited.add(file);
    if (result.errors.length > 0 || result.frontendError !== undefined) {
      if (this.entries.delete(file)) this.dirty = true;
      return;
    }
    const stored = kept(result);
    this.entries.set(file, { key, result: stored, ...(stored.summaryDigest !== undefined ? { summary: result.summary! } : {}) });
    this.dirty = true;
  }

  /** The cached result of a file analysed with its imports, if the key (with the imports' digest) matches. */
  getLinked(file: string, key: string): FileResult | undefined {
    const linked = this.entries.get(file)?.linked;
    return linked?.key === key ? linked.result : undefined;
  }

  /** Records a file's result with its imports, beside its own result (which must be cached already). */
  setLinked(file: string, key: string, result: FileResult): void {
    const entry = this.entries.get(file);
    if (!entry || result.errors.length > 0 || result.frontendError !== undefined) return;
    entry.linked = { key, result: kept({ ...result, summary: undefined }) };
    this.dirty = true;
  }

  /** The link record stored under `key` (a digest of a run's summaries: check-links.ts), if any. */
  getLinkRecord(key: string): LinkRecord | undefined {
    return this.links.get(key);
  }

  /** Stores a run's link record; the oldest records go beyond {@link MAX_LINK_RECORDS}. */
  setLinkRecord(key: string, record: LinkRecord): void {
    this.links.delete(key);
    this.links.set(key, record);
    for (const old of this.links.keys()) {
      if (this.links.size <= MAX_LINK_RECORDS) break;
      this.links.delete(old);
    }
    this.dirty = true;
  }

  /** Forgets a file this run looked at but could not check (unreadable, binary, too large). */
  forget(file: string): void {
    this.visited.add(file);
    this.known.delete(file);
    if (this.entries.delete(file)) this.dirty = true;
  }

  /**
   * Writes the cache if anything changed, atomically (a temporary file in the same folder, then a
   * rename). Entries of files this run did not look at are kept (a run over one folder must not
   * evict another's), unless the file no longer exists. Resolves to the failure, if any: a cache
   * that cannot be written costs the next run its speed, not this run its results.
   */
  async save(): Promise<string | undefined> {
    const unvisited = [...this.entries.keys()].filter((f) => !this.visited.has(f));
    const gone = await Promise.all(unvisited.map((f) => access(f).then(() => undefined, () => f)));
    for (const f of gone) if (f !== undefined && this.entries.delete(f)) this.dirty = true;
    if (!this.dirty) return undefined;
    // A summary never read this run is written back as the bytes it was read from.
    const entries: Record<string, StoredEntry> = {};
    const summaries: Buffer[] = [];
    let at = 0;
    for (const [file, { key, result, summary, linked }] of this.entries) {
      let place: readonly [number, number] | undefined;
      if (summary !== undefined) {
        const bytes = Buffer.isBuffer(summary) ? summary : Buffer.from(JSON.stringify(summary), 'utf8');
        place = [at, bytes.length];
        appendBytes(summaries, bytes);
        at += bytes.length;
      }
      const known = this.known.get(file);
      entries[file] = { key, result, ...(place ? { summary: place } : {}), ...(linked ? { linked } : {}), ...(known ? { content: known } : {}) };
    }
    const head = JSON.stringify({ tool: 'async-boundary', format: FORMAT, entries, links: Object.fromEntries(this.links), summaries: at });
    const failed = await writeAtomically(this.path, [Buffer.from(`${head}\n`, 'utf8'), ...summaries]);
    if (failed === undefined) this.dirty = false;
    return failed;
  }
}

/**
 * Appends `bytes` to `out`, merged with the last buffer when it continues it in the same memory (the
 * summaries of unchanged files, read from the old file, go back out as a few runs, not one write each).
 */
function appendBytes(out: Buffer[], bytes: Buffer): void {
  const last = out[out.length - 1];
  if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) out[out.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + bytes.length);
  else out.push(bytes);
}

/** An entry as the cache file's first line holds it: its summary is where it sits among the summaries (byte offset, length). */
interface StoredEntry {
  readonly key: string;
  readonly result: FileResult;
  readonly summary?: readonly [number, number];
  readonly linked?: Entry['linked'];
  /** The file's content digest and the stamp it was read with ({@link ResultCache.remember}). */
  readonly content?: Known;
}

const isByteCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/**
 * The entries of a cache file, or why it is not one. Parsing is `JSON.parse` only: nothing in the
 * file is run. The summaries are not parsed here: each entry keeps its summary's bytes
 * ({@link ResultCache.summaryOf} reads them when a run needs them).
 */
function parseCache(bytes: Buffer): Contents | string {
  const newline = bytes.indexOf(10);
  const read = readCacheEnvelope(bytes.toString('utf8', 0, newline < 0 ? bytes.length : newline), 'async-boundary', FORMAT, 'an async-boundary cache');
  if (typeof read === 'string') return read;
  const { top, entries: raw } = read;
  // Everything after the first line is summaries, as long as the first line says: a file cut short (or grown) is not this cache.
  const summaries = newline < 0 ? Buffer.alloc(0) : bytes.subarray(newline + 1);
  if (top['summaries'] !== summaries.length) return 'its summaries are not the length its first line gives';
  const entries = new Map<string, Entry>();
  const known = new Map<string, Known>();
  let invalid = 0;
  // Object.entries lists own keys only: a `__proto__` key in the JSON is just a key here.
  for (const [file, value] of Object.entries(raw)) {
    const entry = value as Partial<Record<keyof StoredEntry, unknown>> | null;
    if (typeof entry !== 'object' || entry === null || typeof entry.key !== 'string' || !validResult(entry.result) || entry.result.summary !== undefined) {
      invalid++;
      continue;
    }
    const place = entry.summary;
    const validPlace = Array.isArray(place) && place.length === 2 && isByteCount(place[0]) && isByteCount(place[1]) && place[0] + place[1] <= summaries.length;
    // A summary comes with its digest (the link record is keyed by digests), and a digest with a summary.
    if ((place !== undefined && !validPlace) || (place !== undefined) !== (entry.result.summaryDigest !== undefined)) {
      invalid++;
      continue;
    }
    const linked = entry.linked as Partial<NonNullable<Entry['linked']>> | undefined;
    const validLinked = typeof linked === 'object' && linked !== null && typeof linked.key === 'string' && validResult(linked.result) && linked.result.summary === undefined;
    const content = entry.content;
    if ((linked !== undefined && !validLinked) || (content !== undefined && !validKnown(content))) invalid++;
    else {
      if (content !== undefined) known.set(file, { digest: content.digest, size: content.size, mtimeMs: content.mtimeMs, ctimeMs: content.ctimeMs, ino: content.ino, dev: content.dev });
      const [from, length] = validPlace ? (place as [number, number]) : [0, 0];
      entries.set(file, { key: entry.key, result: entry.result, ...(validPlace ? { summary: summaries.subarray(from, from + length) } : {}), ...(validLinked ? { linked: { key: linked.key!, result: linked.result! } } : {}) });
    }
  }
  const rawLinks = top['links'];
  if (typeof rawLinks !== 'object' || rawLinks === null || Array.isArray(rawLinks)) return 'its link records are not an object';
  const links = new Map<string, LinkRecord>();
  for (const [key, value] of Object.entries(rawLinks)) {
    if (validLinkRecord(value)) links.set(key, value);
    else invalid++;
  }
  return invalid > 0 ? `it has ${invalid === 1 ? 'a malformed entry' : `${invalid} malformed entries`}` : { entries, links, known };
}
