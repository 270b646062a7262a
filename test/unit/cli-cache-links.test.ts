// `check --cache` and the cross-file pass: a warm run on an unchanged project analyses no file and
// links nothing (the summaries of files outside the selection and the linker's answers come from
// the cache), and every change that can alter a file's imports still reaches it: an imported file
// outside the selection, a new file an import now resolves to first, the tsconfig's path aliases.
// The project is shaped like issue #10's login example (a route calling a helper that runs
// `bcrypt.compareSync`), with the helper kept under `test/` (a test fixture the route imports, as
// Ghost's and Parse Server's test utilities are), which the CLI does not check but must summarise.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TASKS } from '../../server/src/cli/check-tasks';
import { Linker } from '../../server/src/engine/linker';
import { cli, removeWorkspace, workspace, writeFiles } from './cli-helpers';

const BLOCKING_HELPER = ["import bcrypt from 'bcrypt';", '', 'export function verify(plain: string, hashed: string): boolean {', '  return bcrypt.compareSync(plain, hashed);', '}', ''].join('\n');
const ASYNC_HELPER = ["import bcrypt from 'bcrypt';", '', 'export async function verify(plain: string, hashed: string): Promise<boolean> {', '  return bcrypt.compare(plain, hashed);', '}', ''].join('\n');

function route(spec: string): string {
  return ["import type { Router } from 'express';", `import { verify } from '${spec}';`, '', 'export function mount(router: Router): void {', "  router.post('/login', async (req, res) => {", '    res.json({ ok: verify(req.body.password, req.body.hash) });', '  });', '}', ''].join('\n');
}

interface Row {
  file: string;
  line: number;
  rule: string;
}

/** Counts the analyses and the linker's answers of the runs in between (the CLI runs in this process with `--jobs 1`). */
function spy(): { analyses: number; links: number; restore: () => void } {
  const analyze = TASKS.analyze;
  const importsFor = Linker.prototype.importsFor;
  const counts = {
    analyses: 0,
    links: 0,
    restore: () => {
      (TASKS as { analyze: typeof analyze }).analyze = analyze;
      Linker.prototype.importsFor = importsFor;
    },
  };
  (TASKS as { analyze: typeof analyze }).analyze = (input) => {
    counts.analyses++;
    return analyze(input);
  };
  Linker.prototype.importsFor = function (this: Linker, path: string) {
    counts.links++;
    return importsFor.call(this, path);
  };
  return counts;
}

/** The cache file's two parts: its first line (JSON) and the summaries after it. */
function readCacheFile(path: string): { head: Record<string, unknown>; summaries: Buffer } {
  const bytes = readFileSync(path);
  const newline = bytes.indexOf(10);
  return { head: JSON.parse(bytes.toString('utf8', 0, newline)) as Record<string, unknown>, summaries: bytes.subarray(newline + 1) };
}

