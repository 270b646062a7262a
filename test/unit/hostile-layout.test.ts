// The project layout reader on repositories nobody checked: configs that extend themselves or each
// other, chains longer than any real one, oversized and non-JSON files, a named pipe where a config
// should be, workspace globs that point outside their root, and maps with more patterns than any
// real project writes. Each must end quickly with what the sound configs say, and never hang.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { PathMap, ProjectLayout } from '../../server/src/engine/linker';
import { MAX_PATTERNS } from '../../server/src/languages/typescript/project-config';
import { readProjectLayout } from '../../server/src/project/layout';
import { MAX_CONFIG_BYTES } from '../../server/src/project/read-config';
import { removeWorkspace, workspace } from './cli-helpers';

const HANDLER = "import { readTemplate } from '@server/utils/templates';\nexport async function h() { return readTemplate('x'); }\n";
const PATHS = { compilerOptions: { baseUrl: '.', paths: { '@server/*': ['./server/*'] } } };

async function layoutOf(files: Record<string, string>, setup?: (root: string) => void): Promise<{ layout: ProjectLayout; root: string; ms: number }> {
  const root = workspace({ 'server/routes/a.ts': HANDLER, ...files });
  try {
    setup?.(root);
    const t0 = Date.now();
    const layout = await readProjectLayout([join(root, 'server/routes/a.ts'), join(root, 'server/lib.rs')]);
    return { layout, root, ms: Date.now() - t0 };
  } finally {
    removeWorkspace(root);
  }
}

const aliasesAt = (layout: ProjectLayout, dir: string): PathMap | undefined => layout.tsconfigs?.get(dir);

describe('project layout: hostile configs', function () {
  this.timeout(60_000);

  it('a tsconfig that extends itself keeps its own aliases and ends', async () => {
    const { layout, root, ms } = await layoutOf({ 'tsconfig.json': JSON.stringify({ extends: './tsconfig.json', ...PATHS }) });
    assert.deepEqual(aliasesAt(layout, root)?.entries, [{ pattern: '@server/*', targets: [join(root, 'server/*')] }]);
    assert.ok(ms < 5_000, `${ms} ms`);
  });

  it('configs that extend each other in a cycle, and a chain of 40, end with what they say', async () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i < 40; i++) chain[`configs/c${i}.json`] = JSON.stringify({ extends: `./c${i + 1}.json` });
    const { layout, root } = await layoutOf({
      'tsconfig.json': JSON.stringify({ extends: ['./a.json', './configs/c0.json'] }),
      'a.json': JSON.stringify({ extends: './b.json', compilerOptions: { paths: PATHS.compilerOptions.paths } }),
      'b.json': JSON.stringify({ extends: './a', compilerOptions: { baseUrl: './server' } }),
      ...chain,
    });
    const map = aliasesAt(layout, root)!;
    // a.json's paths, relative to b.json's baseUrl (TypeScript resolves paths from baseUrl when one is set).
    assert.equal(map.baseUrl, join(root, 'server'));
    assert.deepEqual(map.entries, [{ pattern: '@server/*', targets: [join(root, 'server/server/*')] }]);
  });

  it('an oversized, a non-JSON and a binary config are ignored; the sound ones still apply', async () => {
    const big = JSON.stringify({ ...PATHS, padding: 'x'.repeat(MAX_CONFIG_BYTES) });
    const { layout, root } = await layoutOf({
      'tsconfig.json': big,
      'server/tsconfig.json': 'module.exports = { compilerOptions: {} }',
      'server/routes/tsconfig.json': '{"compilerOptions": {"paths": {"x": ["\u0000"]}}}\u0000\u0001',
      'server/routes/package.json': JSON.stringify({ name: 'routes', imports: { '#t': './t.js' } }),
    });
    assert.equal(aliasesAt(layout, root), undefined);
    assert.equal(aliasesAt(layout, join(root, 'server')), undefined);
    assert.equal(aliasesAt(layout, join(root, 'server/routes')), undefined);
    assert.deepEqual(layout.importMaps?.get(join(root, 'server/routes'))?.entries, [{ pattern: '#t', targets: [join(root, 'server/routes/t.js')] }]);
  });

  it('a named pipe called tsconfig.json, package.json or Cargo.toml is not read (the reader does not block on it)', async () => {
    const { layout, root, ms } = await layoutOf({ 'server/lib.rs': 'pub fn f() {}\n' }, (root) => {
      for (const name of ['tsconfig.json', 'package.json', 'Cargo.toml']) execFileSync('mkfifo', [join(root, name)]);
    });
    assert.equal(layout.tsconfigs?.get(root), undefined);
    assert.equal(layout.importMaps?.get(root), undefined);
    assert.equal(layout.packages, undefined);
    assert.ok(ms < 5_000, `${ms} ms`);
  });

  it('workspace globs stay inside their root; huge alias maps are cut to the cap', async () => {
    const paths: Record<string, string[]> = {};
    for (let i = 0; i < 5_000; i++) paths[`@p${i}/*`] = [`./p${i}/*`];
    const { layout, root } = await layoutOf({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['../*', '/etc', 'packages/**/**/*'] }),
      'packages/a/package.json': JSON.stringify({ name: '@x/a', main: './index.ts' }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths } }),
    });
    const names = [...(layout.nodePackages?.keys() ?? [])];
    assert.ok(names.includes('@x/a') && names.includes('root'), names.join(', '));
    // Nothing above the root or at an absolute path became a package of the project.
    assert.ok(names.every((n) => n === 'root' || n === '@x/a' || n === 'async-boundary'), names.join(', '));
    assert.equal(aliasesAt(layout, root)?.entries.length, MAX_PATTERNS);
  });
});
