// blankOverflowingStatements finds by bisection which lines to blank when the TypeScript parser
// overflows the stack. Whether a parse overflows depends on the stack the engine has at that moment
// (frames shrink or grow as code is optimised), so the same text can parse once and overflow the
// next time: the bounded fuzz lost every finding of a file with 2,806 nested JSX elements that way.
// The stub parser below overflows on any text it has already parsed once.
import assert from 'node:assert/strict';
import ts from 'typescript';
import { blankOverflowingStatements } from '../../server/src/languages/typescript/nesting';

const SHALLOW = "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n";
const DEPTH = 300;
const DEEP = `export const e = (\n${'<div>\n'.repeat(DEPTH)}x\n${'</div>\n'.repeat(DEPTH)});\n`;

/** Overflows (undefined) when the text is more than `limit` elements deep, or when it was parsed before. */
function flakyParser(limit: number): (text: string) => ts.SourceFile | undefined {
  const seen = new Set<string>();
  return (text) => {
    const again = seen.has(text);
    seen.add(text);
    const depth = (text.match(/<div>/g) ?? []).length;
    if (again || depth > limit) return undefined;
    return ts.createSourceFile('x.tsx', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  };
}

/** A parser that overflows when `<div>` elements nest more than `limit` deep. */
function depthLimitedParser(limit: number): (text: string) => ts.SourceFile | undefined {
  return (text) => {
    let depth = 0;
    let deepest = 0;
    for (const m of text.matchAll(/<(\/?)div>/g)) {
      depth = m[1] ? Math.max(depth - 1, 0) : depth + 1;
      deepest = Math.max(deepest, depth);
    }
    return deepest > limit ? undefined : ts.createSourceFile('x.tsx', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  };
}

describe('TS: blanking the statement that overflows the parser', () => {
  it('blanks each of two deep statements on its own, keeps the code between them, and leaves no syntax error', () => {
    const text = `${SHALLOW}\n${DEEP}\n${SHALLOW.replace('load', 'load2')}\n${DEEP.replace('const e', 'const e2')}\n${SHALLOW.replace('load', 'load3')}`;
    const out = blankOverflowingStatements(text, depthLimitedParser(100));
    assert.ok(out, 'a tree for the file with the deep statements blanked');
    const names = out.sf.statements.filter(ts.isFunctionDeclaration).map((f) => f.name?.text);
    assert.deepEqual(names, ['load', 'load2', 'load3']);
    // Each cut is its statement, whole: from its first line to the line after its `);`.
    const lineAfter = (from: number) => text.indexOf('\n', text.indexOf(');', from)) + 1;
    const e = text.indexOf('export const e =');
    const e2 = text.indexOf('export const e2');
    assert.deepEqual(out.cuts, [{ from: e, to: lineAfter(e) }, { from: e2, to: lineAfter(e2) }]);
    assert.equal((out.sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length, 0, 'the closing tags are blanked with their statement');
  });


  it('bounds the parses a statement far deeper than the parser takes costs (each round is a search over the file)', () => {
    // 3,000 elements against a limit of 100: thirty rounds of one search each, without a bound.
    const deep = `export const e = (\n${'<div>\n'.repeat(3_000)}x\n${'</div>\n'.repeat(3_000)});\n`;
    const text = `${SHALLOW}\n${deep}\n${SHALLOW.replace('load', 'load2')}`;
    const limited = depthLimitedParser(100);
    let parses = 0;
    const out = blankOverflowingStatements(text, (t) => {
      parses++;
      return limited(t);
    });
    assert.ok(out);
    assert.deepEqual(out.sf.statements.filter(ts.isFunctionDeclaration).map((f) => f.name?.text), ['load', 'load2']);
    assert.ok(parses <= 150, `${parses} parses`);
  });

  it('keeps the tree each step found instead of parsing a text twice', () => {
    const text = `${SHALLOW}\n${DEEP}\n${SHALLOW.replace('load', 'load2')}`;
    const out = blankOverflowingStatements(text, flakyParser(100));
    assert.ok(out, 'a tree for the file with the deep statement blanked');
    const names = out.sf.statements.filter(ts.isFunctionDeclaration).map((f) => f.name?.text);
    assert.deepEqual(names, ['load', 'load2']);
    assert.equal(out.cuts[0]?.from, text.indexOf('export const e'));
  });
});
