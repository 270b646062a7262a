/**
 * Reading a project config file (`.async-boundary.json`) as text, for the CLI (asynchronously) and
 * the language server (synchronously, as it resolves a document's config). An entry of that name
 * that is not a readable file, including a dangling or looping symbolic link, is found like a file
 * and described in words that say what to do, so that it is reported instead of being skipped for
 * the config above it or the defaults.
 */
import { lstatSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { lstat, readFile, readlink, stat } from 'node:fs/promises';

/** The most a config file may weigh; anything bigger is not a hand-written config. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** A config file's text, or why it cannot be read. */
export type ConfigRead = { readonly text: string } | { readonly problem: string };

const FIX_LINK = 'point the link at a config file or remove it';

/** What keeps an entry whose `stat` succeeded from being read as a config, or `undefined`. */
function entryProblem(info: Stats): string | undefined {
  if (info.isDirectory()) return 'it is a folder, not a file';
  if (!info.isFile()) return `it is not a regular file (${info.isFIFO() ? 'a named pipe' : 'a device or socket'})`;
  if (info.size > MAX_CONFIG_BYTES) return 'it is larger than 1 MB';
  return undefined;
}

/** Why `stat` failed, naming a broken symbolic link's target; `target` is `undefined` when the entry is no link. */
function statProblem(code: string, target: string | undefined): string {
  if (target !== undefined && code === 'ENOENT') return `it is a symbolic link to \`${target}\`, which does not exist: ${FIX_LINK}`;
  if (target !== undefined && code === 'ELOOP') return `it is a symbolic link to \`${target}\`, which leads back to itself (ELOOP): ${FIX_LINK}`;
  return code;
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

/** Reads a config file, or says why it cannot be read. */
export async function readConfigText(path: string): Promise<ConfigRead> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    const link = await lstat(path).then((l) => l.isSymbolicLink(), () => false);
    return { problem: statProblem(codeOf(error), link ? await readlink(path).catch(() => '?') : undefined) };
  }
  const problem = entryProblem(info);
  if (problem !== undefined) return { problem };
  return readFile(path, 'utf8').then(
    (text) => ({ text }),
    (error: unknown) => ({ problem: codeOf(error) }),
  );
}

/** {@link readConfigText}, synchronously. */
export function readConfigTextSync(path: string): ConfigRead {
  let info: Stats;
  try {
    info = statSync(path);
  } catch (error) {
    let target: string | undefined;
    try {
      if (lstatSync(path).isSymbolicLink()) target = readlinkSync(path);
    } catch {
      target = undefined;
    }
    return { problem: statProblem(codeOf(error), target) };
  }
  const problem = entryProblem(info);
  if (problem !== undefined) return { problem };
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { problem: codeOf(error) };
  }
}

/** True when a directory entry named `path` exists, even a symbolic link whose target does not. */
export async function entryExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** {@link entryExists}, synchronously. */
export function entryExistsSync(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
