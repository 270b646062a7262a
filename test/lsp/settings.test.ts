// The settings schema: resolution of raw client values, and the generated package.json block.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, resolveSettings, SETTINGS } from '../../server/src/lsp/settings';
import { withGeneratedSettings } from '../../scripts/gen-settings';
import { RULES } from '../../server/src/engine/rules';
import { RULE_DOCS_BASE_URL, ruleDocsUrl } from '../../server/src/lsp/convert';

describe('settings', () => {
  it('resolves nested and flat keys, and missing values to the defaults', () => {
    const problems: string[] = [];
    const s = resolveSettings({ debounceMs: 20, 'inlayHints.enabled': true, decorations: { enabled: false }, rules: { 'blocking-in-async': 'error' }, roles: { test: 'warning' } }, (m) => problems.push(m));
    assert.deepEqual(s, { enable: true, debounceMs: 20, rules: { 'blocking-in-async': 'error' }, roles: { test: 'warning' }, decorationsEnabled: false, inlayHintsEnabled: true });
    assert.deepEqual(problems, []);
    const wrong: string[] = [];
    assert.deepEqual(resolveSettings({ roles: { tests: 'warning' } }, (m) => wrong.push(m)).roles, {});
    assert.match(wrong[0]!, /`tests` is not a role: use `production`, `startup`/);
    assert.equal(resolveSettings(null, () => assert.fail('null is not invalid')), DEFAULT_SETTINGS);
  });

  it('ignores invalid values, naming the key', () => {
    const problems: string[] = [];
    const s = resolveSettings({ enable: 'yes', debounceMs: -5, rules: { 'blocking-in-async': 'loud' } }, (m) => problems.push(m));
    assert.deepEqual([s.enable, s.debounceMs, s.rules], [true, 150, {}]);
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /`asyncBoundary\.enable`/);
    assert.match(problems[2]!, /`blocking-in-async` must be one of/);
    resolveSettings({ rules: { 'no-such-rule': 'off' } }, (m) => problems.push(m));
    assert.match(problems[3]!, /`no-such-rule` is not a rule/);
  });

  it('package.json contributes.configuration is generated from the schema (npm run gen:settings)', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8');
    const pkg = JSON.parse(text) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties), SETTINGS.map((s) => s.key));
    assert.ok(withGeneratedSettings(text) === text, 'package.json settings are stale: run `npm run gen:settings`');
  });
});

describe('rule documentation links', () => {
  it('every rule links a docs/rules/<id>.md page that exists in the repository', () => {
    for (const rule of RULES) {
      const url = ruleDocsUrl(rule.id);
      assert.ok(url.startsWith(RULE_DOCS_BASE_URL), url);
      const inRepo = url.slice(RULE_DOCS_BASE_URL.length);
      assert.ok(existsSync(join(__dirname, '..', '..', 'docs', 'rules', inRepo)), `${url} points at a missing docs/rules/${inRepo}`);
    }
  });
});
