// Go: an explicit Unlock() of a lock whose deferred unlock is guarded by a flag, on a path that
// returns with the flag false, unlocks twice. The fixture marks those lines; this checks what the
// message says: the flag, and Go's own words for the crash, which name an RWMutex's write lock as
// such (go 1.19: "fatal error: sync: Unlock of unlocked RWMutex" for fileStore.rewrite).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';

const FIXTURE = join(__dirname, '..', 'fixtures', 'go', 'await-holding-lock', 'invalid-guarded-deferred-unlock.go');

describe('go: an unlock that the guarded deferred unlock repeats', () => {
  it('reports the Unlock() after a relock that set the flag back, in Go\'s words for an RWMutex', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const a = analyze({ path: FIXTURE, text })!;
    const lines = text.split('\n');
    const rewrite = lines.findIndex((l) => l.startsWith('func (fs *fileStore) rewrite()'));
    const next = lines.findIndex((l, i) => i > rewrite && l.startsWith('func '));
    const f = a.findings.filter((x) => a.lines.position(x.span.start).line > rewrite && a.lines.position(x.span.start).line < next && x.data?.variant === 'unlocked-twice');
    assert.equal(f.length, 1, a.findings.map((x) => x.message).join('\n'));
    assert.equal(
      f[0]!.message,
      '`fs.mu` is unlocked here, and the deferred function unlocks it again when the function returns, since `unlocked` is still false: `sync: Unlock of unlocked RWMutex` crashes the program; set `unlocked = true` right after this `Unlock()`',
    );
  });

  it('reports the flag set back to false with the lock released, at that assignment (sweep: go 1.19 stops with the same crash)', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const a = analyze({ path: FIXTURE, text })!;
    const lines = text.split('\n');
    const reset = lines.findIndex((l) => l.includes('unlocked = false // expect'));
    const f = a.findings.filter((x) => a.lines.position(x.span.start).line === reset);
    assert.equal(f.length, 1);
    assert.equal(
      f[0]!.message,
      '`unlocked` is set back to false here while `fs.mu` is not held: the deferred function unlocks it again when the function returns, and `sync: Unlock of unlocked RWMutex` crashes the program; take the lock again before this, or leave `unlocked` true',
    );
    assert.deepEqual(f[0]!.related?.map((r) => a.lines.position(r.span.start).line + 1), [lines.indexOf('\tfs.mu.Unlock()', reset - 8) + 1, lines.lastIndexOf('\tdefer func() {', reset) + 1]);
  });
});
