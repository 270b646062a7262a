// Generated documentation must match what `npm run docs` would write now (CONVENTIONS: what can drift is generated and checked).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedFiles, oneSentencePerLine, ROOT, staleRuleDocs, updateReadme } from '../../scripts/gen-docs';
import { parseConfig } from '../../server/src/engine/config-parse';
import { RULES } from '../../server/src/engine/rules';

describe('generated docs', () => {
  it('README.md and docs/rules/*.md are up to date', async () => {
    const stale: string[] = [];
    for (const [path, expected] of await expectedFiles()) {
      const full = join(ROOT, path);
      if (!existsSync(full) || readFileSync(full, 'utf8') !== expected) stale.push(path);
    }
    // Not a diff of two READMEs: that would bury the one line that says what to do.
    assert.deepEqual(stale, [], `stale or missing: ${stale.join(', ')}; run \`npm run docs\``);
  });

  it('has no rule doc for a rule that no longer exists', () => {
    assert.deepEqual(staleRuleDocs(), [], 'run `npm run docs` to remove them');
  });

  it('documents every rule in the README with its id and default severity', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const r of RULES) assert.match(readme, new RegExp(`\\| \\[\`${r.id}\`\\]\\(docs/rules/${r.id}\\.md\\) \\| ${r.defaultSeverity} \\|`));
  });

  it('keeps the quick-start lines the README promises', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes('\nnpm ci && npm run demo\n'));
    assert.ok(readme.includes('\nnpm ci && npm test\n'));
  });

  it('embeds no SVG image in the README (vsce refuses to package an extension whose README does)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.deepEqual(readme.match(/!\[[^\]]*\]\([^)]*\.svg[^)]*\)|<img[^>]*\.svg/gi) ?? [], []);
  });

  it('refuses a README without the markers, instead of silently dropping a section', async () => {
    await assert.rejects(updateReadme('# no markers\n'), /no `<!-- sample:start -->`/);
  });

  it('writes prose one sentence per line and leaves code blocks alone', () => {
    assert.equal(oneSentencePerLine('One thing. Two `x`. Three!'), 'One thing.\nTwo `x`.\nThree!');
    assert.equal(oneSentencePerLine('```ts\na(). B();\n```'), '```ts\na(). B();\n```');
  });
});

describe('documented configs', () => {
  it('the README example config parses without errors', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /```jsonc\n([\s\S]*?)```/.exec(readme);
    assert.ok(block, 'README has a ```jsonc config example');
    const { config, errors } = parseConfig(block[1]!, 'README.md');
    assert.deepEqual(errors, []);
    assert.ok(Object.keys(config.rules).length > 0 && config.languages.typescript && config.include.length > 0 && config.exclude.length > 0, 'the example shows every section');
  });

  it('the examples workspace config parses without errors', () => {
    const { errors } = parseConfig(readFileSync(join(ROOT, 'examples', '.async-boundary.json'), 'utf8'), 'examples/.async-boundary.json');
    assert.deepEqual(errors, []);
  });
});
