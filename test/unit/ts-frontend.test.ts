// The TypeScript frontend's model, field by field: what rules read must be exactly right here.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';
import type { FileModel } from '../../server/src/engine/model';
import { typescriptFrontend } from '../../server/src/languages/typescript';

function model(text: string, path = 'file.ts'): FileModel {
  return typescriptFrontend.parse(text, path, typescriptFrontend.catalog).model;
}

/** `callee` of every call whose text is `calleeText`. */
function callees(m: FileModel, calleeText: string): (string | undefined)[] {
  return m.calls.filter((c) => c.calleeText === calleeText).map((c) => c.callee);
}

function callNamed(m: FileModel, calleeText: string) {
  const c = m.calls.find((x) => x.calleeText === calleeText);
  assert.ok(c, `no call ${calleeText}`);
  return c;
}

describe('typescript frontend: callee resolution', () => {
  it('resolves import and require forms into catalog names', () => {
    const m = model(`
      import fs from 'fs';
      import * as nfs from 'node:fs';
      import { readFileSync as rfs, promises as fsp } from 'node:fs';
      import { readFile } from 'fs/promises';
      const cp = require('child_process');
      const { statSync } = require('node:fs');
      const { default: PQueue } = require('p-queue');
      const read = fs.readFileSync;
      fs.readFileSync('a'); nfs.existsSync('b'); rfs('c'); fsp.readFile('d'); readFile('e');
      cp.execSync('ls'); statSync('f'); read('g'); fs.promises.writeFile('h', '');
      require('zlib').gzipSync(buf); Atomics.wait(arr, 0, 0); fetch(url); new PQueue();
    `);
    assert.deepEqual(callees(m, 'fs.readFileSync'), ['fs.readFileSync']);
    assert.deepEqual(callees(m, 'nfs.existsSync'), ['fs.existsSync']);
    assert.deepEqual(callees(m, 'rfs'), ['fs.readFileSync']);
    assert.deepEqual(callees(m, 'fsp.readFile'), ['fs.promises.readFile']);
    assert.deepEqual(callees(m, 'readFile'), ['fs/promises.readFile']);
    assert.deepEqual(callees(m, 'cp.execSync'), ['child_process.execSync']);
    assert.deepEqual(callees(m, 'statSync'), ['fs.statSync']);
    assert.deepEqual(callees(m, 'read'), ['fs.readFileSync']);
    assert.deepEqual(callees(m, 'fs.promises.writeFile'), ['fs.promises.writeFile']);
    assert.deepEqual(callees(m, "require('zlib').gzipSync"), ['zlib.gzipSync']);
    assert.deepEqual(callees(m, 'Atomics.wait'), ['Atomics.wait']);
    assert.deepEqual(callees(m, 'fetch'), ['fetch']);
    assert.deepEqual(callees(m, 'PQueue'), ['p-queue.PQueue']);
    const dynamic = model(`async function f() { const { readFileSync: r2 } = await import('node:fs'); r2('x'); }`);
    assert.deepEqual(callees(dynamic, 'r2'), ['fs.readFileSync']);
    const worker = model(`const { parentPort } = await import('node:worker_threads'); async function g() { await x(); }`, 'w.mjs');
    assert.equal(worker.contexts.length, 0);
  });

  it('does not resolve names that only look like modules', () => {
    const m = model(`
      function f(fs: { readFileSync(p: string): string }) { return fs.readFileSync('x'); }
      const snapshot = { readFileSync: (n: string) => n };
      snapshot.readFileSync('y');
      readFileSync('z');
    `);
    assert.deepEqual(callees(m, 'fs.readFileSync'), [undefined]);
    assert.deepEqual(callees(m, 'snapshot.readFileSync'), [undefined]);
    assert.deepEqual(callees(m, 'readFileSync'), [undefined]);
  });

  it('types receivers by construction, factories, fields and annotations', () => {
    const m = model(`
      import Database from 'better-sqlite3';
      import { Pool } from 'pg';
      import axios from 'axios';
      import { Mutex } from 'async-mutex';
      const db = new Database('app.db');
      const stmt = db.prepare('select 1');
      const api = axios.create({ baseURL: 'x' });
      let out;
      out = require('fs').createWriteStream('log');
      class Repo {
        private readonly lock = new Mutex();
        constructor(private pool: Pool, private readonly raw: Database) { this.other = new Pool(); }
        async q() { await this.pool.query('x'); this.raw.exec('y'); this.lock.runExclusive(() => 1); await this.other.connect(); }
      }
      db.prepare('s').get(1); stmt.all(); api.get('/u'); out.write('x');
    `);
    assert.deepEqual(callees(m, "db.prepare('s').get"), ['better-sqlite3.Statement.get']);
    assert.deepEqual(callees(m, 'stmt.all'), ['better-sqlite3.Statement.all']);
    assert.deepEqual(callees(m, 'api.get'), ['axios.get']);
    assert.deepEqual(callees(m, 'this.pool.query'), ['pg.Pool.query']);
    assert.deepEqual(callees(m, 'this.raw.exec'), ['better-sqlite3.Database.exec']);
    assert.deepEqual(callees(m, 'this.lock.runExclusive'), ['async-mutex.Mutex.runExclusive']);
    assert.deepEqual(callees(m, 'this.other.connect'), ['pg.Pool.connect']);
    assert.deepEqual(callees(m, 'out.write'), ['fs.WriteStream.write']);
  });

  it('links calls to same-file functions', () => {
    const m = model(`
      function helper() {}
      const arrow = () => 1;
      class C { run() { this.step(); } step() {} }
      class Store { constructor() { load(); } }
      helper(); arrow(); new Store();
    `);
    const fnName = (id: number | undefined) => (id === undefined ? undefined : m.functions[id]?.name);
    assert.equal(fnName(callNamed(m, 'Store').localTarget), 'constructor');
    assert.equal(fnName(callNamed(m, 'helper').localTarget), 'helper');
    assert.equal(fnName(callNamed(m, 'arrow').localTarget), 'arrow');
    assert.equal(fnName(callNamed(m, 'this.step').localTarget), 'step');
  });

  it('fills the plain call fields', () => {
    const text = `async function f(items: string[]) {\n  for (const i of items) {\n    await fetch(i);\n  }\n  fs\n    .readFileSync( 'x' , 'utf8');\n}`;
    const m = model(text);
    const fetchCall = callNamed(m, 'fetch');
    assert.equal(fetchCall.awaited, true);
    assert.equal(fetchCall.inLoop, true);
    assert.equal(fetchCall.resultUnused, false);
    const read = callNamed(m, 'fs.readFileSync');
    assert.equal(read.inLoop, false);
    assert.equal(read.resultUnused, true);
    assert.equal(read.argCount, 2);
    assert.equal(read.member, 'readFileSync');
    assert.equal(text.slice(read.span.start, read.span.end), "fs\n    .readFileSync( 'x' , 'utf8')");
    assert.equal(text.slice(read.argsSpan.start, read.argsSpan.end), "( 'x' , 'utf8')");
    assert.equal(text.slice(read.calleeSpan.start, read.calleeSpan.end), 'fs\n    .readFileSync');
    assert.equal(read.functionId, 0);
    assert.equal(read.context, 0);
  });
});

