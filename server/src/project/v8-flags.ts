/**
 * The V8 settings a process that analyses many files runs with: the CLI and the language server set
 * them at start, before any file is read (and `check --jobs N`'s worker threads, started later, share
 * them). The bench's parse baseline sets them too, so its ratios compare the code, not the settings.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * - `--no-allocation-site-pretenuring`: V8 allocates objects from a site whose objects mostly
 *   survived their first scavenge straight in the old generation; an analysis makes a tree and its
 *   records per file, and when sites of those get pretenured (it depends on when compilation and
 *   scavenges happen, so identical runs differ), each file's dead old objects keep the young objects
 *   they point to alive through the following scavenges, which copy and promote them. Measured on
 *   the TS bench corpus (926 files, one process, load ~20 on 2 cores): about half the runs fell into
 *   that state, promoting ~250 MB instead of ~110 MB, with ~20 % more CPU and ~60 MB more peak RSS;
 *   with pretenuring off, every run promoted ~110 MB.
 * - `--max-inlined-bytecode-size-cumulative=200` (V8's default is 920): how much bytecode the
 *   optimising compiler inlines into one function. A check spends a large part of its CPU compiling
 *   (the parser's and the frontends' hot functions, on V8's background threads, again in each worker
 *   thread); less inlining makes each optimised compile cheaper. Measured on the TS bench corpus
 *   (`node dist/cli.js check bench/.cache/corpora/ts --jobs 1`, alternating runs, load ~2 on 2
 *   cores): 6.63 s → 5.80 s CPU and 4.24 s → 3.93 s wall (medians of 3); a bare parse of the corpus
 *   gains as much, so the code's share is unchanged.
 */
export const ANALYSIS_V8_FLAGS: readonly string[] = ['--no-allocation-site-pretenuring', '--max-inlined-bytecode-size-cumulative=200'];

/** Sets {@link ANALYSIS_V8_FLAGS} in this process. */
export function tuneV8ForAnalysis(): void {
  for (const flag of ANALYSIS_V8_FLAGS) setFlagsFromString(flag);
}
