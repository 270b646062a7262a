// Every Rust path the catalog names in a message (a replacement, advice, a channel's bounded twin,
// the wording) or that a fix writes (the twin under each runtime, the blocking-pool spawners) is in
// the checked-in list test/data/rust-known-paths.tsv; and, where the crates' sources are installed
// (Debian's librust-*-dev under /usr/share/cargo/registry) or rustc is on the PATH, each listed path
// is checked to exist there.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rustCatalog } from '../../server/src/languages/rust/catalog';
import { twinFor } from '../../server/src/languages/rust/fixes/blocking';

const ROOT = join(__dirname, '..', '..');
const REGISTRY = '/usr/share/cargo/registry';
const LIST = readFileSync(join(ROOT, 'test', 'data', 'rust-known-paths.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [path, source] = l.split('\t');
    return { path: path!, source: source ?? '' };
  });
const KNOWN = new Set(LIST.map((e) => e.path));

/** `a::b::c` paths inside code spans of a message text (bare names such as `spawn_blocking` are not paths). */
function pathsInCode(text: string | undefined): string[] {
  const out: string[] = [];
  for (const span of (text ?? '').matchAll(/`([^`]+)`/g)) for (const m of span[1]!.matchAll(/\b[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+/g)) out.push(m[0]);
  return out;
}

/** The spawners the blocking-pool fix writes (see rust/fixes/blocking.ts). */
const FIX_SPAWNERS = ['tokio::task::spawn_blocking', 'async_std::task::spawn_blocking', 'smol::unblock'];

function namedPaths(): Set<string> {
  const out = new Set<string>(FIX_SPAWNERS);
  const { wording } = rustCatalog;
  for (const t of [...Object.values(wording.noTwin), wording.helperNoTwin]) for (const p of pathsInCode(t)) out.add(p);
  for (const e of rustCatalog.blocking.values()) {
    if (e.replacement) for (const rt of ['tokio', 'async-std', 'smol'] as const) out.add(twinFor(e.replacement, rt));
    for (const p of [...pathsInCode(e.advice), ...pathsInCode(e.usage === undefined ? undefined : `\`${e.usage}\``)]) out.add(p);
  }
  for (const c of rustCatalog.channels.values()) if (c.bound.includes('::')) out.add(c.bound.replace(/`/g, ''));
  return out;
}

describe('catalog: Rust paths the messages and fixes name', () => {
  it('are all in the checked-in list of known paths', () => {
    const missing = [...namedPaths()].filter((p) => !KNOWN.has(p));
    assert.deepEqual(missing, []);
  });

  it('the check finds the paths in code spans', () => {
    assert.deepEqual(pathsInCode('run it on the blocking pool with `spawn_blocking`, or use `tokio::fs`'), ['tokio::fs']);
  });

  it('each listed crate path is declared in the crate source it names', function () {
    if (!existsSync(REGISTRY)) this.skip();
    const wrong: string[] = [];
    let checked = 0;
    for (const { path, source } of LIST) {
      if (source === '-' || source === 'std') continue;
      const file = join(REGISTRY, source);
      if (!existsSync(file)) {
        if (existsSync(join(REGISTRY, source.split('/')[0]!))) wrong.push(`${path}: ${source} does not exist`);
        continue;
      }
      const last = path.slice(path.lastIndexOf(':') + 1);
      // A module is its own file (`tokio::fs` is src/fs/mod.rs); an item is declared `pub` in the file.
      const isModule = source.endsWith(`/${last}/mod.rs`);
      const declared = new RegExp(`\\bpub\\s+(async\\s+)?(fn|struct|trait|enum|type|mod)\\s+${last}\\b`).test(readFileSync(file, 'utf8'));
      if (!isModule && !declared) wrong.push(`${path}: not declared in ${source}`);
      checked++;
    }
    if (checked === 0) this.skip();
    assert.deepEqual(wrong, []);
  });

  it('each listed std path compiles', function () {
    const std = LIST.filter((e) => e.source === 'std').map((e) => e.path);
    if (spawnSync('rustc', ['--version']).status !== 0) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'ab-std-paths-'));
    try {
      const src = join(dir, 'paths.rs');
      writeFileSync(src, std.map((p, i) => `#[allow(unused_imports)] use ${p} as _p${i};`).join('\n') + '\n');
      execFileSync('rustc', ['--edition', '2021', '--crate-type', 'lib', '--emit=metadata', '-o', join(dir, 'out.rmeta'), src], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
