/**
 * Fixes for Java `blocking-in-async` findings, both suggestions (they change when work runs; the executor
 * and `flatMap` concurrency fixes are in fixes-pools.ts):
 * - a `Thread.sleep(d)` statement before the `return` of a publisher-returning body becomes a delay in
 *   the pipeline: `return Mono.delay(Duration.ofMillis(d)).then(…)`;
 * - a blocking call in a `map` callback moves to `boundedElastic`: the `map` becomes a `flatMap` over
 *   `Mono.fromCallable(() -> …).subscribeOn(Schedulers.boundedElastic())`.
 * The engine re-parses every fix and drops one whose result does not parse.
 */
import type { Finding, Fix, RefusedFix, TextEdit } from '../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../engine/language';
import { treeSitterTree } from '../tree-sitter';
import type { JFn, JavaState } from './builder';
import { enclosingFn } from './builder';
import type { JavaData } from './index';
import { field, JAVA_GRAMMAR, type JavaNode } from './syntax';
import { FLUX, MONO } from './types';
import { concurrencyFix, executorFixes } from './fixes-pools';
import { detachedFix } from './fixes-detached';
import { composeFix } from './fixes-compose';
import { addImport, channelFix, retryFix } from './fixes-bounds';

const FLUX_OPERATORS = /^(?:flatMapMany|thenMany|concatMap|flatMapSequential|switchMap|flatMapIterable)$/;

/** The statement span to delete with its line: from the line's start to the end of its line break. */
function statementLine(text: string, node: JavaNode): { start: number; end: number } {
  const lineStart = text.lastIndexOf('\n', node.start - 1) + 1;
  const onlyStatement = text.slice(lineStart, node.start).trim() === '';
  const nl = text.indexOf('\n', node.end);
  const rest = nl < 0 ? text.slice(node.end) : text.slice(node.end, nl);
  // A trailing `// …` comment on the statement's line is about the statement: it goes with it.
  if (onlyStatement && (rest.trim() === '' || rest.trim().startsWith('//'))) return { start: lineStart, end: nl < 0 ? text.length : nl + 1 };
  return { start: node.start, end: node.end };
}

/** The operator a lambda is the callback of (`flatMap`), when it is an argument of a method call. */
function operatorOf(state: JavaState, fn: JFn): string | undefined {
  const args = fn.node.parent;
  const call = args?.type === 'argument_list' ? args.parent : undefined;
  const name = call?.type === 'method_invocation' ? field(call, 'name') : undefined;
  return name ? state.text.slice(name.start, name.end) : undefined;
}

function sleepFix(state: JavaState, root: JavaNode, call: JavaNode, ctxFn: JFn): Fix | RefusedFix {
  const title = 'Delay with `Mono.delay(…)` instead of sleeping';
  const { text } = state;
  const args = field(call, 'arguments')?.children ?? [];
  if (args.length !== 1 || call.parent?.type !== 'expression_statement') return { title, reason: 'the sleep is not a statement of its own' };
  let stmt: JavaNode = call.parent;
  // `try { Thread.sleep(d); } catch (InterruptedException e) { … }` goes as a whole.
  const block = stmt.parent;
  if (block?.type === 'block' && block.parent?.type === 'try_statement' && block.children.filter((c) => !/comment$/.test(c.type)).length === 1) {
    const tr = block.parent;
    const catches = tr.children.filter((c) => c.type === 'catch_clause');
    const onlyInterrupted = catches.every((c) => /^catch\s*\(\s*(?:final\s+)?InterruptedException\s+\w+\s*\)/.test(text.slice(c.start, c.end)));
    if (!onlyInterrupted || tr.children.some((c) => c.type === 'finally_clause')) return { title, reason: 'the `try` around the sleep does more than restore the interrupt' };
    stmt = tr;
  }
  const body = field(ctxFn.node, 'body');
  if (!body || body.type !== 'block' || stmt.parent !== body) return { title, reason: 'the sleep is not in the body of the callback itself' };
  const returns: JavaNode[] = [];
  const visit = (n: JavaNode): void => {
    for (const c of n.children) {
      if (c.type === 'lambda_expression' || c.type === 'class_body') continue;
      if (c.type === 'return_statement') returns.push(c);
      visit(c);
    }
  };
  visit(body);
  const last = body.children.filter((c) => !/comment$/.test(c.type)).at(-1);
  if (!last || returns.length !== 1 || returns[0] !== last || last.start < stmt.end) return { title, reason: 'the body has more than one way out after the sleep' };
  const value = last.children[0];
  if (!value) return { title, reason: 'the body returns no publisher' };
  let many: boolean;
  if (ctxFn.kind === 'method') {
    if (ctxFn.returns !== MONO && ctxFn.returns !== FLUX) return { title, reason: 'the method returns neither a `Mono` nor a `Flux`' };
    many = ctxFn.returns === FLUX;
  } else {
    const op = operatorOf(state, ctxFn);
    if (op === undefined || !/^(?:flatMap|flatMapMany|concatMap|flatMapSequential|switchMap|then|defer|filterWhen|delayUntil|onErrorResume)$/.test(op)) return { title, reason: 'the callback does not return a publisher' };
    many = FLUX_OPERATORS.test(op) || /^Flux\./.test(text.slice(value.start, value.end));
  }
  const delay = text.slice(args[0]!.start, args[0]!.end);
  const edits: TextEdit[] = [
    { span: statementLine(text, stmt), newText: '' },
    { span: { start: value.start, end: value.start }, newText: `Mono.delay(Duration.ofMillis(${delay})).${many ? 'thenMany' : 'then'}(` },
    { span: { start: value.end, end: value.end }, newText: ')' },
  ];
  for (const imp of ['java.time.Duration', MONO]) {
    const e = addImport(state, root, imp);
    if (e) edits.push(e);
  }
  return { title, safety: 'suggestion', edits };
}

