// What findings say about calls whose first wording was wrong on real code (issue 9, section 2):
// every API named exists with the shape used, and one expression gives one finding.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/engine/analyze';

function findings(path: string, lines: string[]): { line: number; message: string }[] {
  const text = lines.join('\n');
  const a = analyze({ path, text });
  assert.ok(a, `${path} is analysed`);
  return a.findings.map((f) => ({ line: text.slice(0, f.span.start).split('\n').length, message: f.message }));
}

describe('messages: the advice names what exists', () => {
  it('fd-based fs calls point at a FileHandle, not a missing fs.promises twin', () => {
    const f = findings('a.js', [
      "const fs = require('fs');",
      'async function size(p) {',
      "  const fd = fs.openSync(p, 'r');",
      '  const s = fs.fstatSync(fd).size;',
      '  fs.closeSync(fd);',
      '  return s;',
      '}',
    ]);
    assert.deepEqual(f.map((x) => x.message.replace(/^.*?: /, '')), [
      'use `await fs.promises.open` instead',
      "open the file with `await fs.promises.open(…)` and use the `FileHandle`'s `stat()`",
      "open the file with `await fs.promises.open(…)` and use the `FileHandle`'s `close()`",
    ]);
    assert.ok(!f.some((x) => /fs\.promises\.(fstat|close)\b/.test(x.message)));
  });

  it('spawnSync is not advised as `await child_process.spawn`', () => {
    const [f] = findings('a.mjs', ["import { spawnSync } from 'node:child_process';", "export async function run() { spawnSync('make'); }"]);
    assert.match(f!.message, /use `child_process\.spawn` and `await events\.once\(child, 'close'\)`$/);
  });

  it('nested blocking calls on one line give one finding naming both', () => {
    const f = findings('a.js', ["const fs = require('fs');", "exports.touch = async (p) => { fs.closeSync(fs.openSync(p, 'w')); };"]);
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /^`fs\.closeSync` and `fs\.openSync` block the event loop in `exports\.touch`|^`fs\.closeSync` and `fs\.openSync` block the event loop/);
    assert.match(f[0]!.message, /; for `fs\.openSync`, use `await fs\.promises\.open` instead$/);
  });

  it('bcryptjs is offloaded to a worker, not awaited on the loop; native bcrypt awaits its thread-pool twin', () => {
    const f = findings('a.js', [
      "const bcryptjs = require('bcryptjs');",
      "const bcrypt = require('bcrypt');",
      'async function login(p, h) { return bcryptjs.compareSync(p, h) && bcrypt.compareSync(p, h); }',
    ]);
    assert.deepEqual(f.map((x) => x.message.replace(/^.*?: /, '')), [
      'move it to a worker thread (`bcryptjs.compare` still computes on the event loop, in slices)',
      'use `await bcrypt.compare` instead',
    ]);
  });
});
