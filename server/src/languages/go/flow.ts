/**
 * Small structural questions the Go amplifier readers ask of the tree: which function or loop a
 * node belongs to, whether a statement leaves the function or the loop, what a channel was made
 * with. Syntax only; types come from the builder's state.
 */
import { field, textOf, walk, type GoNode } from './syntax';

export const FUNCTION_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);

/** The innermost function node strictly above `node`. */
export function functionOf(node: GoNode): GoNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return undefined;
}

/** The innermost `for` statement above `node` within its function. */
export function loopOf(node: GoNode): GoNode | undefined {
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) if (n.type === 'for_statement') return n;
  return undefined;
}

/** The loop's body block. */
export function loopBody(loop: GoNode): GoNode | undefined {
  return field(loop, 'body') ?? loop.children.find((c) => c.type === 'block');
}

/** The statements of a block (its `statement_list`'s children), comments left out. */
export function statements(block: GoNode | undefined): GoNode[] {
  if (!block) return [];
  const list = block.type === 'statement_list' ? block : block.children.find((c) => c.type === 'statement_list');
  return (list?.children ?? []).filter((c) => c.type !== 'comment');
}

/** Every node under `root` (itself included) for which `pred` holds, not descending into function literals. */
export function findAll(root: GoNode | undefined, pred: (n: GoNode) => boolean, intoLoops = true): GoNode[] {
  const out: GoNode[] = [];
  if (!root) return out;
  walk(root, (n) => {
    if (n !== root && n.type === 'func_literal') return false;
    if (n !== root && !intoLoops && n.type === 'for_statement') return false;
    if (pred(n)) out.push(n);
    return undefined;
  });
  return out;
}

/** The statement leaves the function (or, for `break`, the loop it sits in) on every path through it. */
export function exits(stmt: GoNode | undefined, text: string): boolean {
  if (!stmt) return false;
  switch (stmt.type) {
    case 'return_statement':
    case 'break_statement':
      return true;
    case 'goto_statement':
      return true;
    case 'expression_statement':
      return /^(?:panic|log\.Fatal\w*|os\.Exit|t\.Fatal\w*)\s*\(/.test(textOf(text, stmt));
    case 'block': {
      const last = statements(stmt).at(-1);
      return exits(last, text);
    }
    case 'if_statement': {
      const alt = field(stmt, 'alternative');
      return alt !== undefined && exits(field(stmt, 'consequence'), text) && exits(alt, text);
    }
    default:
      return false;
  }
}

/** A `return` or `break` anywhere under `node` that leaves the loop or function it is in (not inside a nested loop or function). */
export function containsExit(node: GoNode | undefined, includeBreak = true): boolean {
  if (!node) return false;
  let hit = false;
  walk(node, (n) => {
    if (hit) return false;
    if (n !== node && (n.type === 'func_literal' || (includeBreak && n.type === 'for_statement'))) return false;
    if (n.type === 'return_statement' || (includeBreak && n.type === 'break_statement' && !insideSwitchOrSelect(n, node))) hit = true;
    return undefined;
  });
  return hit;
}

/** A bare `break` whose nearest breakable statement below `top` is a `switch` or `select`. */
function insideSwitchOrSelect(brk: GoNode, top: GoNode): boolean {
  if (brk.children.some((c) => c.type === 'label_name')) return false;
  for (let n = brk.parent; n && n !== top; n = n.parent) {
    if (n.type === 'expression_switch_statement' || n.type === 'type_switch_statement' || n.type === 'select_statement') return true;
    if (n.type === 'for_statement') return false;
  }
  return false;
}

/** `make(chan T)` / `make(chan T, n)`: the capacity as written, `''` for none; `undefined` when not a channel `make`. */
export function makeChan(text: string, value: GoNode | undefined): string | undefined {
  if (value?.type !== 'call_expression') return undefined;
  const f = field(value, 'function');
  const args = (field(value, 'arguments')?.children ?? []).filter((c) => c.type !== 'comment');
  if (!f || text.slice(f.start, f.end) !== 'make' || args[0]?.type !== 'channel_type') return undefined;
  return args[1] ? textOf(text, args[1]) : '';
}

/** The local channels `fn` makes (`ch := make(chan T, n)`, `var ch = make(…)`), by name: the capacity as written, `''` when unbuffered. */
export function localChannels(fn: GoNode, text: string): Map<string, { capacity: string; node: GoNode }> {
  const out = new Map<string, { capacity: string; node: GoNode }>();
  for (const decl of findAll(field(fn, 'body'), (n) => n.type === 'short_var_declaration' || n.type === 'var_spec' || n.type === 'assignment_statement')) {
    const left = decl.type === 'var_spec' ? decl.children.filter((c) => c.field === 'name') : (field(decl, 'left')?.children ?? []);
    const right = (decl.type === 'var_spec' ? field(decl, 'value')?.children : field(decl, 'right')?.children) ?? [];
    left.forEach((n, i) => {
      const cap = makeChan(text, right[i]);
      if (cap !== undefined && n.type === 'identifier') out.set(text.slice(n.start, n.end), { capacity: cap, node: right[i]! });
    });
  }
  return out;
}

/** The span of a statement's first line (`go func() {`), where a finding on a long statement goes. */
export function headSpan(text: string, node: GoNode): { start: number; end: number } {
  const nl = text.indexOf('\n', node.start);
  const end = nl < 0 || nl > node.end ? node.end : nl;
  return { start: node.start, end: Math.max(node.start + 1, text.slice(0, end).trimEnd().length) };
}

/** The operand of a receive `<-x`, as written, when `node` is one. */
export function receivedFrom(text: string, node: GoNode): string | undefined {
  if (node.type !== 'unary_expression' || !text.startsWith('<-', node.start)) return undefined;
  const op = field(node, 'operand');
  return op ? textOf(text, op) : undefined;
}

/** The channel of a `for v := range ch` loop, as written, when it ranges over something. */
export function rangeOver(loop: GoNode): GoNode | undefined {
  const range = loop.children.find((c) => c.type === 'range_clause');
  return range ? field(range, 'right') : undefined;
}
