// The fixes of the amplifier rules on realistic code: each is applied, re-parsed, re-analysed (the
// finding is gone and nothing new appears), and for TypeScript the fixed file type-checks under
// `strict`. The rule fixtures' `.fixed` files cover the first fix of every finding; these cover the
// alternatives (p-map) and the properties a `.fixed` file cannot show.
import assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/engine/finding';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { applied, fixesOf, typeErrors } from './amplifier-fix-support';
import { lines } from './ts-fixes-support';

// The TS/JS fan-out fixes, one per situation: p-map or p-limit when the project depends on one,
// else a chunked loop where the combinator is awaited as a statement, a value or a return, else the
// inline limiter (the chunked and p-limit forms are also run, in fan-out-runtime.test.ts).
describe('amplifier fixes: unbounded-fan-out (Rust)', () => {
  it('`join_all` over an iterator becomes `stream::iter(…).buffered(8).collect()` and imports `StreamExt` in its module', () => {
    // Modelled on a link checker's `check_all`: one HEAD request per line of the input, joined in order.
    const src = lines(
      '//! Checks every link of a list.',
      'use futures::future::join_all;',
      'use reqwest::Client;',
      '',
      'pub async fn check_all(list: String, client: Client) -> Vec<bool> {',
      '    join_all(list.lines().map(|url| {',
      '        let c = client.clone();',
      '        async move { c.head(url).send().await.is_ok() }',
      '    }))',
      '    .await',
      '}',
    );
    const { fixes } = fixesOf('links.rs', src, 'unbounded-fan-out');
    assert.equal(fixes.length, 1);
    assert.match(fixes[0]!.title, /buffered\(8\).*8 is a placeholder: choose N/);
    const after = applied('links.rs', src, fixes[0], 'unbounded-fan-out');
    assert.match(after, /^use reqwest::Client;\nuse futures::StreamExt;\n/m);
    assert.match(after, /    futures::stream::iter\(list\.lines\(\)\.map\(\|url\| \{\n[^]*\}\)\)\.buffered\(8\)\.collect::<Vec<_>>\(\)\n    \.await\n/);
  });

  it('inside an inline module the import goes into that module, and an existing import is reused', () => {
    const src = lines(
      'pub mod sync {',
      '    use futures::future::try_join_all;',
      '    use futures::StreamExt;',
      '',
      '    pub async fn push_all(manifest: String, db: sqlx::PgPool) -> Result<Vec<u64>, sqlx::Error> {',
      '        try_join_all(manifest.lines().map(|l| sqlx::query("insert into items (name) values ($1)").bind(l).execute(&db))).await',
      '            .map(|rs| rs.iter().map(|r| r.rows_affected()).collect())',
      '    }',
      '}',
    );
    const after = applied('sync.rs', src, fixesOf('sync.rs', src, 'unbounded-fan-out').fixes[0], 'unbounded-fan-out');
    assert.match(after, /^ {4}use futures::StreamExt;\n {4}use futures::TryStreamExt;\n\n/m);
    assert.equal(after.match(/use futures::StreamExt;/g)?.length, 1);
    assert.match(after, /futures::stream::iter\(manifest\.lines\(\)\.map\(.*\)\)\.buffered\(8\)\.try_collect::<Vec<_>>\(\)\.await/);
  });

  it('is refused when tokio-stream\'s `StreamExt` is imported (its methods would clash)', () => {
    const src = lines(
      'use futures::future::join_all;',
      'use tokio_stream::StreamExt;',
      '',
      'pub async fn sizes(input: String) -> Vec<u64> {',
      '    join_all(input.lines().map(|p| async move { tokio::fs::metadata(p).await.map(|m| m.len()).unwrap_or(0) })).await',
      '}',
    );
    const { fixes, refused } = fixesOf('sizes.rs', src, 'unbounded-fan-out');
    assert.equal(fixes.length, 0);
    assert.match(refused[0]!.reason, /tokio-stream/);
  });

  it('a tokio task per item gets a semaphore before the loop and a permit moved into each task', () => {
    // Modelled on a notifier route that starts one task per id of the request body.
    const src = lines(
      'use axum::Json;',
      '',
      'async fn notify_one(id: u64) -> Result<(), reqwest::Error> {',
      '    reqwest::get(format!("http://users/{id}/notify")).await?;',
      '    Ok(())',
      '}',
      '',
      'pub async fn notify(Json(ids): Json<Vec<u64>>) -> &\'static str {',
      '    let mut set = tokio::task::JoinSet::new();',
      '    for id in ids {',
      '        set.spawn(notify_one(id));',
      '    }',
      '    while set.join_next().await.is_some() {}',
      '    "done"',
      '}',
    );
    const { fixes } = fixesOf('notify.rs', src, 'unbounded-fan-out');
    assert.match(fixes[0]!.title, /tokio::sync::Semaphore.*8 is a placeholder: choose N/);
    const after = applied('notify.rs', src, fixes[0], 'unbounded-fan-out');
    assert.match(
      after,
      /    let limiter = std::sync::Arc::new\(tokio::sync::Semaphore::new\(8\)\);\n    for id in ids \{\n        let permit = limiter\.clone\(\)\.acquire_owned\(\)\.await\.expect\("the semaphore is never closed"\);\n        set\.spawn\(async move \{ let _permit = permit; notify_one\(id\)\.await \}\);\n/,
    );
  });

  it('a task that does not own what it captures (no `move`) is refused', () => {
    const src = lines(
      'pub async fn replay(body: String) {',
      '    let mut set = tokio::task::JoinSet::new();',
      '    for line in body.lines() {',
      '        let event = line.to_owned();',
      '        set.spawn(async { drop(event) });',
      '    }',
      '    while set.join_next().await.is_some() {}',
      '}',
    );
    const { fixes, refused } = fixesOf('replay.rs', src, 'unbounded-fan-out');
    assert.equal(fixes.length, 0);
    assert.match(refused[0]!.reason, /`move`/);
  });
});

describe('amplifier fixes: retry-without-backoff (TS/JS)', () => {
  // Modelled on a broker connector (amqplib users' `connectForever`): constant sleep, no cap.
  const connector = lines(
    "import { setTimeout as sleep } from 'node:timers/promises';",
    '',
    'interface Broker { connect(url: string): Promise<{ close(): Promise<void> }> }',
    '',
    'export async function connectForever(broker: Broker, url: string) {',
    '  while (true) {',
    '    try {',
    '      return await broker.connect(url);',
    '    } catch (err) {',
    "      console.error('broker unavailable, retrying', err);",
    '      await sleep(1000);',
    '    }',
    '  }',
    '}',
  );

  it('counts attempts, rethrows after 5 and grows the sleep exponentially with jitter; the result type-checks', () => {
    const { fixes } = fixesOf('broker.ts', connector, 'retry-without-backoff');
    assert.equal(fixes.length, 1);
    assert.equal(fixes[0]!.safety, 'suggestion');
    assert.match(fixes[0]!.title, /at most 5 times .*placeholders/);
    const after = applied('broker.ts', connector, fixes[0], 'retry-without-backoff');
    assert.equal(
      after,
      connector
        .replace('  while (true) {', '  for (let attempt = 1; ; attempt++) {')
        .replace("      console.error(", '      if (attempt >= 5) throw err;\n      console.error(')
        .replace('sleep(1000)', 'sleep(Math.random() * Math.min(30000, 1000 * 2 ** attempt))'),
    );
    assert.deepEqual(typeErrors('broker.ts', after), []);
  });

  it('a configured interval stays the ceiling: the wait grows from 100 ms up to it, with full jitter; a read of it gets a default (its type may be `Partial<…>`); the result type-checks', () => {
    // Modelled on a queue client whose options carry the reconnect interval (`this.options.retryDelay`).
    const src = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'interface Broker { connect(url: string): Promise<{ close(): Promise<void> }> }',
      '',
      'export class QueueClient {',
      '  constructor(private readonly broker: Broker, private readonly options: { url: string; retryDelay: number }) {}',
      '',
      '  async connect() {',
      '    while (true) {',
      '      try {',
      '        return await this.broker.connect(this.options.url);',
      '      } catch (err) {',
      '        await sleep(this.options.retryDelay);',
      '      }',
      '    }',
      '  }',
      '}',
    );
    const { fixes } = fixesOf('queue.ts', src, 'retry-without-backoff');
    assert.equal(fixes.length, 1);
    assert.equal(fixes[0]!.title, 'Retry at most 5 times, waiting a random, growing part of `this.options.retryDelay` (5 attempts and the 100 ms base are placeholders: choose them)');
    const after = applied('queue.ts', src, fixes[0], 'retry-without-backoff');
    assert.equal(
      after,
      src
        .replace('    while (true) {', '    for (let attempt = 1; ; attempt++) {')
        .replace('        await sleep(this.options.retryDelay);', '        if (attempt >= 5) throw err;\n        await sleep(Math.random() * Math.min((this.options.retryDelay ?? 30000), 100 * 2 ** attempt));'),
    );
    assert.deepEqual(typeErrors('queue.ts', after), []);
  });

  it('edits the sleep the detector counted, not a request timeout in a closure, and a renamed `setTimeout` from timers/promises is that sleep', () => {
    // Modelled on a fetch client with an abort timer per attempt and a retry delay between attempts.
    const src = lines(
      "import { setTimeout as setTimeoutP } from 'node:timers/promises';",
      '',
      'interface Options { url: string; requestTimeoutMs: number; retryDelay: number }',
      '',
      'export class Fetcher {',
      '  constructor(private readonly options: Options) {}',
      '',
      '  async fetchJson(): Promise<unknown> {',
      '    while (true) {',
      '      const ac = new AbortController();',
      '      const timer = setTimeout(() => ac.abort(), this.options.requestTimeoutMs);',
      '      try {',
      '        const res = await fetch(this.options.url, { signal: ac.signal });',
      '        return await res.json();',
      '      } catch (err) {',
      '        await setTimeoutP(this.options.retryDelay);',
      '      } finally {',
      '        clearTimeout(timer);',
      '      }',
      '    }',
      '  }',
      '}',
    );
    const { fixes } = fixesOf('fetcher.ts', src, 'retry-without-backoff');
    assert.equal(fixes.length, 1);
    const after = applied('fetcher.ts', src, fixes[0], 'retry-without-backoff');
    assert.equal(
      after,
      src
        .replace('    while (true) {', '    for (let attempt = 1; ; attempt++) {')
        .replace('        await setTimeoutP(this.options.retryDelay);', '        if (attempt >= 5) throw err;\n        await setTimeoutP(Math.random() * Math.min((this.options.retryDelay ?? 30000), 100 * 2 ** attempt));'),
    );
    assert.deepEqual(typeErrors('fetcher.ts', after), []);
  });

  it('grows every sleep of the interval the loop waits, and an optional interval gets a default so the result type-checks', () => {
    // Modelled on an API client that waits the same configured delay on a throttle and on any other failure.
    const src = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'interface Options { url: string; retryDelay?: number }',
      '',
      'export class Api {',
      '  constructor(private readonly options: Options, private readonly isThrottle: (e: unknown) => boolean) {}',
      '',
      '  async get(): Promise<Response> {',
      '    while (true) {',
      '      try {',
      '        return await fetch(this.options.url);',
      '      } catch (err) {',
      '        if (this.isThrottle(err)) {',
      '          await sleep(this.options.retryDelay);',
      '          continue;',
      '        }',
      '        await sleep(this.options.retryDelay);',
      '      }',
      '    }',
      '  }',
      '}',
    );
    const { fixes } = fixesOf('api.ts', src, 'retry-without-backoff');
    assert.equal(fixes.length, 1);
    const after = applied('api.ts', src, fixes[0], 'retry-without-backoff');
    assert.equal(
      after,
      src
        .replace('    while (true) {', '    for (let attempt = 1; ; attempt++) {')
        .replace('        if (this.isThrottle(err)) {', '        if (attempt >= 5) throw err;\n        if (this.isThrottle(err)) {')
        .replaceAll('sleep(this.options.retryDelay)', 'sleep(Math.random() * Math.min((this.options.retryDelay ?? 30000), 100 * 2 ** attempt))'),
    );
    assert.deepEqual(typeErrors('api.ts', after), []);
  });

  it('a capped recursion grows the sleep before its call, not a request timeout set earlier in the function', () => {
    // Modelled on a `fetchWithRetry(url, attempt + 1)` helper with an abort timer per attempt.
    const src = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'export async function fetchWithRetry(url: string, attempt = 0): Promise<Response> {',
      '  const ac = new AbortController();',
      '  const timer = setTimeout(() => ac.abort(), 5000);',
      '  try {',
      '    return await fetch(url, { signal: ac.signal });',
      '  } catch (err) {',
      '    if (attempt >= 3) throw err;',
      '    await sleep(1000);',
      '    return fetchWithRetry(url, attempt + 1);',
      '  } finally {',
      '    clearTimeout(timer);',
      '  }',
      '}',
    );
    const { fixes } = fixesOf('fetch-retry.ts', src, 'retry-without-backoff');
    assert.equal(fixes.length, 1);
    const after = applied('fetch-retry.ts', src, fixes[0], 'retry-without-backoff');
    assert.equal(after, src.replace('sleep(1000)', 'sleep(Math.random() * Math.min(30000, 1000 * 2 ** attempt))'));
    assert.deepEqual(typeErrors('fetch-retry.ts', after), []);
  });

  it('a timeout wrapper around the request (p-timeout, a hand-written `timeout(promise, ms)`) is no wait: the loop gets a sleep, the request is not edited', () => {
    // Modelled on fetch helpers that bound each attempt with a timeout and retry at once on failure.
    const wrapper = lines(
      'function timeout<T>(p: Promise<T>, ms: number): Promise<T> {',
      '  return new Promise<T>((resolve, reject) => {',
      "    const t = setTimeout(() => reject(new Error('timed out')), ms);",
      '    p.then((v) => { clearTimeout(t); resolve(v); }, reject);',
      '  });',
      '}',
      '',
      'export async function getJson(url: string): Promise<unknown> {',
      '  for (let attempt = 0; attempt < 5; attempt++) {',
      '    try {',
      '      const res = await timeout(fetch(url), 5000);',
      '      return await res.json();',
      '    } catch (err) {',
      '      console.warn(err);',
      '    }',
      '  }',
      "  throw new Error('giving up');",
      '}',
    );
    const pTimeout = lines(
      "import pTimeout from 'p-timeout';",
      '',
      'export async function getJson(url: string): Promise<unknown> {',
      '  for (let attempt = 0; attempt < 5; attempt++) {',
      '    try {',
      '      const res = await pTimeout(fetch(url), { milliseconds: 5000 });',
      '      return await res.json();',
      '    } catch (err) {',
      '      console.warn(err);',
      '    }',
      '  }',
      "  throw new Error('giving up');",
      '}',
    );
    const sleep = '      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30000, 100 * 2 ** attempt)));\n      console.warn(err);';
    for (const [file, src] of [['timeout.ts', wrapper], ['p-timeout.ts', pTimeout]] as const) {
      const analysis = analyze({ path: file, text: src })!;
      const [finding] = analysis.findings.filter((f) => f.rule === 'retry-without-backoff');
      assert.match(finding!.message, /with no delay/, file);
      const { fixes } = fixesOf(file, src, 'retry-without-backoff');
      assert.equal(applied(file, src, fixes[0], 'retry-without-backoff'), src.replace('      console.warn(err);', sleep), file);
    }
    assert.deepEqual(typeErrors('timeout.ts', applyEdits(wrapper, fixesOf('timeout.ts', wrapper, 'retry-without-backoff').fixes[0]!.edits)), []);
  });

  it('a timer in a `new Promise` that rejects (a request timeout, raced or wrapping the request) is no wait; one that resolves is', () => {
    // Modelled on fetch helpers that race the request against a timer, or reject from a timer in an executor.
    const race = lines(
      'export async function getJson(url: string): Promise<unknown> {',
      '  for (let attempt = 0; attempt < 5; attempt++) {',
      '    try {',
      '      const res = await Promise.race([',
      '        fetch(url),',
      "        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), 5000)),",
      '      ]);',
      '      return await res.json();',
      '    } catch (err) {',
      '      console.warn(`attempt ${attempt} failed`, err);',
      '    }',
      '  }',
      "  throw new Error('giving up');",
      '}',
    );
    const analysis = analyze({ path: 'race.ts', text: race })!;
    assert.match(analysis.findings.find((f) => f.rule === 'retry-without-backoff')!.message, /with no delay/);
    const raceFix = fixesOf('race.ts', race, 'retry-without-backoff').fixes[0];
    const raced = applied('race.ts', race, raceFix, 'retry-without-backoff');
    assert.equal(
      raced,
      race.replace('      console.warn(`attempt', '      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30000, 100 * 2 ** attempt)));\n      console.warn(`attempt'),
    );
    assert.deepEqual(typeErrors('race.ts', raced), []);

    const wrapped = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'export async function getJson(url: string): Promise<unknown> {',
      '  for (let attempt = 0; attempt < 5; attempt++) {',
      '    try {',
      '      const res = await new Promise<Response>((resolve, reject) => {',
      "        const timer = setTimeout(() => reject(new Error('timed out')), 5000);",
      '        fetch(url).then((r) => { clearTimeout(timer); resolve(r); }, reject);',
      '      });',
      '      return await res.json();',
      '    } catch (err) {',
      '      await new Promise((r) => setTimeout(() => r(undefined), 1000));',
      '    }',
      '  }',
      "  throw new Error('giving up');",
      '}',
    );
    const after = applied('wrapped.ts', wrapped, fixesOf('wrapped.ts', wrapped, 'retry-without-backoff').fixes[0], 'retry-without-backoff');
    assert.equal(after, wrapped.replace('r(undefined), 1000)', 'r(undefined), Math.random() * Math.min(30000, 1000 * 2 ** attempt))'));
  });

  it('a delay that may be unset gets a default in every form, so the fixed code type-checks (`Partial<Options>`, `?.`, an optional field grown or in a recursion)', () => {
    // Modelled on API clients whose retry delay is an optional option.
    const partial = lines(
      'interface Options { url: string; retryDelay: number }',
      '',
      'export class Api {',
      '  constructor(private readonly options: Partial<Options>) {}',
      '',
      '  async get(): Promise<Response> {',
      '    while (true) {',
      '      try {',
      "        return await fetch(this.options.url ?? '/');",
      '      } catch (err) {',
      '        await new Promise((r) => setTimeout(r, this.options.retryDelay));',
      '      }',
      '    }',
      '  }',
      '}',
    );
    const optchain = partial
      .replace('interface Options { url: string; retryDelay: number }', 'interface Options { url: string; retryDelay: number }')
      .replace('private readonly options: Partial<Options>', 'private readonly options?: Options')
      .replace("fetch(this.options.url ?? '/')", "fetch(this.options?.url ?? '/')")
      .replace('this.options.retryDelay)', 'this.options?.retryDelay)');
    const mixed = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'interface Options { url: string; retryDelay?: number }',
      '',
      'export class Api {',
      '  constructor(private readonly options: Options, private readonly isThrottle: (e: unknown) => boolean) {}',
      '',
      '  async get(): Promise<Response> {',
      '    for (let attempt = 0; attempt < 5; attempt++) {',
      '      try {',
      '        return await fetch(this.options.url);',
      '      } catch (err) {',
      '        if (this.isThrottle(err)) await sleep(5000);',
      '        else await new Promise((r) => setTimeout(r, this.options.retryDelay));',
      '      }',
      '    }',
      "    throw new Error('giving up');",
      '  }',
      '}',
    );
    const recursion = lines(
      'interface Options { url: string; retryDelay?: number }',
      '',
      'export class Conn {',
      '  constructor(private readonly options: Options) {}',
      '',
      '  async connect(attempt = 0): Promise<Response> {',
      '    try {',
      '      return await fetch(this.options.url);',
      '    } catch (err) {',
      '      if (attempt >= 5) throw err;',
      '      await new Promise((r) => setTimeout(r, this.options.retryDelay));',
      '      return this.connect(attempt + 1);',
      '    }',
      '  }',
      '}',
    );
    const cases: [string, string, string, string][] = [
      ['partial.ts', partial, 'setTimeout(r, this.options.retryDelay)', 'setTimeout(r, Math.random() * Math.min((this.options.retryDelay ?? 30000), 100 * 2 ** attempt))'],
      ['optchain.ts', optchain, 'setTimeout(r, this.options?.retryDelay)', 'setTimeout(r, Math.random() * Math.min((this.options?.retryDelay ?? 30000), 100 * 2 ** attempt))'],
      ['mixed.ts', mixed, 'setTimeout(r, this.options.retryDelay)', 'setTimeout(r, Math.random() * Math.min(30000, (this.options.retryDelay ?? 100) * 2 ** attempt))'],
      ['recursion.ts', recursion, 'setTimeout(r, this.options.retryDelay)', 'setTimeout(r, Math.random() * Math.min(30000, (this.options.retryDelay ?? 100) * 2 ** attempt))'],
    ];
    for (const [file, src, from, to] of cases) {
      const { fixes } = fixesOf(file, src, 'retry-without-backoff');
      const after = applyEdits(src, fixes[0]!.edits);
      assert.ok(after.includes(to), `${file}:\n${after}`);
      assert.ok(!after.includes(from), file);
      assert.deepEqual(typeErrors(file, after), [], file);
    }
  });

  it('a recursion that grows one of its sleeps is read as growing, as a loop is: no finding, nothing grown twice', () => {
    // Modelled on a webhook sender that backs off on network errors and waits briefly on others.
    const src = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'export async function send(url: string, body: string, attempt = 0): Promise<Response> {',
      '  try {',
      "    return await fetch(url, { method: 'POST', body });",
      '  } catch (err) {',
      '    if (attempt >= 5) throw err;',
      '    if (err instanceof TypeError) await sleep(1000 * 2 ** attempt);',
      '    else await sleep(500);',
      '    return send(url, body, attempt + 1);',
      '  }',
      '}',
    );
    assert.deepEqual(analyze({ path: 'send.ts', text: src })!.findings.filter((f) => f.rule === 'retry-without-backoff').map((f) => f.message), []);
  });

  it('a `catch` without a binding gets one, and a loop without a sleep gets a growing one', () => {
    const src = lines(
      'export async function sendWebhook(url: string, body: string): Promise<Response> {',
      '  for (;;) {',
      '    try {',
      "      return await fetch(url, { method: 'POST', body });",
      '    } catch {',
      '      // try again straight away',
      '    }',
      '  }',
      '}',
    );
    const after = applied('hook.ts', src, fixesOf('hook.ts', src, 'retry-without-backoff').fixes[0], 'retry-without-backoff');
    assert.match(after, /for \(let attempt = 1; ; attempt\+\+\) \{/);
    assert.match(after, /\} catch \(err\) \{\n      if \(attempt >= 5\) throw err;\n      await new Promise\(\(resolve\) => setTimeout\(resolve, Math\.random\(\) \* Math\.min\(30000, 100 \* 2 \*\* attempt\)\)\);\n      \/\/ try again/);
    assert.deepEqual(typeErrors('hook.ts', after), []);
  });

  it('a capped counted loop keeps its cap and gets the growth, named after its own counter', () => {
    const src = lines(
      'export async function fetchWithRetries(url: string): Promise<Response> {',
      '  for (let i = 0; i < 5; i++) {',
      '    try {',
      '      return await fetch(url);',
      '    } catch {',
      '      await new Promise((resolve) => setTimeout(resolve, 500));',
      '    }',
      '  }',
      '  throw new Error(`gave up on ${url}`);',
      '}',
    );
    const after = applied('fetch.ts', src, fixesOf('fetch.ts', src, 'retry-without-backoff').fixes[0], 'retry-without-backoff');
    assert.equal(after, src.replace('setTimeout(resolve, 500)', 'setTimeout(resolve, Math.random() * Math.min(30000, 500 * 2 ** i))'));
  });

  it('a poll inside the attempt is not the wait between attempts: the loop gets one, the poll keeps its pace; a poll in the `catch` is refused', () => {
    // Modelled on a reporting client that starts an export job per attempt and polls it until it is done.
    const src = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      "interface Status { state: 'running' | 'done'; url?: string }",
      'interface Api { start(id: string): Promise<{ jobId: string }>; status(jobId: string): Promise<Status> }',
      '',
      'export async function exportReport(api: Api, id: string): Promise<string | undefined> {',
      '  for (let attempt = 0; attempt < 3; attempt++) {',
      '    try {',
      '      const { jobId } = await api.start(id);',
      '      let status = await api.status(jobId);',
      "      while (status.state === 'running') {",
      '        await sleep(2000);',
      '        status = await api.status(jobId);',
      '      }',
      '      return status.url;',
      '    } catch (err) {',
      "      console.warn('export failed', err);",
      '    }',
      '  }',
      '  return undefined;',
      '}',
    );
    const after = applied('export.ts', src, fixesOf('export.ts', src, 'retry-without-backoff').fixes[0], 'retry-without-backoff');
    // Before, the poll's `sleep(2000)` was grown with the export's attempt counter and no wait was added between attempts.
    assert.equal(after, src.replace("      console.warn('export failed', err);", "      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30000, 100 * 2 ** attempt)));\n      console.warn('export failed', err);"));
    assert.deepEqual(typeErrors('export.ts', after), []);
    // A health poll between attempts: growing its sleep with the attempt changes the poll; the fix says so.
    const health = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'export async function connect(url: string, healthy: () => Promise<boolean>): Promise<Response> {',
      '  for (let attempt = 0; attempt < 5; attempt++) {',
      '    try {',
      '      return await fetch(url);',
      '    } catch {',
      '      while (!(await healthy())) await sleep(500);',
      '    }',
      '  }',
      '  throw new Error(`no connection to ${url}`);',
      '}',
    );
    const r = fixesOf('health.ts', health, 'retry-without-backoff');
    assert.equal(r.fixes.length, 0);
    assert.match(r.refused[0]!.reason, /^the sleep paces a loop of its own inside the retry \(a poll\)/);
    // The same poll before a recursive retry's call.
    const recursive = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'export class Conn {',
      '  constructor(private readonly url: string, private readonly healthy: () => Promise<boolean>) {}',
      '',
      '  async connect(attempt = 0): Promise<Response> {',
      '    try {',
      '      return await fetch(this.url);',
      '    } catch (err) {',
      '      if (attempt >= 5) throw err;',
      '      while (!(await this.healthy())) await sleep(500);',
      '      return this.connect(attempt + 1);',
      '    }',
      '  }',
      '}',
    );
    const rr = fixesOf('conn.ts', recursive, 'retry-without-backoff');
    assert.equal(rr.fixes.length, 0);
    assert.match(rr.refused[0]!.reason, /^the sleep paces a loop of its own before the call \(a poll\)/);
  });

  it('a 0 ms timer is no wait: the loop gets a growing one, and a recursion deferred by one grows from 100 ms, not 0', () => {
    // Modelled on a stream pump that yields to the event loop and writes again, and a notifier that re-posts on the next tick.
    const pump = lines(
      'export async function push(write: (chunk: Buffer) => Promise<void>, chunk: Buffer): Promise<void> {',
      '  for (let attempt = 0; attempt < 5; attempt++) {',
      '    try {',
      '      return await write(chunk);',
      '    } catch (err) {',
      '      await new Promise((resolve) => setTimeout(resolve, 0));',
      '    }',
      '  }',
      '}',
    );
    const after = applied('pump.ts', pump, fixesOf('pump.ts', pump, 'retry-without-backoff').fixes[0], 'retry-without-backoff');
    // Before: `setTimeout(resolve, Math.random() * Math.min(30000, 0 * 2 ** attempt))`, still 0 ms.
    assert.equal(after, pump.replace('      await new Promise((resolve) => setTimeout(resolve, 0));', '      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30000, 100 * 2 ** attempt)));\n      await new Promise((resolve) => setTimeout(resolve, 0));'));
    assert.deepEqual(typeErrors('pump.ts', after), []);
    const notifier = lines(
      'export class Notifier {',
      '  constructor(private readonly post: (message: string) => Promise<void>) {}',
      '',
      '  send(message: string, attempt = 0): void {',
      '    this.post(message).catch((err: unknown) => {',
      "      if (attempt >= 5) return console.error('giving up on', message, err);",
      '      setTimeout(() => this.send(message, attempt + 1), 0);',
      '    });',
      '  }',
      '}',
    );
    const deferred = applied('notifier.ts', notifier, fixesOf('notifier.ts', notifier, 'retry-without-backoff').fixes[0], 'retry-without-backoff');
    assert.equal(deferred, notifier.replace('attempt + 1), 0);', 'attempt + 1), Math.random() * Math.min(30000, 100 * 2 ** attempt));'));
    assert.deepEqual(typeErrors('notifier.ts', deferred), []);
  });

  it('a public field the file sets after construction stays the ceiling, as a configured interval', () => {
    // Modelled on a reconnecting socket whose users set `socket.reconnectInterval` after construction.
    const src = lines(
      "import { setTimeout as sleep } from 'node:timers/promises';",
      '',
      'export class Reconnector {',
      '  reconnectInterval = 1000;',
      '  constructor(private readonly url: string) {}',
      '',
      '  async open(): Promise<Response> {',
      '    while (true) {',
      '      try {',
      '        return await fetch(this.url);',
      '      } catch (err) {',
      '        await sleep(this.reconnectInterval);',
      '      }',
      '    }',
      '  }',
      '}',
      '',
      "const socket = new Reconnector('ws://localhost:8080/events');",
      'socket.reconnectInterval = 5000;',
    );
    const { fixes } = fixesOf('socket.ts', src, 'retry-without-backoff');
    assert.equal(fixes[0]!.title, 'Retry at most 5 times, waiting a random, growing part of `this.reconnectInterval` (5 attempts and the 100 ms base are placeholders: choose them)');
    const after = applied('socket.ts', src, fixes[0], 'retry-without-backoff');
    assert.equal(
      after,
      src
        .replace('    while (true) {', '    for (let attempt = 1; ; attempt++) {')
        .replace('        await sleep(this.reconnectInterval);', '        if (attempt >= 5) throw err;\n        await sleep(Math.random() * Math.min(this.reconnectInterval, 100 * 2 ** attempt));'),
    );
    assert.deepEqual(typeErrors('socket.ts', after), []);
  });

  it('a synchronous retry with no delay, and a recursion with no cap, are refused with the reason', () => {
    const sync = lines(
      "import fs from 'node:fs';",
      'export function acquireLock(lockDir: string): void {',
      '  for (;;) {',
      '    try {',
      '      fs.mkdirSync(lockDir);',
      '      return;',
      '    } catch (err) {',
      "      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;",
      '    }',
      '  }',
      '}',
    );
    const r1 = fixesOf('lock.ts', sync, 'retry-without-backoff');
    assert.equal(r1.fixes.length, 0);
    assert.match(r1.refused[0]!.reason, /synchronous/);
    const recursive = lines('function warmCache(key) {', '  return fetch(`http://cache/${key}`).catch(() => warmCache(key));', '}', 'module.exports = { warmCache };');
    const r2 = fixesOf('warm.js', recursive, 'retry-without-backoff');
    assert.equal(r2.fixes.length, 0);
    assert.match(r2.refused[0]!.reason, /rewrite it as a loop/);
  });
});

