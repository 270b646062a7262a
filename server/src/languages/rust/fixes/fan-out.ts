/**
 * Fixes for `unbounded-fan-out` in Rust, both suggestions with a bound to choose (8):
 * - `join_all(iter)` → `futures::stream::iter(iter).buffered(8).collect::<Vec<_>>()` and
 *   `try_join_all(iter)` → `….buffered(8).try_collect::<Vec<_>>()`: `buffered` keeps the results in
 *   the items' order, as the joiners do, and `try_collect` stops at the first error as `try_join_all`
 *   does. The trait the methods need (`futures::StreamExt`, `futures::TryStreamExt`) is imported in
 *   the module when it is not already.
 * - a tokio task per item of a `for` loop → a `tokio::sync::Semaphore` made before the loop, an owned
 *   permit acquired before each spawn (so the loop waits while 8 are running) and moved into the task,
 *   which releases it when the task ends.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import type { FanOutSite } from '../../../engine/model';
import type { RustTree } from '../index';
import type { SyntaxNode } from '../syntax';
import { callNode, fnOf, indentAt, rustTree } from './util';

const NONE: FixResult = { fixes: [], refused: [] };
const LIMIT = 8;
const TOKIO_SPAWNS = /^(tokio::spawn|tokio::task::spawn|tokio::task::spawn_blocking)$/;

export function fanOutFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = rustTree(parsed);
  const site = finding.data?.fanOutId === undefined ? undefined : parsed.model.fanOuts?.[finding.data.fanOutId];
  if (!tree || !site) return NONE;
  const call = parsed.model.calls.find((c) => c.span.start === site.span.start && c.span.end === site.span.end);
  const node = call && callNode(tree, call.id);
  if (!call || !node) return NONE;
  return site.shape === 'map' ? joinerFix(parsed, tree, node, call.argsSpan, site) : semaphoreFix(parsed, tree, node, call.callee ?? call.calleeText, call.member);
}

function joinerFix(parsed: ParsedFile, tree: RustTree, node: SyntaxNode, argsSpan: { start: number; end: number }, site: FanOutSite): FixResult {
  const text = parsed.text;
  const fallible = /try_join_all$/.test(site.spawner);
  const inner = text.slice(argsSpan.start + 1, argsSpan.end - 1).trim();
  if (inner === '' || topLevelComma(inner)) return NONE;
  // A `StreamExt` from another crate (tokio-stream) beside futures' would make `.collect()` ambiguous.
  if (/use\s+(?!futures\b)[\w:]*(::StreamExt\b|::\{[^}]*\bStreamExt\b)/.test(text)) {
    return { fixes: [], refused: [{ title: `Run at most ${LIMIT} at once with \`buffered(${LIMIT})\``, reason: 'the file imports a `StreamExt` other than futures\' (tokio-stream\'s), whose methods would clash with the ones this fix needs' }] };
  }
  const collect = fallible ? 'try_collect' : 'collect';
  const edits: TextEdit[] = [{ span: { start: node.start, end: node.end }, newText: `futures::stream::iter(${inner}).buffered(${LIMIT}).${collect}::<Vec<_>>()` }];
  // `buffered` is a `StreamExt` method; `try_collect` a `TryStreamExt` one.
  for (const t of fallible ? ['StreamExt', 'TryStreamExt'] : ['StreamExt']) {
    const use = useEdit(text, tree, node, t);
    if (use) edits.push(use);
  }
  return {
    fixes: [{ title: `Run at most ${LIMIT} at once: \`stream::iter(…).buffered(${LIMIT})\` (${LIMIT} is a placeholder: choose N)`, safety: 'suggestion', edits }],
    refused: [],
  };
}

function topLevelComma(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) return true;
  }
  return false;
}

/** `use futures::<trait>;` after the last `use` of the module that holds `at`, unless the trait is already in scope. */
function useEdit(text: string, tree: RustTree, at: SyntaxNode, trait: string): TextEdit | undefined {
  let container: SyntaxNode | undefined;
  for (let n = at.parent; n; n = n.parent) {
    if (n.type === 'declaration_list' && n.parent?.type === 'mod_item') {
      container = n;
      break;
    }
  }
  const scope = container ?? tree.root;
  const scopeText = text.slice(scope.start, scope.end);
  const imported = new RegExp(`use\\s+futures(::(stream|prelude))?::(\\*|${trait}\\b|\\{[^}]*(\\b${trait}\\b|\\*))|use\\s+futures::(stream::)?\\{[^;]*\\b${trait}\\b`);
  if (imported.test(scopeText)) return undefined;
  const uses = scope.children.filter((c) => c.type === 'use_declaration');
  const last = uses[uses.length - 1];
  if (last) return { span: { start: last.end, end: last.end }, newText: `\n${indentAt(text, last.start)}use futures::${trait};` };
  if (container) {
    const first = container.children[0];
    const pos = first ? first.start : container.start + 1;
    return { span: { start: pos, end: pos }, newText: `use futures::${trait};\n${indentAt(text, pos)}` };
  }
  // The crate root: after leading comments and inner attributes (`//!`, `#![…]`), which must come first.
  const first = tree.root.children.find((c) => !/comment|inner_attribute/.test(c.type) && !text.slice(c.start, c.start + 3).startsWith('//!'));
  const pos = first ? first.start : text.length;
  return { span: { start: pos, end: pos }, newText: `use futures::${trait};\n\n` };
}

