// Inlay hints after each yield point keyword (`◆ 2`), and `holds state.lock` at the end of a line
// whose yield points hold a lock (the last line of a call spread over a few lines), for editors that have no decorations of their own. The VS Code
// client draws decorations instead (see settings).
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import { hoverWording } from '../engine/catalog';
import { rangesTouch, toRange } from './convert';
import type { Session } from './session';
import type { HeldRegion } from '../engine/model';
import { holdsLabel, holdsLabelLine, yieldViews } from './yield-info';

/** U+25C6, which Debian's Chromium fonts render (U+23F8 "pause" does not). */
export const YIELD_GLYPH = '◆';

export async function inlayHints(session: Session, params: InlayHintParams): Promise<InlayHint[]> {
  const uri = params.textDocument.uri;
  if (!session.inlayHintsOn(await session.settingsFor(uri))) return [];
  const current = await session.current(uri);
  if (!current) return [];
  const lines = current.analysis.lines;
  const hints: InlayHint[] = [];
  const point = hoverWording(current.analysis.catalog).point;
  // What is held goes after the code of the line, not between `.await` and the rest of its
  // expression: `.await◆2 holds self.cache?;` read as a question about `self.cache`.
  const heldByLine = new Map<number, { hint: InlayHint; held: HeldRegion[] }>();
  for (const view of yieldViews(current.analysis.model)) {
    const range = toRange(lines, view.point.keywordSpan);
    if (!rangesTouch(range, params.range)) continue;
    const held = view.held.length > 0 ? holdsLabel(view.held) : '';
    hints.push({
      position: range.end,
      label: `${YIELD_GLYPH} ${view.point.ordinal}`,
      kind: InlayHintKind.Parameter,
      paddingLeft: true,
      tooltip: `${point} ${view.point.ordinal} of ${view.total} in ${view.contextName}${held ? `; ${held}` : ''}`,
    });
    if (!held) continue;
    const line = holdsLabelLine(current.analysis.model, lines, view.point);
    const seen = heldByLine.get(line);
    if (seen) {
      seen.held.push(...view.held);
      seen.hint.label = holdsLabel(seen.held);
      continue;
    }
    const hint: InlayHint = { position: lines.position(lines.offset(line, Number.MAX_SAFE_INTEGER)), label: held, kind: InlayHintKind.Parameter, paddingLeft: true };
    heldByLine.set(line, { hint, held: [...view.held] });
    hints.push(hint);
  }
  hints.sort((a, b) => a.position.line - b.position.line || a.position.character - b.position.character);
  return hints;
}
