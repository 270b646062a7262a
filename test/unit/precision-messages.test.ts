// What findings say about calls whose first wording was wrong on real code (issue 9, section 2):
// every API named exists with the shape used, and one expression gives one finding.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';
import { amplifierHover } from '../../server/src/lsp/hover';

function findings(path: string, lines: string[]): { line: number; message: string }[] {
  const text = lines.join('\n');
  const a = analyze({ path, text });
  assert.ok(a, `${path} is analysed`);
  return a.findings.map((f) => ({ line: text.slice(0, f.span.start).split('\n').length, message: f.message }));
}

/** {@link findings} with each finding's related notes, by line. */
function findingsWithRelated(path: string, lines: string[]): { line: number; message: string; related: { line: number; message: string }[] }[] {
  const text = lines.join('\n');
  const a = analyze({ path, text });
  assert.ok(a, `${path} is analysed`);
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  return a.findings.map((f) => ({ line: lineOf(f.span.start), message: f.message, related: (f.related ?? []).map((r) => ({ line: lineOf(r.span.start), message: r.message })) }));
}

describe('messages: the advice names what exists', () => {
  it('fd-based fs calls point at a FileHandle, not a missing fs.promises twin', () => {
    const f = findings('a.js', [
      "const fs = require('fs');",
      'async function size(p) {',
      "  const fd = fs.openSync(p, 'r');",
      '  const s = fs.fstatSync(fd).size;',
      '  fs.closeSync(fd);',
      '  return s;',
      '}',
    ]);
    assert.deepEqual(f.map((x) => x.message.replace(/^.*?: /, '')), [
      'use `await fs.promises.open` instead',
      "open the file with `await fs.promises.open(…)` and use the `FileHandle`'s `stat()`",
      "open the file with `await fs.promises.open(…)` and use the `FileHandle`'s `close()`",
    ]);
    assert.ok(!f.some((x) => /fs\.promises\.(fstat|close)\b/.test(x.message)));
  });

  it('spawnSync is not advised as `await child_process.spawn`', () => {
    const [f] = findings('a.mjs', ["import { spawnSync } from 'node:child_process';", "export async function run() { spawnSync('make'); }"]);
    assert.match(f!.message, /use `child_process\.spawn` and `await events\.once\(child, 'close'\)`$/);
  });

  it('nested blocking calls on one line give one finding naming both', () => {
    const f = findings('a.js', ["const fs = require('fs');", "exports.touch = async (p) => { fs.closeSync(fs.openSync(p, 'w')); };"]);
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /^`fs\.closeSync` and `fs\.openSync` block the event loop in `exports\.touch`|^`fs\.closeSync` and `fs\.openSync` block the event loop/);
    assert.match(f[0]!.message, /; for `fs\.openSync`, use `await fs\.promises\.open` instead$/);
  });

  it('bcryptjs is offloaded to a worker, not awaited on the loop; native bcrypt awaits its thread-pool twin', () => {
    const f = findings('a.js', [
      "const bcryptjs = require('bcryptjs');",
      "const bcrypt = require('bcrypt');",
      'async function login(p, h) { return bcryptjs.compareSync(p, h) && bcrypt.compareSync(p, h); }',
    ]);
    assert.deepEqual(f.map((x) => x.message.replace(/^.*?: /, '')), [
      'move it to a worker thread (`bcryptjs.compare` still computes on the event loop, in slices)',
      'use `await bcrypt.compare` instead',
    ]);
  });
});

describe('messages: locks say what actually happens', () => {
  it('a RefCell borrow across an await panics on a conflicting borrow; it blocks no thread', () => {
    const f = findings('a.rs', ['use std::cell::RefCell;', 'async fn f(c: &RefCell<Vec<u8>>) {', '    let b = c.borrow_mut();', '    tokio::task::yield_now().await;', '    b.len();', '}']);
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /^`await` while `c` is borrowed: a conflicting `borrow` or `borrow_mut` made while this task is suspended panics/);
    assert.doesNotMatch(f[0]!.message, /blocks its thread/);
  });

  it('a sleep under an async lock holds the lock for the sleep; it is not called I/O', () => {
    const f = findings('a.rs', [
      'async fn f(m: &tokio::sync::Mutex<u32>) {',
      '    let g = m.lock().await;',
      '    tokio::time::sleep(std::time::Duration::from_millis(5)).await;',
      '    drop(g);',
      '}',
    ]);
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /the lock is held for the whole sleep/);
    assert.doesNotMatch(f[0]!.message, /I\/O/);
  });
});

