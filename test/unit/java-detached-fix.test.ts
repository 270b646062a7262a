// The Java detached-task fix: an error consumer or an `exceptionally` stage through the logger in
// scope, and the refusals (no logger reachable, a static method with only an instance logger, an
// executor's `submit`). The rewritten fixtures are test/fixtures/java/detached-task/*.fixed.java.
import assert from 'node:assert/strict';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { applyEdits } from '../../server/src/engine/finding';

const lines = (...l: string[]): string => l.join('\n') + '\n';

function fixOf(text: string): { fixed?: string; reason?: string } {
  const a = analyze({ path: 'src/main/java/a/Svc.java', text })!;
  const finding = a.findings.find((f) => f.rule === 'detached-task');
  assert.ok(finding, 'a detached-task finding');
  const { fixes, refused } = fixesFor(a, finding);
  if (fixes[0]) return { fixed: applyEdits(text, fixes[0].edits) };
  return { reason: refused[0]?.reason ?? 'none' };
}

describe('java detached-task fix', () => {
  it('uses a static logger from a static method, and the outer class\'s logger from a nested class', () => {
    const r = fixOf(
      lines(
        'import org.slf4j.Logger;',
        'import reactor.core.publisher.Mono;',
        'class Svc {',
        '  private static final Logger LOG = org.slf4j.LoggerFactory.getLogger(Svc.class);',
        '  static class Job {',
        '    void run(Repo repo) { repo.purge().subscribe(); }',
        '  }',
        '}',
      ),
    );
    assert.match(r.fixed!, /repo\.purge\(\)\.subscribe\(v -> \{\}, e -> LOG\.warn\("repo\.purge failed", e\)\);/);
  });

  // RuoYi-style projects annotate controllers with an audit annotation of their own named `@Log`.
  it('takes `@Log` for Lombok\'s only when it comes from lombok.extern', () => {
    const body = ['class Svc {', '  private final Client client;', '  void c() { CompletableFuture.runAsync(() -> client.call()); }', '}'];
    const own = fixOf(lines('import com.ruoyi.common.annotation.Log;', 'import java.util.concurrent.CompletableFuture;', '@Log(title = "orders")', ...body));
    assert.match(own.reason!, /^no logger in scope/);
    const lombok = fixOf(lines('import lombok.extern.java.Log;', 'import java.util.concurrent.CompletableFuture;', '@Log', ...body));
    assert.match(lombok.fixed!, /\.exceptionally\(e -> \{ log\.log\(java\.util\.logging\.Level\.WARNING, "client\.call failed", e\); return null; \}\);/);
    const wildcard = fixOf(lines('import lombok.extern.slf4j.*;', 'import java.util.concurrent.CompletableFuture;', '@Slf4j', ...body));
    assert.match(wildcard.fixed!, /log\.warn\("client\.call failed", e\)/);
  });

  it('refuses in a static method when the only logger is an instance field', () => {
    const r = fixOf(
      lines(
        'import org.slf4j.Logger;',
        'import reactor.core.publisher.Mono;',
        'class Svc {',
        '  private final Logger log = org.slf4j.LoggerFactory.getLogger(getClass());',
        '  static void purge(Repo repo) { repo.purge().subscribe(); }',
        '}',
      ),
    );
    assert.match(r.reason!, /^no logger in scope/);
  });

  it('refuses an executor\'s submit, saying why execute is not offered', () => {
    const r = fixOf(
      lines(
        'import java.util.concurrent.ExecutorService;',
        'import org.slf4j.Logger;',
        'class Svc {',
        '  private static final Logger LOG = org.slf4j.LoggerFactory.getLogger(Svc.class);',
        '  private final ExecutorService pool;',
        '  void go() { pool.submit(() -> work()); }',
        '  void work() {}',
        '}',
      ),
    );
    assert.match(r.reason!, /`submit` keeps the failure in the `Future`.*switching to `execute` changes which exceptions/);
  });
});
