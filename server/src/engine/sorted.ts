/** Binary search over arrays sorted by a numeric key: what keeps span lookups linear overall. No IO. */

/** The index of the first element of `xs` (sorted ascending by `key`) whose key is at least `at`; `xs.length` when none. */
export function lowerBound<T>(xs: readonly T[], at: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(xs[mid]!) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A stable copy of `xs` sorted ascending by `key`. */
export function sortedBy<T>(xs: readonly T[], key: (x: T) => number): T[] {
  return [...xs].sort((a, b) => key(a) - key(b));
}
