// Held regions, channels, comments, incremental reparse and robustness of the TypeScript frontend.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';
import type { ParsedFile } from '../../server/src/engine/language';
import type { FileModel } from '../../server/src/engine/model';
import { typescriptFrontend } from '../../server/src/languages/typescript';
import { findNodeAtSpan, sourceFileOf } from '../../server/src/languages/typescript/ast';

function parse(text: string, path = 'file.ts'): ParsedFile {
  return typescriptFrontend.parse(text, path, typescriptFrontend.catalog);
}
function model(text: string, path = 'file.ts'): FileModel {
  return parse(text, path).model;
}

const LOCKS = `import { Mutex, Semaphore } from 'async-mutex';\nconst m = new Mutex();\nconst sem = new Semaphore(4);\n`;

describe('typescript frontend: held regions', () => {
  it('reads acquire/release with finally, explicit and missing releases', () => {
    const text = `${LOCKS}
async function a() {
  const release = await m.acquire();
  try { await fetch(u); } finally { release(); }
}
async function b() {
  const release = await m.acquire();
  cache.set(1, 2);
  release();
}
async function c(x) {
  const release = await m.acquire();
  if (x) return;
  release();
}
async function d() {
  await m.acquire();
  work();
}
async function e() {
  const release = await m.acquire();
  queue.push(job).finally(release);
}`;
    const m = model(text);
    assert.deepEqual(m.heldRegions.map((r) => [r.lock, r.lockKey, r.guard, r.release, r.lockType, r.kind]), [
      ['m', 'm', 'release', 'finally', 'async-mutex.Mutex', 'async'],
      ['m', 'm', 'release', 'explicit', 'async-mutex.Mutex', 'async'],
      ['m', 'm', 'release', 'missing', 'async-mutex.Mutex', 'async'],
      ['m', 'm', undefined, 'missing', 'async-mutex.Mutex', 'async'],
      ['m', 'm', 'release', 'explicit', 'async-mutex.Mutex', 'async'],
    ]);
    const first = m.heldRegions[0]!;
    assert.equal(text.slice(first.acquireSpan.start, first.acquireSpan.end), 'await m.acquire()');
    assert.equal(text.slice(first.releaseSpan!.start, first.releaseSpan!.end), 'release()');
    assert.ok(text.slice(first.span.start, first.span.end).includes('await fetch(u)'));
    assert.equal(first.context, m.contexts.find((c) => c.name === 'a')!.id);
  });

  it('reads scoped callbacks, keyed locks and semaphores', () => {
    const text = `${LOCKS}import AsyncLock from 'async-lock';
const lock = new AsyncLock();
class S {
  private readonly mutex = new Mutex();
  async run() { await this.mutex.runExclusive(async () => { await fetch(u); }); }
}
async function k() { await lock.acquire('user:1', async () => { await save(); }, (err) => log(err)); }
async function l() { const [, release] = await sem.acquire(); try { await fetch(u); } finally { release(); } }
async function n() { await navigator.locks.request('cache', async () => { await fetch(u); }); }`;
    const m = model(text);
    const regions = m.heldRegions.map((r) => [r.lock, r.lockKey, r.release, r.lockType]);
    assert.deepEqual(regions, [
      ['this.mutex', 'this.mutex', 'callback', 'async-mutex.Mutex'],
      ['lock', "lock('user:1')", 'callback', 'async-lock.AsyncLock'],
      ['sem', 'sem', 'finally', 'async-mutex.Semaphore'],
      ['navigator.locks', "navigator.locks('cache')", 'callback', 'navigator.locks'],
    ]);
    const keyed = m.heldRegions[1]!;
    assert.ok(text.slice(keyed.span.start, keyed.span.end).includes('await save()'), 'the critical section, not the completion callback');
    const cb = m.heldRegions[0]!;
    // The region's yields are the callback's: the region shares the callback's context.
    const inside = m.yieldPoints.filter((y) => y.context === cb.context && cb.span.start <= y.span.start && y.span.end <= cb.span.end);
    assert.equal(inside.length, 1);
    assert.ok(typescriptFrontend.catalog.locks.get('async-mutex.Semaphore')?.limiter);
  });

  it('lets the rule see a scoped re-acquisition inside a held region', () => {
    const text = `${LOCKS}
async function a() {
  await m.runExclusive(async () => {
    await m.runExclusive(async () => 1);
  });
}
async function b() {
  await sem.runExclusive(async () => { await sem.runExclusive(async () => 2); });
}`;
    const analysis = analyze({ path: 'file.ts', text })!;
    const lines = analysis.findings.map((f) => `${analysis.lines.position(f.span.start).line + 1}:${f.data?.variant}`);
    assert.deepEqual(lines, ['7:reacquire', '11:reacquire']);
  });

  it('names the connection a lock guards when it is only used under that lock', () => {
    const guarded = model(`${LOCKS}import { Client } from 'pg';
class Conn {
  private readonly mutex = new Mutex();
  private readonly conn = new Client();
  async q(sql) { return this.mutex.runExclusive(async () => this.conn.query(sql)); }
}`);
    assert.deepEqual(guarded.heldRegions[0]!.guardedResources, ['this.conn']);
    const shared = model(`${LOCKS}
class Conn {
  private readonly mutex = new Mutex();
  async q(sql) { return this.mutex.runExclusive(async () => this.conn.query(sql)); }
  async r(sql) { return this.conn.query(sql); }
}`);
    assert.deepEqual(shared.heldRegions[0]!.guardedResources, []);
    const pair = model(`${LOCKS}
async function q(conn, sql) {
  const entry = { mutex: new Mutex(), conn };
  return entry.mutex.runExclusive(async () => entry.conn.query(sql));
}`);
    assert.deepEqual(pair.heldRegions.map((r) => [r.lock, r.guardedResources]), [['entry.mutex', ['entry.conn']]]);
  });
});

