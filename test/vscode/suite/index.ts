/**
 * Entry point VS Code's test host loads (`extensionTestsPath`): runs the editor specs with mocha.
 * The e2e driver calls it too, inside code-server, and reads the returned titles.
 */
import Mocha from 'mocha';
import * as path from 'node:path';

export interface SuiteResult {
  readonly passed: string[];
  readonly failed: { title: string; error: string }[];
}

export function run(): Promise<SuiteResult> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false });
  mocha.addFile(path.join(__dirname, 'editor.test.js'));
  const result: SuiteResult = { passed: [], failed: [] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (failures === 0) resolve(result);
      else reject(new Error(`${failures} editor test(s) failed:\n${result.failed.map((f) => `${f.title}: ${f.error}`).join('\n')}`));
    });
    runner.on('pass', (t) => result.passed.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => result.failed.push({ title: t.fullTitle(), error: String(err.stack ?? err) }));
  });
}
