/**
 * The project's files, for every caller (the CLI's `check` and the language server's workspace
 * scan). Finds the files to check: walks the given paths, honours `.gitignore` files (nested ones too),
 * skips dependency and build folders, and reads each file only when its turn comes, so memory
 * stays bounded by one file at a time.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { access, lstat, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { sha256 } from './digest';

/** A path named to {@link walkFiles} does not exist. */
export class PathNotFoundError extends Error {}

/** Folder names never walked into: dependencies, build output, VCS data. */
export const ALWAYS_SKIPPED = new Set(['node_modules', 'dist', 'target', '.git']);
/** Files larger than this are skipped: generated bundles, not code anyone reviews. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** How much of a file is searched for a NUL byte to decide it is binary (git uses the same window). */
const BINARY_SNIFF_BYTES = 8000;

/** A path with forward slashes, for output and glob matching on every platform. */
export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** True when `path` exists (file, folder or anything else). */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The nearest folder at or above `dir` that holds a `.git` entry, if any. */
export async function findGitRoot(dir: string): Promise<string | undefined> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (await exists(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

interface IgnoreLayer {
  readonly dir: string;
  readonly rules: Ignore;
}

async function loadLayer(dir: string): Promise<IgnoreLayer | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, '.gitignore'), 'utf8');
  } catch {
    return undefined;
  }
  return { dir, rules: ignore().add(text) };
}

/** Deeper `.gitignore` files win over shallower ones, as in git: the first layer with an opinion decides. */
function ignoredBy(layers: readonly IgnoreLayer[], path: string, isDir: boolean): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const rel = toPosix(relative(layer.dir, path));
    if (rel === '' || rel.startsWith('../') || rel === '..') continue;
    const result = layer.rules.test(isDir ? `${rel}/` : rel);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/** The `.gitignore` layers that apply to `dir`, from the repository root (outside a repository: the working directory, or `dir` itself) down. */
async function layersFor(dir: string, cwd: string): Promise<IgnoreLayer[]> {
  const root = (await findGitRoot(dir)) ?? (isWithin(cwd, dir) ? cwd : dir);
  const chain: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    chain.unshift(d);
    if (d === root || dirname(d) === d) break;
  }
  const layers: IgnoreLayer[] = [];
  for (const d of chain) {
    const layer = await loadLayer(d);
    if (layer) layers.push(layer);
  }
  return layers;
}

function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Options for {@link walkFiles}. */
export interface WalkOptions {
  /** File extensions to yield, with the dot, lower case. */
  readonly extensions: ReadonlySet<string>;
  /** Called for a file named explicitly that no frontend handles. */
  readonly onUnsupported?: (path: string) => void;
  /** Called for a folder that cannot be listed (no permission, removed meanwhile), with the reason. */
  readonly onUnreadable?: (path: string, reason: string) => void;
}

/**
 * Yields the absolute paths of the files to check under `paths`, in a stable order (sorted per
 * folder). A file named explicitly is yielded even when a `.gitignore` lists it; a folder named
 * explicitly is walked even when it is `node_modules` or `dist`, and what is under it is filtered
 * by the `.gitignore` files as git would. Throws a {@link PathNotFoundError} when a named path does not exist.
 */
export async function* walkFiles(paths: readonly string[], cwd: string, options: WalkOptions): AsyncGenerator<string> {
  for await (const entry of walkEntries(paths, cwd, options)) yield entry.path;
}

/** A file found by {@link walkEntries}. */
export interface WalkedFile {
  readonly path: string;
  /**
   * The folder listing said this is a regular file (not a link, FIFO or device), so
   * {@link readSource} can open it without a `stat` first.
   */
  readonly regular: boolean;
}

/** {@link walkFiles}, with what the folder listing said about each file. */
export async function* walkEntries(paths: readonly string[], cwd: string, options: WalkOptions): AsyncGenerator<WalkedFile> {
  const seen = new Set<string>();
  for (const p of paths) {
    // `resolve(cwd, '')` is the working directory: an empty argument (an unset variable) must not check everything.
    if (p === '') throw new PathNotFoundError('an empty path was given: name a file or folder (`.` for the current folder)');
    const abs = resolve(cwd, p);
    const info = await stat(abs).catch(() => undefined);
    if (!info) throw new PathNotFoundError(`path not found: \`${p}\``);
    if (info.isDirectory()) {
      for await (const file of walkDir(abs, await layersFor(abs, resolve(cwd)), options)) {
        if (!seen.has(file.path)) {
          seen.add(file.path);
          yield file;
        }
      }
    } else if (!options.extensions.has(extname(abs).toLowerCase())) {
      options.onUnsupported?.(p);
    } else if (!seen.has(abs)) {
      seen.add(abs);
      yield { path: abs, regular: false };
    }
  }
}

