// Every fix (not only the first) of every finding in the TypeScript rule fixtures: it must parse, the
// engine must not have had to refuse it, and re-analysing the fixed text must drop that finding.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { applyEdits } from '../../server/src/engine/finding';
import { frontendForPath } from '../../server/src/languages';

const ROOT = join(__dirname, '..', 'fixtures', 'ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.fixed\./.test(e) || !frontendForPath(full) ? [] : [full];
  });
}

describe('ts fixes over the rule fixtures', () => {
  let checked = 0;
  after(() => assert.ok(checked > 50, `only ${checked} fixes were checked`));
  for (const file of sources(ROOT).sort()) {
    if (/[\\/]valid-[^\\/]*$/.test(file)) continue;
    it(relative(ROOT, file), () => {
      const text = readFileSync(file, 'utf8');
      const analysis = analyze({ path: file, text })!;
      for (const finding of analysis.findings) {
        // With piscina among the dependencies only the worker fixes differ.
        const plain = fixesFor(analysis, finding, { dependencies: new Set() });
        const pooled = plain.fixes.some((f) => f.createFiles?.length) ? [fixesFor(analysis, finding, { dependencies: new Set(['piscina']) })] : [];
        for (const { fixes, refused } of [plain, ...pooled]) {
          const line = analysis.lines.position(finding.span.start).line;
          for (const r of refused) assert.doesNotMatch(r.reason, /does not parse|overlap/, `${r.title}: the engine refused a broken fix`);
          for (const fix of fixes) {
            const after = applyEdits(text, fix.edits);
            assert.equal(analysis.frontend.syntaxErrors(after, file), 0, `${fix.title} breaks the file`);
            const again = analyze({ path: file, text: after })!;
            const sameLine = (a: typeof analysis, l: number): number =>
              a.findings.filter((f) => f.rule === finding.rule && a.lines.position(f.span.start).line === l).length;
            // The fix may add lines above (imports, a runner): find the finding's line by its text.
            const lineText = text.split('\n')[line]!.trim();
            // A retry fix rewrites the loop head the finding sits on, and a file holds several identical heads
            // (`while (true) {`): count the lines added above it instead of searching for its old text.
            const lineStart = analysis.lines.offset(line, 0);
            const rewritesLine = finding.rule === 'retry-without-backoff' && fix.edits.some((e) => e.span.start === finding.span.start);
            const shift = fix.edits.filter((e) => e.span.end <= lineStart).reduce((n, e) => n + e.newText.split('\n').length - text.slice(e.span.start, e.span.end).split('\n').length, 0);
            const newLine = rewritesLine ? line + shift : after.split('\n').findIndex((l, i) => i >= line && l.trim() === lineText);
            const before = sameLine(analysis, line);
            const remaining = newLine < 0 ? 0 : sameLine(again, newLine);
            assert.ok(remaining < before, `${fix.title} (line ${line + 1}) leaves the finding in place:\n${after}`);
            checked++;
          }
        }
      }
    });
  }
});