function writeCacheFile(path: string, head: unknown, summaries: Buffer): void {
  writeFileSync(path, Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`), summaries]));
}

describe('cli: --cache across files', () => {
  let ws: string;
  let cached: string[];
  beforeEach(() => {
    ws = workspace({ 'test/password.js': BLOCKING_HELPER.replace(': string', '').replace(', hashed: string): boolean', ', hashed)'), 'src/routes/login.ts': route('../../test/password'), 'src/other.ts': "export const x = 1;\n" });
    cached = ['check', '--format', 'json', '--jobs', '1', '--cache', '--cache-location', join(ws, 'cache.json'), '.'];
  });
  afterEach(() => removeWorkspace(ws));

  async function rows(): Promise<string[]> {
    const r = await cli(cached, ws);
    assert.equal(r.err.includes('internal error'), false, r.err);
    return (JSON.parse(r.out) as Row[]).map((f) => `${f.file}:${f.line}:${f.rule}`);
  }

  it('a warm run on an unchanged project analyses no file and links nothing, and prints what the cold run printed', async () => {
    const cold = await cli(cached, ws);
    assert.deepEqual(
      (JSON.parse(cold.out) as Row[]).map((f) => `${f.file}:${f.line}`),
      ['src/routes/login.ts:6'],
    );
    const counts = spy();
    let warm;
    try {
      warm = await cli(cached, ws);
    } finally {
      counts.restore();
    }
    assert.deepEqual(warm, cold);
    assert.equal(counts.analyses, 0, 'files analysed on the warm run');
    assert.equal(counts.links, 0, 'linker answers computed on the warm run');
  });

  it('re-checks the importer when a file outside the selection that it imports changes', async () => {
    assert.deepEqual(await rows(), ['src/routes/login.ts:6:blocking-in-async']);
    writeFiles(ws, { 'test/password.js': ASYNC_HELPER.replace(': string', '').replace(', hashed: string): Promise<boolean>', ', hashed)') });
    assert.deepEqual(await rows(), [], 'the helper became async');
  });

  it('re-checks the importer when a new file outside the selection is what its import now names first', async () => {
    assert.deepEqual(await rows(), ['src/routes/login.ts:6:blocking-in-async']);
    // `../../test/password` names password.ts before password.js: nothing selected changes.
    writeFiles(ws, { 'test/password.ts': ASYNC_HELPER });
    assert.deepEqual(await rows(), [], 'the import now names the async helper');
    const counts = spy();
    try {
      assert.deepEqual(await rows(), [], 'warm');
    } finally {
      counts.restore();
    }
    assert.equal(counts.links, 0);
  });

  it('re-checks the importer when the tsconfig paths change where an alias points', async () => {
    writeFiles(ws, {
      'src/routes/login.ts': route('@helpers/password'),
      'src/sync/password.ts': BLOCKING_HELPER,
      'src/async/password.ts': ASYNC_HELPER,
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@helpers/*': ['./src/sync/*'] } } }),
    });
    assert.deepEqual(await rows(), ['src/routes/login.ts:6:blocking-in-async']);
    writeFileSync(join(ws, 'tsconfig.json'), JSON.stringify({ compilerOptions: { paths: { '@helpers/*': ['./src/async/*'] } } }));
    assert.deepEqual(await rows(), [], 'the alias names the async helper');
  });

  it('ignores and rewrites a cache whose link record is malformed', async () => {
    await rows();
    const path = join(ws, 'cache.json');
    const { head, summaries } = readCacheFile(path);
    const data = head as { links: Record<string, { imports: unknown }> };
    const [key] = Object.keys(data.links);
    assert.ok(key !== undefined, 'a link record was written');
    data.links[key]!.imports = { [join(ws, 'src/routes/login.ts')]: { 'x.verify': { path: 1 } } };
    writeCacheFile(path, data, summaries);
    const r = await cli(cached, ws);
    assert.match(r.err, /^notice: ignored the cache cache\.json: it has a malformed entry; it is rewritten$/m);
    assert.deepEqual(
      (JSON.parse(r.out) as Row[]).map((f) => `${f.file}:${f.line}`),
      ['src/routes/login.ts:6'],
    );
    assert.doesNotMatch((await cli(cached, ws)).err, /ignored the cache/);
  });

  it('reads no summary on a warm run, and analyses again a file whose stored summary is not valid when a change makes the pass link again', async () => {
    const cold = await cli(cached, ws);
    const path = join(ws, 'cache.json');
    const { head, summaries } = readCacheFile(path);
    const entries = head['entries'] as Record<string, { summary?: [number, number] }>;
    const helper = join(ws, 'test/password.js');
    assert.ok(entries[helper]?.summary && entries[join(ws, 'src/routes/login.ts')]?.summary, 'the helper and the route have summaries');
    // Every summary replaced by as many bytes of garbage: the first line still says where each is.
    writeCacheFile(path, head, Buffer.alloc(summaries.length, 'x'));
    let counts = spy();
    try {
      assert.deepEqual(await cli(cached, ws), cold, 'warm: the link record holds, no summary is read');
    } finally {
      counts.restore();
    }
    assert.equal(counts.analyses, 0);
    // A new export changes src/other.ts's summary: the pass links again and needs every summary; the
    // helper's is garbage, so the helper is analysed again, and the route is still reported.
    writeFiles(ws, { 'src/other.ts': 'export const x = 1;\nexport function y(): number {\n  return x;\n}\n' });
    counts = spy();
    let changed;
    try {
      changed = await cli(cached, ws);
    } finally {
      counts.restore();
    }
    assert.deepEqual([changed.out, changed.err], [cold.out, cold.err]);
    // src/other.ts (changed), the helper and the route (garbage summaries), the route again with its imports.
    assert.equal(counts.analyses, 4);
    counts = spy();
    try {
      assert.deepEqual(await cli(cached, ws), cold, 'the rewritten cache is whole again');
    } finally {
      counts.restore();
    }
    assert.equal(counts.analyses, 0);
  });

  it('ignores and rewrites a cache cut short in its summaries', async () => {
    const cold = await cli(cached, ws);
    const path = join(ws, 'cache.json');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    const r = await cli(cached, ws);
    assert.equal(r.out, cold.out);
    assert.match(r.err, /^notice: ignored the cache cache\.json: its summaries are not the length its first line gives; it is rewritten$/m);
    assert.deepEqual(await cli(cached, ws), cold);
  });

  it('keeps syntax-error and nesting notices: a warm run prints the notices of the cold run', async () => {
    writeFiles(ws, { 'src/broken.ts': 'export async function f() {\n  const x = ;\n}\n' });
    const text = ['check', '--jobs', '1', '--cache', '--cache-location', join(ws, 'cache.json'), '.'];
    const cold = await cli(text, ws);
    assert.match(cold.err, /notice: src\/broken\.ts:2:\d+: syntax error/);
    assert.deepEqual(await cli(text, ws), cold);
  });
});
