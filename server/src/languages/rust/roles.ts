/**
 * What Rust syntax says about where code runs: `#[test]` and its async cousins (`#[tokio::test]`,
 * `#[sqlx::test]`, `#[rstest]`, `#[test_case(…)]`), `#[cfg(test)]` modules, `#[bench]`, and a
 * criterion harness. Paths (`tests/`, `benches/`, `build.rs`) are the engine's (roles-paths.ts).
 */
import type { FileModel, RoleFact, RoleFacts } from '../../engine/model';
import { nearestAncestorIn } from '../tree-sitter';
import type { SyntaxNode } from './syntax';

/** The last path segment of an attribute names a test harness: `test`, `tokio::test`, `rstest`, `test_case(…)`. */
const TEST_ATTRIBUTE = /^#\[\s*(?:[\w]+::)*(?:test|rstest|test_case|test_log)\b/;
/** `#[cfg(test)]`, `#[cfg(all(test, …))]`, not `#[cfg(not(test))]`. */
const CFG_TEST = /^#\[\s*cfg\((?![^\]]*\bnot\s*\()[^\]]*\btest\b/;
const BENCH_ATTRIBUTE = /^#\[\s*(?:[\w]+::)*bench\b/;

function attributeRole(text: string, node: SyntaxNode): RoleFact | undefined {
  const siblings = node.parent?.children ?? [];
  for (let i = siblings.indexOf(node) - 1; i >= 0; i--) {
    const a = siblings[i]!;
    if (a.type === 'line_comment' || a.type === 'block_comment') continue;
    if (a.type !== 'attribute_item') break;
    const attr = text.slice(a.start, a.end);
    const shown = attr.replace(/\(.*$/s, '(…)]').replace(/\s+/g, '');
    if (BENCH_ATTRIBUTE.test(attr)) return { role: 'bench', where: `in benchmark code (a \`${shown}\` function)` };
    if (TEST_ATTRIBUTE.test(attr)) return { role: 'test', where: `in test code (a \`${shown}\` function)` };
    if (CFG_TEST.test(attr)) return { role: 'test', where: 'in test code (a `#[cfg(test)]` item)' };
  }
  return undefined;
}

/**
 * Role facts for a Rust file's functions, from the attributes of each enclosing item. `items` are
 * the file's `fn` and `mod` items, each after its ancestors (the builder collects them in its walk):
 * an item inside one already marked takes the outer item's role.
 */
export function rustRoleFacts(text: string, items: readonly SyntaxNode[], model: FileModel): RoleFacts {
  const marked: { start: number; end: number; fact: RoleFact }[] = [];
  const markedNodes = new Map<SyntaxNode, true>();
  // Memoised along the paths walked up. An entry is never made stale by a later mark: a node is
  // marked before any of its descendants is looked up, so no path walked earlier runs below it.
  const above = new Map<SyntaxNode, true | undefined>();
  for (const node of items) {
    if (markedNodes.size > 0 && nearestAncestorIn(node, markedNodes, above)) continue;
    const fact = attributeRole(text, node);
    if (fact) {
      marked.push({ start: node.start, end: node.end, fact });
      markedNodes.set(node, true);
    }
  }
  const functions: { functionId: number; fact: RoleFact }[] = [];
  if (marked.length > 0) {
    for (const f of model.functions) {
      const m = marked.find((r) => r.start <= f.span.start && f.span.end <= r.end);
      if (m) functions.push({ functionId: f.id, fact: m.fact });
    }
  }
  const criterion = /\bcriterion_(?:main|group)!/.test(text);
  return { ...(criterion ? { file: { role: 'bench' as const, where: 'in benchmark code (a criterion harness)' } } : {}), functions };
}
