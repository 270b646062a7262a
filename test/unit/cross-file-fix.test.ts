// "Make the helper async" across files: the fix edits the helper's file and every file that calls
// it, each result re-parsed and re-analysed; refused with the reason when a caller cannot await.
// Modelled on the login-password-hash fixture project (a Ghost-style password service).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, type Analysis } from '../../server/src/engine/analyze';
import { crossFileFixes } from '../../server/src/project/cross-file-fix';
import { analyzeProject } from '../../server/src/project/link';
import { newLinker } from '../../server/src/project/summaries';

const DIR = join(__dirname, '..', 'fixtures', 'ts', 'cross-file', 'login-password-hash');
const read = (rel: string): string => readFileSync(join(DIR, rel), 'utf8');
const ROOT = '/project';

function project(files: Record<string, string>) {
  const list = Object.entries(files).map(([rel, text]) => ({ path: `${ROOT}/${rel}`, text, shown: rel }));
  const { analyses, summaries } = analyzeProject(list);
  const linker = newLinker(summaries.values());
  const fixProject = { linker, summaries: summaries.values(), analysisOf: (p: string) => analyses.get(p) };
  return { analyses, linker, summaries, fixProject };
}

function fixOf(files: Record<string, string>, rel: string, line: number) {
  const p = project(files);
  const a = p.analyses.get(`${ROOT}/${rel}`)!;
  const finding = a.findings.find((f) => f.rule === 'blocking-in-async' && a.lines.position(f.span.start).line === line - 1);
  assert.ok(finding, `a finding on ${rel}:${line}: ${a.findings.map((f) => f.message).join('; ')}`);
  return { result: crossFileFixes(a, finding, p.linker.importsFor(a.parsed.path), { ...p.fixProject, summaries: p.summaries.values() }), analysis: a, p };
}

/** Applies a fix to every file it edits; the texts after. */
function apply(files: Record<string, string>, analysis: Analysis, fix: { edits: readonly { span: { start: number; end: number }; newText: string }[]; otherFiles?: readonly { path: string; edits: readonly { span: { start: number; end: number }; newText: string }[] }[] }): Record<string, string> {
  const out = { ...files };
  const rel = analysis.parsed.path.slice(ROOT.length + 1);
  out[rel] = applyEdits(files[rel]!, fix.edits);
  for (const o of fix.otherFiles ?? []) {
    const r = o.path.slice(ROOT.length + 1);
    out[r] = applyEdits(files[r]!, o.edits);
  }
  return out;
}

const service = { 'routes/session.ts': read('routes/session.ts'), 'services/password-hash.ts': read('services/password-hash.ts'), 'services/users.ts': read('services/users.ts') };