describe('messages: Python calls are quoted as written', () => {
  it('a chain note keeps the spaces inside a string literal and between words', () => {
    const f = findings('shop.py', [
      'import sqlite3',
      '',
      '',
      'def load_products(conn: sqlite3.Connection):',
      '    return conn.execute(',
      '        "SELECT id, name, price   FROM products", ()',
      '    ).fetchall()',
      '',
      '',
      'async def products(request):',
      '    return load_products(request.app["db"])',
    ]);
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /calls `conn\.execute\("SELECT id, name, price FROM products",\(\)\)\.fetchall`/);
  });
});

describe('severity: cheap blocking calls are quieter', () => {
  // Modelled on Mealie's `Recipe._get_dir` (`dir.mkdir(exist_ok=True, parents=True)`), reached from
  // its image routes on every request.
  const text = [
    'import os',
    'from pathlib import Path',
    '',
    'RECIPE_DATA_DIR = Path("/app/data/recipes")',
    '',
    '',
    'class Recipe:',
    '    @staticmethod',
    '    def _get_dir(dir: Path) -> Path:',
    '        dir.mkdir(exist_ok=True, parents=True)',
    '        return dir',
    '',
    '    @classmethod',
    '    def directory_from_id(cls, recipe_id: str) -> Path:',
    '        return cls._get_dir(RECIPE_DATA_DIR.joinpath(recipe_id))',
    '',
    '',
    'async def get_recipe_img(recipe_id: str):',
    '    return Recipe.directory_from_id(recipe_id) / "images"',
    '',
    '',
    'async def make_upload_dir(user: str):',
    '    os.makedirs(f"/app/uploads/{user}", exist_ok=True)',
    '',
    '',
    'async def make_backup_dir(stamp: str):',
    '    Path(f"/app/backups/{stamp}").mkdir(parents=True)',
  ].join('\n');

  it('mkdir(exist_ok=True) is reported as a hint, with the reason, directly and through helpers', () => {
    const a = analyze({ path: 'recipe.py', text });
    assert.ok(a);
    const got = a.findings.map((f) => ({ line: text.slice(0, f.span.start).split('\n').length, severity: f.severity, cheap: /exist_ok=True` it is one metadata system call/.test(f.message) }));
    assert.deepEqual(got, [
      { line: 19, severity: 'hint', cheap: true },
      { line: 23, severity: 'hint', cheap: true },
      { line: 27, severity: 'warning', cheap: false },
    ]);
  });

  it('a helper that makes its folder and then reads a file is named for the read, at warning', () => {
    const f = analyze({
      path: 'index.py',
      text: [
        'from pathlib import Path',
        '',
        '',
        'def prepare(dir: Path) -> str:',
        '    dir.mkdir(parents=True, exist_ok=True)',
        '    with open(dir / "index.json") as fh:',
        '        return fh.read()',
        '',
        '',
        'async def index(request):',
        '    return prepare(Path("/srv/site"))',
      ].join('\n'),
    })!.findings;
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /`prepare` calls `open`/);
  });

  it('a lone stat is reported as a hint, which the CLI leaves out by default; a folder listing or a stat per item keeps the rule severity', () => {
    // Modelled on jupyter-server's AsyncFileContentsManager: an isfile check on the loop, the read offloaded.
    const text = [
      'import os',
      '',
      'from anyio.to_thread import run_sync',
      '',
      '',
      'class AsyncFileContentsManager:',
      '    async def get(self, os_path):',
      '        if not os.path.isfile(os_path):',
      '            raise FileNotFoundError(os_path)',
      '        return await run_sync(self._read_file, os_path)',
      '',
      '    async def list_dir(self, os_path):',
      '        return os.listdir(os_path)',
      '',
      '    async def sizes(self, paths):',
      '        return [os.path.getsize(p) for p in paths]',
      '',
      '    # jupyter-server\'s kernelspec_model: two named resource files, not a collection.',
      '    async def resources(self, d):',
      '        for r in ["kernel.js", "kernel.css"]:',
      '            if os.path.exists(os.path.join(d, r)):',
      '                return r',
      '',
      '    # mitmproxy\'s script watcher: one stat a second, a poll, not a stat per item.',
      '    async def watcher(self, path):',
      '        while True:',
      '            mtime = os.stat(path).st_mtime',
      '            await asyncio.sleep(1)',
    ].join('\n');
    const f = analyze({ path: 'filemanager.py', text })!.findings;
    assert.deepEqual(f.map((x) => [text.slice(0, x.span.start).split('\n').length, x.severity]), [[8, 'hint'], [13, 'warning'], [16, 'warning'], [21, 'hint'], [27, 'hint']]);
    assert.match(f[0]!.message, /one metadata system call \(a `stat`\)/);
  });

  it('a helper that checks named files and globs a folder is named for the glob, at warning', () => {
    // Modelled on jupyter-server's kernelspec_model, called by GET /api/kernelspecs/<name>.
    const text = [
      'import glob',
      'import os',
      '',
      '',
      'def kernelspec_model(name, resource_dir):',
      '    d = {"name": name, "resources": {}}',
      '    for resource in ["kernel.js", "kernel.css"]:',
      '        if os.path.exists(os.path.join(resource_dir, resource)):',
      '            d["resources"][resource] = resource',
      '    for logo_file in glob.glob(os.path.join(resource_dir, "logo-*")):',
      '        d["resources"][os.path.basename(logo_file)] = logo_file',
      '    return d',
      '',
      '',
      'class KernelSpecHandler:',
      '    async def get(self, kernel_name):',
      '        spec = await self.kernel_spec_manager.get_kernel_spec(kernel_name)',
      '        self.finish(kernelspec_model(kernel_name, spec.resource_dir))',
    ].join('\n');
    const f = analyze({ path: 'handlers.py', text })!.findings;
    assert.deepEqual(f.map((x) => [text.slice(0, x.span.start).split('\n').length, x.severity]), [[18, 'warning']]);
    assert.match(f[0]!.message, /`kernelspec_model` calls `glob\.glob`/);
  });

  it('TS/JS: a lone existsSync/statSync/accessSync is a hint like Python\'s os.path.exists; a read keeps the rule severity', () => {
    // Modelled on Node-RED's editor API (`existsSync` of a flow file before a deploy) and Actual's
    // `/info` route (walks up with `existsSync`, then reads package.json with `readFileSync`).
    const text = [
      "const fs = require('fs');",
      "const fse = require('fs-extra');",
      '',
      'async function deploy(req, res) {',
      '  if (!fs.existsSync(flowFile)) return res.status(404).end();',
      '  const st = fs.statSync(flowFile);',
      "  fs.accessSync(keyFile, fs.constants.R_OK);",
      '  if (fse.pathExistsSync(backup)) res.set("x-backup", "1");',
      '  res.json({ size: st.size });',
      '}',
      '',
      'function findPackageJson(dir) {',
      "  while (!fs.existsSync(dir + '/package.json')) dir = dir + '/..';",
      "  return JSON.parse(fs.readFileSync(dir + '/package.json', 'utf8'));",
      '}',
      '',
      'async function info(req, res) {',
      '  res.json(findPackageJson(__dirname));',
      '}',
      '',
      '// Node-RED\'s listProjects: an lstatSync per entry of a folder listing is not one call.',
      'async function listProjects(dir) {',
      '  const fns = await fs.promises.readdir(dir);',
      '  return fns.filter((fn) => fs.lstatSync(dir + "/" + fn).isDirectory());',
      '}',
    ].join('\n');
    const f = analyze({ path: 'api.js', text })!.findings;
    assert.deepEqual(f.map((x) => [text.slice(0, x.span.start).split('\n').length, x.severity]), [[5, 'hint'], [6, 'hint'], [7, 'hint'], [8, 'hint'], [18, 'warning'], [24, 'warning']]);
    assert.match(f[0]!.message, /a hint: one metadata system call \(a `stat`\)/);
    assert.match(f[4]!.message, /readFileSync/);
  });
});

describe('messages: a dropped task that only sleeps', () => {
  it('says the loop keeps it alive and nothing can cancel it, not that it may be collected', () => {
    // Modelled on an in-memory cache whose `cache_set` starts `timeout(key, second)` per entry,
    // and on mitmproxy's KeepServing, whose `running` event starts its 0.1 s watcher once.
    const f = findings('cache.py', [
      'import asyncio',
      '',
      'cache_data = {}',
      '',
      '',
      'async def timeout(key, second):',
      '    await asyncio.sleep(second)',
      '    cache_data.pop(key, None)',
      '',
      '',
      'def cache_set(key, value, second=600):',
      '    cache_data[key] = value',
      '    asyncio.create_task(timeout(key, second))',
      '',
      '',
      'class KeepServing:',
      '    async def watch(self):',
      '        while True:',
      '            await asyncio.sleep(0.1)',
      '',
      '    def running(self):',
      '        asyncio.get_running_loop().create_task(self.watch())',
    ]);
    assert.deepEqual(f.map((x) => x.line), [13]);
    assert.match(f[0]!.message, /only sleeps, so the loop's timer keeps it alive, but nothing can cancel it/);
    assert.doesNotMatch(f[0]!.message, /garbage-collected/);
  });

  it('says a `while True` sleeper never ends, and excuses one started from an async start-up hook', () => {
    // Modelled on a token bucket whose constructor starts its refill loop (reported: one per bucket,
    // for ever) and on a mitmproxy addon whose `async def running` starts its one idle sweep.
    const f = findings('bucket.py', [
      'import asyncio',
      '',
      '',
      'class TokenBucket:',
      '    def __init__(self, rate):',
      '        self.rate = rate',
      '        self.tokens = 0',
      '        asyncio.get_running_loop().create_task(self._refill())',
      '',
      '    async def _refill(self):',
      '        while True:',
      '            await asyncio.sleep(1 / self.rate)',
      '            self.tokens += 1',
      '',
      '',
      'class IdleReaper:',
      '    async def reap(self):',
      '        while True:',
      '            await asyncio.sleep(30)',
      '',
      '    async def running(self):',
      '        asyncio.create_task(self.reap())',
    ]);
    assert.deepEqual(f.map((x) => x.line), [8]);
    assert.match(f[0]!.message, /sleeps in a `while True` loop, so the loop's timer keeps it alive, but nothing can cancel it/);
    assert.doesNotMatch(f[0]!.message, /runs out its delay|expiry/);
  });

  it('says a sleeper never ends when it loops in `while 1:`, or inside the `try:` or `with` around its loop', () => {
    // The fixture's loops: `while True` and `while 1` as the body's statement, in `try:` with an
    // `except` or a `finally`, and in `with contextlib.suppress(asyncio.CancelledError):`.
    const file = join(__dirname, '..', 'fixtures', 'python', 'detached-task', 'invalid-endless-sleepers.py');
    const f = findings('sleepers.py', readFileSync(file, 'utf8').split('\n'));
    assert.equal(f.length, 6);
    for (const x of f) assert.match(x.message, /sleeps in a `while (?:True|1)` loop, so the loop's timer keeps it alive, but nothing can cancel it/, `line ${x.line}`);
    // The loop as the code writes it: the two `while 1:` workers are not said to loop in `while True`.
    assert.deepEqual(
      f.map((x) => /sleeps in a `(while \w+)` loop/.exec(x.message)?.[1]),
      ['while True', 'while True', 'while 1', 'while True', 'while 1', 'while True'],
    );
    // The hover names it the same way.
    const text = readFileSync(file, 'utf8');
    const a = analyze({ path: 'sleepers.py', text })!;
    const hovers = a.findings.filter((x) => x.rule === 'detached-task').map((x) => (amplifierHover(a, x.span.start + 1)?.contents as { value: string } | undefined)?.value ?? 'no hover');
    assert.deepEqual(
      hovers.map((h) => /sleeps in a `(while \w+)` loop: the loop keeps it alive/.exec(h)?.[1] ?? h),
      ['while True', 'while True', 'while 1', 'while True', 'while 1', 'while True'],
    );
  });

  it('says a sleeper ends when its endless loop may not start or is left: under an `if`, in a nested function, a `break` in the `try:`', () => {
    const spawned = (body: string[]): string[] => [
      'import asyncio',
      '',
      '',
      'class Poller:',
      '    def __init__(self, enabled):',
      '        self.enabled = enabled',
      '        asyncio.create_task(self._poll())',
      '',
      '    async def _poll(self):',
      ...body.map((l) => `        ${l}`),
    ];
    for (const body of [
      ['if self.enabled:', '    while 1:', '        await asyncio.sleep(1)'],
      ['async def tick():', '    while True:', '        await asyncio.sleep(1)', 'await asyncio.sleep(1)'],
      ['try:', '    while 1:', '        await asyncio.sleep(1)', '        if not self.enabled:', '            break', 'finally:', '    self.enabled = False'],
      ['while 0:', '    await asyncio.sleep(1)'],
    ]) {
      const f = findings('poller.py', spawned(body));
      assert.deepEqual(f.map((x) => x.line), [7], body.join(' / '));
      assert.match(f[0]!.message, /only sleeps, so the loop's timer keeps it alive/, body.join(' / '));
    }
  });

  it('a loop in `async with` also waits on what the `async with` enters: not a sleeper', () => {
    const f = findings('pool.py', [
      'import asyncio',
      '',
      '',
      'class Refresher:',
      '    def __init__(self, lock):',
      '        self.lock = lock',
      '        asyncio.create_task(self._refresh())',
      '',
      '    async def _refresh(self):',
      '        async with self.lock:',
      '            while True:',
      '                await asyncio.sleep(60)',
    ]);
    assert.deepEqual(f.map((x) => x.line), [7]);
    assert.match(f[0]!.message, /garbage-collected/);
  });
});

describe('messages: a Go helper that hands its caller the lock back', () => {
  // Modelled on the review's flushLate (nats-server's "Lock should be held" convention): the
  // helper backs off with the lock released, takes it again and goes on.
  const helper = (after: string[]): string[] => [
    'package late',
    '',
    'import (',
    '\t"net"',
    '\t"sync"',
    '\t"time"',
    ')',
    '',
    'type client struct {',
    '\tmu      sync.Mutex',
    '\tnc      net.Conn',
    '\tout     [][]byte',
    '\tkick    chan int',
    '\twriters sync.WaitGroup',
    '}',
    '',
    'func (c *client) flushLate() {',
    '\tc.mu.Unlock()',
    '\ttime.Sleep(time.Millisecond)',
    '\tc.mu.Lock()',
    ...after,
    '}',
    '',
    'func (c *client) drain() {',
    '\tc.mu.Lock()',
    '\tc.flushLate()',
    '\tc.mu.Unlock()',
    '}',
  ];

  it('does not hold the caller to the wait between the Unlock and the relock', () => {
    // A write on the connection beside the mutex after the relock is what the mutex serialises.
    assert.deepEqual(findings('late.go', helper(['\tc.nc.Write(c.out[0])'])), []);
  });

  it('reports a wait after the relock once, in the helper, with the call that gets the lock back beside it', () => {
    const lines = helper(['\tc.nc.Write(c.out[0])', '\tc.writers.Wait()']);
    const f = findingsWithRelated('late.go', lines);
    assert.deepEqual(f.map((x) => x.line), [lines.indexOf('\tc.writers.Wait()') + 1]);
    assert.match(f[0]!.message, /^`c\.mu` is held across `c\.writers\.Wait`: .*; move it before `c\.mu\.Lock\(\)` takes the lock again to hand it back, or to the caller after it unlocks$/);
    assert.deepEqual(
      f[0]!.related.map((r) => [r.line, r.message]),
      [
        [lines.indexOf('\tc.mu.Lock()') + 1, '`c.mu` is acquired here'],
        [lines.indexOf('\tc.flushLate()') + 1, '`c.flushLate` is called here with `c.mu` held and returns it held'],
      ],
    );
  });

  it('names the wait the helper makes before it releases the lock, at the call, and shows it', () => {
    // sendLeafConnect's shape: a branch that never unlocks reads a file with the caller's lock held.
    const lines = helper(['\tc.nc.Write(c.out[0])']);
    lines.splice(lines.indexOf('\tc.mu.Unlock()'), 0, '\tif len(c.out) == 0 {', '\t\t<-c.kick', '\t\treturn', '\t}');
    const f = findingsWithRelated('late.go', lines);
    assert.deepEqual(f.map((x) => x.line), [lines.indexOf('\tc.flushLate()') + 1]);
    assert.match(f[0]!.message, /^`c\.mu` is held across `c\.flushLate`, which parks on a receive from `c\.kick`/);
    assert.doesNotMatch(f[0]!.message, /time\.Sleep/);
    assert.deepEqual(f[0]!.related.slice(-2), [
      { line: lines.indexOf('\t\t<-c.kick') + 1, message: 'it parks here with `c.mu` still held' },
      { line: lines.indexOf('\tc.mu.Unlock()') + 1, message: '`c.flushLate` unlocks `c.mu` here: called without it, this unlock crashes the program (`sync: unlock of unlocked mutex`)' },
    ]);
  });

  it('advises releasing the lock inside the helper around that wait, as the refused lock fix says (not unlocking before the call)', () => {
    // The call must hold c.mu (the helper's first Unlock() would crash the program): neither an
    // unlock before the call nor a move out of the locked section is advice, and no fix is offered.
    const lines = helper(['\tc.nc.Write(c.out[0])']);
    lines.splice(lines.indexOf('\tc.mu.Unlock()'), 0, '\t<-c.kick');
    const f = findingsWithRelated('late.go', lines);
    assert.deepEqual(f.map((x) => x.line), [lines.indexOf('\tc.flushLate()') + 1]);
    assert.equal(
      f[0]!.message,
      '`c.mu` is held across `c.flushLate`, which parks on a receive from `c.kick`: every goroutine that needs it waits until a value arrives; ' +
        '`c.flushLate` unlocks `c.mu` itself, so the call must hold it: release it inside `c.flushLate` around that wait',
    );
    assert.deepEqual(f[0]!.related.at(-1), { line: lines.indexOf('\tc.mu.Unlock()') + 1, message: '`c.flushLate` unlocks `c.mu` here: called without it, this unlock crashes the program (`sync: unlock of unlocked mutex`)' });
    const a = analyze({ path: 'late.go', text: lines.join('\n') })!;
    const fix = fixesFor(a, a.findings[0]!);
    assert.deepEqual(fix.fixes, []);
    assert.deepEqual(fix.refused.map((r) => r.reason), [
      '`c.flushLate` unlocks `c.mu` itself, so the call must hold it: released before the call or moved out of the locked section, that unlock crashes the program (`sync: unlock of unlocked mutex`); release it inside `c.flushLate` around that wait',
    ]);
  });

  it('maps a lock handed through a parameter to the caller\'s (nats-server\'s fs.removeMsgBlock(mb) in a purge loop)', () => {
    // filestore.go's PurgeEx shape: fs.mu, then each block's mb.mu, a branch that unlocks mb.mu and
    // goes on, and removeMsgBlock, "Lock should be held", which closes the block's file with mb.mu
    // held and unlocks it around newMsgBlockForWrite. The advice named neither lock before.
    const lines = [
      'package store', '', 'import (', '\t"os"', '\t"sync"', ')', '',
      'type msgBlock struct {', '\tmu   sync.Mutex', '\tmfd  *os.File', '\tmsgs uint64', '}', '',
      'type fileStore struct {', '\tmu   sync.Mutex', '\tblks []*msgBlock', '\tlmb  *msgBlock', '}', '',
      '// Lock should be held.', 'func (fs *fileStore) removeMsgBlock(mb *msgBlock) {', '\tmb.mfd.Close()', '\tif mb == fs.lmb {', '\t\tmb.mu.Unlock()', '\t\tfs.newMsgBlockForWrite()', '\t\tmb.mu.Lock()', '\t}', '}', '',
      'func (fs *fileStore) newMsgBlockForWrite() {}', '',
      'func (fs *fileStore) purge() {', '\tfs.mu.Lock()', '\tfor _, mb := range fs.blks {', '\t\tmb.mu.Lock()', '\t\tif mb.msgs > 0 {', '\t\t\tmb.mu.Unlock()', '\t\t\tcontinue', '\t\t}', '\t\tfs.removeMsgBlock(mb)', '\t\tmb.mu.Unlock()', '\t}', '\tfs.mu.Unlock()', '}',
    ];
    const a = analyze({ path: 'store.go', text: lines.join('\n') })!;
    const byLock = (lock: string) => a.findings.find((f) => f.message.startsWith(`\`${lock}\``))!;
    assert.match(byLock('mb.mu').message, /; `fs\.removeMsgBlock` unlocks `mb\.mu` itself, so the call must hold it: release it inside `fs\.removeMsgBlock` around that wait$/);
    assert.match(byLock('fs.mu').message, /; `fs\.removeMsgBlock` must be called with `mb\.mu` held, which is taken after `fs\.mu` here: release `fs\.mu` before `mb\.mu` is taken, if nothing after needs it$/);
    for (const lock of ['mb.mu', 'fs.mu']) assert.deepEqual(fixesFor(a, byLock(lock)).fixes, []);
  });

  describe('a peer\'s helper, called under the caller\'s own lock', () => {
    // nats-server's flushClients shape (cp.mu.Lock(); cp.flushOutbound(); cp.mu.Unlock()) from a
    // client that holds its own c.mu: the helper hands back c.peer.mu, never c.mu.
    const peer = (body: string[]): string[] => {
      const lines = helper(['\tc.nc.Write(c.out[0])']);
      lines.splice(lines.indexOf('\tc.mu.Unlock()'), 0, '\t<-c.kick');
      lines.splice(lines.indexOf('\twriters sync.WaitGroup'), 0, '\tpeer    *client');
      return [...lines, '', 'func (c *client) forward() {', ...body, '}'];
    };
    const at = (lines: string[], lock: string) => {
      const a = analyze({ path: 'late.go', text: lines.join('\n') })!;
      const call = lines.join('\n').lastIndexOf('flushLate()');
      const finding = a.findings.find((x) => x.span.end > call && x.span.start <= call && x.message.startsWith(`\`${lock}\``));
      assert.ok(finding, `no finding for ${lock}: ${a.findings.map((x) => x.message).join('\n')}`);
      return { message: finding.message, fix: fixesFor(a, finding) };
    };

    it('says the peer\'s lock is taken after the caller\'s, and why the caller\'s cannot be released around the call', () => {
      const lines = peer(['\tc.mu.Lock()', '\tc.peer.mu.Lock()', '\tc.peer.flushLate()', '\tc.peer.mu.Unlock()', '\tc.mu.Unlock()']);
      const own = at(lines, 'c.mu');
      assert.match(own.message, /; `c\.peer\.flushLate` must be called with `c\.peer\.mu` held, which is taken after `c\.mu` here: release `c\.mu` before `c\.peer\.mu` is taken, if nothing after needs it$/);
      assert.deepEqual(own.fix.fixes, []);
      assert.deepEqual(own.fix.refused.map((r) => r.reason), [
        '`c.peer.flushLate` must be called with `c.peer.mu` held, which is taken after `c.mu` here: releasing and retaking `c.mu` around the call, under `c.peer.mu`, reverses the order the two locks are taken in (a deadlock with any goroutine that takes them in order); release `c.mu` before `c.peer.mu` is taken, if nothing after needs it',
      ]);
      // The peer's lock is the one the helper unlocks: the call must hold it, said in the caller's terms.
      const theirs = at(lines, 'c.peer.mu');
      assert.match(theirs.message, /; `c\.peer\.flushLate` unlocks `c\.peer\.mu` itself, so the call must hold it: release it inside `c\.peer\.flushLate` around that wait$/);
      assert.match(theirs.fix.refused[0]!.reason, /^`c\.peer\.flushLate` unlocks `c\.peer\.mu` itself, so the call must hold it/);
    });

    it('says the helper\'s lock may be the caller\'s when the caller does not lock it under that name', () => {
      // p := c.peer: the helper unlocks c.peer.mu, which is p.mu, but nothing here says so.
      const lines = peer(['\tp := c.peer', '\tp.mu.Lock()', '\tc.peer.flushLate()', '\tp.mu.Unlock()']);
      const alias = at(lines, 'p.mu');
      assert.match(alias.message, /; `c\.peer\.flushLate` unlocks `c\.peer\.mu` itself, which this function does not lock under that name and may be `p\.mu`: then the call must hold it; release it inside `c\.peer\.flushLate` around that wait$/);
      assert.deepEqual(alias.fix.fixes, []);
      assert.deepEqual(alias.fix.refused.map((r) => r.reason), [
        '`c.peer.flushLate` unlocks `c.peer.mu` itself, which this function does not lock under that name and may be `p.mu`: if it is, releasing `p.mu` before the call makes that unlock crash the program (`sync: unlock of unlocked mutex`); release it inside `c.peer.flushLate` around that wait',
      ]);
    });

    it('releases the caller\'s lock around the call when the peer\'s was taken first (the order stays), and moves nothing past the peer\'s Unlock', () => {
      const lines = peer(['\tc.peer.mu.Lock()', '\tc.mu.Lock()', '\tc.peer.flushLate()', '\tc.peer.mu.Unlock()', '\tc.mu.Unlock()']);
      const own = at(lines, 'c.mu');
      assert.match(own.message, /; unlock before it, or move it out of the locked section$/);
      assert.deepEqual(own.fix.refused, []);
      assert.deepEqual(own.fix.fixes.map((x) => x.title), ['Unlock `c.mu` around `c.peer.flushLate`, which parks on a receive from `c.kick` and lock it again after (what was read under the lock may change meanwhile)']);
    });
  });
});

describe('messages: a Go call deferred under an earlier deferred Unlock', () => {
  // The review's d1.go: `s.b`'s section is unlocked before the return, `s.a`'s by the Unlock
  // deferred first, so `s.notify` (which locks `s.a`) runs at return with `s.a` still held.
  const lines = [
    'package store',
    '',
    'import "sync"',
    '',
    'type S struct {',
    '\ta, b sync.Mutex',
    '\tn    int',
    '}',
    '',
    'func (s *S) notify() {',
    '\ts.a.Lock()',
    '\ts.n++',
    '\ts.a.Unlock()',
    '}',
    '',
    'func (s *S) both() {',
    '\ts.a.Lock()',
    '\tdefer s.a.Unlock()',
    '\ts.b.Lock()',
    '\tdefer s.notify()',
    '\ts.n++',
    '\ts.b.Unlock()',
    '}',
  ];

  it('names the lock still held at return, says the call runs then, and advises registering the defer first', () => {
    const f = findings('d1.go', lines);
    assert.deepEqual(f.map((x) => x.line), [20]);
    assert.equal(
      f[0]!.message,
      '`s.notify` runs when the function returns, before the deferred `Unlock()` registered earlier, and locks `s.a` again while it is still held, which deadlocks: `sync` mutexes are not reentrant; register this `defer` before the deferred `Unlock()` of `s.a` (defers run last in, first out), or unlock explicitly instead of deferring it',
    );
  });

  it('offers the fix the message advises: the defer moves above `defer s.a.Unlock()`', () => {
    const text = lines.join('\n');
    const a = analyze({ path: 'd1.go', text })!;
    const fix = fixesFor(a, a.findings[0]!);
    assert.deepEqual(fix.fixes.map((x) => x.title), ['Register the `defer` before the deferred `Unlock()` of `s.a`: it then runs after the unlock (defers run last in, first out)']);
    const after = applyEdits(text, fix.fixes[0]!.edits).split('\n');
    assert.deepEqual(after.slice(16, 20), ['\ts.a.Lock()', '\tdefer s.notify()', '\tdefer s.a.Unlock()', '\ts.b.Lock()']);
    assert.deepEqual(analyze({ path: 'd1.go', text: after.join('\n') })!.findings, []);
  });

  it('refuses to move a defer past a return, or past the declaration of what it evaluates', () => {
    const early = [...lines.slice(0, 19), '\tif s.n > 0 {', '\t\ts.b.Unlock()', '\t\treturn', '\t}', ...lines.slice(19)];
    const a = analyze({ path: 'd1.go', text: early.join('\n') })!;
    assert.match(fixesFor(a, a.findings[0]!).refused[0]!.reason, /may leave the function/);
    const declared = [...lines.slice(0, 19), '\tn := s.n', '\tdefer s.add(n)', ...lines.slice(21), '', 'func (s *S) add(n int) {', '\ts.a.Lock()', '\ts.n += n', '\ts.a.Unlock()', '}'];
    const b = analyze({ path: 'd1.go', text: declared.join('\n') })!;
    assert.equal(b.findings.length, 1);
    assert.match(fixesFor(b, b.findings[0]!).refused[0]!.reason, /uses `n`, which a statement between it and the deferred unlock declares or assigns/);
  });
});
