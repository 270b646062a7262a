// The real check worker, except that its thread dies on any file named `die.ts`: what happens when
// a worker thread is lost mid-file (out of memory, a WASM abort).
const { runTask } = require('../../../server/src/cli/check-tasks.ts');

module.exports = function (message) {
  if (message.kind === 'analyze' && message.input.path.endsWith('die.ts')) process.exit(70);
  return runTask(message);
};
