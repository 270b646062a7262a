// A bounded fuzz budget on every test run (a few seconds); the long campaign is `npm run fuzz`.
import { fixtureSeeds, newStats, regressionCases, runHostile, runProperty } from '../fuzz/campaign';
import { fixesAreSafe, neverThrows } from '../fuzz/properties';

const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 4_000);

describe('robustness (bounded fuzz)', function () {
  this.timeout(BUDGET_MS * 4 + 120_000);
  const seeds = fixtureSeeds();

  for (const c of regressionCases()) {
    it(`replays saved case ${c.path.split('/').pop()}`, () => {
      const stats = newStats();
      (c.property === 'fixes-safe' ? fixesAreSafe : neverThrows)(c.path, c.text, stats);
    });
  }

  it('survives hostile inputs (deep nesting, 1 MB lines, NULs, BOMs, lone surrogates)', () => {
    runHostile(seeds, newStats());
  });

  it('analyze never throws or hangs on mutated fixtures', () => {
    runProperty('never-throws', seeds, BUDGET_MS / 2, newStats());
  });

  it('offered fixes never break the file and fix-all is idempotent', () => {
    runProperty('fixes-safe', seeds, BUDGET_MS / 2, newStats());
  });
});
