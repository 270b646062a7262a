/**
 * Retries in TS/JS: a loop whose `try` leaves the loop on success and whose `catch` goes round
 * again, and a function that calls itself with the same arguments from a `catch` (or a `.catch`
 * callback). A loop that goes round on success too (a consumer, a poll) is not a retry, and a
 * recursive call with different arguments is a fallback (update failed, so create), not a retry.
 */
import ts from 'typescript';
import type { CapSwitch, FunctionInfo, RetryDelay, RetrySite, Span } from '../../engine/model';
import { switchableCap } from '../../engine/retry-caps';
import { isFunctionLike, nameText, normalisedText, skipTrivia, T, unwrap } from './ast';
import type { RawCall } from './records';
import { lookup, type Scope } from './resolve';
import { CONSTANT_NAME, declaresConstants, enclosingClass, fieldPath, isConstantHolder, isImported, literalNumber, withoutDefault, within } from './retry-values';

/** `ts.SyntaxKind` is a getter on the compiler's module object: read it once. */
const SK = ts.SyntaxKind;

const SLEEPS = /^(sleep|delay|wait|pause|timeout|setTimeoutPromise|setTimeoutAsync|promisify\(setTimeout\))$/i;
// Not `p-timeout`: `pTimeout(fetch(url), { milliseconds })` bounds a request, it does not wait between attempts.
const SLEEP_CALLEES = new Set(['timers/promises.setTimeout', 'timers/promises.scheduler.wait', 'delay', 'sleep-promise']);
const BACKOFF_NAMES = /backoff|back_off|exponential|jitter/i;
/** A failure path that retries a transaction conflict: MongoDB's `TransientTransactionError`, a write conflict, Postgres' serialization failure (40001) or deadlock (40P01), SQLite's busy database, a counter of transaction retries. */
const CONFLICT = /transient\s*transaction|conflict|serializ|deadlock|\b40001\b|\b40P01\b|SQLITE_BUSY|transactionRetr|txRetr/i;