describe('cross-file fix: make the helper async in its own file', () => {

  it('makes `verify` async in services/password-hash.ts and awaits it at the route; both files re-parse and the finding is gone', () => {
    const { result, analysis } = fixOf(service, 'routes/session.ts', 8);
    assert.deepEqual(result.refused, []);
    const fix = result.fixes[0]!;
    assert.equal(fix.title, 'Make `verify` async in services/password-hash.ts and use `await bcrypt.compare`');
    assert.deepEqual(fix.otherFiles?.map((o) => o.path), [`${ROOT}/services/password-hash.ts`]);
    const after = apply(service, analysis, fix);
    assert.match(after['services/password-hash.ts']!, /export async function verify\(plain: string, hashed: string\): Promise<boolean> \{\n {2}return await bcrypt\.compare\(plain, hashed\);\n\}/);
    assert.match(after['routes/session.ts']!, /if \(!user \|\| !await passwordHash\.verify\(req\.body\.password, user\.password\)\) \{/);
    // Re-parsed and analysed again as a project: no syntax error and no finding left in either file.
    const again = project(after);
    for (const [path, a] of again.analyses) {
      assert.equal(a.model.syntaxErrors, 0, path);
      assert.deepEqual(a.findings.map((f) => f.message), [], path);
    }
  });

  it('awaits the calls of every other async caller in the project, and edits each file once', () => {
    const admin = "import { verify } from '../services/password-hash';\n\nexport async function checkAdmin(plain: string, hashed: string) {\n  return verify(plain, hashed) && plain.length > 12;\n}\n";
    const files = { ...service, 'routes/admin.ts': admin };
    const { result, analysis } = fixOf(files, 'routes/session.ts', 8);
    const fix = result.fixes[0]!;
    assert.equal(fix.title, 'Make `verify` async in services/password-hash.ts and use `await bcrypt.compare` (edits 3 files)');
    const after = apply(files, analysis, fix);
    assert.match(after['routes/admin.ts']!, /return await verify\(plain, hashed\) && plain\.length > 12;/);
    for (const [path, a] of project(after).analyses) assert.equal(a.model.syntaxErrors, 0, path);
  });

  it('is refused, with the caller named, when a caller in another file is sync code', () => {
    const files = { ...service, 'scripts/reset-password.ts': read('scripts/reset-password.ts') };
    const { result } = fixOf(files, 'routes/session.ts', 8);
    assert.deepEqual(result.fixes, []);
    assert.equal(result.refused.length, 2, 'and the worker offload, for a TypeScript helper');
    assert.equal(result.refused[0]!.title, 'Make `verify` async in services/password-hash.ts and use `await bcrypt.compare`');
    assert.match(result.refused[0]!.reason, /^`verify` is also called from scripts\/reset-password\.ts: it is also called on line 6, in code that is not async/);
  });

  // A promise is truthy: a helper kept as a value and called later would pass every check once async.
  it('is refused when the helper\'s own file keeps it in an object other than module.exports', () => {
    const kept = `${read('services/password-hash.ts')}\nexport const passwordApi = { verify };\n\nexport function check(plain: string, hashed: string): boolean {\n  return passwordApi.verify(plain, hashed);\n}\n`;
    const { result } = fixOf({ ...service, 'services/password-hash.ts': kept }, 'routes/session.ts', 8);
    assert.deepEqual(result.fixes, []);
    assert.match(result.refused[0]!.reason, /^`verify` is used as a value, not only called/);
  });

  it('is refused when a caller in another file also uses the helper as a value', () => {
    const batch = "import { verify } from '../services/password-hash';\n\nexport const checks = [verify];\n\nexport async function verifyAll(pairs: [string, string][]) {\n  return pairs.every(([p, h]) => verify(p, h));\n}\n";
    const { result } = fixOf({ ...service, 'services/batch.ts': batch }, 'routes/session.ts', 8);
    assert.deepEqual(result.fixes, []);
    assert.match(result.refused[0]!.reason, /^`verify` is also called from services\/batch\.ts: `verify` is used as a value on line 3, not only called/);
  });

  it('is refused when the route itself hands the helper on by name', () => {
    const route = `${read('routes/session.ts')}\nexport const verifier = passwordHash.verify.bind(passwordHash);\n`;
    const { result } = fixOf({ ...service, 'routes/session.ts': route }, 'routes/session.ts', 8);
    assert.deepEqual(result.fixes, []);
    assert.match(result.refused[0]!.reason, /`passwordHash\.verify` is used as a value on line \d+, not only called/);
  });

  it('is refused when the blocking call is one helper further: the edit would not be local to the helper', () => {
    const deeper = "import bcrypt from 'bcrypt';\n\nfunction compare(plain: string, hashed: string): boolean {\n  return bcrypt.compareSync(plain, hashed);\n}\n\nexport function verify(plain: string, hashed: string): boolean {\n  return compare(plain, hashed);\n}\n";
    const r1 = fixOf({ ...service, 'services/password-hash.ts': deeper }, 'routes/session.ts', 8).result;
    assert.deepEqual(r1.fixes, []);
    assert.match(r1.refused[0]!.reason, /the blocking call `bcrypt.compareSync` is in `compare`, which `verify` calls: make that one async first/);
  });
});

/** Every file of a fixture project, by its path in the project. */
function fixtureFiles(name: string): Record<string, string> {
  const dir = join(__dirname, '..', 'fixtures', 'ts', 'cross-file', name);
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[r] = readFileSync(join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

// The call-site fix for a cross-file chain (#10): the call moves to a worker thread that loads the
// helper's module, the helper stays as it is. Offered for JavaScript when the helper cannot be made
// async (or its work is CPU-bound); refused, with the reason, where a worker could not run it.
describe('cross-file fix: offload the call to a worker thread', () => {
  // Ghost's {{ghost_head}} (theme-helpers-meta-index): getAssetUrl hashes the asset file (statSync
  // one helper further), so making it async is refused and the worker is what is left.
  const theme = fixtureFiles('theme-helpers-meta-index');
  // The helper called once, through the module's import: a helper called twice in one function is
  // reported once, at its first call (the destructured one).
  const throughImport = { ...theme, 'helpers/ghost_head.js': theme['helpers/ghost_head.js']!.replace("${getAssetUrl('public/cards.js', true)}", '/public/cards.js') };

  it('offloads `metaData.getAssetUrl` to a worker that requires ../meta; every file parses and the finding is gone', () => {
    const { result, analysis } = fixOf(throughImport, 'helpers/ghost_head.js', 11);
    const fix = result.fixes.find((f) => f.title.startsWith('Offload'));
    assert.ok(fix, JSON.stringify(result.refused));
    assert.equal(fix.title, 'Offload `metaData.getAssetUrl` to a worker thread');
    const worker = fix.createFiles?.find((c) => c.relativePath === 'getAssetUrl.worker.cjs');
    assert.ok(worker);
    assert.match(worker.text, /const metaData = require\('\.\.\/meta'\);/);
    assert.match(worker.text, /parentPort\.postMessage\(metaData\.getAssetUrl\(\.\.\.workerData\)\);/);
    const after = apply(throughImport, analysis, fix);
    assert.match(after['helpers/ghost_head.js']!, /href="\$\{await runInWorker\(require\.resolve\('\.\/getAssetUrl\.worker\.cjs'\), \['public\/cards\.css', true\]\)\}"/);
    after['helpers/getAssetUrl.worker.cjs'] = worker.text;
    const again = project(after);
    for (const [path, a] of again.analyses) assert.equal(a.model.syntaxErrors, 0, path);
    const head = again.analyses.get(`${ROOT}/helpers/ghost_head.js`)!;
    assert.deepEqual(head.findings.filter((f) => f.rule === 'blocking-in-async').map((f) => f.message), [], 'the finding is gone');
  });

  // Before: refused ("not reached through an import"), and on the merged finding only the first call moved.
  it('offloads a helper destructured from its imported module, and every call the merged finding stands for', () => {
    const { result, analysis } = fixOf(theme, 'helpers/ghost_head.js', 10);
    const fix = result.fixes.find((f) => f.title === 'Offload `getAssetUrl` to a worker thread');
    assert.ok(fix, JSON.stringify(result.refused));
    const worker = fix.createFiles?.find((c) => c.relativePath === 'getAssetUrl.worker.cjs');
    assert.ok(worker);
    // The worker loads the module object the file destructured the helper from, and calls it through it.
    assert.match(worker.text, /const metaData = require\('\.\.\/meta'\);/);
    assert.match(worker.text, /parentPort\.postMessage\(metaData\.getAssetUrl\(\.\.\.workerData\)\);/);
    const after = apply(theme, analysis, fix);
    const head = after['helpers/ghost_head.js']!;
    assert.match(head, /src="\$\{await runInWorker\(require\.resolve\('\.\/getAssetUrl\.worker\.cjs'\), \['public\/cards\.js', true\]\)\}"/);
    assert.match(head, /href="\$\{await runInWorker\(require\.resolve\('\.\/getAssetUrl\.worker\.cjs'\), \['public\/cards\.css', true\]\)\}"/);
    assert.doesNotMatch(head, /getAssetUrl\(/, 'no call of the helper is left on the event loop');
    after['helpers/getAssetUrl.worker.cjs'] = worker.text;
    const again = project(after);
    for (const [path, a] of again.analyses) assert.equal(a.model.syntaxErrors, 0, path);
    assert.deepEqual(again.analyses.get(`${ROOT}/helpers/ghost_head.js`)!.findings.filter((f) => f.rule === 'blocking-in-async').map((f) => f.message), [], 'the finding is gone');
  });

  it('offloads a helper destructured straight from `require` (`const { hashSync } = require(\'./pw\')`)', () => {
    const files = {
      'pw.js': "const bcrypt = require('bcryptjs');\n\nfunction hashSync(password) {\n  return bcrypt.hashSync(password, 12);\n}\n\nmodule.exports = { hashSync };\n",
      'routes.js': "const express = require('express');\nconst { hashSync: hashPassword } = require('./pw');\n\nconst router = express.Router();\nrouter.post('/users', async (req, res) => {\n  const hash = hashPassword(req.body.password);\n  res.json({ hash });\n});\n\nmodule.exports = router;\n",
    };
    const { result, analysis } = fixOf(files, 'routes.js', 6);
    const fix = result.fixes.find((f) => f.title.startsWith('Offload'));
    assert.ok(fix, JSON.stringify(result.refused));
    const worker = fix.createFiles?.find((c) => c.relativePath === 'hashPassword.worker.cjs');
    assert.ok(worker, JSON.stringify(fix.createFiles?.map((c) => c.relativePath)));
    assert.match(worker.text, /const \{ hashSync: hashPassword \} = require\('\.\/pw'\);/);
    assert.match(worker.text, /parentPort\.postMessage\(hashPassword\(\.\.\.workerData\)\);/);
    const after = apply(files, analysis, fix);
    assert.match(after['routes.js']!, /const hash = await runInWorker\(require\.resolve\('\.\/hashPassword\.worker\.cjs'\), \[req\.body\.password\]\);/);
    after['hashPassword.worker.cjs'] = worker.text;
    const again = project(after);
    for (const [path, a] of again.analyses) assert.equal(a.model.syntaxErrors, 0, path);
    assert.deepEqual(again.analyses.get(`${ROOT}/routes.js`)!.findings.filter((f) => f.rule === 'blocking-in-async').map((f) => f.message), []);
  });

  // An ES module: the worker is `.mjs` beside the route and imports the helper as the route does.
  it('offloads an ES named import (`import { verify } from \'../lib/password-hash.js\'`), both calls of a merged finding', () => {
    const files = {
      'lib/password-hash.js': "import bcrypt from 'bcryptjs';\n\nexport function verify(plain, hashed) {\n  return bcrypt.compareSync(plain, hashed);\n}\n",
      'routes/session.js': [
        "import express from 'express';",
        "import { verify } from '../lib/password-hash.js';",
        '',
        'export const router = express.Router();',
        "router.post('/password', async (req, res) => {",
        '  const user = req.user;',
        '  if (!verify(req.body.current, user.hash)) return res.status(403).end();',
        '  if (verify(req.body.next, user.hash)) return res.status(400).end();',
        '  res.status(204).end();',
        '});',
        '',
      ].join('\n'),
    };
    const { result, analysis } = fixOf(files, 'routes/session.js', 7);
    const fix = result.fixes.find((f) => f.title === 'Offload `verify` to a worker thread');
    assert.ok(fix, JSON.stringify([result.fixes.map((f) => f.title), result.refused]));
    const worker = fix.createFiles?.find((c) => c.relativePath === 'verify.worker.mjs');
    assert.ok(worker);
    assert.match(worker.text, /import \{ verify \} from '\.\.\/lib\/password-hash\.js';/);
    const after = apply(files, analysis, fix);
    const route = after['routes/session.js']!;
    assert.match(route, /if \(!await runInWorker\(new URL\('\.\/verify\.worker\.mjs', import\.meta\.url\), \[req\.body\.current, user\.hash\]\)\)/);
    assert.match(route, /if \(await runInWorker\(new URL\('\.\/verify\.worker\.mjs', import\.meta\.url\), \[req\.body\.next, user\.hash\]\)\)/);
    after['routes/verify.worker.mjs'] = worker.text;
    const again = project(after);
    for (const [path, a] of again.analyses) assert.equal(a.model.syntaxErrors, 0, path);
    assert.deepEqual(again.analyses.get(`${ROOT}/routes/session.js`)!.findings.filter((f) => f.rule === 'blocking-in-async').map((f) => f.message), []);
  });

  it('is refused when the helper\'s module runs code when it is loaded, which the worker would run again', () => {
    const assetUrl = theme['meta/asset-url.js']!.replace("const PUBLIC_ROOT = path.join(__dirname, '..', 'public');", "const PUBLIC_ROOT = path.join(__dirname, '..', 'public');\nconst watcher = require('fs').watch(PUBLIC_ROOT);");
    assert.notEqual(assetUrl, theme['meta/asset-url.js']);
    const { result } = fixOf({ ...throughImport, 'meta/asset-url.js': assetUrl }, 'helpers/ghost_head.js', 11);
    assert.equal(result.fixes.filter((f) => f.title.startsWith('Offload')).length, 0);
    const r = result.refused.find((x) => x.title === 'Offload `metaData.getAssetUrl` to a worker thread');
    assert.match(r?.reason ?? '', /^meta\/asset-url\.js runs code when it is loaded \(line 5\), which a worker thread would run again in a fresh copy of the module/);
  });

  it('is refused for a helper that returns the modules it requires (Haraka-style plugin loader)', () => {
    const { result } = fixOf(fixtureFiles('plugin-loader-module-exports'), 'server.js', 7);
    assert.equal(result.fixes.filter((f) => f.title.startsWith('Offload')).length, 0);
    assert.ok(result.refused.some((r) => /^`loadPlugins` returns what `require` loads/.test(r.reason)), JSON.stringify(result.refused));
  });

  it('is refused for a TypeScript helper: the generated JavaScript worker cannot load it', () => {
    const files = { ...service, 'scripts/reset-password.ts': read('scripts/reset-password.ts') };
    const { result } = fixOf(files, 'routes/session.ts', 8);
    assert.deepEqual(result.fixes, []);
    assert.equal(result.refused[1]?.title, 'Offload `passwordHash.verify` to a worker thread');
    assert.match(result.refused[1]!.reason, /^`verify` is in services\/password-hash\.ts, a TypeScript module the generated JavaScript worker cannot load/);
  });

  it('is not offered for file I/O with an async twin when the helper can be made async (the lighter fix)', () => {
    const { result } = fixOf(fixtureFiles('deferred-callbacks-not-blocking'), 'api/projects.js', 14);
    assert.deepEqual(result.fixes.map((f) => f.title), ['Make `readFileNow` async in git/util.js and use `await fs.promises.readFile`']);
  });
});
