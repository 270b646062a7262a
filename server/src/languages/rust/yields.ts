/**
 * Yield points: `.await` expressions, `select!`/`join!` invocations, and `.await` inside other macros'
 * token trees (which tree-sitter does not parse as expressions).
 */
import type { Span, YieldPoint } from '../../engine/model';
import { span, type BuildState, type FnRecord } from './builder';
import { walk, type SyntaxNode } from './syntax';

/** Reads the yield points; ordinals count them per context in the order they suspend. */
export function readYields(state: BuildState, awaitNodes: SyntaxNode[], macroNodes: SyntaxNode[]): YieldPoint[] {
  const { text } = state;
  type Raw = { kind: YieldPoint['kind']; span: Span; keywordSpan: Span; context: number; calls: number[] };
  const raws: Raw[] = [];
  // The enclosing function of every ancestor visited, so deeply nested yields do not each climb the whole chain.
  const fnMemo = new Map<SyntaxNode, FnRecord | undefined>();
  const contextOf = (node: SyntaxNode): number | undefined => {
    const climbed: SyntaxNode[] = [];
    let found: FnRecord | undefined;
    for (let n = node.parent; n; n = n.parent) {
      if (fnMemo.has(n)) {
        found = fnMemo.get(n);
        break;
      }
      found = state.fnOfNode.get(n);
      if (found) break;
      climbed.push(n);
    }
    for (const n of climbed) fnMemo.set(n, found);
    return found?.info.context;
  };
  // Innermost first, so a nested `.await` reuses the calls already collected under it: walking each
  // operand afresh is quadratic in the nesting depth (`g().await.await…` 10,000 deep took seconds).
  const callsUnder = new Map<SyntaxNode, number[]>();
  for (const node of [...awaitNodes].reverse()) {
    const operand = node.children[0];
    const calls: number[] = [];
    if (operand) walk(operand, (n) => {
      const nested = callsUnder.get(n);
      if (nested) {
        for (const id of nested) calls.push(id);
        return false;
      }
      if (n.type === 'call_expression') {
        const id = state.callOfNode.get(n);
        if (id !== undefined) calls.push(id);
      }
      return true;
    });
    callsUnder.set(node, calls);
  }
  for (const node of awaitNodes) {
    const ctx = contextOf(node);
    if (ctx === undefined) continue;
    const operand = node.children[0];
    const dot = text.indexOf('.', operand ? operand.end : node.start);
    raws.push({ kind: 'await', span: span(node), keywordSpan: { start: dot >= 0 && dot < node.end ? dot : node.start, end: node.end }, context: ctx, calls: callsUnder.get(node)! });
  }
  for (const node of macroNodes) {
    const ctx = contextOf(node);
    if (ctx === undefined) continue;
    const nameNode = node.children[0];
    const name = nameNode ? text.slice(nameNode.start, nameNode.end) : '';
    if (/(^|::)(select|select_biased)$/.test(name)) raws.push({ kind: 'select', span: span(node), keywordSpan: nameNode ? span(nameNode) : span(node), context: ctx, calls: [] });
    else if (/(^|::)(join|try_join)$/.test(name)) raws.push({ kind: 'await', span: span(node), keywordSpan: nameNode ? span(nameNode) : span(node), context: ctx, calls: [] });
    // `.await` inside a macro's token tree (`assert!(f().await)`): the tokens are not parsed as expressions.
    const body = node.children[node.children.length - 1];
    if (!body || body.type !== 'token_tree') continue;
    const src = text.slice(body.start, body.end);
    for (const m of src.matchAll(/\.\s*await\b/g)) {
      const start = body.start + m.index!;
      raws.push({ kind: 'await', span: { start, end: start + m[0].length }, keywordSpan: { start, end: start + m[0].length }, context: ctx, calls: [] });
    }
  }
  raws.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  const ordinals = new Map<number, number>();
  // Ordinals count yields in the order they suspend: an inner `.await` runs before the outer one that contains it.
  const bySuspension = [...raws].sort((a, b) => a.span.end - b.span.end || a.span.start - b.span.start);
  const ordinalOf = new Map<Raw, number>();
  for (const r of bySuspension) {
    const n = (ordinals.get(r.context) ?? 0) + 1;
    ordinals.set(r.context, n);
    ordinalOf.set(r, n);
  }
  return raws.map((r, id) => ({ id, kind: r.kind, span: r.span, keywordSpan: r.keywordSpan, context: r.context, ordinal: ordinalOf.get(r)!, calls: r.calls }));
}

