/**
 * The project's summaries: the one place that turns files into cross-file summaries and links them.
 * The CLI and the language server compose this with their own reading; the engine's linker
 * (engine/linker.ts) does the joining, purely.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Linker, MAX_LINK_DEPTH, type ModuleLocation, type ModuleResolver, type ProjectLayout } from '../engine/linker';
import type { FileSummary } from '../engine/summary';
import { ALWAYS_SKIPPED } from './files';
import { frontendForPath } from './languages';

/** The resolver of a file's language, if it links across files. */
export function resolverFor(path: string): ModuleResolver | undefined {
  return frontendForPath(path)?.resolver;
}

/**
 * A copy of a summary that shares nothing with the analysis it came from, for a summary kept as
 * long as the project is open (the language server's index). The names in a summary (`verify`,
 * `bcrypt.compareSync`, a callee) are substrings of the file's text, and V8 keeps a substring as a
 * slice of its parent: one kept name keeps the whole text alive. Concatenated callees
 * (`./password-hash.verify`) are trees of their parts, and arrays built by `push` keep spare room.
 * The copy has flat strings of its own, each distinct one once (a helper's name is in every hop
 * through it), arrays of their length, and the same sharing as the original: the hops a summary's
 * refs have in common stay one object. Summaries are plain data (objects, arrays, strings, numbers,
 * booleans), shared but never cyclic.
 */
export function detachedSummary(summary: FileSummary): FileSummary {
  const strings = new Map<string, string>();
  const visited = new Set<object>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') strings.set(v, v);
    else if (typeof v === 'object' && v !== null && !visited.has(v)) {
      visited.add(v);
      for (const x of Array.isArray(v) ? v : Object.values(v)) collect(x);
    }
  };
  collect(summary);
  // One JSON round trip makes every distinct string anew: flat, and holding nothing else.
  const originals = [...strings.keys()];
  const flat = JSON.parse(JSON.stringify(originals)) as string[];
  for (let i = 0; i < originals.length; i++) strings.set(originals[i]!, flat[i]!);
  const copies = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') return strings.get(v)!;
    if (typeof v !== 'object' || v === null) return v;
    let out = copies.get(v);
    if (out === undefined) {
      if (Array.isArray(v)) out = v.map(copy);
      else {
        const o: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) o[k] = copy(x);
        out = o;
      }
      copies.set(v, out);
    }
    return out;
  };
  return copy(summary) as FileSummary;
}

/** A linker over a set of summaries; `layout` (project/layout.ts) says where the project's named packages live. */
export function newLinker(summaries: Iterable<FileSummary>, layout: ProjectLayout = {}): Linker {
  return new Linker(summaries, resolverFor, layout);
}

/**
 * The modules that the calls and re-exports of `files` name but the linker cannot find among the
 * summaries. `pending` keeps, per file, the callees still unresolved after a call (a later round
 * only asks about those: adding summaries never unresolves a callee).
 */
function unresolved(summaries: ReadonlyMap<string, FileSummary>, files: Iterable<string>, pending: Map<string, readonly string[]>, linker: Linker, layout: ProjectLayout): { loc: ModuleLocation; from: string }[] {
  const out: { loc: ModuleLocation; from: string }[] = [];
  for (const path of files) {
    const s = summaries.get(path);
    const resolver = s && resolverFor(path);
    if (!s || !resolver) continue;
    const known = pending.get(path);
    // A file seen for the first time: its re-exports are probed once, with every callee.
    if (known === undefined) {
      for (const r of s.reexports) {
        const loc = resolver.module(r.module, path, layout);
        if (loc) out.push({ loc, from: path });
      }
      // A Go file that takes mutex fields: the other files of its package may take them too.
      if (s.locks?.some((u) => u.kind === 'acquire')) {
        const loc = resolver.module('.', path, layout);
        if (loc) out.push({ loc, from: path });
      }
    }
    const still: string[] = [];
    for (const callee of known ?? s.refs) {
      if (!resolver.mayLink(callee, path) || linker.resolve(path, callee)) continue;
      still.push(callee);
      for (const t of resolver.targets(callee, path, layout)) out.push({ loc: t.module, from: path });
    }
    pending.set(path, still);
  }
  return out;
}

const inSkippedFolder = (path: string): boolean => path.split('/').some((part) => ALWAYS_SKIPPED.has(part));

/** A folder's entries by name: a regular file, a symbolic link, or anything else. */
export type Listing = ReadonlyMap<string, 'file' | 'link' | 'other'>;

/** The file-system answers {@link completeSummaries} relied on, so a caller can tell later whether they still hold. */
export interface Probes {
  /** Each folder read, with {@link listingDigest} of what it held (`null`: it could not be read). */
  readonly folders: Map<string, string | null>;
  /** Each symbolic link followed, and whether it led to a file. */
  readonly links: Map<string, boolean>;
}

/** A folder's listing, or `undefined` when it cannot be read (missing, not a folder, no permission). */
export function readListing(dir: string): Promise<Listing | undefined> {
  return readdir(dir, { withFileTypes: true }).then(
    (entries) => new Map(entries.map((e) => [e.name, e.isFile() ? 'file' : e.isSymbolicLink() ? 'link' : 'other'] as const)),
    () => undefined,
  );
}

