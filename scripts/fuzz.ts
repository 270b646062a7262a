// The long fuzz campaign: `npm run fuzz -- --minutes N [--seed S]`. Runs every robustness property:
// engine-level never-throws and fixes-safe (mutated fixtures, hostile inputs, every truncation class),
// the config properties (malformed and deep configs, hostile globs), deep nesting in every construct, odd
// file-system entries through the CLI, and the protocol property against the bundled server (built first if
// missing). Splits the time between them, prints what it covered, and exits non-zero with the
// saved, shrunk case on the first failure.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { initFrontends } from '../server/src/languages';
import { fixtureSeeds, newStats, REGRESSIONS, runHostile, runProperty, runTruncations, type Property } from '../test/fuzz/campaign';
import { newConfigStats, runConfigProperties, runHostileConfigProperties } from '../test/fuzz/config';
import { runDeepNesting } from '../test/fuzz/deep';
import { runOddEntries } from '../test/fuzz/fs-entries';
import { BUNDLED_SERVER } from '../test/fuzz/lsp-process';
import { ProtocolFuzzer, saveScenario, seedsByLanguage } from '../test/fuzz/protocol';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const minutes = Number(arg('--minutes') ?? 1);
const seedArg = arg('--seed');
let seed = seedArg === undefined ? undefined : Number(seedArg);
if (!Number.isFinite(minutes) || minutes <= 0 || (seed !== undefined && !Number.isInteger(seed))) {
  console.error('usage: npm run fuzz -- --minutes N [--seed S]');
  process.exit(2);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  await initFrontends();
  if (!existsSync(BUNDLED_SERVER)) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const seeds = fixtureSeeds();
  const started = Date.now();
  const total = minutes * 60_000;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
  sampler.unref();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 60_000).toFixed(1)} min] ${line}`);

  const hostile = newStats();
  await runHostile(seeds, hostile);
  log(`hostile inputs: ${hostile.inputs} checks, slowest analyze ${hostile.maxMs.toFixed(0)} ms`);
  const truncated = newStats();
  await runTruncations(seeds, truncated);
  log(`truncations: ${truncated.inputs} prefixes of ${seeds.length} fixtures at every position class, slowest ${truncated.maxMs.toFixed(0)} ms`);

  // Shares of the remaining time, in one-minute slices (shorter when the campaign is short).
  type Kind = Property | 'config' | 'server-stays-up' | 'deep-nesting' | 'hostile-config' | 'odd-entries';
  const plan: Kind[] = ['never-throws', 'fixes-safe', 'server-stays-up', 'deep-nesting', 'never-throws', 'fixes-safe', 'server-stays-up', 'config', 'hostile-config', 'odd-entries'];
  const slice = Math.min(60_000, Math.max(5_000, total / 10));
  const engine = { 'never-throws': newStats(), 'fixes-safe': newStats() };
  const deep = newStats();
  let oddTrees = 0;
  const config = newConfigStats();
  const { ts, rs } = seedsByLanguage(seeds);
  const protocol = new ProtocolFuzzer(ts, rs);
  try {
    for (let round = 0; Date.now() - started < total; round++) {
      const kind = plan[round % plan.length]!;
      const ms = Math.min(slice, total - (Date.now() - started));
      if (kind === 'config') runConfigProperties(ms, config, REGRESSIONS, seed);
      else if (kind === 'hostile-config') runHostileConfigProperties(ms, config, REGRESSIONS, seed);
      else if (kind === 'deep-nesting') runDeepNesting(ms, deep, seed);
      else if (kind === 'odd-entries') oddTrees += await runOddEntries(ms, seed);
      else if (kind === 'server-stays-up') await protocol.runFor(ms, 400, (s) => saveScenario(REGRESSIONS, s), seed);
      else await runProperty(kind, seeds, ms, engine[kind], seed);
      if (seed !== undefined) seed += 1_000;
      const p = protocol.stats;
      log(`${kind} slice done; fuzzer RSS ${mib(process.memoryUsage().rss)}; server: ${p.scenarios} sequences, ${p.edits} edits, RSS ${(p.lastRss / 1024).toFixed(0)} MiB (peak ${(p.peakRss / 1024).toFixed(0)} MiB)`);
    }
  } finally {
    await protocol.dispose();
  }
  for (const [name, s] of Object.entries(engine)) {
    log(`${name}: ${s.inputs} inputs, ${s.findings} findings, ${s.fixesChecked} fixes applied and re-parsed, ${s.createdFiles} created files parsed, ${s.fixesRefused} refused, ${s.fixAllRuns} fix-all runs (each twice), slowest analyze ${s.maxMs.toFixed(0)} ms`);
  }
  log(`deep-nesting: ${deep.inputs} files with a construct nested up to 5,000 deep beside a shallow finding, slowest analyze ${deep.maxMs.toFixed(0)} ms`);
  log(`odd-entries: ${oddTrees} random trees of pipes, broken links, odd names and unreadable configs checked by the CLI`);
  log(`config: ${config.configs} config texts (${config.errors} errors checked), ${config.globsAccepted} globs accepted and matched against hostile paths (slowest ${config.slowestGlobMs.toFixed(0)} ms), ${config.globsRefused} refused`);
  const p = protocol.stats;
  log(`server-stays-up: ${p.scenarios} edit sequences, ${p.edits} edits, ${p.requests} requests all answered, ${p.malformed} malformed messages, ${p.finalChecks} final-diagnostics checks (${p.finalDiagnostics} diagnostics compared), ${p.restarts} restarts`);
  log(`server RSS: first ${(p.firstRss / 1024).toFixed(0)} MiB, last ${(p.lastRss / 1024).toFixed(0)} MiB, peak (VmHWM) ${(p.peakRss / 1024).toFixed(0)} MiB`);
  log(`fuzzer process peak RSS ${mib(peakRss)}; ${seeds.length} fixture seeds; ran ${((Date.now() - started) / 60_000).toFixed(1)} min; clean`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