/** Retry sites of one file. */
export function findRetries(text: string, calls: readonly RawCall[], functions: readonly FunctionInfo[], fnNodes: readonly ts.FunctionLikeDeclaration[]): RetrySite[] {
  const out: RetrySite[] = [];
  const start = (n: ts.Node): number => skipTrivia(text, n.pos);
  const code = (n: ts.Node): string => normalisedText(text, start(n), n.end);
  const seen = new Set<ts.Node>();
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    const loop = c.loop;
    // Only a loop statement that repeats one attempt: not a `forEach` callback, and not `for…of`/`for…in`,
    // which try each item (a list of hosts, encodings or rows) once, moving on when one fails.
    if (!loop || seen.has(loop) || !isLoop(loop) || T.isForOfStatement(loop) || T.isForInStatement(loop)) continue;
    const tryStmt = enclosingTry(c.node, loop);
    if (!tryStmt) continue;
    seen.add(loop);
    const site = readLoop(loop, tryStmt, c);
    if (site) out.push({ id: out.length, ...site });
  }
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    if (c.localTarget === undefined || c.functionId === undefined || c.isNew) continue;
    const self = c.localTarget;
    // The call sits in the function itself or in a callback nested in it.
    if (!isWithin(functions, c.functionId, self)) continue;
    const site = readRecursion(c, c.node as ts.CallExpression, fnNodes[self]!);
    if (site) out.push({ id: out.length, ...site });
  }
  return out;

  function readLoop(loop: ts.Node, tryStmt: ts.TryStatement, c: RawCall): Omit<RetrySite, 'id'> | undefined {
    const handler = tryStmt.catchClause?.block;
    if (!handler) return undefined;
    // Success must leave the loop: a `break`/`return` in the `try`, or a flag the loop condition tests.
    if (!exitsOnSuccess(tryStmt.tryBlock, loop)) return undefined;
    // A `catch` that always leaves ends the loop on the first failure: no retry.
    if (alwaysExits(handler)) return undefined;
    const operation = firstCall(tryStmt.tryBlock);
    if (!operation) return undefined;
    const cap = capOf(loop, handler, code);
    const { delay, interval, waits } = delayOf(loop, tryStmt, cap.counter, c.scope);
    const head = loopHead(loop);
    const fn = c.functionId === undefined ? undefined : functions[c.functionId];
    return {
      span: head,
      kind: 'loop',
      operation,
      delay,
      ...(interval !== undefined ? { interval } : {}),
      ...(waits !== undefined ? { waits } : {}),
      capped: cap.capped,
      ...(cap.capped && CONFLICT.test(code(handler)) ? { conflict: true } : {}),
      ...(cap.skippable ? { capSkippable: true } : {}),
      ...(cap.capSwitch ? { capSwitch: cap.capSwitch } : {}),
      ...(containsAwait(tryStmt.tryBlock) ? {} : { sync: true }),
      ...(fn?.context !== undefined ? { context: fn.context } : {}),
      ...(c.functionId !== undefined ? { functionId: c.functionId } : {}),
    };
  }

  function readRecursion(c: RawCall, node: ts.CallExpression, fn: ts.FunctionLikeDeclaration): Omit<RetrySite, 'id'> | undefined {
    if (!inFailurePath(node, fn)) return undefined;
    const params = fn.parameters.map((p) => (T.isIdentifier(p.name) ? p.name.text : undefined));
    const args = node.arguments;
    let counter: string | undefined;
    for (let i = 0; i < Math.max(args.length, params.length); i++) {
      const a = args[i] ? unwrap(args[i]!) : undefined;
      const p = params[i];
      if (a === undefined) return undefined; // fewer arguments: a different call
      if (T.isIdentifier(a) && a.text === p) continue;
      const counted = counterArg(a, p);
      if (counted !== undefined && counter === undefined) {
        counter = counted;
        continue;
      }
      return undefined; // a different argument: a fallback, not a retry
    }
    const body = fn.body;
    let capped = counter !== undefined && body !== undefined && comparesName(body, counter);
    if (!capped) {
      // `if (this.retries < this.maxRetries) { this.retries++; retry() }`: a counter kept outside the arguments.
      const guard = guardingCounter(node, fn);
      if (guard !== undefined) {
        capped = true;
        counter = guard;
      }
    }
    const { delay, waits } = recursionDelay(node, fn, counter);
    const handler = failureHandler(node, fn);
    const conflict = capped && CONFLICT.test(`${counter ?? ''} ${handler ? code(handler) : ''}`);
    const owner = functions.find((f) => f.span.start === start(fn) && f.span.end === fn.end);
    return {
      span: { start: start(node), end: node.end },
      kind: 'recursion',
      operation: normalisedText(text, start(node.expression), node.expression.end),
      delay,
      ...(delay === 'constant' || waits.length > 0 ? { waits } : {}),
      capped,
      ...(conflict ? { conflict: true } : {}),
      ...(containsAwait(fn) || (owner?.isAsync ?? false) ? {} : { sync: true }),
      ...(c.functionId !== undefined && functions[c.functionId]!.context !== undefined ? { context: functions[c.functionId]!.context } : {}),
      ...(c.functionId !== undefined ? { functionId: c.functionId } : {}),
    };
  }

  /**
   * The counter an `if` around the recursive call compares, when the function counts it:
   * `if (this.retries < this.maxRetries) { this.retries++; … }`, or `const tries = job.tries || 0;
   * if (tries < maxTries) { job.tries = tries + 1; … }`.
   */
  function guardingCounter(call: ts.Node, fn: ts.FunctionLikeDeclaration): string | undefined {
    const counted = (cond: ts.Expression): string | undefined => comparedSides(cond).map(code).find((name) => counts(fn, name));
    let child: ts.Node = call;
    for (let p = call.parent; p && p !== fn; child = p, p = p.parent) {
      if (T.isIfStatement(p) && p.thenStatement === child) {
        const name = counted(p.expression);
        if (name !== undefined) return name;
      }
      // `if (session.attempts >= 3) throw err;` earlier in the same block.
      if (T.isBlock(p)) {
        for (const st of p.statements) {
          if (st.pos >= child.pos) break;
          const name = isCapCheck(st) ? counted((st as ts.IfStatement).expression) : undefined;
          if (name !== undefined) return name;
        }
      }
    }
    return undefined;
  }

  /** `name` (or the field a local `name` was read from) is stepped somewhere in `fn`: `++`, `--`, `+= 1`, `= name + 1`. */
  function counts(fn: ts.FunctionLikeDeclaration, name: string): boolean {
    const targets = new Set([name]);
    let hit = false;
    const aliases = (n: ts.Node): void => {
      if (T.isVariableDeclaration(n) && T.isIdentifier(n.name) && n.name.text === name && n.initializer) {
        let init = unwrap(n.initializer);
        if (T.isBinaryExpression(init) && (init.operatorToken.kind === SK.BarBarToken || init.operatorToken.kind === SK.QuestionQuestionToken)) init = unwrap(init.left);
        if (T.isPropertyAccessExpression(init) || T.isIdentifier(init)) targets.add(code(init));
      }
      T.forEachChild(n, aliases);
    };
    aliases(fn);
    const stepped = (e: ts.Expression): boolean => targets.has(code(unwrap(e)));
    const visit = (n: ts.Node): void => {
      if (hit) return;
      if ((T.isPostfixUnaryExpression(n) || T.isPrefixUnaryExpression(n)) && (n.operator === SK.PlusPlusToken || n.operator === SK.MinusMinusToken) && stepped(n.operand)) hit = true;
      else if (T.isBinaryExpression(n) && stepped(n.left)) {
        const op = n.operatorToken.kind;
        if (op === SK.PlusEqualsToken || op === SK.MinusEqualsToken) hit = true;
        else if (op === SK.EqualsToken) {
          const r = unwrap(n.right);
          if (T.isBinaryExpression(r) && (r.operatorToken.kind === SK.PlusToken || r.operatorToken.kind === SK.MinusToken) && stepped(r.left) && T.isNumericLiteral(unwrap(r.right))) hit = true;
        }
      }
      T.forEachChild(n, visit);
    };
    visit(fn);
    return hit;
  }

  function firstCall(block: ts.Node): string | undefined {
    let found: string | undefined;
    const visit = (n: ts.Node): void => {
      if (found !== undefined || isFunctionLike(n)) return;
      if (T.isCallExpression(n)) {
        found = normalisedText(text, start(n.expression), n.expression.end);
        return;
      }
      T.forEachChild(n, visit);
    };
    visit(block);
    return found;
  }

  function loopHead(loop: ts.Node): { start: number; end: number } {
    const s = start(loop);
    const body = (loop as ts.IterationStatement).statement;
    return { start: s, end: T.isDoStatement(loop) ? s + 2 : body ? Math.max(s, skipTrivia(text, body.pos)) : loop.end };
  }

  /**
   * How the loop waits between attempts: an awaited sleep in the loop, and whether its delay grows;
   * when every sleep waits one configured interval (`this.options.retryDelay`), that interval as written.
   * Not a sleep in a loop of the attempt's own (a poll for the job it started: it paces the polls, not
   * the attempts), nor a 0 ms timer (`await sleep(0)`, `setTimeout(resolve, 0)`: a yield to the event
   * loop, no wait).
   */
  function delayOf(loop: ts.Node, tryStmt: ts.TryStatement, counter: string | undefined, scope: Scope): { delay: RetryDelay; interval?: string; waits?: Span[] } {
    let delay: RetryDelay = 'none';
    const intervals = new Set<string>();
    // What the fix edits: the delay of each wait counted here (an empty span where a sleep has none).
    const waits: Span[] = [];
    const visit = (n: ts.Node): void => {
      if (delay === 'growing' || isFunctionLike(n)) return;
      if (isLoop(n) && within(n, tryStmt.tryBlock)) return;
      if (T.isCallExpression(n) || T.isNewExpression(n)) {
        const amount = sleepAmount(n);
        if (amount !== undefined && !zeroWait(n, amount)) {
          delay = grows(amount, loop, counter) ? 'growing' : 'constant';
          waits.push(amount === null ? { start: n.end, end: n.end } : { start: start(amount), end: amount.end });
          intervals.add(configuredInterval(amount, scope) ?? '');
        } else if (T.isCallExpression(n) && BACKOFF_NAMES.test(calleeText(n))) delay = 'growing';
      }
      T.forEachChild(n, visit);
    };
    visit((loop as ts.IterationStatement).statement);
    // `delay` is set in the closure: read it as the union again.
    if ((delay as RetryDelay) !== 'constant') return { delay };
    // One configured interval for every wait; a literal, a mix, a module's value or a field the loop assigns is a plain constant delay.
    const [only] = intervals;
    if (intervals.size !== 1 || !only || assignedIn(loop, only) || assignedByHelper(loop, only, scope)) return { delay, waits };
    return { delay, interval: only, waits };
  }

  /**
   * The property chain a sleep waits, when it is a configured interval: a field of `this` or of an
   * object (`this.options.retryDelay`, `opts.retryDelayMs ?? 1000`), or a name bound to a value read
   * from the environment (`const RETRY_DELAY_MS = Number(process.env.RETRY_DELAY_MS ?? 1000)`); not a
   * literal, a call, another bare name or a value read off an imported module (`config.RETRY_DELAY`
   * from `import * as config`).
   */
  function configuredInterval(amount: ts.Expression | null, scope: Scope): string | undefined {
    if (amount === null) return undefined;
    // A default for an unset option (`this.options.retryDelayMs ?? 1000`) keeps the option the interval.
    const e = withoutDefault(amount);
    if (T.isIdentifier(e)) return fromEnvironment(e.text, scope) ? e.text : undefined;
    if (!T.isPropertyAccessExpression(e)) return undefined;
    let root: ts.Expression = e;
    while (T.isPropertyAccessExpression(root)) root = unwrap(root.expression);
    if (root.kind !== SK.ThisKeyword && !T.isIdentifier(root)) return undefined;
    if (T.isIdentifier(root) && (isImported(root.text, scope) || declaresConstants(amount, root.text))) return undefined;
    // A holder of the author's constants, unless the file sets the field (`settings.retryDelay = Number(argv.delay)` at
    // start-up, `Object.assign(settings, overrides)` in a `configure(overrides)`).
    if (T.isIdentifier(root) && isConstantHolder(root.text, fieldPath(e), scope) && !assignedIn(e.getSourceFile(), code(e)) && !mergedInto(e.getSourceFile(), code(e))) return undefined;
    // `this.RETRY_DELAY_MS`: a constant by its name, the author's choice rather than the user's.
    if (CONSTANT_NAME.test(e.name.text)) return undefined;
    // `private readonly retryDelay = 5000`, never assigned: the author's constant, kept on the instance.
    if (root.kind === SK.ThisKeyword && e.expression.kind === SK.ThisKeyword && literalField(e.name.text, scope)) return undefined;
    return code(e);
  }

  /**
   * A field of the class `this` is, initialised with a literal number where it is declared and set
   * nowhere else: not in the class, and not from outside it (see {@link setFromOutside}).
   */
  function literalField(name: string, scope: Scope): boolean {
    const cls = enclosingClass(scope);
    if (!cls) return false;
    const decl = cls.node.members.find((m): m is ts.PropertyDeclaration => T.isPropertyDeclaration(m) && m.initializer !== undefined && nameText(m.name) === name);
    if (!decl?.initializer || !literalNumber(decl.initializer)) return false;
    return !assignedIn(cls.node, `this.${name}`) && !setFromOutside(cls.node, name);
  }

  /**
   * The field `name` is set from outside its class, so its initial value is a default the user
   * changes: the file assigns it on another object (`const r = new Reconnector(); r.reconnectInterval
   * = 5000`, `this.socket.reconnectInterval = opts.interval`), or the class copies options onto
   * itself (`Object.assign(this, options)`, `this[key] = options[key]`). Any object's field of that
   * name counts: the file's types are not followed.
   */
  function setFromOutside(cls: ts.ClassLikeDeclaration, name: string): boolean {
    let hit = false;
    const visit = (n: ts.Node): void => {
      if (hit) return;
      if (T.isBinaryExpression(n) && n.operatorToken.kind >= SK.FirstAssignment && n.operatorToken.kind <= SK.LastAssignment) {
        const target = unwrap(n.left);
        if (T.isPropertyAccessExpression(target) && target.name.text === name && target.expression.kind !== SK.ThisKeyword) hit = true;
        // `this[key] = options[key]`: any field of the class may be set from the options.
        else if (T.isElementAccessExpression(target) && target.expression.kind === SK.ThisKeyword && !T.isStringLiteralLike(target.argumentExpression) && within(n, cls)) hit = true;
      } else if (T.isCallExpression(n) && calleeText(n) === 'Object.assign' && n.arguments[0]?.kind === SK.ThisKeyword && within(n, cls)) {
        // `Object.assign(this, options)`; `Object.assign(this, { retries: 0 })` sets only what it lists.
        if (n.arguments.slice(1).some((a) => { const o = unwrap(a); return !T.isObjectLiteralExpression(o) || o.properties.some((p) => T.isSpreadAssignment(p) || (p.name !== undefined && nameText(p.name) === name)); })) hit = true;
      }
      T.forEachChild(n, visit);
    };
    visit(cls.getSourceFile());
    return hit;
  }

  /** `chain` is assigned in a method of the class that the loop calls (`this.increaseDelay()`), or in one those call. */
  function assignedByHelper(loop: ts.Node, chain: string, scope: Scope): boolean {
    const cls = enclosingClass(scope);
    if (!cls || !chain.startsWith('this.')) return false;
    const methods = cls.methods;
    const seen = new Set<ts.Node>();
    const calledFrom = (n: ts.Node): boolean => {
      let hit = false;
      const visit = (k: ts.Node): void => {
        if (hit) return;
        if (T.isCallExpression(k) && T.isPropertyAccessExpression(k.expression) && k.expression.expression.kind === SK.ThisKeyword) {
          const m = methods.get(k.expression.name.text);
          if (m && !seen.has(m)) {
            seen.add(m);
            if (assignedIn(m, chain) || calledFrom(m)) hit = true;
          }
        }
        T.forEachChild(k, visit);
      };
      visit(n);
      return hit;
    };
    return calledFrom(loop);
  }

  /** `chain`, or an object it is read from, is assigned or stepped in the loop (`this.options.retryDelay += 1000`, `this.options = next`). */
  function assignedIn(loop: ts.Node, chain: string): boolean {
    const hits = (target: ts.Expression): boolean => {
      const t = code(unwrap(target));
      return t === chain || chain.startsWith(`${t}.`);
    };
    let hit = false;
    const visit = (n: ts.Node): void => {
      if (hit) return;
      if (T.isBinaryExpression(n) && n.operatorToken.kind >= SK.FirstAssignment && n.operatorToken.kind <= SK.LastAssignment && hits(n.left)) hit = true;
      else if ((T.isPostfixUnaryExpression(n) || T.isPrefixUnaryExpression(n)) && (n.operator === SK.PlusPlusToken || n.operator === SK.MinusMinusToken) && hits(n.operand)) hit = true;
      else T.forEachChild(n, visit);
    };
    visit(loop);
    return hit;
  }

  /** `name` is a variable every value of which is read from the environment or the command line (`Number(process.env.RETRY_DELAY_MS ?? 1000)`). */
  function fromEnvironment(name: string, scope: Scope): boolean {
    const b = lookup(name, scope);
    return b?.k === 'var' && b.exprs.length > 0 && b.exprs.every((x) => /\bprocess\s*\.\s*(?:env|argv)\b/.test(code(x)));
  }

  /** An object `chain` is read from is merged into somewhere in the file: `Object.assign(settings, overrides)` for `settings.retryDelay`. */
  function mergedInto(sf: ts.SourceFile, chain: string): boolean {
    let hit = false;
    const visit = (n: ts.Node): void => {
      if (hit) return;
      if (T.isCallExpression(n) && calleeText(n) === 'Object.assign' && n.arguments.length > 1 && chain.startsWith(`${code(unwrap(n.arguments[0]!))}.`)) hit = true;
      else T.forEachChild(n, visit);
    };
    visit(sf);
    return hit;
  }

  /** The delay expression of a sleep call: `sleep(ms)`, `setTimeout(ms)` from timers/promises, `new Promise((r) => setTimeout(r, ms))`. */
  function sleepAmount(n: ts.CallExpression | ts.NewExpression): ts.Expression | null | undefined {
    const name = calleeText(n);
    if (T.isNewExpression(n)) {
      if (name !== 'Promise') return undefined;
      const executor = n.arguments?.[0];
      if (!executor || !isFunctionLike(unwrap(executor))) return undefined;
      const fn = unwrap(executor) as ts.FunctionLikeDeclaration;
      // Only a timer that resolves the promise is a sleep; one that rejects it is a timeout on the work
      // (`new Promise((_, reject) => setTimeout(() => reject(err), 5000))` in a `Promise.race`).
      const first = fn.parameters[0]?.name;
      const resolve = first && T.isIdentifier(first) ? first.text : undefined;
      if (resolve === undefined) return undefined;
      let amount: ts.Expression | null | undefined;
      const visit = (k: ts.Node): void => {
        if (amount !== undefined) return;
        if (T.isCallExpression(k) && /^(setTimeout|global\.setTimeout|globalThis\.setTimeout)$/.test(calleeText(k))) {
          if (k.arguments[0] && resolves(k.arguments[0], resolve)) amount = k.arguments[1] ?? null;
        } else T.forEachChild(k, visit);
      };
      if (fn.body) visit(fn.body);
      return amount;
    }
    const resolved = calls.find((k) => k.node === n)?.callee;
    const last = name.split('.').pop() ?? name;
    if ((resolved !== undefined && SLEEP_CALLEES.has(resolved)) || SLEEPS.test(last) || (last === 'setTimeout' && n.arguments?.length === 1)) {
      const args: readonly ts.Expression[] = n.arguments ?? [];
      // A wrapper given the work to bound (`timeout(fetch(url), 5000)`) is a timeout, not a wait: with
      // more than one argument the first must read as a number of milliseconds (`delay(ms, { signal })`).
      if (args.length > 1 && !numericLooking(args[0]!)) return undefined;
      return args[0] ?? null;
    }
    return undefined;
  }

  /**
   * A sleep of no time: a literal 0 (`await sleep(0)`, `setTimeout(resolve, 0)`), or a timer given no
   * delay (`setTimeout(resolve)` in a `new Promise`, `await setTimeout()` from timers/promises). It
   * yields to the event loop once and waits for nothing. A helper given no delay (`await sleep()`)
   * waits its own default, which the file may not show.
   */
  function zeroWait(n: ts.CallExpression | ts.NewExpression, amount: ts.Expression | null): boolean {
    if (amount !== null) {
      const u = unwrap(amount);
      return T.isNumericLiteral(u) && Number(u.text) === 0;
    }
    if (T.isNewExpression(n)) return true;
    const resolved = calls.find((k) => k.node === n)?.callee;
    return resolved === 'timers/promises.setTimeout' || /(^|\.)setTimeout$/.test(calleeText(n));
  }

  /** A timer callback that resolves the executor's promise: `resolve` itself, or a function that calls it. */
  function resolves(callback: ts.Expression, resolve: string): boolean {
    const cb = unwrap(callback);
    if (T.isIdentifier(cb)) return cb.text === resolve;
    if (!isFunctionLike(cb)) return false;
    let hit = false;
    const visit = (k: ts.Node): void => {
      if (hit) return;
      if (T.isCallExpression(k) && T.isIdentifier(k.expression) && k.expression.text === resolve) hit = true;
      else T.forEachChild(k, visit);
    };
    visit(cb);
    return hit;
  }

  /** An expression that reads as a number: a literal, a name or a property read, arithmetic or a `Math` call over those; not a call of other work or an `await`. */
  function numericLooking(e: ts.Expression): boolean {
    const u = unwrap(e);
    if (T.isNumericLiteral(u) || T.isIdentifier(u) || T.isPropertyAccessExpression(u) || T.isElementAccessExpression(u)) return true;
    if (T.isPrefixUnaryExpression(u)) return numericLooking(u.operand);
    if (T.isBinaryExpression(u)) return numericLooking(u.left) && numericLooking(u.right);
    if (T.isConditionalExpression(u)) return numericLooking(u.whenTrue) && numericLooking(u.whenFalse);
    if (T.isCallExpression(u)) return /^(Math\.\w+|Number|parseInt|parseFloat)$/.test(calleeText(u)) && u.arguments.every(numericLooking);
    return false;
  }

  function calleeText(n: ts.CallExpression | ts.NewExpression): string {
    return normalisedText(text, start(n.expression), n.expression.end);
  }

  /** How a recursion waits before it calls itself again, and the delay of each wait read (what the fix edits). */
  function recursionDelay(call: ts.CallExpression, fn: ts.FunctionLikeDeclaration, counter: string | undefined): { delay: RetryDelay; waits: Span[] } {
    const spanOf = (amount: ts.Expression | null, at: ts.Node): Span => (amount === null ? { start: at.end, end: at.end } : { start: start(amount), end: amount.end });
    // `setTimeout(() => retry(x), ms)`: the recursive call is the timer's callback.
    for (let p: ts.Node | undefined = call.parent; p && p !== fn; p = p.parent) {
      if (T.isCallExpression(p) && /(^|\.)setTimeout$/.test(calleeText(p)) && p.arguments[1]) {
        // `setTimeout(() => this.send(msg, attempt + 1), 0)`: deferred, not delayed; the fix grows that 0.
        if (zeroWait(p, p.arguments[1])) return { delay: 'none', waits: [spanOf(p.arguments[1], p)] };
        return { delay: grows(p.arguments[1], fn, counter) ? 'growing' : 'constant', waits: [spanOf(p.arguments[1], p)] };
      }
    }
    // An awaited sleep before the call, in the same `catch`.
    const handler = enclosingCatch(call, fn);
    const waits: Span[] = [];
    if (!handler) return { delay: 'none', waits };
    let delay: RetryDelay = 'none';
    const visit = (n: ts.Node): void => {
      if (n.pos >= call.pos || isFunctionLike(n)) return;
      if (T.isCallExpression(n) || T.isNewExpression(n)) {
        const amount = sleepAmount(n);
        if (amount !== undefined && !zeroWait(n, amount)) {
          // Growing when any wait grows, as for loops (a branch's `sleep(1000 * 2 ** attempt)` with another's `sleep(500)`).
          if (delay !== 'growing') delay = grows(amount, fn, counter) ? 'growing' : 'constant';
          waits.push(spanOf(amount, n));
        }
      }
      T.forEachChild(n, visit);
    };
    visit(handler);
    return { delay, waits };
  }

  /** True when a delay grows between attempts: exponentiation, a shift, a product with the attempt counter, or a variable multiplied in the loop. */
  function grows(amount: ts.Expression | null, scopeNode: ts.Node, counter: string | undefined, depth = 0): boolean {
    if (amount === null) return false;
    const code = normalisedText(text, start(amount), amount.end);
    // A helper named for it (`backoff(attempt)`, `exponentialDelay(n)`, a backoff object's `this.backoff.duration()`) computes a growing delay; a field or option
    // named so (`options.backoffMs ?? 1000`) is one configured interval.
    if (/\*\*|Math\.pow|<</.test(code) || /(?:backoff|exponential|jitter)\w*(?:\s*\.\s*\w+)*\s*\(/i.test(code)) return true;
    const counted = counter === undefined ? undefined : new RegExp(`(^|[^\\w.$])${counter.replace(/[.$]/g, '\\$&')}\\b`);
    if (counted !== undefined && counted.test(code) && /[*]/.test(code)) return true;
    // `this.delay ?? 100`: the default for an unset delay leaves the delay the one that may grow.
    const e = withoutDefault(amount);
    if (T.isIdentifier(e)) {
      if (multipliedIn(scopeNode, e.text)) return true;
      // `const delay = 2 ** attempt * BASE_DELAY; await sleep(delay)`: the value the loop declares it with (Directus's transaction retry).
      const init = depth < 4 ? declaredWith(scopeNode, e.text) : undefined;
      return init !== undefined && grows(init, scopeNode, counter, depth + 1);
    }
    // A field the loop multiplies (`this.delay *= 2`, `this.delay = Math.min(this.delay * 2, max)`) grows like a variable.
    if (T.isPropertyAccessExpression(e) && multipliedIn(scopeNode, normalisedText(text, start(e), e.end))) return true;
    if (counted !== undefined && counted.test(code)) return true;
    return false;
  }

  /** The initialiser of the one variable declaration of `name` in `scopeNode` (not in a nested function), if there is exactly one. */
  function declaredWith(scopeNode: ts.Node, name: string): ts.Expression | undefined {
    let found: ts.Expression | undefined;
    let count = 0;
    const visit = (n: ts.Node): void => {
      if (count > 1 || isFunctionLike(n)) return;
      if (T.isVariableDeclaration(n) && T.isIdentifier(n.name) && n.name.text === name) {
        count++;
        found = n.initializer;
      }
      T.forEachChild(n, visit);
    };
    visit(scopeNode);
    return count === 1 ? found : undefined;
  }

  /** `name` (a variable or a property chain, as written) is multiplied, shifted or doubled in `scopeNode`. */
  function multipliedIn(scopeNode: ts.Node, name: string): boolean {
    let hit = false;
    const visit = (n: ts.Node): void => {
      if (hit) return;
      if (T.isBinaryExpression(n) && (T.isIdentifier(n.left) || T.isPropertyAccessExpression(n.left)) && normalisedText(text, start(n.left), n.left.end) === name) {
        const op = n.operatorToken.kind;
        const right = normalisedText(text, start(n.right), n.right.end);
        if (op === SK.AsteriskEqualsToken || op === SK.LessThanLessThanEqualsToken || op === SK.AsteriskAsteriskEqualsToken) hit = true;
        else if (op === SK.PlusEqualsToken && right === name) hit = true;
        else if (op === SK.EqualsToken && /\*|<<|Math\.pow/.test(right)) hit = true;
      }
      T.forEachChild(n, visit);
    };
    visit(scopeNode);
    return hit;
  }
}