function offloadFix(state: JavaState, root: JavaNode, call: JavaNode, ctxFn: JFn, callee: string | undefined): Fix | RefusedFix {
  const title = 'Run it on `boundedElastic` (`map` → `flatMap` over `Mono.fromCallable`)';
  const { text } = state;
  if (ctxFn.kind !== 'lambda' || operatorOf(state, ctxFn) !== 'map') return { title, reason: 'only a `map` callback is rewritten' };
  if (callee?.startsWith('reactor.')) return { title, reason: 'a `block()` inside an operator is fixed by composing the publisher it blocks on (`flatMap`), not by moving the wait' };
  const body = field(ctxFn.node, 'body');
  if (!body || body.type === 'block') return { title, reason: 'the `map` callback has a block body' };
  if (enclosingFn(state, call) !== ctxFn) return { title, reason: 'the call is inside a nested callback' };
  const mapCall = ctxFn.node.parent!.parent!;
  const name = field(mapCall, 'name')!;
  const edits: TextEdit[] = [
    { span: { start: name.start, end: name.end }, newText: 'flatMap' },
    { span: { start: body.start, end: body.start }, newText: 'Mono.fromCallable(() -> ' },
    { span: { start: body.end, end: body.end }, newText: ').subscribeOn(Schedulers.boundedElastic())' },
  ];
  for (const imp of [MONO, 'reactor.core.scheduler.Schedulers']) {
    const e = addImport(state, root, imp);
    if (e) edits.push(e);
  }
  void text;
  return { title, safety: 'suggestion', edits };
}

/** Fix edits for one Java finding. */
export function javaFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  void ctx;
  if (finding.rule === 'unbounded-fan-out') {
    const tree = treeSitterTree<JavaData>(parsed, JAVA_GRAMMAR);
    const site = finding.data?.fanOutId === undefined ? undefined : parsed.model.fanOuts?.[finding.data.fanOutId];
    if (!tree || !site) return { fixes: [], refused: [] };
    const r = concurrencyFix(tree.data.state, site);
    return 'edits' in r ? { fixes: [r], refused: [] } : { fixes: [], refused: [r] };
  }
  if (finding.rule === 'unbounded-channel' || finding.rule === 'retry-without-backoff') {
    const tree = treeSitterTree<JavaData>(parsed, JAVA_GRAMMAR);
    const r = !tree ? undefined : finding.rule === 'unbounded-channel' ? channelFix(tree.data.state, tree.root, finding, parsed) : retryFix(tree.data.state, tree.root, finding, parsed);
    return !r ? { fixes: [], refused: [] } : 'edits' in r ? { fixes: [r], refused: [] } : { fixes: [], refused: [r] };
  }
  if (finding.rule === 'detached-task') {
    const tree = treeSitterTree<JavaData>(parsed, JAVA_GRAMMAR);
    const r = tree ? detachedFix(tree.data.state, finding, parsed) : undefined;
    return !r ? { fixes: [], refused: [] } : 'edits' in r ? { fixes: [r], refused: [] } : { fixes: [], refused: [r] };
  }
  if (finding.rule !== 'blocking-in-async') return { fixes: [], refused: [] };
  const tree = treeSitterTree<JavaData>(parsed, JAVA_GRAMMAR);
  const callId = finding.data?.callId;
  if (!tree || callId === undefined) return { fixes: [], refused: [] };
  const { state } = tree.data;
  const node = state.nodeOfCall.get(callId);
  const site = parsed.model.calls[callId];
  if (!node || !site || site.context === undefined || node.type !== 'method_invocation') return { fixes: [], refused: [] };
  const ctxFn = state.fns[parsed.model.contexts[site.context]!.functionId]!;
  // A task on the common `ForkJoinPool`: it moves to an executor in scope.
  const pooled = executorFixes(state, ctxFn);
  if (pooled.fixes.length > 0 || pooled.refused.length > 0) return pooled;
  const composed = /^reactor\.core\.publisher\.(?:Mono\.block|Flux\.blockFirst|Flux\.blockLast)$/.test(site.callee ?? '');
  const results = [site.callee === 'java.lang.Thread.sleep' ? sleepFix(state, tree.root, node, ctxFn) : composed ? composeFix(state, node, ctxFn) : offloadFix(state, tree.root, node, ctxFn, site.callee)];
  return {
    fixes: results.filter((r): r is Fix => 'edits' in r),
    refused: results.filter((r): r is RefusedFix => !('edits' in r)),
  };
}
