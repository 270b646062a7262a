/** Entry point VS Code's test host loads (`extensionTestsPath`): runs the editor specs with mocha. */
import Mocha from 'mocha';
import * as path from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: true });
  mocha.addFile(path.join(__dirname, 'editor.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} editor test(s) failed`)) : resolve()));
  });
}
