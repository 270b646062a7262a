// Property 3 in `npm test`, on a bounded budget: the bundled server over stdio survives a few
// hundred random edits, requests, cancellations, config changes and malformed messages, answers
// every request, and publishes for the final text what a fresh `analyze()` finds. The long run is
// `npm run fuzz -- --minutes N`. Saved failing scenarios are replayed first.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { REGRESSIONS, fixtureSeeds } from '../fuzz/campaign';
import { BUNDLED_SERVER } from '../fuzz/lsp-process';
import { ProtocolFuzzer, saveScenario, savedScenarios, seedsByLanguage, type Scenario } from '../fuzz/protocol';

const BUDGET_MS = Number(process.env.FUZZ_LSP_BUDGET_MS ?? 6_000);

describe('language server under fuzzing (bundled, stdio)', function () {
  this.timeout(BUDGET_MS + 180_000);
  const { ts, rs } = seedsByLanguage(fixtureSeeds());
  let fuzzer: ProtocolFuzzer;

  before(function () {
    if (!existsSync(BUNDLED_SERVER)) throw new Error(`${BUNDLED_SERVER} is missing: run \`node scripts/build.mjs\` first`);
    fuzzer = new ProtocolFuzzer(ts, rs);
  });
  after(async () => {
    await fuzzer?.dispose();
  });

  for (const { file, scenario } of savedScenarios(REGRESSIONS)) {
    it(`replays saved scenario ${file.split('/').pop()}`, async () => {
      await fuzzer.runScenario(scenario);
    });
  }

  it('answers every request, stays up, and publishes what analyze() finds for the final text', async () => {
    await fuzzer.runFor(BUDGET_MS, 150, (s: Scenario) => saveScenario(REGRESSIONS, s), undefined, 50);
    const s = fuzzer.stats;
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify(s));
    assert.ok(s.scenarios >= 1 && s.edits >= 50, `too little was exercised: ${JSON.stringify(s)}`);
    assert.equal(s.restarts, 0);
    // Bounded memory: a few hundred edits on small documents must not take the server near a gigabyte.
    assert.ok(s.peakRss < 1024 * 1024, `peak RSS ${s.peakRss} KiB`);
  });

  it('a fixed scenario with every kind of action, on both languages', async () => {
    const actions: Scenario['actions'] = [
      { k: 'edit', doc: 0, a: 0.5, len: 3, text: 'await fs.readFileSync(p);\n' },
      { k: 'edit', doc: 1, a: 0.2, len: 0, text: 'std::thread::sleep(d);' },
      { k: 'rawEdit', doc: 0, a: 0.1, bytes: [0xff, 0xc3, 0x28, 0x41] },
      { k: 'hover', doc: 0, a: 0.5 },
      { k: 'codeAction', doc: 1, a: 0, b: 1, resolve: true, fixAll: false },
      { k: 'codeAction', doc: 0, a: 0, b: 1, resolve: true, fixAll: true },
      { k: 'yieldPoints', doc: 1 },
      { k: 'inlay', doc: 0 },
      { k: 'cancel', doc: 0, a: 0.3, method: 'codeAction' },
      { k: 'settings', value: { debounceMs: 'fast', rules: { 'blocking-in-async': 'off' } } },
      { k: 'configFile', text: '{"rules": {"nope": "loud"}, "include": ["**/**/**/x"]}' },
      ...Array.from({ length: 60 }, (_, i) => ({ k: 'malformed' as const, which: i, doc: (i % 2) as 0 | 1, a: 0.5 })),
      { k: 'scan' },
      { k: 'wait' },
      { k: 'edit', doc: 1, a: 1, len: 0, text: '\r\n}' },
    ];
    await fuzzer.runScenario({ seeds: [0, 0], actions });
  });
});
