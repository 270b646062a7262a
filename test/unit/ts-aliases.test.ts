// TS/JS specifiers that are not relative: tsconfig `paths`/`baseUrl` after `extends`, package.json
// `imports`, and the packages of a workspace by name. The fixture projects under
// test/fixtures/ts/cross-file/ are checked by cross-file.test.ts; here, that their findings need the
// layout, that the CLI finds them from one file, and the parsing and matching rules on their own.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { matchPattern, packageFacts, parseJsonc, pnpmWorkspaces, tsconfigFacts } from '../../server/src/languages/typescript/project-config';
import { typescriptResolver } from '../../server/src/languages/typescript/resolver';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';
import { cli, removeWorkspace, workspace } from './cli-helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ts', 'cross-file');
const ALIAS_PROJECTS = ['monorepo-workspace-packages', 'tsconfig-paths-extends', 'package-imports-subpath', 'pnpm-workspace-dist-exports', 'tsconfig-references-solution'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? sources(full) : /\.[cm]?[jt]sx?$/.test(e) ? [full] : [];
  });
}

function crossFileFindings(dir: string, layout: Parameters<typeof analyzeProject>[1]): string[] {
  const files = sources(dir).map((path) => ({ path, text: readFileSync(path, 'utf8'), shown: relative(dir, path), options: { location: { projectPath: relative(dir, path) } } }));
  const { analyses } = analyzeProject(files, layout);
  const out: string[] = [];
  for (const [path, a] of analyses) for (const f of a.findings) if (f.related?.some((r) => r.elsewhere)) out.push(`${relative(dir, path)}:${a.lines.position(f.span.start).line + 1}`);
  return out.sort();
}

