// A worker for the pool tests: answers with its input and its thread id, and fails on demand the
// two ways a check worker can: its handler throws, or its thread dies under it.
const { threadId } = require('node:worker_threads');

module.exports = async function ({ value, fail, delayMs }) {
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  if (fail === 'throw') throw new Error(`handler failed on ${value}`);
  if (fail === 'exit') process.exit(7);
  return { value, threadId };
};
