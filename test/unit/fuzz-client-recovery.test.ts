// Client recovery without VS Code: the restart policy the extension's error handler uses, and what
// happens to decorations when the server's state changes (client/src/recovery.ts).
import assert from 'node:assert/strict';
import { decorationsOnState, RestartPolicy } from '../../client/src/recovery';

describe('client recovery after a server crash', () => {
  it('restarts up to the limit, tells the user once, then gives up with a message', () => {
    let now = 0;
    const policy = new RestartPolicy(4, 180_000, () => now);
    const decisions = Array.from({ length: 6 }, () => {
      now += 1_000;
      return policy.closed();
    });
    assert.deepEqual(decisions.map((d) => d.restart), [true, true, true, true, false, false]);
    assert.match(decisions[0]!.message!, /stopped unexpectedly and was restarted/);
    assert.deepEqual(decisions.slice(1, 4).map((d) => d.message), [undefined, undefined, undefined]);
    assert.match(decisions[4]!.message!, /^The async-boundary server crashed 5 times in 3 minutes and was not restarted/);
  });

  it('keeps restarting when crashes are spread out beyond the window, without telling again', () => {
    let now = 0;
    const policy = new RestartPolicy(2, 60_000, () => now);
    const decisions = Array.from({ length: 10 }, () => {
      now += 40_000;
      return policy.closed();
    });
    assert.ok(decisions.every((d) => d.restart));
    assert.equal(decisions.filter((d) => d.message !== undefined).length, 1);
  });

  it('clears decorations while the server is down or restarting, redraws once it runs', () => {
    assert.deepEqual((['stopped', 'starting', 'running'] as const).map(decorationsOnState), ['clear', 'clear', 'redraw']);
  });
});
