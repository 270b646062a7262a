// Before/after tests for the TypeScript fixes: exact output, a clean re-parse, and (once the
// frontend reports the finding) re-analysis without it.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';
import { fixOne } from './ts-fixes-support';

const BIA = 'blocking-in-async';
const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('ts fixes: blocking-in-async → async twin', () => {
  it('rewrites fs.readFileSync through the fs namespace in an async function (safe)', () => {
    const src = lines("import fs from 'fs';", '', 'export async function load(p: string) {', "  const text = fs.readFileSync(p, 'utf8');", '  return JSON.parse(text);', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "fs.readFileSync(p, 'utf8')", callee: 'fs.readFileSync' } });
    assert.equal(out.fix?.safety, 'safe');
    assert.equal(out.fix?.title, 'Use `await fs.promises.readFile`');
    assert.equal(out.after, src.replace("fs.readFileSync(p, 'utf8')", "await fs.promises.readFile(p, 'utf8')"));
  });

  it('adds a fs/promises import for a named readFileSync import, matching the node: prefix', () => {
    const src = lines("import { readFileSync } from 'node:fs';", "import path from 'node:path';", '', 'export async function load(dir: string) {', "  return readFileSync(path.join(dir, 'a.json'), 'utf8');", '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "readFileSync(path.join(dir, 'a.json'), 'utf8')", callee: 'fs.readFileSync' } });
    assert.equal(
      out.after,
      lines(
        "import { readFileSync } from 'node:fs';",
        "import path from 'node:path';",
        "import { readFile } from 'node:fs/promises';",
        '',
        'export async function load(dir: string) {',
        "  return await readFile(path.join(dir, 'a.json'), 'utf8');",
        '}',
      ),
    );
  });

  it('adds the twin to an existing fs/promises import and reuses it', () => {
    const src = lines("import fs from 'fs';", "import { writeFile } from 'fs/promises';", '', 'async function copy(a: string, b: string) {', '  await writeFile(b, fs.readFileSync(a));', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'fs.readFileSync(a)', callee: 'fs.readFileSync' } });
    assert.equal(out.after, lines("import fs from 'fs';", "import { writeFile, readFile } from 'fs/promises';", '', 'async function copy(a: string, b: string) {', '  await writeFile(b, await readFile(a));', '}'));
  });

  it('reuses an existing fs/promises binding under its local name', () => {
    const src = lines("import * as fsp from 'fs/promises';", "import { statSync } from 'fs';", 'async function size(p) {', '  return statSync(p).size;', '}');
    const out = fixOne('a.js', src, { rule: BIA, call: { snippet: 'statSync(p)', callee: 'fs.statSync' } });
    assert.equal(out.after, src.replace('statSync(p).size', '(await fsp.stat(p)).size'));
  });

  it('parenthesises the await when the call is a receiver', () => {
    const src = lines("const fs = require('fs');", 'async function main(p) {', '  return fs.readFileSync(p).toString().trim();', '}');
    const out = fixOne('a.js', src, { rule: BIA, call: { snippet: 'fs.readFileSync(p)', callee: 'fs.readFileSync' } });
    assert.equal(out.after, src.replace('fs.readFileSync(p).toString()', '(await fs.promises.readFile(p)).toString()'));
  });

  it('uses require style for a CommonJS file with a destructured import', () => {
    const src = lines('const { readFileSync } = require("fs")', '', 'module.exports = async function load(p) {', '  return JSON.parse(readFileSync(p, "utf8"))', '}');
    const out = fixOne('a.js', src, { rule: BIA, call: { snippet: 'readFileSync(p, "utf8")', callee: 'fs.readFileSync' } });
    assert.equal(
      out.after,
      lines('const { readFileSync } = require("fs")', 'const { readFile } = require("fs/promises")', '', 'module.exports = async function load(p) {', '  return JSON.parse(await readFile(p, "utf8"))', '}'),
    );
  });

  it('makes a handler callback async (suggestion)', () => {
    const src = lines("import express from 'express';", "import fs from 'fs';", 'const app = express();', "app.get('/config', (req, res) => {", "  res.json(JSON.parse(fs.readFileSync('config.json', 'utf8')));", '});');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "fs.readFileSync('config.json', 'utf8')", callee: 'fs.readFileSync' } });
    assert.equal(out.fix?.safety, 'suggestion');
    assert.match(out.fix!.title, /make the callback async/);
    assert.equal(
      out.after,
      src.replace("app.get('/config', (req, res)", "app.get('/config', async (req, res)").replace("fs.readFileSync('config.json', 'utf8')", "await fs.promises.readFile('config.json', 'utf8')"),
    );
  });

  it('wraps a declared return type in Promise when it makes a function async', () => {
    const src = lines("import fs from 'fs';", "emitter.on('reload', function reload(name: string): void {", '  fs.writeFileSync(name, "")', '})');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'fs.writeFileSync(name, "")', callee: 'fs.writeFileSync' }, hand: true });
    assert.equal(out.after, lines("import fs from 'fs';", "emitter.on('reload', async function reload(name: string): Promise<void> {", '  await fs.promises.writeFile(name, "")', '})'));
  });

  it('refuses inside a forEach callback, which would not wait', () => {
    const src = lines("import fs from 'fs';", 'async function sizes(files: string[]) {', '  files.forEach((f) => console.log(fs.statSync(f).size));', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'fs.statSync(f)', callee: 'fs.statSync' } });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]!.reason, /forEach/);
  });

  it('refuses in a getter', () => {
    const src = lines("import fs from 'fs';", 'class C {', '  get config() {', "    return fs.readFileSync('c.json', 'utf8');", '  }', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "fs.readFileSync('c.json', 'utf8')", callee: 'fs.readFileSync' }, hand: true });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /accessor/);
  });

  it('turns existsSync into an access check (suggestion)', () => {
    const src = lines("import fs from 'fs';", 'export async function ensure(dir: string) {', '  if (!fs.existsSync(dir)) await fs.promises.mkdir(dir);', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'fs.existsSync(dir)', callee: 'fs.existsSync' } });
    assert.equal(out.fix?.safety, 'suggestion');
    assert.equal(out.after, src.replace('fs.existsSync(dir)', 'await fs.promises.access(dir).then(() => true, () => false)'));
  });

  it('promisifies execSync, adding exec to the existing import and a util import', () => {
    const src = lines("import { execSync } from 'child_process';", '', 'export async function head() {', "  return execSync('git rev-parse HEAD').toString().trim();", '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "execSync('git rev-parse HEAD')", callee: 'child_process.execSync' } });
    assert.equal(out.fix?.safety, 'suggestion');
    assert.equal(
      out.after,
      lines(
        "import { execSync, exec } from 'child_process';",
        "import { promisify } from 'util';",
        '',
        'export async function head() {',
        "  return (await promisify(exec)('git rev-parse HEAD')).stdout.toString().trim();",
        '}',
      ),
    );
  });

  it('promisifies crypto.pbkdf2Sync through an existing util binding (safe)', () => {
    const src = lines("import crypto from 'crypto';", "import util from 'util';", 'export async function derive(pw: string, salt: Buffer) {', "  return crypto.pbkdf2Sync(pw, salt, 100000, 64, 'sha512');", '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "crypto.pbkdf2Sync(pw, salt, 100000, 64, 'sha512')", callee: 'crypto.pbkdf2Sync' } });
    assert.equal(out.fix?.safety, 'safe');
    assert.equal(out.after, src.replace('crypto.pbkdf2Sync(pw', 'await util.promisify(crypto.pbkdf2)(pw'));
  });

  it('promisifies zlib.gzipSync and adds promisify without semicolons in a semicolon-free file', () => {
    const src = lines('import * as zlib from "node:zlib"', '', 'export async function pack(body: string) {', '  const gz = zlib.gzipSync(body)', '  return gz', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'zlib.gzipSync(body)', callee: 'zlib.gzipSync' } });
    assert.equal(out.after, lines('import * as zlib from "node:zlib"', 'import { promisify } from "node:util"', '', 'export async function pack(body: string) {', '  const gz = await promisify(zlib.gzip)(body)', '  return gz', '}'));
  });

  it('offers bcrypt.hash first and a worker offload second for bcrypt.hashSync', () => {
    const src = lines("import bcrypt from 'bcrypt';", 'export async function register(pw: string) {', '  return { hash: bcrypt.hashSync(pw, 12) };', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'bcrypt.hashSync(pw, 12)', callee: 'bcrypt.hashSync' } });
    assert.equal(out.fix?.safety, 'safe');
    assert.equal(out.after, src.replace('bcrypt.hashSync(pw, 12)', 'await bcrypt.hash(pw, 12)'));
    assert.deepEqual(
      out.result.fixes.map((f) => f.title),
      ['Use `await bcrypt.hash`', 'Offload `bcrypt.hashSync` to a worker thread'],
    );
    const worker = out.result.fixes[1]!.createFiles![0]!;
    assert.equal(worker.relativePath, 'hashSync.worker.mjs');
    assert.equal(
      worker.text,
      lines(
        '// Runs `hashSync` off the event loop (generated by async-boundary).',
        "import { parentPort, workerData } from 'worker_threads';",
        "import bcrypt from 'bcrypt';",
        '',
        'parentPort.postMessage(bcrypt.hashSync(...workerData));',
      ),
    );
  });
});

