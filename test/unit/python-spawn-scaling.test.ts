// A dropped task (`asyncio.create_task(job(x))` whose handle is not kept) is checked against the
// file's server callbacks (`start_server(self.handle, …)`) to excuse a per-connection spawn. That
// check rebuilt an inverse of every call and scanned every call once per dropped spawn: quadratic
// in the file (a generated 30,000-line file of 5,000 such spawns took 37.1 s of CPU against 4.8 s
// before the check). The same file with each spawn's handle returned (no excuse to look for) is the
// yardstick: measured in the same process, a loaded machine slows both alike; the bound is loose
// (twice the yardstick: with the per-spawn scan this size took more than three times as long), and
// each side is the best of three alternating runs.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';

const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};

const file = (n: number, spawn: (i: number) => string): string => {
  const parts = ['import asyncio\n'];
  for (let i = 0; i < n; i++) {
    parts.push(`async def job${i}(x):\n    await x.wait()\n    print(x, ${i})\n\ndef kick${i}(x):\n    ${spawn(i)}\n    print('kicked', x)\n`);
  }
  return parts.join('\n');
};

describe('Python dropped tasks: cost', () => {
  it('checks 2,000 dropped spawns for an excuse in time linear in the file', function () {
    this.timeout(300_000);
    const n = 2000;
    const dropped = file(n, (i) => `asyncio.create_task(job${i}(x))`);
    const kept = file(n, (i) => `return asyncio.create_task(job${i}(x))`);
    analyze({ path: '/project/warm.py', text: file(50, (i) => `asyncio.create_task(job${i}(x))`) });
    let a: ReturnType<typeof analyze>;
    let b: ReturnType<typeof analyze>;
    // Best of three, alternating, so a collection or a scheduler stall charged to one run does not decide.
    let yardstick = Infinity;
    let checking = Infinity;
    for (let round = 0; round < 3; round++) {
      yardstick = Math.min(yardstick, cpuMs(() => (b = analyze({ path: '/project/kept.py', text: kept }))));
      checking = Math.min(checking, cpuMs(() => (a = analyze({ path: '/project/dropped.py', text: dropped }))));
    }
    assert.equal(a!.model.spawns.length, n);
    assert.ok(a!.model.spawns.every((s) => s.handle === 'dropped'));
    assert.ok(b!.model.spawns.every((s) => s.handle === 'returned'));
    assert.ok(checking < yardstick * 2, `dropped spawns took ${checking.toFixed(0)} ms of CPU, returned ones ${yardstick.toFixed(0)} ms`);
  });
});
