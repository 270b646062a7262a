// Bundles the client, the server and the CLI into dist/ with esbuild.
import { build } from 'esbuild';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // TypeScript is large; keep the bundle readable in stack traces but not minified names.
  minifyWhitespace: !watch,
  // jsonc-parser's UMD build requires its parts dynamically, which a bundle cannot resolve: take the ES module build.
  mainFields: ['module', 'main'],
};

// The TypeScript compiler (about 9 MB of JavaScript) is its own file, dist/typescript.js, which the
// CLI, its worker and the server `require` only when they first analyse a TS/JS file (the TypeScript
// frontend is loaded lazily, server/src/languages/index.ts): inside a bundle Node would still read
// and compile all of it at start-up, which made `--version` and a run over Rust files take 0.35 s.
//
// The bundles' `typescript` is an ES module of one line whose default export is that `require`, as our
// sources import it (`import ts from 'typescript'`): with the compiler itself as the module, each of the
// 31 importing modules got its own copy of the compiler's 2,244 exports as getters (esbuild's
// `__toESM`), about 70,000 closures made in every thread that loads the compiler.
//
// `check` and its worker threads load the compiler through a V8 code cache kept in the user's cache
// folder (server/src/project/compile-cache.ts), made for the V8 flags of a `batch` run
// (project/v8-flags.ts); a worker thread reads it but does not write it (`codeCache: 'read'`). The
// language servers `require` it as before (`codeCache: false`): they start once per session, and a
// cache written when a server exits would hold up its exit and race its client's clean-up.
const typescriptApart = (codeCache) => ({
  name: 'typescript-apart',
  setup(b) {
    b.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'typescript-apart' }));
    b.onLoad({ filter: /.*/, namespace: 'typescript-apart' }, () => ({
      contents: codeCache
        ? `import { requireWithCodeCache } from './compile-cache';\nexport default requireWithCodeCache(require.resolve('./typescript.js'), 'batch', { write: ${codeCache === 'write'} });\n`
        : "export default require('./typescript.js');\n",
      resolveDir: join(process.cwd(), 'server', 'src', 'project'),
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/typescript\.js$/ }, () => ({ path: './typescript.js', external: true }));
  },
});
const serving = { ...common, plugins: [typescriptApart(false)] };
// The `lsp` subcommand's server (server/src/cli/lsp-serve.ts) is its own file, cli-lsp-serve.js,
// required only by that subcommand: the LSP libraries are about a quarter of the CLI bundle.
const lspServeApart = {
  name: 'lsp-serve-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/lsp-serve$/ }, () => ({ path: './cli-lsp-serve.js', external: true }));
  },
};

await Promise.all([
  // The compiler is minified in full (local names too: 3.6 MB instead of 6.7 MB), which cuts what V8
  // reads and pre-parses each time a process or thread loads it: 358-372 ms -> 291-300 ms to
  // `require` it here, a quarter of a warm `--cache` run that has one file to analyse. Its source map
  // still names everything.
  build({ ...common, minify: !watch, entryPoints: { typescript: 'node_modules/typescript/lib/typescript.js' }, outdir: 'dist' }),
  // dist/cli.js is the command: it sets the V8 flags and loads the CLI, dist/cli-main.js, through its
  // code cache (server/src/cli/launch.ts).
  build({ ...common, entryPoints: { cli: 'server/src/cli/launch.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' }, external: ['./cli-main.js'] }),
  // Code compiled from a code cache has no loader for dynamic `import()` (web-tree-sitter reads a
  // grammar's bytes with `await import("fs/promises")`): esbuild turns each into a `require`.
  build({ ...common, plugins: [typescriptApart('write'), lspServeApart], entryPoints: { 'cli-main': 'server/src/cli/main.ts' }, outdir: 'dist', external: ['@napi-rs/nice', 'tsx/cjs'], supported: { 'dynamic-import': false } }),
  build({ ...serving, entryPoints: { 'cli-lsp-serve': 'server/src/cli/lsp-serve.ts' }, outdir: 'dist' }),
  // `check --jobs N` runs its tasks on worker threads (server/src/cli/pool.ts): piscina starts each
  // thread on its own `worker.js`, found beside its code (so beside the CLI bundle), which then loads
  // our task module. `@napi-rs/nice` is an optional native module piscina tries only when asked to
  // lower thread priority, which we never do; `tsx/cjs` is used only when the CLI runs from its
  // TypeScript sources (tests), never from the bundle.
  build({ ...common, plugins: [typescriptApart('read')], entryPoints: { 'check-worker': 'server/src/cli/check-worker.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { worker: 'node_modules/piscina/dist/worker.js' }, outdir: 'dist', external: ['@napi-rs/nice'] }),
  build({ ...serving, entryPoints: { server: 'server/src/lsp/main.ts' }, outdir: 'dist' }),
  // `vscode` is provided by the extension host at run time.
  build({ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] }),
]);

// The tree-sitter runtime and the grammar of every tree-sitter frontend are loaded at run time from
// next to the bundles (server/src/languages/tree-sitter/grammar.ts); nothing is downloaded. The
// grammars are the ones the frontends declare (`grammar:` in `createTreeSitterFrontend`), asked of
// the sources themselves so that a new language cannot be forgotten here.
import { copyFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const grammars = JSON.parse(
  execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', "process.stdout.write(JSON.stringify(require('./server/src/languages').declaredGrammars()))"], { encoding: 'utf8' }),
);
if (!Array.isArray(grammars) || grammars.length === 0) throw new Error('build: no tree-sitter grammar declared by the frontends');
mkdirSync('dist', { recursive: true });
for (const wasm of ['node_modules/web-tree-sitter/tree-sitter.wasm', ...grammars.map((g) => `node_modules/${g}/${g}.wasm`)]) {
  copyFileSync(wasm, `dist/${wasm.slice(wasm.lastIndexOf('/') + 1)}`);
}
