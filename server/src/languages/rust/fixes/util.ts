/** Shared helpers for the Rust fix builders: locating mirror nodes and reading their surroundings. */
import type { ParsedFile } from '../../../engine/language';
import type { Span } from '../../../engine/model';
import type { FnRecord } from '../builder';
import { treeSitterTree } from '../../tree-sitter';
import type { RustData, RustTree } from '../index';
import { RUST_GRAMMAR } from '../grammar';
import type { SyntaxNode } from '../syntax';

/** The Rust tree of a parsed file, or `undefined` when it is not one (a failed parse). */
export function rustTree(parsed: ParsedFile): RustTree | undefined {
  return treeSitterTree<RustData>(parsed, RUST_GRAMMAR);
}

/** The mirror node of a call site id. */
export function callNode(tree: RustTree, id: number): SyntaxNode | undefined {
  for (const [node, callId] of tree.data.state.callOfNode) if (callId === id) return node;
  return undefined;
}

/** The smallest mirror node whose span is exactly `span`. */
export function nodeAt(root: SyntaxNode, span: Span): SyntaxNode | undefined {
  let n: SyntaxNode | undefined = root;
  let found: SyntaxNode | undefined;
  while (n) {
    if (n.start === span.start && n.end === span.end) found = n;
    n = n.children.find((c) => c.start <= span.start && span.end <= c.end);
  }
  return found;
}

/** The innermost function-like record that contains `node`. */
export function fnOf(tree: RustTree, node: SyntaxNode): FnRecord | undefined {
  for (let n = node.parent; n; n = n.parent) {
    const f = tree.data.state.fnOfNode.get(n);
    if (f) return f;
  }
  return undefined;
}

/** The whitespace that starts the line containing `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** 1-based line of an offset, for refusal reasons. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The async runtime a crate uses, from its manifest's dependencies (tokio when unknown). */
export type Runtime = 'tokio' | 'async-std' | 'smol';

/** The runtime named in the crate's dependencies. */
export function runtimeOf(dependencies: ReadonlySet<string> | undefined): Runtime {
  if (!dependencies || dependencies.has('tokio')) return 'tokio';
  if (dependencies.has('async-std') || dependencies.has('async_std')) return 'async-std';
  if (dependencies.has('smol')) return 'smol';
  return 'tokio';
}

/** The span of a whole line holding only `span` (plus its indentation and newline), else `span`. */
export function wholeLine(text: string, span: Span): Span {
  const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
  const nl = text.indexOf('\n', span.end);
  const lineEnd = nl < 0 ? text.length : nl + 1;
  const rest = text.slice(span.end, nl < 0 ? text.length : nl);
  if (text.slice(lineStart, span.start).trim() === '' && rest.trim() === '') return { start: lineStart, end: lineEnd };
  return span;
}
