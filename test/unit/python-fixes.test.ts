// Python fix builders beyond the fixtures: `threading.Lock` → `asyncio.Lock`, a dropped task kept in
// a set, `requests` → `httpx.AsyncClient` when the project depends on httpx, and the reasons given
// when each is refused. Every result is re-parsed and re-analysed.
import assert from 'node:assert/strict';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';
import type { FixResult } from '../../server/src/engine/language';
import { frontendForPath } from '../../server/src/languages';
import { pyprojectDependencies, requirementsDependencies } from '../../server/src/languages/python/manifest';

const PATH = 'app/service.py';

function fixesOf(text: string, rule: string, dependencies?: string[]): { result: FixResult; apply: (i?: number) => string } {
  const a = analyze({ path: PATH, text })!;
  const finding = a.findings.find((f) => f.rule === rule);
  assert.ok(finding, `no ${rule} finding in:\n${text}\n${a.findings.map((f) => f.rule).join(', ')}`);
  const result = fixesFor(a, finding, dependencies ? { dependencies: new Set(dependencies) } : {});
  return { result, apply: (i = 0) => applyEdits(text, result.fixes[i]!.edits) };
}

/** The fixed text parses and no longer has a finding of `rule`. */
function clean(after: string, rule: string): void {
  assert.equal(frontendForPath(PATH)!.syntaxErrors(after, PATH), 0, `does not parse:\n${after}`);
  const again = analyze({ path: PATH, text: after })!;
  assert.deepEqual(again.findings.filter((f) => f.rule === rule).map((f) => f.message), [], after);
}

