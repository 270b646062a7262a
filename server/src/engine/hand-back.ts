/**
 * Go: what a call of a function that unlocks its caller's lock itself (nats-server's "Lock must be
 * held" helpers: `flushOutbound`, `stalledWait`; {@link YieldPoint.expectsHeld}) requires of the
 * caller's lock held across it. The rule's advice and the lock fix's refusal both read it, so a
 * message never suggests a move the fix refuses.
 */
import type { FileModel, HeldRegion, Span, YieldPoint } from './model';
import { spanContains } from './model';

export type HandBackNeed =
  /** The call must hold `region`'s lock: the function unlocks it itself. */
  | { readonly kind: 'held'; readonly callee: string; readonly unlock: Span; readonly relocks: boolean }
  /**
   * The call must hold `needed`, another lock, taken after `region`'s and held at the call: released
   * and retaken around the call, `region`'s lock would be taken under `needed`, the reverse order.
   */
  | { readonly kind: 'order'; readonly callee: string; readonly needed: HeldRegion }
  /**
   * The function unlocks `lock` itself, a lock of the same field as `region`'s that this code does
   * not hold under that name (`c.peer.mu` under `c.mu`; `p.mu` taken for `c.peer.mu`), or one it is
   * handed another way than through its receiver: it may be `region`'s lock under another name.
   */
  | { readonly kind: 'alias'; readonly callee: string; readonly lock: string; readonly mapped: boolean; readonly unlock: Span; readonly relocks: boolean }
  /**
   * Called before the wait, after `region`'s lock was taken, in a way the frontend does not read as
   * a release (`x := f(c.doFlush())`), `callee` unlocks `region`'s lock and never takes it again: on
   * a path through that call the lock is released already (the call may be on another branch).
   */
  | { readonly kind: 'released'; readonly callee: string; readonly at: Span }
  /**
   * The called function reaches, through other same-file calls, `inner`, which unlocks a lock of the
   * same identity as `region`'s itself (`Server.mu`: nats-server's updateServerUsage, reached through
   * a getter): it may be `region`'s lock (the same field of another value, at worst), which the call
   * must then hold.
   */
  | { readonly kind: 'nested'; readonly callee: string; readonly inner: string; readonly unlock: Span };

const fieldOf = (lock: string): string => lock.slice(lock.lastIndexOf('.') + 1);

/**
 * Whether `other`, another lock, is held at `y` and was taken after `region`'s lock, which is held
 * there too: the acquisitions held at one point are taken in source order (a lock held across loop
 * turns is taken before the loop). Not by `region`'s span, which is the piece the wait lies in (a
 * branch that unlocks early splits a region after the inner `Lock()`).
 */
export function takenAfter(region: HeldRegion, other: HeldRegion, y: YieldPoint): boolean {
  return (
    other.lockKey !== region.lockKey && other.context === region.context && other.acquireSpan.start >= region.acquireSpan.end &&
    spanContains(other.span, y.span) && other.acquireSpan.end <= y.span.start
  );
}

/** What the call at `y` needs of `region`, held across it, when it calls a function that unlocks a caller's lock itself. */
export function handBackNeed(model: FileModel, region: HeldRegion, y: YieldPoint): HandBackNeed | undefined {
  return expectedBy(model, region, y) ?? releasedBefore(model, region, y) ?? reachedBy(model, region, y);
}

/** {@link HandBackNeed} `nested`: a function the call reaches through others (not the one it calls) that unlocks `region`'s lock (by `lockKey`) first. */
function reachedBy(model: FileModel, region: HeldRegion, y: YieldPoint): HandBackNeed | undefined {
  const direct = y.calls.map((id) => model.calls[id]).find((c) => c?.localTarget !== undefined);
  if (!direct || !model.heldRegions.some((r) => r.entry === true)) return undefined;
  const seen = new Set<number>([direct.localTarget!]);
  let frontier = [direct.localTarget!];
  for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const c of model.calls) {
      if (c.functionId === undefined || c.localTarget === undefined || !frontier.includes(c.functionId) || seen.has(c.localTarget)) continue;
      seen.add(c.localTarget);
      next.push(c.localTarget);
      const fn = model.functions[c.localTarget];
      // The same lock identity (`Server.mu` for `s.mu` in methods of one type, a package-level lock's
      // name): a block's `mb.mu` unlocked by a method of the store is not the store's `fs.mu`.
      const entry = model.heldRegions.find((r) => r.entry === true && fn !== undefined && r.context === fn.context && r.lockKey === region.lockKey);
      if (entry && fn) return { kind: 'nested', callee: direct.calleeText, inner: c.calleeText, unlock: entry.acquireSpan };
    }
    frontier = next;
  }
  return undefined;
}

/** {@link HandBackNeed} `released`: the first call of such a function between the acquisition and the wait. */
function releasedBefore(model: FileModel, region: HeldRegion, y: YieldPoint): HandBackNeed | undefined {
  const given = y.givenUpBefore?.find((g) => g.key === region.lockKey && (model.calls[g.call]?.span.start ?? -1) >= region.acquireSpan.end);
  const call = given ? model.calls[given.call] : undefined;
  return call ? { kind: 'released', callee: call.calleeText, at: call.span } : undefined;
}

