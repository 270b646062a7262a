/**
 * Calls inside macro invocations (`format!("{}", read(p))`, `json!({ "cfg": load() })`,
 * `vec![f(); n]`, `assert!(check())`): tree-sitter keeps a macro's arguments as an unparsed token
 * tree, so the calls in it are invisible to the builder. Each token tree that holds a call is parsed
 * again on its own, as the body of a throwaway function, and the calls found there are returned as
 * nodes of the file's tree: offsets shifted back into the file (the token text is the same, so every
 * position is exact) and parents chained up to the macro invocation, so enclosing functions, loops
 * and contexts read as for any other call. Token trees that are not expressions (a `select!` arm
 * list, JSON keys) parse with errors; the calls tree-sitter still recovers from them count.
 */
import { materialiseText } from '../tree-sitter';
import { RUST_GRAMMAR } from './grammar';
import { RUST_KINDS, walk, type SyntaxNode } from './syntax';

const PREFIX = 'fn __m() ';
/** Token trees above this size are left alone (generated tables, embedded data). */
const MAX_TOKENS_TEXT = 20_000;

/**
 * `json!` objects are not Rust: `{ "key": value }` reads as arrays of values once keys are blanked and
 * braces turned into brackets. Same length, so every offset still points at the same token.
 */
function jsonAsArrays(tokens: string): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const c = tokens[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < tokens.length && tokens[j] !== '"') j += tokens[j] === '\\' ? 2 : 1;
      const lit = tokens.slice(i, j + 1);
      const rest = /^\s*:(?!:)/.exec(tokens.slice(j + 1));
      out += rest ? ' '.repeat(lit.length + rest[0].length) : lit;
      i = j + (rest ? rest[0].length : 0);
    } else out += c === '{' ? '[' : c === '}' ? ']' : c;
  }
  return out;
}

/** Copies `node` with offsets shifted by `delta` and `parent` as its parent, children included. */
function transplant(node: SyntaxNode, parent: SyntaxNode, delta: number): SyntaxNode {
  const top: SyntaxNode = { type: node.type, start: node.start + delta, end: node.end + delta, children: [], parent };
  const stack: [SyntaxNode, SyntaxNode][] = [[node, top]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const c of from.children) {
      const copy: SyntaxNode = { type: c.type, start: c.start + delta, end: c.end + delta, children: [], parent: to };
      to.children.push(copy);
      stack.push([c, copy]);
    }
  }
  return top;
}

/** The call expressions inside the token trees of `macros`, as nodes of the file's tree (pre-order within each macro). */
export function callsInMacros(macros: readonly SyntaxNode[], text: string, callable: (name: string) => boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const mac of macros) {
    const tt = mac.children[mac.children.length - 1];
    if (!tt || tt.type !== 'token_tree' || tt.end - tt.start > MAX_TOKENS_TEXT) continue;
    const tokens = text.slice(tt.start, tt.end);
    // Parsing costs a trip into WASM: only token trees that call a name that could block (a catalog
    // entry's last segment, a same-file function) are parsed; `println!("{}", x.len())` is not.
    let worth = false;
    for (const m of tokens.matchAll(/([A-Za-z_]\w*)\s*(?:::\s*<[^()]*>\s*)?\(/g)) {
      if (callable(m[1]!)) {
        worth = true;
        break;
      }
    }
    if (!worth) continue;
    const name = mac.children[0] ? text.slice(mac.children[0].start, mac.children[0].end) : '';
    const source = /(^|::)json$/.test(name) ? jsonAsArrays(tokens) : tokens;
    // A `{…}` token tree reads as a block, `(…)` as a tuple or parenthesised expression, `[…]` as an array.
    const snippet = `${PREFIX}{ ${source}; }`;
    const m = materialiseText(RUST_GRAMMAR, snippet, RUST_KINDS, 'Rust');
    if (!m) continue;
    const delta = tt.start - PREFIX.length - 2;
    const body = m.root.children[0]?.children.find((c) => c.type === 'block');
    if (!body) continue;
    for (const stmt of body.children) {
      const expr = transplant(stmt, mac, delta);
      // Before the token tree, which stays the last child (readers take it from there).
      mac.children.splice(mac.children.length - 1, 0, expr);
      walk(expr, (n) => {
        if (n.type === 'call_expression') out.push(n);
        // A closure or async block in a macro has its own body: not followed here.
        return n.type !== 'closure_expression' && n.type !== 'async_block';
      });
    }
  }
  return out;
}
