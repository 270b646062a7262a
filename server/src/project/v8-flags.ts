/**
 * The V8 settings a process that analyses many files runs with: the CLI and the language server set
 * them at start, before any file is read (and `check --jobs N`'s worker threads, started later, share
 * them). The bench's parse baseline sets the CLI's too, so its ratios compare the code, not the settings.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * `--no-allocation-site-pretenuring`, for every analysing process: V8 allocates objects from a site
 * whose objects mostly survived their first scavenge straight in the old generation; an analysis
 * makes a tree and its records per file, and when sites of those get pretenured (it depends on when
 * compilation and scavenges happen, so identical runs differ), each file's dead old objects keep the
 * young objects they point to alive through the following scavenges, which copy and promote them.
 * Measured on the TS bench corpus (926 files, one process, load ~20 on 2 cores): about half the runs
 * fell into that state, promoting ~250 MB instead of ~110 MB, with ~20 % more CPU and ~60 MB more
 * peak RSS; with pretenuring off, every run promoted ~110 MB.
 */
export const ANALYSIS_V8_FLAGS: readonly string[] = ['--no-allocation-site-pretenuring'];

/**
 * `--max-inlined-bytecode-size-cumulative=200` (V8's default is 920), for a run that checks files and
 * exits (the CLI): how much bytecode the optimising compiler inlines into one function. A check
 * spends a large part of its CPU compiling (the parser's and the frontends' hot functions, on V8's
 * background threads, again in each worker thread); less inlining makes each optimised compile
 * cheaper. Measured on the TS bench corpus (`node dist/cli.js check bench/.cache/corpora/ts --jobs 1`,
 * alternating runs, load ~2 on 2 cores): 6.63 s → 5.80 s CPU and 4.24 s → 3.93 s wall (medians of 3);
 * a bare parse of the corpus gains as much. The language server keeps V8's default: there the code
 * is compiled once and a keystroke's latency is what counts (with the flag, TS keystroke p95 on
 * `Micro.ts` was 19.7/20.4/21.5 ms against 17.7/18.3/21.1 ms without, alternating rounds).
 */
export const BATCH_V8_FLAGS: readonly string[] = [...ANALYSIS_V8_FLAGS, '--max-inlined-bytecode-size-cumulative=200'];

/** Sets {@link BATCH_V8_FLAGS} in a run that checks files and exits, else {@link ANALYSIS_V8_FLAGS}, in this process. */
export function tuneV8ForAnalysis(kind: 'batch' | 'server'): void {
  for (const flag of kind === 'batch' ? BATCH_V8_FLAGS : ANALYSIS_V8_FLAGS) setFlagsFromString(flag);
}

/** The kind of a command-line run, by its arguments (without node and the script): `lsp` serves an editor (keystroke latency counts); every other command checks files and exits. */
export function cliKind(args: readonly string[]): 'batch' | 'server' {
  return args[0] === 'lsp' ? 'server' : 'batch';
}