async function* walkDir(dir: string, layers: readonly IgnoreLayer[], options: WalkOptions): AsyncGenerator<WalkedFile> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    options.onUnreadable?.(dir, (error as NodeJS.ErrnoException).code ?? String(error));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    // Symbolic links to folders are not followed: they can loop, and git does not follow them either.
    let isDir = entry.isDirectory();
    // A FIFO, socket or device named like a source file is yielded too, so that reading it skips it
    // with a notice (see readSource) instead of leaving it out silently.
    let isFile = !entry.isDirectory() && !entry.isSymbolicLink();
    if (entry.isSymbolicLink()) {
      // A link to a file is checked; a dangling or looping link, or one to a device, is yielded too
      // so that reading it skips it with a notice. Links to folders are not followed.
      const target = await stat(full).catch(() => undefined);
      isDir = false;
      isFile = target === undefined || !target.isDirectory();
    }
    if (isDir) {
      if (ALWAYS_SKIPPED.has(entry.name) || ignoredBy(layers, full, true)) continue;
      const own = await loadLayer(full);
      yield* walkDir(full, own ? [...layers, own] : layers, options);
    } else if (isFile && options.extensions.has(extname(entry.name).toLowerCase()) && !ignoredBy(layers, full, false)) {
      yield { path: full, regular: entry.isFile() };
    }
  }
}

/**
 * What says that a file's content is the same without reading it, as git's index does: its size,
 * its modification and change times and its inode. Writing a file sets its change time to the
 * current time, which no tool can set back (`touch -d` sets the modification time), so a stamp
 * taken well after the file's last change (see `ResultCache.remember`) changes with any later write.
 */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly dev: number;
}

/** A file's text read, with the stamp of what was read and when (`readSource` of a file the walk saw as regular). */
export interface StampedRead {
  readonly stamp: FileStamp;
  /** `Date.now()` just before the file was opened. */
  readonly readAt: number;
}

/** A file's text, or why it was skipped. */
export type SourceRead = { readonly text: string; readonly digest?: string; readonly stamped?: StampedRead } | { readonly skipped: string };

const stampOfStats = (info: { size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number }): FileStamp => ({ size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino, dev: info.dev });

/** The stamp of the file at `path` if it is a regular file (not through a symbolic link), without reading it. */
export function stampOf(path: string): FileStamp | undefined {
  try {
    const info = lstatSync(path, { throwIfNoEntry: false });
    return info?.isFile() ? stampOfStats(info) : undefined;
  } catch {
    return undefined;
  }
}

/** True when two stamps are the same. */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}

/**
 * A file whose content digest the caller already knows from its stamp (a cache): the text is read
 * on first use, for an analysis or a code frame. If the file no longer has that content (it was
 * written during the run), `digest` becomes that of what was read and `stamped` is gone, so a
 * result is never kept under the old digest; a file that can no longer be read as text throws.
 */
export class KnownSource {
  private decoded: string | undefined;
  private hash: string;
  private known: StampedRead | undefined;

  constructor(
    private readonly path: string,
    digest: string,
    stamped: StampedRead,
  ) {
    this.hash = digest;
    this.known = stamped;
  }

  get text(): string {
    if (this.decoded === undefined) {
      const read = readRegular(this.path);
      if (read === undefined || 'skipped' in read) throw new Error(`${this.path} changed while it was checked: it ${read && 'skipped' in read ? read.skipped : 'is no longer a regular file'}`);
      const digest = sourceDigest(read);
      if (digest !== this.hash) {
        this.hash = digest;
        this.known = undefined;
      }
      this.decoded = read.text;
    }
    return this.decoded;
  }

  get digest(): string {
    return this.hash;
  }

  get stamped(): StampedRead | undefined {
    return this.known;
  }
}

