// The pool under `check --jobs`: results in input order whatever finishes first, a bounded window,
// and one task's failure (its handler throws, its worker thread dies) costs that task only.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inOrder, inProcessPool, workerPool } from '../../server/src/cli/pool';

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('pool: inOrder', () => {
  it('yields results in input order when later items finish first', async () => {
    const delays = [40, 5, 25, 0, 15, 30, 1, 10];
    const finished: number[] = [];
    const out: number[] = [];
    for await (const [item, outcome] of inOrder(fromArray(delays.map((d, i) => ({ d, i }))), 4, async ({ d, i }) => {
      await sleep(d);
      finished.push(i);
      return i * 10;
    })) {
      assert.ok(outcome.ok);
      assert.equal(outcome.value, item.i * 10);
      out.push(item.i);
    }
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.notDeepEqual(finished, out, 'the delays make tasks finish out of order');
  });

  it('never has more than `window` items started and not yet consumed', async () => {
    let started = 0;
    let consumed = 0;
    let most = 0;
    const items = Array.from({ length: 30 }, (_, i) => i);
    for await (const [, outcome] of inOrder(fromArray(items), 3, async (i) => {
      started++;
      most = Math.max(most, started - consumed);
      await sleep(i % 4);
      return i;
    })) {
      assert.ok(outcome.ok);
      consumed++;
    }
    assert.equal(consumed, 30);
    assert.equal(most, 3);
  });

  it('turns a rejection or a synchronous throw into that item’s outcome and goes on', async () => {
    const outcomes: string[] = [];
    for await (const [item, outcome] of inOrder(fromArray(['a', 'reject', 'throw', 'b']), 2, (s) => {
      if (s === 'throw') throw new Error('sync');
      return s === 'reject' ? Promise.reject(new Error('async')) : Promise.resolve(s.toUpperCase());
    })) {
      outcomes.push(`${item}:${outcome.ok ? String(outcome.value) : (outcome.error as Error).message}`);
    }
    assert.deepEqual(outcomes, ['a:A', 'reject:async', 'throw:sync', 'b:B']);
  });
});

describe('pool: threads', function () {
  this.timeout(60_000);
  const filename = join(__dirname, 'pool', 'echo-worker.cjs');

  it('runs tasks on worker threads, and a thread that throws or dies fails only its task', async () => {
    const pool = workerPool<{ value: number; fail?: string }, { value: number; threadId: number }>({ threads: 2, filename, execArgv: [] });
    try {
      assert.equal(pool.threads, 2);
      const runs = [0, 1, 2, 3, 4, 5].map((value) => pool.run({ value, ...(value === 2 ? { fail: 'exit' } : value === 4 ? { fail: 'throw' } : {}) }));
      const settled = await Promise.allSettled(runs);
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(String((settled[4] as PromiseRejectedResult).reason), /handler failed on 4/);
      const ids = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.threadId] : []));
      assert.ok(ids.every((id) => id !== 0), 'tasks ran off the main thread');
      // The pool replaced the dead thread and still answers.
      const after = await Promise.all([10, 11, 12].map((value) => pool.run({ value })));
      assert.deepEqual(
        after.map((r) => r.value),
        [10, 11, 12],
      );
    } finally {
      await pool.close();
    }
  });

  it('in-process: runs on this thread', async () => {
    const pool = inProcessPool(async (n: number) => n + 1);
    assert.equal(pool.threads, 0);
    assert.equal(await pool.run(1), 2);
    await pool.close();
  });
});