describe('amplifier fixes: retry-without-backoff (Rust)', () => {
  // Modelled on a service registering with a discovery endpoint until it answers.
  const register = lines(
    'use std::time::Duration;',
    '',
    'pub async fn register(client: &reqwest::Client) -> Result<(), reqwest::Error> {',
    '    loop {',
    '        match client.post("http://registry/register").send().await {',
    '            Ok(_) => return Ok(()),',
    '            Err(_) => {',
    '                tracing::warn!("registry unavailable");',
    '                tokio::time::sleep(Duration::from_secs(1)).await;',
    '            }',
    '        }',
    '    }',
    '}',
  );

  it('an uncapped loop in a function returning a Result counts attempts, gives up with the error and grows its sleep', () => {
    const { fixes } = fixesOf('register.rs', register, 'retry-without-backoff');
    assert.equal(fixes.length, 1);
    assert.match(fixes[0]!.title, /at most 5 times with exponential backoff \(5 attempts and the 30 s ceiling are placeholders/);
    const after = applied('register.rs', register, fixes[0], 'retry-without-backoff');
    assert.equal(
      after,
      register
        .replace('    loop {\n', '    let mut attempt: u32 = 0;\n    loop {\n        attempt += 1;\n')
        .replace('Err(_) => {\n', 'Err(err) => {\n                if attempt >= 5 { return Err(err.into()); }\n')
        .replace('sleep(Duration::from_secs(1))', 'sleep(Duration::from_secs(1).saturating_mul(2u32.saturating_pow(attempt)).min(std::time::Duration::from_secs(30)))'),
    );
  });

  it('with rand among the dependencies the delay gets full jitter', () => {
    const { fixes } = fixesOf('register.rs', register, 'retry-without-backoff', ['rand']);
    assert.match(fixes[0]!.title, /backoff and jitter/);
    const after = applied('register.rs', register, fixes[0], 'retry-without-backoff');
    assert.match(after, /\.min\(std::time::Duration::from_secs\(30\)\)\.mul_f64\(rand::random::<f64>\(\)\)\)\.await;/);
  });

  it('a loop in a function that does not return a Result is refused: what to return on giving up is a decision', () => {
    const src = lines(
      'pub fn lock_file(path: &str) -> std::fs::File {',
      '    loop {',
      '        match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {',
      '            Ok(f) => return f,',
      '            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),',
      '        }',
      '    }',
      '}',
    );
    const { fixes, refused } = fixesOf('lock.rs', src, 'retry-without-backoff');
    assert.equal(fixes.length, 0);
    assert.match(refused[0]!.reason, /does not return a `Result`/);
  });
});