/** Whether a path (a symbolic link) leads to a file, as a read would follow it. */
function linkIsFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** A digest of a listing: its names and kinds, in name order. */
export function listingDigest(listing: Listing | undefined): string | null {
  if (!listing) return null;
  const names = [...listing].map(([name, kind]) => `${kind[0]}${name}`).sort();
  return createHash('sha256').update(names.join('\0')).digest('hex').slice(0, 32);
}

/** Whether every answer in `probes` is still what the file system says. */
export async function probesHold(probes: { readonly folders: Iterable<readonly [string, string | null]>; readonly links: Iterable<readonly [string, boolean]> }): Promise<boolean> {
  const folders = await Promise.all([...probes.folders].map(async ([dir, digest]) => listingDigest(await readListing(dir)) === digest));
  if (folders.includes(false)) return false;
  const links = await Promise.all([...probes.links].map(async ([path, isFile]) => (await linkIsFile(path)) === isFile));
  return !links.includes(false);
}

/**
 * Adds to `summaries` the files outside them that their imports name (a file checked on its own
 * still sees the helpers it imports), following imports of imports up to the linker's depth. `load`
 * reads and summarises one file (it returns `undefined` for a file it will not read); files under
 * dependency and build folders are never loaded. Up to `parallel` loads run at once.
 */
export async function completeSummaries(summaries: Map<string, FileSummary>, load: (path: string) => Promise<FileSummary | undefined>, layout: ProjectLayout = {}, parallel = 1, probes?: Probes): Promise<void> {
  const probed = new Map<string, boolean>();
  // A resolver names many candidates per import (extensions, index files, every way to split a
  // dotted name), most of which do not exist: one listing per folder answers them all, instead of a
  // failed `stat` each (about 50 per file on this project's own sources).
  const listings = new Map<string, Promise<Listing | undefined>>();
  const listing = (dir: string): Promise<Listing | undefined> => {
    let known = listings.get(dir);
    if (!known) {
      known = listFolder(dir);
      listings.set(dir, known);
    }
    return known;
  };
  // Most candidate folders do not exist (`src/core.js.make/index.ts` for the callee
  // `./core.js.make`): the parent's listing, when it was read already, answers that without a
  // failing `readdir` each.
  const listFolder = async (dir: string): Promise<Listing | undefined> => {
    const parent = listings.get(dirname(dir));
    if (parent && dirname(dir) !== dir) {
      const siblings = await parent;
      if (siblings && (siblings.get(basename(dir)) ?? 'file') === 'file') return undefined;
    }
    const read = await readListing(dir);
    probes?.folders.set(dir, listingDigest(read));
    return read;
  };
  const isFile = async (path: string): Promise<boolean> => {
    let known = probed.get(path);
    if (known === undefined) {
      const kind = (await listing(dirname(path)))?.get(basename(path));
      // A link is followed as a read would follow it.
      known = kind === 'link' ? await linkIsFile(path) : kind === 'file';
      if (kind === 'link') probes?.links.set(path, known);
      probed.set(path, known);
    }
    return known;
  };
  const pending = new Map<string, readonly string[]>();
  const loadedFolders = new Set<string>();
  // The first round asks about every file; later ones about the files that still have unresolved
  // callees, and the files just added.
  let files: Iterable<string> = [...summaries.keys()];
  for (let round = 0; round < MAX_LINK_DEPTH; round++) {
    const linker = newLinker(summaries.values(), layout);
    const wanted = new Set<string>();
    for (const { loc, from } of unresolved(summaries, files, pending, linker, layout)) {
      // A folder module (a Go package): the folder's files of the same language, but for its tests.
      if (!('files' in loc)) {
        const language = frontendForPath(from)?.language;
        if (inSkippedFolder(loc.folder) || loadedFolders.has(loc.folder)) continue;
        loadedFolders.add(loc.folder);
        for (const [name, kind] of (await listing(loc.folder)) ?? []) {
          const f = `${loc.folder}/${name}`;
          if (kind === 'other' || summaries.has(f) || name.endsWith('_test.go') || frontendForPath(f)?.language !== language) continue;
          if (await isFile(f)) wanted.add(f);
        }
        continue;
      }
      for (const f of loc.files) {
        if (summaries.has(f)) break;
        if (probed.get(f) === false || inSkippedFolder(f) || !frontendForPath(f)) continue;
        if (await isFile(f)) {
          wanted.add(f);
          break;
        }
      }
    }
    if (wanted.size === 0) return;
    const added: string[] = [];
    // Loaded up to `parallel` at a time (the CLI's threads), added in the order they were wanted.
    const toLoad = [...wanted].filter((f) => !summaries.has(f));
    const loaded = await mapLimited(toLoad, parallel, load);
    for (let i = 0; i < toLoad.length; i++) {
      const f = toLoad[i]!;
      const s = loaded[i];
      // A file that cannot be read or summarised is remembered as absent, so it is not tried again.
      if (s) {
        summaries.set(f, s);
        added.push(f);
      } else probed.set(f, false);
    }
    if (added.length === 0) return;
    files = [...[...pending].filter(([, callees]) => callees.length > 0).map(([path]) => path), ...added];
  }
}

/** `f` over `items`, at most `limit` calls pending at once; the results in the order of `items`. */
export async function mapLimited<I, R>(items: readonly I[], limit: number, f: (item: I) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
