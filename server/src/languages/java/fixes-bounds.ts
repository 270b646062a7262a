/**
 * Java fixes that add a bound (suggestions; the numbers are placeholders the titles name):
 * - `unbounded-channel`: `new LinkedBlockingQueue<>()` → `new LinkedBlockingQueue<>(1024)`;
 *   `onBackpressureBuffer()` → `onBackpressureBuffer(256)` (an overflow error when full);
 *   a unicast sink's default queue → `onBackpressureBuffer(new ArrayBlockingQueue<>(256))`;
 *   `replay().all()` → `replay().limit(256)`; `Flux.create(e)`/`push(e)` (buffering) → with
 *   `FluxSink.OverflowStrategy.ERROR`; `Executors.newFixedThreadPool(n)`/`newSingleThreadExecutor()`/
 *   `newCachedThreadPool()` → a `ThreadPoolExecutor` with an `ArrayBlockingQueue` (a `SynchronousQueue`
 *   and at most 64 threads for the cached pool) and `CallerRunsPolicy`.
 * - `retry-without-backoff`, Reactor: `retry()`/`retry(n)` → `retryWhen(Retry.backoff(3 or n,
 *   Duration.ofMillis(100)))`; `Retry.max(n)`/`maxInARow(n)` → `Retry.backoff(n, Duration.ofMillis(100))`;
 *   `Retry.fixedDelay(n, d)` → `Retry.backoff(n, d)`; `Retry.indefinitely()` → `Retry.backoff(3, …)`.
 *   Hand-written loops, `@Retryable`, reactor-extra and resilience4j get advice, not a rewrite.
 * The engine re-parses every fix.
 */
import type { Finding, Fix, RefusedFix, TextEdit } from '../../engine/finding';
import type { ParsedFile } from '../../engine/language';
import type { JavaState } from './builder';
import { JAVA_CHANNELS } from './catalog';
import { field, type JavaNode } from './syntax';

/** An edit adding `import <name>;` after the last import (or the package declaration) when the file lacks it. */
export function addImport(state: JavaState, root: JavaNode, qualified: string): TextEdit | undefined {
  const simple = qualified.slice(qualified.lastIndexOf('.') + 1);
  if (state.types.imports.get(simple) === qualified || state.types.wildcards.includes(qualified.slice(0, qualified.lastIndexOf('.')))) return undefined;
  const anchor = [...root.children].reverse().find((n) => n.type === 'import_declaration') ?? root.children.find((n) => n.type === 'package_declaration');
  if (!anchor) return { span: { start: 0, end: 0 }, newText: `import ${qualified};\n` };
  return { span: { start: anchor.end, end: anchor.end }, newText: `\nimport ${qualified};` };
}

/** The simple name when the file may import it (nothing else of that name is imported), else the qualified name. */
function nameFor(state: JavaState, root: JavaNode, qualified: string, edits: TextEdit[]): string {
  const simple = qualified.slice(qualified.lastIndexOf('.') + 1);
  const taken = state.types.imports.get(simple);
  if (taken !== undefined && taken !== qualified) return qualified;
  if (state.types.classesByName.has(simple)) return qualified;
  const e = addImport(state, root, qualified);
  if (e && !edits.some((x) => x.newText === e.newText)) edits.push(e);
  return simple;
}

function nodeAt(state: JavaState, start: number, end: number): JavaNode | undefined {
  for (const c of state.calls) {
    const n = state.nodeOfCall.get(c.id);
    if (n && n.start === start && n.end === end) return n;
  }
  return undefined;
}

const argsOf = (call: JavaNode): JavaNode[] => (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type));