/** The `try` whose protected block holds `node`, within `loop` and the same function. */
function enclosingTry(node: ts.Node, loop: ts.Node): ts.TryStatement | undefined {
  let child: ts.Node = node;
  for (let p = node.parent; p && p !== loop; child = p, p = p.parent) {
    if (isFunctionLike(p)) return undefined;
    if (T.isTryStatement(p) && p.tryBlock === child) return p;
  }
  return undefined;
}

/** The `try` leaves the loop when it succeeds: a `break`/`return` in it (not inside a nested loop or function), or it sets the flag the loop tests. */
function exitsOnSuccess(block: ts.Block, loop: ts.Node): boolean {
  let exits = false;
  const visit = (n: ts.Node, nested: boolean): void => {
    if (exits || isFunctionLike(n)) return;
    if (T.isReturnStatement(n)) exits = true;
    else if (T.isBreakStatement(n) && (!nested || n.label !== undefined)) exits = true;
    else T.forEachChild(n, (k) => visit(k, nested || isLoop(k) || T.isSwitchStatement(k)));
  };
  visit(block, false);
  if (exits) return true;
  // `while (!done) { try { await op(); done = true } catch … }`
  const cond = T.isWhileStatement(loop) || T.isDoStatement(loop) ? unwrap(loop.expression) : undefined;
  if (cond && T.isPrefixUnaryExpression(cond) && cond.operator === SK.ExclamationToken && T.isIdentifier(unwrap(cond.operand))) {
    const flag = (unwrap(cond.operand) as ts.Identifier).text;
    let sets = false;
    const find = (n: ts.Node): void => {
      if (sets || isFunctionLike(n)) return;
      if (T.isBinaryExpression(n) && n.operatorToken.kind === SK.EqualsToken && T.isIdentifier(n.left) && n.left.text === flag && n.right.kind === SK.TrueKeyword) sets = true;
      T.forEachChild(n, find);
    };
    find(block);
    return sets;
  }
  return false;
}

