/** Writing a cache file so that a crash or a concurrent writer never leaves half a file behind. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `path` through a temporary file in the same folder renamed over it (creating the
 * folder). Resolves to the failure's code, if any; the temporary file is removed on failure.
 */
export async function writeAtomically(path: string, text: string): Promise<string | undefined> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, path);
    return undefined;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
