// Input generators for the robustness properties: mutations of real fixture files, and hostile
// inputs built from scratch. Generic over languages: every fixture file of every frontend joins.
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { frontendForPath } from '../../server/src/languages';

export interface Seed {
  readonly path: string;
  readonly text: string;
}

/** Every fixture source file (not `.fixed.*` outputs), as seeds for mutation. */
export function fixtureSeeds(root = join(__dirname, '..', 'fixtures')): Seed[] {
  const out: Seed[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (frontendForPath(full)) out.push({ path: full, text: readFileSync(full, 'utf8') });
    }
  };
  try {
    walk(root);
  } catch {
    // No fixtures yet: the generators below still produce hostile inputs.
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Splits text into rough tokens (words, single punctuation, whitespace runs). */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z_$0-9]+|\s+|[^\sA-Za-z_$0-9]/g) ?? [];
}

type Mutation = (text: string) => string;

/** A mutation of a text: each is a small, realistic editing accident or a hostile byte pattern. */
export function mutationArb(): fc.Arbitrary<Mutation> {
  const at = fc.double({ min: 0, max: 1, noNaN: true });
  return fc.oneof(
    at.map((p): Mutation => (t) => t.slice(0, Math.floor(t.length * p))), // truncation
    fc.tuple(at, fc.integer({ min: 1, max: 5 })).map(([p, n]): Mutation => (t) => {
      const toks = tokens(t);
      const i = Math.floor(toks.length * p);
      toks.splice(i, n); // delete tokens
      return toks.join('');
    }),
    fc.tuple(at, fc.integer({ min: 1, max: 4 })).map(([p, n]): Mutation => (t) => {
      const toks = tokens(t);
      const i = Math.floor(toks.length * p);
      toks.splice(i, 0, ...toks.slice(i, i + n)); // duplicate tokens
      return toks.join('');
    }),
    fc.tuple(at, fc.constantFrom('{', '}', '(', ')', '[', ']', '`', '"', "'", '/*', '*/', '<', '>', '=>', 'async ', 'await ', '.await', '|', '#', '\\')).map(
      ([p, s]): Mutation => (t) => {
        const i = Math.floor(t.length * p);
        return t.slice(0, i) + s + t.slice(i); // unbalanced bracket or stray keyword
      },
    ),
    fc.tuple(at, fc.string({ unit: 'binary', maxLength: 16 })).map(([p, s]): Mutation => (t) => {
      const i = Math.floor(t.length * p);
      return t.slice(0, i) + s + t.slice(i); // random code points, lone surrogates included
    }),
    fc.tuple(at, fc.integer({ min: 1, max: 8 })).map(([p, n]): Mutation => (t) => {
      const i = Math.floor(t.length * p);
      return t.slice(0, i) + '\u0000'.repeat(n) + t.slice(i); // NUL bytes
    }),
    fc.constant<Mutation>((t) => '\uFEFF' + t), // BOM
    fc.constant<Mutation>((t) => t.replace(/\n/g, (_m, off: number) => (off % 3 === 0 ? '\r\n' : off % 3 === 1 ? '\r' : '\n'))), // mixed line endings
    fc.constant<Mutation>((t) => Buffer.from(t, 'utf8').toString('latin1')), // wrong decoding of UTF-8
    fc.constant<Mutation>((t) => t.replace(/[^\n]/g, (c, off: number) => (off % 7 === 0 ? '\uFFFD' : c))), // invalid UTF-8 decoded with replacement
  );
}