describe('typescript frontend: async contexts', () => {
  const contextOf = (m: FileModel, calleeText: string) => {
    const c = callNamed(m, calleeText);
    return c.context === undefined ? undefined : m.contexts[c.context];
  };

  it('makes async functions and registered handlers contexts, and nothing else', () => {
    const m = model(`
      import express from 'express';
      import http from 'http';
      const app = express();
      fs.a();
      function main() { fs.b(); }
      async function load() { fs.c(); }
      app.get('/x', (req, res) => { fs.d(); });
      http.createServer((req, res) => fs.e());
      setTimeout(() => fs.f(), 10);
      p.then(() => fs.g());
      server.on('request', () => fs.h());
      server.on('close', () => fs.i());
      other.get('/y', () => fs.j());
    `);
    assert.equal(contextOf(m, 'fs.a'), undefined);
    assert.equal(contextOf(m, 'fs.b'), undefined);
    assert.equal(contextOf(m, 'fs.c')?.kind, 'async-function');
    assert.equal(contextOf(m, 'fs.c')?.name, 'load');
    assert.equal(contextOf(m, 'fs.d')?.kind, 'handler');
    assert.equal(contextOf(m, 'fs.d')?.name, "app.get('/x') handler");
    assert.equal(contextOf(m, 'fs.e')?.reason, 'callback to `http.createServer`');
    assert.equal(contextOf(m, 'fs.f')?.kind, 'handler');
    assert.equal(contextOf(m, 'fs.g')?.kind, 'handler');
    assert.equal(contextOf(m, 'fs.h')?.kind, 'handler');
    assert.equal(contextOf(m, 'fs.i'), undefined);
    assert.equal(contextOf(m, 'fs.j'), undefined);
  });

  it('counts stream-event listeners only when registered from async code', () => {
    const m = model(`
      rl.on('line', (line) => fs.a(line));
      app.post('/upload', (req, res) => {
        req.on('data', (chunk) => fs.b(chunk));
        req.on('end', () => { fs.c(); res.end(); });
      });
    `);
    assert.equal(contextOf(m, 'fs.a'), undefined);
    assert.equal(contextOf(m, 'fs.b')?.kind, 'handler');
    assert.equal(contextOf(m, 'fs.c')?.name, "req.on('end') handler");
  });

  it('makes functions registered by name handlers too', () => {
    const m = model(`
      function listUsers(req, res) { fs.a(); }
      function tick() { fs.b(); }
      function cleanup() { fs.c(); }
      function startup() { fs.d(); }
      router.get('/users', listUsers);
      setInterval(tick, 1000);
      process.on('exit', cleanup);
      startup();
    `);
    assert.equal(contextOf(m, 'fs.a')?.name, "router.get('/users') handler");
    assert.equal(contextOf(m, 'fs.b')?.kind, 'handler');
    assert.equal(contextOf(m, 'fs.c'), undefined);
    assert.equal(contextOf(m, 'fs.d'), undefined);
  });

  it('makes decorated controller methods and chained routes handlers', () => {
    const m = model(`
      @Controller('users')
      class Users {
        @Get(':id') find() { fs.a(); }
        helper() { fs.b(); }
      }
      router.route('/x').get((req, res) => fs.c());
      adminRouter.post('/y', (req, res) => fs.d());
      cache.get('z', () => fs.e());
    `);
    assert.equal(contextOf(m, 'fs.d')?.kind, 'handler');
    assert.equal(contextOf(m, 'fs.e'), undefined);
    assert.equal(contextOf(m, 'fs.a')?.name, '@Get find');
    assert.equal(contextOf(m, 'fs.b'), undefined);
    assert.equal(contextOf(m, 'fs.c')?.kind, 'handler');
  });

  it('gives inline sync closures the enclosing context, and named helpers none', () => {
    const m = model(`
      async function f(items) {
        items.forEach((x) => fs.a(x));
        const sizes = items.map((x) => fs.b(x));
        await new Promise((resolve) => { fs.c(); resolve(); });
        (() => fs.d())();
        function nested() { fs.e(); }
        const helper = () => fs.f();
        other(() => fs.g());
      }
      items.forEach((x) => fs.h(x));
    `);
    const outer = m.contexts.find((c) => c.name === 'f')!.id;
    for (const name of ['fs.a', 'fs.b', 'fs.c', 'fs.d']) assert.equal(callNamed(m, name).context, outer, name);
    for (const name of ['fs.e', 'fs.f', 'fs.g', 'fs.h']) assert.equal(callNamed(m, name).context, undefined, name);
    assert.equal(callNamed(m, 'fs.a').inLoop, true);
  });

  it('follows helpers through inline closures but not through deferred callbacks', () => {
    const text = `import fs from 'fs';
function scheduleCleanup(dir) { setTimeout(() => fs.rmSync(dir), 1000); }
function readAll(files) { return files.map((f) => fs.readFileSync(f)); }
async function handle() {
  scheduleCleanup('/tmp/x');
  readAll(['a']);
}`;
    const analysis = analyze({ path: 'file.ts', text })!;
    const found = analysis.findings.map((f) => text.slice(f.span.start, f.span.end));
    assert.deepEqual(found, ['fs.rmSync(dir)', "readAll(['a'])"]);
  });

  it('treats worker files and offloaded bodies as off the event loop', () => {
    const worker = model(`
      import { parentPort } from 'node:worker_threads';
      parentPort.on('message', async (job) => { fs.a(); await x(); });
    `);
    assert.equal(worker.contexts.length, 0);
    assert.ok(worker.functions.every((f) => f.offloaded && f.context === undefined));
    // The shapes compilers emit (piscina's dist/worker.js): the marker is reached through the module object.
    for (const [src, path] of [
      [`const node_worker_threads_1 = require("node:worker_threads");\nnode_worker_threads_1.parentPort.on('message', async (m) => { Atomics.wait(m.buf, 0, 0); });`, 'w.js'],
      [`import * as wt from 'worker_threads';\nconst { n } = wt.workerData;\nexport async function run() { await x(n); }`, 'w.ts'],
    ] as const) {
      const compiled = model(src, path);
      assert.equal(compiled.contexts.length, 0, path);
      assert.ok(compiled.functions.every((f) => f.offloaded), path);
    }
    const offload = model(`
      import workerpool from 'workerpool';
      const pool = workerpool.pool();
      async function h() { await pool.exec((a) => fs.a(a), [1]); }
    `);
    const fn = offload.functions[offload.calls.find((c) => c.calleeText === 'fs.a')!.functionId!]!;
    assert.equal(fn.offloaded, true);
    assert.equal(fn.context, undefined);
  });

  it('orders functions parents first', () => {
    const m = model(`function a() { const b = () => { function c() {} }; } function d() {}`);
    assert.deepEqual(m.functions.map((f) => [f.name, f.parent]), [['a', undefined], ['b', 0], ['c', 1], ['d', undefined]]);
  });
});

