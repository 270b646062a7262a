// The long fuzz campaign: `npm run fuzz -- --minutes N`. Splits the time between the properties,
// prints what it covered, and exits non-zero with the saved case on the first failure.
import { fixtureSeeds, newStats, runHostile, runProperty, type Property } from '../test/fuzz/campaign';

const args = process.argv.slice(2);
const minutesArg = args.indexOf('--minutes');
const minutes = minutesArg >= 0 ? Number(args[minutesArg + 1]) : 1;
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error('usage: npm run fuzz -- --minutes N');
  process.exit(2);
}
const seeds = fixtureSeeds();
const props: Property[] = ['never-throws', 'fixes-safe'];
const started = Date.now();
let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
sample.unref();
try {
  const hostile = newStats();
  runHostile(seeds, hostile);
  console.log(`hostile inputs: ${hostile.inputs} analysed, slowest ${hostile.maxMs.toFixed(0)} ms`);
  const slice = 60_000;
  const stats = Object.fromEntries(props.map((p) => [p, newStats()]));
  let round = 0;
  while (Date.now() - started < minutes * 60_000) {
    const p = props[round++ % props.length]!;
    runProperty(p, seeds, Math.min(slice, minutes * 60_000 - (Date.now() - started)), stats[p]!);
  }
  for (const p of props) {
    const s = stats[p]!;
    console.log(`${p}: ${s.inputs} inputs, ${s.findings} findings, ${s.fixesChecked} fixes checked, ${s.fixesRefused} refused by the re-parse check, ${s.fixAllRuns} fix-all runs, slowest analyze ${s.maxMs.toFixed(0)} ms`);
  }
  console.log(`seeds: ${seeds.length} fixture files; ran ${((Date.now() - started) / 60_000).toFixed(1)} min; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
