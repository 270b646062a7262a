// Go: a call under a mutex of a same-file function that locks it again deadlocks; a call that takes
// another value's lock (`c.peer.queueOut()` under `c.mu`) only waits. Whose lock the function takes
// is the one the call passes, whether or not the function also parks (then the call is a wait the
// rule reads through the frontend's caller-mapped keys, not the keys the function writes).
// The fixtures mark the lines whose finding is a deadlock with `(deadlock)` after the marker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';

const DIR = join(__dirname, '..', 'fixtures', 'go', 'await-holding-lock');
const FIXTURES = ['invalid-relock-helper-parks.go', 'invalid-relock-through-value.go'];

describe('go: a helper that locks the caller\'s lock again', () => {
  for (const name of FIXTURES) {
    it(`${name}: the deadlocks are the lines marked so, and no other`, () => {
      const file = join(DIR, name);
      const text = readFileSync(file, 'utf8');
      const a = analyze({ path: file, text })!;
      const got = [...new Set(a.findings.filter((f) => f.rule === 'await-holding-lock' && /which deadlocks/.test(f.message)).map((f) => a.lines.position(f.span.start).line + 1))].sort((x, y) => x - y);
      const want = text.split('\n').flatMap((l, i) => (/expect: await-holding-lock.*\(deadlock\)/.test(l) ? [i + 1] : []));
      assert.deepEqual(got, want, a.findings.map((f) => `${a.lines.position(f.span.start).line + 1}: ${f.message}`).join('\n'));
    });
  }

  it('does not say a conditional Unlock method releases the lock (invalid-unlock-method-wrapper.go session.waitUpdate)', () => {
    const file = join(DIR, 'invalid-unlock-method-wrapper.go');
    const text = readFileSync(file, 'utf8');
    const a = analyze({ path: file, text })!;
    const line = text.split('\n').findIndex((l) => l.includes('return <-s.updates'));
    const f = a.findings.filter((x) => a.lines.position(x.span.start).line === line);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.message, '`s.mu` is held across a receive from `s.updates`: every goroutine that needs it waits until a value arrives; unlock before it, or move it out of the locked section');
  });
});
