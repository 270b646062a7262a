/**
 * The `await-holding-lock` fix for a temporary guard in a `match` or `if let` scrutinee: the
 * scrutinee's value is bound with `let` on the line before, so the guard drops at the end of that
 * statement instead of living through the arms and their `.await`. The value must not borrow from
 * the guard: a method known to return an owned value (`pop_front`, `remove`, `len`, …) is bound as
 * it is; a lookup that returns a reference (`get`, `first`, `last`) is bound with `.cloned()`.
 */
import type { Fix } from '../../../engine/finding';
import type { HeldRegion } from '../../../engine/model';
import type { SyntaxNode } from '../syntax';
import { indentAt, nodeAt } from './util';
import type { RustTree } from '../index';

/** Methods whose result owns its data (no borrow of the guard), by the name they are called with. */
const OWNED: Readonly<Record<string, string>> = {
  pop: 'next',
  pop_front: 'next',
  pop_back: 'next',
  remove: 'removed',
  take: 'taken',
  len: 'len',
  is_empty: 'empty',
  contains: 'found',
  contains_key: 'found',
  is_some: 'found',
  is_none: 'missing',
  clone: 'value',
  cloned: 'value',
  copied: 'value',
  to_owned: 'value',
  to_string: 'value',
  to_vec: 'values',
};

/** Lookups that return a reference into the guarded value: bound with `.cloned()`. */
const BORROWED: Readonly<Record<string, string>> = { get: 'found', first: 'first', last: 'last' };

const CHAIN = new Set(['call_expression', 'field_expression', 'try_expression', 'arguments']);

/** The method a call expression calls (`get` in `m.lock().unwrap().get(&id)`). */
function methodOf(text: string, call: SyntaxNode): string | undefined {
  if (call.type !== 'call_expression') return undefined;
  const callee = call.children[0];
  if (callee?.type !== 'field_expression') return undefined;
  const field = callee.children[callee.children.length - 1];
  return field?.type === 'field_identifier' ? text.slice(field.start, field.end) : undefined;
}

/** A `let` binding of the scrutinee that holds the temporary guard, or `undefined` when the shape is not one this fix knows. */
export function bindScrutineeFix(text: string, tree: RustTree, region: HeldRegion): Fix | undefined {
  const acquire = nodeAt(tree.root, region.acquireSpan);
  if (!acquire) return undefined;
  let top = acquire;
  while (top.parent && CHAIN.has(top.parent.type) && top.parent.children[0] === top) top = top.parent;
  const holder = top.parent;
  if (!holder) return undefined;
  let construct: SyntaxNode;
  let keyword: string;
  if (holder.type === 'match_expression' && holder.children[0] === top) {
    construct = holder;
    keyword = 'match';
  } else if (holder.type === 'let_condition' && holder.children[holder.children.length - 1] === top && holder.parent?.type === 'if_expression') {
    construct = holder.parent;
    keyword = 'if let';
    // In an `else if let`, binding before the whole chain would take the lock even when an earlier branch is taken.
    if (construct.parent?.type === 'else_clause') return undefined;
  } else {
    return undefined;
  }
  const method = methodOf(text, top);
  if (method === undefined) return undefined;
  const owned = OWNED[method];
  const borrowed = BORROWED[method];
  if (owned === undefined && borrowed === undefined) return undefined;
  let stmt: SyntaxNode = construct;
  while (stmt.parent && stmt.parent.type !== 'block') {
    if (stmt.parent.type === 'closure_expression' || stmt.parent.type === 'function_item') return undefined;
    stmt = stmt.parent;
  }
  if (!stmt.parent) return undefined;
  const fn = (() => {
    let n: SyntaxNode | undefined = stmt;
    while (n && n.type !== 'function_item' && n.type !== 'closure_expression' && n.type !== 'async_block') n = n.parent;
    return n ?? tree.root;
  })();
  const fnText = text.slice(fn.start, fn.end);
  let name = owned ?? borrowed!;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(fnText); i++) name = `${owned ?? borrowed!}${i}`;
  const scrutinee = text.slice(top.start, top.end);
  const value = borrowed !== undefined ? `${scrutinee}.cloned()` : scrutinee;
  const indent = indentAt(text, stmt.start);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return {
    title: `Bind the \`${keyword}\` value with \`let\` first${borrowed !== undefined ? ' (cloned out of the guard)' : ''}, so the guard of \`${region.lock}\` drops before the \`.await\``,
    safety: 'suggestion',
    edits: [
      { span: { start: stmt.start, end: stmt.start }, newText: `let ${name} = ${value};${eol}${indent}` },
      { span: { start: top.start, end: top.end }, newText: name },
    ],
  };
}
