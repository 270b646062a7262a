// The amplifier rules beyond their fixtures: the detached-task fixes (before/after, re-parsed).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixesFor } from '../../server/src/engine/analyze';
import { applyEdits } from '../../server/src/engine/finding';
import { analyze } from '../../server/src/project/analyze';
import { initFrontends } from '../../server/src/project/languages';

function analysed(path: string, text: string) {
  const a = analyze({ path, text });
  assert.ok(a);
  return a;
}

describe('detached-task fixes', () => {
  const text = [
    'async function audit(x: string) { await fetch(x); }',
    'export async function save(user: string) {',
    '  audit(user);',
    '}',
    'export function later(user: string) {',
    '  audit(user);',
    '}',
    '',
  ].join('\n');

  it('adds `await` in an async function, or lets the promise run on with `void` and its rejection logged', () => {
    const a = analysed('save.ts', text);
    const [inAsync, inSync] = a.findings.filter((f) => f.rule === 'detached-task');
    assert.ok(inAsync && inSync);
    const first = fixesFor(a, inAsync);
    const runOn = 'Let `audit(…)` run on deliberately, logging its rejection (`void ….catch(…)`)';
    assert.deepEqual(first.fixes.map((f) => f.title), ['Await `audit(…)`', runOn]);
    const awaited = applyEdits(text, first.fixes[0]!.edits);
    assert.match(awaited, /^ {2}await audit\(user\);$/m);
    assert.equal(analysed('save.ts', awaited).findings.filter((f) => f.rule === 'detached-task').length, 1);
    const second = fixesFor(a, inSync);
    assert.deepEqual(second.fixes.map((f) => f.title), [runOn], 'no `await` outside an async function');
    const shift = 'await '.length;
    const voided = applyEdits(awaited, second.fixes[0]!.edits.map((e) => ({ ...e, span: { start: e.span.start + shift, end: e.span.end + shift } })));
    assert.match(voided, /^ {2}void audit\(user\)\.catch\(\(err\) => console\.error\(err\)\);$/m);
    assert.equal(analysed('save.ts', voided).findings.filter((f) => f.rule === 'detached-task').length, 0);
  });
});

describe('retry-without-backoff messages', () => {
  const messages = async (file: string): Promise<string[]> => {
    await initFrontends();
    const text = readFileSync(join(__dirname, '../fixtures', file), 'utf8');
    return analysed(file, text).findings.filter((f) => f.rule === 'retry-without-backoff').map((f) => f.message);
  };

  it('names what is missing, reading a cap kept on an object or a local alias of it', async () => {
    const [ping, refresh] = await messages('ts/retry-without-backoff/invalid-capped-on-a-job.js');
    assert.match(ping!, /^`this\.pingUrl` retries itself on failure in the `setTimeout` callback with a constant delay: when the dependency is down, every caller retries on the same fixed beat together/);
    assert.match(refresh!, /^`this\.refreshToken` retries itself on failure in `refreshToken` with no delay: .* at full speed /);
  });

  it('reads delays from code, not comments, and names the function of a sync retry', async () => {
    const [connect, config, post, lock] = await messages('rust/retry-without-backoff/invalid-retry-loops.rs');
    assert.match(connect!, /in `connect_db` with a constant delay and no cap on attempts:/);
    assert.match(config!, /in `fetch_config` with no delay and no cap on attempts:/, 'the `expect: retry-without-backoff` comment is not a backoff');
    assert.match(post!, /in `post_event` with a constant delay:/);
    assert.match(lock!, /^This loop retries `std::fs::OpenOptions::new` in `lock_file` with a constant delay and no cap on attempts:/, 'a sleep as a match arm\'s value is a delay');
  });
});
