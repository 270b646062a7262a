import type { Catalog } from '../catalog';
import type { FileModel } from '../model';
import type { RawFinding, Rule } from '../rule';

function check(model: FileModel, catalog: Catalog): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const ch of model.channels) {
    if (ch.bounded) continue;
    const entry = catalog.channels.get(ch.constructor);
    const bound = entry?.bound ?? 'a capacity';
    let message: string;
    if (entry?.message !== undefined) {
      findings.push({ message: entry.message.replace('{text}', ch.text), span: ch.span, data: { channelId: ch.id } });
      continue;
    }
    switch (ch.reason) {
      case 'infinite-capacity':
        message = `\`${ch.text}\` is created with an infinite bound, so it never applies backpressure: set ${bound} to a finite value`;
        break;
      case 'ignored-backpressure':
        message = `\`${ch.text}\` ignores backpressure: its \`false\` return is dropped, so the buffer grows without limit; wait for \`'drain'\` before writing more`;
        break;
      default:
        message = entry?.alwaysUnbounded
          ? `\`${ch.text}\` creates an unbounded queue that hides overload until memory runs out: use \`${bound}\` with a capacity`
          : `\`${ch.text}\` creates a queue with no bound, which hides overload until memory runs out: set ${bound}`;
    }
    findings.push({ message, span: ch.span, data: { channelId: ch.id } });
  }
  return findings;
}

/** `unbounded-channel`: a channel or queue without a bound, or a write that ignores backpressure. */
export const unboundedChannel: Rule = {
  id: 'unbounded-channel',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    summary: 'A channel, queue or buffer created without a capacity, or a backpressure signal ignored',
    what:
      'Flags queue and channel constructors called without a bound (`new PQueue()`, `unbounded_channel()`, `asyncio.Queue()`), streams created with an infinite `highWaterMark`, and writes in a loop that ignore the `false` return of `write()`. ' +
      'Go channels are bounded, so in Go it flags what defeats the bound: a goroutine started only to send (`go func() { ch <- v }()`), so the sender never waits, and a slice used as a queue that a `select` loop appends to with no length check (not a batch the loop makes afresh each turn, nor one gathered by a counted loop such as a group commit of at most N, nor one a loop fills while it empties a map it waits on, `for len(sent) > 0 { … delete(sent, k) … }`; what is queued is what a case receives, so a case that binds nothing, a timer\'s `case <-t.C:`, or that leaves the loop right after, does not count). ' +
      'In Java: `new LinkedBlockingQueue<>()`/`LinkedBlockingDeque` without a capacity, `Executors.newFixedThreadPool`/`newSingleThreadExecutor` (their work queue has no bound) and `newCachedThreadPool` (no bound on threads), and Reactor\'s unbounded buffers: `onBackpressureBuffer()` without a size, `Sinks.many().unicast().onBackpressureBuffer()` with its default queue, `Sinks.many().replay().all()`, and `Flux.create`/`Flux.push` with the `BUFFER` overflow strategy (their default); not a multicast sink\'s `onBackpressureBuffer()` (256 by default), `replay().limit(N)`, or a `ThreadPoolExecutor` over an `ArrayBlockingQueue`.',
    why:
      'A bounded queue pushes back on producers when consumers fall behind. An unbounded one accepts everything: latency grows, memory grows, and the service fails long after the cause, far from it.',
    example: [
      '```ts',
      'const queue = new PQueue();',
      'for (const job of jobs) queue.add(() => process(job));',
      '```',
      '```ts',
      'const queue = new PQueue({ concurrency: 8 });',
      'for (const job of jobs) queue.add(() => process(job));',
      '```',
    ].join('\n'),
    fix:
      'A suggestion adds a bound (`{ concurrency: N }`, `channel(CAPACITY)`, `maxsize=N`) with a placeholder value to choose, or waits for `drain` before the next write. Java (suggestions; the numbers are placeholders): `new LinkedBlockingQueue<>(1024)`, `onBackpressureBuffer(256)` (an overflow error when full), a unicast sink over `new ArrayBlockingQueue<>(256)`, `replay().limit(256)`, `Flux.create`/`push` with `FluxSink.OverflowStrategy.ERROR`, and `Executors.newFixedThreadPool(n)`/`newSingleThreadExecutor()`/`newCachedThreadPool()` replaced by a `ThreadPoolExecutor` over a bounded queue (a `SynchronousQueue` and at most 64 threads for the cached pool) with `CallerRunsPolicy`.',
    limits:
      'A queue that is bounded elsewhere (by a semaphore around its producers) is still flagged: suppress it with a reason. A Rust channel whose messages carry a `oneshot::Sender` reply (read from its turbofish, or from the type of the struct field its sender is stored in) is a request/response queue bounded by its callers, and is not flagged; a `write()` in a loop followed by `return`, `throw` or a `break` runs once and is not flagged, nor is one in a `for…in` loop, which renders the keys of one object the process holds (a config dump, an admin reply), or one in a loop over the configuration (TS/JS): a collection that comes from a config source (a `require` or `import` of a config module or a JSON/YAML file, the callback parameter of a loader that a config module exports or that is called on one, `process.env`, `process.argv`, a literal) or is built from one (StatsD\'s proxy lists the backends of a hash ring built from its configured nodes), a burst the config file bounds rather than the traffic. Where a value comes from decides, not its name: a `config` parsed from a message, a `userSettings` a query returned, a request\'s parameter and anything under a request (`req.body.config`) are still flagged, and so is a collection the code fills from requests or messages, even one seeded from the configuration (`new Set(config.seedPeers)` that a message handler adds to, itself or through a function of the file it calls); the name of a query or of a parameter proves nothing (`db.loadUserSettings(id, (prefs) => …)` hands its callback rows). Configuration read some other way (`JSON.parse(fs.readFileSync(file))`, a call result, a class field set from a constructor parameter) is not recognised: such a loop is flagged; suppress it with a reason.',
  },
  check,
};