/** The bound for one Java `unbounded-channel` finding. */
export function channelFix(state: JavaState, root: JavaNode, finding: Finding, parsed: ParsedFile): Fix | RefusedFix | undefined {
  const ch = finding.data?.channelId === undefined ? undefined : parsed.model.channels[finding.data.channelId];
  const node = ch ? nodeAt(state, ch.span.start, ch.span.end) : undefined;
  if (!ch || !node) return undefined;
  const { text } = state;
  const list = field(node, 'arguments');
  const a = argsOf(node);
  const edits: TextEdit[] = [];
  const fix = (title: string): Fix => ({ title, safety: 'suggestion', edits });
  const J = JAVA_CHANNELS;
  switch (ch.constructor) {
    case J.linkedQueue:
    case J.linkedDeque:
      if (!list || a.length !== 0) return undefined;
      edits.push({ span: { start: list.start, end: list.end }, newText: '(1024)' });
      return fix('Give the queue a capacity (1024 is a placeholder)');
    case J.bufferOperator:
      if (!list || a.length !== 0) return undefined;
      edits.push({ span: { start: list.start, end: list.end }, newText: '(256)' });
      return fix('Bound the buffer: `onBackpressureBuffer(256)` signals an overflow error when it is full (256 is a placeholder)');
    case J.unicastSink: {
      if (!list || a.length !== 0) return { title: 'Bound the sink\'s queue', reason: 'the queue given to the sink is replaced by hand' };
      const q = nameFor(state, root, 'java.util.concurrent.ArrayBlockingQueue', edits);
      edits.push({ span: { start: list.start, end: list.end }, newText: `(new ${q}<>(256))` });
      return fix('Give the sink a bounded queue (`tryEmitNext` fails with `FAIL_OVERFLOW` when it is full; 256 is a placeholder)');
    }
    case J.replayAll: {
      const name = field(node, 'name');
      if (!name || !list || a.length !== 0) return { title: 'Replay a bounded history', reason: '`all(batchSize)` is rewritten by hand' };
      edits.push({ span: { start: name.start, end: list.end }, newText: 'limit(256)' });
      return fix('Replay the last 256 elements only: `replay().limit(256)` (256 is a placeholder)');
    }
    case J.create:
    case J.push: {
      const strategy = `${nameFor(state, root, 'reactor.core.publisher.FluxSink', edits)}.OverflowStrategy.ERROR`;
      if (a.length === 1) edits.push({ span: { start: a[0]!.end, end: a[0]!.end }, newText: `, ${strategy}` });
      else if (a.length === 2) edits.push({ span: { start: a[1]!.start, end: a[1]!.end }, newText: strategy });
      else return undefined;
      return fix('Signal an error when the subscriber falls behind (`OverflowStrategy.ERROR`; `DROP` or `LATEST` drop instead)');
    }
    case J.fixedPool:
    case J.singleThread:
    case J.cachedPool: {
      const cached = ch.constructor === J.cachedPool;
      const single = ch.constructor === J.singleThread;
      if (a.length > (single || cached ? 1 : 2)) return undefined;
      const factory = single || cached ? a[0] : a[1];
      const n = single ? '1' : cached ? '' : text.slice(a[0]!.start, a[0]!.end);
      if (!single && !cached && a.length === 0) return undefined;
      const tpe = nameFor(state, root, 'java.util.concurrent.ThreadPoolExecutor', edits);
      const unit = nameFor(state, root, 'java.util.concurrent.TimeUnit', edits);
      const queue = cached ? `new ${nameFor(state, root, 'java.util.concurrent.SynchronousQueue', edits)}<>()` : `new ${nameFor(state, root, 'java.util.concurrent.ArrayBlockingQueue', edits)}<>(1024)`;
      const sizes = cached ? `0, 64, 60L, ${unit}.SECONDS` : `${n}, ${n}, 0L, ${unit}.MILLISECONDS`;
      const made = `new ${tpe}(${sizes}, ${queue}, ${factory ? `${text.slice(factory.start, factory.end)}, ` : ''}new ${tpe}.CallerRunsPolicy())`;
      edits.push({ span: { start: node.start, end: node.end }, newText: made });
      return fix(cached ? 'Use a `ThreadPoolExecutor` of at most 64 threads that runs overflow on the caller (64 is a placeholder)' : 'Use a `ThreadPoolExecutor` with a bounded queue that runs overflow on the caller (1024 is a placeholder)');
    }
    default:
      return undefined;
  }
}

