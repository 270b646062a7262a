// Runs the robustness properties over mutated fixtures and hostile inputs for a time budget.
// Used by the bounded run in `npm test` and by `npm run fuzz -- --minutes N`. A failing case is
// shrunk by fast-check and saved under test/fuzz/regressions/ so that every later run replays it.
import fc from 'fast-check';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fixtureSeeds, hostileInputs, mutationArb, truncations, type Seed } from './mutations';
import { fixesAreSafe, neverThrows, newStats, type Stats } from './properties';

export const REGRESSIONS = join(__dirname, 'regressions');

export type Property = 'never-throws' | 'fixes-safe';
const PROPS: Record<Property, (path: string, text: string, stats: Stats) => void> = {
  'never-throws': neverThrows,
  'fixes-safe': fixesAreSafe,
};

/** Saved failing inputs: `<property>--<name><ext>`, replayed on every run. */
export function regressionCases(): { property: Property; path: string; text: string }[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(REGRESSIONS);
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.includes('--') && e.split('--')[0]! in PROPS)
    .map((e) => ({ property: e.split('--')[0] as Property, path: join(REGRESSIONS, e), text: readFileSync(join(REGRESSIONS, e), 'utf8') }));
}

function save(property: Property, seed: Seed, text: string): string {
  mkdirSync(REGRESSIONS, { recursive: true });
  const name = `${property}--${basename(seed.path, extname(seed.path))}-${Date.now().toString(36)}${extname(seed.path)}`;
  const file = join(REGRESSIONS, name);
  writeFileSync(file, text);
  return file;
}

/** Lets queued tasks run: FinalizationRegistry callbacks (which free tree-sitter trees in WASM memory) only run between tasks. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one property for `ms` milliseconds of mutated seeds; throws with the shrunk, saved case on failure.
 * Yields to the event loop between batches: a synchronous loop of Rust analyses never lets the
 * finalizers free their trees, and WASM memory then runs out within a minute.
 */
export async function runProperty(property: Property, seeds: readonly Seed[], ms: number, stats: Stats, seed?: number): Promise<void> {
  if (seeds.length === 0) return;
  const check = PROPS[property];
  const deadline = Date.now() + ms;
  const arb = fc.tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb(), { minLength: 1, maxLength: 3 }));
  while (Date.now() < deadline) {
    await turn();
    const result = fc.check(
      fc.property(arb, ([i, muts]) => {
        const s = seeds[i]!;
        const text = muts.reduce((t, m) => m(t), s.text);
        check(s.path, text, stats);
      }),
      { numRuns: 50, ...(seed !== undefined ? { seed: seed++ } : {}), interruptAfterTimeLimit: Math.max(1, deadline - Date.now()) },
    );
    if (result.failed && result.counterexample) {
      const [i, muts] = result.counterexample[0];
      const s = seeds[i]!;
      const text = muts.reduce((t, m) => m(t), s.text);
      const file = save(property, s, text);
      throw new Error(`${property} failed on a mutation of ${s.path}, saved as ${file}: ${String(result.errorInstance)}`);
    }
  }
}

/** The hostile inputs for every extension the seeds cover, through both properties. */
export async function runHostile(seeds: readonly Seed[], stats: Stats): Promise<void> {
  const exts = [...new Set(seeds.map((s) => extname(s.path)))];
  if (exts.length === 0) exts.push('.ts');
  for (const ext of exts) {
    for (const h of hostileInputs(ext)) {
      await turn();
      const path = `hostile-${h.name.replace(/\W+/g, '-')}${ext}`;
      try {
        // Without findings there is no fix to check, and the 1 MB inputs would only be analysed twice.
        if (neverThrows(path, h.text, stats).findings.length > 0) fixesAreSafe(path, h.text, stats);
      } catch (e) {
        throw new Error(`hostile input "${h.name}" (${ext}): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

/** Property 1 over every class of truncation position of each seed (see {@link truncations}). */
export async function runTruncations(seeds: readonly Seed[], stats: Stats): Promise<void> {
  for (const s of seeds) {
    await turn();
    for (const text of truncations(s.text)) {
      try {
        neverThrows(s.path, text, stats);
      } catch (e) {
        const file = save('never-throws', s, text);
        throw new Error(`truncation of ${s.path} at ${text.length}, saved as ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

export { fixtureSeeds, newStats };
