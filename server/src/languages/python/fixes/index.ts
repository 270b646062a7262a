/** Fix builders for Python findings, one file per rule. The engine verifies every fix by re-parsing. */
import type { Finding } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import { blockingFixes } from './blocking';
import { channelFixes } from './channel';
import { lockFixes } from './lock';
import { taskFixes } from './task';

/** Fix edits for one Python finding. */
export function pythonFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  switch (finding.rule) {
    case 'blocking-in-async':
      return blockingFixes(finding, parsed, ctx);
    case 'unbounded-channel':
      return channelFixes(finding, parsed);
    case 'await-holding-lock':
      return lockFixes(finding, parsed);
    case 'detached-task':
      return taskFixes(finding, parsed);
    default:
      return { fixes: [], refused: [] };
  }
}
