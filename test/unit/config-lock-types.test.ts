// A bare-name `lockTypes` entry of the config is a blocking lock: a synchronous acquire holds it.
import assert from 'node:assert/strict';
import { parseConfig } from '../../server/src/engine/config-parse';
import { analyze } from '../../server/src/project/analyze';

const CONFIG = parseConfig('{ "languages": { "typescript": { "lockTypes": ["file-locks.FileLock", { "name": "file-locks.AsyncFileLock", "kind": "async" }] } } }', 'cfg.json');

const SOURCE = `import { AsyncFileLock, FileLock } from 'file-locks';

const ledger = new FileLock('/var/lib/app/ledger.lock');
const journal = new AsyncFileLock('/var/lib/app/journal.lock');

export async function append(entry: string): Promise<void> {
  const release = ledger.lock();
  try {
    await fetch('https://audit.internal/entries', { method: 'POST', body: entry });
  } finally {
    release();
  }
}

export async function note(entry: string): Promise<void> {
  const pending = journal.lock(); // an async lock's acquisition that is not awaited holds nothing yet
  await fetch('https://audit.internal/notes', { method: 'POST', body: entry });
  (await pending)();
}
`;

describe('config lockTypes', () => {
  it('tracks a synchronous acquire of a bare-name (blocking) lock type as a held region, released in `finally`', () => {
    assert.deepEqual(CONFIG.errors, []);
    const a = analyze({ path: '/app/ledger.ts', text: SOURCE }, CONFIG.config)!;
    const regions = a.model.heldRegions.map((r) => ({ lock: r.lock, kind: r.kind, release: r.release, acquired: SOURCE.slice(r.acquireSpan.start, r.acquireSpan.end) }));
    assert.deepEqual(regions, [{ lock: 'ledger', kind: 'blocking', release: 'finally', acquired: 'ledger.lock()' }]);
    const lines = a.findings.map((f) => `${SOURCE.slice(0, f.span.start).split('\n').length}:${f.rule}`);
    assert.deepEqual(lines, ['9:await-holding-lock']);
    assert.match(a.findings[0]!.message, /while holding `ledger`, a blocking lock/);
  });
});
