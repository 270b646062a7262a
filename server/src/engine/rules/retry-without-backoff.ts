import type { Catalog } from '../catalog';
import type { FileModel, RetrySite } from '../model';
import type { RawFinding, Rule } from '../rule';
import { describeContext } from '../rule-support';

function check(model: FileModel, catalog: Catalog): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const r of model.retries ?? []) {
    // A capped retry of a transaction conflict needs no backoff: the contention is local and short-lived.
    if (r.capped && (r.delay === 'growing' || r.conflict === true)) continue;
    const what =
      r.kind === 'loop'
        ? `This loop retries \`${r.operation}\``
        : r.kind === 'call'
          ? `\`${r.retrier ?? 'this call'}\` retries${r.operation === '' ? '' : ` \`${r.operation}\``}`
          : `\`${r.operation}\` retries itself on failure`;
    const pace = r.delay === 'none' ? 'at full speed' : r.jittered ? 'as often in the tenth minute of the outage as in the first' : r.delay === 'constant' ? 'on the same fixed beat' : 'without end';
    // A sync retry has no async context: name its function instead of calling it async code.
    const fn = r.functionId === undefined ? undefined : model.functions[r.functionId]?.name;
    const where = r.context !== undefined ? describeContext(model, r.context) : fn !== undefined ? `\`${fn}\`` : 'this code';
    // A configured interval: its length is the user's choice; what the loop lacks is jitter and growth.
    const message =
      r.interval !== undefined && r.delay === 'constant' && r.jittered !== true
        ? `${what} in ${where} on a fixed interval (\`${r.interval}\`) with no jitter${r.capped ? '' : ` and ${capPhrase(r)}`}: callers that fail together (processes restarted at once, an outage of what they call) retry in step, all at the same moment of every interval, ${r.capped ? 'on each of their attempts' : 'for as long as the failure lasts'}; ${intervalAdvice(model, r, r.interval, catalog.wording.library)}`
        : `${what} in ${where} ${missing(r)}: when the dependency is down, every caller retries ${pace} together and keeps it down (a retry storm); ${advice(model, r, catalog.wording.library)}`;
    findings.push({ message, span: r.span, data: { retryId: r.id } });
  }
  return findings;
}

/** What the retry lacks, in words: growth, a cap, or both. */
function missing(r: RetrySite): string {
  const delay = r.delay === 'none' ? 'with no delay' : r.jittered ? 'with a random delay that does not grow' : r.delay === 'constant' ? 'with a constant delay' : 'with a growing delay';
  return r.capped ? `${delay}` : `${delay} and ${capPhrase(r)}`;
}

/** What stands for a cap on an uncapped retry, in words. */
function capPhrase(r: RetrySite): string {
  return r.capSwitch
    ? `an attempt cap that is skipped when \`${r.capSwitch.limit}\` ${r.capSwitch.when}`
    : r.capSkippable
      ? 'an attempt cap that a `continue` skips'
      : 'no cap on attempts';
}

/** Advice for a retry on a configured interval: keep the user's interval as the ceiling, spread the attempts under it. */
function intervalAdvice(model: FileModel, r: RetrySite, interval: string, library = 'asyncio'): string {
  if (model.language === 'go') {
    return 'wait a random part of the interval that grows with each attempt (`rand.Int63n`), up to the interval itself, or use `backoff.Retry` with `backoff.NewExponentialBackOff()` (jittered by default) with its `MaxInterval` set to the interval (and its `MaxElapsedTime` set to 0 where the loop must keep trying: it stops after 15 minutes by default)';
  }
  if (model.language === 'typescript') {
    // exponential-backoff caps the delay, then draws the full jitter under the cap; p-retry's `randomize` is applied before its `maxTimeout`, so every caller waits exactly the cap once it is reached.
    return `wait a random part of the interval that grows with each attempt, up to the interval itself (\`Math.random() * Math.min(${interval}, base * 2 ** attempt)\`), or use \`backOff\` from \`exponential-backoff\` with \`jitter: 'full'\` and \`maxDelay\` set to the interval (${r.capped ? "and `numOfAttempts` set to the loop's cap" : 'and `numOfAttempts` raised where the loop must keep trying: it stops after 10 attempts by default'})`;
  }
  if (model.language === 'python') {
    const sleep = r.sync === true ? 'time.sleep' : `await ${library}.sleep`;
    const retrying = r.sync === true ? '`for attempt in Retrying(…)`' : '`async for attempt in AsyncRetrying(…)`';
    return `wait a random part of the interval that grows with each attempt, up to the interval itself (\`${sleep}(random.uniform(0, min(${interval}, base * 2 ** attempt)))\`), or let tenacity wait: ${retrying} with \`wait=wait_random_exponential(multiplier=…, max=${interval})\`${r.capped ? ' and `stop=stop_after_attempt(…)`' : ' (and a `stop=` unless the loop must keep trying: by default it never stops)'}`;
  }
  return 'wait a random part of the interval that grows with each attempt, up to the interval itself, so that callers spread out';
}