function isLoop(n: ts.Node): boolean {
  return T.isForStatement(n) || T.isForOfStatement(n) || T.isForInStatement(n) || T.isWhileStatement(n) || T.isDoStatement(n);
}

/** The block's last statement throws, returns or breaks: every failure ends the loop. */
function alwaysExits(block: ts.Block): boolean {
  const last = block.statements[block.statements.length - 1];
  return last !== undefined && (T.isThrowStatement(last) || T.isReturnStatement(last) || (T.isBreakStatement(last) && last.label === undefined));
}

/**
 * Whether the attempts are capped: a loop condition that compares (`attempt < max`,
 * `retries-- > 0`), or an `if (…) throw|return|break` in the `catch` that compares a counter.
 * A `continue` in the `catch` before that check skips it.
 */
function capOf(loop: ts.Node, handler: ts.Block, code: (n: ts.Node) => string): { capped: boolean; skippable: boolean; counter?: string; capSwitch?: CapSwitch } {
  const cond = T.isForStatement(loop) ? loop.condition : T.isWhileStatement(loop) || T.isDoStatement(loop) ? loop.expression : undefined;
  if (T.isForOfStatement(loop) || T.isForInStatement(loop)) return { capped: true, skippable: false }; // one attempt per item of a finite list
  if (cond && comparison(cond)) return { capped: true, skippable: false, ...counterIn(cond) };
  let sawContinue = false;
  let capSwitch: CapSwitch | undefined;
  for (const s of handler.statements) {
    if (containsContinue(s) && !isCapCheck(s)) sawContinue = true;
    if (isCapCheck(s)) {
      const test = (s as ts.IfStatement).expression;
      const counter = counterIn(test);
      // `if (this.maxRetries > 0 && attempt >= this.maxRetries) throw err`: no cap while the limit is 0.
      const off = switchableCap(code(test), code(loop));
      if (off) {
        capSwitch ??= off;
        continue;
      }
      return { capped: !sawContinue, skippable: sawContinue, ...counter };
    }
  }
  return { capped: false, skippable: false, ...(capSwitch ? { capSwitch } : {}) };
}