describe('typescript frontend: channels', () => {
  it('reads queue and stream bounds', () => {
    const m = model(`import PQueue from 'p-queue';
import { Readable, Writable } from 'node:stream';
const a = new PQueue();
const b = new PQueue({ concurrency: 4 });
const c = new PQueue({ concurrency: Infinity });
const d = new Readable({ highWaterMark: Infinity, read() {} });
const e = new Writable({ write(chunk, enc, cb) { cb(); } });
const f = new Map();`);
    assert.deepEqual(m.channels.map((c) => [c.constructor, c.bounded, c.reason]), [
      ['p-queue.PQueue', false, 'no-capacity'],
      ['p-queue.PQueue', true, undefined],
      ['p-queue.PQueue', false, 'infinite-capacity'],
      ['stream.Readable', false, 'infinite-capacity'],
      ['stream.Writable', true, undefined],
    ]);
    assert.equal(m.channels[0]!.text, 'new PQueue()');
  });

  it('flags ignored write backpressure on streams only, and not after a drain wait', () => {
    const m = model(`import { once } from 'node:events';
async function send(res, socket, cache, rows) {
  for (const r of rows) res.write(r);
  for (const r of rows) { socket.write(r); await once(socket, 'drain'); }
  for (const r of rows) cache.write(r);
  for (const r of rows) { if (!res.write(r)) await once(res, 'drain'); }
}`);
    assert.deepEqual(m.channels.map((c) => [c.text, c.reason, c.constructor]), [['res.write()', 'ignored-backpressure', 'stream.Writable.write']]);
  });
});

