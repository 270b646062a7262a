import type { Catalog } from '../catalog';
import type { RelatedNote } from '../finding';
import type { CallSite, FileModel, HeldRegion, Parking, Span, YieldPoint } from '../model';
import { heldAcross, spanContains } from '../model';
import type { RawFinding, Rule } from '../rule';
import { PACKAGE_LOCKS, type Imports } from '../linker';
import { flaggedOff, importedIo, ioHopNotes, onGuardedResource, reachesIo } from '../rule-support';
import { handBackAdvice, handBackNeed } from '../hand-back';
import { lowerBound, sortedBy } from '../sorted';

/**
 * The model's yields, calls and regions sorted by position, so that each region finds what is
 * inside it by binary search: the rule is linear in the number of acquisitions, not quadratic.
 */
class Positions {
  readonly yields: readonly YieldPoint[];
  readonly yieldsByKeyword: readonly YieldPoint[];
  readonly callsByCallee: readonly CallSite[];
  private readonly byLock = new Map<string, HeldRegion[]>();

  constructor(readonly model: FileModel) {
    this.yields = sortedBy(model.yieldPoints, (y) => y.span.start);
    this.yieldsByKeyword = sortedBy(model.yieldPoints, (y) => y.keywordSpan.start);
    this.callsByCallee = sortedBy(model.calls, (c) => c.calleeSpan.start);
    for (const r of model.heldRegions) {
      const group = this.byLock.get(r.lockKey) ?? [];
      group.push(r);
      this.byLock.set(r.lockKey, group);
    }
    for (const [key, group] of this.byLock) this.byLock.set(key, sortedBy(group, (r) => r.acquireSpan.start));
  }

  /** The yield points that start inside `span`, in source order. */
  yieldsIn(span: Span): YieldPoint[] {
    const out: YieldPoint[] = [];
    for (let i = lowerBound(this.yields, span.start, (y) => y.span.start); i < this.yields.length && this.yields[i]!.span.start < span.end; i++) out.push(this.yields[i]!);
    return out;
  }

  /** The regions of the lock `lockKey` acquired inside `span`. */
  regionsIn(lockKey: string, span: Span): HeldRegion[] {
    const group = this.byLock.get(lockKey) ?? [];
    const out: HeldRegion[] = [];
    for (let i = lowerBound(group, span.start, (r) => r.acquireSpan.start); i < group.length && group[i]!.acquireSpan.start < span.end; i++) {
      if (spanContains(span, group[i]!.acquireSpan)) out.push(group[i]!);
    }
    return out;
  }

  /** The first call (in model order) whose callee lies inside `span`, as `model.calls.find` would give it. */
  callIn(span: Span): CallSite | undefined {
    let best: CallSite | undefined;
    const calls = this.callsByCallee;
    for (let i = lowerBound(calls, span.start, (c) => c.calleeSpan.start); i < calls.length && calls[i]!.calleeSpan.start < span.end; i++) {
      const c = calls[i]!;
      if (spanContains(span, c.calleeSpan) && (best === undefined || c.id < best.id)) best = c;
    }
    return best;
  }

  /** The calls whose callee lies inside `span`, in source order. */
  callsIn(span: Span): CallSite[] {
    const out: CallSite[] = [];
    const calls = this.callsByCallee;
    for (let i = lowerBound(calls, span.start, (c) => c.calleeSpan.start); i < calls.length && calls[i]!.calleeSpan.start < span.end; i++) out.push(calls[i]!);
    return out;
  }

  /** Whether a yield's keyword lies inside `span`. */
  yieldKeywordIn(span: Span): boolean {
    const ys = this.yieldsByKeyword;
    for (let i = lowerBound(ys, span.start, (y) => y.keywordSpan.start); i < ys.length && ys[i]!.keywordSpan.start < span.end; i++) {
      if (spanContains(span, ys[i]!.keywordSpan)) return true;
    }
    return false;
  }

  /** Whether the call `c` of a same-file function acquires the lock of `region` (another region than `region`), optionally in the callee's own body only. */
  takesLock(region: HeldRegion, c: CallSite, ownBody: boolean): boolean {
    const fn = c.localTarget === undefined ? undefined : this.model.functions[c.localTarget];
    if (!fn) return false;
    // A region the function holds for its caller (on entry, or taken again to hand back) is the caller's own acquisition;
    // one it takes only under a flag this call turns off (`removeSession(sess, false)`) is not taken.
    return this.regionsIn(region.lockKey, fn.span).some((r) => r !== region && !r.entry && !r.relock && (!ownBody || r.context === fn.context) && !flaggedOff(r, c));
  }
}

