/** Fix builders for Rust findings, one file per rule. The engine verifies every fix by re-parsing. */
import type { Finding } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import { blockingFixes } from './blocking';
import { channelFixes } from './channel';
import { detachedFixes } from './detached';
import { fanOutFixes } from './fan-out';
import { lockFixes } from './lock';
import { retryFixes } from './retry';

/** Fix edits for one Rust finding. */
export function rustFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  switch (finding.rule) {
    case 'blocking-in-async':
      return blockingFixes(finding, parsed, ctx);
    case 'await-holding-lock':
      return lockFixes(finding, parsed);
    case 'unbounded-channel':
      return channelFixes(finding, parsed);
    case 'unbounded-fan-out':
      return fanOutFixes(finding, parsed);
    case 'retry-without-backoff':
      return retryFixes(finding, parsed, ctx);
    case 'detached-task':
      return detachedFixes(finding, parsed, ctx);
    default:
      return { fixes: [], refused: [] };
  }
}
