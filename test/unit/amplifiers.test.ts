// The amplifier rules beyond their fixtures: the detached-task fixes (before/after, re-parsed).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixesFor } from '../../server/src/engine/analyze';
import { applyEdits } from '../../server/src/engine/finding';
import { analyze } from '../../server/src/project/analyze';
import { initFrontends } from '../../server/src/project/languages';
import { analyzeProject } from '../../server/src/project/link';
import { amplifierHover } from '../../server/src/lsp/hover';

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

describe('detached-task across files', () => {
  // The fixture project's router drops the promise of another module's async functions.
  const dir = join(__dirname, '../fixtures/ts/cross-file/users-router-esm');
  const names = ['db.js', 'controllers/user-controller.js', 'controllers/index.js', 'routes/users.js'];
  const project = () => analyzeProject(names.map((n) => ({ path: join(dir, n), text: readFileSync(join(dir, n), 'utf8'), shown: n })));

  it('summarises which async exports cannot reject and which callees a file drops', () => {
    const { summaries } = project();
    const controller = summaries.get(join(dir, 'controllers/user-controller.js'))!;
    const facts = Object.fromEntries(controller.exports.map((e) => [e.name, e.cannotReject === true]));
    assert.deepEqual(facts, { sendVerificationEmail: false, regenerateEmailVerifyToken: false, default: true, recordFailedLogin: true });
    const router = summaries.get(join(dir, 'routes/users.js'))!;
    assert.deepEqual([...(router.floating ?? [])].sort(), ['../controllers/index.js.recordFailedLogin', '../controllers/index.js.sendVerificationEmail', '../controllers/user-controller.js', '../controllers/user-controller.js.sendVerificationEmail']);
  });

  it('names the detached call in the hover and offers `await` where the handler is async', () => {
    const { analyses } = project();
    const a = analyses.get(join(dir, 'routes/users.js'))!;
    const text = a.parsed.text;
    const found = a.findings.filter((f) => f.rule === 'detached-task');
    assert.equal(found.length, 2);
    const at = text.indexOf('sendVerificationEmail(user, req.config); // expect');
    const hover = amplifierHover(a, at + 3);
    assert.ok(hover);
    assert.match((hover.contents as { value: string }).value, /^\*\*Detached task\*\*: `sendVerificationEmail` starts a task that nothing awaits or keeps/);
    assert.equal(amplifierHover(a, text.indexOf('recordFailedLogin(req.body.username); // ok') + 3), undefined, 'a function that catches its own failure is not a detached task');
    const fix = fixesFor(a, found[0]!).fixes[0]!;
    assert.equal(fix.title, 'Await `sendVerificationEmail(…)`');
    const fixed = applyEdits(text, fix.edits);
    const again = analyzeProject(names.map((n) => ({ path: join(dir, n), text: n === 'routes/users.js' ? fixed : readFileSync(join(dir, n), 'utf8'), shown: n })));
    assert.deepEqual(again.analyses.get(join(dir, 'routes/users.js'))!.findings.filter((f) => f.rule === 'detached-task').map((f) => a.lines.position(f.span.start).line + 1), [31]);
  });
});

describe('detached-task per Rust runtime', () => {
  it('says a dropped smol `Task` is cancelled and offers `.detach()`; async-std is told to await its handle, not to use a `JoinSet`', async () => {
    await initFrontends();
    const smol = readFileSync(join(__dirname, '../fixtures/rust/detached-task/invalid-smol-tasks-cancelled-on-drop.rs'), 'utf8');
    const a = analysed('server.rs', smol);
    const found = a.findings.filter((f) => f.rule === 'detached-task');
    assert.equal(found.length, 3);
    for (const f of found) {
      assert.match(f.message, /drops its `Task`, which cancels the task: it may never run/);
      assert.doesNotMatch(f.message, /error or panic is lost|JoinSet/);
      assert.deepEqual(fixesFor(a, f).fixes.map((x) => x.edits.map((e) => e.newText)), [['.detach()']]);
    }
    const hover = amplifierHover(a, found[0]!.span.start + 2);
    assert.ok(hover);
    assert.match((hover.contents as { value: string }).value, /^\*\*Detached task\*\*: `smol::spawn` starts a task that is cancelled as soon as its `Task` is dropped  \nKeep the `Task` and `\.await` it, or `\.detach\(\)` it/);
    const std = readFileSync(join(__dirname, '../fixtures/rust/detached-task/invalid-background-work-from-handlers.rs'), 'utf8');
    const b = analysed('handlers.rs', std);
    const asyncStd = b.findings.find((f) => f.rule === 'detached-task' && /async_std::task::spawn/.test(f.message));
    assert.ok(asyncStd);
    assert.match(asyncStd.message, /drops its `JoinHandle`: the task's error or panic is lost .*keep the handle and `\.await` it/);
    assert.doesNotMatch(asyncStd.message, /JoinSet/);
  });
});

describe('detached-task: a single tokio task kept by its service', () => {
  it('spawns on the service\'s `TaskTracker` (or `JoinSet<()>` under `&mut self`), else says why not', async () => {
    await initFrontends();
    const text = readFileSync(join(__dirname, '../fixtures/rust/detached-task/invalid-single-spawns-in-services.rs'), 'utf8');
    const a = analysed('services.rs', text);
    const found = a.findings.filter((f) => f.rule === 'detached-task');
    assert.equal(found.length, 4);
    const [tracker, joinSet, mailer, free] = found.map((f) => fixesFor(a, f, { dependencies: new Set(['tokio', 'tokio-util']) }));
    assert.equal(tracker!.fixes[0]!.title, 'Spawn it on `self.task_tracker`, so shutdown waits for it, and log its error where it runs');
    assert.equal(joinSet!.fixes[0]!.title, 'Spawn it on `self.renewals`, so shutdown waits for it, and log its error where it runs');
    for (const r of [tracker!, joinSet!]) assert.deepEqual(r.refused, []);
    // No owner in the code: the log fix only, and a refusal that says what is missing.
    assert.deepEqual(mailer!.fixes.map((f) => f.title), [mailer!.fixes[0]!.title]);
    assert.match(mailer!.fixes[0]!.title, /^Log the task's error where it runs/);
    assert.match(mailer!.refused[0]!.reason, /^`Mailer` has no field that owns tasks: .*a `tokio_util::task::TaskTracker` field, closed and waited for at shutdown/);
    assert.match(free!.refused[0]!.reason, /^`touch` is not a method of a type that could own the task: return its `JoinHandle` to the caller/);
    // Without tokio-util, the refusal names what tokio itself has.
    const plain = fixesFor(a, found[2]!, { dependencies: new Set(['tokio']) });
    assert.match(plain.refused[0]!.reason, /a `tokio::task::JoinSet` field, joined at shutdown/);
    // A `JoinSet` field under `&self` cannot take a task: no owner fix there.
    const shared = text.replace('pub fn renew(&mut self', 'pub fn renew(&self');
    const b = analysed('services.rs', shared);
    const sharedFix = fixesFor(b, b.findings.filter((f) => f.rule === 'detached-task')[1]!);
    assert.equal(sharedFix.refused[0]!.reason, '`CertRenewer`\'s `JoinSet` (`renewals`) takes a task only through `&mut self`, and `renew` has `&self`');
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