/** Timer waits the I/O catalogs list (awaiting them under a lock holds it for the delay). */
const SLEEPS: ReadonlySet<string> = new Set([
  'tokio::time::sleep', 'tokio::time::sleep_until', 'async_std::task::sleep', 'smol::Timer::after', 'timers/promises.setTimeout',
  'asyncio.sleep', 'anyio.sleep', 'trio.sleep',
]);

function yieldLabel(y: YieldPoint, language: FileModel['language']): string {
  if (y.kind === 'async-with') return '`async with`';
  if (y.kind === 'for-await') return language === 'python' ? '`async for`' : '`for await`';
  return y.kind === 'yield' ? '`yield`' : '`await`';
}

/** The calls a yield waits on, skipping the ones on the lock's own guarded resources. */
function awaitedCalls(model: FileModel, y: YieldPoint): CallSite[] {
  return y.calls.map((id) => model.calls[id]).filter((c): c is CallSite => c !== undefined);
}

/**
 * Go: why a lock only serialises waits, when it does: every acquisition of it in the package (this
 * file's and, through the linker, the other files') is held across a parking point on every path
 * that touches the owner's state (locks.ts quickPath), none writes a
 * field of the lock's owner, and the mutex is never handed on (`&s.mu`) where other code could take
 * it. Then whoever waits for the lock is another of those slow operations, queued behind this one on
 * purpose (memberlist's `leaveLock` "serializes calls to Leave"; yamux's `sendLock` keeps one
 * `Write`'s frames together): nothing quick waits behind it. Undefined when the lock guards more, and
 * when the package's other uses are unknown (no {@link PACKAGE_LOCKS} entry).
 */
function serialisingReason(model: FileModel, imports: Imports, id: string): string | undefined {
  const fieldName = id.slice(id.lastIndexOf('.') + 1);
  const owner = id.slice(0, id.lastIndexOf('.'));
  // Without the package's entry (nothing linked the package: `crossFile: false`, the server before
  // its index is built, one file analysed alone) the other files' uses are unknown, not absent.
  const pkg = imports[PACKAGE_LOCKS];
  if (pkg === undefined) return undefined;
  const uses = [...(model.lockUses ?? []), ...(pkg.lockUses ?? [])].filter((u) => u.lock === id || u.lock === `?.${fieldName}`);
  const acquires = uses.filter((u) => u.kind === 'acquire');
  if (acquires.length === 0 || uses.some((u) => u.kind === 'escape') || acquires.some((u) => u.waits !== true || u.writes === true)) return undefined;
  const takers = [...new Set(acquires.map((u) => `\`${u.function}\``))];
  const shown = takers.length > 4 ? `${takers.slice(0, 4).join(', ')} and ${takers.length - 4} more` : takers.join(', ');
  return `it only serialises operations that wait: every acquisition of it in the package (${shown}) waits while holding it and none assigns a field of \`${owner.slice(owner.lastIndexOf('.') + 1)}\`, so whoever waits for it is another of them, not a quick caller`;
}