describe('typescript frontend: comments, syntax errors, robustness', () => {
  it('collects every comment without delimiters, and none from JSX text', () => {
    const m = model(`// one\nconst a = 1; /* two */\nfoo(a /* three */);\nfunction f() {\n  x();\n  // four\n}\nconst j = <div>// not a comment</div>;`, 'file.tsx');
    assert.deepEqual(m.comments.map((c) => c.text), [' one', ' two ', ' three ', ' four']);
  });

  it('counts syntax errors', () => {
    assert.equal(typescriptFrontend.syntaxErrors('const a = 1;', 'a.ts'), 0);
    assert.ok(typescriptFrontend.syntaxErrors('const a = ;', 'a.ts') > 0);
    assert.equal(model('function (').syntaxErrors > 0, true);
  });

  it('survives 10,000-deep nesting', () => {
    const chain = `async function f() { return ${Array(10000).fill('a').join(' + ')}; }`;
    assert.equal(model(chain).functions.length, 1);
    const calls = `f(${'g('.repeat(10000)}${')'.repeat(10000)});`;
    assert.doesNotThrow(() => model(calls));
    const chained = model(`async function g() { await a${'.b()'.repeat(10000)}; }`);
    assert.equal(chained.calls.length, 10000);
    assert.ok(chained.calls[0]!.calleeText.length < 1000, 'a huge callee is shown by its ends');
    const brackets = `const x = ${'['.repeat(10000)}${']'.repeat(10000)};`;
    assert.doesNotThrow(() => model(brackets));
    assert.ok(typescriptFrontend.syntaxErrors(brackets, 'a.ts') >= 0);
  });

  it('never throws on token soup', () => {
    const token = fc.constantFrom(
      'async', 'function', 'f', '(', ')', '{', '}', '=>', 'await', 'yield', '*', 'for', 'of', 'const', 'x', '=', 'new', 'class', 'this', '.',
      'release', 'm.acquire()', 'try', 'finally', 'return', ';', ',', "'drain'", 'write', '/*', '*/', '//', '\n', '<div>', '</div>', '`${', '`',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const text = tokens.join(' ');
        for (const path of ['a.ts', 'a.tsx', 'a.js']) typescriptFrontend.parse(text, path, typescriptFrontend.catalog);
      }),
      { numRuns: 300 },
    );
  });

  it('finds nodes by span for the fix builder', () => {
    const parsed = parse('const x = fs.readFileSync(p);');
    const call = parsed.model.calls[0]!;
    const node = findNodeAtSpan(sourceFileOf(parsed), call.span);
    assert.equal(node?.getText(), 'fs.readFileSync(p)');
    assert.ok(node?.parent, 'parent pointers are set');
  });
});

describe('typescript frontend: incremental reparse', () => {
  const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'ts', 'blocking-in-async', 'invalid-sync-closures-inline-in-async.ts'), 'utf8');

  it('equals a full parse after any sequence of edits', () => {
    const edit = fc.record({ at: fc.nat(), len: fc.nat({ max: 12 }), text: fc.constantFrom('', ' ', 'await ', 'fs.readFileSync(x);\n', '}', '(', '// c\n', 'async ') });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let previous = parse(fixture);
        let text = fixture;
        for (const e of edits) {
          const start = e.at % (text.length + 1);
          const end = Math.min(text.length, start + e.len);
          const next = text.slice(0, start) + e.text + text.slice(end);
          const incremental = typescriptFrontend.parse(next, 'file.ts', typescriptFrontend.catalog, previous, [{ start, end, newText: e.text }]);
          assert.deepEqual(incremental.model, model(next));
          previous = incremental;
          text = next;
        }
      }),
      { numRuns: 40 },
    );
  });

  it('reuses the unchanged parts of the previous tree', () => {
    const previous = parse(fixture);
    const firstStatement = sourceFileOf(previous).statements[0];
    const at = fixture.length - 1;
    const next = `${fixture.slice(0, at)}\n// tail\n${fixture.slice(at)}`;
    const result = typescriptFrontend.parse(next, 'file.ts', typescriptFrontend.catalog, previous, [{ start: at, end: at, newText: '\n// tail\n' }]);
    assert.equal(sourceFileOf(result).statements[0], firstStatement);
    assert.deepEqual(result.model, model(next));
  });

  it('falls back to a full parse when the changes do not match the text', () => {
    const previous = parse('const a = fs.readFileSync(x);');
    const next = 'const b = fs.readFileSync(y);';
    const result = typescriptFrontend.parse(next, 'file.ts', typescriptFrontend.catalog, previous, [{ start: 0, end: 1, newText: 'z' }]);
    assert.deepEqual(result.model, model(next));
  });
});