function expectedBy(model: FileModel, region: HeldRegion, y: YieldPoint): HandBackNeed | undefined {
  if (!y.expectsHeld) return undefined;
  const callee = y.calls.map((id) => model.calls[id]).find((c) => c?.localTarget !== undefined)?.calleeText ?? 'the called function';
  const own = y.expectsHeld.find((e) => e.key === region.lockKey);
  if (own) return { kind: 'held', callee, unlock: own.unlock, relocks: own.relocks };
  for (const e of y.expectsHeld) {
    if (e.key !== undefined) {
      // Held here too: a different mutex (both held at once), so `region`'s is not the one it unlocks.
      const holder = model.heldRegions.find(
        (r) => r !== region && r.lockKey === e.key && r.context === y.context && spanContains(r.span, y.span) && r.acquireSpan.end <= y.span.start,
      );
      if (holder) {
        if (takenAfter(region, holder, y)) return { kind: 'order', callee, needed: holder };
        continue;
      }
    }
    if (fieldOf(e.lock) === fieldOf(region.lock)) return { kind: 'alias', callee, lock: e.lock, mapped: e.key !== undefined, unlock: e.unlock, relocks: e.relocks };
  }
  return undefined;
}

/** The advice for a wait at such a call, and the note that shows where the function unlocks the lock. */
export function handBackAdvice(need: HandBackNeed, region: HeldRegion): { advice: string; note: { span: Span; message: string } } {
  const lock = `\`${region.lock}\``;
  const callee = `\`${need.callee}\``;
  if (need.kind === 'order') {
    const needed = `\`${need.needed.lock}\``;
    return {
      advice: `${callee} must be called with ${needed} held, which is taken after ${lock} here: release ${lock} before ${needed} is taken, if nothing after needs it`,
      note: { span: need.needed.acquireSpan, message: `${needed} is taken here, after ${lock}, and ${callee} needs it held` },
    };
  }
  if (need.kind === 'nested') {
    const inner = `\`${need.inner}\``;
    return {
      advice: `${callee} calls ${inner}, which unlocks a \`${region.lockKey}\` itself: if that is ${lock}, the call must hold it, so no unlock before the call; release it inside ${inner} before any wait it makes still holding it`,
      note: { span: need.unlock, message: `${inner} unlocks a \`${region.lockKey}\` here: if that is ${lock} and the call does not hold it, this unlock crashes the program (\`sync: unlock of unlocked mutex\`)` },
    };
  }
  if (need.kind === 'released') {
    return {
      advice: `${callee}, called before it, unlocks ${lock} itself and never takes it again: after that call this wait does not hold it; on a path that skips the call, unlock ${lock} by hand before it`,
      note: { span: need.at, message: `${callee} releases ${lock} here` },
    };
  }
  const where = `release it inside ${callee} ${need.relocks ? 'around' : 'before'} that wait`;
  const crash = 'this unlock crashes the program (`sync: unlock of unlocked mutex`)';
  if (need.kind === 'held') {
    return {
      advice: `${callee} unlocks ${lock} itself, so the call must hold it: ${where}`,
      note: { span: need.unlock, message: `${callee} unlocks ${lock} here: called without it, ${crash}` },
    };
  }
  const other = need.mapped ? `\`${need.lock}\` itself, which this function does not lock under that name and` : `a lock it is handed (\`${need.lock}\` there) itself, which`;
  return {
    advice: `${callee} unlocks ${other} may be ${lock}: then the call must hold it; ${where}`,
    note: { span: need.unlock, message: `${callee} unlocks ${need.mapped ? `\`${need.lock}\`` : 'its lock'} here: if that is ${lock} and the call does not hold it, ${crash}` },
  };
}

/** Why no lock fix releases `region`'s lock at such a call: the same facts as {@link handBackAdvice}, as a refusal. */
export function handBackRefusal(need: HandBackNeed, region: HeldRegion): string {
  const lock = `\`${region.lock}\``;
  const callee = `\`${need.callee}\``;
  const crash = 'crashes the program (`sync: unlock of unlocked mutex`)';
  if (need.kind === 'order') {
    const needed = `\`${need.needed.lock}\``;
    return `${callee} must be called with ${needed} held, which is taken after ${lock} here: releasing and retaking ${lock} around the call, under ${needed}, reverses the order the two locks are taken in (a deadlock with any goroutine that takes them in order); release ${lock} before ${needed} is taken, if nothing after needs it`;
  }
  if (need.kind === 'nested') {
    return `${callee} calls \`${need.inner}\`, which unlocks a \`${region.lockKey}\` itself: if that is ${lock}, releasing it before the call makes that unlock crash the program (\`sync: unlock of unlocked mutex\`); release it inside \`${need.inner}\` before any wait it makes still holding it`;
  }
  if (need.kind === 'released') {
    return `${callee}, called before it, unlocks ${lock} itself and never takes it again: after that call ${lock} is released here, and unlocking it ${crash}`;
  }
  const where = `release it inside ${callee} ${need.relocks ? 'around' : 'before'} that wait`;
  if (need.kind === 'held') {
    return `${callee} unlocks ${lock} itself, so the call must hold it: released before the call or moved out of the locked section, that unlock ${crash}; ${where}`;
  }
  const other = need.mapped ? `\`${need.lock}\` itself, which this function does not lock under that name and` : `a lock it is handed (\`${need.lock}\` there) itself, which`;
  return `${callee} unlocks ${other} may be ${lock}: if it is, releasing ${lock} before the call makes that unlock crash the program (\`sync: unlock of unlocked mutex\`); ${where}`;
}