/** Hostile inputs that are not mutations of a seed, per language extension. */
export function hostileInputs(ext: string): { name: string; text: string }[] {
  const deep = 10_000;
  const hash = ext === '.py' ? '#' : '//';
  const big = 'x'.repeat(1_000_000);
  const rust = ext === '.rs';
  const perLanguage = rust
    ? [
        { name: 'rust deep blocks', text: `fn f() ${'{'.repeat(deep)}${'}'.repeat(deep)}` },
        { name: 'rust deep async blocks', text: `async fn f() { ${'async { '.repeat(2_000)}g().await${' }.await'.repeat(2_000)} }` },
        { name: 'rust deep closures', text: `fn f() { let c = ${'|| '.repeat(deep)}1; }` },
        { name: 'rust deep generics', text: `type T = ${'Box<'.repeat(deep)}u8${'>'.repeat(deep)};` },
        { name: 'rust deep macro', text: `fn f() { ${'vec!['.repeat(deep)}${']'.repeat(deep)}; }` },
        { name: 'rust deep awaits', text: `async fn f() { g()${'.await'.repeat(deep)}; }` },
        { name: 'rust deep lock scopes', text: `async fn f() { ${'{ let g = m.lock().await; '.repeat(500)}h().await;${' }'.repeat(500)} }` },
        { name: 'rust unclosed raw string', text: `fn f() { let s = r#####"${big}` },
        { name: 'rust 1 MB single line code', text: `fn f() { ${'let x = 1; '.repeat(100_000)} }` },
      ]
    : [
        { name: 'deep nested async fns', text: 'async function f() {'.repeat(2_000) + 'await g();' + '}'.repeat(2_000) },
        { name: 'deep blocks', text: `function f() ${'{'.repeat(deep)}${'}'.repeat(deep)}` },
        { name: 'deep arrows', text: `const f = ${'() => '.repeat(deep)}1;` },
        { name: 'deep awaits', text: `async function f() { return ${'await '.repeat(5_000)}g(); }` },
        { name: 'deep template literals', text: `const s = ${'`${'.repeat(2_000)}x${'}`'.repeat(2_000)};` },
        { name: 'deep generics', text: `type T = ${'Array<'.repeat(deep)}number${'>'.repeat(deep)};` },
        { name: 'deep JSX', text: `const e = ${'<div>'.repeat(2_000)}x${'</div>'.repeat(2_000)};` },
        { name: 'deep lock scopes', text: `async function f() { ${'{ const r = await mutex.acquire(); '.repeat(500)}await g();${' }'.repeat(500)} }` },
        { name: '1 MB single line code', text: `${'x = 1; '.repeat(140_000)}` },
      ];
  return [
    ...perLanguage,
    { name: 'deep parens', text: `${'('.repeat(deep)}1${')'.repeat(deep)}` },
    { name: 'deep brackets', text: `let a = ${'['.repeat(deep)}${']'.repeat(deep)};` },
    { name: 'deep unbalanced braces', text: '{'.repeat(deep) },
    { name: 'deep async arrows', text: 'const f = ' + 'async () => '.repeat(2_000) + '1;' },
    { name: 'long member chain', text: `x${'.y'.repeat(20_000)};` },
    { name: 'long binary', text: `let a = ${Array.from({ length: 20_000 }, (_, i) => `b${i}`).join(' + ')};` },
    { name: '1 MB single line comment', text: `${hash} ${big}` },
    { name: '1 MB single line string', text: `let s = "${big}";` },
    { name: 'NULs', text: '\u0000'.repeat(4096) },
    { name: 'binary noise', text: Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 7919) % 256)).toString('latin1') },
    { name: 'lone surrogates', text: 'async function f() { await g("\uD800\uDFFF\uD800"); }\uDC00' },
    { name: 'only BOM', text: '\uFEFF' },
    { name: 'empty', text: '' },
  ];
}

/**
 * Truncations at every class of position the seed has: right before and right after the first
 * occurrence of each distinct character (inside strings and comments, after each operator and
 * bracket, mid-identifier, mid-line-ending), plus the empty prefix and the whole text.
 */
export function truncations(text: string): string[] {
  const cuts = new Set<number>([0, text.length]);
  const seen = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (seen.has(c)) continue;
    seen.add(c);
    cuts.add(i);
    cuts.add(i + 1);
  }
  // Mid-word and mid-number: the middle of the first long identifier and of the first number.
  for (const re of [/[A-Za-z_]{6,}/, /\d{2,}/]) {
    const m = re.exec(text);
    if (m) cuts.add(m.index + Math.floor(m[0].length / 2));
  }
  return [...cuts].sort((a, b) => a - b).map((n) => text.slice(0, n));
}
