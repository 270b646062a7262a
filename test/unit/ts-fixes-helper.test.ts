// "Make the helper async": a same-file sync helper whose blocking calls have async twins.
import assert from 'node:assert/strict';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { applyEdits } from '../../server/src/engine/finding';
import { typescriptCatalog } from '../../server/src/languages/typescript/catalog';
import { buildFixes } from '../../server/src/languages/typescript/fixes';
import { fixOne, handFinding } from './ts-fixes-support';

const BIA = 'blocking-in-async';
const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('ts fixes: make a blocking helper async', () => {
  it('makes the helper async, awaits its twin, and awaits every call of it', () => {
    const src = lines(
      "import fs from 'fs';",
      "import express from 'express';",
      '',
      'function loadTemplate(name: string): string {',
      "  return fs.readFileSync(`templates/${name}.html`, 'utf8');",
      '}',
      '',
      'const app = express();',
      "app.get('/', (req, res) => {",
      "  res.send(loadTemplate('home'));",
      '});',
      'export async function preview(name: string) {',
      '  return loadTemplate(name).length;',
      '}',
    );
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "loadTemplate('home')" }, inner: { snippet: 'fs.readFileSync(`templates/${name}.html`, \'utf8\')', callee: 'fs.readFileSync' } });
    assert.equal(out.fix?.title, 'Make `loadTemplate` async and use `await fs.promises.readFile`');
    assert.equal(out.fix?.safety, 'suggestion');
    assert.equal(out.result.fixes[1]?.title, 'Offload `loadTemplate` to a worker thread');
    assert.equal(
      out.after,
      lines(
        "import fs from 'fs';",
        "import express from 'express';",
        '',
        'async function loadTemplate(name: string): Promise<string> {',
        "  return await fs.promises.readFile(`templates/${name}.html`, 'utf8');",
        '}',
        '',
        'const app = express();',
        "app.get('/', async (req, res) => {",
        "  res.send(await loadTemplate('home'));",
        '});',
        'export async function preview(name: string) {',
        '  return (await loadTemplate(name)).length;',
        '}',
      ),
    );
  });

  it('promisifies exec in a helper and keeps the result a string', () => {
    const src = lines(
      "import { execSync } from 'child_process';",
      'const currentBranch = () => execSync("git branch --show-current").toString().trim();',
      'export const handler = async () => ({ branch: currentBranch() });',
    );
    const out = fixOne('a.js', src, { rule: BIA, call: { snippet: 'currentBranch()', nth: 0 }, inner: { snippet: 'execSync("git branch --show-current")', callee: 'child_process.execSync' } });
    assert.equal(
      out.after,
      lines(
        "import { execSync, exec } from 'child_process';",
        "import { promisify } from 'util';",
        'const currentBranch = async () => (await promisify(exec)("git branch --show-current")).stdout.toString().trim();',
        'export const handler = async () => ({ branch: await currentBranch() });',
      ),
    );
  });

  it('refuses when a sync function also calls the helper, and offers the worker first', () => {
    const src = lines(
      "import fs from 'fs';",
      'function readConfig() {',
      "  return JSON.parse(fs.readFileSync('config.json', 'utf8'));",
      '}',
      'function port() {',
      '  return readConfig().port;',
      '}',
      'export async function handle() {',
      '  return readConfig();',
      '}',
      'console.log(port());',
    );
    const out = fixOne('a.mjs', src, { rule: BIA, call: { snippet: 'readConfig()', nth: 2 }, inner: { snippet: "fs.readFileSync('config.json', 'utf8')", callee: 'fs.readFileSync' } });
    assert.equal(out.fix?.title, 'Offload `readConfig` to a worker thread');
    const refusal = out.result.refused.find((r) => r.title.startsWith('Make `readConfig` async'));
    assert.equal(refusal?.reason, '`readConfig` is also called from `port`, which is not async: offload it or make that caller async first');
  });

  it('refuses when the blocking call sits in a further helper', () => {
    const src = lines(
      "import fs from 'fs';",
      'function load(name) {',
      '  return fs.readFileSync(name, "utf8");',
      '}',
      'function render(name) {',
      '  return load(name).toUpperCase();',
      '}',
      'export async function page(name) {',
      '  return render(name);',
      '}',
    );
    const out = fixOne('a.mjs', src, { rule: BIA, call: { snippet: 'render(name)', nth: 1 }, inner: { snippet: 'fs.readFileSync(name, "utf8")', callee: 'fs.readFileSync' } });
    assert.equal(out.fix?.title, 'Offload `render` to a worker thread');
    assert.match(out.result.refused[0]?.reason ?? '', /another helper that `render` calls/);
  });
});

