// The TS/JS unbounded-fan-out fixes, one per situation, each applied, re-parsed and re-analysed:
// p-map or p-limit when the project depends on one (in the import form the file and the installed
// major version allow), else a loop that awaits chunks of N where the combinator is awaited as a
// statement, a value or a return, else the inline limiter. The TypeScript results type-check under
// `strict`; the chunked loop and the p-limit form are run against the original on the same input.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { rangeStaysAtOrBelow } from '../../server/src/languages/typescript/fixes/fan-out-library';
import { applied, fixesOf, typeErrors } from './amplifier-fix-support';
import { lines } from './ts-fixes-support';

// Modelled on Ghost's image importer: every file of an extracted upload saved at once.
const importer = lines(
  "import fs from 'node:fs/promises';",
  "import path from 'node:path';",
  '',
  'interface Storage {',
  '  save(file: { name: string; path: string }, dir: string): Promise<string>;',
  '}',
  '',
  'export async function importImages(baseDir: string, storage: Storage): Promise<string[]> {',
  '  const names = await fs.readdir(baseDir);',
  "  const urls = await Promise.all(names.map(async (name) => storage.save({ name, path: path.join(baseDir, name) }, 'images')));",
  '  return urls.filter((u) => u.length > 0);',
  '}',
);

// Modelled on a link checker's CLI module (CommonJS): every URL of a list file probed at once.
const linkChecker = lines(
  "const fsp = require('node:fs/promises');",
  '',
  'async function checkLinks(listFile) {',
  "  const urls = (await fsp.readFile(listFile, 'utf8')).split('\\n').filter(Boolean);",
  "  return Promise.all(urls.map((url) => fetch(url, { method: 'HEAD' })));",
  '}',
  '',
  'module.exports = { checkLinks };',
);