describe('python fixes', () => {
  describe('threading.Lock used only from async code', () => {
    const cache = [
      'import threading',
      '',
      'import httpx',
      '',
      '',
      'class PriceCache:',
      '    def __init__(self):',
      '        self._lock = threading.Lock()',
      '        self._prices = {}',
      '        self._client = httpx.AsyncClient()',
      '',
      '    async def get(self, sku):',
      '        with self._lock:',
      '            if sku not in self._prices:',
      '                resp = await self._client.get(f"/prices/{sku}")',
      '                self._prices[sku] = resp.json()',
      '            return self._prices[sku]',
      '',
      '    async def clear(self):',
      '        with self._lock:',
      '            self._prices.clear()',
      '',
    ].join('\n');

    it('becomes an asyncio.Lock taken with async with, everywhere it is taken', () => {
      const { result, apply } = fixesOf(cache, 'await-holding-lock');
      assert.equal(result.fixes[0]!.safety, 'suggestion');
      const after = apply();
      assert.equal(
        after,
        cache
          .replace('import threading\n', 'import asyncio\nimport threading\n')
          .replace('self._lock = threading.Lock()', 'self._lock = asyncio.Lock()')
          .replace(/ {8}with self\._lock:/g, '        async with self._lock:'),
      );
      assert.equal(frontendForPath(PATH)!.syntaxErrors(after, PATH), 0);
      // The loop is no longer blocked; what is left is the async-lock finding (unrelated I/O under the lock), by the async-lock policy.
      const left = analyze({ path: PATH, text: after })!.findings.filter((f) => f.rule === 'await-holding-lock');
      assert.equal(left.length, 1);
      assert.doesNotMatch(left[0]!.message, /blocking lock/);
      assert.match(left[0]!.message, /\(I\/O\) while holding `self\._lock`/);
    });

    it('converts a module-level lock and its annotation', () => {
      const text = 'import asyncio\nimport threading\n\n_lock: threading.Lock = threading.Lock()\n\n\nasync def refresh(client):\n    with _lock:\n        await client.get("/x")\n';
      const after = fixesOf(text, 'await-holding-lock').apply();
      assert.match(after, /^_lock: asyncio\.Lock = asyncio\.Lock\(\)$/m);
      assert.match(after, /^ {4}async with _lock:$/m);
      assert.doesNotMatch(after, /import asyncio\nimport asyncio/);
      clean(after, 'await-holding-lock');
    });

    it('is refused when sync code also takes the lock, for an RLock, and for acquire()', () => {
      const shared = cache.replace('    async def clear(self):', '    def clear(self):');
      const r1 = fixesOf(shared, 'await-holding-lock').result;
      assert.equal(r1.fixes.length, 0);
      assert.match(r1.refused[0]!.reason, /sync code \(line 20\)/);
      const rlock = fixesOf(cache.replace('threading.Lock()', 'threading.RLock()'), 'await-holding-lock').result;
      assert.match(rlock.refused[0]!.reason, /re-entrant/);
      const acquire = cache.replace('            self._prices.clear()', '            self._prices.clear()\n        self._lock.acquire()\n        self._lock.release()');
      assert.match(fixesOf(acquire, 'await-holding-lock').result.refused[0]!.reason, /used elsewhere \(line 22/);
      const param = 'import threading\n\n\nasync def f(lock: threading.Lock, client):\n    with lock:\n        await client.get("/x")\n';
      assert.match(fixesOf(param, 'await-holding-lock').result.refused[0]!.reason, /not created in this file/);
    });
  });

  describe('a dropped create_task', () => {
    const handler = ['import asyncio', '', '', 'async def handle_publish(request):', '    event = await request.json()', '    asyncio.create_task(notify(request.app, event))', '    return {"status": "queued"}', '', '', 'async def notify(app, event):', '    await app["bus"].publish(event)', ''].join('\n');

    it('is kept in a module-level set the task leaves when done', () => {
      const after = fixesOf(handler, 'detached-task').apply();
      assert.equal(
        after,
        handler
          .replace('import asyncio\n', 'import asyncio\n\n# Tasks started and not awaited: the event loop keeps only weak references to them.\n_background_tasks: set = set()\n')
          .replace(
            '    asyncio.create_task(notify(request.app, event))',
            '    task = asyncio.create_task(notify(request.app, event))\n    _background_tasks.add(task)\n    task.add_done_callback(_background_tasks.discard)',
          ),
      );
      clean(after, 'detached-task');
    });

    it('reuses an existing set and a local never read, and picks a free name', () => {
      const text = 'import asyncio\n\n_background_tasks: set = set()\n\n\nasync def f(task):\n    t = asyncio.ensure_future(task)\n\n\nasync def g(task):\n    asyncio.create_task(task)\n';
      const after = fixesOf(text, 'detached-task').apply();
      assert.match(after, /^ {4}t = asyncio\.ensure_future\(task\)\n {4}_background_tasks\.add\(t\)\n {4}t\.add_done_callback\(_background_tasks\.discard\)$/m);
      assert.equal(after.match(/_background_tasks: set = set\(\)/g)!.length, 1);
      const a = analyze({ path: PATH, text: after })!;
      const second = a.findings.find((f) => f.rule === 'detached-task')!;
      const next = applyEdits(after, fixesFor(a, second, {}).fixes[0]!.edits);
      assert.match(next, /bg_task = asyncio\.create_task\(task\)/);
      clean(next, 'detached-task');
    });

    it('is refused in a one-line body', () => {
      const text = 'import asyncio\n\n\ndef on_signal(loop: asyncio.AbstractEventLoop):\n    if True: loop.create_task(stop())\n';
      assert.match(fixesOf(text, 'detached-task').result.refused[0]!.reason, /shares its line|statement of its own/);
    });
  });

  describe('requests in async code, when the project depends on httpx', () => {
    const view = ['import requests', '', '', 'async def product(sku):', '    resp = requests.get(f"https://pricing/{sku}", timeout=5)', '    resp.raise_for_status()', '    return resp.json()', ''].join('\n');

    it('runs the call on an httpx.AsyncClient, following redirects as requests does', () => {
      const { result, apply } = fixesOf(view, 'blocking-in-async', ['httpx', 'fastapi']);
      assert.equal(result.fixes[0]!.title, 'Use `httpx.AsyncClient` (the project depends on httpx)');
      const after = apply();
      assert.equal(
        after,
        view
          .replace('import requests\n', 'import httpx\nimport requests\n')
          .replace(
            '    resp = requests.get(f"https://pricing/{sku}", timeout=5)',
            '    async with httpx.AsyncClient(follow_redirects=True) as client:\n        resp = await client.get(f"https://pricing/{sku}", timeout=5)',
          ),
      );
      clean(after, 'blocking-in-async');
      // The thread offload stays on offer after it.
      assert.match(result.fixes[1]!.title, /asyncio\.to_thread/);
    });

    it('is not offered without httpx in the project', () => {
      const { result } = fixesOf(view, 'blocking-in-async', ['requests']);
      assert.ok(result.fixes.every((f) => !/httpx/.test(f.title)));
      assert.ok(fixesOf(view, 'blocking-in-async').result.fixes.every((f) => !/httpx/.test(f.title)));
    });

    it('rewrites a returned call, and refuses keywords httpx reads differently', () => {
      const ret = 'import requests\n\n\nasync def post(payload):\n    return requests.post("https://hooks/x", json=payload)\n';
      const after = fixesOf(ret, 'blocking-in-async', ['httpx']).apply();
      assert.match(after, /async with httpx\.AsyncClient\(follow_redirects=True\) as client:\n {8}return await client\.post\("https:\/\/hooks\/x", json=payload\)/);
      clean(after, 'blocking-in-async');
      const verify = view.replace('timeout=5', 'timeout=5, verify=False');
      const r = fixesOf(verify, 'blocking-in-async', ['httpx']).result;
      assert.match(r.refused.map((x) => x.reason).join('\n'), /`verify=` means something else to httpx/);
      const nested = 'import requests\n\n\nasync def f(u):\n    return len(requests.get(u).content)\n';
      assert.match(fixesOf(nested, 'blocking-in-async', ['httpx']).result.refused.map((x) => x.reason).join('\n'), /larger expression/);
    });
  });

  describe('manifests', () => {
    it('reads PEP 621 and Poetry dependencies from pyproject.toml', () => {
      const pep621 = '[project]\nname = "svc"\ndependencies = [\n  "fastapi>=0.100",\n  "HTTPX[http2] >=0.23",  # the client\n]\n[project.optional-dependencies]\ntest = ["pytest-asyncio"]\n[tool.ruff]\nline-length = 100\n';
      assert.deepEqual([...pyprojectDependencies(pep621)].sort(), ['fastapi', 'httpx', 'pytest-asyncio']);
      const poetry = '[tool.poetry.dependencies]\npython = "^3.11"\nhttpx = "^0.27"\n[tool.poetry.group.dev.dependencies]\nRuff = "*"\n';
      assert.deepEqual([...pyprojectDependencies(poetry)].sort(), ['httpx', 'ruff']);
    });

    it('reads requirements files, skipping options and URLs', () => {
      const req = '# pinned\n-r base.txt\nhttpx==0.27.0 --hash=sha256:abc\nuvicorn[standard]>=0.22\ngit+https://github.com/x/y\nSome_Package\n';
      assert.deepEqual([...requirementsDependencies(req)].sort(), ['httpx', 'some-package', 'uvicorn']);
    });
  });
});
