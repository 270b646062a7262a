/**
 * Reading a project's manifests and configs (`Cargo.toml`, `package.json`, `tsconfig.json`) with
 * `node:fs` alone, safely on a repository nobody has checked: only a regular file is read (a named
 * pipe or a device called `tsconfig.json` is opened without blocking and refused), at most
 * {@link MAX_CONFIG_BYTES}, and a run reads at most {@link MAX_CONFIG_READS} of them. The text is
 * handed to pure parsers; nothing in it is executed.
 */
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';

/** A manifest or config larger than this is not read (the largest real tsconfig we know is a few kB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** How many configs one layout reads at most, whatever the repository's `extends` and workspaces say. */
export const MAX_CONFIG_READS = 20_000;

/** Reads config files for one layout, with a budget, remembering each answer. */
export class ConfigReader {
  private reads = 0;
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private readonly listings = new Map<string, Promise<ReadonlyMap<string, 'file' | 'dir' | 'link' | 'other'> | undefined>>();

  /** The text of a regular file of at most {@link MAX_CONFIG_BYTES}; `undefined` for anything else or past the budget. */
  text(path: string): Promise<string | undefined> {
    let t = this.texts.get(path);
    if (!t) {
      t = this.reads++ < MAX_CONFIG_READS ? readConfigText(path) : Promise.resolve(undefined);
      this.texts.set(path, t);
    }
    return t;
  }

  /** The files read so far (whatever their text said). */
  readPaths(): string[] {
    return [...this.texts.keys()];
  }

  /** A folder's entries by kind (one listing answers every "is there a tsconfig.json here"). */
  listing(dir: string): Promise<ReadonlyMap<string, 'file' | 'dir' | 'link' | 'other'> | undefined> {
    let l = this.listings.get(dir);
    if (!l) {
      l = readdir(dir, { withFileTypes: true }).then(
        (entries) => new Map(entries.map((e) => [e.name, e.isFile() ? 'file' : e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'link' : 'other'] as const)),
        () => undefined,
      );
      this.listings.set(dir, l);
    }
    return l;
  }

  /** Whether the folder lists an entry of that name that may be a file (a link is followed by the read). */
  async has(dir: string, name: string): Promise<boolean> {
    const kind = (await this.listing(dir))?.get(name);
    return kind === 'file' || kind === 'link';
  }
}

/** Reads a config file safely: regular files only, size-capped, never blocking on a pipe. */
export async function readConfigText(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < st.size) {
      const { bytesRead } = await handle.read(buf, at, st.size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    const text = buf.subarray(0, at).toString('utf8');
    // A byte-order mark is allowed in a tsconfig; a NUL byte says the file is not text.
    return text.includes('\0') ? undefined : text.replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