function isCapCheck(s: ts.Statement): boolean {
  if (!T.isIfStatement(s) || !comparison(s.expression)) return false;
  const then = s.thenStatement;
  const last = T.isBlock(then) ? then.statements[then.statements.length - 1] : then;
  return last !== undefined && (T.isThrowStatement(last) || T.isReturnStatement(last) || T.isBreakStatement(last));
}

const RELATIONAL = new Set([SK.LessThanToken, SK.LessThanEqualsToken, SK.GreaterThanToken, SK.GreaterThanEqualsToken, SK.EqualsEqualsEqualsToken, SK.EqualsEqualsToken]);

/** A relational comparison with a number-like side (`attempt >= max`, `--retries === 0`), or a decrement used as a condition (`retries--`). */
function comparison(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (T.isBinaryExpression(u)) {
    if (u.operatorToken.kind === SK.AmpersandAmpersandToken || u.operatorToken.kind === SK.BarBarToken) return comparison(u.left) || comparison(u.right);
    if (!RELATIONAL.has(u.operatorToken.kind)) return false;
    if (u.operatorToken.kind === SK.EqualsEqualsEqualsToken || u.operatorToken.kind === SK.EqualsEqualsToken) {
      return T.isNumericLiteral(unwrap(u.right)) || T.isPrefixUnaryExpression(unwrap(u.left)) || T.isPostfixUnaryExpression(unwrap(u.left));
    }
    return true;
  }
  return T.isPostfixUnaryExpression(u) || (T.isPrefixUnaryExpression(u) && (u.operator === SK.MinusMinusToken || u.operator === SK.PlusPlusToken));
}