function check(model: FileModel, catalog: Catalog, imports: Imports): RawFinding[] {
  const findings: RawFinding[] = [];
  const serialising = new Map<string, string | undefined>();
  /** Go: why the region's lock only serialises waits, when it does (its waits are then hints). */
  const serialised = (region: HeldRegion): string | undefined => {
    const id = region.packageLock;
    if (id === undefined) return undefined;
    if (!serialising.has(id)) serialising.set(id, serialisingReason(model, imports, id));
    return serialising.get(id);
  };
  const ioMemo = new Map<number, boolean>();
  const reacquired = new Set<number>();
  // `acquiredIn` scans the calls: computed once per region, not once per pair of regions.
  const acquiredCtx = new Map<number, number | undefined>();
  const at = new Positions(model);
  let handBackMemo: HandBackCall[] | undefined;
  const handBacks = (): HandBackCall[] => (handBackMemo ??= handBackCalls(model));
  let linking = false;
  for (const _ in imports) linking = true;
  const contextOf = (r: HeldRegion): number | undefined => {
    if (!acquiredCtx.has(r.id)) acquiredCtx.set(r.id, acquiredIn(at, r));
    return acquiredCtx.get(r.id);
  };
  for (const region of model.heldRegions) {
    const lockType = region.lockType === undefined ? undefined : catalog.locks.get(region.lockType);
    const acquired: RelatedNote = { span: region.acquireSpan, message: `\`${region.lock}\` is acquired here` };
    if (region.release === 'missing') {
      const advice = catalog.wording.noRelease?.replace('{lock}', region.lock) ?? 'release it in a `finally` block, or use a scoped form such as `runExclusive`';
      findings.push({
        message: `\`${region.lock}\` is acquired but not released on every path: ${advice}`,
        span: region.acquireSpan,
        data: { regionId: region.id, variant: 'no-release' },
      });
    }
    // Go: unlocked here and again by a deferred function whose guard flag this path leaves false.
    if (region.unlockedAgain && region.releaseSpan) {
      const { flag, defer } = region.unlockedAgain;
      // Go's own words for it: a read lock's second release, and a write lock's of an RWMutex, are reported as such.
      const [crash, unlock] = region.shared
        ? ['sync: RUnlock of unlocked RWMutex', 'RUnlock()']
        : region.lockType === 'sync.RWMutex'
          ? ['sync: Unlock of unlocked RWMutex', 'Unlock()']
          : ['sync: unlock of unlocked mutex', 'Unlock()'];
      const { reset } = region.unlockedAgain;
      findings.push(
        reset
          ? {
              message: `\`${flag}\` is set back to false here while \`${region.lock}\` is not held: the deferred function unlocks it again when the function returns, and \`${crash}\` crashes the program; take the lock again before this, or leave \`${flag}\` true`,
              span: reset,
              related: [{ span: region.releaseSpan, message: `\`${region.lock}\` is unlocked here` }, { span: defer, message: `the deferred unlock, skipped only when \`${flag}\` is true` }],
              data: { regionId: region.id, variant: 'unlocked-twice' },
            }
          : {
              message: `\`${region.lock}\` is unlocked here, and the deferred function unlocks it again when the function returns, since \`${flag}\` is still false: \`${crash}\` crashes the program; set \`${flag} = true\` right after this \`${unlock}\``,
              span: region.releaseSpan,
              related: [acquired, { span: defer, message: `the deferred unlock, skipped only when \`${flag}\` is true` }],
              data: { regionId: region.id, variant: 'unlocked-twice' },
            },
      );
    }
    // Go: held by the caller on entry (the function hands it back): a wait here is reported at the call.
    if (region.context === undefined || region.entry) continue;
    const inside = at.yieldsIn(region.span).filter((y) => heldAcross(region, y));
    // Re-acquiring the same lock while holding it waits for ourselves (unless the lock is reentrant).
    for (const other of region.reentrant ? [] : at.regionsIn(region.lockKey, region.span)) {
      if (other === region || other.acquireSpan.start < region.acquireSpan.end) continue;
      if (contextOf(other) !== region.context) continue;
      // An async lock's future that this task never awaits (a test polling it by hand to see that it
      // is pending) takes nothing: only an awaited acquisition waits for the held lock.
      if (other.kind === 'async' && !acquisitionAwaited(at, other)) continue;
      // One finding per re-acquisition, under its outermost holder: nested holders would repeat it (n² for n levels).
      if (reacquired.has(other.id)) continue;
      reacquired.add(other.id);
      findings.push({
        message: `\`${other.lock}\` is acquired again while it is already held, which deadlocks: release it first, or restructure so the inner code does not take the lock`,
        span: other.acquireSpan,
        related: [acquired],
        data: { regionId: region.id, variant: 'reacquire' },
      });
    }
    // Go: a call under the mutex into another file of the package or another package of the module,
    // whose summary reaches I/O, parks the goroutine there like I/O written here.
    if (region.kind === 'blocking' && model.language === 'go' && linking) {
      const parked = new Set(inside.flatMap((y) => y.calls));
      for (const c of at.callsIn(region.span)) {
        if (c.context !== region.context || c.span.start < region.acquireSpan.end || c.spawns || c.deferred || parked.has(c.id) || onGuardedResource(region, c)) continue;
        const elsewhere = importedIo(imports, c);
        if (!elsewhere) continue;
        const disk = elsewhere.ioChain?.disk === true;
        const what = `\`${c.calleeText}\`, which does ${disk ? 'file ' : ''}I/O in \`${elsewhere.name}\` (${elsewhere.shown})`;
        const y: YieldPoint = { id: -1, kind: 'park', span: c.span, keywordSpan: c.calleeSpan, context: region.context, ordinal: 0, calls: [c.id] };
        const parking: Parking = disk ? { what, until: 'until the disk answers', disk: true } : { what, until: 'until the I/O completes' };
        const finding = parkedWhileHeld(at, region, y, parking, [c], acquired, serialised(region));
        if (finding) findings.push({ ...finding, related: [...(finding.related ?? []), ...ioHopNotes(elsewhere, c)], data: { regionId: region.id, callId: c.id } });
      }
    }
    // Go: taken again to be handed back: the calls that get it back held are shown with its waits.
    const handedTo = region.relock ? handBackCallsOf(model, handBacks(), region) : [];
    for (const y of inside) {
      const calls = awaitedCalls(model, y);
      const fill = filledBy(model, imports, y);
      if (fill === 'fills') continue;
      if (region.kind === 'blocking' && y.parking) {
        let parked = parkedWhileHeld(at, region, y, y.parking, calls, acquired, serialised(region));
        if (parked && fill !== undefined) parked = { ...parked, message: uncheckedFillMessage(region, y.parking, fill), cap: 'hint' };
        if (parked) findings.push(handedTo.length > 0 ? { ...parked, related: [...(parked.related ?? []), ...handedTo] } : parked);
        continue;
      }
      if (region.kind === 'blocking') {
        // A `RefCell` never waits: a conflicting borrow while this task is suspended panics.
        const borrow = region.lockType === 'std::cell::RefCell';
        findings.push({
          message: borrow
            ? `${yieldLabel(y, model.language)} while \`${region.lock}\` is borrowed: a conflicting \`borrow\` or \`borrow_mut\` made while this task is suspended panics (\`already borrowed\`); end the borrow before the ${yieldLabel(y, model.language)}`
            : `${yieldLabel(y, model.language)} while holding \`${region.lock}\`, a blocking lock: every task that needs it blocks its thread until this one resumes; release the guard before the ${yieldLabel(y, model.language)} or use an async-aware lock`,
          span: y.span,
          related: region.releaseSpan ? [acquired, { span: region.releaseSpan, message: 'and released here' }] : [acquired],
          data: { regionId: region.id, yieldId: y.id },
        });
        continue;
      }
      if (lockType?.limiter) continue;
      const reacquires = calls.some((c) => at.takesLock(region, c, false));
      if (reacquires) {
        const call = calls.find((c) => c.localTarget !== undefined)!;
        findings.push({
          message: `\`${call.calleeText}\` acquires \`${region.lock}\` again while it is held here, which deadlocks: release the lock before calling it`,
          span: y.span,
          related: [acquired],
          data: { regionId: region.id, yieldId: y.id, variant: 'reacquire' },
        });
        continue;
      }
      const io = calls.find((c) => !onGuardedResource(region, c) && reachesIo(model, catalog, c, ioMemo, imports));
      if (!io) continue;
      // A sleep is time, not I/O: the lock is held for the whole delay.
      const sleep = io.callee !== undefined && SLEEPS.has(io.callee);
      // An awaited function of another file whose summary reaches I/O: the message says where.
      const elsewhere = importedIo(imports, io);
      const what = elsewhere ? `I/O in \`${elsewhere.name}\`, ${elsewhere.shown}` : 'I/O';
      findings.push({
        message: sleep
          ? `${yieldLabel(y, model.language)} on \`${io.calleeText}\` while holding \`${region.lock}\`: the lock is held for the whole sleep and every task waiting for it waits as long; sleep before acquiring the lock or after releasing it`
          : `${yieldLabel(y, model.language)} on \`${io.calleeText}\` (${what}) while holding \`${region.lock}\`: every task waiting for the lock stalls until the I/O completes; do the I/O before acquiring the lock or after releasing it`,
        span: y.span,
        related: [...(region.releaseSpan ? [acquired, { span: region.releaseSpan, message: 'and released here' }] : [acquired]), ...(elsewhere && !sleep ? ioHopNotes(elsewhere, io) : [])],
        data: { regionId: region.id, yieldId: y.id },
      });
    }
  }
  return findings;
}