describe('amplifier fixes: unbounded-fan-out (TS/JS)', () => {
  describe('without a limiter library', () => {
    // The first type-check of the suite loads TypeScript's lib files: over 20 s at a load of 28 on two cores.
    it('an assigned `await Promise.all(xs.map(fn))` becomes a loop over chunks of 8 that keeps the results in order, and type-checks', () => {
      const { fixes } = fixesOf('importer.ts', importer, 'unbounded-fan-out');
      assert.deepEqual(fixes.map((f) => f.title), ['Await `names` in chunks of 8, one chunk at a time (8 is a placeholder: choose N)']);
      assert.equal(fixes[0]!.safety, 'suggestion');
      const after = applied('importer.ts', importer, fixes[0], 'unbounded-fan-out');
      assert.ok(
        after.includes(
          lines(
            '  const urls = [];',
            '  for (let i = 0; i < names.length; i += 8) {',
            "    urls.push(...(await Promise.all(names.slice(i, i + 8).map(async (name) => storage.save({ name, path: path.join(baseDir, name) }, 'images')))));",
            '  }',
            '  return urls.filter((u) => u.length > 0);',
          ),
        ),
        after,
      );
      assert.doesNotMatch(after, /limitConcurrency/);
      assert.deepEqual(typeErrors('importer.ts', after), []);
    }).timeout(180_000);

    it('a statement and a return get the loop too; a receiver that is not a plain name is read once, before it', () => {
      const text = lines(
        "import fsp from 'node:fs/promises';",
        "import path from 'node:path';",
        '',
        'export async function purge(dir: string, unlinkLater: (p: string) => Promise<void>): Promise<void> {',
        '  await Promise.all((await fsp.readdir(dir)).map((f) => unlinkLater(path.join(dir, f))));',
        '}',
        '',
        'export async function sizes(dir: string): Promise<number[]> {',
        '  const names = await fsp.readdir(dir);',
        '  return Promise.allSettled(names.map(async (n) => (await fsp.readFile(path.join(dir, n))).length)).then((rs) => rs.map((r) => (r.status === "fulfilled" ? r.value : -1)));',
        '}',
      );
      const analysisFixes = fixesOf('purge.ts', text.split('\n\nexport async function sizes')[0] + '\n', 'unbounded-fan-out');
      const purged = applied('purge.ts', text.split('\n\nexport async function sizes')[0] + '\n', analysisFixes.fixes[0], 'unbounded-fan-out');
      assert.ok(
        purged.includes(
          lines(
            '  const items = await fsp.readdir(dir);',
            '  for (let i = 0; i < items.length; i += 8) {',
            '    await Promise.all(items.slice(i, i + 8).map((f) => unlinkLater(path.join(dir, f))));',
            '  }',
          ),
        ),
        purged,
      );
      // `Promise.allSettled(…).then(…)` is an expression: the inline limiter.
      const sizes = lines("import fsp from 'node:fs/promises';", "import path from 'node:path';", '', ...text.split('\n').slice(7));
      const { fixes } = fixesOf('sizes.ts', sizes, 'unbounded-fan-out');
      assert.match(fixes[0]!.title, /inline `limitConcurrency` helper/);
      const limited = applied('sizes.ts', sizes, fixes[0], 'unbounded-fan-out');
      assert.match(limited, /names\.map\(limitConcurrency\(8, async \(n\) =>/);
      assert.deepEqual(typeErrors('sizes.ts', limited), []);
      assert.deepEqual(typeErrors('purge.ts', purged), []);
    }).timeout(180_000);

    it('an expression context keeps the inline limiter, declared once per file, and it type-checks', () => {
      const text = lines(
        "import fs from 'node:fs/promises';",
        "import path from 'node:path';",
        '',
        'export async function listing(dir: string, send: (body: unknown) => void): Promise<void> {',
        '  const names = await fs.readdir(dir);',
        '  send({ files: await Promise.all(names.map((n) => fs.readFile(path.join(dir, n)).then((b) => ({ n, size: b.length })))) });',
        '}',
      );
      const { fixes } = fixesOf('listing.ts', text, 'unbounded-fan-out');
      assert.equal(fixes.length, 1);
      const after = applied('listing.ts', text, fixes[0], 'unbounded-fan-out');
      assert.match(after, /^function limitConcurrency<A extends unknown\[\], R>\(limit: number/m);
      assert.match(after, /names\.map\(limitConcurrency\(8, \(n\) => fs\.readFile\(path\.join\(dir, n\)\)\.then/);
      assert.deepEqual(typeErrors('listing.ts', after), []);
      // A second one in the same file reuses the helper rather than declaring another.
      const more = after + "\nexport async function reads(dir: string, send: (body: unknown) => void): Promise<void> {\n  const names = await fs.readdir(dir);\n  send(await Promise.all(names.map((n) => fs.readFile(path.join(dir, n), 'utf8'))));\n}\n";
      const again = applied('listing.ts', more, fixesOf('listing.ts', more, 'unbounded-fan-out').fixes[0], 'unbounded-fan-out');
      assert.equal(again.match(/function limitConcurrency/g)?.length, 1);
      assert.match(again, /send\(await Promise\.all\(names\.map\(limitConcurrency\(8, \(n\) => fs\.readFile/);
      assert.deepEqual(typeErrors('listing.ts', again), []);
    }).timeout(180_000);

    it('a function that reads the index, or one whose parameters the file does not show, keeps the limiter (a chunk would renumber it)', () => {
      const indexed = importer.replace('names.map(async (name) =>', 'names.map(async (name, i) =>').replace("'images')", "`images/${i}`)");
      assert.match(fixesOf('importer.ts', indexed, 'unbounded-fan-out').fixes[0]!.title, /inline `limitConcurrency`/);
      const passed = importer.replace('storage: Storage)', 'storage: Storage, save: (n: string) => Promise<string>)').replace(/names\.map\(async \(name\) => .*\)\)\);/, 'names.map(save));');
      assert.match(fixesOf('importer.ts', passed, 'unbounded-fan-out').fixes[0]!.title, /inline `limitConcurrency`/);
    });

    it('a CommonJS `return Promise.all(…)` in an async function returns the chunks\' results', () => {
      const { fixes } = fixesOf('links.js', linkChecker, 'unbounded-fan-out');
      assert.equal(fixes.length, 1);
      const after = applied('links.js', linkChecker, fixes[0], 'unbounded-fan-out');
      assert.ok(
        after.includes(
          lines(
            '  const results = [];',
            '  for (let i = 0; i < urls.length; i += 8) {',
            "    results.push(...(await Promise.all(urls.slice(i, i + 8).map((url) => fetch(url, { method: 'HEAD' })))));",
            '  }',
            '  return results;',
          ),
        ),
        after,
      );
    });
  });

  describe('with p-map or p-limit among the dependencies', () => {
    it('p-map: an ES module gets `pMap(xs, fn, { concurrency: 8 })` and no other variant, and it type-checks against p-map 7', () => {
      const { fixes } = fixesOf('importer.ts', importer, 'unbounded-fan-out', ['p-map'], { 'p-map': '^7.0.0' });
      assert.deepEqual(fixes.map((f) => f.title), ['Run at most 8 at once with `pMap` (p-map; 8 is a placeholder: choose N)']);
      const after = applied('importer.ts', importer, fixes[0], 'unbounded-fan-out');
      assert.match(after, /^import pMap from 'p-map';$/m);
      assert.match(after, /const urls = await pMap\(names, async \(name\) => storage\.save\(.*\), \{ concurrency: 8 \}\);/);
      assert.deepEqual(typeErrors('importer.ts', after), []);
    }).timeout(180_000);

    it('p-limit: a limiter made before the statement, each item run through it, the combinator kept; type-checks against p-limit 3', () => {
      const settled = importer.replace('Promise.all(', 'Promise.allSettled(').replace('return urls.filter((u) => u.length > 0);', "return urls.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));");
      const { fixes } = fixesOf('importer.ts', settled, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' });
      assert.deepEqual(fixes.map((f) => f.title), ['Run at most 8 at once with a `pLimit(8)` limiter (p-limit; 8 is a placeholder: choose N)']);
      const after = applied('importer.ts', settled, fixes[0], 'unbounded-fan-out');
      assert.match(after, /^import pLimit from 'p-limit';$/m);
      assert.ok(
        after.includes(
          lines(
            '  const names = await fs.readdir(baseDir);',
            '  const limit = pLimit(8);',
            "  const urls = await Promise.allSettled(names.map((name) => limit(async () => storage.save({ name, path: path.join(baseDir, name) }, 'images'))));",
          ),
        ),
        after,
      );
      assert.deepEqual(typeErrors('importer.ts', after), []);
    }).timeout(180_000);

    it('both: p-map first, then p-limit; an existing import of either is reused under its own name', () => {
      const both = fixesOf('importer.ts', importer, 'unbounded-fan-out', ['p-map', 'p-limit'], { 'p-map': '^7.1.1', 'p-limit': '^7.0.0' });
      assert.deepEqual(both.fixes.map((f) => /`(\w+)/.exec(f.title)![1]), ['pMap', 'pLimit']);
      const imported = importer.replace("import path from 'node:path';", "import path from 'node:path';\nimport throttle from 'p-limit';\nimport { default as mapLimited } from 'p-map';");
      const reused = fixesOf('importer.ts', imported, 'unbounded-fan-out', ['p-map', 'p-limit'], { 'p-map': '^7.1.1', 'p-limit': '^7.0.0' });
      const viaMap = applied('importer.ts', imported, reused.fixes[0], 'unbounded-fan-out');
      assert.match(viaMap, /await mapLimited\(names, /);
      assert.equal(viaMap.match(/from 'p-map'/g)?.length, 1);
      const viaLimit = applied('importer.ts', imported, reused.fixes[1], 'unbounded-fan-out');
      assert.match(viaLimit, /const limit = throttle\(8\);/);
      assert.equal(viaLimit.match(/from 'p-limit'/g)?.length, 1);
    });

    it('a named per-item function of the file that takes one parameter is called through the limiter; one using `this` is not rewritten', () => {
      const named = lines(
        "import pLimit from 'p-limit';",
        "import { readdir, unlink } from 'node:fs/promises';",
        '',
        'async function removeOne(file: string): Promise<void> {',
        '  await unlink(file);',
        '}',
        '',
        'export async function clean(dir: string): Promise<void> {',
        '  await Promise.all((await readdir(dir)).map(removeOne));',
        '}',
      );
      const after = applied('clean.ts', named, fixesOf('clean.ts', named, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' }).fixes[0], 'unbounded-fan-out');
      assert.match(after, /const limit = pLimit\(8\);\n {2}await Promise\.all\(\(await readdir\(dir\)\)\.map\(\(item\) => limit\(\(\) => removeOne\(item\)\)\)\);/);
      assert.equal(after.match(/from 'p-limit'/g)?.length, 1);
      assert.deepEqual(typeErrors('clean.ts', after), []);
      const self = lines(
        "const fsp = require('fs/promises');",
        '',
        'class Cleaner {',
        '  async clean(dir) {',
        '    await Promise.all((await fsp.readdir(dir)).map(async function (f) { await this.remove(f); }, this));',
        '  }',
        '}',
        'module.exports = Cleaner;',
      );
      const offered = fixesOf('cleaner.js', self, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' });
      assert.ok(offered.fixes.every((f) => !/pLimit/.test(f.title)), offered.fixes.map((f) => f.title).join('\n'));
    });

    it('CommonJS: a `require` when the range stays on the CommonJS majors (p-limit 3, p-map 4), else refused with the reason and the loop offered', () => {
      const limited = fixesOf('links.js', linkChecker, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' });
      const after = applied('links.js', linkChecker, limited.fixes[0], 'unbounded-fan-out');
      assert.match(after, /^const pLimit = require\('p-limit'\);$/m);
      assert.match(after, /const limit = pLimit\(8\);\n {2}return Promise\.all\(urls\.map\(\(url\) => limit\(\(\) => fetch\(url, \{ method: 'HEAD' \}\)\)\)\);/);
      const mapped = fixesOf('links.js', linkChecker, 'unbounded-fan-out', ['p-map'], { 'p-map': '~4.0.0' });
      assert.match(applied('links.js', linkChecker, mapped.fixes[0], 'unbounded-fan-out'), /^const pMap = require\('p-map'\);$/m);
      // An existing require is reused.
      const required = linkChecker.replace("const fsp = require('node:fs/promises');", "const fsp = require('node:fs/promises');\nconst limiter = require('p-limit');");
      assert.match(applied('links.js', required, fixesOf('links.js', required, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '3.1.0' }).fixes[0], 'unbounded-fan-out'), /const limit = limiter\(8\);/);
      for (const [lib, range] of [['p-limit', '^6.2.0'], ['p-map', '^7.0.0'], ['p-limit', 'latest']] as const) {
        const { fixes, refused } = fixesOf('links.js', linkChecker, 'unbounded-fan-out', [lib], { [lib]: range });
        assert.deepEqual(fixes.map((f) => f.title), ['Await `urls` in chunks of 8, one chunk at a time (8 is a placeholder: choose N)'], `${lib}@${range}`);
        assert.match(refused[0]!.reason, range === 'latest' ? /does not say which major version/ : /ES modules only/);
      }
    });
  });

  // Modelled on an express route that stores each uploaded image and its thumbnail (two promises per item).
  const images = lines(
    "const express = require('express');",
    '',
    'const app = express();',
    '',
    'async function store(name, buf) {',
    "  const res = await fetch(`https://storage.example/images/${name}`, { method: 'PUT', body: buf });",
    '  return res.status;',
    '}',
    '',
    "app.post('/images', async (req, res) => {",
    "  const statuses = await Promise.all(req.body.images.flatMap((img) => [store(`${img.id}.jpg`, img.data), store(`${img.id}-thumb.jpg`, img.thumb)]));",
    '  res.json({ statuses });',
    '});',
    'module.exports = app;',
  );

  it('a `flatMap` whose function gives an array of promises gets no limiter (it would bound nothing): p-limit refused, the chunked loop offered', () => {
    const { fixes, refused } = fixesOf('images.js', images, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' });
    assert.deepEqual(fixes.map((f) => f.title), ['Await `req.body.images` in chunks of 8, one chunk at a time (8 is a placeholder: choose N)']);
    assert.deepEqual(refused.map((r) => r.title), ['Run at most 8 at once with a `pLimit(8)` limiter (p-limit; 8 is a placeholder: choose N)']);
    assert.match(refused[0]!.reason, /arrays of pending promises/);
    const after = applied('images.js', images, fixes[0], 'unbounded-fan-out');
    assert.doesNotMatch(after, /limit\(/);
    assert.match(after, /statuses\.push\(\.\.\.\(await Promise\.all\(req\.body\.images\.slice\(i, i \+ 8\)\.flatMap\(\(img\) => \[store/);
    // An async function gives one promise per item, which flatMap keeps as it is: the limiter fits.
    const one = images.replace('flatMap((img) => [store(`${img.id}.jpg`, img.data), store(`${img.id}-thumb.jpg`, img.thumb)])', 'flatMap(async (img) => store(`${img.id}.jpg`, img.data))');
    const limited = fixesOf('images.js', one, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' });
    assert.match(applied('images.js', one, limited.fixes[0], 'unbounded-fan-out'), /flatMap\(\(img\) => limit\(async \(\) => store\(/);
    // In an expression, where no loop fits, the inline limiter is refused for the same reason.
    const inline = images.replace('const statuses = await Promise.all(', 'res.json(await Promise.all(').replace(/\]\)\)\);\n  res\.json\(\{ statuses \}\);/, ']))));');
    const expr = fixesOf('images.js', inline, 'unbounded-fan-out');
    assert.deepEqual(expr.fixes, []);
    assert.deepEqual(expr.refused.map((r) => [/inline `limitConcurrency`/.test(r.title), /arrays of pending promises/.test(r.reason)]), [[true, true]]);
  });

  it('the chunked loop over a `flatMap` gives the original\'s flattened results, with at most 8 items (16 stores) at once', async () => {
    const after = applied('images.js', images, fixesOf('images.js', images, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' }).fixes[0], 'unbounded-fan-out');
    const load = (code: string): ((req: unknown, res: { json: (v: unknown) => void }) => Promise<void>) => {
      let handler: ((req: unknown, res: { json: (v: unknown) => void }) => Promise<void>) | undefined;
      const express = (): unknown => ({ post: (_path: string, h: typeof handler) => (handler = h) });
      let active = 0;
      const fetch = async (url: string): Promise<{ status: number }> => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, url.length % 3));
        active--;
        return { status: /thumb/.test(url) ? 201 : 200 };
      };
      runInNewContext(code, { module: { exports: {} }, require: (m: string) => (m === 'express' ? express : undefined), fetch, setTimeout, Promise });
      return handler!;
    };
    let peak = 0;
    const body = { images: Array.from({ length: 20 }, (_, i) => ({ id: i, data: 'x', thumb: 'y' })) };
    const results: unknown[] = [];
    for (const code of [images, after]) {
      peak = 0;
      await load(code)({ body }, { json: (v) => results.push(v) });
      results.push(peak);
    }
    const want = { statuses: body.images.flatMap(() => [200, 201]) };
    // The values come from another realm: compared as data.
    assert.deepEqual(JSON.parse(JSON.stringify(results)), [want, 40, want, 16]);
  });

  it('a read-only or iterable annotation gets the loop filling an `Array<T>`, assigned to it after; other annotations get no loop', () => {
    // Modelled on a route that checks each sitemap file of a folder.
    const checker = lines(
      "import { readdir } from 'node:fs/promises';",
      "import { join } from 'node:path';",
      '',
      'interface Checked {',
      '  readonly file: string;',
      '  readonly ok: boolean;',
      '}',
      '',
      'async function checkOne(file: string): Promise<Checked> {',
      '  const res = await fetch(`https://validator.example/check?f=${encodeURIComponent(file)}`);',
      '  return { file, ok: res.ok };',
      '}',
      '',
      'export async function checkDir(dir: string, send: (body: unknown) => void): Promise<void> {',
      '  const files = await readdir(dir);',
      '  const checked: ReadonlyArray<Checked> = await Promise.all(files.map((f) => checkOne(join(dir, f))));',
      '  send(checked);',
      '}',
    );
    for (const type of ['ReadonlyArray<Checked>', 'readonly Checked[]', 'Readonly<Checked[]>', 'Readonly<Array<Checked>>', 'Iterable<Checked>']) {
      const text = checker.replace('const checked: ReadonlyArray<Checked>', `const checked: ${type}`);
      const { fixes } = fixesOf('checker.ts', text, 'unbounded-fan-out');
      assert.match(fixes[0]!.title, /in chunks of 8/, type);
      const after = applied('checker.ts', text, fixes[0], 'unbounded-fan-out');
      assert.ok(
        after.includes(
          lines(
            '  const results: Array<Checked> = [];',
            '  for (let i = 0; i < files.length; i += 8) {',
            '    results.push(...(await Promise.all(files.slice(i, i + 8).map((f) => checkOne(join(dir, f))))));',
            '  }',
            `  const checked: ${type} = results;`,
          ),
        ),
        after,
      );
      if (type === 'ReadonlyArray<Checked>' || type === 'Iterable<Checked>') assert.deepEqual(typeErrors('checker.ts', after), [], type);
    }
    // `T[]` and `Array<T>` are pushed into as they are.
    const plain = applied('checker.ts', checker.replace('ReadonlyArray<Checked>', 'Array<Checked>'), fixesOf('checker.ts', checker.replace('ReadonlyArray<Checked>', 'Array<Checked>'), 'unbounded-fan-out').fixes[0], 'unbounded-fan-out');
    assert.match(plain, /const checked: Array<Checked> = \[\];\n/);
    for (const type of ['[Checked, ...Checked[]]', 'Checked[] | undefined', 'ArrayLike<Checked>']) {
      const text = checker.replace('const checked: ReadonlyArray<Checked>', `const checked: ${type}`);
      const titles = fixesOf('checker.ts', text, 'unbounded-fan-out').fixes.map((f) => f.title);
      assert.ok(titles.every((t) => !/in chunks of 8/.test(t)), `${type}: ${titles.join('; ')}`);
    }
  }).timeout(180_000);

  it('keeps an exported declaration exported: the name that stays is the one with the modifier', () => {
    // A module-level `export const` over a top-level await (an ES module script that checks a folder at load).
    const module = (type: string): string =>
      lines(
        "import { readdir } from 'node:fs/promises';",
        '',
        'async function checkOne(file: string): Promise<string> {',
        '  const res = await fetch(`https://validator.example/check?f=${encodeURIComponent(file)}`);',
        '  return res.statusText;',
        '}',
        '',
        "const files = await readdir('.');",
        `export const checked${type} = await Promise.all(files.map((f) => checkOne(f)));`,
      );
    for (const [type, want] of [
      [': ReadonlyArray<string>', lines('const results: Array<string> = [];', 'for (let i = 0; i < files.length; i += 8) {', '  results.push(...(await Promise.all(files.slice(i, i + 8).map((f) => checkOne(f)))));', '}', 'export const checked: ReadonlyArray<string> = results;')],
      [': string[]', lines('export const checked: string[] = [];', 'for (let i = 0; i < files.length; i += 8) {', '  checked.push(...(await Promise.all(files.slice(i, i + 8).map((f) => checkOne(f)))));', '}')],
    ] as const) {
      const text = module(type);
      const fix = fixesOf('checker.ts', text, 'unbounded-fan-out').fixes.find((f) => /in chunks of 8/.test(f.title));
      assert.ok(fix, type);
      const after = applied('checker.ts', text, fix, 'unbounded-fan-out');
      assert.ok(after.includes(want), after);
    }
  });

  it('the fixtures\' fixed TypeScript type-checks: the chunked loops, and p-limit imported and used as its types say', () => {
    const dir = join(__dirname, '..', 'fixtures', 'ts', 'unbounded-fan-out');
    for (const file of ['invalid-directory-listings.fixed.ts', 'invalid-read-only-results.fixed.ts', 'p-limit-project/invalid-compress-assets.fixed.ts', 'p-limit-project/invalid-image-variants.fixed.ts']) {
      assert.deepEqual(typeErrors(basename(file), readFileSync(join(dir, file), 'utf8')), [], file);
    }
  }).timeout(180_000);

  it('reads which major versions a package.json range allows', () => {
    const cases: [string, boolean | undefined][] = [
      ['^3.1.0', true], ['~3.0.2', true], ['3.x', true], ['3', true], ['>=2.0.0 <4.0.0', true], ['<4', true], ['2 - 3.4', true], ['^2.3.0 || ^3.0.0', true], ['npm:p-limit@^3.1.0', true],
      ['^4.0.0', false], ['>=3', false], ['^3.0.0 || ^5.0.0', false], ['<=4.2', false],
      ['latest', undefined], ['*', undefined], ['github:sindresorhus/p-limit', undefined], ['workspace:*', undefined],
      // A prerelease's hyphen is not a hyphen range's (npm's grammar puts spaces around that one).
      ['^5.0.0-0', false], ['5.0.0-alpha.1', false], ['4.0.0-beta.3', false], ['1.0.0 - 3.0.0', true], ['>=2 <4', true], ['^3.0.0-rc.1', true],
      ['1.0.0-0 - 3.0.0', true], ['1.0.0 - 4.0.0-rc.1', false], ['~3.0.0-beta.2 || 5.0.0-0', false],
    ];
    for (const [range, want] of cases) assert.equal(rangeStaysAtOrBelow(range, 3), want, range);
  });

  it('the chunked loop and the p-limit form give the same results as the original, in order, with at most 8 at once', async () => {
    const original = lines(
      'async function probeAll(urls, probe) {',
      '  const statuses = await Promise.all(urls.map((u) => probe(u)));',
      '  return statuses;',
      '}',
      'module.exports = { probeAll };',
    );
    // The finding needs a collection from outside the code: read it from a request body, as a route does.
    const routed = original.replace('async function probeAll(urls, probe) {', 'async function probeAll(req, probe) {\n  const urls = req.body.urls;');
    const chunked = applied('probe.js', routed, fixesOf('probe.js', routed, 'unbounded-fan-out').fixes[0], 'unbounded-fan-out');
    const limited = applied('probe.js', routed, fixesOf('probe.js', routed, 'unbounded-fan-out', ['p-limit'], { 'p-limit': '^3.1.0' }).fixes[0], 'unbounded-fan-out');
    const requireHere = createRequire(join(__dirname, '..', '..', 'package.json'));
    const load = (code: string): ((req: unknown, probe: (u: number) => Promise<number>) => Promise<number[]>) => {
      const module = { exports: {} as { probeAll: (req: unknown, probe: (u: number) => Promise<number>) => Promise<number[]> } };
      runInNewContext(code, { module, require: requireHere, setTimeout, Promise });
      return module.exports.probeAll;
    };
    const urls = Array.from({ length: 37 }, (_, i) => i);
    for (const [name, code] of [['original', routed], ['chunked', chunked], ['p-limit', limited]] as const) {
      let active = 0;
      let peak = 0;
      const probe = async (u: number): Promise<number> => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, (u * 7) % 5));
        active--;
        return u * 10;
      };
      const got = await load(code)({ body: { urls } }, probe);
      assert.deepEqual([...got], urls.map((u) => u * 10), name);
      assert.equal(peak, name === 'original' ? 37 : 8, name);
    }
  });
});