/**
 * A UTF-8 file's text, decoded on first use, and its digest, made from the bytes read: a cache can
 * key a file on its content without decoding it (for UTF-8 text without a byte-order mark, the
 * sha256 of the bytes is that of the text). The bytes are let go once both are known.
 */
class Utf8Source {
  private bytes: Buffer | undefined;
  private decoded: string | undefined;
  private hash: string | undefined;

  constructor(
    bytes: Buffer,
    readonly stamped?: StampedRead,
  ) {
    this.bytes = bytes;
  }

  get text(): string {
    if (this.decoded === undefined) {
      this.decoded = this.bytes!.toString('utf8');
      if (this.hash !== undefined) this.bytes = undefined;
    }
    return this.decoded;
  }

  get digest(): string {
    if (this.hash === undefined) {
      this.hash = createHash('sha256').update(this.bytes!).digest('hex');
      if (this.decoded !== undefined) this.bytes = undefined;
    }
    return this.hash;
  }
}

/** The digest of a read file's content: the one made from its bytes when the read kept them, else the sha256 of its text. */
export function sourceDigest(source: { readonly text: string; readonly digest?: string }): string {
  return source.digest ?? sha256(source.text);
}

/**
 * Reads a source file, skipping large and binary files (with the reason). A leading BOM is dropped.
 * `regular` (from {@link walkEntries}) says the folder listing saw a regular file: it is then opened
 * without a `stat` first (the size comes from the open file), which saves a system call per file.
 */
export async function readSource(path: string, regular = false): Promise<SourceRead> {
  if (regular) {
    const read = readRegular(path);
    if (read) return read;
  }
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const link = await lstat(path).then((l) => l.isSymbolicLink(), () => false);
    if (link && code === 'ENOENT') return { skipped: 'is a symbolic link whose target does not exist' };
    if (link && code === 'ELOOP') return { skipped: 'is a symbolic link that loops (ELOOP)' };
    return { skipped: `cannot be read (${code})` };
  }
  // A FIFO or device named `x.ts` would block the read forever; a folder cannot be read as text.
  if (!info.isFile()) return { skipped: `is not a regular file (${info.isDirectory() ? 'a folder' : info.isFIFO() ? 'a named pipe' : 'a device or socket'})` };
  if (info.size > MAX_FILE_BYTES) return tooLarge(info.size);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { skipped: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  return decodeSource(bytes);
}

function tooLarge(size: number): SourceRead {
  return { skipped: `is ${size.toLocaleString('en-US')} bytes, over the limit of 1 MB (${MAX_FILE_BYTES.toLocaleString('en-US')} bytes)` };
}

/**
 * Opens a file the folder listing called regular, without following a link (it was not one when
 * listed; if it became one, or anything else fails, `undefined` sends the caller to the checked
 * path), and reads it through the open descriptor. The calls block: each is one system call on a
 * file the listing just saw (O_NONBLOCK keeps a FIFO put in its place from blocking the open), where
 * the promise API sends each of the four through the thread pool and back (measured on the CLI's
 * main thread, whose work while worker threads analyse is mostly this: about a third of its CPU).
 */
function readRegular(path: string): SourceRead | undefined {
  const readAt = Date.now();
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return undefined;
    if (info.size > MAX_FILE_BYTES) return tooLarge(info.size);
    const bytes = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < info.size) {
      const bytesRead = readSync(fd, bytes, filled, info.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // A file cut short while it was read has no stamp of what was read.
    return decodeSource(bytes.subarray(0, filled), filled === info.size ? { stamp: stampOfStats(info), readAt } : undefined);
  } catch {
    return undefined;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Nothing to do: the descriptor is gone either way.
    }
  }
}

function decodeSource(bytes: Buffer, stamped?: StampedRead): SourceRead {
  // UTF-16 text has NUL bytes in every ASCII character: its byte-order mark says it is text.
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'be' : undefined;
  const stamp = stamped ? { stamped } : {};
  if (utf16 === 'le') return { text: stripBom(bytes.subarray(2).toString('utf16le')), ...stamp };
  if (utf16 === 'be') return { text: stripBom(Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1))).swap16().toString('utf16le')), ...stamp };
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { skipped: 'is binary (it has a NUL byte in its first 8 KB and no UTF-16 byte-order mark)' };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), ...stamp };
  return new Utf8Source(bytes, stamped);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
