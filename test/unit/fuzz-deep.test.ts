// Deep nesting in every construct (the fuzz lane of issue 16): bounded here, longer in `npm run fuzz`.
import { newStats } from '../fuzz/properties';
import { DEEP_CONSTRUCTS, deepKeepsShallow, runDeepNesting } from '../fuzz/deep';

const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 4_000) / 2;
/** Deep enough to overflow the TypeScript parser on an arrow chain (about 800) and to make a quadratic walk show. */
const DEPTH = 3_000;

describe('deep nesting in every construct (bounded fuzz)', function () {
  this.timeout(120_000);

  for (const c of DEEP_CONSTRUCTS) {
    it(`${c.name}: ${Math.min(DEPTH, c.maxDepth)} levels between two shallow functions keep both findings, within the time bound`, () => {
      deepKeepsShallow(c, Math.min(DEPTH, c.maxDepth), 'around', newStats());
    });
  }

  it('arbitrary constructs, depths and placements', () => {
    runDeepNesting(BUDGET_MS, newStats());
  });
});