describe('TS/JS path aliases and workspace packages', () => {
  for (const name of ALIAS_PROJECTS) {
    it(`${name}: its cross-file findings come through the layout, and none without it`, async () => {
      const dir = join(FIXTURES, name);
      const layout = await readProjectLayout(sources(dir));
      const withLayout = crossFileFindings(dir, layout);
      assert.ok(withLayout.length >= 2, `found ${withLayout.join(', ')}`);
      assert.deepEqual(crossFileFindings(dir, {}), []);
    });
  }

  it('the CLI checking one file of a monorepo app follows its imports into the sibling packages', async () => {
    // Copied out of `test/`, where every file is test code.
    const fixture = join(FIXTURES, 'monorepo-workspace-packages');
    const all = (d: string): string[] => readdirSync(d).flatMap((e) => (statSync(join(d, e)).isDirectory() ? all(join(d, e)) : [join(d, e)]));
    const dir = workspace(Object.fromEntries(all(fixture).map((f) => [relative(fixture, f), readFileSync(f, 'utf8')])));
    const r = await cli(['check', '--format', 'json', '--jobs', '1', 'apps/web/app/routes/api/sign.ts'], dir).finally(() => removeWorkspace(dir));
    const rows = JSON.parse(r.out) as { file: string; line: number; message: string }[];
    assert.deepEqual(
      rows.map((x) => `${x.file}:${x.line}`),
      ['apps/web/app/routes/api/sign.ts:7', 'apps/web/app/routes/api/sign.ts:11'],
    );
    assert.match(rows[1]!.message, /packages\/signing\/transports\/local\.ts:9/);
  });

  it('reads tsconfig text as tsc does: comments, trailing commas, and nothing else', () => {
    assert.deepEqual(parseJsonc('// c\n{ "a": [1, 2, /* x */ ], "b": "//not a comment", }'), { a: [1, 2], b: '//not a comment' });
    assert.deepEqual(parseJsonc('{ "s": "a,]" , }'), { s: 'a,]' });
    assert.equal(parseJsonc('{ "a": 1 /* never closed'), undefined);
    assert.equal(parseJsonc('module.exports = {}'), undefined);
    // Values of the wrong type are ignored, not trusted.
    assert.deepEqual(tsconfigFacts('{ "extends": 3, "compilerOptions": { "paths": { "@a/*": "src/*", "@b/*": ["b/*", 4] }, "baseUrl": {} } }'), { extends: [], paths: [['@b/*', ['b/*']]] });
    assert.deepEqual(tsconfigFacts('{ "extends": ["./a.json", "@tsconfig/node20"] }')?.extends, ['./a.json', '@tsconfig/node20']);
  });

  it('reads package.json entry points, exports, imports and workspaces', () => {
    const p = packageFacts(
      JSON.stringify({
        name: '@x/core',
        main: './dist/index.js',
        types: './dist/index.d.ts',
        workspaces: { packages: ['packages/*'] },
        exports: { '.': { types: './dist/index.d.ts', browser: './dist/browser.js', import: './dist/index.js' }, './util/*': './dist/util/*.js' },
        imports: { '#db': { test: './test/db.js', default: './src/db.js' }, notHash: './x.js' },
      }),
    )!;
    assert.equal(p.name, '@x/core');
    assert.deepEqual(p.workspaces, ['packages/*']);
    assert.deepEqual(p.main, ['./dist/index.d.ts', './dist/index.js']);
    assert.deepEqual(p.exports, [
      ['.', ['./dist/index.d.ts', './dist/index.js']],
      ['./util/*', ['./dist/util/*.js']],
    ]);
    assert.deepEqual(p.imports, [['#db', ['./src/db.js']]]);
    assert.deepEqual(pnpmWorkspaces("packages:\n  - 'apps/*'\n  - \"packages/*\" # libs\n  - '!**/test/**'\ncatalog:\n  react: ^18\n"), ['apps/*', 'packages/*', '!**/test/**']);
  });

  it('reads include, files and project references, and a referenced config applies to the folders it includes', async () => {
    const facts = tsconfigFacts('{ "files": [], "include": ["src", "types/**/*.d.ts"], "references": [{ "path": "./apps/api" }, { "path": "./tsconfig.node.json" }, { "prepend": true }, 3] }');
    assert.deepEqual([facts?.include, facts?.files, facts?.references], [['src', 'types/**/*.d.ts'], [], ['./apps/api', './tsconfig.node.json']]);
    // A reference to a folder names its tsconfig.json; its aliases reach the folders it includes, and
    // not a file outside them (tools/ is in no project of the solution).
    const root = workspace({
      'tsconfig.json': '{ "files": [], "references": [{ "path": "./apps/api" }] }',
      'apps/api/tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["./src/*"] } }, "include": ["src/**/*.ts", "scripts/seed.ts"] }',
      'apps/api/src/routes/users.ts': 'export {};\n',
      'tools/x.ts': 'export {};\n',
    });
    try {
      const layout = await readProjectLayout([join(root, 'tools/x.ts')]);
      const at = (rel: string) => layout.tsconfigs?.get(join(root, rel))?.entries.map((e) => `${e.pattern} -> ${relative(root, e.targets[0]!)}`);
      assert.deepEqual(at('apps/api/src'), ['~/* -> apps/api/src/*']);
      assert.deepEqual(at('apps/api/scripts'), ['~/* -> apps/api/src/*']);
      assert.deepEqual(at('.'), []);
    } finally {
      removeWorkspace(root);
    }
  });

  // The shape of a Vite/Next app whose tsconfig.json includes only src/ and holds the @/* alias,
  // with one-off scripts beside it that tsc never compiles: the alias is the app's, not theirs.
  it('a tsconfig\'s own include keeps its aliases from files outside it; a config further up that includes them applies', async () => {
    const root = workspace({
      'tsconfig.json': '{ "compilerOptions": { "paths": { "#shared/*": ["./shared/*"] } }, "include": ["apps/*/scripts", "shared"] }',
      'apps/web/tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } }, "include": ["src", "next-env.d.ts"] }',
      'apps/web/src/lib/db.ts': 'export {};\n',
      'apps/web/scripts/seed.ts': 'export {};\n',
      'apps/web/e2e/login.spec.ts': 'export {};\n',
      'shared/hash.ts': 'export {};\n',
    });
    try {
      const layout = await readProjectLayout(['apps/web/src/lib/db.ts', 'apps/web/scripts/seed.ts', 'apps/web/e2e/login.spec.ts'].map((f) => join(root, f)));
      assert.deepEqual(layout.tsconfigs?.get(join(root, 'apps/web'))?.scope, [join(root, 'apps/web/src'), join(root, 'apps/web')]);
      const files = (callee: string, from: string) => typescriptResolver.targets(callee, join(root, from), layout).flatMap((t) => ('files' in t.module ? t.module.files : []));
      assert.ok(files('@/lib/db.open', 'apps/web/src/routes/a.ts').includes(join(root, 'apps/web/src/lib/db.ts')));
      // next-env.d.ts names a file of the app's own folder: everything below it stays in scope.
      assert.ok(files('@/lib/db.open', 'apps/web/e2e/login.spec.ts').includes(join(root, 'apps/web/src/lib/db.ts')));
    } finally {
      removeWorkspace(root);
    }
    const scoped = {
      tsconfigs: new Map([
        ['/repo', { entries: [{ pattern: '#shared/*', targets: ['/repo/shared/*'] }], scope: ['/repo/apps/web/scripts', '/repo/shared'] }],
        ['/repo/apps/web', { entries: [{ pattern: '@/*', targets: ['/repo/apps/web/src/*'] }], scope: ['/repo/apps/web/src'] }],
      ]),
    };
    const files = (callee: string, from: string) => typescriptResolver.targets(callee, from, scoped).flatMap((t) => ('files' in t.module ? t.module.files : []));
    assert.ok(files('@/lib/db.open', '/repo/apps/web/src/routes/a.ts').includes('/repo/apps/web/src/lib/db.ts'));
    assert.deepEqual(files('@/lib/db.open', '/repo/apps/web/scripts/seed.ts'), [], 'the app config does not include scripts/');
    assert.ok(files('#shared/hash.sha', '/repo/apps/web/scripts/seed.ts').includes('/repo/shared/hash.ts'), 'the root config, which includes it, applies');
    assert.deepEqual(files('#shared/hash.sha', '/repo/tools/x.ts'), [], 'in no config\'s include');
  });

  it('matches patterns as TypeScript and Node do: exact first, then the longest prefix', () => {
    const entries = [
      { pattern: '@app/*', targets: ['/p/src/*'] },
      { pattern: '@app/db/*', targets: ['/p/db/*', '/p/legacy-db/*'] },
      { pattern: '@app/config', targets: ['/p/config/index.ts'] },
    ];
    assert.deepEqual(matchPattern(entries, '@app/db/pool'), ['/p/db/pool', '/p/legacy-db/pool']);
    assert.deepEqual(matchPattern(entries, '@app/config'), ['/p/config/index.ts']);
    assert.deepEqual(matchPattern(entries, '@app/routes/users'), ['/p/src/routes/users']);
    assert.equal(matchPattern(entries, 'express'), undefined);
  });

  it('the resolver asks the nearest tsconfig and never links Node built-ins or globals', () => {
    const layout = {
      tsconfigs: new Map([
        ['/repo', { entries: [{ pattern: '@server/*', targets: ['/repo/server/*'] }] }],
        ['/repo/plugins/x', { entries: [] }],
      ]),
    };
    const files = (callee: string, from: string) => typescriptResolver.targets(callee, from, layout).flatMap((t) => ('files' in t.module ? t.module.files : []));
    assert.ok(files('@server/utils/zip.compress', '/repo/server/routes/a.ts').includes('/repo/server/utils/zip.ts'));
    // A folder whose own tsconfig has no aliases takes none from the one above it.
    assert.deepEqual(files('@server/utils/zip.compress', '/repo/plugins/x/a.ts'), []);
    for (const callee of ['fs.readFileSync', 'node:fs.readFileSync', 'console.log', 'process.cwd', 'Promise.all', 'Buffer.from']) assert.equal(typescriptResolver.mayLink(callee), false, callee);
    assert.equal(typescriptResolver.mayLink('@acme/lib.hash'), true);
    assert.equal(typescriptResolver.mayLink('#services/report.render'), true);
  });
});
