// Before/after tests for the TypeScript fixes: exact output, a clean re-parse, and (once the
// frontend reports the finding) re-analysis without it.
import assert from 'node:assert/strict';
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
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'fs.writeFileSync(name, "")', callee: 'fs.writeFileSync' } });
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
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "fs.readFileSync('c.json', 'utf8')", callee: 'fs.readFileSync' } });
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
