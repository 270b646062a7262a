/** Fix builders for Python findings, one file per rule. The engine verifies every fix by re-parsing. */
import type { Finding } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';

/** Fix edits for one Python finding. */
export function pythonFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  void parsed;
  void ctx;
  switch (finding.rule) {
    default:
      return { fixes: [], refused: [] };
  }
}
