// A retry cap that applies only while a configured limit is set (serf's `retryJoin`: `if
// config.RetryMaxAttempts > 0 && attempt > config.RetryMaxAttempts`, with a default of 0) is not a
// cap: the message names the limit and when the cap is skipped, in every language the rule covers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { switchableCap } from '../../server/src/engine/retry-caps';
import { analyze } from '../../server/src/project/analyze';

const FIXTURES = join(__dirname, '..', 'fixtures');

describe('retry-without-backoff: a cap a configured limit turns off', () => {
  it('reads the guard and the comparison with the same limit, in any order and language', () => {
    const cases: [string, { limit: string; when: string } | undefined][] = [
      ['config.RetryMaxAttempts > 0 && attempt > config.RetryMaxAttempts', { limit: 'config.RetryMaxAttempts', when: 'is 0' }],
      ['(this.options.maxRetries && attempt >= this.options.maxRetries)', { limit: 'this.options.maxRetries', when: 'is 0 or not set' }],
      ['attempt >= self.max_attempts and self.max_attempts is not None', { limit: 'self.max_attempts', when: 'is None' }],
      ['properties.getMaxRetries() != -1 && attempts > properties.getMaxRetries()', { limit: 'properties.getMaxRetries()', when: 'is -1' }],
      ['max != 0 && n >= max', { limit: 'max', when: 'is 0' }],
      ['0 < limit && tries > limit', { limit: 'limit', when: 'is 0' }],
      ['cfg.MaxRetries >= 0 && attempt > cfg.MaxRetries', { limit: 'cfg.MaxRetries', when: 'is negative' }],
      ['maxRetries !== undefined && attempt >= maxRetries', { limit: 'maxRetries', when: 'is undefined' }],
      // A cap on every path, or a guard on something else: not a switch.
      ['attempt > config.RetryMaxAttempts', undefined],
      ['err != nil && attempt > max', undefined],
      ['enabled && attempt >= max', undefined],
      ['max > 0 || attempt > max', undefined],
      ['max > 0 && attempt > other', undefined],
    ];
    for (const [cond, want] of cases) assert.deepEqual(switchableCap(cond), want, cond);
  });

  it('reads a guard on the counter as no switch: the cap applies on every path', () => {
    const cases: [string, string | undefined, { limit: string; when: string } | undefined][] = [
      // Compared with a number: the name is the counter (`if attempt and attempt >= 3: raise`).
      ['attempt and attempt >= 3', undefined, undefined],
      ['n > 0 && 5 <= n', undefined, undefined],
      // Counted in the loop: TS/Go `attempt++`, Python/Rust `attempt += 1`, Go `for attempt := 1; ; attempt++`.
      ['attempt > 0 && attempt >= this.maxRetries', 'for (;;) { try { await send(); return; } catch (err) { attempt++; if (attempt > 0 && attempt >= this.maxRetries) throw err; } }', undefined],
      ['attempt > 0 and attempt >= self.max_attempts', 'while True:\n    attempt += 1\n    if attempt > 0 and attempt >= self.max_attempts:\n        raise', undefined],
      ['tries != 0 && tries > cfg.MaxRetries', 'for tries := 1; ; tries++ {', undefined],
      ['attempt > 0 && attempt >= max', 'loop { attempt = attempt + 1; if attempt > 0 && attempt >= max { return Err(e); } }', undefined],
      // The limit read into a local in the loop is not counting: still a switch (TS, Python, Go).
      ['max > 0 && attempt > max', 'for (let attempt = 1; ; attempt++) { try { return await join(seeds); } catch (err) { const max = this.options.retryMaxAttempts; if (max > 0 && attempt > max) throw err; } }', { limit: 'max', when: 'is 0' }],
      ['limit > 0 and attempt >= limit', 'while True:\n    attempt += 1\n    limit = self.max_attempts\n    if limit > 0 and attempt >= limit:\n        raise', { limit: 'limit', when: 'is 0' }],
      ['max > 0 && attempt > max', 'for attempt := 1; ; attempt++ { max := cfg.RetryMaxAttempts; if max > 0 && attempt > max { return err } }', { limit: 'max', when: 'is 0' }],
      // The limit guarded while the counter counts: still a switch.
      ['config.RetryMaxAttempts > 0 && attempt > config.RetryMaxAttempts', 'for { attempt++; if config.RetryMaxAttempts > 0 && attempt > config.RetryMaxAttempts { return err } }', { limit: 'config.RetryMaxAttempts', when: 'is 0' }],
    ];
    for (const [cond, loop, want] of cases) assert.deepEqual(switchableCap(cond, loop), want, cond);
  });

  const files: [string, string[]][] = [
    // serf's own loop sleeps the configured `RetryInterval`: the message names it and asks for jitter and growth under it.
    ['go/retry-without-backoff/invalid-caps-off-by-default.go', ['on a fixed interval (`config.RetryInterval`) with no jitter and an attempt cap that is skipped when `config.RetryMaxAttempts` is 0', 'with a growing delay and an attempt cap that is skipped when `c.cfg.MaxRetries` is 0']],
    // The consumers' own loops sleep their configured `retryDelayMs`/`retry_delay`: named like serf's.
    ['ts/retry-without-backoff/invalid-caps-off-by-default.ts', ['on a fixed interval (`this.options.retryDelayMs`) with no jitter and an attempt cap that is skipped when `this.options.maxRetries` is 0 or not set', 'with a growing delay and an attempt cap that is skipped when `this.options.retryMaxAttempts` is 0']],
    ['rust/retry-without-backoff/invalid-caps-off-by-default.rs', ['with a constant delay and an attempt cap that is skipped when `self.config.max_retries` is None', 'with a constant delay and an attempt cap that is skipped when `self.config.max_attempts` is 0']],
    ['python/retry-without-backoff/invalid-caps-off-by-default.py', ['on a fixed interval (`self.retry_delay`) with no jitter and an attempt cap that is skipped when `self.max_retries` is 0 or not set', 'with a growing delay and an attempt cap that is skipped when `self.max_attempts` is None']],
    ['java/retry-without-backoff/invalid-caps-off-by-default.java', ['with a constant delay and an attempt cap that is skipped when `maxAttempts` is 0', 'with a constant delay and an attempt cap that is skipped when `properties.getMaxRetries()` is -1']],
  ];
  for (const [file, wanted] of files) {
    it(`names the limit and when the cap is skipped: ${file.split('/')[0]}`, () => {
      const path = join(FIXTURES, file);
      const findings = analyze({ path, text: readFileSync(path, 'utf8') })!.findings.filter((f) => f.rule === 'retry-without-backoff');
      assert.deepEqual(findings.map((f) => / ((?:with|on a fixed interval) [^:]*?): (?:when the dependency|callers that fail together)/.exec(f.message)?.[1]), wanted);
    });
  }

  it('tells a configured interval from a literal or computed delay (Go)', () => {
    const loop = (sleep: string): string =>
      ['package p', '', 'import (', '\t"time"', '', '\t"example.com/retry"', ')', '', 'var _ = retry.DefaultInterval', '', 'type Config struct{ RetryInterval time.Duration }', '',
        'func join(cfg *Config, dial func() error) {', '\tfor {', '\t\tif err := dial(); err == nil {', '\t\t\treturn', '\t\t}', `\t\t${sleep}`, '\t}', '}', ''].join('\n');
    const message = (sleep: string): string => {
      const found = analyze({ path: '/w/join.go', text: loop(sleep) })!.findings.filter((f) => f.rule === 'retry-without-backoff');
      assert.equal(found.length, 1, sleep);
      return found[0]!.message;
    };
    for (const sleep of ['time.Sleep(cfg.RetryInterval)', '<-time.After(cfg.RetryInterval)']) {
      const m = message(sleep);
      assert.match(m, /on a fixed interval \(`cfg\.RetryInterval`\) with no jitter and no cap on attempts: callers that fail together/, sleep);
      assert.match(m, /`backoff\.NewExponentialBackOff\(\)` \(jittered by default\) with its `MaxInterval` set to the interval \(and its `MaxElapsedTime` set to 0 where the loop must keep trying: it stops after 15 minutes by default\)$/, sleep);
    }
    // A literal, a `time` constant, an expression, another package's value or a field the loop adds to is a plain constant delay: the storm message.
    for (const sleep of ['time.Sleep(5 * time.Second)', 'time.Sleep(time.Second)', 'time.Sleep(time.Duration(cfg.RetryInterval))', 'time.Sleep(retry.DefaultInterval)', 'time.Sleep(cfg.RetryInterval); cfg.RetryInterval += time.Second']) {
      assert.match(message(sleep), /with a constant delay and no cap on attempts: when the dependency is down/, sleep);
    }
    // A field the loop multiplies grows.
    for (const sleep of ['time.Sleep(cfg.RetryInterval); cfg.RetryInterval = cfg.RetryInterval * 2', 'time.Sleep(cfg.RetryInterval); cfg.RetryInterval *= 2', 'time.Sleep(cfg.RetryInterval); cfg.RetryInterval += cfg.RetryInterval']) {
      assert.match(message(sleep), /with a growing delay and no cap on attempts: when the dependency is down/, sleep);
    }
  });

  /** The findings of a fixture: line → message. */
  const messagesOf = (file: string): Map<number, string> => {
    const path = join(FIXTURES, file);
    const text = readFileSync(path, 'utf8');
    const found = analyze({ path, text })!.findings.filter((f) => f.rule === 'retry-without-backoff');
    return new Map(found.map((f) => [text.slice(0, f.span.start).split('\n').length, f.message]));
  };
  const lineOf = (file: string, marker: string): number => readFileSync(join(FIXTURES, file), 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 2;
  const STEP = 'callers that fail together (processes restarted at once, an outage of what they call) retry in step, all at the same moment of every interval';

  it('names a configured interval in TS/JS loops, with advice that keeps it the ceiling', () => {
    const file = 'ts/retry-without-backoff/invalid-configured-intervals.ts';
    const messages = messagesOf(file);
    const at = (method: string): string => messages.get(lineOf(file, `async ${method}(`)) ?? `no finding in ${method}`;
    assert.equal(
      at('connect'),
      `This loop retries \`this.broker.connect\` in \`connect\` on a fixed interval (\`this.options.retryDelay\`) with no jitter and no cap on attempts: ${STEP}, for as long as the failure lasts; ` +
        "wait a random part of the interval that grows with each attempt, up to the interval itself (`Math.random() * Math.min(this.options.retryDelay, base * 2 ** attempt)`), or use `backOff` from `exponential-backoff` with `jitter: 'full'` and `maxDelay` set to the interval (and `numOfAttempts` raised where the loop must keep trying: it stops after 10 attempts by default)",
    );
    assert.match(at('reconnect'), /on a fixed interval \(`this\.options\.retryDelayMs`\) with no jitter and no cap on attempts:/);
    assert.equal(
      messages.get(lineOf(file, 'async uploadWithRetry(') + 1),
      `This loop retries \`this.storage.upload\` in \`uploadWithRetry\` on a fixed interval (\`this.options.retryDelay\`) with no jitter: ${STEP}, on each of their attempts; ` +
        "wait a random part of the interval that grows with each attempt, up to the interval itself (`Math.random() * Math.min(this.options.retryDelay, base * 2 ** attempt)`), or use `backOff` from `exponential-backoff` with `jitter: 'full'` and `maxDelay` set to the interval (and `numOfAttempts` set to the loop's cap)",
    );
    // A literal, an imported constant (bare or off the module), a local the loop assigns and a field it steps keep the storm message; a doubled field grows.
    for (const method of ['connectFixed', 'connectWithDefault', 'connectWithModuleDefault', 'connectWithLocal', 'connectStepping']) {
      assert.match(at(method), /with a constant delay and no cap on attempts: when the dependency is down, every caller retries on the same fixed beat together/, method);
    }
    assert.match(at('connectDoubling'), /with a growing delay and no cap on attempts: when the dependency is down/);
  });

  it('tells a configured interval from other delays in a JS loop, and in a timer promise', () => {
    const loop = (wait: string): string =>
      ["const { setTimeout: sleep } = require('node:timers/promises');", "const defaults = require('./defaults');", '', 'const PUBLISH = { retryInterval: 2000 };', '', 'class Publisher {', '  static retryInterval = 2000;', '  RETRY_INTERVAL_MS = 2000;', '', '  async publish(msg) {', '    while (true) {', '      try {', '        return await this.channel.send(msg);', '      } catch (err) {', `        ${wait}`, '      }', '    }', '  }', '}', 'module.exports = { Publisher };', ''].join('\n');
    const message = (wait: string): string => {
      const found = analyze({ path: '/w/publisher.js', text: loop(wait) })!.findings.filter((f) => f.rule === 'retry-without-backoff');
      assert.equal(found.length, 1, wait);
      return found[0]!.message;
    };
    for (const wait of ['await sleep(this.options.retryInterval);', 'await new Promise((resolve) => setTimeout(resolve, this.options.retryInterval));', 'await sleep(this.options.retryInterval || 2000);']) {
      assert.match(message(wait), /^This loop retries `this\.channel\.send` in `publish` on a fixed interval \(`this\.options\.retryInterval`\) with no jitter and no cap on attempts: callers that fail together/, wait);
    }
    for (const wait of ['await sleep(2000);', 'await sleep(defaults.retryInterval);', 'await sleep(Publisher.retryInterval);', 'await sleep(PUBLISH.retryInterval);', 'await sleep(this.RETRY_INTERVAL_MS);', 'await sleep(this.options.retryInterval); this.options.retryInterval += 100;', 'await sleep(this.options.retryInterval); await sleep(1000);', 'await sleep(this.options.retryInterval); this.options = { retryInterval: 10 };']) {
      assert.match(message(wait), /with a constant delay and no cap on attempts: when the dependency is down/, wait);
    }
    for (const wait of ['await sleep(this.retryInterval); this.retryInterval *= 2;', 'await sleep(this.retryInterval); this.retryInterval += this.retryInterval;']) {
      assert.match(message(wait), /with a growing delay and no cap on attempts: when the dependency is down/, wait);
    }
  });

  it("tells the author's constants in TS from a configured interval: a literal field, an enum member, a namespace const, a local literal; a field a helper changes or doubled behind a default", () => {
    // Modelled on a websocket client: its own reconnect delays next to the options it was given.
    const loop = (wait: string, prelude = ''): string =>
      [
        "import { setTimeout as sleep } from 'node:timers/promises';",
        '',
        'enum Delays { Retry = 1000 }',
        'namespace Cfg { export const retryDelay = 1000; }',
        '',
        'export class Socket {',
        '  private readonly retryDelay = 5000;',
        '  private reconnectDelay = 500;',
        '  private delay?: number;',
        '  constructor(private readonly url: string, private readonly options: { retryDelay: number }) {}',
        '',
        '  async open(): Promise<Response> {',
        ...(prelude ? [`    ${prelude}`] : []),
        '    while (true) {',
        '      try {',
        '        return await fetch(this.url);',
        '      } catch {',
        ...wait.split('; ').map((w) => `        ${w}`),
        '      }',
        '    }',
        '  }',
        '',
        '  private increaseDelay(): void {',
        '    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 30_000);',
        '  }',
        '}',
        '',
      ].join('\n');
    const message = (wait: string, prelude?: string): string => {
      const found = analyze({ path: '/w/socket.ts', text: loop(wait, prelude) })!.findings.filter((f) => f.rule === 'retry-without-backoff');
      assert.equal(found.length, 1, wait);
      return found[0]!.message;
    };
    assert.match(message('await sleep(this.options.retryDelay);'), /on a fixed interval \(`this\.options\.retryDelay`\) with no jitter and no cap on attempts/);
    for (const wait of ['await sleep(this.retryDelay);', 'await sleep(Delays.Retry);', 'await sleep(Cfg.retryDelay);', 'await sleep(this.reconnectDelay); this.increaseDelay();']) {
      assert.match(message(wait), /with a constant delay and no cap on attempts: when the dependency is down, every caller retries on the same fixed beat together/, wait);
    }
    assert.match(message('await sleep(retry.delay);', 'const retry = { delay: 1000 };'), /with a constant delay and no cap on attempts: when the dependency is down/);
    assert.match(message('await sleep(this.delay ?? 100); this.delay = (this.delay ?? 100) * 2;'), /with a growing delay and no cap on attempts: when the dependency is down/);
    assert.match(message('await sleep(this.reconnectDelay ?? 100); this.reconnectDelay *= 2;'), /with a growing delay and no cap on attempts: when the dependency is down/);
  });

  it('reads a field set from outside its class, or copied from options, and settings read from the environment as configured intervals (TS)', () => {
    const file = 'ts/retry-without-backoff/invalid-intervals-set-from-outside.ts';
    const messages = messagesOf(file);
    const at = (fn: string): string => messages.get(lineOf(file, `${fn}(`)) ?? `no finding in ${fn}`;
    // `socket.reconnectInterval = 5000` after construction; `Object.assign(this, options)`; `Number(process.env.FEED_RETRY_DELAY_MS ?? 1000)`.
    assert.match(at('async open'), /^This loop retries `fetch` in `open` on a fixed interval \(`this\.reconnectInterval`\) with no jitter and no cap on attempts: callers that fail together/);
    assert.match(at('async poll'), /^This loop retries `fetch` in `poll` on a fixed interval \(`this\.retryDelay`\) with no jitter and no cap on attempts: callers that fail together/);
    assert.match(at('async function readFeed'), /^This loop retries `fetch` in `readFeed` on a fixed interval \(`settings\.retryDelay`\) with no jitter and no cap on attempts: callers that fail together/);
    assert.match(at('async function readFeedFromEnv'), /^This loop retries `fetch` in `readFeedFromEnv` on a fixed interval \(`RECONNECT_DELAY_MS`\) with no jitter and no cap on attempts: callers that fail together/);
    assert.match(at('async function readFeedWithDefaults'), /^This loop retries `fetch` in `readFeedWithDefaults` on a fixed interval \(`defaults\.retryDelay`\) with no jitter and no cap on attempts: callers that fail together/);
    // A private field nothing sets and settings written as literals (`2 * SECOND`) are the author's constants.
    for (const fn of ['async ping', 'async function readFeedWithLimits']) {
      assert.match(at(fn), /with a constant delay and no cap on attempts: when the dependency is down, every caller retries on the same fixed beat together/, fn);
    }
  });

  it('reads a poll inside the attempt and a 0 ms timer as no wait between attempts (TS)', () => {
    const file = 'ts/retry-without-backoff/invalid-yields-and-polls.ts';
    const messages = messagesOf(file);
    const at = (fn: string): string => messages.get(lineOf(file, `${fn}(`)) ?? `no finding in ${fn}`;
    assert.match(at('async exportReport'), /^This loop retries `this\.api\.startExport` in `exportReport` with no delay: when the dependency is down, every caller retries at full speed together/);
    assert.match(at('async push'), /^This loop retries `this\.write` in `push` with no delay: when the dependency is down, every caller retries at full speed together/);
    assert.match(at('async flush'), /^This loop retries `this\.write` in `flush` with no delay and no cap on attempts: when the dependency is down, every caller retries at full speed together/);
    const deferred = [...messages.values()].find((m) => m.startsWith('`this.send`'));
    assert.match(deferred ?? 'no finding in send', /^`this\.send` retries itself on failure in the `setTimeout` callback with no delay: when the dependency is down, every caller retries at full speed together/);
    assert.equal(messages.size, 4);
  });

  it('names a configured interval in Python loops, with advice that keeps it the ceiling', () => {
    const file = 'python/retry-without-backoff/invalid-configured-intervals.py';
    const messages = messagesOf(file);
    const at = (method: string): string => messages.get(lineOf(file, `def ${method}(`)) ?? `no finding in ${method}`;
    assert.equal(
      at('connect'),
      `This loop retries \`websockets.connect\` in \`connect\` on a fixed interval (\`self.reconnect_interval\`) with no jitter and no cap on attempts: ${STEP}, for as long as the failure lasts; ` +
        'wait a random part of the interval that grows with each attempt, up to the interval itself (`await asyncio.sleep(random.uniform(0, min(self.reconnect_interval, base * 2 ** attempt)))`), or let tenacity wait: `async for attempt in AsyncRetrying(…)` with `wait=wait_random_exponential(multiplier=…, max=self.reconnect_interval)` (and a `stop=` unless the loop must keep trying: by default it never stops)',
    );
    assert.equal(
      at('connect_limited'),
      `This loop retries \`websockets.connect\` in \`connect_limited\` on a fixed interval (\`self.reconnect_interval\`) with no jitter: ${STEP}, on each of their attempts; ` +
        'wait a random part of the interval that grows with each attempt, up to the interval itself (`await asyncio.sleep(random.uniform(0, min(self.reconnect_interval, base * 2 ** attempt)))`), or let tenacity wait: `async for attempt in AsyncRetrying(…)` with `wait=wait_random_exponential(multiplier=…, max=self.reconnect_interval)` and `stop=stop_after_attempt(…)`',
    );
    assert.match(at('start'), /on a fixed interval \(`self\._config\.reconnect_delay`\) with no jitter and no cap on attempts:/);
    assert.match(at('post'), /on a fixed interval \(`self\.retry_interval`\) .*\(`time\.sleep\(random\.uniform\(0, min\(self\.retry_interval, base \* 2 \*\* attempt\)\)\)`\), or let tenacity wait: `for attempt in Retrying\(…\)`/);
    // A module constant read from the environment is the user's interval; one written as a literal is the author's.
    assert.match(at('deliver_webhook'), /in `deliver_webhook` on a fixed interval \(`WEBHOOK_RETRY_DELAY`\) with no jitter and no cap on attempts: .*\(`time\.sleep\(random\.uniform\(0, min\(WEBHOOK_RETRY_DELAY, base \* 2 \*\* attempt\)\)\)`\)/);
    assert.match(at('deliver_webhook_fixed'), /with a constant delay and no cap on attempts: when the dependency is down, every caller retries on the same fixed beat together/);
    // A literal, an imported constant (bare or off an imported module), a local the loop assigns and a field it steps keep the storm message; a doubled field grows.
    for (const method of ['connect_fixed', 'connect_default', 'connect_settings', 'connect_local', 'connect_stepping']) {
      assert.match(at(method), /with a constant delay and no cap on attempts: when the dependency is down, every caller retries on the same fixed beat together/, method);
    }
    assert.match(at('connect_doubling'), /with a growing delay and no cap on attempts: when the dependency is down/);
  });

  it('sees a retry whose success returns from inside `async with`, and reads a 0 s sleep and a poll inside the attempt as no wait (Python)', () => {
    const file = 'python/retry-without-backoff/invalid-aiohttp-yields-and-polls.py';
    const messages = messagesOf(file);
    const at = (fn: string): string => messages.get(lineOf(file, `def ${fn}(`)) ?? `no finding in ${fn}`;
    assert.match(at('fetch_json'), /^This loop retries `session\.get` in `fetch_json` with a constant delay and no cap on attempts: when the dependency is down/);
    assert.match(at('post_event'), /^This loop retries `session\.post` in `post_event` with no delay: when the dependency is down, every caller retries at full speed together/);
    assert.match(at('export'), /^This loop retries `self\.session\.post` in `export` with no delay: when the dependency is down, every caller retries at full speed together/);
    assert.equal(messages.size, 3);
    // A sync retry is told to wait with `time.sleep`, not with the event loop's sleep.
    const sync = ['import time', '', 'import requests', '', '', 'def fetch(url):', '    while True:', '        try:', '            return requests.get(url, timeout=10).json()', '        except requests.RequestException:', '            time.sleep(5)', ''].join('\n');
    const found = analyze({ path: '/w/fetch.py', text: sync })!.findings.filter((f) => f.rule === 'retry-without-backoff');
    assert.match(found[0]?.message ?? 'no finding', /with a constant delay and no cap on attempts: .*; wait `min\(cap, base \* 2 \*\* attempt\)` with jitter between attempts \(`time\.sleep`\) and stop after N attempts/);
  });

  it('tells a configured interval from other delays in a Python loop', () => {
    const loop = (wait: string): string =>
      ['import asyncio', '', 'import aiohttp', 'import config', '', '', 'class Feed:', '    RETRY_INTERVAL = 5', '    retry_interval = 5', '', '    async def fetch(self, session, url):', '        while True:', '            try:', '                resp = await session.get(url)', '                return await resp.json()', '            except aiohttp.ClientError:', ...wait.split('; ').map((w) => `                ${w}`), ''].join('\n');
    const message = (wait: string): string => {
      const found = analyze({ path: '/w/feed.py', text: loop(wait) })!.findings.filter((f) => f.rule === 'retry-without-backoff');
      assert.equal(found.length, 1, wait);
      return found[0]!.message;
    };
    for (const wait of ['await asyncio.sleep(self.retry_interval)', 'await asyncio.sleep(self._config.reconnect_delay)', 'await asyncio.sleep(self.retry_interval or 5)']) {
      assert.match(message(wait), /in `fetch` on a fixed interval \(`self\.(?:retry_interval|_config\.reconnect_delay)`\) with no jitter and no cap on attempts: callers that fail together/, wait);
    }
    for (const wait of ['await asyncio.sleep(5)', 'await asyncio.sleep(config.RETRY_INTERVAL)', 'await asyncio.sleep(Feed.retry_interval)', 'await asyncio.sleep(self.RETRY_INTERVAL)', 'await asyncio.sleep(self.retry_interval); self.retry_interval += 1', 'await asyncio.sleep(self.retry_interval); await asyncio.sleep(1)', 'await asyncio.sleep(self._config.reconnect_delay); self._config = self.reload()']) {
      assert.match(message(wait), /with a constant delay and no cap on attempts: when the dependency is down/, wait);
    }
    for (const wait of ['await asyncio.sleep(self.retry_interval); self.retry_interval *= 2', 'await asyncio.sleep(self.retry_interval); self.retry_interval = min(self.retry_interval * 2, 60)']) {
      assert.match(message(wait), /with a growing delay and no cap on attempts: when the dependency is down/, wait);
    }
  });

  it('reads a Python field doubled with the factor first as growing, and a field a helper changes or a function-local import as no configured interval', () => {
    // Modelled on a feed client that keeps its own reconnect delay and bumps it in a helper.
    const feed = (prelude: string, wait: string): string =>
      ['import asyncio', '', 'import aiohttp', '', '', 'class Feed:', '    def __init__(self, retry_delay=1.0):', '        self.retry_delay = retry_delay', '        self._delay = 0.5', '', '    def _bump(self):', '        self._delay = min(self._delay * 2, 60)', '', '    async def fetch(self, session, url):', ...(prelude ? prelude.split('; ').map((l) => `        ${l}`) : []), '        while True:', '            try:', '                return await session.get(url)', '            except aiohttp.ClientError:', ...wait.split('; ').map((w) => `                ${w}`), ''].join('\n');
    const message = (prelude: string, wait: string): string => {
      const found = analyze({ path: '/w/feed.py', text: feed(prelude, wait) })!.findings.filter((f) => f.rule === 'retry-without-backoff');
      assert.equal(found.length, 1, wait);
      return found[0]!.message;
    };
    assert.match(message('', 'await asyncio.sleep(self.retry_delay)'), /on a fixed interval \(`self\.retry_delay`\)/);
    for (const wait of ['await asyncio.sleep(self._delay); self._delay = 2 * self._delay', 'await asyncio.sleep(self._delay); self._delay = min(2 * self._delay, 60)']) {
      assert.match(message('', wait), /with a growing delay and no cap on attempts: when the dependency is down/, wait);
    }
    assert.match(message('', 'await asyncio.sleep(self._delay); self._bump()'), /with a constant delay and no cap on attempts: when the dependency is down/);
    for (const prelude of ['from app import conf', 'import conf', 'from app import settings as conf', 'import conf.local', 'from app import (;    settings,;    conf,;)', 'import os, conf  # the defaults', 'from . import conf']) {
      assert.match(message(prelude, 'await asyncio.sleep(conf.retry_delay)'), /with a constant delay and no cap on attempts: when the dependency is down/, prelude);
    }
    // A parameter that holds the configuration is the user's value; an import that binds another name (its alias) does not hide it.
    for (const prelude of ['conf = self', 'conf = self; from app import conf as defaults', 'conf = self; import app.conf as defaults', 'conf = self; from app import (;    conf as defaults,;)']) {
      assert.match(message(prelude, 'await asyncio.sleep(conf.retry_delay)'), /on a fixed interval \(`conf\.retry_delay`\)/, prelude);
    }
  });
});
