/**
 * What Rust syntax says about where code runs: `#[test]` and its async cousins (`#[tokio::test]`,
 * `#[sqlx::test]`, `#[rstest]`, `#[test_case(…)]`), `#[cfg(test)]` modules, `#[bench]`, and a
 * criterion harness. Paths (`tests/`, `benches/`, `build.rs`) are the engine's (roles-paths.ts).
 */
import type { FileModel, RoleFact, RoleFacts } from '../../engine/model';
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

/** Role facts for a Rust file's functions, from the attributes of each enclosing item. */
export function rustRoleFacts(text: string, root: SyntaxNode, model: FileModel): RoleFacts {
  const marked: { start: number; end: number; fact: RoleFact }[] = [];
  // An explicit stack: deeply nested input must not overflow the call stack.
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'function_item' || node.type === 'mod_item') {
      const fact = attributeRole(text, node);
      if (fact) {
        marked.push({ start: node.start, end: node.end, fact });
        continue; // everything inside has the outer item's role
      }
    }
    for (const c of node.children) stack.push(c);
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