/**
 * Go: a receive of the value a call has just put into a channel made with a buffer
 * (YieldPoint.filledBy), by what the called function fills (`ChannelFills`, its own for a same-file
 * function, the linker's for another file's: nats-server's `o.acc.sl.registerNotification(…,
 * o.inch)` sends the current interest before it returns unless it returns an error):
 * `fills` when the receive takes that value at once (filled on every return, or unless an error
 * the caller checks first), the called function when the error goes unchecked (the receive waits
 * only if the call failed: a hint that says so), undefined when nothing is known (one file alone,
 * no index yet: reported).
 */
function filledBy(model: FileModel, imports: Imports, y: YieldPoint): 'fills' | CallSite | undefined {
  const by = y.filledBy;
  const call = by === undefined ? undefined : model.calls[by.call];
  if (by === undefined || call === undefined) return undefined;
  let fills = call.localTarget === undefined ? undefined : model.functions[call.localTarget]?.fills;
  if (call.localTarget === undefined && call.callee !== undefined && Object.prototype.hasOwnProperty.call(imports, call.callee)) fills = imports[call.callee]!.fills;
  if (fills === undefined || fills.arity !== by.args) return undefined;
  if (fills.params.includes(by.arg)) return 'fills';
  if (!fills.unlessError?.includes(by.arg)) return undefined;
  return by.checked ? 'fills' : call;
}

/** The hint for a receive whose value the call put in unless it failed, when the error is not checked before it. */
function uncheckedFillMessage(region: HeldRegion, parking: Parking, call: CallSite): string {
  return (
    `\`${region.lock}\` is held across ${parking.what}, which \`${call.calleeText}\` fills before it returns unless it returns an error: ` +
    `the error is not checked before the receive, so if the call can fail here this waits forever with the lock held; check it first (\`if err := …; err != nil\`)`
  );
}

