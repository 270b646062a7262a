// Rust fix builders beyond the fixtures: the runtime taken from the crate's dependencies, and the
// reasons given when a fix is refused.
import assert from 'node:assert/strict';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';
import type { FixResult } from '../../server/src/engine/language';
import { cargoDependencies } from '../../server/src/languages/rust';

function fixesOf(text: string, rule: string, dependencies?: string[]): { result: FixResult; apply: () => string } {
  const a = analyze({ path: 'src/lib.rs', text })!;
  const finding = a.findings.find((f) => f.rule === rule);
  assert.ok(finding, `no ${rule} finding in:\n${text}`);
  const result = fixesFor(a, finding, dependencies ? { dependencies: new Set(dependencies) } : {});
  return { result, apply: () => applyEdits(text, result.fixes[0]!.edits) };
}

describe('rust fixes', () => {
  const sleep = 'async fn tick(d: std::time::Duration) {\n    std::thread::sleep(d);\n}\n';
  const read = 'async fn load() -> std::io::Result<String> {\n    std::fs::read_to_string("a.txt")\n}\n';
  const output = 'async fn git() -> anyhow::Result<Vec<u8>> {\n    let out = std::process::Command::new("git").output()?;\n    Ok(out.stdout)\n}\n';

  it('uses the tokio twins by default', () => {
    assert.match(fixesOf(sleep, 'blocking-in-async').apply(), /tokio::time::sleep\(d\)\.await;/);
    assert.match(fixesOf(read, 'blocking-in-async').apply(), /tokio::fs::read_to_string\("a\.txt"\)\.await/);
  });

  it('uses async-std and smol when the crate depends on them', () => {
    assert.match(fixesOf(sleep, 'blocking-in-async', ['async-std']).apply(), /async_std::task::sleep\(d\)\.await;/);
    assert.match(fixesOf(read, 'blocking-in-async', ['smol']).apply(), /smol::fs::read_to_string\("a\.txt"\)\.await/);
    assert.match(fixesOf(sleep, 'blocking-in-async', ['smol', 'serde']).apply(), /smol::Timer::after\(d\)\.await;/);
    assert.match(fixesOf(output, 'blocking-in-async', ['smol']).apply(), /smol::unblock\(move \|\| std::process::Command::new\("git"\)\.output\(\)\)\.await\?;/);
  });

  it('propagates a join error with `?` only where the error type converts', () => {
    assert.match(fixesOf(output, 'blocking-in-async').apply(), /spawn_blocking\(move \|\| std::process::Command::new\("git"\)\.output\(\)\)\.await\?\?;/);
    const axum = output.replace('anyhow::Result<Vec<u8>>', 'Result<Vec<u8>, StatusCode>').replace('.output()?', '.output().map_err(|_| StatusCode::BAD_GATEWAY)?');
    // StatusCode has no `From<JoinError>`: the join error panics, and the chained `map_err` moves into the closure.
    assert.match(fixesOf(axum, 'blocking-in-async').apply(), /\.map_err\(\|_\| StatusCode::BAD_GATEWAY\)\)\.await\.expect\("blocking task panicked"\)\?;/);
  });

  it('refuses what would not compile, with the reason', () => {
    const inClosure = 'async fn sizes(ps: Vec<String>) -> usize {\n    ps.iter().filter(|p| std::fs::metadata(p).is_ok()).count()\n}\n';
    assert.match(fixesOf(inClosure, 'blocking-in-async').result.refused[0]!.reason, /sync closure/);
    const selfCall = 'struct S { p: String }\nimpl S {\n    async fn f(&self) {\n        std::process::Command::new(&self.p).status();\n    }\n}\n';
    assert.match(fixesOf(selfCall, 'blocking-in-async').result.refused[0]!.reason, /`self`/);
    const readAcross = 'use std::sync::Mutex;\nasync fn f(m: &Mutex<Vec<u8>>) {\n    let mut g = m.lock().unwrap();\n    let n = g.len();\n    work().await;\n    g.push(n as u8);\n}\n';
    const lock = fixesOf(readAcross, 'await-holding-lock').result;
    assert.equal(lock.fixes.length, 0);
    assert.match(lock.refused[0]!.reason, /`n` is read from `g` before the `\.await` and used after it/);
    // A lookup whose result borrows the guard and is not one the `let` fix knows to clone (lock-fixes.test.ts has those).
    const temp = 'use std::sync::Mutex;\nasync fn f(m: &Mutex<Vec<u8>>) {\n    match m.lock().unwrap().iter().max() {\n        Some(_) => work().await,\n        None => {}\n    }\n}\n';
    assert.match(fixesOf(temp, 'await-holding-lock').result.refused[0]!.reason, /temporary/);
  });

  it('clones into the spawn_blocking closure a local that is used after the call, or refuses', () => {
    // Before: `move ||` took `repo`, and the `tracing::info!` after it no longer compiled.
    const status = [
      'async fn refresh(repo: std::path::PathBuf) -> anyhow::Result<String> {',
      '    let out = std::process::Command::new("git").arg("-C").arg(&repo).arg("pull").output()?;',
      '    tracing::info!("pulled {}", repo.display());',
      '    Ok(String::from_utf8_lossy(&out.stdout).into_owned())',
      '}',
      '',
    ].join('\n');
    const fixed = fixesOf(status, 'blocking-in-async').apply();
    assert.match(fixed, /spawn_blocking\(\{ let repo = repo\.clone\(\); move \|\| std::process::Command::new\("git"\)\.arg\("-C"\)\.arg\(&repo\)\.arg\("pull"\)\.output\(\) \}\)\.await\?\?;/);
    assert.match(fixed, /tracing::info!\("pulled \{\}", repo\.display\(\)\);/);
    assert.equal(analyze({ path: 'src/lib.rs', text: fixed })!.findings.filter((f) => f.rule === 'blocking-in-async').length, 0);
    // A local only the call uses is moved as before, and words in a string are not locals.
    const once = 'async fn once(users: Vec<String>) -> anyhow::Result<Vec<u8>> {\n    let out = std::process::Command::new("users").args(&users).output()?;\n    Ok(out.stdout)\n}\n';
    assert.match(fixesOf(once, 'blocking-in-async').apply(), /spawn_blocking\(move \|\| std::process::Command::new\("users"\)\.args\(&users\)\.output\(\)\)/);
    // A stream whose methods the call uses is not `Clone`: the fix is refused, with the line that still needs it.
    const ping = 'async fn ping(addr: &str) -> std::io::Result<()> {\n    let mut stream = std::net::TcpStream::connect(addr)?;\n    stream.write_all(b"PING\\r\\n")?;\n    stream.flush()\n}\n';
    const a = analyze({ path: 'src/lib.rs', text: ping })!;
    const write = a.findings.find((f) => f.rule === 'blocking-in-async' && a.lines.position(f.span.start).line === 2)!;
    const refused = fixesFor(a, write, {});
    assert.equal(refused.fixes.length, 0);
    assert.match(refused.refused[0]!.reason, /`stream` is used again on line 4/);
    // In a loop, the next turn needs the connection again.
    const batch = 'async fn save_all(conn: rusqlite::Connection, ids: Vec<i64>) -> rusqlite::Result<()> {\n    for id in ids {\n        conn.execute("DELETE FROM jobs WHERE id = ?1", [id])?;\n    }\n    Ok(())\n}\n';
    assert.match(fixesOf(batch, 'blocking-in-async').result.refused[0]!.reason, /`conn` is used again by the next turn of the loop/);
  });

  it('bounds a tokio channel and awaits its sends only in async code', () => {
    const ok = 'use tokio::sync::mpsc;\nasync fn f() {\n    let (tx, mut rx) = mpsc::unbounded_channel();\n    tx.send(1).unwrap();\n    rx.recv().await;\n}\n';
    assert.match(fixesOf(ok, 'unbounded-channel').apply(), /mpsc::channel\(1024\);\n    tx\.send\(1\)\.await\.unwrap\(\);/);
    const sync = 'use tokio::sync::mpsc;\nfn f() {\n    let (tx, _rx) = mpsc::unbounded_channel::<u8>();\n    tx.send(1).unwrap();\n}\n';
    const refused = fixesOf(sync, 'unbounded-channel').result;
    assert.equal(refused.fixes.length, 0);
    assert.match(refused.refused[0]!.reason, /`tx\.send` on line 4 runs outside async code/);
    const stream = 'use tokio::sync::mpsc;\nasync fn f() {\n    let (_tx, rx) = mpsc::unbounded_channel::<u8>();\n    let _s = tokio_stream::wrappers::UnboundedReceiverStream::new(rx);\n}\n';
    assert.match(fixesOf(stream, 'unbounded-channel').result.refused[0]!.reason, /unbounded sender or receiver type/);
  });
});

describe('cargoDependencies', () => {
  it('reads dependency names from the usual tables', () => {
    const manifest = [
      '[package]',
      'name = "svc"',
      'edition = "2021"',
      '',
      '[dependencies]',
      'async-std = { version = "1", features = ["attributes"] } # runtime',
      'serde = "1"',
      '',
      '[dependencies.smol]',
      'version = "2"',
      '',
      "[target.'cfg(unix)'.dependencies]",
      'nix = "0.29"',
      '',
      '[dev-dependencies]',
      'proptest = "1"',
    ].join('\n');
    assert.deepEqual([...cargoDependencies(manifest)].sort(), ['async-std', 'nix', 'proptest', 'serde', 'smol']);
  });
});
