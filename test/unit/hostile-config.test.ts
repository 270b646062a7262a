// Hostile and odd config files (issue 16): each becomes a located config error and a complete run.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_CONFIG_ERRORS, MAX_NESTING_DEPTH, parseConfig } from '../../server/src/engine/config-parse';
import { BLOCKING_TS, cli, removeWorkspace, workspace } from './cli-helpers';

const FILE = '.async-boundary.json';
const nested = (depth: number): string => `{ "rules": ${'['.repeat(depth)}${']'.repeat(depth)} }`;

describe('hostile config files', () => {
  for (const depth of [5_000, 10_000, 200_000]) {
    it(`bounds nesting: ${depth} nested brackets are one config error, not a stack overflow`, () => {
      const { config, errors } = parseConfig(nested(depth), FILE);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.line, 1);
      assert.equal(errors[0]!.column, 11 + MAX_NESTING_DEPTH, 'at the first bracket past the limit');
      assert.match(errors[0]!.message, /more than 64 levels deep/);
      assert.deepEqual(config.rules, {});
    });
  }

  it('reads the rest of a config whose one entry nests too deeply, like any other invalid entry', () => {
    const text = `{\n  "rules": { "blocking-in-async": "off" },\n  "include": ${'['.repeat(5_000)}${']'.repeat(5_000)},\n  "exclude": ["gen/**"]\n}\n`;
    const { config, errors } = parseConfig(text, FILE);
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.path, e.message]),
      [[3, 13 + MAX_NESTING_DEPTH, 'include', 'The config nests arrays and objects more than 64 levels deep here (the format needs 5): `include` is ignored; fix the brackets']],
    );
    assert.deepEqual([config.rules, config.include, config.exclude], [{ 'blocking-in-async': 'off' }, [], ['gen/**']]);
  });

  it('a config that is a deep array is one error, and brackets that never close are bounded too', () => {
    for (const text of ['['.repeat(100_000), `{ "rules": {} }${'{'.repeat(1_000)}`]) {
      const { errors } = parseConfig(text, FILE);
      assert.equal(errors.filter((e) => /more than 64 levels deep here \(the format needs 5\): this part is ignored/.test(e.message)).length, 1, JSON.stringify(errors));
    }
  });

  it('does not count brackets inside strings and comments', () => {
    const text = `{ "include": ["${'['.repeat(500)}"] /* ${'{'.repeat(500)} */ }`;
    const { errors } = parseConfig(text, FILE);
    assert.ok(!errors.some((e) => /levels deep/.test(e.message)), JSON.stringify(errors));
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const { config, errors } = parseConfig('\ufeff{ "rules": { "blocking-in-async": "error" } }', FILE);
    assert.deepEqual(errors, []);
    assert.deepEqual(config.rules, { 'blocking-in-async': 'error' });
  });

  it('sorts errors by position and caps them, counting the rest', () => {
    // Unknown rules come first in the file but are checked after the unknown top-level key below them.
    const rules = Array.from({ length: 80 }, (_, i) => `"no-rule-${i}": "error"`).join(',\n');
    const { errors } = parseConfig(`{\n"rules": {\n${rules}\n},\n"nope": 1\n}`, FILE);
    assert.equal(errors.length, MAX_CONFIG_ERRORS);
    const order = errors.map((e) => e.line * 1e6 + e.column);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.equal(errors[0]!.line, 3);
    assert.match(errors.at(-1)!.message, /^32 more errors from here on are not shown/);
  });

  it('CLI: a 5,000-deep config is a config error (exit 2), and the run checks the files', async () => {
    const root = workspace({ [FILE]: nested(5_000), 'a.ts': BLOCKING_TS });
    try {
      const r = await cli(['check', '.', '--format', 'json'], root);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /\.async-boundary\.json:1:\d+: error: The config nests arrays and objects more than 64 levels deep/);
      assert.doesNotMatch(r.err, /internal error|at parseValue/);
      assert.equal((JSON.parse(r.out) as unknown[]).length, 1);
    } finally {
      removeWorkspace(root);
    }
  });

  it('CLI: a config with one entry nested too deeply is a config error (exit 2); its other entries still apply', async () => {
    const config = `{ "rules": { "blocking-in-async": "off" }, "exclude": ${'['.repeat(5_000)}${']'.repeat(5_000)} }`;
    const root = workspace({ [FILE]: config, 'a.ts': BLOCKING_TS });
    try {
      const r = await cli(['check', '.', '--format', 'json'], root);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /\.async-boundary\.json:1:\d+: error: The config nests arrays and objects more than 64 levels deep here \(the format needs 5\): `exclude` is ignored/);
      assert.deepEqual(JSON.parse(r.out), [], 'blocking-in-async is off');
    } finally {
      removeWorkspace(root);
    }
  });

  it('CLI: a folder named .async-boundary.json in a subfolder is a config error for that folder; the run goes on', async () => {
    const root = workspace({ 'a/x.ts': BLOCKING_TS, 'b/y.ts': BLOCKING_TS });
    mkdirSync(join(root, 'b', FILE));
    try {
      for (const format of ['text', 'json', 'sarif']) {
        const r = await cli(['check', '.', '--format', format], root);
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, /^b\/\.async-boundary\.json:1:1: error: Cannot read the config file: it is a folder, not a file/m);
        assert.doesNotMatch(r.err, /--help/);
        if (format === 'json') assert.deepEqual((JSON.parse(r.out) as { file: string }[]).map((f) => f.file), ['a/x.ts', 'b/y.ts']);
        if (format === 'sarif') assert.equal((JSON.parse(r.out) as { runs: { results: unknown[] }[] }).runs[0]!.results.length, 2);
        if (format === 'text') assert.match(r.out, /2 findings .* in 2 files/);
      }
    } finally {
      removeWorkspace(root);
    }
  });

  it('CLI: --config naming a folder is still a usage error', async () => {
    const root = workspace({ 'a.ts': BLOCKING_TS });
    try {
      const r = await cli(['check', '.', '--config', '.'], root);
      assert.equal(r.code, 2);
      assert.match(r.err, /cannot read config file `\.`: it is a folder/);
    } finally {
      removeWorkspace(root);
    }
  });

  for (const [kind, link, why] of [
    ['dangling', (dir: string) => symlinkSync('missing.json', join(dir, FILE)), 'it is a symbolic link to `missing.json`, which does not exist'],
    [
      'looping',
      (dir: string) => {
        symlinkSync('loop.json', join(dir, FILE));
        symlinkSync(FILE, join(dir, 'loop.json'));
      },
      'it is a symbolic link to `loop.json`, which leads back to itself (ELOOP)',
    ],
  ] as const) {
    const what = `${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: point the link at a config file or remove it`;

    it(`CLI: a ${kind} symbolic link as .async-boundary.json is a config error that says what to do (exit 2), not the config above it`, async () => {
      const root = workspace({ [FILE]: '{ "rules": { "blocking-in-async": "error" } }', 'a/x.ts': BLOCKING_TS, 'b/y.ts': BLOCKING_TS });
      link(join(root, 'b'));
      try {
        const r = await cli(['check', '.', '--format', 'json'], root);
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, new RegExp(`^b/\\.async-boundary\\.json:1:1: error: Cannot read the config file: ${what}; the files in this folder are checked with the defaults$`, 'm'));
        // b's file is checked with the defaults (a warning), a's with the config above (an error).
        assert.deepEqual(
          (JSON.parse(r.out) as { file: string; severity: string }[]).map((f) => [f.file, f.severity]),
          [
            ['a/x.ts', 'error'],
            ['b/y.ts', 'warning'],
          ],
        );
      } finally {
        removeWorkspace(root);
      }
    });

    it(`CLI: --config naming a ${kind} symbolic link is a usage error that says what to do`, async () => {
      const root = workspace({ 'a.ts': BLOCKING_TS });
      link(root);
      try {
        const r = await cli(['check', '.', '--config', FILE], root);
        assert.equal(r.code, 2);
        assert.equal(r.out, '');
        assert.match(r.err, new RegExp(`cannot read config file \`\\.async-boundary\\.json\`: ${what}`));
      } finally {
        removeWorkspace(root);
      }
    });
  }
});
