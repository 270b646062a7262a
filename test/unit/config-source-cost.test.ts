// unbounded-channel (TS/JS) asks whether a collection is configuration by following the bindings it is
// built from, and each fill of each of them. Collections built from each other, k fills per level over L
// levels, were asked about k^L times: a 93-line file of 8 levels of 10 fills took 88 s of CPU (review D4
// of 2504255). Each binding's answer is now settled once.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';

const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};

/** Level 0 read from `root` (a config file or a message), then `levels` levels of `k` loops each, each level built from the one before. */
const layered = (root: string, levels: number, k: number): string => {
  const out = ["const net = require('net');", "const config = require('./config.json');", 'const t0 = [];'];
  out.push(`${root}`);
  for (let l = 1; l <= levels; l++) {
    out.push(`const t${l} = [];`);
    for (let j = 0; j < k; j++) out.push(`for (const n of t${l - 1}) t${l}.push(n + '${j}');`);
  }
  out.push(`net.createServer((stream) => { stream.on('data', () => { for (const n of t${levels}) stream.write(n); }); }).listen(1);`);
  return out.join('\n') + '\n';
};

describe('unbounded-channel (TS/JS): the configuration check', () => {
  it('answers for collections built from each other in time linear in the file', function () {
    this.timeout(120_000);
    const text = layered('for (const n of config.nodes) t0.push(n.name);', 8, 10);
    let result: ReturnType<typeof analyze> | undefined;
    const ms = cpuMs(() => (result = analyze({ path: '/project/proxy.js', text })));
    // Built from the configured nodes only: a burst the config file bounds, not a finding.
    assert.deepEqual(result!.findings.filter((f) => f.rule === 'unbounded-channel'), []);
    // Before the fix this file took 88 s of CPU; linear work is well under a second.
    assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms of CPU`);
  });

  it('still reports the write when the bottom collection grows with messages, at any depth', function () {
    this.timeout(120_000);
    const text = layered("require('dgram').createSocket('udp4').on('message', (msg) => t0.push(String(msg)));", 8, 10);
    const result: ReturnType<typeof analyze> | undefined = analyze({ path: '/project/proxy.js', text });
    const lines = result!.findings.filter((f) => f.rule === 'unbounded-channel').map((f) => text.slice(0, f.span.start).split('\n').length);
    assert.deepEqual(lines, [text.split('\n').length - 1]);
  });
});
