// Go: a function that puts a value into a channel parameter before it returns (ChannelFills), and
// the receive right after a call of it on a channel made there with a buffer, which takes that value
// and does not wait (nats-server's setLeader: `o.inch = make(chan bool, 8)`, registerNotification,
// `<-o.inch`, under o.mu). The fixtures check the findings (await-holding-lock's
// invalid-interest-notification.go, the cross-file project sublist-interest); this checks the facts
// behind them: which functions fill which parameter, what the summary and the linker carry, and that
// a file analysed without its package still reports the receive.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { summaryOf } from '../../server/src/engine/analyze';
import { analyze } from '../../server/src/project/analyze';
import { readProjectLayout } from '../../server/src/project/layout';
import { newLinker } from '../../server/src/project/summaries';
import { validSummary } from '../../server/src/project/summary-shape';
import { validImports } from '../../server/src/cli/cache-shape';
import type { Analysis } from '../../server/src/engine/analyze';
import type { ChannelFills } from '../../server/src/engine/model';
import { analyzeProject } from '../../server/src/project/link';

const PROJECT = join(__dirname, '..', 'fixtures', 'go', 'cross-file', 'sublist-interest');

/** A fill as `arity [params]`, with ` unless [params]` for those filled only when no error is returned. */
const shown = (f: ChannelFills): string => `${f.arity} [${f.params.join(',')}]${f.unlessError ? ` unless [${f.unlessError.join(',')}]` : ''}`;

/** Each function of a Go source that fills a parameter, as `name arity [params]`. */
function fills(source: string): string[] {
  const a = analyze({ path: '/p/fills.go', text: source })!;
  return a.model.functions.filter((f) => f.fills).map((f) => `${f.name} ${shown(f.fills!)}`);
}

/** Each lock finding as `line severity`, and the lines the fixture marks (`(hint: …)` after the marker for a hint). */
function severities(a: Analysis, text: string): { got: string[]; want: string[] } {
  const got = a.findings
    .filter((f) => f.rule === 'await-holding-lock')
    .map((f) => `${a.lines.position(f.span.start).line + 1} ${f.severity}`)
    .sort();
  const want = text
    .split('\n')
    .flatMap((l, i) => (/expect: await-holding-lock/.test(l) ? [`${i + 1} ${/\(hint:/.test(l) ? 'hint' : 'warning'}`] : []))
    .sort();
  return { got, want };
}

