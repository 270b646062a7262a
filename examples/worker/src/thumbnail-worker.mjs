import { parentPort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';

// This file runs in a worker thread: blocking here keeps the main event loop free, which is the point.
parentPort.on('message', (job) => {
  const source = readFileSync(job.path);
  parentPort.postMessage({ id: job.id, body: zlib.gzipSync(source) });
});
