// The built CLI as users run it: a real process, real exit status, real streams.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../../package.json';
import { BLOCKING_TS, CLEAN_TS, ensureBuilt, removeWorkspace, workspace } from './cli-helpers';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function runCli(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('cli: the built executable', function () {
  this.timeout(60_000);
  let ws: string;

  before(function () {
    ensureBuilt();
    ws = workspace({ 'clean.ts': CLEAN_TS, 'bad/blocking.ts': BLOCKING_TS, 'bad/.async-boundary.json': '{ "rules": { "blocking-in-async": "error" } }' });
  });
  after(() => removeWorkspace(ws));

  it('prints its version and exits 0', () => {
    const r = runCli(['--version'], ws);
    assert.deepEqual([r.status, r.stdout], [0, `${version}\n`]);
  });

  it('exits 0 with an empty JSON array on clean code', () => {
    const r = runCli(['check', 'clean.ts', '--format', 'json'], ws);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });

  it('exits 2 on a usage error, with the message on stderr only', () => {
    const r = runCli(['check', '--format', 'yaml'], ws);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown format `yaml`/);
  });

  it('exits 1 when a finding has error severity, and reports it in JSON', () => {
    const r = runCli(['check', 'bad', '--format', 'json'], ws);
    const rows = JSON.parse(r.stdout) as { file: string; line: number; rule: string; severity: string }[];
    assert.deepEqual(
      rows.map((f) => [f.file, f.line, f.rule, f.severity]),
      [['bad/blocking.ts', 3, 'blocking-in-async', 'error']],
    );
    assert.equal(r.status, 1);
  });

  it('runs on worker threads from the bundle (piscina and the worker beside dist/cli.js) with the output of one thread', () => {
    const one = runCli(['check', '--jobs', '1', '--format', 'json'], ws);
    const two = runCli(['check', '--jobs', '2', '--format', 'json'], ws);
    assert.equal(two.stderr, '');
    assert.deepEqual([two.status, two.stdout], [one.status, one.stdout]);
    assert.equal((JSON.parse(two.stdout) as unknown[]).length, 1);
  });

  it('runs on worker threads when Node was started with a V8 option (`node --max-old-space-size=… cli.js`)', () => {
    const one = runCli(['check', '--jobs', '1', '--format', 'json'], ws);
    const two = spawnSync(process.execPath, ['--max-old-space-size=2048', CLI, 'check', '--jobs', '2', '--format', 'json'], { cwd: ws, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(two.stderr, '');
    assert.deepEqual([two.status, two.stdout], [one.status, one.stdout]);
  });

  it('keys its cache on the bundle: a warm run from the bundle prints what the cold one did', () => {
    const cold = runCli(['check', '--cache', '--cache-location', 'cache/', '--jobs', '2'], ws);
    const warm = runCli(['check', '--cache', '--cache-location', 'cache/', '--jobs', '2'], ws);
    assert.deepEqual([warm.status, warm.stdout, warm.stderr], [cold.status, cold.stdout, cold.stderr]);
    // The cache file's first line holds the entries; the cross-file summaries follow it.
    const [head] = readFileSync(join(ws, 'cache', '.async-boundary-cache'), 'utf8').split('\n');
    const cache = JSON.parse(head!) as { entries: Record<string, { key: string }> };
    assert.equal(Object.keys(cache.entries).length, 2);
  });
});
