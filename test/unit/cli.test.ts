// The CLI run in-process: arguments, exit codes, file selection, config handling, notices.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { version } from '../../package.json';
import { CLEAN_TS, cli, removeWorkspace, workspace } from './cli-helpers';

describe('cli: arguments and exit codes', () => {
  let root: string;
  before(() => (root = workspace({ 'src/a.ts': CLEAN_TS })));
  after(() => removeWorkspace(root));

  it('prints the version', async () => {
    const r = await cli(['--version'], root);
    assert.deepEqual([r.code, r.out], [0, `${version}\n`]);
  });

  it('prints help with --help (0) and without arguments (2)', async () => {
    const help = await cli(['--help'], root);
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: async-boundary <command>/);
    assert.match(help.out, /check +check files/);
    assert.equal((await cli([], root)).code, 2);
    const checkHelp = await cli(['check', '--help'], root);
    assert.equal(checkHelp.code, 0);
    assert.match(checkHelp.out, /--format text\|json\|sarif/);
  });

  it('exits 2 on an unknown command, option, format or path', async () => {
    for (const args of [['lint'], ['check', '--bogus'], ['check', '--format', 'xml'], ['check', 'no/such/dir'], ['check', '--diff']]) {
      const r = await cli(args, root);
      assert.equal(r.code, 2, args.join(' '));
      assert.notEqual(r.err, '', `${args.join(' ')} explains itself`);
      assert.equal(r.out, '', `${args.join(' ')} prints no results`);
    }
    assert.match((await cli(['check', '--format', 'xml'], root)).err, /unknown format `xml`: use one of `text`, `json`, `sarif`/);
    assert.match((await cli(['check', 'no/such/dir'], root)).err, /path not found: `no\/such\/dir`/);
  });

  it('exits 0 with a summary on a clean tree, and accepts --format=json', async () => {
    const text = await cli(['check'], root);
    assert.deepEqual([text.code, text.out, text.err], [0, 'No findings in 1 file\n', '']);
    const json = await cli(['check', '--format=json'], root);
    assert.deepEqual([json.code, JSON.parse(json.out)], [0, []]);
  });
});

describe('cli: which files are checked', () => {
  let root: string;
  before(() => {
    root = workspace({
      '.gitignore': 'generated/\n*.tmp.ts\n',
      'src/a.ts': CLEAN_TS,
      'src/b.js': CLEAN_TS,
      'src/notes.md': '# not code',
      'src/x.tmp.ts': CLEAN_TS,
      'src/nested/.gitignore': 'local.ts\n!keep.tmp.ts\n',
      'src/nested/local.ts': CLEAN_TS,
      'src/nested/keep.tmp.ts': CLEAN_TS,
      'src/nested/ok.mts': CLEAN_TS,
      'generated/g.ts': CLEAN_TS,
      'node_modules/dep/index.js': CLEAN_TS,
      'dist/out.js': CLEAN_TS,
      'target/t.ts': CLEAN_TS,
      'big/huge.js': `// ${'x'.repeat(1024 * 1024)}\n`,
      'big/bin.ts': Buffer.from([0x63, 0x6f, 0x00, 0x6e, 0x73]),
    });
  });
  after(() => removeWorkspace(root));

  /** The files a run analysed, from the JSON-mode count on a tree with no findings. */
  async function count(args: string[], cwd = root): Promise<number> {
    const r = await cli(['check', ...args], cwd);
    assert.equal(r.code, 0, r.err);
    const m = /in (\d+) files?\n$/.exec(r.out);
    assert.ok(m, r.out);
    return Number(m[1]);
  }

  it('honours nested .gitignore files and skips dependency and build folders', async () => {
    // a.ts, b.js, nested/keep.tmp.ts (re-included by the nested file), nested/ok.mts
    assert.equal(await count(['.']), 4);
    assert.equal(await count(['src']), 4);
    // A folder named explicitly is walked even when it is a dependency or build folder...
    assert.equal(await count(['node_modules', 'dist', 'target']), 3);
    // ...but what is under an ignored folder stays ignored, as git sees it.
    assert.equal(await count(['generated']), 0);
  });

  it('checks a file named explicitly even when .gitignore lists it', async () => {
    assert.equal(await count(['src/x.tmp.ts']), 1);
  });

  it('says so when a file named explicitly is in no supported language', async () => {
    const r = await cli(['check', 'src/notes.md', 'src/a.ts'], root);
    assert.deepEqual([r.code, r.out], [0, 'No findings in 1 file\n']);
    assert.match(r.err, /^notice: skipped src\/notes\.md: no language frontend handles `\.md` files \(supported: .*\.ts.*\)$/m);
  });

  it('skips files over 1 MB and binary files with one notice each in text mode', async () => {
    const r = await cli(['check', 'big'], root);
    assert.equal(r.code, 0);
    assert.equal(r.out, 'No findings in 0 files\n');
    assert.match(r.err, /^notice: skipped big\/bin\.ts: it is binary/m);
    assert.match(r.err, /^notice: skipped big\/huge\.js: it is [0-9,]+ bytes, over the limit of 1 MB \(1,048,576 bytes\)$/m);
    assert.equal(r.err.trim().split('\n').length, 2);
  });

  it('prints one summary notice for skipped files in JSON mode', async () => {
    const r = await cli(['check', 'big', '--format', 'json'], root);
    assert.deepEqual(JSON.parse(r.out), []);
    assert.equal(r.err, 'notice: skipped 2 files (larger than 1 MB, binary, unreadable, or in no supported language)\n');
  });

  it('applies config include and exclude globs relative to the config file', async () => {
    const ws = workspace({
      '.async-boundary.json': '{ "include": ["src/**"], "exclude": ["**/*.generated.ts"] }',
      'src/a.ts': CLEAN_TS,
      'src/types.generated.ts': CLEAN_TS,
      'scripts/tool.ts': CLEAN_TS,
    });
    try {
      assert.equal(await count([], ws), 1);
      // Running from a subfolder still finds the config above it, and its globs stay relative to it.
      assert.equal(await count(['.'], join(ws, 'src')), 1);
    } finally {
      removeWorkspace(ws);
    }
  });
});

