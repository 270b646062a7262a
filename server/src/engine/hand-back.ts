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
  | { readonly kind: 'alias'; readonly callee: string; readonly lock: string; readonly mapped: boolean; readonly unlock: Span; readonly relocks: boolean };

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
  const where = `release it inside ${callee} ${need.relocks ? 'around' : 'before'} that wait`;
  if (need.kind === 'held') {
    return `${callee} unlocks ${lock} itself, so the call must hold it: released before the call or moved out of the locked section, that unlock ${crash}; ${where}`;
  }
  const other = need.mapped ? `\`${need.lock}\` itself, which this function does not lock under that name and` : `a lock it is handed (\`${need.lock}\` there) itself, which`;
  return `${callee} unlocks ${other} may be ${lock}: if it is, releasing ${lock} before the call makes that unlock crash the program (\`sync: unlock of unlocked mutex\`); ${where}`;
}