describe('ts fixes: where new imports go', () => {
  it('after the directive prologue of a CommonJS file without requires', () => {
    const src = lines("'use strict';", '', 'exports.handler = async function (event) {', "  return require('fs').readFileSync(event.path, 'utf8');", '};');
    const out = fixOne('a.js', src, { rule: BIA, call: { snippet: "require('fs').readFileSync(event.path, 'utf8')", callee: 'fs.readFileSync' } });
    assert.equal(out.after, lines("'use strict';", "const { readFile } = require('fs/promises');", '', 'exports.handler = async function (event) {', "  return await readFile(event.path, 'utf8');", '};'));
  });

  it('before the first statement of a module without imports, keeping its doc comment above the import', () => {
    const src = lines('/** Handlers. */', 'export async function handler(p: string) {', '  return zlib.gzipSync(p);', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'zlib.gzipSync(p)', callee: 'zlib.gzipSync' }, hand: true });
    assert.equal(out.after, lines("import { gzip } from 'zlib';", "import { promisify } from 'util';", '', '/** Handlers. */', 'export async function handler(p: string) {', '  return await promisify(gzip)(p);', '}'));
  });
});

describe('ts fixes: stale trees', () => {
  it('still fixes an analysis whose tree a later incremental parse reused', () => {
    const text = lines("import fs from 'fs';", 'export async function load(p: string) {', "  return fs.readFileSync(p, 'utf8');", '}');
    const first = analyze({ path: 'a.ts', text })!;
    const finding = first.findings.find((f) => f.rule === BIA)!;
    // Insert a line at the top: the incremental parse moves the old tree's nodes.
    const insert = '// header\n';
    analyze({ path: 'a.ts', text: insert + text }, DEFAULT_CONFIG, { previous: first.parsed, changes: [{ start: 0, end: 0, newText: insert }] });
    const fix = fixesFor(first, finding, {}).fixes[0];
    assert.equal(applyEdits(text, fix!.edits), text.replace("fs.readFileSync(p, 'utf8')", "await fs.promises.readFile(p, 'utf8')"));
  });
});

describe('ts fixes: file conventions', () => {
  it('keeps CRLF line ends and tab indentation', () => {
    const src = ["import { Mutex } from 'async-mutex'", 'const m = new Mutex()', 'export async function f(map) {', '\tconst release = await m.acquire()', "\tif (map.has('x')) return", "\tmap.set('x', 1)", '\trelease()', '}', ''].join('\r\n');
    const out = fixOne('a.ts', src, { rule: 'await-holding-lock', region: { acquire: 'await m.acquire()', lock: 'm', guard: 'release' }, variant: 'no-release' });
    assert.equal(
      out.after,
      ["import { Mutex } from 'async-mutex'", 'const m = new Mutex()', 'export async function f(map) {', '\tconst release = await m.acquire()', '\ttry {', "\t\tif (map.has('x')) return", "\t\tmap.set('x', 1)", '\t} finally {', '\t\trelease()', '\t}', '}', ''].join('\r\n'),
    );
  });

  it('adds an import with CRLF in a CRLF file', () => {
    const src = ["import { readFileSync } from 'fs';", 'export async function f(p: string) {', '  return readFileSync(p);', '}', ''].join('\r\n');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'readFileSync(p)', callee: 'fs.readFileSync' } });
    assert.equal(out.after, ["import { readFileSync } from 'fs';", "import { readFile } from 'fs/promises';", 'export async function f(p: string) {', '  return await readFile(p);', '}', ''].join('\r\n'));
  });
});

