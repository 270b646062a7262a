// Every Node API the TypeScript catalog names (a blocking call, its replacement, the awaited usage a
// message shows, the code in its advice) and every twin the fixes write exists on the running Node,
// with the shape the message uses: what a message tells a user to `await` returns a promise.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { typescriptCatalog } from '../../server/src/languages/typescript/catalog';
import { CRYPTO_PROMISIFY, FS_TWINS, ZLIB_PROMISIFY } from '../../server/src/languages/typescript/fixes/blocking';

const load = createRequire(__filename);
const BUILTINS = new Set(builtinModules);
/** Globals a catalog entry may name besides the built-in modules. */
const GLOBAL_ROOTS = new Set(['Atomics', 'Array', 'Promise']);

/**
 * Blocking APIs newer than some Node versions the project supports (`engines.node` is `^20.19.0 || ^22.13.0 || >=24`): on an
 * older Node they are skipped, on a Node at or past the version they are checked like the others.
 */
const ADDED_IN: ReadonlyMap<string, string> = new Map([
  ['fs.globSync', '22.0.0'],
  ['zlib.zstdCompressSync', '22.15.0'],
  ['zlib.zstdDecompressSync', '22.15.0'],
]);

/** Blocking APIs that exist on some platforms only (`lchmod` is macOS-only). */
const PLATFORM_ONLY: ReadonlyMap<string, NodeJS.Platform> = new Map([['fs.lchmodSync', 'darwin']]);

/** Modules whose every function returns a promise. */
const PROMISE_MODULES = ['fs.promises', 'fs/promises', 'timers/promises', 'dns/promises', 'stream/promises', 'readline/promises'];

function atLeast(version: string): boolean {
  const a = process.versions.node.split('.').map(Number);
  const b = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  return true;
}

/** The module a dotted name starts with (`timers/promises` in `timers/promises.setTimeout`), when it is Node's. */
function rootOf(name: string): { root: unknown; rest: string[] } | undefined {
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const rest = dot < 0 ? [] : name.slice(dot + 1).split('.');
  if (BUILTINS.has(head)) return { root: load(`node:${head}`), rest };
  if (GLOBAL_ROOTS.has(head)) return { root: (globalThis as Record<string, unknown>)[head], rest };
  return undefined;
}

/** The value a dotted name resolves to on the running Node (`undefined` when any step is missing). */
function resolve(name: string): unknown {
  const r = rootOf(name);
  if (!r) return undefined;
  let v: unknown = r.root;
  for (const part of r.rest) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[part];
  return v;
}

/** Dotted names in code spans that start at a Node module or global: `fs.promises.open`, `events.once`. */
function namesInCode(text: string): string[] {
  const out: string[] = [];
  for (const span of text.matchAll(/`([^`]+)`/g)) {
    for (const m of span[1]!.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*(?:\/[a-z]+)?)((?:\.[A-Za-z_$][\w$]*)+)/g)) {
      const name = m[1]! + m[2]!;
      if (rootOf(name)) out.push(name);
    }
  }
  return out;
}

/** True when `await name(…)` resolves to the call's result: a promise module's function, an async function or a promisified one. */
function awaitable(name: string): boolean {
  const promisified = /^util\.promisify\((.+)\)$/.exec(name);
  if (promisified) return typeof resolve(promisified[1]!) === 'function';
  if (PROMISE_MODULES.some((m) => name.startsWith(`${m}.`))) return typeof resolve(name) === 'function';
  const fn = resolve(name);
  return typeof fn === 'function' && fn.constructor.name === 'AsyncFunction';
}

const nodeEntries = [...typescriptCatalog.blocking.values()].filter((e) => rootOf(e.name) !== undefined);

function present(name: string): boolean {
  const since = ADDED_IN.get(name);
  if (since !== undefined && !atLeast(since)) return false;
  const platform = PLATFORM_ONLY.get(name);
  return platform === undefined || platform === process.platform;
}

describe(`catalog: Node APIs on the running Node (${process.version})`, () => {
  it('covers the built-in modules the catalog names', () => {
    const roots = new Set(nodeEntries.map((e) => e.name.split('.')[0]));
    for (const m of ['fs', 'child_process', 'zlib', 'crypto', 'Atomics']) assert.ok(roots.has(m), `${m} entries are checked`);
  });

  it('every blocking call exists (or is listed as newer than this Node or as platform-only)', () => {
    const missing = nodeEntries.filter((e) => present(e.name) && typeof resolve(e.name) !== 'function').map((e) => e.name);
    assert.deepEqual(missing, []);
    // A listed API that this Node has is checked like the others: the lists only excuse what is really absent.
    for (const [name] of ADDED_IN) if (present(name)) assert.equal(typeof resolve(name), 'function', `${name} exists from its listed version`);
  });

  it('every replacement, awaited usage and advice names functions that exist', () => {
    const wrong: string[] = [];
    for (const e of nodeEntries) {
      if (!present(e.name)) continue;
      const code = [e.replacement ? `\`${e.replacement}\`` : '', e.usage ? `\`${e.usage}\`` : '', e.advice ?? ''].join(' ');
      for (const name of namesInCode(code)) if (typeof resolve(name) !== 'function') wrong.push(`${e.name}: ${name}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('a replacement shown as `await <replacement>` returns a promise', () => {
    // Without a usage form, the message says `await <replacement>`: it must resolve to the result.
    const wrong = nodeEntries
      .filter((e) => present(e.name) && e.replacement !== undefined && e.usage === undefined && !awaitable(e.replacement))
      .map((e) => `${e.name} → ${e.replacement}`);
    assert.deepEqual(wrong, []);
  });

  it('the FileHandle methods named for fd-based calls exist', async () => {
    const handle = await fsp.open(__filename, 'r');
    try {
      const wrong: string[] = [];
      for (const e of nodeEntries) {
        if (!e.advice?.includes('FileHandle')) continue;
        const method = /`(\w+)\(\)`/.exec(e.advice)?.[1];
        if (method === undefined || typeof (handle as unknown as Record<string, unknown>)[method] !== 'function') wrong.push(`${e.name}: ${method}`);
      }
      assert.deepEqual(wrong, []);
    } finally {
      await handle.close();
    }
  });

  it('the twins the fixes write exist', () => {
    for (const name of FS_TWINS) assert.equal(typeof fsp[name as keyof typeof fsp], 'function', `fs.promises.${name}`);
    for (const name of CRYPTO_PROMISIFY) assert.equal(typeof resolve(`crypto.${name}`), 'function', `crypto.${name}`);
    for (const name of ZLIB_PROMISIFY) assert.equal(typeof resolve(`zlib.${name}`), 'function', `zlib.${name}`);
  });

  it('the check itself rejects a twin that does not exist or does not return a promise', () => {
    assert.equal(awaitable('fs.promises.close'), false);
    assert.equal(awaitable('child_process.spawn'), false);
    assert.equal(awaitable('fs.promises.readFile'), true);
    assert.equal(awaitable('util.promisify(crypto.pbkdf2)'), true);
    assert.deepEqual(namesInCode("use `child_process.spawn` and `await events.once(child, 'close')`"), ['child_process.spawn', 'events.once']);
  });
});
