// `check --jobs N`: worker threads give exactly the output of one thread (findings, order, notices,
// exit status), and a file whose worker thread dies is reported as an internal error for that file
// while the others are checked.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { availableParallelism } from 'node:os';
import { AUTO_MIN_FILES, checkInOrder, TaskRunner, type CheckItem, type ItemOutcome } from '../../server/src/cli/check-pipeline';
import { runTask, type FileResult, type TaskMessage } from '../../server/src/cli/check-tasks';
import { autoThreads, type Pool } from '../../server/src/cli/pool';
import { BLOCKING_TS, CLEAN_TS, cli, removeWorkspace, workspace } from './cli-helpers';

/** A blocking call on a line that depends on `n`, so every file's findings differ. */
function blockingAt(n: number): string {
  return `import fs from 'node:fs';\n${'// padding\n'.repeat(n)}export async function load${n}(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n`;
}

describe('cli: --jobs', function () {
  // Each worker thread loads the engine through tsx before its first file.
  this.timeout(180_000);
  let ws: string;
  before(() => {
    const files: Record<string, string | Buffer> = {
      '.async-boundary.json': '{ "rules": { "blocking-in-async": "error" } }',
      'src/lib/.async-boundary.json': '{ "rules": { "blocking-in-async": "info" } }',
      'src/bin.ts': Buffer.from([0x63, 0x00, 0x64]),
      'src/clean.ts': CLEAN_TS,
      'src/lib/z.ts': BLOCKING_TS,
      'src/service.rs': 'async fn handler() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n',
    };
    for (let i = 0; i < 14; i++) files[`src/m${String(i).padStart(2, '0')}.ts`] = i % 3 === 0 ? CLEAN_TS : blockingAt(i);
    ws = workspace(files);
  });
  after(() => removeWorkspace(ws));

  it('prints the same text, JSON and SARIF with 3 threads as in-process, in walk order', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const one = await cli(['check', '--format', format, '--jobs', '1'], ws);
      const three = await cli(['check', '--format', format, '--jobs', '3'], ws);
      assert.equal(one.code, 1, one.err);
      assert.deepEqual(three, one, format);
    }
    const text = await cli(['check', '--jobs', '3'], ws);
    const files = text.out
      .split('\n')
      .filter((l) => l.startsWith('src/'))
      .map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(files, [...files].sort(), 'findings come in walk order');
    assert.equal(new Set(files).size, 11, text.out);
    assert.match(text.err, /^notice: skipped src\/bin\.ts: it is binary/m);
  });

  it('rejects a --jobs that is not a positive whole number or auto', async () => {
    for (const bad of ['0', '-1', '1.5', 'many', '']) {
      const r = await cli(['check', `--jobs=${bad}`], ws);
      assert.equal(r.code, 2, bad);
      assert.match(r.err, /`--jobs` takes a whole number of threads \(1 or more\) or `auto`/);
    }
    assert.equal((await cli(['check', '--jobs', 'auto', '--format', 'json'], ws)).code, 1);
  });

  it('reports a file whose worker thread died as an internal error for that file, and checks the rest', async () => {
    const dir = workspace({ 'a.ts': BLOCKING_TS, 'die.ts': BLOCKING_TS, 'z.ts': BLOCKING_TS });
    try {
      async function* items(): AsyncGenerator<CheckItem> {
        for (const name of ['a.ts', 'die.ts', 'z.ts']) yield { abs: join(dir, name), config: DEFAULT_CONFIG, source: { text: BLOCKING_TS } };
      }
      const worker = { filename: join(__dirname, 'pool', 'dying-check-worker.cjs'), execArgv: ['--require', require.resolve('tsx/cjs')] };
      const seen: [string, ItemOutcome][] = [];
      for await (const [item, outcome] of checkInOrder(items(), { jobs: 2, worker })) seen.push([item.abs.slice(dir.length + 1), outcome]);
      assert.deepEqual(
        seen.map(([name]) => name),
        ['a.ts', 'die.ts', 'z.ts'],
      );
      const [a, died, z] = seen.map(([, o]) => o);
      for (const ok of [a, z]) {
        assert.ok(ok && 'result' in ok);
        assert.deepEqual(ok.result.errors, []);
        assert.deepEqual(
          ok.result.findings.map((f) => [f.line, f.rule]),
          [[3, 'blocking-in-async']],
        );
      }
      assert.ok(died && 'result' in died);
      assert.deepEqual(died.result.findings, []);
      assert.equal(died.result.errors.length, 1);
      assert.equal(died.result.errors[0]!.where, 'a worker thread');
      assert.match(died.result.errors[0]!.message, /exit/i);
    } finally {
      removeWorkspace(dir);
    }
  });
});

