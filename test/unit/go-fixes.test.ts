// Go fix builders beyond the fixtures: which lock fix comes first, the reasons given when a fix is
// refused, and that an unlock-and-relock under a deferred Unlock is not read as a missing release.
import assert from 'node:assert/strict';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';
import type { FixResult } from '../../server/src/engine/language';

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

  it('unlocks and relocks under a deferred Unlock without a missing-release finding', () => {
    const text = `${header}type C struct {\n\tmu sync.Mutex\n\tn  int\n}\n\nfunc (c *C) Get(u string) int {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\t_, _ = http.Get(u)\n\treturn c.n\n}\n\nfunc (c *C) Inc() {\n\tc.mu.Lock()\n\tc.n++\n\tc.mu.Unlock()\n}\n`;
    const { result, apply } = fixesOf(text, 'await-holding-lock');
    assert.equal(result.fixes.length, 1);
    const after = apply();
    assert.match(after, /\tc\.mu\.Unlock\(\)\n\t_, _ = http\.Get\(u\)\n\tc\.mu\.Lock\(\)\n/);
    assert.deepEqual(rules(after), []);
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
