// Lock analysis is linear in the number of acquisitions (the TS frontend's regions and the
// await-holding-lock rule look things up by binary search over sorted spans, not by scans per region).
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';

/** A store with `n` methods, each taking `this.mutex` around a query on `this.conn` (or, without locks, the same code with no lock). */
function store(n: number, locks: boolean, io: string): string {
  let s = "import { Mutex } from 'async-mutex';\nexport class Store {\n  private mutex = new Mutex();\n  private conn = connect();\n  async ready() { return () => {}; }\n";
  for (let i = 0; i < n; i++) s += `  async put${i}(k: string) {\n    const release = await this.${locks ? 'mutex.acquire' : 'ready'}();\n    try {\n      await ${io};\n    } finally {\n      release();\n    }\n  }\n`;
  return `${s}}\n`;
}

/** The least CPU time of two analyses (the first pays for warming up), and the last analysis. */
function cpuOf(text: string): { ms: number; regions: number; findings: number } {
  let best = Infinity;
  let result = { regions: 0, findings: 0 };
  for (let k = 0; k < 2; k++) {
    const before = process.cpuUsage();
    const a = analyze({ path: '/project/store.ts', text });
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
    result = { regions: a?.model.heldRegions.length ?? 0, findings: a?.findings.length ?? 0 };
  }
  return { ms: best, ...result };
}

describe('lock analysis scales linearly', function () {
  this.timeout(300_000);
  const N = 2_000;

  // Before: 3,000 acquisitions took 33 s of CPU against 2 s without locks (the guarded-connection search was cubic).
  it(`${N} acquisitions cost about what the file costs without locks, on the guarded connection and on unrelated I/O`, () => {
    for (const [io, findings] of [['this.conn.query(k)', 0], ['fetch(k)', N]] as const) {
      const without = cpuOf(store(N, false, io));
      const withLocks = cpuOf(store(N, true, io));
      assert.equal(withLocks.regions, N);
      assert.equal(withLocks.findings, findings, io);
      assert.ok(withLocks.ms < 3 * without.ms + 1_000, `${io}: ${withLocks.ms.toFixed(0)} ms with locks, ${without.ms.toFixed(0)} ms without`);
    }
  });
});
