// What the editor shows about yield points (hover, inlay hints, the `asyncBoundary/yieldPoints`
// request), computed once from the model so the three agree.
import type { FileModel, HeldRegion, YieldPoint } from '../engine/model';
import { spanContains } from '../engine/model';

export interface YieldView {
  readonly point: YieldPoint;
  /** Yield points in the same async context. */
  readonly total: number;
  readonly contextName: string;
  /** Held regions the task holds at the yield keyword (after acquisition, before release). */
  readonly held: readonly HeldRegion[];
}

const views = new WeakMap<FileModel, readonly YieldView[]>();

export function yieldViews(model: FileModel): readonly YieldView[] {
  let cached = views.get(model);
  if (cached) return cached;
  const totals = new Map<number, number>();
  for (const y of model.yieldPoints) totals.set(y.context, (totals.get(y.context) ?? 0) + 1);
  cached = model.yieldPoints.map((point) => ({
    point,
    total: totals.get(point.context) ?? 0,
    contextName: model.contexts[point.context]?.name ?? 'async code',
    // The acquisition's own await (`await mutex.acquire()`) lies in the region's span but waits for the lock, not while holding it.
    // A task started inside the region (a goroutine, an async closure) runs in its own context and holds nothing: as the rule says.
    held: model.heldRegions.filter((r) => spanContains(r.span, point.keywordSpan) && point.keywordSpan.start >= r.acquireSpan.end && (r.context === undefined || r.context === point.context)),
  }));
  views.set(model, cached);
  return cached;
}

/**
 * The short label for a lock in an inlay hint or marker: `holds state.lock`. A `?` or `!` the lock
 * expression ends with (`self.cache?`) would read as a question after "holds": it is left out.
 */
export function holdsLabel(held: readonly HeldRegion[]): string {
  return `holds ${[...new Set(held.map((r) => lockLabel(r.lock)))].join(', ')}`;
}

function lockLabel(lock: string): string {
  return lock.replace(/[?!]+$/, '');
}
