#!/usr/bin/env node
// A one-shot CLI: it has nothing else to do while it reads, so synchronous IO is fine here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'migrations';
for (const file of readdirSync(dir).sort()) {
  const sql = readFileSync(join(dir, file), 'utf8');
  console.log(`-- ${file}\n${sql}`);
}
