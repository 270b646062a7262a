// The language server with a hostile config in the workspace (issue 16): initialize succeeds and
// the config error is a diagnostic on the file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestClient } from './harness';

const HANDLER = "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n";

describe('LSP: hostile config files', () => {
  it('initializes with a 10,000-deep config, reports it on the config file and still analyses', async () => {
    const deep = `{ "rules": ${'['.repeat(10_000)}${']'.repeat(10_000)} }`;
    const client = await TestClient.start({ files: { '.async-boundary.json': deep } });
    try {
      const diagnostics = await client.open('a.ts', HANDLER);
      assert.equal(diagnostics.length, 1);
      // Published when the config is first read, which may be before the document opens.
      const errors = client.published.filter((p) => p.uri === client.uri('.async-boundary.json')).at(-1)?.diagnostics ?? [];
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]!.message), /more than 64 levels deep/);
    } finally {
      await client.stop();
    }
  });

  it('reads the other entries of a config with one entry nested too deeply, and reports that entry on the config file', async () => {
    const config = `{ "rules": { "blocking-in-async": "off" }, "exclude": ${'['.repeat(10_000)}${']'.repeat(10_000)} }`;
    const client = await TestClient.start({ files: { '.async-boundary.json': config } });
    try {
      assert.deepEqual(await client.open('a.ts', HANDLER), [], 'blocking-in-async is off');
      const errors = client.published.filter((p) => p.uri === client.uri('.async-boundary.json')).at(-1)?.diagnostics ?? [];
      assert.deepEqual(errors.map((e) => e.message), ['The config nests arrays and objects more than 64 levels deep here (the format needs 5): `exclude` is ignored; fix the brackets']);
    } finally {
      await client.stop();
    }
  });

  it('says in an information diagnostic that findings after a syntax error may be missing, and where deep nesting was left out', async () => {
    const client = await TestClient.start();
    try {
      const bad = await client.open('bad.ts', `${HANDLER}const = = ;\n`);
      assert.deepEqual(bad.map((d) => [d.code, d.severity, d.range.start.line]), [['blocking-in-async', 2, 2], [undefined, 3, 4]]);
      assert.match(String(bad[1]!.message), /Syntax error: async-boundary findings after this point may be missing/);
      const deep = await client.open('deep.ts', `${HANDLER}f(${'() => { f('.repeat(1500)}${')}'.repeat(1500)});\n`);
      assert.deepEqual(deep.map((d) => [d.code, d.severity, d.range.start.line]), [['blocking-in-async', 2, 2], [undefined, 3, 4]]);
      assert.match(String(deep[1]!.message), /nested too deeply to analyse/);
    } finally {
      await client.stop();
    }
  });

  it('names every statement nested too deeply in one information diagnostic, the others as related locations', async function () {
    // Two JSX trees 10,000 deep: where the parser overflows moves with the JIT (5,000 deep parsed whole
    // on an idle machine once the TS walk got leaner), and this many lines take seconds under load.
    this.timeout(120_000);
    const client = await TestClient.start();
    try {
      const jsx = `export const e = (\n${'<div>\n'.repeat(10_000)}x\n${'</div>\n'.repeat(10_000)});\n`;
      const middle = HANDLER.replace('load', 'load2').replace("import fs from 'node:fs';\n", '');
      const text = `${HANDLER}${jsx}${middle}${jsx.replace('const e', 'const e2')}`;
      const line = (needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length - 1;
      const uri = client.uri('two.tsx');
      const diagnostics = await client.open('two.tsx', text, 'typescriptreact');
      assert.deepEqual(
        diagnostics.map((d) => [d.code, d.severity, d.range.start.line]),
        [['blocking-in-async', 2, 2], ['blocking-in-async', 2, text.split('\n').findIndex((l, i) => i > 4 && l.includes('readFileSync'))], [undefined, 3, line('export const e =')]],
      );
      const notice = diagnostics[2]!;
      assert.match(String(notice.message), /nested too deeply to analyse starts here and in 1 more place/);
      assert.deepEqual(notice.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [[uri, line('export const e2')]]);
    } finally {
      await client.stop();
    }
  });

  for (const [kind, links, why] of [
    ['dangling', { '.async-boundary.json': 'missing.json' }, 'it is a symbolic link to `missing.json`, which does not exist'],
    ['looping', { '.async-boundary.json': 'loop.json', 'loop.json': '.async-boundary.json' }, 'it is a symbolic link to `loop.json`, which leads back to itself (ELOOP)'],
  ] as const) {
    it(`reports a ${kind} symbolic link as the config on the config file, and keeps analysing with the defaults`, async () => {
      const client = await TestClient.start({ links });
      try {
        const diagnostics = await client.open('a.ts', HANDLER);
        assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['blocking-in-async', 2]]);
        const errors = client.published.filter((p) => p.uri === client.uri('.async-boundary.json')).at(-1)?.diagnostics ?? [];
        assert.deepEqual(
          errors.map((e) => [e.severity, e.range.start.line, e.message]),
          [[1, 0, `Cannot read the config file: ${why}: point the link at a config file or remove it; the files in this folder are analysed with the defaults`]],
        );
        // Still serving: a second document gets its findings.
        assert.equal((await client.open('b.ts', HANDLER)).length, 1);
      } finally {
        await client.stop();
      }
    });
  }

  it('reports a folder named .async-boundary.json in a subfolder as that folder\'s config error; the root config still applies elsewhere', async () => {
    const client = await TestClient.start({ files: { '.async-boundary.json': '{ "rules": { "blocking-in-async": "info" } }' } });
    try {
      mkdirSync(join(client.root, 'sub', '.async-boundary.json'), { recursive: true });
      assert.deepEqual((await client.open('sub/a.ts', HANDLER)).map((d) => [d.code, d.severity]), [['blocking-in-async', 2]], 'the defaults in sub/');
      assert.deepEqual((await client.open('b.ts', HANDLER)).map((d) => [d.code, d.severity]), [['blocking-in-async', 3]], 'the root config elsewhere');
      const errors = client.published.filter((p) => p.uri === client.uri('sub/.async-boundary.json')).at(-1)?.diagnostics ?? [];
      assert.deepEqual(errors.map((e) => e.message), ['Cannot read the config file: it is a folder, not a file; the files in this folder are analysed with the defaults']);
    } finally {
      await client.stop();
    }
  });

  it('reports a named pipe as a folder\'s config instead of waiting on it for ever', async () => {
    const client = await TestClient.start();
    try {
      mkdirSync(join(client.root, 'sub'));
      execFileSync('mkfifo', [join(client.root, 'sub', '.async-boundary.json')]);
      assert.equal((await client.open('sub/a.ts', HANDLER)).length, 1);
      const errors = client.published.filter((p) => p.uri === client.uri('sub/.async-boundary.json')).at(-1)?.diagnostics ?? [];
      assert.deepEqual(
        errors.map((e) => e.message),
        ['Cannot read the config file: it is not a regular file (a named pipe); the files in this folder are analysed with the defaults'],
      );
    } finally {
      await client.stop();
    }
  });
});
