import type { Finding } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';

/** Fix edits for one Rust finding. */
export function rustFixes(_finding: Finding, _parsed: ParsedFile, _ctx: FixContext): FixResult {
  return { fixes: [], refused: [] };
}
