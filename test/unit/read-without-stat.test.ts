// The CLI reads the files its walk found without a `stat` before each read (issue: performance at
// scale): the folder listing already says which entries are regular files, and the size comes from
// the open file. Anything the listing did not vouch for (a link, a FIFO, a named path), or a file
// that changed kind since, still goes through the checked path with its notice.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { symlinkSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { join } from 'node:path';
import { readSource, sourceDigest, walkEntries, type WalkedFile } from '../../server/src/project/files';
import { removeWorkspace, workspace } from './cli-helpers';

const UTF8 = 'export async function f() { return 1; }\n';

async function walked(root: string): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  for await (const entry of walkEntries([root], root, { extensions: new Set(['.ts']) })) out.push(entry);
  return out;
}

/** Counts `fs/promises.stat` calls on `paths` while `body` runs. */
async function statsOn(paths: readonly string[], body: () => Promise<void>): Promise<number> {
  const original = fsp.stat;
  let count = 0;
  (fsp as { stat: typeof fsp.stat }).stat = ((path: Parameters<typeof fsp.stat>[0], ...rest: unknown[]) => {
    if (paths.includes(String(path))) count++;
    return (original as (...args: unknown[]) => ReturnType<typeof fsp.stat>)(path, ...rest);
  }) as typeof fsp.stat;
  try {
    await body();
  } finally {
    (fsp as { stat: typeof fsp.stat }).stat = original;
  }
  return count;
}

describe('reading walked files without a stat', () => {
  it('the walk marks regular files, and links, FIFOs and named files as not vouched for', async () => {
    const root = workspace({ 'src/a.ts': UTF8 });
    try {
      symlinkSync(join(root, 'src', 'a.ts'), join(root, 'src', 'link.ts'));
      execFileSync('mkfifo', [join(root, 'src', 'pipe.ts')]);
      const entries = await walked(join(root, 'src'));
      assert.deepEqual(entries.map((e) => [e.path.slice(root.length + 1), e.regular]), [['src/a.ts', true], ['src/link.ts', false], ['src/pipe.ts', false]]);
      const named: WalkedFile[] = [];
      for await (const e of walkEntries([join(root, 'src', 'a.ts')], root, { extensions: new Set(['.ts']) })) named.push(e);
      assert.deepEqual(named.map((e) => e.regular), [false]);
    } finally {
      removeWorkspace(root);
    }
  });

  it('reads a regular file with no stat call, and gives what the checked path gives', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(UTF8, 'utf16le')]);
    const root = workspace({ 'a.ts': UTF8, 'b.ts': `\ufeff${UTF8}`, 'big.ts': `// ${'x'.repeat(1024 * 1024)}\n` });
    try {
      writeFileSync(join(root, 'c.ts'), utf16);
      writeFileSync(join(root, 'bin.ts'), Buffer.from([0x61, 0, 0x62]));
      writeFileSync(join(root, 'empty.ts'), '');
      const entries = await walked(root);
      assert.ok(entries.every((e) => e.regular));
      const fast: unknown[] = [];
      const stats = await statsOn(entries.map((e) => e.path), async () => {
        for (const e of entries) fast.push(await readSource(e.path, e.regular));
      });
      assert.equal(stats, 0, 'no stat before reading a file the listing called regular');
      const checked: unknown[] = [];
      const checkedStats = await statsOn(entries.map((e) => e.path), async () => {
        for (const e of entries) checked.push(await readSource(e.path));
      });
      assert.equal(checkedStats, entries.length, 'the spy sees the checked path stat each file');
      // A UTF-8 read decodes on demand: compare what a caller reads of each.
      const asRead = (r: unknown): unknown => (typeof r === 'object' && r !== null && 'text' in r ? { text: (r as { text: string }).text } : r);
      assert.deepEqual(fast.map(asRead), checked.map(asRead));
      assert.deepEqual(asRead(fast[0]), { text: UTF8 });
    } finally {
      removeWorkspace(root);
    }
  });

  it('a file that changed kind since the listing is read through the checked path', async () => {
    const root = workspace({ 'a.ts': UTF8 });
    try {
      execFileSync('mkfifo', [join(root, 'pipe.ts')]);
      symlinkSync(join(root, 'missing.ts'), join(root, 'dangling.ts'));
      // As if the listing had said "regular" and the entries were replaced afterwards.
      assert.deepEqual(await readSource(join(root, 'pipe.ts'), true), { skipped: 'is not a regular file (a named pipe)' });
      assert.deepEqual(await readSource(join(root, 'dangling.ts'), true), { skipped: 'is a symbolic link whose target does not exist' });
      assert.match((await readSource(join(root, 'gone.ts'), true) as { skipped: string }).skipped, /^cannot be read \(ENOENT\)/);
    } finally {
      removeWorkspace(root);
    }
  });
});

describe("a read file's content digest", () => {
  it('is made from the bytes without decoding them, equals the sha256 of the text for UTF-8 without a BOM, and tells apart what decodes alike', async () => {
    const root = workspace({ 'a.ts': UTF8, 'bom.ts': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(UTF8)]), 'bad1.ts': Buffer.from([0x61, 0xff, 0x0a]), 'bad2.ts': Buffer.from([0x61, 0xfe, 0x0a]) });
    try {
      const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
      const plain = await readSource(join(root, 'a.ts'));
      assert.ok('text' in plain);
      // The digest first: the key of a cache hit, with the text never decoded.
      assert.equal(sourceDigest(plain), sha(UTF8));
      assert.equal(plain.text, UTF8);
      const bom = await readSource(join(root, 'bom.ts'));
      assert.ok('text' in bom);
      assert.equal(bom.text, UTF8, 'the byte-order mark is dropped');
      assert.equal(sourceDigest(bom), sha(UTF8));
      // Two invalid bytes decode to the same replacement character; their digests still differ.
      const [bad1, bad2] = [await readSource(join(root, 'bad1.ts')), await readSource(join(root, 'bad2.ts'))];
      assert.ok('text' in bad1 && 'text' in bad2);
      assert.equal(bad1.text, bad2.text);
      assert.notEqual(sourceDigest(bad1), sourceDigest(bad2));
    } finally {
      removeWorkspace(root);
    }
  });
});
