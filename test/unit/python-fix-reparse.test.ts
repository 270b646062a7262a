// The re-parse check on Python fixes: `fixesFor` re-parses every fix the frontend builds and moves one
// whose result parses worse than the file did to `refused`, with the reason, so the editor never
// offers it. The frontend's own fix for the same finding passes the same check.
import assert from 'node:assert/strict';
import type { Analysis } from '../../server/src/engine/analyze';
import type { Fix } from '../../server/src/engine/finding';
import { analyze, applyEdits, fixesFor } from '../../server/src/project/analyze';

const TEXT = ['import asyncio', 'import time', '', '', 'async def poll(client):', '    time.sleep(1)', '    return await client.get("/status")', ''].join('\n');

describe('python fixes are re-parsed before they are offered', () => {
  it('a fix whose result does not parse is refused with the reason; the frontend\'s own fix is offered', () => {
    const analysis = analyze({ path: 'app/poll.py', text: TEXT })!;
    const finding = analysis.findings.find((f) => f.rule === 'blocking-in-async')!;
    assert.ok(finding, analysis.findings.map((f) => f.message).join('\n'));
    const own = fixesFor(analysis, finding);
    assert.equal(own.fixes[0]!.title.includes('asyncio.sleep'), true, own.fixes[0]!.title);
    const call = { start: TEXT.indexOf('time.sleep(1)'), end: TEXT.indexOf('time.sleep(1)') + 'time.sleep(1)'.length };
    // An edit that drops the closing parenthesis: `await asyncio.sleep(1` does not parse.
    const broken: Fix = { title: 'Use `await asyncio.sleep` (broken)', safety: 'safe', edits: [{ span: call, newText: 'await asyncio.sleep(1' }] };
    const wrapped: Analysis = { ...analysis, frontend: { ...analysis.frontend, fixes: () => ({ fixes: [broken, own.fixes[0]!], refused: [] }) } };
    const result = fixesFor(wrapped, finding);
    assert.deepEqual(result.refused, [{ title: broken.title, reason: 'its result does not parse' }]);
    assert.deepEqual(result.fixes.map((f) => f.title), [own.fixes[0]!.title]);
    const after = applyEdits(TEXT, result.fixes[0]!.edits);
    assert.match(after, /^ {4}await asyncio\.sleep\(1\)$/m);
    assert.deepEqual(analyze({ path: 'app/poll.py', text: after })!.findings.map((f) => f.rule), []);
  });
});
