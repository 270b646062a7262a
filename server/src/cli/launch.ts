/**
 * The `async-boundary` command as built (dist/cli.js): sets the V8 flags of the run, then loads the
 * CLI (dist/cli-main.js, the bundle of main.ts) through its V8 code cache (project/compile-cache.ts),
 * so a run does not pre-parse the CLI's 1.2 MB nor compile again the functions the last run compiled.
 * The flags come first: V8 accepts a code cache only under the flags it was made with, and the cache
 * is written when the process exits, under the run's flags.
 */
import { join } from 'node:path';
import { requireWithCodeCache } from '../project/compile-cache';
import { cliKind, tuneV8ForAnalysis } from '../project/v8-flags';

const kind = cliKind(process.argv.slice(2));
tuneV8ForAnalysis(kind);
// Only a `check` writes the cache (when there is none): it holds what the run that wrote it compiled,
// and `--version`'s would leave out everything a check runs.
// The `lsp` server neither writes nor finds one (its flags differ): it starts once per editor session,
// and a cache written at its exit would hold the exit up.
const write = process.argv[2] === 'check';
(requireWithCodeCache(join(__dirname, 'cli-main.js'), kind, { write }) as typeof import('./main')).start();
