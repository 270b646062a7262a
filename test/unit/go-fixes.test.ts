// Go fix builders beyond the fixtures: which lock fix comes first, the reasons given when a fix is
// refused, and that an unlock-and-relock under a deferred Unlock is not read as a missing release.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';
import type { FixResult } from '../../server/src/engine/language';
import { fixAllText } from '../../server/src/engine/fix-all';

function fixesOf(text: string, rule: string): { result: FixResult; apply: (i?: number) => string } {
  const a = analyze({ path: 'svc.go', text })!;
  const finding = a.findings.find((f) => f.rule === rule);
  assert.ok(finding, `no ${rule} finding in:\n${text}`);
  const result = fixesFor(a, finding);
  return { result, apply: (i = 0) => applyEdits(text, result.fixes[i]!.edits) };
}

const rules = (text: string): string[] => analyze({ path: 'svc.go', text })!.findings.map((f) => f.rule);

describe('go fixes', () => {
  const header = 'package p\n\nimport (\n\t"net/http"\n\t"sync"\n)\n\n';

  it('moves a send that touches no guarded field after the Unlock, and re-parses clean', () => {
    const text = `${header}type R struct {\n\tmu  sync.Mutex\n\tm   map[string]int\n\tout chan string\n}\n\nfunc (r *R) Add(k string) {\n\tr.mu.Lock()\n\tr.m[k]++\n\tr.out <- k\n\tr.mu.Unlock()\n}\n`;
    const { result, apply } = fixesOf(text, 'await-holding-lock');
    assert.match(result.fixes[0]!.title, /^Move the parking statement after `r\.mu\.Unlock\(\)`/);
    const after = apply();
    assert.match(after, /\tr\.mu\.Unlock\(\)\n\tr\.out <- k\n}/);
    assert.deepEqual(rules(after), []);
  });

  it('does not move a statement that reads a field the lock guards', () => {
    const text = `${header}type R struct {\n\tmu  sync.Mutex\n\tm   map[string]int\n\tout chan int\n}\n\nfunc (r *R) Add(k string) {\n\tr.mu.Lock()\n\tr.m[k]++\n\tr.out <- r.m[k]\n\tr.mu.Unlock()\n}\n`;
    const { result } = fixesOf(text, 'await-holding-lock');
    assert.ok(result.fixes.every((f) => !/^Move/.test(f.title)));
    assert.match(result.fixes[0]!.title, /^Unlock `r\.mu` around/);
  });

  it('refuses to move a call of a function that expects the lock held out of the locked section', () => {
    // nats-server's convention: a helper that unlocks its caller's c.mu itself panics when called unlocked.
    const text = `${header}type C struct {\n\tmu      sync.Mutex\n\tpending chan struct{}\n}\n\nfunc (c *C) waitPending() {\n\t<-c.pending\n\tc.mu.Unlock()\n\tc.mu.Lock()\n}\n\nfunc (c *C) drain() {\n\tc.mu.Lock()\n\tc.waitPending()\n\tc.mu.Unlock()\n}\n`;
    const { result } = fixesOf(text, 'await-holding-lock');
    assert.deepEqual(result.fixes, []);
    assert.deepEqual(result.refused.map((r) => r.reason), [
      '`c.waitPending` unlocks `c.mu` itself, so the call must hold it: released before the call or moved out of the locked section, that unlock crashes the program (`sync: unlock of unlocked mutex`); release it inside `c.waitPending` around that wait',
    ]);
  });

  it('unlocks and relocks under a deferred Unlock without a missing-release finding', () => {
    const text = `${header}type C struct {\n\tmu sync.Mutex\n\tn  int\n}\n\nfunc (c *C) Get(u string) int {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\t_, _ = http.Get(u)\n\treturn c.n\n}\n\nfunc (c *C) Inc() {\n\tc.mu.Lock()\n\tc.n++\n\tc.mu.Unlock()\n}\n`;
    const { result, apply } = fixesOf(text, 'await-holding-lock');
    assert.equal(result.fixes.length, 1);
    const after = apply();
    assert.match(after, /\tc\.mu\.Unlock\(\)\n\t_, _ = http\.Get\(u\)\n\tc\.mu\.Lock\(\)\n/);
    assert.deepEqual(rules(after), []);
  });

  it('refuses to release an outer lock under an inner one taken after it, and still fixes the inner one', () => {
    // A pool that counts dials under a stats lock taken inside its own lock (nats-server's and
    // database pools' shape): retaking p.mu while p.statsMu is held reverses the order every other
    // caller takes them in.
    const text = `${header}type Pool struct {\n\tmu      sync.Mutex\n\tstatsMu sync.Mutex\n\tdials   int\n\tlast    *http.Response\n}\n\nfunc (p *Pool) Refill(u string) {\n\tp.mu.Lock()\n\tdefer p.mu.Unlock()\n\tp.statsMu.Lock()\n\tp.dials++\n\tr, _ := http.Get(u)\n\tp.statsMu.Unlock()\n\tp.last = r\n}\n`;
    const a = analyze({ path: 'svc.go', text })!;
    const byLock = (lock: string) => a.findings.find((f) => f.rule === 'await-holding-lock' && f.message.startsWith(`\`${lock}\``));
    const outer = fixesFor(a, byLock('p.mu')!);
    assert.deepEqual(outer.fixes, []);
    assert.match(outer.refused[0]!.reason, /`p\.statsMu`, taken after `p\.mu`, is held here too: releasing and retaking `p\.mu` under it reverses the order/);
    const inner = fixesFor(a, byLock('p.statsMu')!);
    assert.ok(inner.fixes.length > 0, 'the inner lock can still be released around the wait');
    const after = applyEdits(text, inner.fixes[inner.fixes.length - 1]!.edits);
    assert.match(after, /\tp\.statsMu\.Unlock\(\)\n\tr, _ := http\.Get\(u\)\n\tp\.statsMu\.Lock\(\)\n/);
  });

  it('does not move a wait past another lock taken before the Unlock, where it would wait under that lock', () => {
    // A server's Close that waits for its connection goroutines under s.mu, then takes the stats
    // lock to read the totals: moved after s.mu.Unlock(), the Wait would run under s.statsMu, which
    // every serve goroutine takes before its Done (go 1.19: "all goroutines are asleep - deadlock!").
    const text = `${header}type Server struct {\n\tmu      sync.Mutex\n\tstatsMu sync.Mutex\n\twg      sync.WaitGroup\n\tconns   map[int]bool\n\tserved  int\n}\n\nfunc (s *Server) serve(id int) {\n\tdefer s.wg.Done()\n\ts.statsMu.Lock()\n\ts.served++\n\ts.statsMu.Unlock()\n}\n\nfunc (s *Server) Add(id int) {\n\ts.mu.Lock()\n\ts.conns[id] = true\n\ts.mu.Unlock()\n}\n\nfunc (s *Server) Close() int {\n\ts.mu.Lock()\n\ts.wg.Wait()\n\ts.statsMu.Lock()\n\tn := len(s.conns)\n\ts.mu.Unlock()\n\ttotal := s.served + n\n\ts.statsMu.Unlock()\n\treturn total\n}\n`;
    const { result, apply } = fixesOf(text, 'await-holding-lock');
    assert.deepEqual(result.fixes.map((f) => f.title), ['Unlock `s.mu` around `s.wg.Wait` and lock it again after (what was read under the lock may change meanwhile)']);
    assert.match(apply(), /\ts\.mu\.Lock\(\)\n\ts\.mu\.Unlock\(\)\n\ts\.wg\.Wait\(\)\n\ts\.mu\.Lock\(\)\n\ts\.statsMu\.Lock\(\)\n/);
    // Without the stats lock in between, the move is still offered first.
    const plain = text.replace('\ts.statsMu.Lock()\n\tn := len(s.conns)', '\tn := len(s.conns)').replace('\ttotal := s.served + n\n\ts.statsMu.Unlock()\n', '\ttotal := s.served + n\n');
    assert.match(fixesOf(plain, 'await-holding-lock').result.fixes[0]!.title, /^Move the parking statement after `s\.mu\.Unlock\(\)`/);
  });

  it('refuses to release the caller\'s own lock around a peer\'s hand-back call, naming the peer\'s lock and the order (fixture invalid-hand-back-on-peer.go)', () => {
    const text = readFileSync(join(__dirname, '../fixtures/go/await-holding-lock/invalid-hand-back-on-peer.go'), 'utf8');
    const { result } = fixesOf(text, 'await-holding-lock');
    assert.deepEqual(result.fixes, []);
    assert.deepEqual(result.refused.map((r) => r.reason), [
      '`c.route.flushOutbound` must be called with `c.route.mu` held, which is taken after `c.mu` here: releasing and retaking `c.mu` around the call, under `c.route.mu`, reverses the order the two locks are taken in (a deadlock with any goroutine that takes them in order); release `c.mu` before `c.route.mu` is taken, if nothing after needs it',
    ]);
  });

  it('refuses every lock fix at a call of a function that gives the lock up with a deferred Unlock() (fixture invalid-flush-unlocks-on-return.go)', () => {
    // Unlocked around `err := c.doFlush()` (offered before), doFlush's deferred Unlock() ran on an
    // unlocked mutex: go 1.19 "fatal error: sync: unlock of unlocked mutex". Close's readers.Wait(),
    // after doFlush released the lock, was reported and given the same fix.
    const text = readFileSync(join(__dirname, '../fixtures/go/await-holding-lock/invalid-flush-unlocks-on-return.go'), 'utf8');
    const a = analyze({ path: 'svc.go', text })!;
    const reason = '`c.doFlush` unlocks `c.writeMu` itself, so the call must hold it: released before the call or moved out of the locked section, that unlock crashes the program (`sync: unlock of unlocked mutex`); release it inside `c.doFlush` before that wait';
    assert.equal(a.findings.length, 4);
    for (const f of a.findings) {
      const result = fixesFor(a, f);
      assert.deepEqual(result.fixes, []);
      assert.deepEqual(result.refused.map((r) => r.reason), [reason]);
    }
  });

  it('ends the caller\'s locked section at a call of a method that unlocks the lock and never takes it again', () => {
    // Stop's wg.Wait() runs after stopLocked released c.mu: it was reported, and its unlock-around
    // fix crashed the program (go 1.19: "fatal error: sync: unlock of unlocked mutex").
    const text = `${header}type C struct {\n\tmu     sync.Mutex\n\tclosed bool\n\twg     sync.WaitGroup\n}\n\n// Lock must be held; it is released.\nfunc (c *C) stopLocked() {\n\tc.closed = true\n\tc.mu.Unlock()\n}\n\nfunc (c *C) Stop() {\n\tc.mu.Lock()\n\tif c.closed {\n\t\tc.mu.Unlock()\n\t\treturn\n\t}\n\tc.stopLocked()\n\tc.wg.Wait()\n}\n`;
    assert.deepEqual(rules(text), []);
  });

  it('refuses to release an outer lock under an inner one when a branch that unlocks the inner one early splits the region', () => {
    // The refill loop skips a URL with `p.statsMu.Unlock(); continue`: the piece of p.mu's region the
    // dial lies in starts after p.statsMu.Lock(), and the unlock-around p.mu was offered. Four
    // goroutines running that fixed Refill hung (go 1.19, 3 runs of 3; the original finished).
    const text = `${header}type Pool struct {\n\tmu      sync.Mutex\n\tstatsMu sync.Mutex\n\tdials   int\n\tlast    *http.Response\n}\n\nfunc (p *Pool) Refill(urls []string) {\n\tp.mu.Lock()\n\tfor _, u := range urls {\n\t\tp.statsMu.Lock()\n\t\tif p.dials > 3 {\n\t\t\tp.statsMu.Unlock()\n\t\t\tcontinue\n\t\t}\n\t\tr, _ := http.Get(u)\n\t\tp.statsMu.Unlock()\n\t\tp.last = r\n\t}\n\tp.mu.Unlock()\n}\n`;
    const a = analyze({ path: 'svc.go', text })!;
    const outer = fixesFor(a, a.findings.find((f) => f.message.startsWith('`p.mu`'))!);
    assert.deepEqual(outer.fixes, []);
    assert.match(outer.refused[0]!.reason, /^`p\.statsMu`, taken after `p\.mu`, is held here too/);
  });

  it('ends the caller\'s locked section at a call of a method that gives the lock up through another one', () => {
    // shutdownLocked gives c.mu up by calling closeLocked (defer c.mu.Unlock()): Shutdown's wg.Wait()
    // was reported, and its unlock-around fix crashed (go 1.19: "sync: unlock of unlocked mutex").
    const text = `${header}type C struct {\n\tmu     sync.Mutex\n\tclosed bool\n\twg     sync.WaitGroup\n}\n\n// Lock must be held on entry; it is released on return.\nfunc (c *C) closeLocked() {\n\tdefer c.mu.Unlock()\n\tc.closed = true\n}\n\n// Lock must be held on entry; it is released on return.\nfunc (c *C) shutdownLocked() {\n\tc.closeLocked()\n}\n\nfunc (c *C) Shutdown() {\n\tc.mu.Lock()\n\tc.shutdownLocked()\n\tc.wg.Wait()\n}\n`;
    assert.deepEqual(rules(text), []);
  });

  it('refuses to unlock a lock that a call before the wait may have given up, and says so', () => {
    // doFlush's result goes through wrap(…): not read as a release, so Close's readers.Wait() stays
    // in the locked section; its unlock-around fix would crash the program.
    const text = `${header}type Conn struct {\n\twriteMu sync.Mutex\n\tqueued  []byte\n\treaders sync.WaitGroup\n}\n\n// writeMu must be held on entry; it is released on return.\nfunc (c *Conn) doFlush() error {\n\tdefer c.writeMu.Unlock()\n\tc.queued = nil\n\treturn nil\n}\n\nfunc wrap(err error) error { return err }\n\nfunc (c *Conn) Close() error {\n\tc.writeMu.Lock()\n\terr := wrap(c.doFlush())\n\tc.readers.Wait()\n\treturn err\n}\n`;
    const a = analyze({ path: 'svc.go', text })!;
    assert.equal(a.findings.length, 1);
    assert.match(a.findings[0]!.message, /; `c\.doFlush`, called before it, unlocks `c\.writeMu` itself and never takes it again: after that call this wait does not hold it; on a path that skips the call, unlock `c\.writeMu` by hand before it$/);
    const result = fixesFor(a, a.findings[0]!);
    assert.deepEqual(result.fixes, []);
    assert.deepEqual(result.refused.map((r) => r.reason), [
      '`c.doFlush`, called before it, unlocks `c.writeMu` itself and never takes it again: after that call `c.writeMu` is released here, and unlocking it crashes the program (`sync: unlock of unlocked mutex`)',
    ]);
  });

  it('refuses to unlock around a call that reaches, through another function, one that unlocks the lock itself', () => {
    // nats-server's updateServerUsage ("Server lock will be held but released": s.mu.Unlock();
    // defer s.mu.Lock()) behind a getter: unlocked around s.usage(), its Unlock() would crash.
    const text = `${header}type Server struct {\n\tmu    sync.Mutex\n\tstats int\n}\n\n// Server lock will be held but released.\nfunc (s *Server) updateServerUsage() {\n\ts.mu.Unlock()\n\tdefer s.mu.Lock()\n\t_, _ = http.Get("http://localhost/usage")\n}\n\nfunc (s *Server) usage() int {\n\ts.updateServerUsage()\n\treturn 1\n}\n\nfunc (s *Server) sendStatsz() {\n\ts.mu.Lock()\n\tx := s.stats + s.usage()\n\ts.stats = x\n\ts.mu.Unlock()\n}\n`;
    const a = analyze({ path: 'svc.go', text })!;
    const f = a.findings.find((x) => x.message.startsWith('`s.mu` is held across `s.usage`'));
    assert.ok(f, a.findings.map((x) => x.message).join('\n'));
    assert.match(f.message, /; `s\.usage` calls `s\.updateServerUsage`, which unlocks a `Server\.mu` itself: if that is `s\.mu`, the call must hold it, so no unlock before the call; release it inside `s\.updateServerUsage` before any wait it makes still holding it$/);
    const result = fixesFor(a, f);
    assert.deepEqual(result.fixes, []);
    assert.match(result.refused[0]!.reason, /^`s\.usage` calls `s\.updateServerUsage`, which unlocks a `Server\.mu` itself: if that is `s\.mu`, releasing it before the call makes that unlock crash the program/);
  });

  it('refuses a lock fix when the parking point is a condition', () => {
    const text = `${header}type C struct {\n\tmu sync.Mutex\n}\n\nfunc (c *C) Get(u string) error {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tif _, err := http.Get(u); err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n`;
    const { result } = fixesOf(text, 'await-holding-lock');
    assert.equal(result.fixes.length, 0);
    assert.match(result.refused[0]!.reason, /not a statement of its own/);
  });

  it('refuses to buffer a channel a goroutine sends on in a loop', () => {
    const text = 'package p\n\nfunc first(xs []int) int {\n\tch := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tch <- x\n\t\t}\n\t}()\n\tfor v := range ch {\n\t\tif v > 0 {\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n';
    const { result } = fixesOf(text, 'detached-task');
    assert.equal(result.fixes.length, 0);
    assert.match(result.refused[0]!.reason, /sends once per item of a loop/);
  });

  it('buffers a leaking result channel with room for its one send', () => {
    const text = 'package p\n\nimport "time"\n\nfunc get(f func() int) int {\n\tch := make(chan int)\n\tgo func() { ch <- f() }()\n\tselect {\n\tcase v := <-ch:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n';
    const { apply } = fixesOf(text, 'detached-task');
    const after = apply();
    assert.match(after, /ch := make\(chan int, 1\)/);
    assert.deepEqual(rules(after), []);
  });
});