describe('cli: config files', () => {
  it('reports config errors as file:line:col with the key, applies the rest, and exits 2', async () => {
    const ws = workspace({
      '.async-boundary.json': '{\n  "rules": {\n    "blocking-in-asyn": "error"\n  },\n  "exclude": ["skip/**"]\n}\n',
      'a.ts': CLEAN_TS,
      'skip/b.ts': CLEAN_TS,
    });
    try {
      const r = await cli(['check'], ws);
      assert.equal(r.code, 2);
      assert.match(r.err, /^\.async-boundary\.json:3:5: error: Unknown rule `blocking-in-asyn` in `rules`: use one of `await-holding-lock`/m);
      assert.match(r.err, /its valid parts were used/);
      // The valid `exclude` still applied.
      assert.equal(r.out, 'No findings in 1 file\n');
    } finally {
      removeWorkspace(ws);
    }
  });

  it('uses --config over the discovered file, and exits 2 when it does not exist', async () => {
    const ws = workspace({
      '.async-boundary.json': '{ "exclude": ["**"] }',
      'ci/strict.json': '{ "exclude": [] }',
      'a.ts': CLEAN_TS,
    });
    try {
      assert.equal((await cli(['check'], ws)).out, 'No findings in 0 files\n');
      assert.equal((await cli(['check', '--config', 'ci/strict.json'], ws)).out, 'No findings in 1 file\n');
      const missing = await cli(['check', '--config', 'nope.json'], ws);
      assert.equal(missing.code, 2);
      assert.match(missing.err, /cannot read config file `nope\.json`: ENOENT/);
    } finally {
      removeWorkspace(ws);
    }
  });

  it('gives each file the nearest config above it, as the language server does', async () => {
    const ws = workspace({
      '.async-boundary.json': '{ "exclude": ["**/skip-*.ts"] }',
      'a.ts': CLEAN_TS,
      'skip-root.ts': CLEAN_TS,
      'pkg/.async-boundary.json': '{ "exclude": ["**/gen-*.ts"] }',
      'pkg/skip-kept.ts': CLEAN_TS,
      'pkg/gen-x.ts': CLEAN_TS,
      'pkg/broken/.async-boundary.json': '{ "rules": 1 }',
      'pkg/broken/b.ts': CLEAN_TS,
    });
    try {
      // a.ts and pkg/skip-kept.ts (pkg's config replaces the root one there), pkg/broken/b.ts.
      const r = await cli(['check'], ws);
      assert.equal(r.out, 'No findings in 3 files\n');
      // The nested config with an error is reported once, at its own path, and the run exits 2.
      assert.equal(r.code, 2);
      assert.deepEqual(r.err.split('\n').filter((l) => l.includes(': error: ')), ['pkg/broken/.async-boundary.json:1:12: error: `rules` must be an object mapping rule ids to levels, not a number: write it as `{ … }`']);
    } finally {
      removeWorkspace(ws);
    }
  });

  it('stops looking for a config at the repository root', async () => {
    const outer = workspace({ '.async-boundary.json': '{ "exclude": ["**"] }', 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/a.ts': CLEAN_TS });
    try {
      // The outer config (which would exclude everything) is above the repository and is not used.
      assert.equal((await cli(['check'], join(outer, 'repo'))).out, 'No findings in 1 file\n');
      // Checking a folder from outside finds the config nearest that folder.
      assert.equal((await cli(['check', 'repo'], outer)).out, 'No findings in 1 file\n');
    } finally {
      removeWorkspace(outer);
    }
  });
});

describe('cli: --diff errors', () => {
  it('exits 2 outside a git repository', async () => {
    const ws = workspace({ 'a.ts': CLEAN_TS });
    try {
      const r = await cli(['check', '--diff', 'main'], ws);
      assert.equal(r.code, 2);
      assert.match(r.err, /`--diff main` needs a git repository/);
    } finally {
      removeWorkspace(ws);
    }
  });
});
