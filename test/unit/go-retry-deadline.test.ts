// Go retry loops bounded by a deadline in their condition (`for time.Now().Before(deadline)`) are
// capped: the message of a constant-delay one says so by leaving out "no cap on attempts"; and a
// loop that retries local file-system work (nats-server's fileStore.Delete) is no retry of a service.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';

const FIXTURE = join(__dirname, '..', 'fixtures', 'go', 'retry-without-backoff', 'invalid-deadline-loops.go');

describe('go: retry loops with a deadline', () => {
  it('counts the deadline as a cap and leaves file-system retries alone', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const a = analyze({ path: FIXTURE, text })!;
    const retries = a.findings.filter((f) => f.rule === 'retry-without-backoff');
    assert.equal(retries.length, 1, retries.map((f) => f.message).join('\n'));
    assert.match(retries[0]!.message, /^This loop retries `net\.Dial` in `dialUntil` with a constant delay: /);
    assert.doesNotMatch(retries[0]!.message, /no cap/);
  });

  it('does not count a deadline the loop pushes back, nor ctx.Err() alone, and keeps a spinning file poll', () => {
    const traps = join(__dirname, '..', 'fixtures', 'go', 'retry-without-backoff', 'invalid-deadline-traps.go');
    const text = readFileSync(traps, 'utf8');
    const a = analyze({ path: traps, text })!;
    const capped = Object.fromEntries(a.findings.filter((f) => f.rule === 'retry-without-backoff').map((f) => [/in `(\w+)`/.exec(f.message)![1], !/no cap/.test(f.message)]));
    assert.deepEqual(capped, { pushDeadline: false, hammer: true, untilCancelled: false, waitToken: false });
  });
});