describe('go: functions that fill a channel parameter', () => {
  it('reads every path: a send, a same-file helper that sends, a select with a default, an error return', () => {
    const src = `package p
import "errors"
var ErrClosed = errors.New("closed")
func send(ch chan<- bool) { select { case ch <- true: default: } }
func direct(ch chan int, v int) { ch <- v }
func viaHelper(n int, ch chan<- bool) error {
	if n < 0 {
		return ErrClosed
	}
	err := check(n)
	if err != nil {
		return err
	}
	send(ch)
	return nil
}
func check(n int) error { return nil }
func wrapper(ch chan<- bool) error { return viaHelper(1, ch) }
func counted(ch chan bool) (n int, err error) {
	if ch == nil {
		return 0, ErrClosed
	}
	ch <- true
	return 1, nil
}
func switched(kind int, ch chan string) {
	switch kind {
	case 1:
		ch <- "one"
	default:
		ch <- "other"
	}
}
`;
    assert.deepEqual(fills(src), ['send 1 [0]', 'direct 2 [0]', 'viaHelper 2 [] unless [1]', 'wrapper 1 [] unless [0]', 'counted 1 [] unless [0]', 'switched 2 [1]']);
  });

  it('does not count a send on some paths only, from a goroutine or a literal, in a loop, or into a shadow; nor a function that receives from it, hands it to another package, drops the error of a helper or returns an err outside the if that tested it', () => {
    const src = `package p
import (
	"errors"
	"example.com/relay/worker"
)
func someReturns(ok bool, ch chan bool) error {
	if !ok {
		return nil
	}
	ch <- true
	return nil
}
func someCases(kind int, ch chan bool) {
	switch kind {
	case 1:
		ch <- true
	}
}
func inGoroutine(ch chan bool) { go func() { ch <- true }() }
func inLoop(xs []int, ch chan int) {
	for _, x := range xs {
		ch <- x
	}
}
func shadowed(ch chan bool) {
	ch = make(chan bool, 1)
	ch <- true
}
func drains(ch chan bool) {
	ch <- true
	<-ch
}
func handsOn(ch chan bool) {
	ch <- true
	worker.Drain(ch)
}
func viaHelper(n int, ch chan<- bool) error {
	if n < 0 {
		return errors.New("negative")
	}
	ch <- true
	return nil
}
func check(n int) error { return nil }
func blindSelect(ch chan bool, quit chan struct{}) {
	select {
	case ch <- true:
	case <-quit:
	}
}
func dropsHelpersError(ch chan<- bool) {
	viaHelper(1, ch)
}
func outerErr(ch chan bool, bad *int) error {
	var err error
	if err := check(1); err != nil {
		*bad++
	} else {
		ch <- true
		return nil
	}
	return err
}
func errNotKnown(ch chan bool, err error) error {
	if err == nil {
		ch <- true
	}
	return nil
}
`;
    assert.deepEqual(fills(src), ['viaHelper 2 [] unless [1]']);
  });

  it('carries the fills in the summary, and the linker hands them to the file that receives', async () => {
    const files = readdirSync(join(PROJECT, 'server'))
      .map((n) => join(PROJECT, 'server', n))
      .map((path) => ({
        path,
        text: readFileSync(path, 'utf8'),
        shown: relative(PROJECT, path),
      }));
    const summaries = files.map((f) => summaryOf(analyze({ path: f.path, text: f.text })!, f.shown)!);
    for (const s of summaries) assert.ok(validSummary(s), s.shown);
    const sublist = summaries.find((s) => s.shown.endsWith('sublist.go'))!;
    const filled = sublist.exports.filter((e) => e.fills).map((e) => `${e.name} ${shown(e.fills!)}`);
    assert.deepEqual(filled, ['Sublist.RegisterNotification 2 [] unless [1]', 'Sublist.registerNotification 3 [] unless [2]', 'sendNotification 2 [0]']);
    const consumer = summaries.find((s) => s.shown.endsWith('consumer.go'))!;
    assert.deepEqual(consumer.fillers, ['./Account.sl.registerNotification', './Account.sl.notifyOnInterest', './Account.sl.watchInterest']);
    const linker = newLinker(summaries, await readProjectLayout(files.map((f) => f.path)));
    const imports = linker.importsFor(files.find((f) => f.shown.endsWith('consumer.go'))!.path);
    assert.ok(validImports(imports));
    // Of the three callees it hands a fresh channel to, one fills it (and none does I/O).
    assert.deepEqual(
      Object.keys(imports).filter((k) => !k.startsWith('#')),
      ['./Account.sl.registerNotification'],
    );
    assert.deepEqual(imports['./Account.sl.registerNotification']!.fills, { arity: 3, params: [], unlessError: [2] });
    // A fill that names a parameter the function does not have is not a summary the linker may use.
    const register = sublist.exports.find((e) => e.name === 'Sublist.registerNotification')!;
    assert.equal(
      validSummary({
        ...sublist,
        exports: [{ ...register, fills: { arity: 3, params: [3] } }],
      }),
      false,
    );
    assert.equal(validSummary({ ...sublist, exports: [{ ...register, fills: { arity: 3, params: [], unlessError: [-1] } }] }), false);
    assert.equal(validSummary({ ...consumer, fillers: [1] }), false);
    assert.equal(
      validImports({
        './Account.sl.registerNotification': {
          ...imports['./Account.sl.registerNotification']!,
          fills: { arity: 3 },
        },
      }),
      false,
    );
  });

  it('reports the receive when the file is analysed without its package', () => {
    const path = join(PROJECT, 'server', 'consumer.go');
    const text = readFileSync(path, 'utf8');
    const a = analyze({ path, text })!;
    const line = text.split('\n').findIndex((l) => l.includes('if o.active = <-o.inch')) + 1;
    const at = a.findings.filter((f) => a.lines.position(f.span.start).line + 1 === line);
    assert.equal(at.length, 1);
    assert.match(at[0]!.message, /^`o\.mu` is held across a receive from `o\.inch`: /);
    const y = a.model.yieldPoints.find((p) => a.lines.position(p.span.start).line + 1 === line)!;
    assert.deepEqual(
      y.filledBy && {
        ...y.filledBy,
        callee: a.model.calls[y.filledBy.call]!.callee,
      },
      {
        call: y.filledBy!.call,
        arg: 2,
        args: 3,
        checked: false,
        callee: './Account.sl.registerNotification',
      },
    );
  });

  it('makes a receive after a fill that skips the send on errors a hint when the error is not checked first, and says why', async () => {
    const file = join(__dirname, '..', 'fixtures', 'go', 'await-holding-lock', 'invalid-interest-notification.go');
    const text = readFileSync(file, 'utf8');
    const one = analyze({ path: file, text })!;
    const { got, want } = severities(one, text);
    assert.deepEqual(got, want);
    const hint = one.findings.find((f) => f.severity === 'hint')!;
    assert.match(
      hint.message,
      /^`o\.mu` is held across a receive from `o\.inch`, which `o\.sl\.registerNotification` fills before it returns unless it returns an error: the error is not checked before the receive/,
    );
    const files = readdirSync(join(PROJECT, 'server'))
      .map((n) => join(PROJECT, 'server', n))
      .map((path) => ({ path, text: readFileSync(path, 'utf8'), shown: relative(PROJECT, path) }));
    const { analyses } = analyzeProject(files, await readProjectLayout(files.map((f) => f.path)));
    for (const f of files) {
      const r = severities(analyses.get(f.path)!, f.text);
      assert.deepEqual(r.got, r.want, f.shown);
    }
  });
});
