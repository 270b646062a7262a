/** Fix builders for Go findings, one file per rule. The engine verifies every fix by re-parsing. */
import type { Finding } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import { fanOutFixes } from './fan-out';
import { leakFixes } from './leak';
import { lockFixes } from './lock';

/** Fix edits for one Go finding. */
export function goFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  void ctx;
  switch (finding.rule) {
    case 'await-holding-lock':
      return lockFixes(finding, parsed);
    case 'detached-task':
      return leakFixes(finding, parsed);
    case 'unbounded-fan-out':
      return fanOutFixes(finding, parsed);
    default:
      return { fixes: [], refused: [] };
  }
}
