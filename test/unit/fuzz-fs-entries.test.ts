// Odd file-system entries in random trees (the fuzz lane of issue 16): bounded here, longer in `npm run fuzz`.
import assert from 'node:assert/strict';
import { oddEntriesRun, runOddEntries } from '../fuzz/fs-entries';

const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 4_000) / 2;

describe('odd file-system entries (bounded fuzz)', function () {
  this.timeout(120_000);

  it('every kind of entry at once, in nested folders with odd names', async () => {
    await oddEntriesRun([
      { kind: 'blocking', dir: '', name: 'new\nline' },
      { kind: 'utf-16', dir: 'src', name: 'ünïcödé' },
      { kind: 'invalid utf-8', dir: 'src/deep/er', name: '-dash' },
      { kind: 'folder named like a source', dir: 'lib', name: 'with space' },
      { kind: 'clean', dir: 'lib', name: 'a' },
      { kind: 'empty', dir: '', name: '.hidden' },
      { kind: 'link to a folder', dir: 'src', name: 'a' },
      { kind: 'fifo', dir: 'src', name: 'tab\there' },
      { kind: 'dangling link', dir: '', name: 'a' },
      { kind: 'looping link', dir: 'src/deep/er', name: 'a' },
      { kind: 'device link', dir: 'lib', name: '#hash' },
      { kind: 'binary', dir: '', name: 'semi;colon' },
      { kind: 'config: dangling link', dir: 'src', name: 'a' },
      { kind: 'config: fifo', dir: 'lib', name: 'a' },
      { kind: 'config: too deep', dir: 'src/deep/er', name: 'a' },
      { kind: 'config: looping link', dir: 'with space', name: 'a' },
    ]);
  });

  it('random trees', async () => {
    assert.ok((await runOddEntries(BUDGET_MS)) > 0);
  });
});
