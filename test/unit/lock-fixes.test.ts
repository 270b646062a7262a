// `await-holding-lock` fixes reviewers apply by hand, beyond the fixtures' before/after files: what
// each offers, what it refuses and why, and that every result parses and loses the finding.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';
import { frontendForPath } from '../../server/src/project/languages';

const FIXTURES = join(__dirname, '..', 'fixtures');

function lockFindings(path: string, text: string) {
  const a = analyze({ path, text })!;
  return a.findings
    .filter((f) => f.rule === 'await-holding-lock')
    .map((f) => ({ line: a.lines.position(f.span.start).line + 1, ...fixesFor(a, f) }));
}

function expectFixed(path: string, text: string, line: number): string {
  const found = lockFindings(path, text).find((f) => f.line === line);
  assert.ok(found?.fixes[0], `a fix on line ${line}`);
  const after = applyEdits(text, found.fixes[0].edits);
  assert.equal(frontendForPath(path)!.syntaxErrors(after, path), 0, after);
  assert.equal(
    lockFindings(path, after).length,
    lockFindings(path, text).length - 1,
    `the fix on line ${line} removes exactly its finding:\n${after}`,
  );
  return after;
}

describe('await-holding-lock fixes (TypeScript): move the awaited call out of the locked section', () => {
  const movable = join(FIXTURES, 'ts', 'await-holding-lock', 'invalid-io-movable-out-of-lock.ts');
  const text = readFileSync(movable, 'utf8');

  it('moves the last awaited call after the release, and the first before the acquisition, as suggestions', () => {
    const found = lockFindings(movable, text);
    assert.deepEqual(
      found.map((f) => [f.line, f.fixes.map((x) => `${x.safety}: ${x.title}`)]),
      [
        [18, ['suggestion: Move `await postAudit(…)` after the lock is released (it reads nothing the locked section writes)']],
        [29, ['suggestion: Move `await fetch(…)` after the lock is released (it reads nothing the locked section writes)']],
        [37, ['suggestion: Move `await fetch(…).then(…)` before the lock is taken (it reads nothing the locked section writes)']],
        [51, ['suggestion: Move `await fetch(…)` after the lock is released (it reads nothing the locked section writes)']],
      ],
    );
  });

  it('each move removes its finding and parses', () => {
    const credit = expectFixed(movable, text, 18);
    assert.match(credit, /\n {2}} finally {\n {4}release\(\);\n {2}}\n {2}await postAudit\(entry\);/);
    const reserve = expectFixed(movable, text, 37);
    assert.match(reserve, /const limit = await fetch\(`https:\/\/limits\.internal\/\$\{account\}`\)[^\n]*\n {2}const release = await balancesLock\.acquire\(\);/);
    expectFixed(movable, text, 29);
    expectFixed(movable, text, 51);
  });

  it('refuses, with the reason, a call under a condition and one that reads what the section computes; one between other locked work is released around instead', () => {
    const path = join(FIXTURES, 'ts', 'await-holding-lock', 'invalid-io-not-movable-out-of-lock.ts');
    const found = lockFindings(path, readFileSync(path, 'utf8'));
    assert.deepEqual(
      found.map((f) => [f.line, f.fixes.map((x) => x.title.replace(/ \(.*/, '')), f.refused.map((r) => r.reason.replace(/:.*/, ''))]),
      [
        [21, [], ['the `await` is part of a larger statement under the lock (a condition, a loop, or a write to what the lock guards)']],
        [35, [], ['the awaited call reads `current`, which is set under the lock']],
        [46, ['Release `profilesLock` before `await fetch(…)` and take it again after it: split the `try … finally` in two'], []],
      ],
    );
  });

  it('refuses a call that reads `this` or module state the lock may guard', () => {
    const cls = [
      "import { Mutex } from 'async-mutex';",
      'export class Cache {',
      '  private readonly lock = new Mutex();',
      '  private readonly base = "https://origin.internal";',
      '  async refresh(key: string): Promise<void> {',
      '    await this.lock.runExclusive(async () => {',
      '      await fetch(`${this.base}/${key}`);',
      '    });',
      '  }',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(lockFindings('cache.ts', cls).map((f) => f.refused.map((r) => r.reason)), [['the awaited call reads `this`, whose fields the lock may guard']]);
  });
});

describe('await-holding-lock fixes (Rust): bind the scrutinee with `let`', () => {
  const path = join(FIXTURES, 'rust', 'await-holding-lock', 'invalid-temporaries.rs');
  const text = readFileSync(path, 'utf8');

  it('binds a `match` or `if let` scrutinee with `let` so the temporary guard drops before the `.await`', () => {
    const after = expectFixed(path, text, 11);
    assert.match(after, /let found = jobs\.lock\(\)\.unwrap\(\)\.get\(&id\)\.cloned\(\);\n {4}match found \{/);
    assert.match(expectFixed(path, text, 19), /let found = jobs\.lock\(\)\.unwrap\(\)\.get\(&id\)\.cloned\(\);\n {4}if let Some\(name\) = found \{/);
  });

  it('binds an owned value as it is, and keeps the refusal where binding would change the loop', () => {
    const queue = [
      'use std::collections::VecDeque;',
      'use std::sync::{Arc, Mutex};',
      'async fn send(id: u64) {}',
      'pub async fn drain_one(queue: Arc<Mutex<VecDeque<u64>>>) {',
      '    if let Some(id) = queue.lock().unwrap().pop_front() {',
      '        send(id).await;',
      '    }',
      '}',
      '',
    ].join('\n');
    assert.match(expectFixed('src/lib.rs', queue, 6), /let next = queue\.lock\(\)\.unwrap\(\)\.pop_front\(\);\n {4}if let Some\(id\) = next \{/);
    const loop = lockFindings(path, text).find((f) => f.line === 33)!;
    assert.deepEqual(loop.fixes, []);
    assert.match(loop.refused[0]!.reason, /is a temporary that lives until the end of its statement/);
  });
});

describe('await-holding-lock fixes (Rust): narrow the region of a guard used after the `.await`', () => {
  const path = join(FIXTURES, 'rust', 'await-holding-lock', 'invalid-guard-used-after-await.rs');
  const text = readFileSync(path, 'utf8');

  it('releases and re-takes the lock around the statement that awaits, stating the safety, or takes it where first used', () => {
    const found = lockFindings(path, text);
    const titles = found.map((f) => [f.line, f.fixes.map((x) => `${x.safety}: ${x.title}`)]);
    assert.deepEqual(titles.slice(0, 3), [
      [28, ['suggestion: Release `peers` before the `.await` and lock `self.peers` again after it (nothing read from it crosses the `.await`; other tasks may change it in between)']],
      [37, ['suggestion: Lock `self.seen` where `seen` is first used, after the `.await` (other tasks are no longer kept out while it waits)']],
      [38, ['suggestion: Lock `self.seen` where `seen` is first used, after the `.await` (other tasks are no longer kept out while it waits)']],
    ]);
    const connect = expectFixed(path, text, 28);
    assert.match(connect, /peers\.retain\([^\n]*\n {8}drop\(peers\);\n {8}let stream = TcpStream::connect\(addr\)\.await\?;[^\n]*\n {8}let mut peers = self\.peers\.lock\(\)\.await;\n {8}let \(_read/);
    // Both awaits before the first use go out of the locked region with one move.
    const seen = applyEdits(text, found.find((f) => f.line === 37)!.fixes[0]!.edits);
    assert.match(seen, /pub async fn record_seen[^\n]*\n {8}let mut stream = [^\n]*\n {8}stream\.write_all[^\n]*\n {8}let mut seen = self\.seen\.lock\(\)\.await;\n {8}seen\.push\(addr\);/);
    assert.equal(frontendForPath(path)!.syntaxErrors(seen, path), 0);
    assert.equal(lockFindings(path, seen).length, found.length - 2, 'both awaits of record_seen are out of the region');
  });

  it('refuses, with the reason, a value read from the guard before the `.await` and used after it, and a statement that awaits while using the guard', () => {
    const found = lockFindings(path, text);
    assert.deepEqual(
      found.slice(3).map((f) => [f.line, f.fixes.length, f.refused.map((r) => r.reason.replace(/:.*/, ''))]),
      [
        [47, 0, ['`count` is read from `peers` before the `.await` and used after it']],
        [48, 0, ['`count` is read from `peers` before the `.await` and used after it']],
        [57, 0, ['`peers` is used in the statement that awaits (line 56)']],
      ],
    );
  });

  it('keeps `mut` and the acquisition as written, and does not read a word in a string as a use of the guard', () => {
    const src = [
      'use std::sync::Arc;',
      'use tokio::sync::RwLock;',
      'pub async fn reload(routes: Arc<RwLock<Vec<String>>>) -> std::io::Result<()> {',
      '    let mut table = routes.write().await;',
      '    table.clear();',
      '    let text = tokio::fs::read_to_string("table.txt").await?;',
      '    table.extend(text.lines().map(str::to_owned));',
      '    Ok(())',
      '}',
      '',
    ].join('\n');
    const after = expectFixed('src/lib.rs', src, 6);
    assert.match(after, /table\.clear\(\);\n {4}drop\(table\);\n {4}let text = [^\n]*\n {4}let mut table = routes\.write\(\)\.await;\n {4}table\.extend/);
  });

  it('refuses when the lock expression would name something else after the statement', () => {
    const src = [
      'use std::sync::Mutex;',
      'async fn next(i: usize) -> usize { i + 1 }',
      'pub async fn walk(shards: &[Mutex<Vec<u8>>], mut i: usize) {',
      '    let mut shard = shards[i].lock().unwrap();',
      '    shard.push(1);',
      '    i = next(i).await;',
      '    shard.push(i as u8);',
      '}',
      '',
    ].join('\n');
    const found = lockFindings('src/lib.rs', src);
    assert.deepEqual(found.map((f) => [f.line, f.fixes.length, f.refused.map((r) => r.reason.replace(/:.*/, ''))]), [[6, 0, ['`i` changes before the lock would be taken again']]]);
  });
});

describe('await-holding-lock fixes (TypeScript): release around an awaited call between other locked work', () => {
  const path = join(FIXTURES, 'ts', 'await-holding-lock', 'invalid-io-between-locked-work.ts');
  const text = readFileSync(path, 'utf8');
  const safety = 'nothing set under the lock before it is read after it; other tasks may change what the lock guards in between: re-check what you rely on';

  it('splits a try/finally or a runExclusive callback, or releases and re-takes an explicit releaser, as suggestions that state their safety', () => {
    const found = lockFindings(path, text);
    assert.deepEqual(
      found.map((f) => [f.line, f.fixes.map((x) => `${x.safety}: ${x.title}`)]),
      [
        [21, [`suggestion: Release \`stockLock\` before \`await fetch(…)\` and take it again after it: split the \`try … finally\` in two (${safety})`]],
        [31, [`suggestion: Release \`keysLock\` before \`await fetch(…)\` and take it again after it (${safety})`]],
        [39, [`suggestion: Release \`outboxLock\` before \`await fetch(…)\` and take it again after it: split the callback in two (${safety})`]],
        [49, []],
      ],
    );
    assert.match(expectFixed(path, text, 21), /\n {2}} finally {\n {4}release\(\);\n {2}}\n {2}\/\/ Tell the warehouse[^\n]*\n {2}await fetch[^\n]*\n {2}const releaseAgain = await stockLock\.acquire\(\);\n {2}try {\n {4}reserved\.add\(sku\);\n {2}} finally {\n {4}releaseAgain\(\);/);
    assert.match(expectFixed(path, text, 31), /let release = await keysLock\.acquire\(\);\n {2}keys\.delete\(key\);\n {2}release\(\);\n {2}const res = [^\n]*\n {2}release = await keysLock\.acquire\(\);\n {2}keys\.set/);
    assert.match(expectFixed(path, text, 39), /pending\.delete\(topic\);\n {2}}\);\n {2}await fetch[^\n]*\n {2}await outboxLock\.runExclusive\(async \(\) => {\n {4}published\.add\(topic\);\n {2}}\);/);
  });

  it('refuses, with the reason, when a value set under the lock before the await is read after it', () => {
    const restock = lockFindings(path, text).find((f) => f.line === 49)!;
    assert.match(restock.refused[0]!.reason, /`level` is set under the lock before the `await` and read after it: once the lock is released, other tasks may change what it was read from/);
  });

  it('refuses an explicit release that is not a plain call of the releaser', () => {
    const src = [
      "import { Mutex } from 'async-mutex';",
      'const jobs = new Map<string, string>();',
      'const jobsLock = new Mutex();',
      'export async function requeue(api: string, id: string): Promise<void> {',
      '  const release = await jobsLock.acquire();',
      '  jobs.delete(id);',
      '  await fetch(`${api}/jobs/${id}`, { method: "DELETE" });',
      "  jobs.set(id, 'queued');",
      '  release?.();',
      '}',
      '',
    ].join('\n');
    const found = lockFindings('jobs.ts', src);
    assert.deepEqual(found.map((f) => [f.line, f.fixes.length]), [[7, 0]]);
    assert.match(found[0]!.refused[0]!.reason, /released with `release\?\.\(\)`, not a plain `release\(\)`/);
  });
});
