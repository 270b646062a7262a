/**
 * Calls inside macro invocations (`format!("{}", read(p))`, `json!({ "cfg": load() })`,
 * `vec![f(); n]`, `assert!(check())`): tree-sitter keeps a macro's arguments as an unparsed token
 * tree, so the calls in it are invisible to the builder. Each token tree that holds a call is parsed
 * again on its own, as the body of a throwaway function, and the calls found there are returned as
 * nodes of the file's tree: offsets shifted back into the file (the token text is the same, so every
 * position is exact) and parents chained up to the macro invocation, so enclosing functions, loops
 * and contexts read as for any other call. Token trees that are not expressions (a `select!` arm
 * list, JSON keys) parse with errors; the calls tree-sitter still recovers from them count.
 *
 * `select!` and `join!` poll their futures in the current task: a `select!` branch list
 * (`pat = fut => handler,`) is rewritten, at the same length, into statements (`fut; handler;`), and
 * in both the bodies of async blocks count as the enclosing task's code (a closure's still does not).
 */
import { materialiseText, newNode, type View } from '../tree-sitter';
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

/** `select!`-family and `join!`-family macro names: their futures run in the calling task. */
const TASK_MACROS = /^(?:\w+::)*(?:select|select_biased|join|try_join)$/;
const SELECT_MACROS = /^(?:\w+::)*(?:select|select_biased)$/;

/**
 * A `select!` branch list as statements, same length: in each branch `pat = fut => handler,` the
 * pattern, the `=` and any `, if cond` precondition become spaces, `=>` becomes `; ` and the comma
 * after the handler a `;` (`else => handler` loses its `else`). Strings, chars and nesting are
 * skipped over, so only top-level tokens of the branch list are touched.
 */
export function selectAsStatements(tokens: string): string {
  const out = tokens.split('');
  // The branch list sits inside the token tree's outer delimiters.
  const start = 1;
  const end = tokens.length - 1;
  let depth = 0;
  let branchStart = start;
  let eq = -1; // the branch's top-level `=`
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  for (let i = start; i < end; i++) {
    const c = tokens[i]!;
    if (c === '"') {
      i++;
      while (i < end && tokens[i] !== '"') i += tokens[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === "'" && /^'(?:\\.|[^\\'])'/.test(tokens.slice(i, i + 4))) {
      i = tokens.indexOf("'", i + 1 + (tokens[i + 1] === '\\' ? 1 : 0));
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth !== 0) continue;
    if (c === '=' && tokens[i + 1] === '>') {
      // `pat = fut => …`: blank the pattern and the `=`; `else => …`: blank `else`.
      if (eq >= 0) blank(branchStart, eq + 1);
      else {
        const head = tokens.slice(branchStart, i);
        const m = /\belse\b/.exec(head);
        if (m) blank(branchStart + m.index, branchStart + m.index + 4);
      }
      // `, if cond` between the future and the arrow.
      if (eq >= 0) {
        const between = tokens.slice(eq + 1, i);
        const m = /,\s*if\b/.exec(between);
        if (m) blank(eq + 1 + m.index, i);
      }
      out[i] = ';';
      out[i + 1] = ' ';
      i++;
      eq = -2; // in the handler now
      continue;
    }
    if (c === '=' && eq === -1 && tokens[i - 1] !== '=' && tokens[i - 1] !== '!' && tokens[i - 1] !== '<' && tokens[i - 1] !== '>' && tokens[i + 1] !== '=') {
      eq = i;
      continue;
    }
    if ((c === ',' || c === ';') && eq === -2) {
      out[i] = ';';
      branchStart = i + 1;
      eq = -1;
    } else if (c === ';' && eq === -1) branchStart = i + 1; // `biased;`
  }
  return out.join('');
}

/**
 * `tokens` with comments, string and char literals and attributes (`#[…]`, `#![…]`) blanked (spaces,
 * same length): what is left is the code that can call something. An unterminated literal or
 * comment blanks to the end.
 */