/** Backoff for one Java `retry-without-backoff` finding, where Reactor's `Retry.backoff` replaces what is there. */
export function retryFix(state: JavaState, root: JavaNode, finding: Finding, parsed: ParsedFile): Fix | RefusedFix | undefined {
  const site = finding.data?.retryId === undefined ? undefined : parsed.model.retries?.[finding.data.retryId];
  if (!site || site.kind !== 'call' || site.retrier === undefined) return undefined;
  const title = 'Retry with exponential backoff: `Retry.backoff(…)` (jittered; 3 attempts and 100 ms are placeholders)';
  if (site.retrier.startsWith('@') || site.retrier.startsWith('RetryConfig')) return undefined;
  const node = nodeAt(state, site.span.start, site.span.end);
  if (!node || node.type !== 'method_invocation') return undefined;
  const { text } = state;
  const edits: TextEdit[] = [];
  const name = field(node, 'name');
  const member = name ? text.slice(name.start, name.end) : '';
  const list = field(node, 'arguments');
  if (!name || !list) return undefined;
  if (member === 'retry') {
    const a = argsOf(node);
    // Reactor 3.3's `retry(Predicate)`-style overloads are not a count.
    if (a[0] && (a[0].type === 'lambda_expression' || a[0].type === 'method_reference')) return { title, reason: 'a `retry` given a predicate is rewritten by hand (`Retry.backoff(…).filter(…)`)' };
    const retry = nameFor(state, root, 'reactor.util.retry.Retry', edits);
    const duration = nameFor(state, root, 'java.time.Duration', edits);
    edits.push({ span: { start: name.start, end: list.end }, newText: `retryWhen(${retry}.backoff(${a[0] ? text.slice(a[0].start, a[0].end) : '3'}, ${duration}.ofMillis(100)))` });
    return { title, safety: 'suggestion', edits };
  }
  // A spec: `retryWhen(Retry.max(3).filter(…))`, or a stored `Retry.fixedDelay(…)`: rewrite the factory at the root of its chain.
  let spec: JavaNode | undefined = member === 'retryWhen' ? argsOf(node)[0] : node;
  while (spec?.type === 'method_invocation' && field(spec, 'object')?.type === 'method_invocation') spec = field(spec, 'object');
  if (!spec || spec.type !== 'method_invocation') return undefined;
  const specName = field(spec, 'name');
  const specArgs = field(spec, 'arguments');
  const obj = field(spec, 'object');
  if (!specName || !specArgs || !obj || !/^(?:reactor\.util\.retry\.)?Retry$/.test(text.slice(obj.start, obj.end).replace(/\s+/g, ''))) return undefined;
  const factory = text.slice(specName.start, specName.end);
  const a = argsOf(spec);
  const duration = (): string => nameFor(state, root, 'java.time.Duration', edits);
  let newArgs: string;
  if ((factory === 'max' || factory === 'maxInARow') && a.length === 1) newArgs = `(${text.slice(a[0]!.start, a[0]!.end)}, ${duration()}.ofMillis(100))`;
  else if (factory === 'fixedDelay' && a.length === 2) newArgs = text.slice(specArgs.start, specArgs.end);
  else if (factory === 'indefinitely' && a.length === 0) newArgs = `(3, ${duration()}.ofMillis(100))`;
  else return { title, reason: factory === 'backoff' ? 'the backoff has no cap: choose a number of attempts in place of `Long.MAX_VALUE`' : `\`Retry.${factory}\` is rewritten by hand` };
  // `Retry.max(…).filter(…)` keeps its filter: `RetryBackoffSpec` has the same methods, except `maxInARow`'s transient errors.
  edits.push({ span: { start: specName.start, end: specArgs.end }, newText: `backoff${newArgs}` });
  // A spec kept in a `RetrySpec` field or local: `Retry.backoff` makes a `RetryBackoffSpec`.
  let whole: JavaNode = spec;
  while (whole.parent?.type === 'method_invocation' && whole.field === 'object') whole = whole.parent;
  const declarator = whole.parent?.type === 'variable_declarator' && field(whole.parent, 'value') === whole ? whole.parent : undefined;
  const declType = declarator?.parent ? field(declarator.parent, 'type') : undefined;
  if (declType && /^(?:reactor\.util\.retry\.)?RetrySpec$/.test(text.slice(declType.start, declType.end).replace(/\s+/g, ''))) {
    edits.push({ span: { start: declType.start, end: declType.end }, newText: nameFor(state, root, 'reactor.util.retry.RetryBackoffSpec', edits) });
  }
  return { title, safety: 'suggestion', edits };
}
