// A bounded fuzz budget on every test run (a few seconds); the long campaign is `npm run fuzz`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSource } from '../../server/src/project/files';
import { fixtureSeeds, newStats, regressionCases, runHostile, runProperty, runTruncations } from '../fuzz/campaign';
import { fixesAreSafe, neverThrows } from '../fuzz/properties';

const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 4_000);

describe('robustness (bounded fuzz)', function () {
  // The budget bounds the fuzzing; the timeout only catches a hang. It is wall time, which a loaded
  // machine stretches (the hostile inputs take ~30 s of CPU for five languages, and 150 s of wall
  // time at a load of 30 on two cores), so it is generous: a hang still fails, well inside CI's limit.
  this.timeout(BUDGET_MS * 4 + 600_000);
  const seeds = fixtureSeeds();

  for (const c of regressionCases()) {
    it(`replays saved case ${c.path.split('/').pop()}`, () => {
      const stats = newStats();
      (c.property === 'fixes-safe' ? fixesAreSafe : neverThrows)(c.path, c.text, stats);
    });
  }

  it('survives hostile inputs (deep nesting, 1 MB lines, NULs, BOMs, lone surrogates)', async () => {
    await runHostile(seeds, newStats());
  });

  it('analyze never throws on truncations at every class of position (one seed per language here; all in the campaign)', async () => {
    const sample = ['.ts', '.rs'].map((ext) => seeds.filter((s) => s.path.endsWith(ext)).sort((a, b) => b.text.length - a.text.length)[0]).filter((s) => s !== undefined);
    const stats = newStats();
    await runTruncations(sample, stats);
    assert.ok(stats.inputs > 50, `only ${stats.inputs} truncations`);
  });

  it('invalid UTF-8 read through the CLI/LSP file decoding is analysed without errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ab-fuzz-utf8-'));
    try {
      const bad = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0x28]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf0, 0x90, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xef, 0xbb, 0xbf])];
      for (const [ext, code] of [['.ts', 'async function f() { const s = "'], ['.rs', 'async fn f() { let s = "']] as const) {
        for (const [i, b] of bad.entries()) {
          const path = join(dir, `bad${i}${ext}`);
          writeFileSync(path, Buffer.concat([b, Buffer.from(code), b, Buffer.from('"; await g(); }\n'), b]));
          const read = await readSource(path);
          assert.ok('text' in read, JSON.stringify(read));
          neverThrows(path, read.text, newStats());
          fixesAreSafe(path, read.text, newStats());
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('analyze never throws or hangs on mutated fixtures', async () => {
    await runProperty('never-throws', seeds, BUDGET_MS / 2, newStats());
  });

  it('offered fixes never break the file and fix-all is idempotent', async () => {
    await runProperty('fixes-safe', seeds, BUDGET_MS / 2, newStats());
  });
});
