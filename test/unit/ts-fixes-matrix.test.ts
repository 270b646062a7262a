// A matrix of import forms × call positions × enclosing functions for `readFileSync`: each case's first
// fix must parse, and re-analysis must no longer report the call.
import assert from 'node:assert/strict';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { applyEdits } from '../../server/src/engine/finding';

const IMPORTS: readonly { header: string; call: string; path: string }[] = [
  { header: "import fs from 'fs';", call: "fs.readFileSync(p, 'utf8')", path: 'a.ts' },
  { header: "import * as fs from 'node:fs';", call: "fs.readFileSync(p, 'utf8')", path: 'a.mjs' },
  { header: "import { readFileSync } from 'fs';", call: "readFileSync(p, 'utf8')", path: 'a.ts' },
  { header: "import { readFileSync } from 'fs';\nimport { writeFile } from 'fs/promises';", call: "readFileSync(p, 'utf8')", path: 'a.mjs' },
  { header: "const fs = require('fs');", call: "fs.readFileSync(p, 'utf8')", path: 'a.js' },
  { header: "const { readFileSync: rf } = require('node:fs');", call: "rf(p, 'utf8')", path: 'a.cjs' },
];

const POSITIONS: readonly string[] = [
  'const x = CALL;\n  console.log(x);',
  'return CALL.toString();',
  'console.log(CALL);',
  'CALL;',
  'const n = CALL.length ** 2;\n  console.log(n);',
  'return `${CALL}!`;',
  "const z = CALL || 'none';\n  console.log(z);",
  'return [...CALL].length;',
  'for (const line of CALL.split("\\n")) console.log(line);',
];

const SHAPES: readonly ((body: string) => string)[] = [
  (b) => `export async function f(p) {\n  ${b}\n}`,
  (b) => `app.get('/', (req, res) => {\n  const p = req.path;\n  ${b}\n});`,
  (b) => `app.get('/', function (req, res) {\n  const p = req.path;\n  ${b}\n});`,
  (b) => `export class C {\n  async m(p) {\n  ${b}\n  }\n}`,
  (b) => `export const h = async (p) => {\n  ${b}\n};`,
  (b) => `setTimeout(() => {\n  const p = 'x';\n  ${b}\n}, 10);`,
];

describe('ts fixes: readFileSync matrix', () => {
  it('fixes every combination of import form, position and enclosing function', () => {
    let fixed = 0;
    const failures: string[] = [];
    for (const imp of IMPORTS) {
      for (const pos of POSITIONS) {
        for (const shape of SHAPES) {
          const text = `${imp.header}\nimport express from 'express';\nconst app = express();\n\n${shape(pos.replace('CALL', imp.call))}\n`;
          const analysis = analyze({ path: imp.path, text })!;
          const finding = analysis.findings.find((f) => f.rule === 'blocking-in-async');
          if (!finding) {
            failures.push(`not reported:\n${text}`);
            continue;
          }
          const fix = fixesFor(analysis, finding, {}).fixes[0];
          if (!fix) {
            failures.push(`no fix:\n${text}`);
            continue;
          }
          const after = applyEdits(text, fix.edits);
          if (analysis.frontend.syntaxErrors(after, imp.path) > 0) failures.push(`does not parse:\n${after}`);
          else if (analyze({ path: imp.path, text: after })!.findings.some((f) => f.rule === 'blocking-in-async')) failures.push(`still reported:\n${after}`);
          else fixed++;
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(fixed, IMPORTS.length * POSITIONS.length * SHAPES.length);
  });
});
