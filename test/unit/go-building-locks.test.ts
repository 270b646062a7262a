// Go: a constructor that locks the struct it has just made holds a lock no other goroutine can take
// until the value is handed out (nats-server's NewServer). A wait under it before then is a hint that
// says why; after a goroutine starts, the value is passed on, a method value or closure escapes, the
// mutex comes from elsewhere or a loop hands it out, it is a warning.
// The fixture marks the hint lines with `(hint: …)` after the marker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';

const FIXTURE = join(__dirname, '..', 'fixtures', 'go', 'await-holding-lock', 'invalid-constructor-lock.go');

describe('go: locks of a value still being built', () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const lines = text.split('\n');
  let a: NonNullable<ReturnType<typeof analyze>>;
  before(() => {
    a = analyze({ path: FIXTURE, text })!;
  });
  const at = (needle: string) => a.findings.find((f) => lines[a.lines.position(f.span.start).line]!.includes(needle))!;

  it('makes a wait before the value is handed out a hint, and every other wait a warning', () => {
    const got = a.findings.filter((f) => f.rule === 'await-holding-lock').map((f) => `${a.lines.position(f.span.start).line + 1} ${f.severity}`).sort();
    const want = lines.flatMap((l, i) => (l.match(/await-holding-lock/g) ?? []).map(() => `${i + 1} ${/\(hint:/.test(l) ? 'hint' : 'warning'}`)).sort();
    assert.deepEqual(got, want);
  });

  it('says whose value it is and why nobody waits', () => {
    assert.match(at('http.Get(opts.OCSPURL)').message, /^`s\.mu` is held across .*, but `s` is still being built here: no other goroutine can have it yet \(this function made it and has not handed it out\), so nobody waits for the lock$/);
  });
});