/** Go: a call, under a lock, of a function that hands the lock back after waiting with it taken again. */
interface HandBackCall {
  /** The called function. */
  readonly target: number;
  readonly call: CallSite;
  /** The caller's lock, as written in the caller. */
  readonly lock: string;
}

/** Go: every call holding a lock that its function hands back ({@link YieldPoint.handedBack}), in source order. */
function handBackCalls(model: FileModel): HandBackCall[] {
  const out: HandBackCall[] = [];
  for (const y of model.yieldPoints) {
    if (!y.handedBack) continue;
    const call = model.calls[y.calls[0]!];
    if (call?.localTarget === undefined) continue;
    for (const r of model.heldRegions) {
      if (r.context !== y.context || !y.handedBack.includes(r.lockKey) || !spanContains(r.span, y.span) || y.span.start < r.acquireSpan.end) continue;
      out.push({ target: call.localTarget, call, lock: r.lock });
      break;
    }
  }
  return out;
}

/** Notes for the calls that get back held the lock `region` takes again, in the function it lies in. */
function handBackCallsOf(model: FileModel, calls: readonly HandBackCall[], region: HeldRegion): RelatedNote[] {
  return calls
    .filter((h) => {
      const fn = model.functions[h.target];
      return fn !== undefined && fn.context === region.context && spanContains(fn.span, region.acquireSpan);
    })
    .map((h) => ({ span: h.call.span, message: `\`${h.call.calleeText}\` is called here with \`${h.lock}\` held and returns it held` }));
}

/** The unlock method of a Go region (`RUnlock` for a read lock). */
const unlockOf = (region: HeldRegion): string => (region.shared ? 'RUnlock' : 'Unlock');

/**
 * A Go parking point inside a held mutex: the goroutines that need the mutex wait as long as this
 * one is parked. A call that takes the same mutex again deadlocks; I/O on the connection the mutex
 * sits beside (`wmu` and `conn` fields of one struct) is what the mutex serialises, not a finding.
 */
function parkedWhileHeld(at: Positions, region: HeldRegion, y: YieldPoint, parking: Parking, calls: readonly CallSite[], acquired: RelatedNote, serialised?: string): RawFinding | undefined {
  if (calls.length > 0 && calls.every((c) => onGuardedResource(region, c))) return undefined;
  // The called function unlocks this lock before it parks and relocks it after: it is not held there.
  if (y.releases?.includes(region.lockKey)) return undefined;
  // It waits only after taking the lock again itself: reported there, where the wait can move.
  if (y.handedBack?.includes(region.lockKey)) return undefined;
  const related: RelatedNote[] = region.releaseSpan ? [acquired, { span: region.releaseSpan, message: 'and released here' }] : [acquired];
  // The wait the message names is in the called function, made before it releases the lock.
  if (parking.inside) related.push({ span: parking.inside, message: `it parks here with \`${region.lock}\` still held` });
  // The helper's own body takes the lock (not a closure in it that runs later). Go: the frontend
  // names the locks it takes in the caller's terms (its receiver's or parameter's lock is the one the
  // call passes: `s.flush()` on a parameter `s` takes `s.mu`, `c.peer.flush()` under `c.mu` the
  // peer's), which the lock keys as the function writes them (`Conn.mu` for both) cannot tell apart.
  const again = region.reentrant
    ? undefined
    : at.model.language === 'go'
      ? y.reacquires?.includes(region.lockKey) ? calls[0] : undefined
      : calls.find((c) => at.takesLock(region, c, true));
  // Go: a wait that runs at return, before the deferred unlock registered earlier (defers run last in, first out).
  const atReturn = y.atReturn !== undefined && y.atReturn.context === region.context;
  const deferredAdvice = `register this \`defer\` before the deferred \`${unlockOf(region)}()\` of \`${region.lock}\` (defers run last in, first out), or unlock explicitly instead of deferring it`;
  if (again && atReturn) {
    return {
      message: `\`${again.calleeText}\` runs when the function returns${y.context !== region.context ? ' (the function literal that calls it is deferred)' : ''}, before the deferred \`${unlockOf(region)}()\` registered earlier, and locks \`${region.lock}\` again while it is still held, which deadlocks: \`sync\` mutexes are not reentrant; ${deferredAdvice}`,
      span: y.span,
      related,
      data: { regionId: region.id, yieldId: y.id, variant: 'reacquire' },
    };
  }
  if (again) {
    return {
      message: `\`${again.calleeText}\` locks \`${region.lock}\` again while it is held here, which deadlocks: \`sync\` mutexes are not reentrant; unlock before calling it, or split it into a variant that expects the lock held`,
      span: y.span,
      related,
      data: { regionId: region.id, yieldId: y.id, variant: 'reacquire' },
    };
  }
  // A lock that only serialises waits: a hint that says so (see `serialisingReason`).
  if (serialised !== undefined) {
    return { message: `\`${region.lock}\` is held across ${parking.what}, but ${serialised}`, span: y.span, related, data: { regionId: region.id, yieldId: y.id }, cap: 'hint' };
  }
  // Go: the lock of a value still being built here, before anything can hand it to another goroutine.
  const building = region.building;
  if (building !== undefined && y.span.start < building.until) {
    return { message: `\`${region.lock}\` is held across ${parking.what}, but \`${building.value}\` is still being built here: no other goroutine can have it yet (this function made it and has not handed it out), so nobody waits for the lock`, span: y.span, related, data: { regionId: region.id, yieldId: y.id }, cap: 'hint' };
  }
  // Go: a call of a function that unlocks a caller's lock itself cannot be unlocked around nor moved
  // out (that unlock would crash), as the lock fix refuses: the advice says what can be done.
  const need = handBackNeed(at.model, region, y);
  const handBack = need ? handBackAdvice(need, region) : undefined;
  if (handBack) related.push(handBack.note);
  const advice = handBack?.advice ?? (atReturn ? deferredAdvice : undefined) ?? region.advice ?? (region.release === 'finally'
    ? `unlock explicitly before it instead of deferring the \`Unlock()\`, or move it out of the locked section`
    : `unlock before it, or move it out of the locked section`);
  // Where it waits is not where it is written: say when it runs.
  const when = atReturn ? `At return${y.context !== region.context ? ' (in a deferred function literal)' : ''}, before the deferred \`${unlockOf(region)}()\` registered earlier, ` : '';
  const held = atReturn ? 'still held' : 'held';
  const waiters = region.waiters ?? `every goroutine that needs it${region.shared ? ' for writing' : ''}`;
  // File I/O: bounded by the disk, and often the lock's purpose (a store serialising its writes).
  if (parking.disk) {
    return {
      message: `${when}\`${region.lock}\` is ${held} across ${parking.what}: ${waiters} waits ${parking.until}${region.note ?? ''}; ${handBack !== undefined || region.advice !== undefined ? advice : `if goroutines on a hot path need it, ${advice}`}`,
      span: y.span,
      related,
      data: { regionId: region.id, yieldId: y.id },
      cap: 'hint',
    };
  }
  return {
    message: `${when}\`${region.lock}\` is ${held} across ${parking.what}: ${waiters} waits ${parking.until}${region.note ?? ''}; ${advice}`,
    span: y.span,
    related,
    data: { regionId: region.id, yieldId: y.id },
  };
}

