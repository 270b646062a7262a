// Go's "serialising lock" hint needs every acquisition of the lock in the package. Where the server
// does not have the package's other files (`crossFile: false`, or before its index is built) it
// must not read "no other use known" as "no other use": the wait stays a warning, as the CLI, which
// reads the package, reports it when another file takes the lock quickly (stats.go's Pending).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import { TestClient } from './harness';

const PROJECT = join(__dirname, '..', 'fixtures', 'go', 'cross-file', 'mux-stream-locks');

function projectFiles(dir = PROJECT): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, projectFiles(full));
    else out[relative(PROJECT, full)] = readFileSync(full, 'utf8');
  }
  return out;
}

const messageText = (m: string | { value: string }): string => (typeof m === 'string' ? m : m.value);
/** The lock findings as `line:severity` (1 error … 4 hint), sorted. */
const lockRows = (ds: readonly Diagnostic[]): string[] =>
  ds.filter((d) => d.code === 'await-holding-lock').map((d) => `${d.range.start.line + 1}:${d.severity}`).sort();

describe('language server: Go locks that only serialise waits', () => {
  let client: TestClient | undefined;
  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  it('with crossFile false, keeps a wait under a lock another file of the package takes a warning, and claims nothing about the package', async function () {
    this.timeout(60_000);
    const files = projectFiles();
    client = await TestClient.start({ files, settings: { debounceMs: 0 }, initializationOptions: { crossFile: false } });
    const ds = await client.open('mux/stream.go', files['mux/stream.go']!, 'go');
    // sendMu (line 25) is taken quickly by stats.go; flushMu (33, 34) by close.go, which waits too:
    // without the package neither can be excused, so all three are warnings.
    assert.deepEqual(lockRows(ds), ['25:2', '33:2', '34:2']);
    assert.equal(ds.some((d) => /every acquisition of it in the package/.test(messageText(d.message))), false);
  });

  it('with the index, says what the CLI says once the package is read, and never a hint before', async function () {
    this.timeout(60_000);
    const files = projectFiles();
    client = await TestClient.start({ files, settings: { debounceMs: 0 } });
    const uri = client.uri('mux/stream.go');
    const settled = client.nextDiagnostics(uri, (p) => lockRows(p.diagnostics).join() === '25:2,33:4,34:4');
    await client.open('mux/stream.go', files['mux/stream.go']!, 'go');
    await settled;
    // Whatever was published before the index was ready never excused sendMu's wait.
    for (const p of client.published.filter((x) => x.uri === uri)) assert.ok(lockRows(p.diagnostics).includes('25:2'), JSON.stringify(lockRows(p.diagnostics)));
    const flush = client.published.filter((x) => x.uri === uri).at(-1)!.diagnostics.find((d) => d.range.start.line === 32)!;
    assert.match(messageText(flush.message), /every acquisition of it in the package \((?=[^)]*`Stream\.CloseWrite`)(?=[^)]*`Stream\.Flush`)[^)]*\)/);
  });
});