function advice(model: FileModel, r: RetrySite, library = 'asyncio'): string {
  if (model.language === 'python' && r.kind === 'call') {
    return /backoff\./.test(r.retrier ?? '')
      ? 'use a growing wait generator (`backoff.expo` or `backoff.fibo`, jittered by default) and stop with `max_tries=` or `max_time=`'
      : 'give tenacity a growing, jittered wait and a stop: `wait=wait_random_exponential(multiplier=…, max=…)` and `stop=stop_after_attempt(N)` (or `stop_after_delay`)';
  }
  // A sync retry (`requests.get` with `time.sleep`) runs in no event loop: it waits with `time.sleep`.
  if (model.language === 'python') return `wait \`min(cap, base * 2 ** attempt)\` with jitter between attempts (\`${r.sync === true ? 'time.sleep' : `await ${library}.sleep`}\`) and stop after N attempts (or use \`tenacity\` with \`stop_after_attempt\` and \`wait_random_exponential\`)`;
  if (model.language === 'go') {
    return 'wait `base << attempt` with jitter, capped, between attempts (a `time.Timer` in a `select` with `ctx.Done()`) and stop after N attempts, or use `backoff.Retry` with `backoff.NewExponentialBackOff()` and `backoff.WithMaxRetries`';
  }
  if (model.language === 'java' && r.kind === 'loop') {
    return 'sleep a growing, capped, jittered delay between attempts (`Thread.sleep(ThreadLocalRandom.current().nextLong(Math.min(MAX_MS, BASE_MS << attempt)))`) and stop after N attempts, or let Spring Retry or resilience4j retry with an exponential backoff';
  }
  if (model.language === 'java' && r.retrier?.startsWith('@') === true) {
    return 'give it a growing, capped, jittered backoff: `backoff = @Backoff(delay = 100, multiplier = 2, maxDelay = 10000, random = true)` (on Spring Framework 7\'s `@Retryable`: `delay = 100, multiplier = 2, maxDelay = 10000, jitter = 50`) and a finite `maxAttempts`';
  }
  if (model.language === 'java') {
    return 'retry with a growing, capped delay: `.retryWhen(Retry.backoff(3, Duration.ofMillis(100)))` (jittered by default; `.maxBackoff(…)` caps the delay), or resilience4j with `IntervalFunction.ofExponentialRandomBackoff(…)` and `maxAttempts`';
  }
  return model.language === 'rust'
    ? 'wait `base * 2^attempt` with jitter, capped, between attempts (`tokio::time::sleep`) and stop after N attempts (or use `backon`/`tokio-retry` with an exponential policy)'
    : 'wait `base * 2 ** attempt` with jitter, capped, between attempts and stop after N attempts (or use `p-retry`/`async-retry`)';
}