function counterIn(e: ts.Expression): { counter?: string } {
  let name: string | undefined;
  const visit = (n: ts.Node): void => {
    if (name !== undefined) return;
    if (T.isIdentifier(n) && !/^(max|MAX|limit)/.test(n.text) && !/(Max|MAX|Limit|LIMIT|max|limit)/.test(n.text)) name = n.text;
    else T.forEachChild(n, visit);
  };
  visit(e);
  return name !== undefined ? { counter: name } : {};
}

function containsContinue(n: ts.Node): boolean {
  if (T.isContinueStatement(n)) return true;
  if (isFunctionLike(n) || isLoop(n)) return false;
  return T.forEachChild(n, (k) => (containsContinue(k) ? true : undefined)) ?? false;
}

function containsAwait(n: ts.Node): boolean {
  if (T.isAwaitExpression(n)) return true;
  if (isFunctionLike(n) && n.body) return T.forEachChild(n.body, (k) => (containsAwait(k) ? true : undefined)) ?? false;
  return T.forEachChild(n, (k) => (isFunctionLike(k) ? undefined : containsAwait(k) ? true : undefined)) ?? false;
}

/** `fnId` is `self` or a function nested in it. */
function isWithin(functions: readonly FunctionInfo[], fnId: number, self: number): boolean {
  for (let f: number | undefined = fnId; f !== undefined; f = functions[f]!.parent) if (f === self) return true;
  return false;
}

