// `check --cache`: a warm run prints what a cold run prints; a change invalidates exactly the files
// it can affect; a corrupt, foreign or malformed cache is ignored and rewritten, never trusted; the
// file is replaced atomically.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../../package.json';
import { CACHE_FILE_NAME, cacheKey, cacheLocation, configKey, contentHash, ResultCache, toolIdentity } from '../../server/src/cli/cache';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { BLOCKING_TS, CLEAN_TS, cli, removeWorkspace, workspace, writeFiles } from './cli-helpers';

interface CacheFile {
  tool: string;
  format: number;
  entries: Record<string, { key: string; result: { findings: { line: number; message: string }[]; errors: unknown[] } }>;
}

/** The cache file's first line: everything but the cross-file summaries that follow it. */
const readCache = (path: string): CacheFile => {
  const text = readFileSync(path, 'utf8');
  return JSON.parse(text.slice(0, text.indexOf('\n'))) as CacheFile;
};
const keys = (cache: CacheFile): Record<string, string> => Object.fromEntries(Object.entries(cache.entries).map(([f, e]) => [f, e.key]));

describe('cli: --cache', () => {
  let ws: string;
  let cachePath: string;
  beforeEach(() => {
    ws = workspace({ 'src/a.ts': BLOCKING_TS, 'src/b.ts': BLOCKING_TS.replace('load', 'read'), 'src/c.ts': CLEAN_TS, 'lib/d.ts': BLOCKING_TS });
    cachePath = join(ws, CACHE_FILE_NAME);
  });
  afterEach(() => removeWorkspace(ws));

  it('prints the same on a warm run as on a cold one, in every format', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const plain = await cli(['check', '--format', format], ws);
      const cold = await cli(['check', '--cache', '--format', format], ws);
      const warm = await cli(['check', '--cache', '--format', format], ws);
      assert.deepEqual(cold, plain, format);
      assert.deepEqual(warm, plain, format);
    }
    const cache = readCache(cachePath);
    assert.deepEqual([cache.tool, cache.format], ['async-boundary', 13]);
    assert.deepEqual(Object.keys(cache.entries).sort(), ['lib/d.ts', 'src/a.ts', 'src/b.ts', 'src/c.ts'].map((f) => join(ws, f)));
  });

  it('answers from the cache when the key matches: the stored result is what is printed', async () => {
    await cli(['check', '--cache'], ws);
    const cache = readCache(cachePath);
    const a = join(ws, 'src/a.ts');
    // The key a fresh run computes for src/a.ts, built from its parts: the entry is used as stored.
    const key = cacheKey({ tool: await toolIdentity(version, __filename), config: configKey(DEFAULT_CONFIG), content: contentHash(BLOCKING_TS), location: JSON.stringify({ projectPath: 'src/a.ts', language: 'typescript' }) });
    assert.equal(cache.entries[a]!.key, key);
    cache.entries[a]!.result.findings[0]!.message = 'planted in the cache';
    const text = readFileSync(cachePath, 'utf8');
    writeFileSync(cachePath, `${JSON.stringify(cache)}${text.slice(text.indexOf('\n'))}`);
    const warm = await cli(['check', '--cache'], ws);
    assert.match(warm.out, /^src\/a\.ts:3:10 {2}warning {2}blocking-in-async {2}planted in the cache$/m);
  });

  it('invalidates only the changed file', async () => {
    await cli(['check', '--cache'], ws);
    const before = keys(readCache(cachePath));
    writeFiles(ws, { 'src/b.ts': CLEAN_TS });
    const r = await cli(['check', '--cache', '--format', 'json'], ws);
    assert.deepEqual(
      (JSON.parse(r.out) as { file: string }[]).map((f) => f.file),
      ['lib/d.ts', 'src/a.ts'],
    );
    const after = keys(readCache(cachePath));
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]);
    assert.deepEqual(changed, [join(ws, 'src/b.ts')]);
  });

  it('invalidates the files a config change governs, and only those', async () => {
    await cli(['check', '--cache'], ws);
    const before = keys(readCache(cachePath));
    writeFiles(ws, { 'src/.async-boundary.json': '{ "rules": { "blocking-in-async": "error" } }' });
    const r = await cli(['check', '--cache', '--format', 'json'], ws);
    assert.equal(r.code, 1);
    const severities = (JSON.parse(r.out) as { file: string; severity: string }[]).map((f) => `${f.file} ${f.severity}`);
    assert.deepEqual(severities, ['lib/d.ts warning', 'src/a.ts error', 'src/b.ts error']);
    const after = keys(readCache(cachePath));
    assert.deepEqual(
      Object.keys(after)
        .filter((f) => after[f] !== before[f])
        .sort(),
      ['src/a.ts', 'src/b.ts', 'src/c.ts'].map((f) => join(ws, f)),
    );
  });

  for (const [what, text] of [
    ['not JSON', '{"tool": "async-boundary", "format": 1, "entries": {'],
    ['a foreign file (an ESLint cache)', '[{"/src/a.ts":"1"},{"size":120,"mtime":1700000000000,"hash":"x"}]'],
    ['a cache of another format', '{"tool": "async-boundary", "format": 99, "entries": {}}'],
    ['a cache whose entry has a bad severity', '{"tool": "async-boundary", "format": 1, "entries": {"ENTRY": {"key": "k", "result": {"findings": [{"line": 1, "column": 1, "endLine": 1, "endColumn": 2, "rule": "r", "severity": "fatal", "message": "m", "related": [], "lineText": ""}], "errors": []}}}}'],
    ['a cache whose entry has a line 0', '{"tool": "async-boundary", "format": 1, "entries": {"ENTRY": {"key": "k", "result": {"findings": [{"line": 0, "column": 1, "endLine": 1, "endColumn": 2, "rule": "r", "severity": "error", "message": "m", "related": [], "lineText": ""}], "errors": []}}}}'],
    ['a cache with a __proto__ entry', '{"tool": "async-boundary", "format": 1, "entries": {"__proto__": {"polluted": true}}}'],
  ] as const) {
    it(`ignores and rewrites ${what}`, async () => {
      const plain = await cli(['check'], ws);
      writeFileSync(cachePath, text.replace('ENTRY', join(ws, 'src/a.ts')));
      const r = await cli(['check', '--cache'], ws);
      assert.equal(r.out, plain.out);
      assert.match(r.err, new RegExp(`^notice: ignored the cache ${CACHE_FILE_NAME}: it .+; it is rewritten$`, 'm'));
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      const rewritten = readCache(cachePath);
      assert.equal(rewritten.tool, 'async-boundary');
      assert.equal(Object.keys(rewritten.entries).length, 4);
      // And the rewritten file is trusted by the next run, silently.
      const next = await cli(['check', '--cache'], ws);
      assert.deepEqual([next.out, next.err], [plain.out, plain.err]);
    });
  }

  it('forgets files that are gone or can no longer be checked, and keeps files outside this run', async () => {
    await cli(['check', '--cache'], ws);
    writeFiles(ws, { 'src/a.ts': Buffer.from([0x61, 0x00]) });
    await cli(['check', '--cache', 'src'], ws);
    assert.deepEqual(Object.keys(readCache(cachePath).entries).sort(), ['lib/d.ts', 'src/b.ts', 'src/c.ts'].map((f) => join(ws, f)));
    removeWorkspace(join(ws, 'lib'));
    await cli(['check', '--cache', 'src'], ws);
    assert.deepEqual(Object.keys(readCache(cachePath).entries).sort(), ['src/b.ts', 'src/c.ts'].map((f) => join(ws, f)));
  });

  it('leaves no temporary file behind, and keeps the old cache when the new one cannot be put in place', async () => {
    await cli(['check', '--cache'], ws);
    assert.deepEqual(
      readdirSync(ws).filter((f) => f.includes('.tmp')),
      [],
    );
    // A folder where the cache file should be: the rename fails, the temporary file is removed.
    const blocked = join(ws, 'blocked');
    mkdirSync(join(blocked, 'inside'), { recursive: true });
    const store = await ResultCache.open(blocked);
    assert.equal(store.rejected, 'it is not a regular file');
    store.set(join(ws, 'src/a.ts'), 'k', { findings: [], errors: [] });
    assert.match((await store.save()) ?? '', /^E/);
    assert.deepEqual(readdirSync(ws).filter((f) => f.includes('.tmp')), []);
    assert.deepEqual(readdirSync(blocked), ['inside']);
  });

  it('leaves a whole cache when two runs save at once', async () => {
    const a = await ResultCache.open(cachePath);
    const b = await ResultCache.open(cachePath);
    a.set(join(ws, 'src/a.ts'), 'ka', { findings: [], errors: [] });
    b.set(join(ws, 'src/b.ts'), 'kb', { findings: [], errors: [] });
    assert.deepEqual(await Promise.all([a.save(), b.save()]), [undefined, undefined]);
    const entries = Object.keys(readCache(cachePath).entries);
    assert.ok(entries.length === 1 && [join(ws, 'src/a.ts'), join(ws, 'src/b.ts')].includes(entries[0]!), entries.join());
  });

  it('does not keep a result with internal errors', async () => {
    const store = await ResultCache.open(cachePath);
    store.set(join(ws, 'src/a.ts'), 'k', { findings: [], errors: [{ where: 'rule x', message: 'boom' }] });
    assert.equal(store.get(join(ws, 'src/a.ts'), 'k'), undefined);
    assert.equal(await store.save(), undefined);
    assert.equal(existsSync(cachePath), false);
  });

  it('puts the cache under node_modules/.cache when there is node_modules, in a folder given with --cache-location, or at a file given', async () => {
    assert.equal(await cacheLocation(undefined, ws), join(ws, CACHE_FILE_NAME));
    mkdirSync(join(ws, 'node_modules'));
    assert.equal(await cacheLocation(undefined, ws), join(ws, 'node_modules/.cache/async-boundary', CACHE_FILE_NAME));
    assert.equal(await cacheLocation('lib', ws), join(ws, 'lib', CACHE_FILE_NAME));
    assert.equal(await cacheLocation('tmp/new/', ws), join(ws, 'tmp/new', CACHE_FILE_NAME));
    assert.equal(await cacheLocation('tmp/my-cache.json', ws), join(ws, 'tmp/my-cache.json'));
    const r = await cli(['check', '--cache', '--cache-location', 'tmp/'], ws);
    assert.equal(r.code, 0, r.err);
    assert.equal(readCache(join(ws, 'tmp', CACHE_FILE_NAME)).tool, 'async-boundary');
    assert.equal(existsSync(join(ws, 'node_modules/.cache')), false);
    await cli(['check', '--cache'], ws);
    assert.equal(readCache(join(ws, 'node_modules/.cache/async-boundary', CACHE_FILE_NAME)).tool, 'async-boundary');
  });

  it('needs --cache for --cache-location', async () => {
    const r = await cli(['check', '--cache-location', 'x'], ws);
    assert.equal(r.code, 2);
    assert.match(r.err, /`--cache-location` needs `--cache`/);
  });
});