describe('ts fixes: lock release (refused)', () => {
  it('refuses when the section already releases on one branch', () => {
    const src = lines(
      "import { Mutex } from 'async-mutex';",
      'const m = new Mutex();',
      'export async function f(map: Map<string, number>) {',
      '  const release = await m.acquire();',
      "  if (map.has('x')) {",
      '    release();',
      '    return;',
      '  }',
      "  if (map.size > 9) throw new Error('full');",
      "  map.set('x', 1);",
      '  release();',
      '}',
    );
    const out = fixOne('a.ts', src, { rule: 'await-holding-lock', region: { acquire: 'await m.acquire()', lock: 'm', guard: 'release' }, variant: 'no-release' });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /would run twice/);
  });
});

describe('ts fixes: names', () => {
  it('does not alias a new import because a member of the same name is used', () => {
    const src = lines("import fs from 'fs';", "import { readFileSync } from 'fs';", 'export async function f(p: string) {', '  await fs.promises.readFile(p);', '  return readFileSync(p);', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'readFileSync(p)', callee: 'fs.readFileSync' } });
    assert.equal(out.after, src.replace("import { readFileSync } from 'fs';", "import { readFileSync } from 'fs';\nimport { readFile } from 'fs/promises';").replace('  return readFileSync(p);', '  return await readFile(p);'));
  });

  it('aliases a new import whose name is already bound', () => {
    const src = lines("import { readFileSync } from 'fs';", 'const readFile = (p: string) => p;', 'export async function f(p: string) {', '  return readFileSync(readFile(p));', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: 'readFileSync(readFile(p))', callee: 'fs.readFileSync' } });
    assert.equal(out.after, src.replace("import { readFileSync } from 'fs';", "import { readFileSync } from 'fs';\nimport { readFile as readFile2 } from 'fs/promises';").replace('return readFileSync(readFile(p))', 'return await readFile2(readFile(p))'));
  });
});

describe('ts fixes: exported framework handlers', () => {
  const src = lines("import fs from 'fs';", 'export default function handler(req, res) {', "  res.send(fs.readFileSync('page.html'));", '}');
  const build = (handler: boolean) => {
    const { parsed, finding } = handFinding('route.js', src, { rule: BIA, call: { snippet: "fs.readFileSync('page.html')", callee: 'fs.readFileSync' } });
    const fnStart = src.indexOf('export default');
    const contexts = handler ? [{ id: 0, kind: 'handler' as const, name: 'route handler', span: { start: fnStart, end: src.lastIndexOf('}') + 1 }, nameSpan: { start: fnStart, end: fnStart + 6 }, reason: 'default export of a route', functionId: 0 }] : [];
    return buildFixes(finding, { ...parsed, model: { ...parsed.model, contexts } }, { catalog: typescriptCatalog });
  };

  it('makes an exported function async when the frontend knows it as a framework handler', () => {
    const fix = build(true).fixes[0];
    assert.equal(applyEdits(src, fix!.edits), src.replace('export default function', 'export default async function').replace("fs.readFileSync('page.html')", "await fs.promises.readFile('page.html')"));
  });

  it('refuses for an exported function nobody registered', () => {
    const result = build(false);
    assert.equal(result.fixes.length, 0);
    assert.match(result.refused[0]?.reason ?? '', /exported/);
  });
});

describe('ts fixes: places await cannot go', () => {
  it('refuses in a parameter default', () => {
    const src = lines("import fs from 'fs';", "export async function f(text = fs.readFileSync('default.txt', 'utf8')) {", '  return text;', '}');
    const out = fixOne('a.ts', src, { rule: BIA, call: { snippet: "fs.readFileSync('default.txt', 'utf8')", callee: 'fs.readFileSync' } });
    assert.equal(out.fix, undefined);
    assert.match(out.result.refused[0]?.reason ?? '', /parameter default/);
  });
});
