// What Java findings say where the wording depends on the shape of the code: a hand-written retry
// loop and Spring's `@Retryable` get advice for what they are (not Reactor's `retryWhen`), and a
// fan-out over a method reference names the call it makes per item.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';

const lines = (...l: string[]): string => l.join('\n') + '\n';
const messages = (text: string, rule: string): string[] => analyze({ path: 'src/main/java/a/Svc.java', text })!.findings.filter((f) => f.rule === rule).map((f) => f.message);

describe('java messages', () => {
  it('a retry loop names its operation and advises a growing sleep, not retryWhen', () => {
    const [m, ...rest] = messages(
      lines(
        'class Svc {',
        '  String f(Client client) throws Exception {',
        '    for (int i = 0; i < 3; i++) {',
        '      try { return client.call(); } catch (java.io.IOException e) { Thread.sleep(1000); }',
        '    }',
        '    return null;',
        '  }',
        '}',
      ),
      'retry-without-backoff',
    );
    assert.equal(rest.length, 0);
    assert.match(m!, /^This loop retries `client\.call` in `f` with a constant delay:/);
    assert.match(m!, /Thread\.sleep\(ThreadLocalRandom/);
    assert.doesNotMatch(m!, /retryWhen/);
  });

  it('@Retryable without a multiplier is told to use @Backoff with one', () => {
    const [m] = messages(
      lines(
        'import org.springframework.retry.annotation.Retryable;',
        'class Svc {',
        '  @Retryable(maxAttempts = 5)',
        '  void f(Client client) { client.call(); }',
        '}',
      ),
      'retry-without-backoff',
    );
    assert.match(m!, /^`@Retryable\(maxAttempts = 5\)` retries in `f` with a constant delay:/);
    assert.match(m!, /@Backoff\(delay = 100, multiplier = 2/);
  });

  // Spring Retry's AnnotationAwareRetryOperationsInterceptor: delay 0 falls back to value (1000 ms);
  // maxDelay above the delay with no multiplier is a uniform random wait.
  it('@Backoff(delay = 0) is a one-second wait, and a maxDelay with no multiplier a random one', () => {
    const spring = (backoff: string) =>
      messages(lines('import org.springframework.retry.annotation.Backoff;', 'import org.springframework.retry.annotation.Retryable;', 'class Svc {', `  @Retryable(maxAttempts = 5, backoff = ${backoff})`, '  void f() {}', '}'), 'retry-without-backoff');
    assert.match(spring('@Backoff(delay = 0)')[0]!, /retries in `f` with a constant delay:.* on the same fixed beat/);
    assert.match(spring('@Backoff(value = 0)')[0]!, /retries in `f` with no delay:.* at full speed/);
    const random = spring('@Backoff(delay = 200, maxDelay = 5000, random = true)')[0]!;
    assert.match(random, /retries in `f` with a random delay that does not grow:/);
    assert.doesNotMatch(random, /fixed beat/);
    assert.deepEqual(spring('@Backoff(delay = 200, maxDelay = 5000, multiplier = 2)'), []);
  });

  it('Mono.when over a method reference per item names the call and the bounded rewrite', () => {
    const [m] = messages(
      lines(
        'import java.util.List;',
        'import reactor.core.publisher.Mono;',
        'import org.springframework.web.bind.annotation.*;',
        '@RestController',
        'class Svc {',
        '  Mailer mailer;',
        '  @PostMapping("/n")',
        '  Mono<Void> notifyAll(@RequestBody List<String> recipients) {',
        '    return Mono.when(recipients.stream().map(mailer::send).toList());',
        '  }',
        '}',
      ),
      'unbounded-fan-out',
    );
    assert.match(m!, /^`Mono\.when` in `notifyAll` starts `mailer\.send\(…\)` for every item of `recipients` at once/);
    assert.match(m!, /bound it: `Flux\.fromIterable\(recipients\)\.flatMap\(f, N\)\.then\(\)` instead of `Mono\.when` over a publisher per item$/);
  });
});
