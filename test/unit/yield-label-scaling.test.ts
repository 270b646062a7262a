// The `holds` label's line is asked for every yield point on each decorations and inlay-hint request:
// it must cost little next to the analysis itself. A file of 8,000 awaits whose calls spread over
// lines (`await fetch(url, {` … `});`) took 571 ms of CPU to label with a scan of every yield point
// and context per point, against about 2 s to analyse; with sorted starts it takes about 20 ms.
// The bound is a ratio measured in the same process, so a loaded machine slows both sides alike; it
// is loose (a quarter: the old scan took more than half as long as the analysis) as GC and JIT vary,
// and each side is the best of three runs.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';
import { holdsLabelLine } from '../../server/src/lsp/yield-info';

const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};

describe('holds label line: cost', () => {
  it('labels 8,000 multi-line awaits in a small fraction of the time the analysis takes', function () {
    this.timeout(120_000);
    const body = Array.from({ length: 8000 }, () => "  await fetch(url, {\n    method: 'POST',\n  });").join('\n');
    const text = `export async function publish(url: string) {\n${body}\n}\n`;
    // Best of three on each side: one collection or scheduler stall charged to a run must not decide.
    let a: ReturnType<typeof analyze>;
    let analysing = Infinity;
    for (let round = 0; round < 3; round++) analysing = Math.min(analysing, cpuMs(() => (a = analyze({ path: '/project/src/publish.ts', text }))));
    const model = a!.model;
    assert.equal(model.yieldPoints.length, 8000);
    let lines: number[] = [];
    let labelling = Infinity;
    for (let round = 0; round < 3; round++) {
      lines = [];
      labelling = Math.min(labelling, cpuMs(() => {
        for (const p of model.yieldPoints) lines.push(holdsLabelLine(model, a!.lines, p));
      }));
    }
    // Each label goes after the `});` that ends its call, two lines below its keyword.
    assert.equal(lines[0], 3);
    assert.equal(lines[7999], 1 + 7999 * 3 + 2);
    assert.ok(labelling < analysing / 4, `labelling took ${labelling.toFixed(0)} ms of CPU, analysing ${analysing.toFixed(0)} ms`);
  });
});
