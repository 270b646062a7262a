/**
 * Channel sites: queue and stream constructors with their bound, and `write()` calls in a loop that
 * drop the backpressure signal.
 */
import ts from 'typescript';
import type { Catalog } from '../../engine/catalog';
import type { ChannelSite, FunctionInfo, UnboundedReason } from '../../engine/model';
import { normalisedText, startOf, T, unwrap } from './ast';
import { CHANNEL_SHAPES, STREAM_RECEIVER_NAMES, STREAM_TYPES, STREAM_WRITE, type ChannelShape } from './catalog';
import type { ResolvedCall } from './build';
import { configReader, type ConfigReader } from './config-source';
import { resolveExpr, type Scope } from './resolve';
import type { WalkResult } from './walk';

const MAX_TEXT = 80;

export function findChannels(text: string, calls: readonly ResolvedCall[], functions: readonly FunctionInfo[], w: WalkResult, catalog: Catalog): ChannelSite[] {
  const out: ChannelSite[] = [];
  let config: ConfigReader | undefined;
  for (let ci = 0; ci < calls.length; ci++) {
    const c = calls[ci]!;
    if (c.callee !== undefined && c.callee !== STREAM_WRITE && catalog.channels.has(c.callee)) {
      const reason = unboundedReason(c, CHANNEL_SHAPES.get(c.callee));
      const whole = normalisedText(text, c.span.start, c.span.end);
      const written = whole.length <= MAX_TEXT ? whole : `${c.isNew ? 'new ' : ''}${c.calleeText}(…)`;
      out.push({ id: out.length, span: c.span, constructor: c.callee, text: written, bounded: reason === undefined, ...(reason ? { reason } : {}), ...whereOf(c, functions) });
      continue;
    }
    // A `for…in` loop walks the keys of one object the process holds (a config, a stats group): the
    // writes render that record, a burst bounded by it, not a stream of data (StatsD's admin console).
    if (c.member === 'write' && c.resultUnused && c.inLoop && c.loop && !T.isForInStatement(c.loop) && isStream(c)) {
      const loopStart = startOf(c.loop, text);
      if (w.drains.some((d) => d > loopStart && d <= c.loop!.end)) continue;
      if (leavesLoopAfter(c.node, c.loop)) continue;
      // One write per item of the configuration (the backends of a proxy's hash ring, listed by its
      // admin `status` reply): a burst the config file bounds, not a stream that grows with traffic.
      const walked = loopCollection(c.loop);
      if (walked && (config ??= configReader(w, functions, c.node.getSourceFile(), rootScope(c.scope))).isConfig(walked, c.scope)) continue;
      const callee = unwrap(c.node.expression) as ts.PropertyAccessExpression;
      const receiver = normalisedText(text, startOf(callee.expression, text), callee.expression.end);
      out.push({ id: out.length, span: c.span, constructor: STREAM_WRITE, text: `${receiver}.write()`, bounded: false, reason: 'ignored-backpressure', ...whereOf(c, functions) });
    }
  }
  return out;
}

/**
 * True when a statement after the write, in a block between it and the loop, leaves the loop
 * (`socket.write(reply); return;`): the write runs once, not once per item. A `break` counts only
 * when no `switch` sits between it and the loop; a `forEach` callback cannot leave its loop.
 */
function leavesLoopAfter(call: ts.Node, loop: ts.Node): boolean {
  if (!T.isIterationStatement(loop, false)) return false;
  for (let n: ts.Node = call; n.parent && n !== loop; n = n.parent) {
    const parent = n.parent;
    if (isFunctionBoundary(parent)) return false;
    const statements = T.isBlock(parent) || T.isCaseClause(parent) || T.isDefaultClause(parent) ? parent.statements : undefined;
    if (!statements) continue;
    const after = statements.slice(statements.indexOf(n as ts.Statement) + 1);
    const breaksLoop = !switchBetween(parent, loop);
    if (after.some((st) => T.isReturnStatement(st) || T.isThrowStatement(st) || (breaksLoop && T.isBreakStatement(st) && !st.label))) return true;
  }
  return false;
}