function semaphoreFix(parsed: ParsedFile, tree: RustTree, node: SyntaxNode, spawner: string, member: string): FixResult {
  const text = parsed.text;
  const title = `Run at most ${LIMIT} tasks at once with a \`tokio::sync::Semaphore\` (${LIMIT} is a placeholder: choose N)`;
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });
  const tokio = TOKIO_SPAWNS.test(spawner) || /^spawn(_blocking)?$/.test(member);
  if (!tokio || member === 'spawn_local' || /spawn_local$/.test(spawner)) return refuse('only tokio tasks are bounded with a tokio semaphore here: use the runtime\'s own (`async_lock::Semaphore`)');
  let loop: SyntaxNode | undefined;
  let stmt: SyntaxNode = node;
  for (let n: SyntaxNode | undefined = node; n; n = n.parent) {
    if (n.parent?.type === 'block' && n.parent.parent?.type === 'for_expression') {
      stmt = n;
      loop = n.parent.parent;
      break;
    }
    if (n !== node && (n.type === 'closure_expression' || n.type === 'function_item' || n.type === 'async_block')) break;
  }
  if (!loop) return refuse('the spawn is not a statement of the loop body');
  const owner = fnOf(tree, loop);
  if (!owner?.info.isAsync) return refuse('the loop is not in async code, where waiting for a permit needs `.await`');
  const args = node.children.find((c) => c.type === 'arguments');
  const task = args?.children[0];
  if (!task || args!.children.length !== 1) return NONE;
  const fnText = text.slice(owner.node.start, owner.node.end);
  const free = (base: string): string => {
    for (let i = 0; ; i++) {
      const name = i === 0 ? base : `${base}${i + 1}`;
      if (!new RegExp(`\\b${name}\\b`).test(fnText)) return name;
    }
  };
  const limiter = free('limiter');
  const permit = free('permit');
  const loopIndent = indentAt(text, loop.start);
  const stmtIndent = indentAt(text, stmt.start);
  const edits: TextEdit[] = [
    { span: { start: loop.start, end: loop.start }, newText: `let ${limiter} = std::sync::Arc::new(tokio::sync::Semaphore::new(${LIMIT}));\n${loopIndent}` },
    { span: { start: stmt.start, end: stmt.start }, newText: `let ${permit} = ${limiter}.clone().acquire_owned().await.expect("the semaphore is never closed");\n${stmtIndent}` },
  ];
  const taskText = text.slice(task.start, task.end);
  const keep = `let _permit = ${permit};`;
  if (task.type === 'async_block' || task.type === 'closure_expression') {
    if (!/^(async\s+)?move\b/.test(taskText)) return refuse('the task does not take ownership of what it uses (`move`), so it cannot own the permit');
    const body = task.children[task.children.length - 1];
    if (body?.type === 'block') {
      const first = body.children.find((c) => c.type !== 'line_comment' && c.type !== 'block_comment');
      const multiline = first !== undefined && text.slice(body.start, first.start).includes('\n');
      // On its own line before the block's first statement, or right after `{` on a one-line block.
      if (first && multiline) edits.push({ span: { start: first.start, end: first.start }, newText: `${keep}\n${indentAt(text, first.start)}` });
      else edits.push({ span: { start: body.start + 1, end: body.start + 1 }, newText: ` ${keep}` });
    } else if (body && task.type === 'closure_expression') {
      edits.push({ span: { start: body.start, end: body.end }, newText: `{ ${keep} ${text.slice(body.start, body.end)} }` });
    } else return NONE;
  } else if (member === 'spawn_blocking' || /spawn_blocking$/.test(spawner)) {
    return refuse('the blocking work is not a closure written here');
  } else {
    edits.push({ span: { start: task.start, end: task.end }, newText: `async move { ${keep} ${taskText}.await }` });
  }
  return { fixes: [{ title, safety: 'suggestion', edits }], refused: [] };
}
