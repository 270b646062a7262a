// Fix-all to a fixed point (issue #16): fixes that want the same import each get applied, the
// passes are offered as one edit list on the original text, and nothing fixable is left behind.
import assert from 'node:assert/strict';
import { composeEdits } from '../../server/src/engine/edits';
import { applyEdits, type TextEdit } from '../../server/src/engine/finding';
import { fixAllEdits, fixAllPasses, fixAllText } from '../../server/src/engine/fix-all';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { frontendForPath } from '../../server/src/languages';
import { analyze } from '../../server/src/project/analyze';

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Non-overlapping random edits on a text of length `n` (insertions, deletions, replacements, some at one point). */
function randomEdits(next: () => number, n: number): TextEdit[] {
  const edits: TextEdit[] = [];
  let pos = 0;
  while (pos <= n && edits.length < 6) {
    const start = pos + Math.floor(next() * 4);
    if (start > n) break;
    const end = Math.min(n, start + Math.floor(next() * 3));
    const newText = 'xyz'.slice(0, Math.floor(next() * 4));
    edits.push({ span: { start, end }, newText });
    pos = end + (next() < 0.2 ? 0 : 1);
  }
  return edits;
}

describe('fix-all', () => {
  it('composeEdits gives what applying both lists in turn gives, as edits that neither overlap nor touch (random cases)', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const next = rng(seed);
      const text = 'abcdefghijklmnop'.slice(0, Math.floor(next() * 17));
      const first = randomEdits(next, text.length);
      const middle = applyEdits(text, first);
      const second = randomEdits(next, middle.length);
      const composed = composeEdits(text, first, second);
      assert.equal(applyEdits(text, composed), applyEdits(middle, second), `seed ${seed}`);
      for (let i = 1; i < composed.length; i++) assert.ok(composed[i - 1]!.span.end < composed[i]!.span.start, `seed ${seed}: edits touch`);
    }
  });

  it('keeps separate fixes as separate edits (a fix of the second pass does not swallow the file)', () => {
    const text = 'import a;\n\nf();\n\ng();\n';
    const first = [{ span: { start: 9, end: 9 }, newText: '\nimport b;' }, { span: { start: 11, end: 14 }, newText: 'await f()' }];
    const middle = applyEdits(text, first);
    const second = [{ span: { start: middle.indexOf('g()'), end: middle.indexOf('g()') + 3 }, newText: 'await g()' }];
    assert.deepEqual(composeEdits(text, first, second), [...first, { span: { start: 17, end: 20 }, newText: 'await g()' }]);
  });

  const cases: [string, string][] = [
    ['poll.py', ['import time', '', '', 'async def poll():', '    time.sleep(1)', '', '', 'async def retry():', '    time.sleep(2)', ''].join('\n')],
    ['backup.ts', ["import { readFileSync, writeFileSync } from 'node:fs';", '', 'export async function backup(p: string) {', "  const t = readFileSync(p, 'utf8');", "  writeFileSync(p + '.bak', t);", '  await fetch(p);', '}', '', 'export async function load(p: string) {', "  return readFileSync(p, 'utf8');", '}', ''].join('\n')],
    ['hash.js', ["const crypto = require('crypto');", '', 'async function hash(p) {', "  return crypto.pbkdf2Sync(p, 'salt', 100000, 64, 'sha512');", '}', '', 'async function derive(p) {', "  return crypto.scryptSync(p, 'salt', 64);", '}', 'module.exports = { hash, derive };', ''].join('\n')],
  ];

  for (const [path, text] of cases) {
    it(`one fix-all of ${path}, where several fixes add the same import, leaves nothing fixable and parses`, () => {
      const reanalyse = (t: string) => analyze({ path, text: t }, DEFAULT_CONFIG);
      const first = reanalyse(text)!;
      assert.ok(first.findings.length >= 2);
      const { edits, text: fixed } = fixAllPasses(first, reanalyse, { safeOnly: true });
      assert.equal(applyEdits(text, edits), fixed);
      assert.equal(frontendForPath(path)!.syntaxErrors(fixed, path), 0, fixed);
      const again = reanalyse(fixed)!;
      assert.deepEqual(fixAllEdits(again, { safeOnly: true }).edits, [], fixed);
      assert.deepEqual(again.findings.map((f) => f.rule), [], fixed);
    });
  }

  it('one pass shares an import two fixes add alike instead of skipping the second fix', () => {
    const [path, text] = cases[0]!;
    const after = fixAllText(analyze({ path, text })!, { safeOnly: true });
    assert.equal(after.match(/^import asyncio$/gm)?.length, 1, after);
    assert.equal(after.match(/await asyncio\.sleep/g)?.length, 2, after);
  });
});