/**
 * The context a lock is taken in: the acquiring call's. It differs from `region.context` for a
 * callback region (`runExclusive(cb)`), whose body runs in the callback's own context.
 */
function acquiredIn(at: Positions, region: HeldRegion): number | undefined {
  const call = at.callIn(region.acquireSpan);
  return call ? call.context : region.context;
}

/** True when the call that acquires `region` is awaited (`await m.acquire()`, `m.lock().await`). */
function acquisitionAwaited(at: Positions, region: HeldRegion): boolean {
  const call = at.callIn(region.acquireSpan);
  return call === undefined || call.awaited || at.yieldKeywordIn(region.acquireSpan);
}

/** `await-holding-lock`: a yield point inside a held lock region, or a re-acquisition of a held lock. */
export const awaitHoldingLock: Rule = {
  id: 'await-holding-lock',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    summary: 'A yield point inside a held lock: always for blocking locks; for async locks when the awaited work is I/O or re-takes the lock',
    what:
      'Flags every `await` (or `.await`, `yield`) reached while a lock or guard is held. ' +
      'For a blocking lock (std `Mutex`, a `RefCell` borrow) any yield is flagged. ' +
      'For an async-aware lock (`async-mutex`, `tokio::sync::Mutex`) the yield is flagged when it waits on external I/O, or when it takes the same lock again. ' +
      'It also flags an acquisition with no release on some path. ' +
      'In Java, a `synchronized` block or method, or a `Lock.lock()`/`tryLock()`…`unlock()` region, around a blocking wait (`.block()`, `Future.get()`/`join()`, `Thread.sleep`, JDBC, `RestTemplate`, `HttpClient.send`, file I/O, `CountDownLatch.await`, directly or through a same-file method), taken in an async context (a Reactor operator callback, a WebFlux handler, a `supplyAsync` task on the common pool) or on a virtual thread (`Thread.ofVirtual()`, `Thread.startVirtualThread`, the tasks of `Executors.newVirtualThreadPerTaskExecutor()` and the same-file methods they call), where `synchronized` also pins the virtual thread to its carrier before JDK 24; the message says which. Not on threads meant to block (Spring MVC, `@Scheduled`, a dedicated pool, `boundedElastic`, a platform `Thread`), not `Object.wait()` (it releases the monitor), and not re-entry (Java\'s monitors and `ReentrantLock` are reentrant). ' +
      'In Go, file-system I/O under a mutex (`os.WriteFile`, `os.Rename`, `os.File.Sync`, directly or through a helper, in this file or another of the package) is reported at `hint`: it waits for the disk, not for another service, and a file store or a log holds its lock across its own writes on purpose; a helper that also reaches the network is reported at the network call, as a warning. A token taken from a channel before file I/O and given back right after it (nats-server\'s `<-dios` … `dios <- struct{}{}`) is such a wait too, when every other receive of that channel in the file holds the token across file I/O only (one that holds it across other I/O, `http.Post`, or gives it back where the file does not show, keeps the warning and the message names it; takers in other files are not seen), and giving the token back never parks. A call written after `defer`, and the body of a function literal that `defer` calls, run when the function returns: of the locks around the `defer`, those released by a `defer …Unlock()` written before it are still held then (defers run last in, first out), and the message names that lock and says the call runs at return. A lock taken under a flag the function never reassigns (`if doLock { s.Lock() }` … `if doLock { s.Unlock() }`) is paired across the two `if`s, and a call passing the literal that turns the flag off (`removeSession(sess, false)`) does not take it. ' +
      'A wait under the lock of a struct the function has just made (`s := &Server{…}; s.mu.Lock()`, a constructor) is a `hint` until the value may be handed out: a `go` statement, the value passed, assigned, returned or sent, a method value, or a closure that uses it; a mutex the literal sets, or a lock taken in a loop the value outlives, keeps the warning. ' +
      'A Go call under a mutex of a function that locks it again deadlocks, with the lock named as the call passes it: a method\'s receiver is the value it is called on (`c.flush()` on a local or a parameter `c`, not `c.peer.flush()`), a parameter\'s lock is its argument\'s, and a mutex local to the function is none of the caller\'s. ' +
      'A Go deferred unlock guarded by a flag (`defer func() { if !unlocked { fs.mu.Unlock() } }()`) releases the lock at every return; an explicit `Unlock()` whose path then returns without setting the flag is reported: the deferred function unlocks again, and Go stops with `sync: unlock of unlocked mutex` (`sync: Unlock of unlocked RWMutex` for an `RWMutex`); a relock sets the flag back (`s.mu.Lock(); unlocked = false`), and an `Unlock()` after it must set it again. The flag is read when it is set to `true` beside an `Unlock()` (alone, or element by element among several targets: `unlocked, err = true, e`), also by a local closure that unlocks (`release := func() { unlocked = true; s.mu.Unlock() }`), and to `false` anywhere; the guard may be written `if !(unlocked)`. A relock taken while the flag is true, with no `Unlock()` after it, is released by nobody (reported as such), and the flag set back to false while the lock is not held is reported where it is set. ' +
      'In Go, a wait under a mutex field that only serialises waits is reported at `hint` (hidden by the CLI by default), with the reason: every acquisition of the field in the package (all `.go` files of the folder) holds it across a parking point, on every path that touches the owner\'s state (a read-through cache\'s hit that returns without waiting is a quick caller), none changes a field of the lock\'s owner (an assignment, or a mutating method such as `r.cache.Add` or `l.PushBack`), and the mutex is never handed on (`&s.mu` given to a `sync.Cond` or a helper, an exported or embedded mutex). Whoever waits for such a lock is another of the same slow operations, queued on purpose (a `leaveLock` that serialises `Leave`, a stream\'s `sendLock` that keeps one `Write`\'s frames together); a lock a quick getter also takes, or one that guards state, keeps the warning. The package must have been read: a file analysed without it (the language server with `crossFile: false` or before its index is built) keeps the warning. ' +
      'A Go function whose first operation on a lock, in source order, is `Unlock()` is called with that lock held and hands it back (nats-server\'s "Lock should be held" helpers: `stalledWait` unlocks `c.mu`, waits, and relocks it on return); one that never takes it again, or whose first is a `defer Unlock()` with no `Lock()` of it, returns without it ("held on entry, released on return"), and a call of such a method (or of one that gives the lock up by calling it) ends its caller\'s locked section when it is a statement, a `return` or an `if` initializer (its caller\'s later waits are not under it, and a `return` through it releases it; elsewhere in an expression, a later wait keeps its finding, says the lock may be released already, and gets no lock fix): its later `Lock()` is no second acquisition (no deadlock is reported at its callers) and no lock left held, a wait before its first `Unlock()` is reported at the call (the message names it and shows where it is, and where the function unlocks the lock: the call must hold it, so the advice is to release the lock inside the function around that wait, and no lock fix releases it at the call; for a method of another value, `c.peer.flush()` under the caller\'s own `c.mu`, the caller\'s lock is not released around the call while the value\'s lock, taken after it, is held there, since the order would reverse, nor when the call\'s lock is not locked here under that name and may be the caller\'s, nor at a call that reaches such a function through other same-file calls, when its lock has the same identity, `Server.mu`), and a call of such a method under its receiver\'s lock does not hold that lock across the method\'s waits between the `Unlock()` and the lock taken again; a wait after that relock counts as it would in a plain locked section (not a write on the connection beside the mutex) and is reported once, where the function waits, with the calls that get the lock back held shown beside it, since the caller cannot unlock around the call. Only through the receiver: a lock handed back through a parameter, `removeMsgBlock(mb)`, is not mapped to the caller\'s for the waits it releases (the advice and the lock fix at its call do take `mb.mu` for the argument\'s).',
    why:
      'A task suspended while holding a lock keeps every other task that needs the lock waiting, for as long as the awaited work takes. ' +
      'With a blocking lock the waiters block their threads, which can deadlock the executor. ' +
      'Re-acquiring a non-reentrant lock waits forever.',
    example: [
      '```ts',
      'const release = await mutex.acquire();',
      'try {',
      '  const user = await fetch(`${api}/users/${id}`); // every caller waits for this request',
      '  cache.set(id, await user.json());',
      '} finally {',
      '  release();',
      '}',
      '```',
      '```ts',
      'const user = await (await fetch(`${api}/users/${id}`)).json();',
      'const release = await mutex.acquire();',
      'try {',
      '  cache.set(id, user);',
      '} finally {',
      '  release();',
      '}',
      '```',
    ].join('\n'),
    fix:
      'Where the guard is not used after the yield, a suggestion releases it before the yield (`drop(guard)` in Rust). ' +
      'In Go (suggestions): a parking statement that touches nothing the mutex guards moves after the `Unlock()` (not past another lock\'s `Lock()` or `Unlock()`), a deferred `Unlock()` becomes an explicit one before it, or the mutex is unlocked around it and locked again; none is offered under another lock taken after this one, nor at a call that must hold the lock (the refusal says why). For a call that runs at return under an `Unlock()` deferred earlier, the one fix moves its `defer` to just before that deferred `Unlock()`, when both are statements of the same block and nothing between them can leave the function, registers another `defer`, or declares or assigns what the moved `defer` evaluates. ' +
      'In Python, a `threading.Lock` that only async code in the file takes becomes an `asyncio.Lock` entered with `async with` (a suggestion). ' +
      'Moving I/O out of a locked region changes behaviour, so it is left to you.',
    limits:
      'An await that only touches memory under an async lock is not flagged, nor is one on the connection an async lock serialises: a connection field beside the mutex (TS/JS, Go), the I/O resource a Rust mutex guards, and in Python a stream, connection or websocket attribute of the lock\'s own object whose every wait in the class is under that lock (a lock over a stream\'s sends leaves its receives out: one task may receive while another sends; its TLS handshake and closing are left out too). ' +
      'I/O is recognised through the catalog of known clients, same-file helpers and (TS/JS, Rust, Python and Go) functions of other project files whose summary reaches such a client (in Go, a call under a mutex into another file of the package or another package of the module); awaiting an unknown method, or a project function that only touches memory, is assumed not to be I/O. ' +
      'A Go receive of the value a call has just put into a channel is no wait: the channel is made with a buffer (`make(chan T, 8)`) by the statement before the call, the call hands it on as an argument and is of a function (of this file, or another of the package or module through its summary) that sends into that parameter on every path that returns, on its own goroutine (a `select` with a `default` counts: into a fresh buffer it cannot fail), and the receive comes next, first in its statement; when the function skips the send only on paths that return an error (nats-server\'s `registerNotification`), the receive is no wait if the error is checked first (`if err := f(ch); err != nil { return }`), and a hint that says so if not; a send that is the first into a channel the function has just made with a buffer (`paf.doneCh = make(chan *PubAck, 1)`, then the send in the same block or one under it, with no other send, goroutine, or call naming the value in between, and no loop around the send) does not wait either; the call itself does not park when its function\'s only wait is one send into that parameter, outside a loop, with the parameter named nowhere else in it (snapshot\'s `ch <- len(state)` into `ch := make(chan int, 1)`); a function that stores the channel is taken to let others only send into it, and a channel kept in a field (`o.inch`) is taken to be received from by no other goroutine between its `make` and the receive (one reading the field there would race with the assignment). ' +
      'A Go lock counts as guarding state when the locked code changes a field of its owner itself: a write made by a helper called under the lock is not seen (unless a path that skips the wait reads that state), and a wait through another file\'s I/O does not make an acquisition slow.',
  },
  check,
};