describe('typescript frontend: yield points', () => {
  it('numbers awaits, for-await and async-generator yields per context', () => {
    const text = `async function* g(src) {\n  const a = await load(1);\n  for await (const x of src.items()) {\n    yield x;\n  }\n}\nasync function h() { await (await fetch(u)).json(); }\nfunction* sync() { yield 1; }`;
    const m = model(text);
    const g = m.yieldPoints.filter((y) => y.context === 0);
    assert.deepEqual(g.map((y) => [y.kind, y.ordinal]), [['await', 1], ['for-await', 2], ['yield', 3]]);
    assert.equal(text.slice(g[0]!.span.start, g[0]!.span.end), 'await load(1)');
    assert.equal(text.slice(g[0]!.keywordSpan.start, g[0]!.keywordSpan.end), 'await');
    assert.equal(text.slice(g[1]!.keywordSpan.start, g[1]!.keywordSpan.end), 'for await');
    assert.deepEqual(g[0]!.calls.map((id) => m.calls[id]!.calleeText), ['load']);
    assert.deepEqual(g[1]!.calls.map((id) => m.calls[id]!.calleeText), ['src.items']);
    const h = m.yieldPoints.filter((y) => y.context === 1);
    assert.deepEqual(h.map((y) => y.ordinal), [1, 2]);
    assert.deepEqual(h[0]!.calls.map((id) => m.calls[id]!.calleeText), ['(await fetch(u)).json', 'fetch']);
    assert.equal(m.yieldPoints.length, 5, 'a sync generator has no async yield points');
  });
});

