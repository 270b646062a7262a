/**
 * Fixes for a floating promise: `await` it (only inside an async function, where the call's own
 * function is the one that yields), or mark it deliberate with `void`. Both are suggestions: awaiting
 * changes when the caller continues, and `void` leaves the rejection unhandled on purpose.
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
  fixes.push({ title: `Mark \`${call.calleeText}(…)\` as deliberately not awaited (\`void\`)`, safety: 'suggestion', edits: [{ span: at, newText: 'void ' }] });
  return { fixes, refused: [] };
}
