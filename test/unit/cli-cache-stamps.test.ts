// `check --cache` knows an unchanged file by its stamp (size, modification and change times, inode),
// as git's index does, and does not read it: only a file that had last changed well before a run read
// it is known that way (SETTLED_MS), so a write in the same clock tick as the read, or a write that
// keeps the size and sets the modification time back, is still seen.
import assert from 'node:assert/strict';
import fs, { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_FILE_NAME, SETTLED_MS } from '../../server/src/cli/cache';
import { sha256 } from '../../server/src/project/digest';
import { KnownSource, stampOf } from '../../server/src/project/files';
import { BLOCKING_TS, CLEAN_TS, cli, removeWorkspace, workspace } from './cli-helpers';

interface CacheFile {
  entries: Record<string, { key: string; content?: { digest: string; size: number; mtimeMs: number; ctimeMs: number } }>;
}
const ROUND_TIME = 1_700_000_000;
const readCache = (path: string): CacheFile => {
  const text = readFileSync(path, 'utf8');
  return JSON.parse(text.slice(0, text.indexOf('\n'))) as CacheFile;
};

/** Runs `f` and returns, with its result, the files it opened through `fs.openSync` (how the CLI reads a source). */
async function opened<T>(f: () => Promise<T>): Promise<{ result: T; files: string[] }> {
  const files: string[] = [];
  const real = fs.openSync;
  (fs as { openSync: typeof fs.openSync }).openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    files.push(String(path));
    return (real as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  try {
    return { result: await f(), files };
  } finally {
    (fs as { openSync: typeof fs.openSync }).openSync = real;
  }
}

describe('cli: --cache knows unchanged files by their stamp', function () {
  this.timeout(60_000);
  let ws: string;
  let cachePath: string;
  // One workspace whose files have settled: they were written SETTLED_MS before the first run reads them.
  before(async () => {
    ws = workspace({ 'src/a.ts': BLOCKING_TS, 'src/b.ts': BLOCKING_TS.replace('load', 'read'), 'src/c.ts': CLEAN_TS });
    cachePath = join(ws, CACHE_FILE_NAME);
    // A whole second, which utimes sets exactly (a time read back from stat has a fraction it would round).
    utimesSync(join(ws, 'src/b.ts'), ROUND_TIME, ROUND_TIME);
    await new Promise((resolve) => setTimeout(resolve, SETTLED_MS + 200));
  });
  after(() => removeWorkspace(ws));

  it('a warm run reads no unchanged file, prints the same, and reads a changed file only', async () => {
    const cold = await cli(['check', '--cache', '--format', 'json'], ws);
    const stored = readCache(cachePath).entries[join(ws, 'src/a.ts')]!.content!;
    assert.equal(stored.digest, sha256(BLOCKING_TS));
    assert.equal(stored.size, BLOCKING_TS.length);
    const warm = await opened(() => cli(['check', '--cache', '--format', 'json'], ws));
    assert.deepEqual(warm.result, cold);
    assert.deepEqual(
      warm.files.filter((f) => f.endsWith('.ts')),
      [],
    );
    // In a terminal, the code frames under findings read the files that have findings, and only those.
    const plainTty = await cli(['check'], ws, { isTTY: true, env: { NO_COLOR: '1' } });
    const warmTty = await opened(() => cli(['check', '--cache'], ws, { isTTY: true, env: { NO_COLOR: '1' } }));
    assert.deepEqual(warmTty.result, plainTty);
    assert.match(plainTty.out, /fs\.readFileSync/);
    assert.deepEqual(warmTty.files.filter((f) => f.endsWith('.ts')).sort(), [join(ws, 'src/a.ts'), join(ws, 'src/b.ts')]);
    writeFileSync(join(ws, 'src/c.ts'), BLOCKING_TS.replace('load', 'fetchIt'));
    const changed = await opened(() => cli(['check', '--cache', '--format', 'json'], ws));
    assert.deepEqual(
      changed.files.filter((f) => f.endsWith('.ts')),
      [join(ws, 'src/c.ts')],
    );
    assert.deepEqual(
      (JSON.parse(changed.result.out) as { file: string }[]).map((f) => f.file),
      ['src/a.ts', 'src/b.ts', 'src/c.ts'],
    );
    // Written just now, c.ts's stamp vouches for nothing yet: the next run reads it again.
    assert.equal(readCache(cachePath).entries[join(ws, 'src/c.ts')]!.content, undefined);
    const next = await opened(() => cli(['check', '--cache', '--format', 'json'], ws));
    assert.deepEqual(next.files.filter((f) => f.endsWith('.ts')), [join(ws, 'src/c.ts')]);
    assert.equal(next.result.out, changed.result.out);
  });

  it('a write of the same length with the modification time set back is seen (the change time moved)', async () => {
    await cli(['check', '--cache', '--format', 'json'], ws);
    const path = join(ws, 'src/b.ts');
    assert.equal(statSync(path).mtimeMs, ROUND_TIME * 1000);
    const text = readFileSync(path, 'utf8');
    const call = "fs.readFileSync(p, 'utf8')";
    const same = text.replace(call, 'fs.promises.readFile(p)'.padEnd(call.length));
    assert.equal(same.length, text.length);
    writeFileSync(path, same);
    utimesSync(path, ROUND_TIME, ROUND_TIME);
    assert.equal(statSync(path).mtimeMs, ROUND_TIME * 1000);
    assert.equal(statSync(path).size, text.length);
    const r = await cli(['check', '--cache', '--format', 'json'], ws);
    assert.ok(!(JSON.parse(r.out) as { file: string }[]).some((f) => f.file === 'src/b.ts'), r.out);
  });

  it('a stamp in the cache that is not one is a malformed entry: the cache is ignored and rewritten', async () => {
    await cli(['check', '--cache'], ws);
    const text = readFileSync(cachePath, 'utf8');
    const head = JSON.parse(text.slice(0, text.indexOf('\n'))) as CacheFile;
    head.entries[join(ws, 'src/a.ts')]!.content!.digest = 'not a digest';
    writeFileSync(cachePath, `${JSON.stringify(head)}${text.slice(text.indexOf('\n'))}`);
    const r = await cli(['check', '--cache'], ws);
    assert.match(r.err, /notice: ignored the cache .+: it has a malformed entry; it is rewritten/);
  });

  it('a file known by its stamp that changed before its text was needed gives the digest of what was read, and no stamp', () => {
    const path = join(ws, 'src/c.ts');
    const stamp = stampOf(path)!;
    const known = new KnownSource(path, sha256('an older text'), { stamp, readAt: Date.now() });
    assert.equal(known.digest, sha256('an older text'));
    assert.equal(known.text, readFileSync(path, 'utf8'));
    assert.equal(known.digest, sha256(readFileSync(path, 'utf8')));
    assert.equal(known.stamped, undefined);
  });
});
