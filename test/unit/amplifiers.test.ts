// The amplifier rules beyond their fixtures: the detached-task fixes (before/after, re-parsed).
import assert from 'node:assert/strict';
import { fixesFor } from '../../server/src/engine/analyze';
import { applyEdits } from '../../server/src/engine/finding';
import { analyze } from '../../server/src/project/analyze';

function analysed(path: string, text: string) {
  const a = analyze({ path, text });
  assert.ok(a);
  return a;
}

describe('detached-task fixes', () => {
  const text = [
    'async function audit(x: string) { await fetch(x); }',
    'export async function save(user: string) {',
    '  audit(user);',
    '}',
    'export function later(user: string) {',
    '  audit(user);',
    '}',
    '',
  ].join('\n');

  it('adds `await` in an async function, or marks the promise with `void`', () => {
    const a = analysed('save.ts', text);
    const [inAsync, inSync] = a.findings.filter((f) => f.rule === 'detached-task');
    assert.ok(inAsync && inSync);
    const first = fixesFor(a, inAsync);
    assert.deepEqual(first.fixes.map((f) => f.title), ['Await `audit(…)`', 'Mark `audit(…)` as deliberately not awaited (`void`)']);
    const awaited = applyEdits(text, first.fixes[0]!.edits);
    assert.match(awaited, /^ {2}await audit\(user\);$/m);
    assert.equal(analysed('save.ts', awaited).findings.filter((f) => f.rule === 'detached-task').length, 1);
    const second = fixesFor(a, inSync);
    assert.deepEqual(second.fixes.map((f) => f.title), ['Mark `audit(…)` as deliberately not awaited (`void`)'], 'no `await` outside an async function');
    const voided = applyEdits(awaited, [{ span: { start: second.fixes[0]!.edits[0]!.span.start + 'await '.length, end: second.fixes[0]!.edits[0]!.span.start + 'await '.length }, newText: 'void ' }]);
    assert.equal(analysed('save.ts', voided).findings.filter((f) => f.rule === 'detached-task').length, 0);
  });
});
