// blankOverflowingStatement finds by bisection which lines to blank when the TypeScript parser
// overflows the stack. Whether a parse overflows depends on the stack the engine has at that moment
// (frames shrink or grow as code is optimised), so the same text can parse once and overflow the
// next time: the bounded fuzz lost every finding of a file with 2,806 nested JSX elements that way.
// The stub parser below overflows on any text it has already parsed once.
import assert from 'node:assert/strict';
import ts from 'typescript';
import { blankOverflowingStatement } from '../../server/src/languages/typescript/nesting';

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

describe('TS: blanking the statement that overflows the parser', () => {
  it('keeps the tree each step found instead of parsing a text twice', () => {
    const text = `${SHALLOW}\n${DEEP}\n${SHALLOW.replace('load', 'load2')}`;
    const out = blankOverflowingStatement(text, flakyParser(100));
    assert.ok(out, 'a tree for the file with the deep statement blanked');
    const names = out.sf.statements.filter(ts.isFunctionDeclaration).map((f) => f.name?.text);
    assert.deepEqual(names, ['load', 'load2']);
    assert.equal(out.cut, text.indexOf('export const e'));
  });
});
