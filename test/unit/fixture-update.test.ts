// UPDATE_FIXTURES refreshes the `.fixed` files there are and creates none unless asked
// (UPDATE_FIXTURES=new): a refresh once wrote 13 unreviewed `.fixed` files for fixtures that had
// none by choice. Runs the fixture suite on a copy of two fixtures in a child mocha.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeWorkspace, workspace } from './cli-helpers';

const ROOT = join(__dirname, '..', '..');
const FIXABLE = "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8'); // expect: blocking-in-async\n}\n";

function fixtureSuite(root: string, update: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', '--no-config', '-r', 'tsx/cjs', '--extension', 'ts', '--reporter', 'dot', '--timeout', '120000', 'test/unit/_setup.test.ts', 'test/unit/fixtures.test.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FIXTURES_ROOT: root, UPDATE_FIXTURES: update },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('UPDATE_FIXTURES', function () {
  this.timeout(180_000);

  it('=1 rewrites a stale .fixed file and creates none for a fixture without one; =new creates it', () => {
    const root = workspace({ 'ts/blocking-in-async/invalid-kept.ts': FIXABLE, 'ts/blocking-in-async/invalid-kept.fixed.ts': 'stale\n', 'ts/blocking-in-async/invalid-none.ts': FIXABLE });
    const kept = join(root, 'ts/blocking-in-async/invalid-kept.fixed.ts');
    const none = join(root, 'ts/blocking-in-async/invalid-none.fixed.ts');
    try {
      const refresh = fixtureSuite(root, '1');
      assert.equal(refresh.status, 0, refresh.out);
      assert.match(readFileSync(kept, 'utf8'), /await fs\.promises\.readFile\(p, 'utf8'\)/);
      assert.equal(existsSync(none), false);
      const create = fixtureSuite(root, 'new');
      assert.equal(create.status, 0, create.out);
      assert.equal(readFileSync(none, 'utf8'), readFileSync(kept, 'utf8'));
    } finally {
      removeWorkspace(root);
    }
  });
});
