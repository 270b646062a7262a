// The source roots the project layout reads for the Python fixture projects, and the thread fix
// offered at a call whose helper blocks in another module (the resolver's own tests: python-resolver.test.ts).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixesFor } from '../../server/src/engine/analyze';
import { applyEdits } from '../../server/src/engine/finding';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';

const FIXTURES = join(__dirname, '..', 'fixtures', 'python', 'cross-file');

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const f = join(dir, e);
    if (statSync(f).isDirectory()) out.push(...pyFiles(f));
    else if (f.endsWith('.py')) out.push(f);
  }
  return out;
}

describe('Python source roots (layout) of the fixture projects', () => {
  it('are the folders of their pyproject.toml', async () => {
    for (const name of ['fastapi-app', 'aiohttp-flat']) {
      const dir = join(FIXTURES, name);
      assert.deepEqual((await readProjectLayout(pyFiles(dir))).pythonRoots, [dir]);
    }
  });
});

describe('Python source roots without a manifest', () => {
  // src-layout-requirements: a requirements.txt service whose package is src/shop (full-stack-fastapi-template's shape).
  it('start at the folder above the top-level package: src/ for src/shop/…', async () => {
    const dir = join(FIXTURES, 'src-layout-requirements');
    assert.deepEqual((await readProjectLayout(pyFiles(dir))).pythonRoots, [join(dir, 'src')]);
  });
});

describe('Python cross-file quick fix', () => {
  it('runs a helper that blocks in another module in a thread, at the call site, and the result parses', async () => {
    const dir = join(FIXTURES, 'fastapi-app');
    const files = pyFiles(dir);
    const { analyses } = analyzeProject(files.map((path) => ({ path, text: readFileSync(path, 'utf8') })), await readProjectLayout(files));
    const routes = analyses.get(join(dir, 'app', 'api', 'routes', 'users.py'))!;
    const finding = routes.findings.find((f) => routes.lines.position(f.span.start).line === 26)!;
    assert.equal(finding.rule, 'blocking-in-async');
    const { fixes } = fixesFor(routes, finding);
    assert.equal(fixes[0]?.title, 'Run `hash_password` in a thread with `asyncio.to_thread`');
    assert.match(applyEdits(routes.parsed.text, fixes[0]!.edits), /hashed = await asyncio\.to_thread\(hash_password, body\.password\)  # expect/);
  });
});
