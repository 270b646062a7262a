// The Go frontend's boundary behaviour and the model facts await-holding-lock relies on: UTF-16
// offsets, incremental reparse, callee resolution through imports and declared types, parking
// points, and held regions split per path.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';
import type { ParsedFile, TextChange } from '../../server/src/engine/language';
import { goFrontend } from '../../server/src/languages/go';

function parse(text: string, previous?: ParsedFile, changes?: TextChange[]): ParsedFile {
  return goFrontend.parse(text, 'svc.go', goFrontend.catalog, previous, changes);
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

describe('go frontend', () => {
  it('reports UTF-16 offsets after non-ASCII text', () => {
    const text = 'package p\n\nimport "sync"\n\nvar mu sync.Mutex\n\nfunc grüße(ch chan string) {\n\ts := "😀 café"\n\tmu.Lock()\n\tch <- s\n\tmu.Unlock()\n}\n';
    const a = analyze({ path: 'a.go', text })!;
    const f = a.findings.find((x) => x.rule === 'await-holding-lock');
    assert.ok(f, 'the send under `mu` is reported');
    assert.equal(text.slice(f.span.start, f.span.end), 'ch <- s');
    const y = a.model.yieldPoints[0]!;
    assert.equal(text.slice(y.keywordSpan.start, y.keywordSpan.end), '<-');
    assert.equal(a.model.functions[0]!.name, 'grüße');
  });

  it('reparses incrementally to the same model as a full parse', () => {
    const v1 = 'package p\n\nimport "net/http"\n\n// naïve 😀\nfunc load() {\n\thttp.Get("a")\n}\n';
    const first = parse(v1);
    const c1: TextChange = { start: v1.indexOf('"a"'), end: v1.indexOf('"a"') + 3, newText: '"ü/😀"' };
    const v2 = v1.slice(0, c1.start) + c1.newText + v1.slice(c1.end);
    const again = parse(v2, first, [c1]);
    assert.equal(JSON.stringify(again.model), JSON.stringify(parse(v2).model));
  });

  it('resolves callees through imports, aliases, struct fields, locals and constructor results', () => {
    const text = [
      'package p', '', 'import (', '\tstdsql "database/sql"', '\t"net/http"', ')', '',
      'type S struct {', '\tdb     *stdsql.DB', '\tclient *http.Client', '}', '',
      'func (s *S) Run() {', '\ts.db.Query("q")', '\ts.client.Do(nil)', '\tdb, _ := stdsql.Open("pg", "")', '\tdb.Exec("x")', '\tc := &http.Client{}', '\tc.Get("u")', '}', '',
    ].join('\n');
    const callees = parse(text).model.calls.map((c) => c.callee).filter((c) => c !== undefined);
    assert.deepEqual(callees, ['database/sql.DB.Query', 'net/http.Client.Do', 'database/sql.Open', 'database/sql.DB.Exec', 'net/http.Client.Get']);
  });

  it('records parking points and leaves out non-blocking ones', () => {
    const text = [
      'package p', '', 'import "time"', '',
      'func f(in chan int, out chan int, done chan struct{}) {',
      '\tout <- 1',
      '\t<-in',
      '\tselect {', '\tcase v := <-in:', '\t\t_ = v', '\tcase <-done:', '\t}',
      '\tselect {', '\tcase out <- 2:', '\tdefault:', '\t}',
      '\tfor v := range in {', '\t\t_ = v', '\t}',
      '\ttime.Sleep(time.Second)',
      '\tgo func() { out <- 3 }()',
      '}', '',
    ].join('\n');
    const m = parse(text).model;
    const kinds = m.yieldPoints.filter((y) => y.context === 0).map((y) => `${lineOf(text, y.span.start)}:${y.kind}`);
    assert.deepEqual(kinds, ['6:send', '7:receive', '8:select', '17:receive', '20:park']);
    const goroutine = m.contexts.find((c) => c.kind === 'spawned-task');
    assert.equal(goroutine?.name, 'goroutine in f');
    assert.deepEqual(m.yieldPoints.filter((y) => y.context === goroutine!.id).map((y) => y.kind), ['send']);
  });

  it('splits a region at an unlock-and-return branch and keeps it held on the path that falls through', () => {
    const text = [
      'package p', '', 'import "sync"', '',
      'type C struct {', '\tmu sync.Mutex', '\tm  map[string]int', '}', '',
      'func (c *C) Get(k string, ch chan int) int {',
      '\tc.mu.Lock()',
      '\tif v, ok := c.m[k]; ok {',
      '\t\tc.mu.Unlock()',
      '\t\tch <- v',
      '\t\treturn v',
      '\t}',
      '\tch <- 0',
      '\tc.mu.Unlock()',
      '\treturn 0',
      '}', '',
    ].join('\n');
    const a = analyze({ path: 'c.go', text })!;
    assert.deepEqual(a.findings.map((f) => `${lineOf(text, f.span.start)}:${f.rule}`), ['17:await-holding-lock']);
    assert.ok(a.model.heldRegions.every((r) => r.lockKey === 'C.mu' && r.lockType === 'sync.Mutex'));
  });

  it('names where a fanned-out collection comes from as whole code: the decode call closed', () => {
    const text = [
      'package p', '', 'import (', '\t"encoding/json"', '\t"net/http"', ')', '',
      'func process(id string) {}', '',
      'func batch(w http.ResponseWriter, r *http.Request) {',
      '\tvar ids []string',
      '\tif err := json.NewDecoder(r.Body).Decode(&ids); err != nil {',
      '\t\treturn',
      '\t}',
      '\tfor _, id := range ids {',
      '\t\tgo process(id)',
      '\t}',
      '}', '',
    ].join('\n');
    const f = analyze({ path: 'b.go', text })!.findings.find((x) => x.rule === 'unbounded-fan-out');
    assert.match(f?.message ?? '', /from the request, as large as the client makes it \(`json\.NewDecoder\(r\.Body\)\.Decode\(&ids\)`\): /);
  });
});
