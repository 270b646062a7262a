// The Python resolver (languages/python/resolver.ts): relative and absolute imports to module files,
// and the engine's linker joining Python summaries through it alone, which is all a language plugs
// in besides its exports. The Python frontend does not report exports yet, so this is the interface
// checked on hand-written summaries of a FastAPI service's shape.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linker } from '../../server/src/engine/linker';
import type { FileSummary, FunctionSummary } from '../../server/src/engine/summary';
import { pythonResolver } from '../../server/src/languages/python/resolver';
import { readProjectLayout } from '../../server/src/project/layout';

const files = (callee: string, from: string, roots?: string[]) =>
  pythonResolver.targets(callee, from, roots ? { pythonRoots: roots } : undefined).map((t) => `${'files' in t.module ? t.module.files.join('|') : ''} :: ${t.name}`);

const range = { line: 3, character: 4, endLine: 3, endCharacter: 20 };
function fn(name: string, extra: Partial<FunctionSummary> = {}): FunctionSummary {
  return { name, display: name, isAsync: false, offloads: false, io: false, refs: [], ...extra };
}
function file(path: string, exports: FunctionSummary[], refs: string[] = []): FileSummary {
  return { path, shown: path.slice(3), language: 'python', exports, reexports: [], refs };
}

describe('Python resolver', () => {
  it('places relative imports from the importing file\'s package, longest module first', () => {
    assert.deepEqual(files('.db.query', '/p/app/api/routes.py'), ['/p/app/api/db.py|/p/app/api/db/__init__.py :: query', '/p/app/api/__init__.py :: db.query']);
    assert.deepEqual(files('..services.users.find_user', '/p/app/api/routes.py')[0], '/p/app/services/users.py|/p/app/services/users/__init__.py :: find_user');
    assert.deepEqual(files('..services.users.UserStore.get', '/p/app/api/routes.py')[1], '/p/app/services/users.py|/p/app/services/users/__init__.py :: UserStore.get');
    assert.deepEqual(pythonResolver.module('.', '/p/app/api/routes.py'), { files: ['/p/app/api/__init__.py'] });
    assert.deepEqual(files('...x.f', '/a.py'), [], 'above the file system root');
  });

  it('places absolute imports under the project\'s source roots only; the standard library never links', () => {
    assert.deepEqual(files('app.core.config.load', '/p/app/api/routes.py'), []);
    assert.deepEqual(files('app.core.config.load', '/p/app/api/routes.py', ['/p', '/p/src'])[0], '/p/app/core/config.py|/p/app/core/config/__init__.py :: load');
    assert.equal(pythonResolver.mayLink('os.path.exists'), false);
    assert.equal(pythonResolver.mayLink('asyncio.sleep'), false);
    assert.equal(pythonResolver.mayLink('.db.query'), true);
    assert.equal(pythonResolver.mayLink('app.db.query'), true);
    assert.deepEqual(files('time.sleep', '/p/app/x.py', ['/p']), []);
  });

  it('the linker joins Python files through the resolver alone: a handler reaches a blocking helper two modules away', () => {
    const hop = (path: string, fnName: string, call: string) => ({ path, shown: path.slice(3), function: fnName, call, range });
    const summaries = [
      file('/p/app/api/routes.py', [fn('get_report', { isAsync: true, refs: [{ callee: '..services.reports.render', hops: [hop('/p/app/api/routes.py', 'get_report', 'render')], sync: false }] })], ['..services.reports.render']),
      file('/p/app/services/reports.py', [fn('render', { refs: [{ callee: 'app.templates.loader.read_template', hops: [hop('/p/app/services/reports.py', 'render', 'read_template')], sync: true }] })], ['app.templates.loader.read_template']),
      file('/p/app/templates/loader.py', [fn('read_template', { io: true, blocks: { hops: [hop('/p/app/templates/loader.py', 'read_template', 'open')], callee: 'open' } })]),
    ];
    const linker = new Linker(summaries, (p) => (p.endsWith('.py') ? pythonResolver : undefined), { pythonRoots: ['/p'] });
    const imports = linker.importsFor('/p/app/api/routes.py');
    const linked = imports['..services.reports.render'];
    assert.ok(linked?.blocks, JSON.stringify(imports));
    assert.deepEqual(linked.blocks.hops.map((h) => h.function), ['render', 'read_template']);
    // Without the source root the absolute import names nothing, and the chain stops at render.
    const alone = new Linker(summaries, (p) => (p.endsWith('.py') ? pythonResolver : undefined), {});
    assert.equal(alone.importsFor('/p/app/api/routes.py')['..services.reports.render'], undefined);
  });

  it('reads source roots from pyproject.toml, setup.py or setup.cfg, with src/', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ab-pyroots-'));
    try {
      mkdirSync(join(root, 'src', 'app'), { recursive: true });
      writeFileSync(join(root, 'pyproject.toml'), '[project]\nname = "app"\n');
      writeFileSync(join(root, 'src', 'app', 'main.py'), '');
      const layout = await readProjectLayout([join(root, 'src', 'app', 'main.py')]);
      assert.deepEqual(layout.pythonRoots, [root, join(root, 'src')]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
