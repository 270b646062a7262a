/** Writing a cache file so that a crash or a concurrent writer never leaves half a file behind. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` (or the buffers of `text`, one after the other) to `path` through a temporary file in
 * the same folder renamed over it (creating the folder). Resolves to the failure's code, if any; the
 * temporary file is removed on failure.
 */
export async function writeAtomically(path: string, text: string | readonly Uint8Array[]): Promise<string | undefined> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    const file = await open(temp, 'w', 0o644);
    try {
      if (typeof text === 'string') await file.writeFile(text);
      else await file.writev(text as Uint8Array[]);
    } finally {
      await file.close();
    }
    await rename(temp, path);
    return undefined;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
