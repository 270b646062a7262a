// The Rust frontend's boundary behaviour: UTF-16 offsets, incremental reparse, edition, deep input,
// syntax errors, and the model facts the rules rely on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze } from '../../server/src/project/analyze';
import type { ParsedFile, TextChange } from '../../server/src/engine/language';
import type { FileModel } from '../../server/src/engine/model';
import { createRustFrontend, rustFrontend } from '../../server/src/languages/rust';
import type { RustTree } from '../../server/src/languages/rust';

const catalog = rustFrontend.catalog;

function parse(text: string, previous?: ParsedFile, changes?: TextChange[]): ParsedFile {
  return rustFrontend.parse(text, 'lib.rs', catalog, previous, changes);
}

/** The model without the parts that legitimately differ between two parses of the same text. */
function comparable(model: FileModel): string {
  return JSON.stringify(model);
}

describe('rust frontend', () => {
  it('reports UTF-16 offsets after non-ASCII text', () => {
    const text = 'async fn grüße() {\n    let s = "😀 café";\n    std::thread::sleep(d);\n    x.await;\n}\n';
    const a = analyze({ path: 'a.rs', text })!;
    const finding = a.findings.find((f) => f.rule === 'blocking-in-async');
    assert.ok(finding);
    assert.equal(finding.span.start, text.indexOf('std::thread::sleep'));
    assert.equal(text.slice(finding.span.start, finding.span.end), 'std::thread::sleep(d)');
    const y = a.model.yieldPoints[0]!;
    assert.equal(text.slice(y.keywordSpan.start, y.keywordSpan.end), '.await');
    assert.equal(a.model.functions[0]!.name, 'grüße');
  });

  it('reparses incrementally to the same model as a full parse, and frees the old tree', () => {
    const v1 = 'use std::fs;\n\nasync fn load() -> String {\n    // naïve 😀\n    fs::read_to_string("a").unwrap()\n}\n';
    const first = parse(v1);
    // Two sequential edits, each in the coordinates left by the previous one (LSP incremental sync).
    const c1: TextChange = { start: v1.indexOf('"a"'), end: v1.indexOf('"a"') + 3, newText: '"ü/😀"' };
    const mid = v1.slice(0, c1.start) + c1.newText + v1.slice(c1.end);
    const at = mid.indexOf('async fn');
    const c2: TextChange = { start: at, end: at, newText: 'async fn other() { std::thread::sleep(d); }\n' };
    const v2 = mid.slice(0, at) + c2.newText + mid.slice(at);
    const incremental = parse(v2, first, [c1, c2]);
    assert.equal((first.tree as RustTree).ts, undefined, 'the replaced tree is deleted');
    assert.equal(comparable(incremental.model), comparable(parse(v2).model));
    assert.equal(incremental.model.calls.filter((c) => c.callee === 'std::thread::sleep').length, 1);
  });

  it('falls back to a full parse when the changes do not reproduce the text', () => {
    const first = parse('fn a() {}\n');
    const text = 'async fn b() { std::thread::sleep(d); }\n';
    const again = parse(text, first, [{ start: 0, end: 1, newText: 'x' }]);
    assert.equal(comparable(again.model), comparable(parse(text).model));
  });

  it('counts syntax errors', () => {
    assert.equal(rustFrontend.syntaxErrors('fn main() { let x = 1; }', 'a.rs'), 0);
    assert.ok(rustFrontend.syntaxErrors('fn main( { let x = ; }', 'a.rs') > 0);
    assert.ok(parse('async fn f() { let = }').model.syntaxErrors > 0);
  });

  it('survives deep nesting and long chains without recursion limits', function () {
    // 3-9 s alone; a loaded machine (load 20 on 2 cores) took it past mocha's 20 s default.
    this.timeout(60000);
    const depth = 3000;
    const nested = `async fn f() { let x = ${'('.repeat(depth)}1${')'.repeat(depth)}; }`;
    assert.equal(parse(nested).model.functions.length, 1);
    const chain = `async fn g(v: Vec<u8>) { v.iter()${'.map(|x| x)'.repeat(2000)}.count(); std::thread::sleep(d); }`;
    const a = analyze({ path: 'c.rs', text: chain })!;
    assert.deepEqual(a.findings.map((f) => f.rule), ['blocking-in-async']);
  });

  it('drops `if let` temporaries before `else` in edition 2024 only', () => {
    const text = [
      'use std::sync::Mutex;',
      'async fn f(m: &Mutex<Vec<u8>>) {',
      '    if let Some(x) = m.lock().unwrap().first() {',
      '        println!("{x}");',
      '    } else {',
      '        g().await;',
      '    }',
      '}',
    ].join('\n');
    const held = (edition: 2021 | 2024): number => {
      const p = createRustFrontend({ edition }).parse(text, 'e.rs', catalog);
      const y = p.model.yieldPoints[0]!;
      return p.model.heldRegions.filter((r) => r.span.start <= y.span.start && y.span.end <= r.span.end).length;
    };
    assert.equal(held(2021), 1);
    assert.equal(held(2024), 0);
  });

  it('resolves paths through use groups, aliases, self and globs', () => {
    const text = [
      'use std::{fs as f, io::{self, Read}, thread};',
      'use std::fs::*;',
      'async fn a() { f::read("x"); thread::sleep(d); read_to_string("y"); io::stdin().read_line(&mut s); }',
    ].join('\n');
    const callees = parse(text).model.calls.map((c) => c.callee);
    assert.deepEqual(callees, ['std::fs::read', 'std::thread::sleep', 'std::fs::read_to_string', 'std::io::Stdin::read_line', 'std::io::stdin']);
  });

  it('parses a macro token tree for its calls only when its code names a callable: not for a name in a comment, string or attribute', () => {
    // Modelled on Tokio's tests (`assert_ok!(…)`, `assert!(…, "message")`) and its `cfg_rt! { /// docs … }` item macros.
    const calleesOf = (body: string): string[] =>
      parse(`use std::fs;\nasync fn f(x: X, p: &str) {\n    ${body}\n}\n`).model.calls.map((c) => c.calleeText);
    // `read(` only in the message, in a comment or in an attribute: the token tree is not parsed.
    assert.deepEqual(calleesOf('assert!(x.is_ok(), "could not read(p)");'), []);
    assert.deepEqual(calleesOf('assert!(x.is_ok() /* then read(p) */);'), []);
    assert.deepEqual(calleesOf('assert!(x.is_ok(), r#"read(p) "failed""#);'), []);
    assert.deepEqual(calleesOf("assert!(x.is_ok(), '(' == c); // read(p)"), []);
    assert.deepEqual(calleesOf('m! { #[cfg(feature = "read(p)")] x.is_ok() }'), []);
    // In code it is: beside a string holding `//`, after a char literal `'"'`, in a `json!` value, in `vec!`.
    assert.deepEqual(calleesOf('assert!(fs::metadata("//x").is_ok());'), ['fs::metadata(..).is_ok', 'fs::metadata']);
    assert.deepEqual(calleesOf("assert!(c != '\"' && fs::read(p).is_ok());"), ['fs::read(..).is_ok', 'fs::read']);
    assert.deepEqual(calleesOf('let v = serde_json::json!({ "read(": fs::read(p) });'), ['fs::read']);
    assert.deepEqual(calleesOf('let v = vec![fs::read(p); 2];'), ['fs::read']);
  });

  it('tells executor contexts from offloaded bodies', () => {
    const text = [
      'fn main() {',
      '    tokio::spawn(async move { work().await });',
      '    tokio::task::spawn_blocking(move || heavy());',
      '    std::thread::spawn(|| heavy());',
      '}',
      'async fn h(v: Vec<u8>) { v.iter().map(|x| x + 1).count(); }',
    ].join('\n');
    const m = parse(text).model;
    assert.deepEqual(m.contexts.map((c) => c.kind), ['spawned-task', 'async-function']);
    const closures = m.functions.filter((f) => f.name === undefined && !f.isAsync);
    assert.deepEqual(closures.map((f) => [f.offloaded, f.context !== undefined]), [[true, false], [true, false], [false, true]]);
    // Both return a `JoinHandle` that detaches the task when dropped; an OS thread is not the executor's task.
    assert.deepEqual(m.spawns.map((s) => [s.spawner, s.handle]), [['tokio::spawn', 'dropped'], ['tokio::task::spawn_blocking', 'dropped']]);
  });

  it('keeps comments for suppressions', () => {
    const text = 'async fn f() {\n    // async-boundary-ignore blocking-in-async: startup only\n    std::thread::sleep(d);\n}\n';
    const a = analyze({ path: 's.rs', text })!;
    assert.deepEqual(a.findings, []);
    assert.equal(a.model.comments[0]!.text, ' async-boundary-ignore blocking-in-async: startup only');
  });

  it('reports a clear error when used before initFrontends()', function () {
    this.timeout(30000);
    const root = join(__dirname, '..', '..');
    const script = [
      "const { analyze } = require('./server/src/project/analyze');",
      'const errors = [];',
      "const a = analyze({ path: 'x.rs', text: 'async fn f() {}' }, undefined, { onError: (w, e) => errors.push(w + ': ' + e.message) });",
      'console.log(JSON.stringify({ errors, contexts: a.model.contexts.length }));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8' });
    const result = JSON.parse(out) as { errors: string[]; contexts: number };
    assert.equal(result.contexts, 0);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]!, /rust frontend: the Rust grammar is not loaded: call `await initFrontends\(\)`/);
  });

  it('does not report channels created in test code (a test queue never meets production load)', () => {
    const text = [
      'use std::sync::mpsc::channel;',
      'pub fn serve() { let (tx, rx) = channel::<u8>(); run(tx, rx); }',
      '#[test]',
      'fn plain() { let (tx, rx) = channel::<u8>(); run(tx, rx); }',
      '#[tokio::test(flavor = "multi_thread")]',
      'async fn in_runtime() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>(); go(tx, rx).await; }',
      '#[cfg(not(test))]',
      'mod live { pub fn feed() { let (tx, rx) = std::sync::mpsc::channel::<u8>(); run(tx, rx); } }',
      '#[cfg(test)]',
      'mod tests {',
      '    fn helper() { let (tx, rx) = std::sync::mpsc::channel::<u8>(); run(tx, rx); }',
      '}',
      '',
    ].join('\n');
    const lines = analyze({ path: 'lib.rs', text })!.findings.filter((f) => f.rule === 'unbounded-channel').map((f) => text.slice(0, f.span.start).split('\n').length);
    assert.deepEqual(lines, [2, 8]);
  });
});
