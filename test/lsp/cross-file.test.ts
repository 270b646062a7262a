// Cross-file analysis in the language server: the workspace index built at start-up, kept current
// from the editor's buffers, and the diagnostics of open documents re-published when a summary they
// depend on changes. The property: after any sequence of edits across files, what the server last
// published for each open document equals what a fresh CLI run finds on the same contents.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { cli } from '../unit/cli-helpers';
import { TestClient } from './harness';

const HASH = [
  "import fs from 'node:fs';\nexport function hash(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n",
  'export async function hash(p: string) {\n  return p;\n}\n',
  "import fs from 'node:fs';\n\n// Reads the pepper file on every call.\nexport function hash(p: string) {\n  return fs.readFileSync(p, 'utf8') + p;\n}\n",
  "export function hash(p: string) {\n  return p.split('').reverse().join('');\n}\n",
];
const SERVICES = ["export * from './hash';\n", "export { hash as digest, hash } from './hash';\n", 'export const nothing = 1;\n'];
const LOGIN = [
  "import { hash } from './hash';\nexport async function login(p: string) {\n  return hash(p);\n}\n",
  "import { hash } from './services';\nexport async function login(p: string) {\n  const h = hash(p);\n  return h;\n}\n",
  "import { digest } from './services';\n\nexport async function login(p: string) {\n  return digest(p);\n}\n",
  'export async function login(p: string) {\n  return p;\n}\n',
];
const FILES = { 'hash.ts': HASH, 'services.ts': SERVICES, 'login.ts': LOGIN } as const;
type Name = keyof typeof FILES;
const NAMES = Object.keys(FILES) as Name[];

/** Waits until the server's index is built (its progress ended); polled on the event loop, no fixed delay. */
async function indexed(client: TestClient): Promise<void> {
  for (let i = 0; i < 100_000 && !client.progress.includes('end'); i++) await new Promise((r) => setImmediate(r));
  assert.ok(client.progress.includes('end'), 'the index build ended');
}

const messageText = (m: string | { value: string }): string => (typeof m === 'string' ? m : m.value);
const key = (file: string, line: number, column: number, rule: string, message: string): string => `${file}:${line}:${column}:${rule}:${message}`;

/** What the server last published for a file, as CLI-style keys. */
function keysOf(rel: string, p: PublishDiagnosticsParams | undefined): string[] {
  return (p?.diagnostics ?? []).filter((d) => d.code !== undefined).map((d) => key(rel, d.range.start.line + 1, d.range.start.character + 1, String(d.code), messageText(d.message))).sort();
}

