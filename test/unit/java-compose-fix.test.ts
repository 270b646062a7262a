// The Java fix for a Reactor `block()` in an async context: compose the publisher. The statement
// form is in the blocking-in-async `.fixed` fixtures; these are the other shapes and the refusals.
import assert from 'node:assert/strict';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { applyEdits } from '../../server/src/engine/finding';

const lines = (...l: string[]): string => l.join('\n') + '\n';
const head = ['import reactor.core.publisher.Mono;', 'import reactor.core.publisher.Flux;', 'class Svc {', '  Repo repo;'];

function fixOf(...body: string[]): { fixed?: string; reason?: string } {
  const text = lines(...head, ...body, '}');
  const a = analyze({ path: 'src/main/java/a/Svc.java', text })!;
  const finding = a.findings.find((f) => f.rule === 'blocking-in-async');
  assert.ok(finding, 'a blocking-in-async finding');
  const { fixes, refused } = fixesFor(a, finding);
  if (fixes[0]) return { fixed: applyEdits(text, fixes[0].edits) };
  return { reason: refused[0]?.reason ?? 'none' };
}

describe('java compose fix for block()', () => {
  it('turns a map returning x.block() into a flatMap returning x, and blockFirst into next()', () => {
    assert.match(fixOf('  Mono<User> f(Mono<String> id) { return id.map(i -> repo.find(i).block()); }').fixed!, /return id\.flatMap\(i -> repo\.find\(i\)\);/);
    assert.match(fixOf('  Mono<User> f(Mono<String> id) { return id.map(i -> repo.all(i).blockFirst()); }').fixed!, /return id\.flatMap\(i -> repo\.all\(i\)\.next\(\)\);/);
  });

  it('unwraps Mono.just(x.block()) where a publisher is returned', () => {
    assert.match(fixOf('  Mono<User> f(Mono<String> id) { return id.flatMap(i -> Mono.just(repo.find(i).block())); }').fixed!, /return id\.flatMap\(i -> repo\.find\(i\)\);/);
  });

  it('uses flatMapMany when the body returns a Flux', () => {
    const r = fixOf('  Flux<Line> f(String id) {', '    Order o = repo.order(id).block();', '    return Flux.fromIterable(o.lines());', '  }');
    assert.match(r.fixed!, /return repo\.order\(id\)\.flatMapMany\(o -> \{\n\s+return Flux\.fromIterable\(o\.lines\(\)\);\n\s+\}\);/);
  });

  it('refuses when the body reassigns a local, and where nothing returns a publisher', () => {
    assert.match(fixOf('  Mono<User> f(String id) {', '    int n = 0;', '    User u = repo.find(id).block();', '    n++;', '    return Mono.just(u);', '  }').reason!, /reassigns a local variable/);
    assert.match(fixOf('  Mono<Void> f(Flux<String> ids) { return ids.doOnNext(i -> repo.find(i).block()).then(); }').reason!, /does not return a publisher/);
  });
});
