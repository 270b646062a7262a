/**
 * `npm run test:vscode`: the editor specs (test/vscode/suite) in a downloaded VS Code desktop via
 * `@vscode/test-electron`. It needs to download VS Code, which this project's own machines cannot:
 * there, `npm run test:e2e` runs the same scenarios in code-server instead.
 */
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildEditorSuite } from './build';

const repo = path.resolve(__dirname, '../..');

async function main(): Promise<number> {
  const entry = await buildEditorSuite();
  const root = mkdtempSync(path.join(os.tmpdir(), 'ab-vscode-'));
  const workspace = path.join(root, 'workspace');
  cpSync(path.join(repo, 'test/e2e/workspace'), workspace, { recursive: true });
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repo,
      extensionTestsPath: entry,
      extensionTestsEnv: { ASYNC_BOUNDARY_TEST: '1' },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', path.join(root, 'user-data')],
    });
    return 0;
  } catch (err) {
    const msg = String((err as Error).message ?? err);
    if (/download|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|fetch failed|getaddrinfo/i.test(msg)) {
      console.error(`test:vscode: VS Code could not be downloaded (${msg.split('\n')[0]}); on machines without that access run \`npm run test:e2e\``);
    } else {
      console.error(`test:vscode: ${msg}`);
    }
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