describe('cli: --jobs auto', () => {
  /** Runs `names` through `checkInOrder` with `--jobs auto` on recording pools (each runs its tasks in this process); returns the threads of the pool each task went to, in order. */
  async function poolsOf(names: readonly string[], skipped: ReadonlySet<string> = new Set(), cores = 8): Promise<{ threads: number[]; findings: number }> {
    const threads: number[] = [];
    const makePool = (n: number): Pool<TaskMessage, FileResult> => ({
      threads: n,
      run: (message) => {
        threads.push(n);
        return runTask(message);
      },
      close: async () => undefined,
    });
    async function* items(): AsyncGenerator<CheckItem> {
      for (const name of names) yield { abs: `/ws/${name}`, config: DEFAULT_CONFIG, source: skipped.has(name) ? { skipped: 'is binary' } : { text: blockingAt(names.indexOf(name)) } };
    }
    let findings = 0;
    const runner = new TaskRunner({ jobs: 'auto', cores, makePool });
    try {
      for await (const [, outcome] of checkInOrder(items(), { jobs: 'auto', runner })) if ('result' in outcome) findings += outcome.result.findings.length;
    } finally {
      await runner.close();
    }
    return { threads, findings };
  }
  const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${String(i).padStart(3, '0')}.ts`);

  it('sends a run with enough files to analyse to the threads from its first file, none in-process, one thread per two cores', async () => {
    const run = await poolsOf(names(AUTO_MIN_FILES + 6));
    assert.equal(run.threads.length, AUTO_MIN_FILES + 6);
    assert.deepEqual(new Set(run.threads), new Set([4]));
    assert.equal(run.findings, AUTO_MIN_FILES + 6);
    assert.deepEqual(new Set((await poolsOf(names(AUTO_MIN_FILES + 6), new Set(), 5)).threads), new Set([2]));
  });

  it('stays in-process below four cores, however big the run: a thread needs a core for its analysis and one for V8 compiling its code', async () => {
    for (const cores of [1, 2, 3]) {
      const run = await poolsOf(names(AUTO_MIN_FILES + 6), new Set(), cores);
      assert.deepEqual(new Set(run.threads), new Set([0]), `${cores} cores`);
      assert.equal(run.findings, AUTO_MIN_FILES + 6);
    }
    assert.deepEqual([1, 2, 3, 4, 6, 7, 8, 16].map((c) => autoThreads(c)), [0, 0, 0, 2, 3, 3, 4, 8]);
    assert.equal(autoThreads(), autoThreads(availableParallelism()));
  });

  it('keeps a small run in-process, and counts only the files it has to analyse (not the skipped ones)', async () => {
    const small = await poolsOf(names(10));
    assert.deepEqual(new Set(small.threads), new Set([0]));
    const all = names(AUTO_MIN_FILES + 6);
    // Eight skipped files leave AUTO_MIN_FILES - 2 to analyse: too few for threads.
    const run = await poolsOf(all, new Set(all.slice(0, 8)));
    assert.equal(run.threads.length, AUTO_MIN_FILES - 2);
    assert.deepEqual(new Set(run.threads), new Set([0]));
  });
});
