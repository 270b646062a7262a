// Incremental sync: after any sequence of single-range edits (each sent as its own didChange, so the
// server converts it to offsets in the old text and the frontend may reparse incrementally), the
// published diagnostics equal those of a fresh analysis of the same text.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Diagnostic } from 'vscode-languageserver/node';
import { analyze } from '../../server/src/engine/analyze';
import { LineIndex } from '../../server/src/engine/line-index';
import { TestClient } from './harness';
import { HANDLER, RUST_HANDLER } from './texts';

/** Fragments that make and break syntax: strings, brackets, comments. */
const COMMON = [' ', '\n', 'x', "'", '"', '{', '}', '(', ')', ';', ''];

const CASES = [
  { ext: 'ts', language: 'typescript', text: HANDLER, snippets: ['  fs.readFileSync(path);\n', '  await fetch(path);\n', 'async ', '/* c */', '`${'] },
  { ext: 'rs', language: 'rust', text: RUST_HANDLER, snippets: ['    std::fs::read_to_string(p).unwrap();\n', '    sleep(d).await;\n', 'async ', '// c\n', 'r#"'] },
];

/** An edit as fractions of the current text, so it always lands inside it. */
const editOf = (snippets: readonly string[]) => fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat({ max: 12 }), text: fc.constantFrom(...snippets, ...COMMON) });

describe('incremental sync', () => {
  for (const c of CASES) {
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
            const actual = published.map((d) => `${d.range.start.line}:${d.range.start.character}:${String(d.code)}`);
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