// The fan-out fixes beyond the fixtures' first fix: the semaphore alternative, the imports, the
// errgroup limit's placement and refusals, and fix-all over several WaitGroup loops.
describe('go fan-out fixes', () => {
  const fanOut = (text: string) => fixesOf(text, 'unbounded-fan-out');
  const parses = (text: string): void => assert.equal(analyze({ path: 'svc.go', text })!.frontend.syntaxErrors(text, 'svc.go'), 0, text);
  const handler = (imports: string, body: string): string =>
    `package api\n\n${imports}\n\ntype Server struct{ store interface{ Refresh(id string) error } }\n\nfunc (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {\n\tif err := r.ParseForm(); err != nil {\n\t\treturn\n\t}\n${body}}\n`;
  const wgLoop =
    '\tvar wg sync.WaitGroup\n\tfor _, id := range r.Form["id"] {\n\t\twg.Add(1)\n\t\tgo func(id string) {\n\t\t\tdefer wg.Done()\n\t\t\tif err := s.store.Refresh(id); err != nil {\n\t\t\t\treturn\n\t\t\t}\n\t\t\tlog.Println("refreshed", id)\n\t\t\tdefer func() {\n\t\t\t\tif recover() != nil {\n\t\t\t\t\treturn\n\t\t\t\t}\n\t\t\t}()\n\t\t}(id)\n\t}\n\twg.Wait()\n';

  it('turns a WaitGroup loop into an errgroup with a limit, imports errgroup and drops the unused sync', () => {
    const text = handler('import (\n\t"log"\n\t"net/http"\n\t"sync"\n)', wgLoop);
    const { result, apply } = fanOut(text);
    assert.match(result.fixes[0]!.title, /^Run the goroutines on an `errgroup\.Group` limited to 8 at a time: `g\.SetLimit\(8\)`.*8 is a placeholder/);
    assert.equal(result.fixes[0]!.safety, 'suggestion');
    const after = apply();
    parses(after);
    assert.match(after, /import \(\n\t"log"\n\t"net\/http"\n\n\t"golang\.org\/x\/sync\/errgroup"\n\)/);
    assert.doesNotMatch(after, /"sync"|wg\b/);
    assert.match(after, /\tvar g errgroup\.Group\n\tg\.SetLimit\(8\)\n\tfor _, id := range r\.Form\["id"\] \{\n\t\tid := id\n\t\tg\.Go\(func\(\) error \{\n/);
    // A bare return of the goroutine returns nil; the one in the nested literal is left alone.
    assert.match(after, /\t\t\t\treturn nil\n\t\t\t\}\n\t\t\tlog\.Println/);
    assert.match(after, /if recover\(\) != nil \{\n\t\t\t\t\treturn\n/);
    assert.match(after, /\t\t\t\}\(\)\n\t\t\treturn nil\n\t\t\}\)\n\t\}\n\t_ = g\.Wait\(\)\n/);
    assert.deepEqual(rules(after), []);
  });

  it('offers the semaphore channel as the alternative, keeping the WaitGroup', () => {
    const text = handler('import (\n\t"log"\n\t"net/http"\n\t"sync"\n)', wgLoop);
    const { result, apply } = fanOut(text);
    assert.match(result.fixes[1]!.title, /^Bound the goroutines with a semaphore channel: `sem := make\(chan struct\{\}, 8\)` before the loop/);
    const after = apply(1);
    parses(after);
    assert.match(after, /\tsem := make\(chan struct\{\}, 8\)\n\tfor _, id := range/);
    assert.match(after, /\t\twg\.Add\(1\)\n\t\tsem <- struct\{\}\{\}\n\t\tgo func\(id string\) \{\n\t\t\tdefer func\(\) \{ <-sem \}\(\)\n\t\t\tdefer wg\.Done\(\)\n/);
    assert.deepEqual(rules(after), []);
  });

  it('wraps a direct `go f(x)` for the semaphore, copying the loop variable, and names a free semaphore', () => {
    const text = 'package api\n\nimport "net/http"\n\nfunc warm(u string) {}\n\nfunc prefetch(w http.ResponseWriter, r *http.Request) {\n\tsem := 0\n\t_ = sem\n\tfor _, u := range r.URL.Query()["url"] {\n\t\tgo warm(u)\n\t}\n}\n';
    const { result, apply } = fanOut(text);
    assert.equal(result.fixes.length, 1);
    assert.match(result.refused[0]!.reason, /not a function literal joined by a `sync\.WaitGroup`/);
    const after = apply();
    parses(after);
    assert.match(after, /\tslots := make\(chan struct\{\}, 8\)\n\tfor _, u := range r\.URL\.Query\(\)\["url"\] \{\n\t\tslots <- struct\{\}\{\}\n\t\tu := u\n\t\tgo func\(\) \{\n\t\t\tdefer func\(\) \{ <-slots \}\(\)\n\t\t\twarm\(u\)\n\t\t\}\(\)\n/);
    assert.deepEqual(rules(after), []);
  });

  it('adds the errgroup import beside a single import and keeps sync when a mutex still uses it', () => {
    const text = handler('import "net/http"\n\nimport "sync"\n\nvar mu sync.Mutex', wgLoop.replace('\t\t\tlog.Println("refreshed", id)\n', ''));
    const after = fanOut(text).apply();
    parses(after);
    assert.match(after, /import "sync"\n\nimport "golang\.org\/x\/sync\/errgroup"\n/);
    assert.deepEqual(rules(after), []);
  });

  it('sets the limit after the errgroup is made, or before the loop for a group passed in', () => {
    const made = 'package api\n\nimport (\n\t"context"\n\t"net/http"\n\n\t"golang.org/x/sync/errgroup"\n)\n\nfunc del(ctx context.Context, r *http.Request, rm func(context.Context, string) error) error {\n\tg, ctx := errgroup.WithContext(ctx)\n\tfor _, k := range r.URL.Query()["k"] {\n\t\tg.Go(func() error { return rm(ctx, k) })\n\t}\n\treturn g.Wait()\n}\n';
    const a = fanOut(made);
    assert.match(a.result.fixes[0]!.title, /^Limit the errgroup to 8 goroutines at a time: `g\.SetLimit\(8\)` \(8 is a placeholder: choose the limit\)/);
    const after = a.apply();
    assert.match(after, /\tg, ctx := errgroup\.WithContext\(ctx\)\n\tg\.SetLimit\(8\)\n\tfor /);
    assert.deepEqual(rules(after), []);
    const passed = made.replace('rm func(context.Context, string) error) error {\n\tg, ctx := errgroup.WithContext(ctx)\n', 'rm func(context.Context, string) error, g *errgroup.Group) error {\n');
    const b = fanOut(passed).apply();
    assert.match(b, /\) error \{\n\tg\.SetLimit\(8\)\n\tfor _, k := range/);
    assert.deepEqual(rules(b), []);
    const busy = passed.replace('error {\n\tfor', 'error {\n\tg.Go(func() error { return nil })\n\tfor');
    assert.match(fanOut(busy).result.refused[0]!.reason, /`SetLimit` panics while any is active/);
    const field = made.replace(/\bg\b(?=[,.])/g, 's.g').replace('func del(', 'func (s *srv) del(').replace('\ts.g, ctx := errgroup.WithContext(ctx)\n', '') + '\ntype srv struct{ g *errgroup.Group }\n';
    assert.match(fanOut(field).result.refused[0]!.reason, /`s\.g` is shared beyond this function/);
  });

  it('puts the semaphore first while other WaitGroup loops hold the last uses of sync, so fix-all leaves it imported and used', () => {
    const loop = (name: string) => `func (s *Server) ${name}(r *http.Request) {\n\tvar wg sync.WaitGroup\n\tfor _, id := range r.URL.Query()["id"] {\n\t\twg.Add(1)\n\t\tgo func(id string) {\n\t\t\tdefer wg.Done()\n\t\t\t_ = s.store.Refresh(id)\n\t\t}(id)\n\t}\n\twg.Wait()\n}\n`;
    const text = `package api\n\nimport (\n\t"net/http"\n\t"sync"\n)\n\ntype Server struct{ store interface{ Refresh(id string) error } }\n\n${loop('a')}\n${loop('b')}`;
    const a = analyze({ path: 'svc.go', text })!;
    for (const f of a.findings) assert.match(fixesFor(a, f).fixes[0]!.title, /^Bound the goroutines with a semaphore channel/);
    const after = fixAllText(a, { safeOnly: false });
    parses(after);
    assert.match(after, /"sync"/);
    assert.equal((after.match(/sem <- struct\{\}\{\}/g) ?? []).length, 2);
    // Alone, the conversion comes first again and drops sync.
    const one = analyze({ path: 'svc.go', text: text.replace(`\n${loop('b')}`, '') })!;
    const fix = fixesFor(one, one.findings[0]!).fixes[0]!;
    assert.match(fix.title, /^Run the goroutines on an `errgroup\.Group`/);
    assert.doesNotMatch(applyEdits(one.parsed.text, fix.edits), /"sync"/);
  });
});
