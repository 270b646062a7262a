/** Bundles the editor specs to CommonJS: VS Code's test host (and the e2e driver) load them with require(). */
import { build } from 'esbuild';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../..');

/** Writes `index.js` and `editor.test.js` to `out/test-vscode/` (mocha and vscode stay external) and returns the entry. */
export async function buildEditorSuite(): Promise<string> {
  // Inside the repo so the bundle's require('mocha') resolves to the project's mocha.
  const outdir = path.join(repo, 'out/test-vscode');
  await build({
    entryPoints: { index: 'test/vscode/suite/index.ts', 'editor.test': 'test/vscode/suite/editor.test.ts' },
    absWorkingDir: repo,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(outdir, 'index.js');
}