/** The collection a loop walks: `for (const x of xs)`, `xs.forEach(…)`, `for (let i = 0; i < xs.length; i++)`. */
function loopCollection(loop: ts.Node): ts.Expression | undefined {
  if (T.isForOfStatement(loop)) return loop.expression;
  if (T.isCallExpression(loop)) {
    const callee = unwrap(loop.expression);
    return T.isPropertyAccessExpression(callee) ? callee.expression : undefined;
  }
  if (T.isForStatement(loop) && loop.condition && T.isBinaryExpression(loop.condition)) {
    const right = unwrap(loop.condition.right);
    if (T.isPropertyAccessExpression(right) && right.name.text === 'length') return right.expression;
  }
  return undefined;
}

function rootScope(scope: Scope): Scope {
  let s = scope;
  while (s.parent) s = s.parent;
  return s;
}

function switchBetween(node: ts.Node, loop: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n && n !== loop; n = n.parent) if (T.isSwitchStatement(n)) return true;
  return false;
}

function isFunctionBoundary(n: ts.Node): boolean {
  return T.isFunctionLike(n) || T.isClassLike(n);
}

function whereOf(c: ResolvedCall, functions: readonly FunctionInfo[]): { context: number | undefined; functionId: number | undefined } {
  return { context: c.functionId === undefined ? undefined : functions[c.functionId]!.context, functionId: c.functionId };
}

/** Why a constructor call is unbounded, or `undefined` when it has a finite bound. */
function unboundedReason(c: ResolvedCall, shape: ChannelShape | undefined): UnboundedReason | undefined {
  const args = c.node.arguments ?? [];
  // Without a known shape, any argument is taken as a bound: user-added constructors stay quiet unless bare.
  if (!shape) return args.length === 0 ? 'no-capacity' : undefined;
  const arg = shape.last && args.length > shape.arg ? args[args.length - 1] : args[shape.arg];
  const missing: UnboundedReason | undefined = shape.defaultBounded ? undefined : 'no-capacity';
  if (!arg) return missing;
  const value = shape.positional ? arg : optionValue(unwrap(arg), shape.option!);
  if (value === null) return undefined; // a spread or computed options object: give it the benefit of the doubt
  if (value === undefined) return missing;
  return isInfinite(unwrap(value)) ? 'infinite-capacity' : undefined;
}

/** The value of `name` in an object literal; `undefined` when absent, `null` when it cannot be known. */
function optionValue(obj: ts.Expression, name: string): ts.Expression | undefined | null {
  if (!T.isObjectLiteralExpression(obj)) return null;
  let unknown = false;
  for (const p of obj.properties) {
    if (T.isSpreadAssignment(p)) unknown = true;
    else if (p.name && (T.isIdentifier(p.name) || T.isStringLiteral(p.name)) && p.name.text === name) {
      if (T.isPropertyAssignment(p)) return p.initializer;
      if (T.isShorthandPropertyAssignment(p)) return p.name;
    }
  }
  return unknown ? null : undefined;
}

function isInfinite(e: ts.Expression): boolean {
  if (T.isIdentifier(e)) return e.text === 'Infinity';
  if (T.isPropertyAccessExpression(e)) return /^Number\.(POSITIVE_INFINITY|MAX_SAFE_INTEGER|MAX_VALUE)$/.test(e.getText());
  return false;
}

/** The receiver of a `write` is a stream by construction (typed) or by a stream-like name. */
function isStream(c: ResolvedCall): boolean {
  const callee = unwrap(c.node.expression);
  if (!T.isPropertyAccessExpression(callee)) return false;
  const receiver = unwrap(callee.expression);
  const type = resolveExpr(receiver, c.scope);
  if (type !== undefined) return STREAM_TYPES.has(type) || type.endsWith('Stream');
  const name = T.isIdentifier(receiver) ? receiver.text : T.isPropertyAccessExpression(receiver) ? receiver.name.text : undefined;
  return name !== undefined && STREAM_RECEIVER_NAMES.test(name);
}