/** Resolves when the last diagnostics published for `rel` equal `expected`, now or later; rejects after `ms`. */
async function settlesTo(client: TestClient, rel: string, expected: string[], ms = 15_000): Promise<void> {
  const uri = client.uri(rel);
  const last = (): PublishDiagnosticsParams | undefined => client.published.filter((p) => p.uri === uri).at(-1);
  if (JSON.stringify(keysOf(rel, last())) === JSON.stringify(expected)) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${rel}: published ${JSON.stringify(keysOf(rel, last()))}, the CLI finds ${JSON.stringify(expected)}`)), ms);
  });
  try {
    await Promise.race([client.nextDiagnostics(uri, (p) => JSON.stringify(keysOf(rel, p)) === JSON.stringify(expected)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('language server: cross-file index', () => {
  it('finds a blocking helper in a closed file once the index is built, and follows edits of the helper', async () => {
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { 'hash.ts': HASH[0]!, 'login.ts': LOGIN[0]! } });
    try {
      await indexed(client);
      const login = await client.open('login.ts', LOGIN[0]!);
      assert.deepEqual(
        login.map((d) => d.code),
        ['blocking-in-async'],
      );
      assert.match(messageText(login[0]!.message), /`hash` \(hash\.ts:3\) calls `fs\.readFileSync`/);
      // The hover on the call site shows the chain across files, hop by hop.
      const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: client.uri('login.ts') }, position: { line: 2, character: 10 } });
      assert.match(hover.contents.value, /\*\*Across files\*\*: `fs\.readFileSync` blocks here \(hash\.ts:3\)/);
      // The helper opened and made async: the handler's finding goes, without touching the handler.
      await client.open('hash.ts', HASH[0]!);
      const cleared = client.nextDiagnostics(client.uri('login.ts'), (p) => p.diagnostics.length === 0);
      await client.change('hash.ts', [{ text: HASH[1]! }]);
      await cleared;
    } finally {
      await client.stop();
    }
  });

  it('after any sequence of edits across files, publishes what a fresh CLI run finds', async function () {
    this.timeout(240_000);
    const step = fc.record({ file: fc.constantFrom(...NAMES), variant: fc.nat() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        const texts: Record<Name, string> = { 'hash.ts': HASH[0]!, 'services.ts': SERVICES[0]!, 'login.ts': LOGIN[0]! };
        const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { ...texts } });
        try {
          await indexed(client);
          for (const name of NAMES) await client.open(name, texts[name]);
          for (const s of steps) {
            const variants = FILES[s.file];
            texts[s.file] = variants[s.variant % variants.length]!;
            await client.change(s.file, [{ text: texts[s.file] }]);
          }
          for (const name of NAMES) writeFileSync(join(client.root, name), texts[name]);
          const run = await cli(['check', '--format', 'json', '.'], client.root);
          const found = JSON.parse(run.out) as { file: string; line: number; column: number; rule: string; message: string }[];
          for (const name of NAMES) {
            const expected = found.filter((f) => f.file === name).map((f) => key(f.file, f.line, f.column, f.rule, f.message)).sort();
            await settlesTo(client, name, expected);
          }
        } finally {
          await client.stop();
        }
      }),
      { numRuns: 12 },
    );
  });

  // The scan that follows the index build takes the build's analysis of a file that imports nothing
  // of the project, and analyses again the files whose imports the linker found.
  it('the workspace scan after the index build publishes for each closed file what a fresh CLI run finds', async function () {
    this.timeout(240_000);
    const variant = fc.record({ hash: fc.nat(), services: fc.nat(), login: fc.nat() });
    await fc.assert(
      fc.asyncProperty(variant, async (v) => {
        const texts: Record<Name, string> = { 'hash.ts': HASH[v.hash % HASH.length]!, 'services.ts': SERVICES[v.services % SERVICES.length]!, 'login.ts': LOGIN[v.login % LOGIN.length]! };
        const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { ...texts } });
        try {
          await indexed(client);
          await client.request('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
          const run = await cli(['check', '--format', 'json', '.'], client.root);
          const found = JSON.parse(run.out) as { file: string; line: number; column: number; rule: string; message: string }[];
          for (const name of NAMES) {
            const expected = found.filter((f) => f.file === name).map((f) => key(f.file, f.line, f.column, f.rule, f.message)).sort();
            await settlesTo(client, name, expected);
          }
        } finally {
          await client.stop();
        }
      }),
      { numRuns: 6 },
    );
  });

  it('the workspace scan reads a file changed on disk since the index build, though its summary is the same', async () => {
    // No export: the summary is the same before and after the change, and no watcher event comes.
    const before = "import fs from 'node:fs';\n\nasync function load(p: string) {\n  return fs.promises.readFile(p, 'utf8');\n}\n\nvoid load;\n";
    const after = before.replace('fs.promises.readFile(p, \'utf8\')', 'fs.readFileSync(p, \'utf8\')');
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { 'load.ts': before, 'hash.ts': HASH[0]!, 'login.ts': LOGIN[0]! } });
    try {
      await indexed(client);
      writeFileSync(join(client.root, 'load.ts'), after);
      await client.request('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
      await settlesTo(client, 'load.ts', [key('load.ts', 4, 10, 'blocking-in-async', await cliMessage(client.root, 'load.ts'))]);
      // The file that imports the blocking helper gets the finding across files.
      await settlesTo(client, 'login.ts', [key('login.ts', 3, 10, 'blocking-in-async', await cliMessage(client.root, 'login.ts'))]);
    } finally {
      await client.stop();
    }
  });
});

/** The message of the one finding a CLI run reports in `file`. */
async function cliMessage(root: string, file: string): Promise<string> {
  const found = (JSON.parse((await cli(['check', '--format', 'json', '.'], root)).out) as { file: string; message: string }[]).filter((f) => f.file === file);
  assert.equal(found.length, 1, `${file}: ${JSON.stringify(found)}`);
  return found[0]!.message;
}