export function codeOnly(tokens: string): string {
  let out = '';
  let from = 0;
  const n = tokens.length;
  const blank = (start: number, end: number): void => {
    out += tokens.slice(from, start) + ' '.repeat(end - start);
    from = end;
  };
  for (let i = 0; i < n; ) {
    const c = tokens.charCodeAt(i);
    if (c === 0x2f /* / */ && tokens[i + 1] === '/') {
      const e = tokens.indexOf('\n', i);
      const end = e < 0 ? n : e;
      blank(i, end);
      i = end;
    } else if (c === 0x2f && tokens[i + 1] === '*') {
      // Block comments nest in Rust.
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (tokens[j] === '/' && tokens[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (tokens[j] === '*' && tokens[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      blank(i, j);
      i = j;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < n && tokens[j] !== '"') j += tokens[j] === '\\' ? 2 : 1;
      const end = Math.min(n, j + 1);
      blank(i, end);
      i = end;
    } else if ((c === 0x72 /* r */ || c === 0x62 /* b */) && RAW_STRING.test(tokens.slice(i, i + 3 + 255)) && !/\w/.test(tokens[i - 1] ?? '')) {
      const m = RAW_STRING.exec(tokens.slice(i, i + 3 + 255))!;
      const close = `"${m[1]}`;
      const e = tokens.indexOf(close, i + m[0].length);
      const end = e < 0 ? n : e + close.length;
      blank(i, end);
      i = end;
    } else if (c === 0x27 /* ' */) {
      // A char literal (`'('`, `'\''`, `'\u{28}'`); a lifetime or label (`'a`) is left alone.
      const m = CHAR_LITERAL.exec(tokens.slice(i, i + 12));
      if (m) {
        blank(i, i + m[0].length);
        i += m[0].length;
      } else i++;
    } else if (c === 0x23 /* # */ && /^#!?\s*\[/.test(tokens.slice(i, i + 8))) {
      let depth = 0;
      let j = tokens.indexOf('[', i);
      for (; j < n; j++) {
        const d = tokens[j];
        if (d === '"') {
          j++;
          while (j < n && tokens[j] !== '"') j += tokens[j] === '\\' ? 2 : 1;
        } else if (d === '[') depth++;
        else if (d === ']' && --depth === 0) break;
      }
      const end = Math.min(n, j + 1);
      blank(i, end);
      i = end;
    } else i++;
  }
  return from === 0 ? tokens : out + tokens.slice(from);
}

/** The opening of a raw string (`r"`, `r#"`, `br##"`): its `#`s. */
const RAW_STRING = /^b?r(#*)"/;
/** A char literal: one character or one escape between quotes. */
const CHAR_LITERAL = /^'(?:[^\\'\n]|\\(?:u\{[0-9A-Fa-f]{1,6}\}|x[0-9A-Fa-f]{2}|.))'/;

/** Copies `node` with offsets shifted by `delta` and `parent` as its parent, children included. */
function transplant(node: SyntaxNode, parent: SyntaxNode, delta: number): SyntaxNode {
  const top = newNode(node.type, node.start + delta, node.end + delta, parent);
  const stack: [SyntaxNode, SyntaxNode][] = [[node, top]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const c of from.children) {
      const copy = newNode(c.type, c.start + delta, c.end + delta, to);
      to.children.push(copy);
      stack.push([c, copy]);
    }
  }
  return top;
}

/** True when `code` holds what reads as a call (`name(`, `name::<T>(`) of a name `callable` accepts. */
function callsCallable(code: string, callable: (name: string) => boolean): boolean {
  for (const m of code.matchAll(CALL)) if (callable(m[1]!)) return true;
  return false;
}

const CALL = /([A-Za-z_]\w*)\s*(?:::\s*<[^()]*>\s*)?\(/g;

/**
 * The snippets of the last call of {@link callsInMacros} and their views. A document re-analysed on
 * each keystroke parses its token trees again every time, though an edit changes one at most; a view
 * is only read here (its calls are copied into the file's tree by {@link transplant}), so the next
 * analysis reuses the views of the snippets it shares with the last one. Only one analysis's views
 * are kept: a scan of many files keeps no more alive than before (a larger cache of all files'
 * snippets made a cold scan slower, its views kept to the old generation).
 */
let lastSnippets = new Map<string, View | null>();

/** The call expressions inside the token trees of `macros`, as nodes of the file's tree (pre-order within each macro). */
export function callsInMacros(macros: readonly SyntaxNode[], text: string, callable: (name: string) => boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const used = new Map<string, View | null>();
  try {
    collectMacroCalls(macros, text, callable, used, out);
  } finally {
    lastSnippets = used;
  }
  return out;
}

function collectMacroCalls(macros: readonly SyntaxNode[], text: string, callable: (name: string) => boolean, used: Map<string, View | null>, out: SyntaxNode[]): void {
  for (const mac of macros) {
    const tt = mac.children[mac.children.length - 1];
    if (!tt || tt.type !== 'token_tree' || tt.end - tt.start > MAX_TOKENS_TEXT) continue;
    const tokens = text.slice(tt.start, tt.end);
    // Parsing costs a trip into WASM: only token trees that call a name that could block (a catalog
    // entry's last segment, a same-file function) are parsed; `println!("{}", x.len())` is not. What
    // reads like a call in a comment, a string or an attribute (`/// Tries to read(…)`,
    // `#[derive(Debug)]`) is not one: a token tree whose text names a callable is checked again with
    // those blanked (most token trees name none, and are not copied).
    if (!callsCallable(tokens, callable) || !callsCallable(codeOnly(tokens), callable)) continue;
    const name = mac.children[0] ? text.slice(mac.children[0].start, mac.children[0].end) : '';
    const source = /(^|::)json$/.test(name) ? jsonAsArrays(tokens) : SELECT_MACROS.test(name) ? selectAsStatements(tokens) : tokens;
    const inTask = TASK_MACROS.test(name);
    // A `{…}` token tree reads as a block, `(…)` as a tuple or parenthesised expression, `[…]` as an array.
    const snippet = `${PREFIX}{ ${source}; }`;
    const seen = used.has(snippet) ? used : lastSnippets.has(snippet) ? lastSnippets : undefined;
    const m = seen ? (seen.get(snippet) ?? null) : (materialiseText(RUST_GRAMMAR, snippet, RUST_KINDS, 'Rust') ?? null);
    used.set(snippet, m);
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
        // A closure or async block in a macro has its own body: not followed here, except the
        // futures `select!`/`join!` poll in the calling task.
        return n.type !== 'closure_expression' && (inTask || n.type !== 'async_block');
      });
    }
  }
}
