// What the editor shows about yield points (hover, inlay hints, the `asyncBoundary/yieldPoints`
// request), computed once from the model so the three agree.
import type { LineIndex } from '../engine/line-index';
import type { FileModel, HeldRegion, YieldPoint } from '../engine/model';
import { heldAcross, spanContains } from '../engine/model';

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
    // A Go wait that runs at return holds only the locks an earlier deferred unlock releases: as the rule says.
    held: model.heldRegions.filter((r) =>
      point.atReturn !== undefined
        ? heldAcross(r, point)
        : spanContains(r.span, point.keywordSpan) && point.keywordSpan.start >= r.acquireSpan.end && (r.context === undefined || r.context === point.context),
    ),
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

/** How many lines past its keyword a yield expression may end and still carry the `holds` label at its end. */
const LABEL_LINES_MAX = 8;

/**
 * The line at whose end a yield point's `holds …` label goes. A call whose arguments spread over a few
 * lines (`await fetch(url, {` … `});`) is labelled after its last line, where the statement ends, not
 * after the `{` that opens its options. Not the end of every statement: one that runs on through a
 * callback (another async context) or another yield point, or on for many lines, would put the label far from the
 * yield point it describes, so those keep it on the keyword's line.
 */
export function holdsLabelLine(model: FileModel, lines: LineIndex, point: YieldPoint): number {
  const keyword = lines.position(point.keywordSpan.end).line;
  const end = lines.position(point.span.end).line;
  if (end <= keyword || end - keyword > LABEL_LINES_MAX) return keyword;
  const { keywords, contexts } = startsOf(model);
  const inside = (list: readonly { start: number; end: number; id?: number }[]): boolean => {
    // Only what starts within the yield expression can lie inside it: a few lines' worth.
    for (let i = firstAtOrAfter(list, point.span.start); i < list.length && list[i]!.start < point.span.end; i++) {
      const s = list[i]!;
      if (s.end <= point.span.end && s.id !== point.id) return true;
    }
    return false;
  };
  return inside(keywords) || inside(contexts) ? keyword : end;
}

type Starts = { keywords: { start: number; end: number; id: number }[]; contexts: { start: number; end: number }[] };
const startsMemo = new WeakMap<FileModel, Starts>();

/** The model's yield keywords and async contexts sorted by start, once per model (a request labels every yield point). */
function startsOf(model: FileModel): Starts {
  let s = startsMemo.get(model);
  if (!s) {
    const byStart = (a: { start: number }, b: { start: number }) => a.start - b.start;
    s = {
      keywords: model.yieldPoints.map((y) => ({ start: y.keywordSpan.start, end: y.keywordSpan.end, id: y.id })).sort(byStart),
      contexts: model.contexts.map((c) => ({ start: c.span.start, end: c.span.end })).sort(byStart),
    };
    startsMemo.set(model, s);
  }
  return s;
}

/** The index of the first entry starting at or after `at` (entries sorted by start). */
function firstAtOrAfter(list: readonly { start: number }[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
