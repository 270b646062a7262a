// Incremental sync: after any sequence of single-range edits (each sent as its own didChange, so the
// server converts it to offsets in the old text and the frontend may reparse incrementally), the
// published diagnostics equal those of a fresh analysis of the same text.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Diagnostic, Position } from 'vscode-languageserver/node';
import { analyze } from '../../server/src/project/analyze';
import { LineIndex } from '../../server/src/engine/line-index';
import { TestClient } from './harness';
import { HANDLER, RUST_HANDLER } from './texts';

/** Fragments that make and break syntax: strings, brackets, comments. */
const COMMON = [' ', '\n', 'x', "'", '"', '{', '}', '(', ')', ';', ''];

/** A Python handler: a blocking read, an await while a threading lock is held, a dropped task. */
const PY_HANDLER = [
  'import asyncio',
  'import threading',
  '',
  '_lock = threading.Lock()',
  '',
  '',
  'async def handler(path):',
  '    with open(path) as f:',
  '        data = f.read()',
  '    with _lock:',
  '        await asyncio.sleep(1)',
  '    asyncio.create_task(handler(path))',
  '    return data',
  '',
].join('\n');

const CASES = [
  { ext: 'ts', language: 'typescript', text: HANDLER, snippets: ['  fs.readFileSync(path);\n', '  await fetch(path);\n', 'async ', '/* c */', '`${'] },
  { ext: 'rs', language: 'rust', text: RUST_HANDLER, snippets: ['    std::fs::read_to_string(p).unwrap();\n', '    sleep(d).await;\n', 'async ', '// c\n', 'r#"'] },
  { ext: 'py', language: 'python', text: PY_HANDLER, snippets: ['    time.sleep(1)\n', '    await asyncio.sleep(0)\n', 'async ', '# c\n', '"""', ':', '    '] },
];

/** An edit as fractions of the current text, so it always lands inside it. */
const editOf = (snippets: readonly string[]) => fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat({ max: 12 }), text: fc.constantFrom(...snippets, ...COMMON) });

/** Applies fractional edits in order, returning the LSP changes (each in the text the previous one left) and the final text. */
function sequential(start: string, edits: readonly { at: number; len: number; text: string }[]): { changes: { range: { start: Position; end: Position }; text: string }[]; text: string } {
  let text = start;
  const changes = edits.map((e) => {
    const from = Math.floor(e.at * text.length);
    const to = Math.min(text.length, from + e.len);
    const lines = new LineIndex(text);
    const change = { range: { start: lines.position(from), end: lines.position(to) }, text: e.text };
    text = text.slice(0, from) + e.text + text.slice(to);
    return change;
  });
  return { changes, text };
}

function findingKeys(root: string, rel: string, text: string): string[] {
  const fresh = analyze({ path: join(root, rel), text })!;
  return fresh.findings.map((f) => `${fresh.lines.position(f.span.start).line}:${fresh.lines.position(f.span.start).character}:${f.rule}`);
}

describe('incremental sync', () => {
  for (const c of CASES) {
    // Several changes reach one analysis: in one notification (multi-cursor edits), or in several
    // sent faster than the debounce. The server queues them for one incremental reparse.
    it(`queues several changes for one analysis and still publishes a fresh analysis' findings (${c.language})`, async function () {
      this.timeout(120_000);
      const client = await TestClient.start({ settings: { debounceMs: 20 } });
      try {
        let n = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(editOf(c.snippets), { minLength: 2, maxLength: 6 }), fc.boolean(), async (edits, oneNotification) => {
            const rel = `queued${n++}.${c.ext}`;
            await client.open(rel, c.text, c.language);
            const { changes, text } = sequential(c.text, edits);
            const uri = client.uri(rel);
            const last = oneNotification ? 2 : changes.length + 1;
            const published = client.nextDiagnostics(uri, (p) => p.version === last);
            if (oneNotification) await client.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: changes });
            else for (const [i, change] of changes.entries()) await client.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [change] });
            const actual = (await published).diagnostics.filter((d) => d.code !== undefined).map((d) => `${d.range.start.line}:${d.range.start.character}:${String(d.code)}`);
            assert.deepEqual(actual, findingKeys(client.root, rel, text), `text:\n${text}`);
          }),
          { numRuns: 25, seed: 20261124 },
        );
      } finally {
        await client.stop();
      }
    });


    it(`publishes what a fresh analysis of the edited text finds (${c.language})`, async function () {
      this.timeout(120_000);
      const client = await TestClient.start({ settings: { debounceMs: 0 } });
      try {
        let n = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(editOf(c.snippets), { minLength: 1, maxLength: 6 }), async (edits) => {
            const rel = `doc${n++}.${c.ext}`;
            let text = c.text;
            assert.ok((await client.open(rel, text, c.language)).length > 0, 'the starting text has a finding');
            let published: Diagnostic[] = [];
            for (const e of edits) {
              const start = Math.floor(e.at * text.length);
              const end = Math.min(text.length, start + e.len);
              const lines = new LineIndex(text);
              published = await client.change(rel, [{ range: { start: lines.position(start), end: lines.position(end) }, text: e.text }]);
              text = text.slice(0, start) + e.text + text.slice(end);
            }
            const fresh = analyze({ path: join(client.root, rel), text })!;
            const expected = fresh.findings.map((f) => `${fresh.lines.position(f.span.start).line}:${fresh.lines.position(f.span.start).character}:${f.rule}`);
            const actual = published.filter((d) => d.code !== undefined).map((d) => `${d.range.start.line}:${d.range.start.character}:${String(d.code)}`);
            assert.deepEqual(actual, expected, `text:\n${text}`);
          }),
          { numRuns: 25, seed: 20261123 },
        );
      } finally {
        await client.stop();
      }
    });
  }
});
