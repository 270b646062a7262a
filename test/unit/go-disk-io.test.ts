// Go: a mutex held across file-system I/O (the catalog's `diskIo`: os.WriteFile, os.File.Sync, …)
// waits for the disk, not for another service, and a file store or a log holds its lock across its
// own writes on purpose: those findings are hints. A lock held across network I/O stays a warning,
// and so does one held across a helper that reaches both (the message names the network call).
// The fixture marks the hint lines with `(hint: …)` after the marker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';

const FIXTURE = join(__dirname, '..', 'fixtures', 'go', 'await-holding-lock', 'invalid-file-io-under-lock.go');

describe('go: locks held across file I/O', () => {
  it('reports file I/O under a mutex as a hint and network I/O as a warning', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const a = analyze({ path: FIXTURE, text })!;
    const lines = text.split('\n');
    const got = a.findings.filter((f) => f.rule === 'await-holding-lock').map((f) => `${a.lines.position(f.span.start).line + 1} ${f.severity}`).sort();
    const want = lines.flatMap((l, i) => (l.match(/await-holding-lock/g) ?? []).map(() => `${i + 1} ${/\(hint:/.test(l) ? 'hint' : 'warning'}`)).sort();
    assert.deepEqual(got, want);
    const mixed = a.findings.find((f) => lines[a.lines.position(f.span.start).line]!.includes('res.fetch(name)'))!;
    assert.match(mixed.message, /`res\.fetch`, which parks on `http\.Get` \(I\/O\)/);
    const sync = a.findings.find((f) => lines[a.lines.position(f.span.start).line]!.includes('flushPendingMsgsLocked'))!;
    assert.match(sync.message, /\(file I\/O\): every goroutine that needs it waits until the disk answers; if goroutines on a hot path need it, /);
    // A token's wait names what its holders do: only file I/O in this file, or a holder that calls a service.
    const dios = a.findings.find((f) => lines[a.lines.position(f.span.start).line]!.includes('mb.writePerSubjectInfo(name)'))!;
    assert.match(dios.message, /parks on a receive from `dios`: every goroutine that needs it waits until another holder of the token gives it back \(every holder in this file holds it across file I\/O only\)/);
    const gate = a.findings.find((f) => lines[a.lines.position(f.span.start).line]!.includes('<-sn.gate'))!;
    assert.equal(gate.severity, 'warning');
    assert.match(gate.message, /waits until another holder of the token gives it back \(`snapshotter\.upload` holds it across `http\.Post`\); unlock explicitly/);
  });
});