/** The call runs when an attempt failed: in a `catch` block, a `.catch(…)` callback, or a `.then(…, onRejected)`. */
function inFailurePath(call: ts.Node, fn: ts.FunctionLikeDeclaration): boolean {
  let child: ts.Node = call;
  for (let p = call.parent; p && p !== fn; child = p, p = p.parent) {
    if (T.isCatchClause(p)) return true;
    if (isFunctionLike(p)) {
      const host = p.parent;
      if (host && T.isCallExpression(host) && T.isPropertyAccessExpression(host.expression)) {
        const m = host.expression.name.text;
        if (m === 'catch' && host.arguments[0] === p) return true;
        if (m === 'then' && host.arguments[1] === p) return true;
      }
    }
  }
  void child;
  return false;
}

/** The identifiers and property paths compared in a condition (`this.retries < this.maxRetries`, `a && tries < max`). */
function comparedSides(e: ts.Expression): ts.Expression[] {
  const u = unwrap(e);
  if (!T.isBinaryExpression(u)) return [];
  const op = u.operatorToken.kind;
  if (op === SK.AmpersandAmpersandToken || op === SK.BarBarToken) return [...comparedSides(u.left), ...comparedSides(u.right)];
  if (!RELATIONAL.has(op)) return [];
  return [u.left, u.right].map(unwrap).filter((x) => T.isIdentifier(x) || T.isPropertyAccessExpression(x));
}