describe('typescript frontend: spawn sites', () => {
  it('records dropped promises the frontend can tell are promises, with why a dropped one is not lost', () => {
    const m = model(`
      async function save(x) { await fetch(x); }
      async function safe(x) { try { await fetch(x); } catch (e) { console.error(e); } }
      async function h(items) {
        save(1);
        await save(2);
        fetch('u').then((r) => r.json());
        fetch('v').catch(() => undefined);
        fetch('w').then((r) => r.json(), (e) => console.error(e));
        fetch('x').catch(() => undefined).finally(() => undefined);
        void save(3);
        safe(4);
        await Promise.all(items.map((i) => save(i)));
        for (const i of items) fetch(i);
        fs.readFile('p', (err, data) => undefined);
      }
    `);
    assert.deepEqual(m.spawns.map((s) => [s.spawner, s.handle, s.inLoop, s.excuse]), [
      ['save', 'dropped', false, undefined],
      ["fetch('u').then", 'dropped', false, undefined],
      ['safe', 'dropped', false, 'handled'],
      ['fetch', 'dropped', true, undefined],
    ]);
  });

  it('records fan-outs with the source and the bound of their collection', () => {
    const m = model(`
      import fs from 'node:fs';
      import pLimit from 'p-limit';
      async function h(req, dir, items) {
        const files = await fs.promises.readdir(dir);
        await Promise.all(files.map((f) => fs.promises.readFile(f)));
        await Promise.all(files.map((f) => fs.promises.stat(f)));
        await Promise.all(files.slice(0, 10).map((f) => fs.promises.stat(f)));
        const limit = pLimit(4);
        await Promise.all(files.map((f) => limit(() => fs.promises.stat(f))));
        await Promise.all(items.map((i) => fetch(i)));
        await Promise.all([fetch('a'), fetch('b')]);
        const tasks = [];
        for (const id of req.body.ids) tasks.push(fetch(id));
        await Promise.allSettled(tasks);
      }
    `);
    assert.deepEqual(m.fanOuts?.map((f) => [f.spawner, f.shape, f.collection, f.source, f.bound, f.work]), [
      ['Promise.all', 'map', 'files', 'listing', undefined, 'fs.promises.readFile'],
      // One thread-pool request per item, no descriptor held: Node's pool bounds it.
      ['Promise.all', 'map', 'files', 'listing', 'limiter', 'fs.promises.stat'],
      ['Promise.all', 'map', 'files.slice(0, 10)', 'unknown', 'slice', 'fs.promises.stat'],
      ['Promise.all', 'map', 'files', 'listing', 'limiter', 'limit'],
      ['Promise.all', 'map', 'items', 'unknown', undefined, 'fetch'],
      ['Promise.allSettled', 'loop', 'req.body.ids', 'request', undefined, 'fetch'],
    ]);
  });

  it('records retries with their delay and cap, and not polls or fallbacks', () => {
    const m = model(`
      async function a(url) { for (;;) { try { return await fetch(url); } catch { await sleep(500); } } }
      async function b(url) {
        for (let attempt = 0; attempt < 5; attempt++) {
          try { return await fetch(url); } catch { await sleep(100 * 2 ** attempt); }
        }
      }
      async function poll(q) { while (true) { try { const m = await q.next(); handle(m); } catch (e) { log(e); } } }
      async function c(url, retries) { try { return await fetch(url); } catch (e) { if (retries <= 0) throw e; return c(url, retries - 1); } }
      async function d(locale) { try { return await load(locale); } catch { return d('en'); } }
    `);
    assert.deepEqual(m.retries?.map((r) => [r.kind, r.operation, r.delay, r.capped]), [
      ['loop', 'fetch', 'constant', false],
      ['loop', 'fetch', 'growing', true],
      ['recursion', 'c', 'none', true],
    ]);
  });
});
