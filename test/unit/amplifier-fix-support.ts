// What the amplifier fix tests share: the fixes of one finding, a fix applied and checked (parses,
// the finding gone, nothing new), and the type errors of a TypeScript file under `strict`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { applyEdits, type Fix } from '../../server/src/engine/finding';

const ROOT_MODULES = join(__dirname, '..', '..', 'node_modules');

/** The fixes of the one finding of `rule` in `text`. */
export function fixesOf(path: string, text: string, rule: string, deps: readonly string[] = [], versions: Record<string, string> = {}): { fixes: readonly Fix[]; refused: readonly { title: string; reason: string }[] } {
  const analysis = analyze({ path, text })!;
  const found = analysis.findings.filter((f) => f.rule === rule);
  assert.equal(found.length, 1, `expected one ${rule} finding, got ${found.map((f) => f.message).join('\n')}`);
  return fixesFor(analysis, found[0]!, { dependencies: new Set(deps), versions: new Map(Object.entries(versions)) });
}

/** Applies a fix, checks the result parses and no longer has the finding, and returns it. */
export function applied(path: string, text: string, fix: Fix | undefined, rule: string): string {
  assert.ok(fix, 'no fix offered');
  const after = applyEdits(text, fix.edits);
  const again = analyze({ path, text: after })!;
  assert.equal(again.frontend.syntaxErrors(after, path), 0, `the fixed text does not parse:\n${after}`);
  assert.deepEqual(again.findings.map((f) => `${f.rule}: ${f.message}`), [], `the fixed text still has findings:\n${after}`);
  void rule;
  return after;
}

/** Type errors of one TypeScript file under `strict` (with Node's types from node_modules). */
export function typeErrors(file: string, text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ab-amp-'));
  try {
    symlinkSync(ROOT_MODULES, join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, file), text);
    const program = ts.createProgram([join(dir, file)], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      noUnusedLocals: true,
      noUncheckedIndexedAccess: true,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

