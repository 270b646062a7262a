/**
 * Fix for a Rust retry loop (`retry-without-backoff`), a suggestion whose numbers are placeholders:
 * - no cap, in a function that returns a `Result`: `let mut attempt: u32 = 0;` before the loop,
 *   `attempt += 1;` at the top of its body, and `if attempt >= 5 { return Err(err.into()); }` in the
 *   `Err(err)` arm (`Err(_)` gets a binding);
 * - no growth: the sleep's `Duration` `d` becomes `d.saturating_mul(2u32.saturating_pow(attempt))`
 *   capped at 30 s, with full jitter (`.mul_f64(rand::random::<f64>())`) when the crate depends on
 *   `rand`, the counter being the loop's own (`for attempt in 0..5`, `while attempts < 10`, an
 *   `Err(e) if attempt < 5` guard) or the one the cap adds.
 * Refused, with the reason, where giving up has no obvious value to return (a function that does
 * not return a `Result`) or there is no sleep to grow.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import type { SyntaxNode } from '../syntax';
import { indentAt, rustTree } from './util';

const NONE: FixResult = { fixes: [], refused: [] };
const ATTEMPTS = 5;
const LOOPS = new Set(['loop_expression', 'while_expression', 'for_expression']);
const NESTED = new Set(['closure_expression', 'function_item', 'async_block', 'loop_expression', 'while_expression', 'for_expression']);

export function retryFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  const tree = rustTree(parsed);
  const site = finding.data?.retryId === undefined ? undefined : parsed.model.retries?.[finding.data.retryId];
  if (!tree || !site || site.kind !== 'loop') return NONE;
  const text = parsed.text;
  const jitter = ctx.dependencies?.has('rand') === true;
  const title = `Retry at most ${ATTEMPTS} times with exponential backoff${jitter ? ' and jitter' : ''} (${ATTEMPTS} attempts and the 30 s ceiling are placeholders: choose them)`;
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });
  const loop = loopAt(tree.root, site.span.start);
  const body = loop?.children.find((c) => c.type === 'block');
  if (!loop || !body) return NONE;
  const edits: TextEdit[] = [];
  let counter = counterOf(text, loop, body);
  let owned = false;
  // `for _ in 0..3`: the loop counts already; name its variable so the delay can grow with it.
  const unnamed = loop.type === 'for_expression' ? /^for\s+(_)\s+in\b/.exec(text.slice(loop.start, body.start)) : null;
  if (unnamed && site.delay !== 'growing') {
    counter = freeName(text, loop, 'attempt');
    const at = loop.start + unnamed[0].indexOf('_');
    edits.push({ span: { start: at, end: at + 1 }, newText: counter });
  }
  if (!site.capped) {
    const fn = enclosingFn(loop);
    const ret = fn ? returnType(text, fn) : undefined;
    if (ret === undefined || !/(^|::)Result\b/.test(ret)) return refuse('the function does not return a `Result`, so giving up after the last attempt needs a decision about what to return');
    const arm = errArm(text, body);
    if (!arm) return refuse('no `Err(…)` arm goes round again, so there is no error to give up with');
    counter = freeName(text, loop, 'attempt');
    owned = true;
    const loopIndent = indentAt(text, loop.start);
    edits.push({ span: { start: loop.start, end: loop.start }, newText: `let mut ${counter}: u32 = 0;\n${loopIndent}` });
    const first = body.children.find((c) => !/comment/.test(c.type));
    const bodyIndent = first ? indentAt(text, first.start) : loopIndent + '    ';
    edits.push({ span: { start: body.start + 1, end: body.start + 1 }, newText: `\n${bodyIndent}${counter} += 1;` });
    let err = arm.binding;
    if (err === undefined) {
      err = freeName(text, loop, 'err');
      edits.push({ span: arm.wildcard!, newText: err });
    }
    const cap = `if ${counter} >= ${ATTEMPTS} { return Err(${err}.into()); }`;
    if (arm.body.type === 'block') {
      const inner = arm.body.children.find((c) => !/comment/.test(c.type));
      if (inner && text.slice(arm.body.start, inner.start).includes('\n')) {
        edits.push({ span: { start: inner.start, end: inner.start }, newText: `${cap}\n${indentAt(text, inner.start)}` });
      } else edits.push({ span: { start: arm.body.start + 1, end: arm.body.start + 1 }, newText: ` ${cap}` });
    } else {
      edits.push({ span: { start: arm.body.start, end: arm.body.end }, newText: `{ ${cap} ${text.slice(arm.body.start, arm.body.end)} }` });
    }
  }
  if (site.delay !== 'growing') {
    if (counter === undefined) return refuse('no variable counts the attempts, so the delay has nothing to grow with');
    const sleep = sleepArgument(text, body);
    if (!sleep) return refuse('the loop has no sleep with a `Duration` to grow: wait with `tokio::time::sleep` between attempts by hand');
    const d = text.slice(sleep.start, sleep.end);
    const base = /^[\w:]+(\([^()]*\))?$/.test(d) ? d : `(${d})`;
    const n = owned ? counter : `${counter} as u32`;
    edits.push({ span: sleep, newText: `${base}.saturating_mul(2u32.saturating_pow(${n})).min(std::time::Duration::from_secs(30))${jitter ? '.mul_f64(rand::random::<f64>())' : ''}` });
  }
  if (!edits.length) return NONE;
  return { fixes: [{ title, safety: 'suggestion', edits }], refused: [] };
}

function loopAt(root: SyntaxNode, start: number): SyntaxNode | undefined {
  let n: SyntaxNode | undefined = root;
  while (n) {
    if (LOOPS.has(n.type) && n.start === start) return n;
    n = n.children.find((c) => c.start <= start && start < c.end);
  }
  return undefined;
}

function enclosingFn(n: SyntaxNode): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'closure_expression' || p.type === 'async_block') return undefined;
    if (p.type === 'function_item') return p;
  }
  return undefined;
}

/** The return type as written, between `->` and the body. */
function returnType(text: string, fn: SyntaxNode): string | undefined {
  const body = fn.children.find((c) => c.type === 'block');
  const head = text.slice(fn.start, body ? body.start : fn.end);
  const m = /->\s*([^{]+?)\s*(where\b[^{]*)?$/.exec(head);
  return m?.[1]?.trim();
}

/** The loop's own counter: `for attempt in 0..5`, `while attempts < 10`, an `Err(e) if attempt < 5` guard or `if attempt >= 5 {` check. */
function counterOf(text: string, loop: SyntaxNode, body: SyntaxNode): string | undefined {
  const head = text.slice(loop.start, body.start);
  if (loop.type === 'for_expression') return /^for\s+([a-z]\w*)\s+in\b/.exec(head)?.[1];
  if (loop.type === 'while_expression') return /^while\s+([a-z_]\w*)\s*(<|<=|>|>=)/.exec(head)?.[1];
  const b = text.slice(body.start, body.end);
  return /\bif\s+([a-z_]\w*)\s*(<|<=|>|>=)\s*[\w:]+\s*(=>|\{)/.exec(b)?.[1];
}

function freeName(text: string, loop: SyntaxNode, base: string): string {
  const own = text.slice(loop.start, loop.end);
  for (let i = 0; ; i++) {
    const name = i === 0 ? base : `${base}${i + 1}`;
    if (!new RegExp(`\\b${name}\\b`).test(own)) return name;
  }
}

/** The first `Err(x) =>` arm of a `match` in the loop body that does not leave the loop. */
function errArm(text: string, body: SyntaxNode): { body: SyntaxNode; binding?: string; wildcard?: { start: number; end: number } } | undefined {
  let found: ReturnType<typeof errArm>;
  const visit = (n: SyntaxNode): void => {
    if (found || (n !== body && NESTED.has(n.type))) return;
    if (n.type === 'match_arm') {
      const pattern = n.children.find((c) => c.type === 'match_pattern');
      const armBody = n.children.find((c) => c !== pattern && !/comment/.test(c.type));
      const p = pattern ? text.slice(pattern.start, pattern.end) : '';
      const m = /^Err\s*\(\s*([a-z_]\w*)\s*\)\s*$/.exec(p);
      if (pattern && armBody && m && !/^(break|return)\b/.test(text.slice(armBody.start, armBody.end).replace(/^\{\s*/, ''))) {
        const name = m[1]!;
        if (name === '_') {
          const at = pattern.start + p.indexOf('_', p.indexOf('('));
          found = { body: armBody, wildcard: { start: at, end: at + 1 } };
        } else found = { body: armBody, binding: name };
        return;
      }
    }
    n.children.forEach(visit);
  };
  visit(body);
  return found;
}

/** The `Duration` argument of the first `sleep(…)` in the loop (`tokio::time::sleep`, `std::thread::sleep`, `task::sleep`). */
function sleepArgument(text: string, body: SyntaxNode): { start: number; end: number } | undefined {
  let found: { start: number; end: number } | undefined;
  const visit = (n: SyntaxNode): void => {
    if (found || (n !== body && NESTED.has(n.type))) return;
    if (n.type === 'call_expression') {
      const callee = n.children[0];
      const args = n.children.find((c) => c.type === 'arguments');
      const name = callee ? text.slice(callee.start, callee.end).replace(/\s+/g, '') : '';
      const arg = args?.children.filter((c) => !/comment/.test(c.type));
      if (/(^|::)sleep$/.test(name) && arg?.length === 1) {
        found = { start: arg[0]!.start, end: arg[0]!.end };
        return;
      }
    }
    n.children.forEach(visit);
  };
  visit(body);
  return found;
}

