// The custom request `asyncBoundary/yieldPoints` (docs/lsp-extensions.md): yield points and held
// regions of one document, for the VS Code client's decorations.
import type { HeldRegionInfo, YieldPointsParams, YieldPointsResult } from '../shared/protocol';
import { toRange } from './convert';
import type { Session } from './session';
import { holdsLabelLine, yieldViews } from './yield-info';

export async function yieldPoints(session: Session, params: YieldPointsParams): Promise<YieldPointsResult | null> {
  const current = await session.current(params.textDocument.uri);
  if (!current) return null;
  const { analysis, version } = current;
  const lines = analysis.lines;
  return {
    version,
    yieldPoints: yieldViews(analysis.model).map((v) => ({
      range: toRange(lines, v.point.keywordSpan),
      kind: v.point.kind,
      ordinal: v.point.ordinal,
      context: v.contextName,
      held: v.held.map((r) => r.lock),
      finding: analysis.findings.some((f) => f.span.start < v.point.span.end && v.point.span.start < f.span.end),
      labelLine: holdsLabelLine(analysis.model, lines, v.point),
    })),
    heldRegions: analysis.model.heldRegions.map((r): HeldRegionInfo => ({
      range: toRange(lines, r.span),
      lock: r.lock,
      kind: r.kind,
      acquireRange: toRange(lines, r.acquireSpan),
      ...(r.releaseSpan ? { releaseRange: toRange(lines, r.releaseSpan) } : {}),
    })),
  };
}
