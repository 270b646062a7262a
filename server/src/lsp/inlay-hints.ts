// Inlay hints after each yield point keyword (`◆ 2`, `◆ 2 holds state.lock`), for editors that
// have no decorations of their own. The VS Code client draws decorations instead (see settings).
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import { hoverWording } from '../engine/catalog';
import { rangesTouch, toRange } from './convert';
import type { Session } from './session';
import { holdsLabel, yieldViews } from './yield-info';

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
  for (const view of yieldViews(current.analysis.model)) {
    const range = toRange(lines, view.point.keywordSpan);
    if (!rangesTouch(range, params.range)) continue;
    const held = view.held.length > 0 ? ` ${holdsLabel(view.held)}` : '';
    hints.push({
      position: range.end,
      label: `${YIELD_GLYPH} ${view.point.ordinal}${held}`,
      kind: InlayHintKind.Parameter,
      paddingLeft: true,
      tooltip: `${point} ${view.point.ordinal} of ${view.total} in ${view.contextName}${held ? `;${held}` : ''}`,
    });
  }
  return hints;
}
