// Bad files on disk: binary, over the size limit, and unreadable ones. We run as root, where
// chmod 000 does not stop a read, so "unreadable" is a FIFO named `pipe.ts` (a read would block
// forever) and a folder named `folder.ts`. The CLI and the LSP workspace scan skip each with one
// notice and never hang.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSource } from '../../server/src/project/files';
import { TestClient } from '../lsp/harness';
import { BLOCKING_TS, cli, removeWorkspace, workspace } from './cli-helpers';

const BIG = `// ${'x'.repeat(1024 * 1024)}\n`;
const BINARY = Buffer.concat([Buffer.from('export async function f() {}\n'), Buffer.from([0, 1, 2, 0])]);

function badFiles(root: string): void {
  execFileSync('mkfifo', [join(root, 'pipe.ts')]);
  mkdirSync(join(root, 'folder.ts'));
}

describe('bad files (fuzz lane)', function () {
  this.timeout(60_000);

  it('readSource skips a FIFO and a folder named like sources, without blocking', async () => {
    const root = workspace({});
    try {
      badFiles(root);
      assert.deepEqual(await readSource(join(root, 'pipe.ts')), { skipped: 'is not a regular file (a named pipe)' });
      assert.deepEqual(await readSource(join(root, 'folder.ts')), { skipped: 'is not a regular file (a folder)' });
      assert.match((await readSource(join(root, 'missing.ts')) as { skipped: string }).skipped, /^cannot be read \(ENOENT\)/);
    } finally {
      removeWorkspace(root);
    }
  });

  it('the CLI skips binary, oversized and FIFO sources with one notice each and still checks the rest', async () => {
    const root = workspace({ 'src/a.ts': BLOCKING_TS, 'src/bin.ts': BINARY, 'src/huge.ts': BIG, 'src/folder.ts/inner.ts': BLOCKING_TS });
    try {
      execFileSync('mkfifo', [join(root, 'src', 'pipe.ts')]);
      const r = await cli(['check', 'src'], root);
      // The folder named `folder.ts` is a folder: walked, its file checked.
      assert.match(r.out, /src\/a\.ts/);
      assert.match(r.out, /src\/folder\.ts\/inner\.ts/);
      const notices = r.err.trim().split('\n');
      assert.deepEqual(notices.map((n) => /^notice: skipped (\S+):/.exec(n)?.[1]).sort(), ['src/bin.ts', 'src/huge.ts', 'src/pipe.ts'], r.err);
      assert.match(r.err, /src\/pipe\.ts: it is not a regular file \(a named pipe\)/);
      // Named explicitly, the FIFO is skipped the same way instead of blocking the run.
      const explicit = await cli(['check', 'src/pipe.ts'], root);
      assert.equal(explicit.code, 0);
      assert.match(explicit.err, /^notice: skipped src\/pipe\.ts: it is not a regular file/m);
    } finally {
      removeWorkspace(root);
    }
  });

  it('the LSP workspace scan skips them too, counts them, and logs one notice each', async () => {
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { 'a.ts': BLOCKING_TS, 'bin.ts': BINARY.toString('latin1'), 'huge.ts': BIG } });
    try {
      badFiles(client.root);
      const summary = await client.request<{ files: number; skipped: number }>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
      assert.deepEqual([summary.files, summary.skipped], [1, 3]);
      const notices = client.logs.filter((l) => /^async-boundary: skipped /.test(l));
      assert.equal(notices.length, 3, JSON.stringify(client.logs));
      assert.ok(notices.some((n) => n.includes('pipe.ts') && n.includes('not a regular file')));
    } finally {
      await client.stop();
    }
  });
});
