// The cross-file pass of `check` runs on the same pool as the first pass: each file whose calls
// reach blocking work in another file is analysed again as a task on the worker threads (several
// at once), not on the main thread, and its result lands in its own slot, so the output order is
// the walk order whatever order the tasks finish in. The project is shaped like the login example
// of issue #10 (routes importing a password helper that calls `bcrypt.compareSync`).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { checkInOrder, TaskRunner, type CheckItem, type ItemOutcome } from '../../server/src/cli/check-pipeline';
import { linkResults } from '../../server/src/cli/check-links';
import { runTask, type FileResult, type TaskMessage } from '../../server/src/cli/check-tasks';
import type { Pool } from '../../server/src/cli/pool';
import { ResultCache } from '../../server/src/cli/cache';
import { cli, removeWorkspace, workspace } from './cli-helpers';

const PASSWORD = ["import bcrypt from 'bcrypt';", '', 'export function verify(plain: string, hashed: string): boolean {', '  return bcrypt.compareSync(plain, hashed);', '}', ''].join('\n');

/** A route file whose handler calls the helper on line `4 + n`, so every file's finding differs. */
function route(n: number): string {
  return ["import type { Router } from 'express';", "import { verify } from '../services/password';", '', `export function mount${n}(router: Router): void {`, ...Array.from({ length: n }, () => '  // padding'), `  router.post('/login${n}', async (req, res) => {`, '    res.json({ ok: verify(req.body.password, req.body.hash) });', '  });', '}', ''].join('\n');
}

const ROUTES = 6;

function files(): Record<string, string> {
  const out: Record<string, string> = { 'src/services/password.ts': PASSWORD };
  for (let i = 0; i < ROUTES; i++) out[`src/routes/r${i}.ts`] = route(i);
  return out;
}

/** A pool that says it has threads and runs each task in this process after a delay that makes later files finish first. */
function recordingPool(seen: TaskMessage[], inFlight: { now: number; max: number }): (threads: number) => Pool<TaskMessage, FileResult> {
  return (threads) => ({
    threads,
    run: async (message) => {
      seen.push(message);
      inFlight.now++;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      const n = Number(/r(\d)\.ts$/.exec(message.input.path)?.[1] ?? 0);
      await new Promise((resolve) => setTimeout(resolve, (ROUTES - n) * 15));
      inFlight.now--;
      return runTask(message);
    },
    close: async () => undefined,
  });
}

describe('cli: the cross-file pass on the pool', function () {
  this.timeout(180_000);
  let ws: string;
  before(() => {
    ws = workspace(files());
  });
  after(() => removeWorkspace(ws));

  async function bothPasses(runner: TaskRunner, cache?: { readonly store: ResultCache; readonly tool: string }): Promise<[CheckItem, ItemOutcome][]> {
    async function* items(): AsyncGenerator<CheckItem> {
      for (const name of Object.keys(files()).sort()) {
        const abs = join(ws, name);
        yield { abs, config: DEFAULT_CONFIG, source: { text: files()[name]! }, summaryPath: name };
      }
    }
    const done: [CheckItem, ItemOutcome][] = [];
    try {
      for await (const pair of checkInOrder(items(), { jobs: 2, runner, ...(cache ? { cache } : {}) })) done.push([pair[0], pair[1]]);
      await linkResults(done, { runner, load: async () => undefined, ...(cache ? { cache } : {}) });
    } finally {
      await runner.close();
    }
    return done;
  }

  const rows = (done: [CheckItem, ItemOutcome][]): string[] =>
    done.flatMap(([item, outcome]) => ('result' in outcome ? outcome.result.findings.map((f) => `${item.abs.slice(ws.length + 1)}:${f.line}:${f.rule}`) : []));

  it('analyses the importers again as tasks on the threads, several at once, and keeps the walk order', async () => {
    const seen: TaskMessage[] = [];
    const inFlight = { now: 0, max: 0 };
    const done = await bothPasses(new TaskRunner({ jobs: 2, makePool: recordingPool(seen, inFlight) }));
    const linked = seen.filter((m) => m.input.imports !== undefined).map((m) => m.input.path.slice(ws.length + 1));
    assert.deepEqual([...linked].sort(), Array.from({ length: ROUTES }, (_, i) => `src/routes/r${i}.ts`), 'every importer is a task of the pool');
    assert.ok(inFlight.max >= 2, `at most ${inFlight.max} task in flight`);
    const inProcess = await bothPasses(new TaskRunner({ jobs: 1 }));
    assert.deepEqual(rows(done), rows(inProcess));
    assert.deepEqual(
      rows(done),
      Array.from({ length: ROUTES }, (_, i) => `src/routes/r${i}.ts:${6 + i}:blocking-in-async`),
    );
  });

  it('digests the summaries only for the cache, which keeps them in its link record', async () => {
    // The tasks of the first pass (they ask for the summary) and what they gave back.
    const summaryTasks = (got: [TaskMessage, FileResult][]) => got.filter(([m]) => m.input.summaryPath !== undefined);
    const recording = (got: [TaskMessage, FileResult][]) => (threads: number): Pool<TaskMessage, FileResult> => ({
      threads,
      run: async (message) => {
        const result = await runTask(message);
        got.push([message, result]);
        return result;
      },
      close: async () => undefined,
    });
    const plainTasks: [TaskMessage, FileResult][] = [];
    const plain = await bothPasses(new TaskRunner({ jobs: 2, makePool: recording(plainTasks) }));
    assert.equal(summaryTasks(plainTasks).length, ROUTES + 1);
    for (const [m, r] of summaryTasks(plainTasks)) {
      assert.equal(m.input.digest, undefined);
      assert.ok(r.summary, m.input.path);
      assert.equal(r.summaryDigest, undefined);
    }
    const store = await ResultCache.open(join(ws, 'cache.json'));
    const cachedTasks: [TaskMessage, FileResult][] = [];
    const cached = await bothPasses(new TaskRunner({ jobs: 2, makePool: recording(cachedTasks) }), { store, tool: 'test' });
    assert.deepEqual(rows(cached), rows(plain));
    assert.equal(summaryTasks(cachedTasks).length, ROUTES + 1);
    for (const [m, r] of summaryTasks(cachedTasks)) {
      assert.equal(m.input.digest, true);
      assert.match(r.summaryDigest ?? '', /^[0-9a-f]{32}$/);
    }
    // The link record these digests key is found by the next run over the same summaries: it analyses and links nothing.
    const warmTasks: [TaskMessage, FileResult][] = [];
    const warm = await bothPasses(new TaskRunner({ jobs: 2, makePool: recording(warmTasks) }), { store, tool: 'test' });
    assert.deepEqual(rows(warm), rows(plain));
    assert.deepEqual(warmTasks, []);
  });

  it('prints the same with worker threads as in-process', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const one = await cli(['check', '--format', format, '--jobs', '1'], ws);
      const two = await cli(['check', '--format', format, '--jobs', '2'], ws);
      assert.equal(one.code, 0, one.err);
      assert.match(one.out, /r5\.ts/);
      assert.deepEqual(two, one, format);
    }
  });
});
