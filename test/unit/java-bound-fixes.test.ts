// The Java fixes that add a bound: unbounded-channel (queues, Reactor buffers and sinks, Executors
// pools) and retry-without-backoff (Reactor's retry, Retry.max/fixedDelay/indefinitely). The
// rule fixtures' `.fixed` files show them in context; these check each shape, the imports, and that
// a file that imports resilience4j's `Retry` gets Reactor's by its qualified name.
import assert from 'node:assert/strict';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { applyEdits } from '../../server/src/engine/finding';

const lines = (...l: string[]): string => l.join('\n') + '\n';

function fixed(rule: string, ...src: string[]): string | { reason: string } {
  const text = lines(...src);
  const a = analyze({ path: 'src/main/java/a/Svc.java', text })!;
  const finding = a.findings.find((f) => f.rule === rule);
  assert.ok(finding, `a ${rule} finding`);
  const { fixes, refused } = fixesFor(a, finding);
  if (fixes[0]) return applyEdits(text, fixes[0].edits);
  return { reason: refused[0]?.reason ?? 'none' };
}

describe('java bound fixes', () => {
  it('gives queues, buffers and sinks a bound', () => {
    assert.match(fixed('unbounded-channel', 'import java.util.concurrent.*;', 'class S { BlockingQueue<Job> q = new LinkedBlockingQueue<>(); }') as string, /new LinkedBlockingQueue<>\(1024\)/);
    assert.match(fixed('unbounded-channel', 'import reactor.core.publisher.Flux;', 'class S { Flux<E> f(Flux<E> in) { return in.onBackpressureBuffer(); } }') as string, /in\.onBackpressureBuffer\(256\)/);
    const sink = fixed('unbounded-channel', 'import reactor.core.publisher.Sinks;', 'class S { Sinks.Many<E> s = Sinks.many().unicast().onBackpressureBuffer(); }') as string;
    assert.match(sink, /onBackpressureBuffer\(new ArrayBlockingQueue<>\(256\)\)/);
    assert.match(sink, /^import java\.util\.concurrent\.ArrayBlockingQueue;$/m);
    assert.match(fixed('unbounded-channel', 'import reactor.core.publisher.Sinks;', 'class S { Sinks.Many<E> s = Sinks.many().replay().all(); }') as string, /Sinks\.many\(\)\.replay\(\)\.limit\(256\)/);
    const created = fixed('unbounded-channel', 'import reactor.core.publisher.Flux;', 'class S { Flux<E> f() { return Flux.create(sink -> listen(sink)); } }') as string;
    assert.match(created, /Flux\.create\(sink -> listen\(sink\), FluxSink\.OverflowStrategy\.ERROR\)/);
    assert.match(created, /^import reactor\.core\.publisher\.FluxSink;$/m);
  });

  it('replaces Executors pools with a ThreadPoolExecutor over a bounded queue, keeping a thread factory', () => {
    const pool = fixed('unbounded-channel', 'import java.util.concurrent.ExecutorService;', 'import java.util.concurrent.Executors;', 'class S { ExecutorService p = Executors.newFixedThreadPool(8, factory); }') as string;
    assert.match(pool, /new ThreadPoolExecutor\(8, 8, 0L, TimeUnit\.MILLISECONDS, new ArrayBlockingQueue<>\(1024\), factory, new ThreadPoolExecutor\.CallerRunsPolicy\(\)\)/);
    for (const imp of ['ThreadPoolExecutor', 'TimeUnit', 'ArrayBlockingQueue']) assert.match(pool, new RegExp(`^import java\\.util\\.concurrent\\.${imp};$`, 'm'));
    assert.match(fixed('unbounded-channel', 'import java.util.concurrent.*;', 'class S { ExecutorService p = Executors.newCachedThreadPool(); }') as string, /new ThreadPoolExecutor\(0, 64, 60L, TimeUnit\.SECONDS, new SynchronousQueue<>\(\), new ThreadPoolExecutor\.CallerRunsPolicy\(\)\)/);
  });

  it('turns Reactor retries into Retry.backoff, and names Reactor\'s Retry in full beside resilience4j\'s', () => {
    const r = fixed('retry-without-backoff', 'import reactor.core.publisher.Mono;', 'class S { Mono<P> f() { return client.get().retry(5); } }') as string;
    assert.match(r, /client\.get\(\)\.retryWhen\(Retry\.backoff\(5, Duration\.ofMillis\(100\)\)\)/);
    assert.match(r, /^import reactor\.util\.retry\.Retry;$/m);
    assert.match(r, /^import java\.time\.Duration;$/m);
    assert.match(fixed('retry-without-backoff', 'import reactor.core.publisher.Mono;', 'import reactor.util.retry.Retry;', 'class S { Mono<P> f() { return c.get().retryWhen(Retry.fixedDelay(3, d).filter(e -> true)); } }') as string, /retryWhen\(Retry\.backoff\(3, d\)\.filter\(e -> true\)\)/);
    assert.match(fixed('retry-without-backoff', 'import reactor.core.publisher.Mono;', 'import io.github.resilience4j.retry.Retry;', 'class S { Mono<P> f() { return c.get().retry(); } }') as string, /retryWhen\(reactor\.util\.retry\.Retry\.backoff\(3, Duration\.ofMillis\(100\)\)\)/);
    assert.deepEqual(fixed('retry-without-backoff', 'import reactor.core.publisher.Mono;', 'import reactor.util.retry.Retry;', 'class S { Mono<P> f() { return c.get().retryWhen(Retry.backoff(Long.MAX_VALUE, d)); } }'), { reason: 'the backoff has no cap: choose a number of attempts in place of `Long.MAX_VALUE`' });
  });
});
