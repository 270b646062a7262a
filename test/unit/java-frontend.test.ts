// The Java frontend's boundary behaviour: UTF-16 offsets, incremental reparse, callee resolution
// through imports and declared types, which callbacks are async contexts, and roles from syntax.
import assert from 'node:assert/strict';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import type { ParsedFile, TextChange } from '../../server/src/engine/language';
import { javaFrontend } from '../../server/src/languages/java';
import { frontendForPath } from '../../server/src/languages';

function parse(text: string, previous?: ParsedFile, changes?: TextChange[]): ParsedFile {
  return javaFrontend.parse(text, 'Svc.java', javaFrontend.catalog, previous, changes);
}

const lines = (...l: string[]): string => l.join('\n') + '\n';
const contextNames = (text: string): string[] => parse(text).model.contexts.map((c) => c.name);

describe('java frontend', () => {
  it('reads .java files and reports UTF-16 offsets after non-ASCII text', () => {
    assert.equal(frontendForPath('src/main/java/a/B.java'), javaFrontend);
    const text = lines(
      'import reactor.core.publisher.Mono;',
      'class Grüße {',
      '  // naïve 😀',
      '  Mono<String> größe(Repo repo) {',
      '    return repo.find("ü").map(s -> { Thread.sleep(1); return s; });',
      '  }',
      '}',
    );
    const a = analyze({ path: 'Grüße.java', text })!;
    const f = a.findings.find((x) => x.rule === 'blocking-in-async');
    assert.ok(f, 'the sleep in the map is reported');
    assert.equal(text.slice(f.span.start, f.span.end), 'Thread.sleep(1)');
    assert.equal(a.model.functions[0]!.name, 'größe');
  });

  it('reparses incrementally to the same model as a full parse', () => {
    const v1 = lines('import reactor.core.publisher.Mono;', 'class A {', '  Mono<String> f(Repo r) { return r.get("a").map(x -> x); }', '}');
    const first = parse(v1);
    const at = v1.indexOf('"a"');
    const c1: TextChange = { start: at, end: at + 3, newText: '"ü/😀"' };
    const v2 = v1.slice(0, c1.start) + c1.newText + v1.slice(c1.end);
    assert.equal(JSON.stringify(parse(v2, first, [c1]).model), JSON.stringify(parse(v2).model));
  });

  it('resolves callees through imports, wildcard imports, java.lang, fields, locals, var and chains', () => {
    const text = lines(
      'import java.sql.*;',
      'import org.springframework.jdbc.core.JdbcTemplate;',
      'import static java.util.concurrent.TimeUnit.SECONDS;',
      'class Repo {',
      '  private final JdbcTemplate jdbc;',
      '  private DataSource ds;',
      '  void f(String sql) throws Exception {',
      '    jdbc.query(sql, m);',
      '    Thread.sleep(1);',
      '    try (Connection c = DriverManager.getConnection(url)) {',
      '      var ps = c.prepareStatement(sql);',
      '      ps.executeQuery();',
      '      c.createStatement().execute(sql);',
      '    }',
      '    this.jdbc.update(sql);',
      '    new java.io.FileInputStream("f");',
      '    lock.wait();',
      '  }',
      '}',
    );
    const callees = parse(text).model.calls.map((c) => c.callee).filter((c) => c !== undefined);
    assert.deepEqual(callees, [
      'org.springframework.jdbc.core.JdbcTemplate.query',
      'java.lang.Thread.sleep',
      'java.sql.DriverManager.getConnection',
      'java.sql.Connection.prepareStatement',
      'java.sql.PreparedStatement.executeQuery',
      'java.sql.Statement.execute',
      'java.sql.Connection.createStatement',
      'org.springframework.jdbc.core.JdbcTemplate.update',
      'new java.io.FileInputStream',
      'java.lang.Object.wait',
    ]);
  });

  it('reads no async context in plain Java, Spring MVC controllers, streams and Optionals', () => {
    const text = lines(
      'import java.util.*;',
      '@RestController',
      'class C {',
      '  @GetMapping("/a") public List<String> a() { return names.stream().map(n -> n.trim()).filter(n -> !n.isEmpty()).toList(); }',
      '  Optional<String> b(Optional<String> o) { return o.map(s -> s + "x").flatMap(s -> Optional.of(s)); }',
      '  public static void main(String[] args) { new C().a(); }',
      '}',
    );
    assert.deepEqual(contextNames(text), []);
    assert.deepEqual(analyze({ path: 'C.java', text })!.findings, []);
  });

  it('reads the async contexts the issue lists, and leaves out offloaded bodies', () => {
    const text = lines(
      'import reactor.core.publisher.*;',
      'import reactor.core.scheduler.Schedulers;',
      'import java.util.concurrent.CompletableFuture;',
      'import org.springframework.web.server.ServerWebExchange;',
      '@RestController',
      'class C {',
      '  @GetMapping("/a") public Mono<User> get(String id) { return repo.find(id).flatMap(u -> load(u)).doOnNext(this::audit); }',
      '  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) { return chain.filter(exchange); }',
      '  Mono<Row> offloaded() { return Mono.fromCallable(() -> jdbc.load()).subscribeOn(Schedulers.boundedElastic()).map(r -> r); }',
      '  Flux<Row> moved(Flux<Row> rows) { return rows.publishOn(Schedulers.boundedElastic()).map(r -> slow(r)); }',
      '  Flux<Row> parallel(Flux<Row> rows) { return rows.publishOn(Schedulers.parallel()).map(r -> slow(r)); }',
      '  void futures() {',
      '    CompletableFuture.supplyAsync(() -> 1);',
      '    CompletableFuture.supplyAsync(() -> 2, pool);',
      '    new Thread(() -> work()).start();',
      '    Schedulers.boundedElastic().schedule(() -> work());',
      '  }',
      '  @Scheduled(fixedDelay = 1000) public void job() { Flux.range(1, 3).map(i -> i * 2).blockLast(); }',
      '  Flux<Row> appended(Flux<Row> rows) { return rows.concatWith(Mono.<Row>fromRunnable(() -> work()).subscribeOn(Schedulers.boundedElastic())); }',
      '  Flux<String> lines() { return Flux.<String>create(sink -> readAll(sink)).subscribeOn(Schedulers.boundedElastic()); }',
      '}',
    );
    assert.deepEqual(contextNames(text), [
      'get', 'flatMap of get', 'doOnNext of get', 'filter', 'offloaded', 'moved', 'parallel', 'map of parallel', 'supplyAsync callback', 'appended', 'lines',
    ]);
  });

  it('gives @Test methods and the methods of their class the test role', () => {
    const text = lines(
      'import org.junit.jupiter.api.Test;',
      'class OrdersSpec {',
      '  @Test void lists() { helper(); }',
      '  void helper() {}',
      '}',
      'class Other { void prod() {} }',
    );
    const facts = parse(text).model.roleFacts!.functions.map((f) => `${f.functionId}:${f.fact.role}`);
    assert.deepEqual(facts, ['0:test', '1:test']);
  });

  it('offers the Reactor fixes only where the shape allows them, and says why not elsewhere', () => {
    const text = lines(
      'import reactor.core.publisher.Mono;',
      'class S {',
      '  Mono<R> a(Mono<N> m) { return m.flatMap(n -> { Thread.sleep(5); return send(n); }); }',
      '  Mono<N> b(Mono<N> m) { return m.doOnNext(n -> { Thread.sleep(5); }); }',
      '  Mono<R> c(Mono<N> m) { return m.map(n -> rest.getForObject(n.url(), R.class)); }',
      '  Mono<R> d(Mono<N> m) { return m.map(n -> other.find(n).block()); }',
      '  private org.springframework.web.client.RestTemplate rest;',
      '}',
    );
    const a = analyze({ path: 'S.java', text })!;
    const byLine = a.findings.map((f) => {
      const r = fixesFor(a, f);
      return `${a.lines.position(f.span.start).line + 1}:${r.fixes.map((x) => x.safety).join(',')}:${r.refused.map((x) => x.reason.split(' ').slice(0, 3).join(' ')).join(',')}`;
    });
    assert.deepEqual(byLine, ['3:suggestion:', '4::the body has', '5:suggestion:', '6:suggestion:']);
    for (const f of a.findings) {
      for (const fix of fixesFor(a, f).fixes) {
        const after = fix.edits.slice().sort((x, y) => y.span.start - x.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
        assert.equal(javaFrontend.syntaxErrors(after, 'S.java'), 0, after);
      }
    }
  });

  it('moves a common-pool task to an executor in scope (one suggestion each), refuses without one, and bounds flatMap', () => {
    const text = lines(
      'import java.util.List;',
      'import java.util.concurrent.*;',
      'import org.springframework.web.client.RestTemplate;',
      'import org.springframework.web.bind.annotation.*;',
      'import reactor.core.publisher.*;',
      'class S {',
      '  RestTemplate rest; ExecutorService io; Executor audit;',
      '  CompletableFuture<String> a() { return CompletableFuture.supplyAsync(() -> rest.getForObject("u", String.class)); }',
      '}',
      'class T {',
      '  RestTemplate rest;',
      '  CompletableFuture<String> b() { return CompletableFuture.supplyAsync(() -> rest.getForObject("u", String.class)); }',
      '  Flux<String> c(@RequestBody List<String> ids) { return Flux.fromIterable(ids).flatMap(id -> client.get(id)); }',
      '  Mono<Object[]> d(@RequestBody List<String> ids) { return Mono.zip(ids.stream().map(id -> client.get(id)).toList(), x -> x); }',
      '}',
    );
    const a = analyze({ path: 'S.java', text })!;
    const byLine = a.findings.map((f) => {
      const r = fixesFor(a, f);
      return `${a.lines.position(f.span.start).line + 1}:${f.rule}:${r.fixes.map((x) => x.title.split(' ').slice(0, 5).join(' ')).join('|')}:${r.refused.map((x) => x.reason.split(' ').slice(0, 4).join(' ')).join(',')}`;
    });
    assert.deepEqual(byLine, [
      '8:blocking-in-async:Run the task on `io`|Run the task on `audit`:',
      '12:blocking-in-async::no `Executor` is in',
      '13:unbounded-fan-out:Limit `flatMap` to 8 at:',
      '14:unbounded-fan-out::`Mono.zip` over a list',
    ]);
    for (const f of a.findings) {
      for (const fix of fixesFor(a, f).fixes) {
        const after = fix.edits.slice().sort((x, y) => y.span.start - x.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
        assert.equal(javaFrontend.syntaxErrors(after, 'S.java'), 0, after);
        assert.ok(analyze({ path: 'S.java', text: after })!.findings.length < a.findings.length, after);
      }
    }
  });

  it('speaks Reactor: quotes the call whole, with its arguments, and names the operator and the method', () => {
    const text = lines(
      'import reactor.core.publisher.Mono;',
      'import org.springframework.jdbc.core.JdbcTemplate;',
      'import org.springframework.web.bind.annotation.*;',
      '@RestController',
      'class OrderController {',
      '  private final UserRepository userRepo;',
      '  private final OrderRepository orders;',
      '  private final JdbcTemplate jdbcTemplate;',
      '  @GetMapping("/orders/{id}")',
      '  Mono<Order> getOrder(@PathVariable String id) {',
      '    return orders.findById(id).flatMap(o -> {',
      '      User u = userRepo.findById(id).block();',
      '      return Mono.just(o.withUser(u));',
      '    });',
      '  }',
      '  @GetMapping("/orders/{id}/audit")',
      '  Mono<Void> audit(@PathVariable String id) {',
      '    return orders.findById(id).doOnNext(o -> writeAudit(o)).then();',
      '  }',
      '  private void writeAudit(Order o) {',
      '    jdbcTemplate.update("insert into order_audit (order_id, status, changed_at) values (?, ?, now())", o.id(), o.status());',
      '  }',
      '}',
    );
    const a = analyze({ path: 'OrderController.java', text })!;
    const messages = a.findings.filter((f) => f.rule === 'blocking-in-async').map((f) => f.message);
    assert.equal(messages[0], '`userRepo.findById(id).block()` blocks a Reactor non-blocking thread in the `flatMap` of `getOrder`: return the `Mono` instead (compose it with `flatMap`; a `map` that needs it becomes a `flatMap`)');
    // A long call keeps its name and shortens its arguments; a helper is quoted as it is called.
    assert.match(messages[1] ?? '', /^`writeAudit\(o\)` blocks a Reactor non-blocking thread in the `doOnNext` of `audit`: `writeAudit` calls `jdbcTemplate\.update\(…\)`;/);
    assert.equal(messages.length, 2);
  });
});