const UC = 'unbounded-channel';

describe('ts fixes: unbounded-channel', () => {
  it('adds a concurrency option to new PQueue()', () => {
    const src = lines("import PQueue from 'p-queue';", 'export const queue = new PQueue();');
    const out = fixOne('a.ts', src, { rule: UC, channel: { snippet: 'new PQueue()', constructor: 'p-queue.PQueue', reason: 'no-capacity' } });
    assert.equal(out.fix?.safety, 'suggestion');
    assert.equal(out.fix?.title, 'Set `concurrency: 8` (choose a value for your workload)');
    assert.equal(out.after, src.replace('new PQueue()', 'new PQueue({ concurrency: 8 })'));
  });

  it('merges the bound into existing options', () => {
    const src = lines("import PQueue from 'p-queue';", 'export const queue = new PQueue({ autoStart: false });');
    const out = fixOne('a.ts', src, { rule: UC, channel: { snippet: 'new PQueue({ autoStart: false })', constructor: 'p-queue.PQueue', reason: 'no-capacity' } });
    assert.equal(out.after, src.replace('{ autoStart: false }', '{ autoStart: false, concurrency: 8 }'));
  });

  it('replaces concurrency: Infinity', () => {
    const src = lines("import PQueue from 'p-queue';", 'export const queue = new PQueue({ concurrency: Infinity });');
    const out = fixOne('a.ts', src, { rule: UC, channel: { snippet: 'new PQueue({ concurrency: Infinity })', constructor: 'p-queue.PQueue', reason: 'infinite-capacity' } });
    assert.equal(out.after, src.replace('Infinity', '8'));
  });

  it('gives an object-mode stream a highWaterMark of 16 objects', () => {
    const src = lines("import { Readable } from 'stream';", 'export const rows = new Readable({ objectMode: true, highWaterMark: Infinity, read() {} });');
    const out = fixOne('a.ts', src, { rule: UC, channel: { snippet: 'new Readable({ objectMode: true, highWaterMark: Infinity, read() {} })', constructor: 'stream.Readable', reason: 'infinite-capacity' } });
    assert.equal(out.fix?.title, 'Set `highWaterMark: 16` (choose a value for your workload)');
    assert.equal(out.after, src.replace('highWaterMark: Infinity', 'highWaterMark: 16'));
  });

  it('replaces the positional Infinity concurrency of fastq', () => {
    const src = lines("const fastq = require('fastq');", 'function worker(arg, cb) { cb(null, arg); }', 'module.exports = fastq(worker, Infinity);');
    const out = fixOne('a.js', src, { rule: UC, channel: { snippet: 'fastq(worker, Infinity)', constructor: 'fastq', reason: 'infinite-capacity' } });
    assert.equal(out.after, src.replace('fastq(worker, Infinity)', 'fastq(worker, 8)'));
  });

  it('does not report fastq without a concurrency (fastq throws at construction then)', () => {
    const src = lines("const fastq = require('fastq');", 'function worker(arg, cb) { cb(null, arg); }', 'module.exports = fastq(worker);', 'module.exports.p = fastq.promise(worker);');
    const findings = analyze({ path: 'a.js', text: src })?.findings;
    assert.ok(findings, 'a.js is analysed');
    assert.deepEqual(findings.filter((f) => f.rule === UC), []);
  });

  it("waits for 'drain' after a refused write in a loop, importing once", () => {
    const src = lines("import { createWriteStream } from 'fs';", '', 'export async function dump(rows: string[], file: string) {', '  const out = createWriteStream(file);', '  for (const row of rows) {', '    out.write(row + "\\n");', '  }', '  out.end();', '}');
    const out = fixOne('a.ts', src, { rule: UC, channel: { snippet: 'out.write(row + "\\n")', constructor: 'stream.Writable.write', reason: 'ignored-backpressure' } });
    assert.equal(
      out.after,
      lines(
        "import { createWriteStream } from 'fs';",
        "import { once } from 'events';",
        '',
        'export async function dump(rows: string[], file: string) {',
        '  const out = createWriteStream(file);',
        '  for (const row of rows) {',
        "    if (!out.write(row + \"\\n\")) await once(out, 'drain');",
        '  }',
        '  out.end();',
        '}',
      ),
    );
  });

  it("refuses the 'drain' wait inside a forEach callback", () => {
    const src = lines("import { createWriteStream } from 'fs';", 'export async function dump(rows: string[], file: string) {', '  const out = createWriteStream(file);', '  rows.forEach((row) => {', '    out.write(row);', '  });', '}');
    const out = fixOne('a.ts', src, { rule: UC, channel: { snippet: 'out.write(row)', constructor: 'stream.Writable.write', reason: 'ignored-backpressure' } });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /forEach/);
  });
});