describe('amplifier fixes: detached-task (Rust)', () => {
  // Modelled on an axum service that warms its regional caches and audits a delete in the background.
  const warm = lines(
    'use std::sync::Arc;',
    '',
    'pub struct AppState {',
    '    pub http: reqwest::Client,',
    '}',
    '',
    'pub async fn warm_cache(state: Arc<AppState>, regions: Vec<String>) {',
    '    for region in regions {',
    '        let http = state.http.clone();',
    '        tokio::spawn(async move {',
    '            http.post(format!("http://cache-{region}/warm")).send().await?;',
    '            Ok::<_, reqwest::Error>(())',
    '        });',
    '    }',
    '}',
  );

  it('a task per loop item is kept in a JoinSet joined after the loop, each failure and panic logged with the crate\'s logger', () => {
    const { fixes, refused } = fixesOf('warm.rs', warm, 'detached-task', ['tracing']);
    assert.deepEqual(refused, []);
    assert.deepEqual(fixes.map((f) => f.title.split(' (')[0]), ['Keep the tasks in a `JoinSet` and join them after the loop, logging each failure', 'Log the task\'s error where it runs']);
    assert.match(fixes[0]!.title, /the function now waits for its tasks/);
    const after = applied('warm.rs', warm, fixes[0], 'detached-task');
    assert.equal(
      after,
      warm
        .replace('    for region in regions {\n', '    let mut tasks = tokio::task::JoinSet::new();\n    for region in regions {\n')
        .replace('        tokio::spawn(async move {', '        tasks.spawn(async move {')
        .replace(
          '        });\n    }\n}',
          [
            '        });',
            '    }',
            '    while let Some(joined) = tasks.join_next().await {',
            '        match joined {',
            '            Ok(Err(err)) => tracing::error!(error = ?err, "the task spawned in warm_cache failed"),',
            '            Err(err) => tracing::error!(error = ?err, "the task spawned in warm_cache panicked"),',
            '            Ok(Ok(_)) => {}',
            '        }',
            '    }',
            '}',
          ].join('\n'),
        ),
    );
  });

  it('the JoinSet is refused where the loop can return early (its drop would abort the tasks); the task can still log its error', () => {
    const early = warm.replace('        let http = state.http.clone();', '        let http = state.http.clone();\n        let _url = reqwest::Url::parse(&region).ok()?;').replace('(state: Arc<AppState>, regions: Vec<String>) {', '(state: Arc<AppState>, regions: Vec<String>) -> Option<()> {').replace('    }\n}', '    }\n    Some(())\n}');
    const { fixes, refused } = fixesOf('warm.rs', early, 'detached-task');
    assert.match(refused[0]!.reason, /can return early \(a `return` or `\?` in its body\), and a dropped `JoinSet` aborts the tasks still running/);
    assert.equal(fixes.length, 1);
    assert.match(fixes[0]!.title, /the handle stays dropped, so nothing waits for the task at shutdown/);
    const after = applied('warm.rs', early, fixes[0], 'detached-task');
    assert.match(after, /tokio::spawn\(\{\n {12}let task = async move \{\n {16}http\.post[^]*\n {12}\};\n {12}async move \{\n {16}if let Err\(err\) = task\.await \{\n {20}eprintln!\("the task spawned in warm_cache failed: \{err:\?\}"\);\n {16}\}\n {12}\}\n {8}\}\);/);
  });

  it('a call spawned from a Drop is evaluated where it was, and its task logs the error; a blocking job is a closure called the same way', () => {
    const src = lines(
      'use tokio::runtime::Handle;',
      '',
      'async fn revoke(http: reqwest::Client, token: String) -> Result<(), reqwest::Error> {',
      '    http.delete(format!("http://auth/tokens/{token}")).send().await?;',
      '    Ok(())',
      '}',
      '',
      'pub struct Session {',
      '    token: String,',
      '    http: reqwest::Client,',
      '    scratch: std::path::PathBuf,',
      '}',
      '',
      'impl Drop for Session {',
      '    fn drop(&mut self) {',
      '        tokio::spawn(revoke(self.http.clone(), self.token.clone()));',
      '        if let Ok(runtime) = Handle::try_current() {',
      '            let dir = self.scratch.clone();',
      '            runtime.spawn_blocking(move || std::fs::remove_dir_all(&dir).map_err(|e| e.kind()).and(Ok::<_, std::io::ErrorKind>(())));',
      '        }',
      '    }',
      '}',
    );
    const analysis = analyze({ path: 'session.rs', text: src })!;
    const found = analysis.findings.filter((f) => f.rule === 'detached-task');
    assert.equal(found.length, 2, found.map((f) => f.message).join('\n'));
    const [call, blocking] = found.map((f) => fixesFor(analysis, f, { dependencies: new Set(['log']) }));
    assert.deepEqual(call!.fixes.map((f) => f.title.split(' (')[0]), ['Log the task\'s error where it runs'], 'no JoinSet outside a loop of async code');
    assert.equal(
      applyEdits(src, call!.fixes[0]!.edits),
      src.replace(
        '        tokio::spawn(revoke(self.http.clone(), self.token.clone()));',
        [
          '        tokio::spawn({',
          '            let task = revoke(self.http.clone(), self.token.clone());',
          '            async move {',
          '                if let Err(err) = task.await {',
          '                    log::error!("revoke failed: {err:?}");',
          '                }',
          '            }',
          '        });',
        ].join('\n'),
      ),
    );
    const after = applied('session.rs', src, { ...blocking!.fixes[0]!, edits: [...blocking!.fixes[0]!.edits, ...call!.fixes[0]!.edits] }, 'detached-task');
    assert.match(after, /runtime\.spawn_blocking\(\{\n {16}let job = move \|\| std::fs::remove_dir_all[^\n]*;\n {16}move \|\| \{\n {20}if let Err\(err\) = job\(\) \{\n {24}log::error!\("the task spawned in drop failed: \{err:\?\}"\);/);
  });
});
