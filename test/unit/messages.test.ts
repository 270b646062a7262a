// Message wording that users read: the advice must be a form that works as written.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';

function messages(text: string): string[] {
  return analyze({ path: 'handler.ts', text })!.findings.map((f) => f.message);
}

describe('rule messages', () => {
  it('advises the stdout of a promisified exec for execSync, not a drop-in await', () => {
    const [message] = messages(["import { execSync } from 'node:child_process';", 'export async function version() {', "  return execSync('git describe').toString();", '}', ''].join('\n'));
    assert.equal(message, '`execSync` blocks the event loop in `version`: use `(await util.promisify(child_process.exec)(…)).stdout` instead');
  });

  it('gives the same advice through a same-file helper', () => {
    const [message] = messages(["import { execFileSync } from 'child_process';", 'function rev() {', "  return execFileSync('git', ['rev-parse', 'HEAD']).toString();", '}', 'export async function handler() {', '  return rev();', '}', ''].join('\n'));
    assert.match(message!, /make it async and use `\(await util\.promisify\(child_process\.execFile\)\(…\)\)\.stdout`$/);
  });

  it('keeps the plain awaited form for drop-in twins', () => {
    const [message] = messages(["import fs from 'fs';", 'export async function load() {', "  return fs.readFileSync('a.json', 'utf8');", '}', ''].join('\n'));
    assert.match(message!, /use `await fs\.promises\.readFile` instead$/);
  });
});