/** The `catch` block, `.catch(…)` callback or `.then(…, onRejected)` callback the call runs in. */
function failureHandler(call: ts.Node, fn: ts.FunctionLikeDeclaration): ts.Node | undefined {
  for (let p = call.parent; p && p !== fn; p = p.parent) {
    if (T.isCatchClause(p)) return p.block;
    if (isFunctionLike(p)) {
      const host = p.parent;
      if (host && T.isCallExpression(host) && T.isPropertyAccessExpression(host.expression)) {
        const m = host.expression.name.text;
        if ((m === 'catch' && host.arguments[0] === p) || (m === 'then' && host.arguments[1] === p)) return p;
      }
    }
  }
  return undefined;
}

function enclosingCatch(call: ts.Node, fn: ts.Node): ts.Node | undefined {
  for (let p = call.parent; p && p !== fn; p = p.parent) {
    if (T.isCatchClause(p)) return p.block;
    if (isFunctionLike(p)) return p.body;
  }
  return undefined;
}

/** `attempt + 1`, `retries - 1`, `--retries`: the parameter counted, when `a` counts `param`. */
function counterArg(a: ts.Expression, param: string | undefined): string | undefined {
  if (param === undefined) return undefined;
  if (T.isBinaryExpression(a) && (a.operatorToken.kind === SK.PlusToken || a.operatorToken.kind === SK.MinusToken)) {
    const l = unwrap(a.left);
    if (T.isIdentifier(l) && l.text === param && T.isNumericLiteral(unwrap(a.right))) return param;
  }
  if ((T.isPrefixUnaryExpression(a) || T.isPostfixUnaryExpression(a)) && T.isIdentifier(unwrap(a.operand)) && (unwrap(a.operand) as ts.Identifier).text === param) return param;
  return undefined;
}

/** The body compares `name` somewhere (`if (retries <= 0) throw …`). */
function comparesName(body: ts.Node, name: string): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (T.isBinaryExpression(n) && RELATIONAL.has(n.operatorToken.kind)) {
      const sides = [unwrap(n.left), unwrap(n.right)];
      if (sides.some((s) => T.isIdentifier(s) && s.text === name)) hit = true;
    } else if (T.isPrefixUnaryExpression(n) && n.operator === SK.ExclamationToken && T.isIdentifier(unwrap(n.operand)) && (unwrap(n.operand) as ts.Identifier).text === name) hit = true;
    T.forEachChild(n, visit);
  };
  visit(body);
  return hit;
}