/** `retry-without-backoff`: a retry with no growing delay or no cap on attempts. */
export const retryWithoutBackoff: Rule = {
  id: 'retry-without-backoff',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    summary: 'A retry loop or recursion with no growing delay, or with no cap on attempts',
    what:
      'Flags loops whose `try` leaves the loop on success and whose `catch` goes round again (TS/JS), `loop { match op().await { Ok(v) => break v, Err(_) => continue } }` and its `if let`/`?`-less forms (Rust), `while True:`/`for attempt in range(N):`/`itertools.count()` loops around a `try` whose body breaks or returns (also from the `with`/`async with` block it opens: `async with session.get(url) as resp: return await resp.json()`) and whose `except` goes round (Python), and functions that call themselves with the same arguments from a `catch` or `.catch`; ' +
      'in Go, `for` loops where `if err == nil { return }` leaves or `if err != nil { …; continue }` goes round, and `backoff.Retry` (cenkalti/backoff) with a constant or zero policy, or an exponential one whose `MaxElapsedTime` is 0 and nothing else stops it, ' +
      'in Java, `while`/`for`/`do` loops around a `try` whose success returns, breaks or sets what the loop condition tests and whose `catch` goes round (`Thread.sleep` or `TimeUnit.sleep` for the delay), Spring Retry\'s `@Retryable` (by default 3 attempts a constant second apart; a `@Backoff` with `multiplier` above 1 grows) and Spring Framework 7\'s `@Retryable` (a `multiplier` above 1 grows), Reactor\'s `retry()` and `retry(n)` (resubscribe at once), `retryWhen` with `Retry.max(n)`, `Retry.maxInARow(n)`, `Retry.indefinitely()` or `Retry.fixedDelay(n, d)` (also a spec kept in a field or local), `Retry.backoff(Long.MAX_VALUE, d)`, reactor-extra\'s `Retry.anyOf(…)` without an exponential backoff, and resilience4j\'s `RetryConfig.custom()…build()` without an exponential `intervalFunction`, ' +
      'in Python also tenacity\'s `@retry` (bare, or without a growing `wait=` or without a `stop=`: its defaults retry at once and forever; `retry=retry_if_exception_type(…)` only picks the failures), a module-level policy made with `retry(…)` and used as a decorator, `Retrying`/`AsyncRetrying` loops, and `@backoff.on_exception` with `backoff.constant` or without `max_tries`/`max_time` (`@backoff.on_predicate` polls a result and is not reported), ' +
      'when the delay between attempts does not grow (none, or a constant sleep) or nothing caps the attempts. The message says which is missing. ' +
      'A cap that applies only while a configured limit is set (`if cfg.MaxRetries > 0 && attempt > cfg.MaxRetries`, `if (this.maxRetries && n >= this.maxRetries)`, `if self.max_attempts is not None and …`, Rust\'s `if let Some(max) = self.max_retries { if attempt >= max { … } }`, Java\'s `maxRetries != -1 && …`) is not a cap: with the limit off, nothing stops the retries, and the message names the limit and the value that turns the cap off. ' +
      'A cap may sit in an argument (`retry(n - 1)`), a local or a field (`if (this.retries < this.maxRetries) { this.retries++; … }`, `job.tries = tries + 1`). ' +
      'Polling and consumer loops (which go round on success too), one-time fallbacks (a recursive call with other arguments), `poll_*` functions, ticker-driven polls and loops over a collection (each item tried once), and capped retries of a transaction conflict (a transient transaction error, a write conflict, a serialization failure) are not reported. ' +
      'In Go a `ctx.Done()` case that leaves the loop counts as a cap (the caller\'s deadline), not as backoff, as does a loop condition that checks a deadline (`for time.Now().Before(deadline)`); a loop that retries local file-system work (`os.RemoveAll` while a file is still open) retries no service and is not reported. ' +
      'A loop whose every wait sleeps one configured interval, a field of an object or a configuration that the loop does not change (Go\'s `time.Sleep(config.RetryInterval)` and `<-time.After(c.opts.RetryDelay)`, TS/JS\'s `await sleep(this.options.retryDelay)` and `new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 1000))`, Python\'s `await asyncio.sleep(self.reconnect_interval)` and `time.sleep(self._config.reconnect_delay)`), or a name the file reads from the environment (TS/JS\'s `const RETRY_DELAY_MS = Number(process.env.RETRY_DELAY_MS ?? 1000)`, Python\'s `RETRY_DELAY = float(os.environ.get("RETRY_DELAY", "5"))`), is reported with that interval named: its length is the user\'s choice, and the message asks for jitter and growth under it. ' +
      'A literal, a bare constant (not read from the environment), a value read off an imported module or another package (`retry.DefaultInterval`, `defaults.RECONNECT_DELAY_MS`, `settings.RECONNECT_DELAY`), a class\'s own field read through the class (`Client.retryDelay`), a module-level object literal\'s field written as a literal or from constants (TS/JS: `const LIMITS = { retryDelay: 2 * SECOND }`; not one read from the environment, `{ retryDelay: Number(process.env.RETRY_DELAY_MS ?? 1000) }`, nor one the file sets), a local object literal of literals (`const retry = { delay: 1000 }`), an enum member or a namespace\'s const (`Delays.Retry`, `Cfg.retryDelay`), a field initialised with a literal and set nowhere else, neither in its class nor from outside it (`private readonly retryDelay = 5000`; not a public field the file sets on an instance, `socket.reconnectInterval = 5000`, nor one the class copies from its options, `Object.assign(this, options)`), a field spelled as a constant (`this.RETRY_DELAY_MS`, `self.RETRY_DELAY`), a local the loop assigns, a field the loop changes, a field a method the loop calls changes (`this.increaseDelay()`, `self._bump()`) and a mix of delays keep the retry-storm message; a field the loop multiplies (`c.delay *= 2`, `this.delay = Math.min(this.delay * 2, max)`, `await sleep(this.delay ?? 100); this.delay *= 2`, `self.delay = self.delay * 2`, `self.delay = min(2 * self.delay, 60)`) is a growing delay. ' +
      'No wait (TS/JS, Python): a 0 ms timer (`await sleep(0)`, `setTimeout(resolve, 0)`, `await asyncio.sleep(0)`), which only yields to the event loop, and a sleep in a loop inside the attempt (a poll for the job the attempt started), which paces the polls, not the attempts.',
    why:
      'Retries amplify failures. When a dependency slows down or fails, every client that retries at once (or on a fixed beat) adds load at the worst moment, in lockstep with every other client, and retries at each layer multiply (three layers retrying three times send 27 requests for one): the retry storm keeps the dependency down after the original fault is gone. ' +
        'Exponential backoff with jitter spreads the attempts out and gives the dependency room to recover, and a cap makes the caller fail instead of piling up waiting work. ' +
        'Capped, immediate retries of a transaction conflict are the exception: the contention is local and short-lived, which is why database drivers retry those at once',
    example: [
      '```ts',
      'for (;;) {',
      '  try { return await fetch(url); }',
      '  catch { await sleep(1000); }',
      '}',
      '```',
      '```ts',
      'for (let attempt = 0; ; attempt++) {',
      '  try { return await fetch(url); }',
      '  catch (err) {',
      '    if (attempt >= 5) throw err;',
      '    await sleep(Math.min(30_000, 100 * 2 ** attempt) * Math.random());',
      '  }',
      '}',
      '```',
    ].join('\n'),
    fix: 'Suggestion (TS/JS; the titles say 5 attempts, the 30 s ceiling and the base delay are placeholders): an uncapped `while (…)`/`for (;;)` loop counts its attempts (`for (let attempt = 1; …; attempt++)`) and its `catch` rethrows once `attempt >= 5` (a `catch` without a binding gets one); a constant sleep `d` becomes `Math.random() * Math.min(30000, d * 2 ** attempt)` (exponential, capped, full jitter), a configured interval `d` stays the ceiling (`Math.random() * Math.min(d, 100 * 2 ** attempt)`, the 100 ms base a placeholder; a delay that may be unset, a read or a call the file does not declare a number, gets a default: `(d ?? 30000)` as the ceiling, `(d ?? 100)` as the base), every sleep the loop waits is grown (a timer in a closure, such as a request timeout\'s `setTimeout(() => ac.abort(), ms)`, is not one, nor a timer that rejects a `new Promise` or a timeout wrapper such as `pTimeout(fetch(url), …)`: a loop whose only timers are those has no wait), and an async loop with no sleep gets one at the top of its `catch` (so does one whose only timers are a 0 ms yield or a poll inside the attempt, which are left as they are); a capped recursion whose count rises in the call (`attempt + 1`) gets the same growth on its sleep (a 0 ms timer that defers the call grows from 100 ms). Refused, with the reason: a synchronous retry with no delay (it cannot wait without blocking), a `do … while`, an uncapped recursion, a loop whose sleep paces a poll inside its `catch`, or a recursion whose does before its call (`while (!(await healthy())) await sleep(500)`: growing it would change the poll). Rust (suggestion): an uncapped loop in a function returning a `Result` gets `let mut attempt: u32 = 0;`, `attempt += 1;` and `if attempt >= 5 { return Err(err.into()); }` in its `Err` arm; the sleep\'s `Duration` `d` becomes `d.saturating_mul(2u32.saturating_pow(attempt)).min(Duration::from_secs(30))`, with `.mul_f64(rand::random::<f64>())` for jitter when the crate depends on `rand` (a loop\'s own counter is used when it has one: `for attempt in 0..5`, `while attempts < 10`); refused in a function that does not return a `Result` (what to return on giving up is a decision) and where no sleep takes a `Duration`. Java (suggestion; 3 attempts and 100 ms are placeholders): Reactor\'s `retry()`/`retry(n)` becomes `retryWhen(Retry.backoff(3 or n, Duration.ofMillis(100)))`, and `Retry.max(n)`/`maxInARow(n)`/`fixedDelay(n, d)`/`indefinitely()` becomes `Retry.backoff(…)` keeping its count, delay and filters (a `RetrySpec` field becomes a `RetryBackoffSpec`); refused for an uncapped `Retry.backoff(Long.MAX_VALUE, d)` (the cap is a decision); hand-written loops and `@Retryable` get advice. Otherwise: wait `base * 2 ** attempt` (capped, with jitter) and stop after N attempts, or use a retry library configured with backoff and a stop (`p-retry`, `async-retry`, `backon`, `tokio-retry`, `tenacity`).',
    limits: 'A delay computed by a helper is treated as growing only when the helper\'s name says so (`backoff`, `exponential`, `jitter`); retries that span functions are not seen. A field a method the loop calls doubles (`this.increaseDelay()`, `self._bump()`) is read as a constant delay, not a growing one (the helper is not followed for growth). A configured interval is read in Go, TS/JS and Python loops only: a recursion, a retry library, and Java and Rust loops that wait one keep the retry-storm message, and a configuration object imported from another module (Django\'s `settings`) counts as a module\'s value. In TS/JS a public field initialised with a literal is read as the author\'s constant unless the file itself sets it from outside the class or copies options onto the instance: one set only by another module (`socket.reconnectInterval = 4000` in the caller\'s file) keeps the retry-storm message. In Java, a loop whose policy is another object\'s (`retryPolicy.shouldRetry(e)`, or `context.onError(e)` on an object declared as a retry\'s or backoff\'s state, resilience4j\'s `Retry.Context`), a Reactor `Retry` spec whose `doBeforeRetry` advances what the retried publisher reads (a failover to the next address), one whose `filter` is a `Predicate` object of the file whose every \'retry\' answer first moves a field the retried request reads (through the object, a method it calls, or a method of the object it hands on): to a computed value (a redirect\'s new target), to a flag the request side sets back (credentials armed for the next request), by a count the request side compares (a cap it checks), or turns off the flag its own `if` tests (a one-shot reconnect), as a redirect-following client does; a count only a header, a metric or the predicate\'s own cap reads is no such move, a `@Retryable` on a class, one configured by expressions or an interceptor bean, and a retry on a status code without a `try` are not reported.',
  },
  check,
};
