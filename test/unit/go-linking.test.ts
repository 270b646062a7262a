// Go across files: the resolver (a package is a folder; a module path from go.mod names the
// folders under it), the go.mod reader, and the CLI giving a file named alone the other files of
// its package and the packages it imports. The fixture projects under
// test/fixtures/go/cross-file/ check the findings themselves (cross-file.test.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { goResolver } from '../../server/src/languages/go/resolver';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';
import { goModulePath } from '../../server/src/project/layout';
import { cli, removeWorkspace, workspace } from './cli-helpers';

const layout = { goModules: new Map([['example.com/inventory', '/src/inventory'], ['example.com/inventory/tools', '/src/inventory/tools']]) };

function filesOf(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, filesOf(full, base));
    else out[relative(base, full)] = readFileSync(full, 'utf8');
  }
  return out;
}

describe('Go resolver', () => {
  it('names the folder of the calling file for a function or method of the same package', () => {
    assert.deepEqual(goResolver.targets('./persist', '/src/inventory/internal/cache/cache.go', layout), [{ module: { folder: '/src/inventory/internal/cache' }, name: 'persist' }]);
    assert.deepEqual(goResolver.targets('./NSQD.PersistMetadata', '/src/q/nsqd/http.go'), [{ module: { folder: '/src/q/nsqd' }, name: 'NSQD.PersistMetadata' }]);
  });

  it('maps an import path under a module of the project to its folder, the longest module path first', () => {
    assert.deepEqual(goResolver.targets('example.com/inventory/internal/store.Store.Count', '/src/inventory/internal/cache/cache.go', layout), [
      { module: { folder: '/src/inventory/internal/store' }, name: 'Store.Count' },
    ]);
    assert.deepEqual(goResolver.targets('example.com/inventory.Open', '/x.go', layout), [{ module: { folder: '/src/inventory' }, name: 'Open' }]);
    // A nested module (its own go.mod) owns its paths.
    assert.deepEqual(goResolver.targets('example.com/inventory/tools/gen.Run', '/x.go', layout), [{ module: { folder: '/src/inventory/tools/gen' }, name: 'Run' }]);
  });

  it('links nothing outside the project: the standard library, dependencies, a module path that is only a prefix of a word', () => {
    for (const callee of ['net/http.Get', 'database/sql.DB.Query', 'os.ReadFile', 'fmt.Println', 'sync.Mutex.Lock']) assert.equal(goResolver.mayLink(callee), false, callee);
    assert.equal(goResolver.mayLink('github.com/redis/go-redis/v9.Client.Get'), true);
    assert.deepEqual(goResolver.targets('github.com/redis/go-redis/v9.Client.Get', '/src/inventory/main.go', layout), []);
    assert.deepEqual(goResolver.targets('example.com/inventoryx/store.Open', '/src/inventory/main.go', layout), []);
    assert.deepEqual(goResolver.targets('example.com/inventory/../etc.Open', '/src/inventory/main.go', layout), []);
  });

  it('reads the module path of a go.mod, quoted or with a comment', () => {
    assert.equal(goModulePath('// generated\nmodule github.com/nsqio/nsq\n\ngo 1.21\n'), 'github.com/nsqio/nsq');
    assert.equal(goModulePath('module "example.com/quoted" // old style\n'), 'example.com/quoted');
    assert.equal(goModulePath('go 1.21\nrequire example.com/x v1.0.0\n'), undefined);
  });
});

describe('Go: a struct declared in another file', () => {
  it('re-exports each field of a project type, and the resolver finds the module a field re-export names', () => {
    assert.deepEqual(goResolver.module('.', '/src/q/nsqd/nsqd.go', layout), { folder: '/src/q/nsqd' });
    assert.deepEqual(goResolver.module('example.com/inventory/internal/store', '/src/inventory/internal/cache/cache.go', layout), { folder: '/src/inventory/internal/store' });
    assert.equal(goResolver.module('net/http', '/src/inventory/main.go', layout), undefined);
  });

  // nsqio/nsq: NSQD is declared in nsqd.go, lookup.go calls n.peer.Command, lookup_peer.go dials.
  it('follows n.peer.Command through the NSQD struct of nsqd.go, and gives one related location per hop', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'go', 'cross-file', 'nsqd-lookup-peer');
    const files = Object.entries(filesOf(dir)).filter(([rel]) => rel.endsWith('.go')).map(([rel, text]) => ({ path: join(dir, rel), text, shown: rel }));
    const { analyses } = analyzeProject(files, await readProjectLayout(files.map((f) => f.path)));
    const a = analyses.get(join(dir, 'nsqd', 'lookup.go'))!;
    assert.equal(a.model.calls.find((c) => c.calleeText === 'n.peer.Command')?.callee, './NSQD.peer.Command');
    const [finding, ...rest] = a.findings;
    assert.equal(rest.length, 0, a.findings.map((f) => f.message).join('\n'));
    assert.match(finding!.message, /^`n` is held across `n\.peer\.Command`, which does I\/O in `lookupPeer\.Command` \(nsqd\/lookup_peer\.go\)/);
    const hops = (finding!.related ?? []).filter((r) => r.elsewhere).map((r) => `${r.message} @ ${relative(dir, r.elsewhere!.path)}:${r.elsewhere!.range.line + 1}`);
    assert.deepEqual(hops, ['`lookupPeer.Command` calls `lp.Connect` here @ nsqd/lookup_peer.go:35', '`net.DialTimeout` does I/O here @ nsqd/lookup_peer.go:21']);
  });
});

describe('cli: Go across files', () => {
  let root: string;
  afterEach(() => removeWorkspace(root));

  it('gives a file named alone the other files of its package and the packages it imports', async function () {
    this.timeout(120_000);
    const fixtures = join(__dirname, '..', 'fixtures', 'go', 'cross-file');
    root = workspace({ ...filesOf(join(fixtures, 'inventory-cache-store')), ...Object.fromEntries(Object.entries(filesOf(join(fixtures, 'nsqd-metadata-persist'))).map(([k, v]) => [`queued/${k}`, v])) });
    const rows = async (args: string[]) => {
      const r = await cli(['check', '--format', 'json', '--jobs', '1', ...args], root);
      assert.equal(r.err.includes('internal error'), false, r.err);
      return (JSON.parse(r.out) as { file: string; line: number; rule: string; severity: string }[]).map((f) => `${f.file}:${f.line}:${f.rule}:${f.severity}`);
    };
    // The store's Count goes to the network; LoadSnapshot and ImportDir read files in the other
    // package: hints, which the CLI shows only when asked.
    assert.deepEqual(await rows(['internal/cache/cache.go']), ['internal/cache/cache.go:26:await-holding-lock:warning']);
    assert.deepEqual(await rows(['internal/cache/cache.go', '--min-severity', 'hint']), [
      'internal/cache/cache.go:26:await-holding-lock:warning',
      'internal/cache/cache.go:38:await-holding-lock:hint',
      'internal/cache/cache.go:71:await-holding-lock:hint',
    ]);
    // PersistMetadata writes and syncs a file in another file of the package: a hint too.
    assert.deepEqual(await rows(['queued/nsqd/http.go']), []);
    assert.deepEqual(await rows(['queued/nsqd/http.go', '--min-severity', 'hint']), ['queued/nsqd/http.go:16:await-holding-lock:hint']);
  });
});