const AHL = 'await-holding-lock';

describe('ts fixes: await-holding-lock', () => {
  it('moves the code after a bare acquire into try/finally with the release', () => {
    const src = lines(
      "import { Mutex } from 'async-mutex';",
      'const mutex = new Mutex();',
      'const cache = new Map<string, number>();',
      'export async function bump(key: string) {',
      '  const release = await mutex.acquire();',
      '  const n = (cache.get(key) ?? 0) + 1;',
      '  if (n > 10) throw new Error(`too many: ${key}`);',
      '  cache.set(key, n);',
      '  release();',
      '}',
    );
    const out = fixOne('a.ts', src, { rule: AHL, region: { acquire: 'await mutex.acquire()', lock: 'mutex', guard: 'release' }, variant: 'no-release' });
    assert.equal(out.fix?.title, 'Release `mutex` in a `finally` block');
    assert.equal(
      out.after,
      lines(
        "import { Mutex } from 'async-mutex';",
        'const mutex = new Mutex();',
        'const cache = new Map<string, number>();',
        'export async function bump(key: string) {',
        '  const release = await mutex.acquire();',
        '  try {',
        '    const n = (cache.get(key) ?? 0) + 1;',
        '    if (n > 10) throw new Error(`too many: ${key}`);',
        '    cache.set(key, n);',
        '  } finally {',
        '    release();',
        '  }',
        '}',
      ),
    );
  });
});

