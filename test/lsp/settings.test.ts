// The settings schema: resolution of raw client values, and the generated package.json block.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, resolveSettings, SETTINGS } from '../../server/src/lsp/settings';
import { withGeneratedSettings } from '../../scripts/gen-settings';

describe('settings', () => {
  it('resolves nested and flat keys, and missing values to the defaults', () => {
    const problems: string[] = [];
    const s = resolveSettings({ debounceMs: 20, 'inlayHints.enabled': true, decorations: { enabled: false }, rules: { 'blocking-in-async': 'error' } }, (m) => problems.push(m));
    assert.deepEqual(s, { enable: true, debounceMs: 20, rules: { 'blocking-in-async': 'error' }, decorationsEnabled: false, inlayHintsEnabled: true });
    assert.deepEqual(problems, []);
    assert.equal(resolveSettings(null, () => assert.fail('null is not invalid')), DEFAULT_SETTINGS);
  });

  it('ignores invalid values, naming the key', () => {
    const problems: string[] = [];
    const s = resolveSettings({ enable: 'yes', debounceMs: -5, rules: { 'blocking-in-async': 'loud' } }, (m) => problems.push(m));
    assert.deepEqual([s.enable, s.debounceMs, s.rules], [true, 150, {}]);
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /`asyncBoundary\.enable`/);
    assert.match(problems[2]!, /`blocking-in-async` must be one of/);
  });

  it('package.json contributes.configuration is generated from the schema (npm run gen:settings)', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8');
    const pkg = JSON.parse(text) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties), SETTINGS.map((s) => s.key));
    assert.ok(withGeneratedSettings(text) === text, 'package.json settings are stale: run `npm run gen:settings`');
  });
});
