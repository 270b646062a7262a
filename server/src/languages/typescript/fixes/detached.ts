/**
 * Fixes for a floating promise: `await` it (only inside an async function, where the call's own
 * function is the one that yields), or let it run on deliberately, its rejection handled:
 * `void f().catch((err) => console.error(err))` (a bare `void` would still leave the rejection
 * unhandled, and Node exits on one). Both are suggestions: awaiting changes when the caller
 * continues, and the project may have its own logger.
 */
import type { Fix, Finding } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';

export function detachedFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const call = finding.data?.callId === undefined ? undefined : parsed.model.calls[finding.data.callId];
  if (!call) return { fixes: [], refused: [] };
  const fn = call.functionId === undefined ? undefined : parsed.model.functions[call.functionId];
  const at = { start: call.span.start, end: call.span.start };
  const fixes: Fix[] = [];
  if (fn?.isAsync) fixes.push({ title: `Await \`${call.calleeText}(…)\``, safety: 'suggestion', edits: [{ span: at, newText: 'await ' }] });
  const end = { start: call.span.end, end: call.span.end };
  fixes.push({
    title: `Let \`${call.calleeText}(…)\` run on deliberately, logging its rejection (\`void ….catch(…)\`)`,
    safety: 'suggestion',
    edits: [{ span: at, newText: 'void ' }, { span: end, newText: '.catch((err) => console.error(err))' }],
  });
  return { fixes, refused: [] };
}