describe('ts fixes: await-holding-lock (refused)', () => {
  it('refuses when names declared under the lock are used after the release', () => {
    const src = lines(
      "import { Mutex } from 'async-mutex';",
      'const mutex = new Mutex();',
      'export async function next(counter: { n: number }) {',
      '  const release = await mutex.acquire();',
      '  const n = ++counter.n;',
      '  if (n > 10) throw new Error("overflow");',
      '  release();',
      '  return n;',
      '}',
    );
    const out = fixOne('a.ts', src, { rule: AHL, region: { acquire: 'await mutex.acquire()', lock: 'mutex', guard: 'release' }, variant: 'no-release' });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /used after the release/);
  });
});

describe('ts fixes: edge cases', () => {
  it('drops .stdout when the execFileSync result is discarded', () => {
    const src = lines("import * as cp from 'child_process';", 'export async function thumb(src: string) {', "  cp.execFileSync('convert', [src, 'out.png']);", '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "cp.execFileSync('convert', [src, 'out.png'])", callee: 'child_process.execFileSync' } });
    assert.equal(out.after, lines("import * as cp from 'child_process';", "import { promisify } from 'util';", 'export async function thumb(src: string) {', "  await promisify(cp.execFile)('convert', [src, 'out.png']);", '}'));
  });

  it('refuses to make a callback async when it takes a done callback', () => {
    const src = lines("import fs from 'fs';", "import Fastify from 'fastify';", 'const fastify = Fastify();', "fastify.addHook('onResponse', (request, reply, done) => {", "  fs.appendFileSync('log', request.url);", '  done();', '});');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "fs.appendFileSync('log', request.url)", callee: 'fs.appendFileSync' } });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /takes `done`/);
  });

  it('refuses to make an exported function async for a drain wait', () => {
    const src = lines('export function replay(socket, frames) {', '  for (const f of frames) {', '    socket.write(f);', '  }', '}');
    const out = fixOne('a.js', src, { rule: UC, channel: { snippet: 'socket.write(f)', constructor: 'stream.Writable.write', reason: 'ignored-backpressure' } });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /exported/);
  });

  it('adds the bound on its own line in a multi-line options object', () => {
    const src = lines("import PQueue from 'p-queue';", 'export const q = new PQueue({', '  timeout: 30_000,', '});');
    const out = fixOne('a.ts', src, { rule: UC, channel: { snippet: 'new PQueue({\n  timeout: 30_000,\n})', constructor: 'p-queue.PQueue', reason: 'no-capacity' } });
    assert.equal(out.after, lines("import PQueue from 'p-queue';", 'export const q = new PQueue({', '  timeout: 30_000,', '  concurrency: 8,', '});'));
  });

  it('finds the concurrency of fastq after a context object', () => {
    const src = lines("const fastq = require('fastq');", 'const ctx = { run(t, cb) { cb(null, t); } };', 'module.exports = fastq(ctx, ctx.run, Infinity);');
    const out = fixOne('a.js', src, { rule: UC, channel: { snippet: 'fastq(ctx, ctx.run, Infinity)', constructor: 'fastq', reason: 'infinite-capacity' } });
    assert.equal(out.after, src.replace('Infinity', '8'));
  });

  it('refuses to offload a helper that only sleeps', () => {
    const src = lines('const sleepSync = (ms: number): void => {', '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);', '};', 'export async function retry() {', '  sleepSync(250);', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'sleepSync(250)' }, inner: { snippet: 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)', callee: 'Atomics.wait' } });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /timers\/promises/);
  });

  it('refuses to make a Promise executor async', () => {
    const src = lines("import fs from 'fs';", 'export async function load(p: string) {', '  return new Promise((resolve) => resolve(fs.readFileSync(p)));', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'fs.readFileSync(p)', callee: 'fs.readFileSync' } });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /Promise` executor/);
  });
});
