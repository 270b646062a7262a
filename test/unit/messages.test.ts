// Message wording that users read: the advice must be a form that works as written.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';
import { initFrontends } from '../../server/src/project/languages';

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

describe('rule messages: a blocking call at the end of a builder chain', () => {
  const RUST = [
    'use std::process::Command;',
    '',
    'pub async fn head(repo: &str) -> std::io::Result<Vec<u8>> {',
    '    let out = Command::new("git")',
    '        .arg("-C")',
    '        .arg(repo)',
    '        .args(["rev-parse", "HEAD"])',
    '        .output()?;',
    '    Ok(out.stdout)',
    '}',
    '',
  ].join('\n');
  const TS = [
    "import Database from 'better-sqlite3';",
    "const db = new Database('app.db');",
    'export async function list(owner: string) {',
    '  return db',
    "    .prepare('SELECT * FROM items WHERE owner = ?')",
    '    .all(owner);',
    '}',
    '',
  ].join('\n');

  for (const [path, text, named, underlined] of [
    ['head.rs', RUST, '`Command::output` blocks the executor thread in `head`', 'output()'],
    ['list.ts', TS, '`Statement.all` blocks the event loop in `list`', 'all(owner)'],
  ] as const) {
    it(`${path}: names the blocking method, starts on the chain's first line, and focuses on the call that blocks`, async () => {
      await initFrontends();
      const [finding, ...rest] = analyze({ path, text })!.findings;
      assert.equal(rest.length, 0);
      assert.ok(finding!.message.startsWith(named), finding!.message);
      assert.doesNotMatch(finding!.message, /\.arg\(|prepare\(/, 'the message repeats the chain');
      const firstLine = text.indexOf(path.endsWith('.rs') ? 'Command::new' : 'db\n');
      assert.equal(finding!.span.start, firstLine, 'the finding still starts where the expression starts (DESIGN: the line of a chained call is its first)');
      assert.equal(text.slice(finding!.focus!.start, finding!.focus!.end), underlined);
    });
  }

  it('leaves a call that is not at the end of a chain without a focus', () => {
    const [finding] = analyze({ path: 'handler.ts', text: ["import fs from 'fs';", 'export async function load() {', "  return fs.readFileSync('a.json', 'utf8');", '}', ''].join('\n') })!.findings;
    assert.equal(finding!.focus, undefined);
  });
});
