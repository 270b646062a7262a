/**
 * Fixes for `blocking-in-async`: the async twin (`tokio::fs::X(…).await`, `tokio::time::sleep(…).await`),
 * `.await` instead of `block_on`, or the call moved to the blocking pool with `spawn_blocking`.
 */
import type { Finding, Fix, RefusedFix } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import type { FnRecord } from '../builder';
import type { FnScope } from '../calls';
import type { RustTree } from '../index';
import { walk, type SyntaxNode } from '../syntax';
import { callNode, fnOf, lineOf, runtimeOf, rustTree, type Runtime } from './util';

const FS_PREFIX = 'tokio::fs::';

/** The replacement of a catalog twin under the crate's runtime. */
export function twinFor(replacement: string, runtime: Runtime): string {
  if (runtime === 'tokio') return replacement;
  if (replacement === 'tokio::time::sleep') return runtime === 'smol' ? 'smol::Timer::after' : 'async_std::task::sleep';
  if (replacement.startsWith(FS_PREFIX)) return `${runtime === 'smol' ? 'smol' : 'async_std'}::fs::${replacement.slice(FS_PREFIX.length)}`;
  return replacement;
}

/** How to turn the awaited `JoinHandle` result into the closure's value so that it compiles in context. */
function joinErrorHandling(returnType: string | undefined): string {
  const t = (returnType ?? '').replace(/\s+/g, '');
  // `?` needs `From<JoinError>` for the error type: std's io::Error, anyhow, eyre and boxed errors have it.
  const convertible = /^(std::)?(io::)?Result<[^,]*>$/.test(t) || /^Result<.*,(std::)?(io::Error|anyhow::Error|Box<dyn.*Error.*>|eyre::Report)>$/.test(t) || /^(anyhow|eyre|color_eyre)::Result</.test(t);
  return convertible ? '?' : '.expect("blocking task panicked")';
}

function returnTypeOf(text: string, fnNode: { type: string; children: readonly { type: string; start: number; end: number }[] }): string | undefined {
  if (fnNode.type !== 'function_item') return undefined;
  const params = fnNode.children.findIndex((c) => c.type === 'parameters');
  const body = fnNode.children.findIndex((c) => c.type === 'block');
  const ret = fnNode.children.slice(params + 1, body < 0 ? undefined : body).find((c) => c.type !== 'where_clause');
  return ret ? text.slice(ret.start, ret.end) : undefined;
}

/** A local of reference type used in `node` (a `spawn_blocking` closure needs `'static` data). */
function borrowedParameter(tree: RustTree, fn: FnRecord, node: SyntaxNode): { name: string; type: string } | undefined {
  let found: { name: string; type: string } | undefined;
  walk(node, (n) => {
    if (found) return false;
    if (n.type !== 'identifier') return;
    const name = tree.data.state.text.slice(n.start, n.end);
    for (let f: FnScope | undefined = fn; f; f = f.parent) {
      const b = f.bindings.latest(name, n.start);
      if (!b) continue;
      if (b.type.startsWith('&')) found = { name, type: b.type };
      break;
    }
    return;
  });
  return found;
}

const LOOPS = new Set(['loop_expression', 'while_expression', 'for_expression']);
const NOT_A_LOCAL = /^(?:self|Self|crate|super|true|false|move|mut|ref|let|if|else|match|as|in|return|async|await)$/;

/** The names a function body declares (`let` patterns, parameters, loop and closure patterns), with where each is declared. */
function localDeclarations(text: string, fnNode: SyntaxNode): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (pattern: SyntaxNode | undefined, at: number): void => {
    if (!pattern) return;
    walk(pattern, (n) => {
      if (n.type === 'identifier') {
        const name = text.slice(n.start, n.end);
        const list = out.get(name);
        if (list) list.push(at);
        else out.set(name, [at]);
      }
      return;
    });
  };
  walk(fnNode, (n) => {
    if (n.type === 'let_declaration') add(n.children.find((c) => c.type !== 'mutable_specifier'), n.end);
    else if (n.type === 'parameter') add(n.children.find((c) => c.type !== 'mutable_specifier'), n.start);
    else if (n.type === 'closure_parameters') for (const c of n.children) add(c, c.start);
    else if (n.type === 'for_expression') add(n.children[0], n.start);
    return;
  });
  return out;
}

/** The text with string literals blanked, all but their inline format arguments (`{city}`), so words in SQL or messages are not taken for locals. */
function maskStrings(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, (lit) => lit.replace(/\{[\p{L}_][\p{L}\p{N}_]*\}|[^{}]/gu, (m) => (m.length > 1 ? m : ' ')));
}

/** Occurrences of `name` as a variable in `text[start, end)`: not a field, a method or a path segment. */
function usesOf(text: string, name: string, start: number, end: number): { at: number; member: boolean }[] {
  const re = new RegExp(`(?<![\\p{L}\\p{N}_.]|::)${name}(?![\\p{L}\\p{N}_])(?!\\s*(?:::|!|:[^:]))`, 'gu');
  re.lastIndex = start;
  const uses: { at: number; member: boolean }[] = [];
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    uses.push({ at: m.index, member: /^\s*\.\s*[\p{L}_]/u.test(text.slice(m.index + name.length, m.index + name.length + 40)) });
  }
  return uses;
}

/**
 * The locals a `move` closure around `wrapped` would take from code that still needs them: used
 * after the call in the function, or declared outside a loop that runs the call again. A local
 * used as a plain argument can be cloned into the closure; one whose methods or fields the call
 * uses (a stream, a connection, a form) is often not `Clone`, so the fix is refused for it.
 */
function movedLocals(source: string, fnNode: SyntaxNode, call: SyntaxNode, wrapped: { start: number; end: number }): { clone: string[]; refuse?: { name: string; line?: number } } {
  const text = maskStrings(source);
  const declared = localDeclarations(source, fnNode);
  let loopStart: number | undefined;
  for (let n = call.parent; n && n !== fnNode; n = n.parent) if (LOOPS.has(n.type)) loopStart = n.start;
  const clone: string[] = [];
  const seen = new Set<string>();
  for (const m of text.slice(wrapped.start, wrapped.end).matchAll(/(?<![\w.]|::)[\p{L}_][\p{L}\p{N}_]*/gu)) {
    const name = m[0];
    if (seen.has(name) || NOT_A_LOCAL.test(name)) continue;
    seen.add(name);
    const decls = (declared.get(name) ?? []).filter((at) => at <= wrapped.start);
    if (decls.length === 0) continue;
    const inside = usesOf(text, name, wrapped.start, wrapped.end);
    if (inside.length === 0) continue;
    // A later `let` of the same name shadows it: uses after that one are another binding.
    const redeclared = (declared.get(name) ?? []).filter((at) => at > wrapped.end).sort((a, b) => a - b)[0];
    const after = usesOf(text, name, wrapped.end, Math.min(fnNode.end, redeclared ?? fnNode.end));
    const again = loopStart !== undefined && Math.max(...decls) < loopStart;
    if (after.length === 0 && !again) continue;
    if (inside.some((u) => u.member)) return { clone, refuse: after[0] ? { name, line: lineOf(text, after[0].at) } : { name } };
    clone.push(name);
  }
  return { clone };
}

/** Fixes for a `blocking-in-async` finding: the async twin, `.await` instead of `block_on`, or `spawn_blocking`. */
export function blockingFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  const tree = rustTree(parsed);
  const callId = finding.data?.callId;
  if (!tree || callId === undefined) return { fixes: [], refused: [] };
  const call = parsed.model.calls[callId];
  const node = callNode(tree, callId);
  if (!call || !node) return { fixes: [], refused: [] };
  const text = parsed.text;
  const fn = fnOf(tree, node);
  const runtime = runtimeOf(ctx.dependencies);
  const fixes: Fix[] = [];
  const refused: RefusedFix[] = [];
  if (!fn?.info.isAsync) {
    refused.push({ title: 'Make the call non-blocking', reason: `\`${call.calleeText}\` runs in a sync closure inside async code, where \`.await\` is not allowed: move it out of the closure, or run the whole loop in \`spawn_blocking\`` });
    return { fixes, refused };
  }
  const entry = call.callee === undefined || finding.data?.innerCallId !== undefined ? undefined : ctx.catalog.blocking.get(call.callee);
  // A method's twin is a function of the receiver (`addr.to_socket_addrs()` → `lookup_host(addr)`): replacing the callee would drop it.
  if (entry?.replacement && call.calleeSpan.end <= call.argsSpan.start && !call.calleeText.includes('.')) {
    const twin = twinFor(entry.replacement, runtime);
    fixes.push({
      title: `Use \`${twin}(…).await\``,
      safety: 'safe',
      edits: [
        { span: call.calleeSpan, newText: twin },
        { span: { start: call.span.end, end: call.span.end }, newText: '.await' },
      ],
    });
    return { fixes, refused };
  }
  if (call.member === 'block_on' && call.argCount === 1) {
    const arg = text.slice(call.argsSpan.start + 1, call.argsSpan.end - 1).trim();
    const simple = /^[\w.:]+(\(.*\))?$/s.test(arg) || /^async\b/.test(arg);
    fixes.push({ title: 'Await the future instead of blocking on it', safety: 'suggestion', edits: [{ span: call.span, newText: `${simple && !/^async\b/.test(arg) ? arg : `(${arg})`}.await` }] });
    return { fixes, refused };
  }
  // Methods chained on the result belong to the same blocking work (`ureq::get(u).call()`, `rx.recv().ok()`): wrap the chain up to the first `?`.
  let whole = node;
  while (whole.parent?.type === 'field_expression' && whole.parent.children[0] === whole && whole.parent.parent?.type === 'call_expression') whole = whole.parent.parent;
  const wrapped = { start: whole.start, end: whole.end };
  const expr = text.slice(wrapped.start, wrapped.end);
  if (/\bself\b/.test(expr)) {
    refused.push({ title: 'Run it on the blocking pool', reason: `\`${call.calleeText}\` uses \`self\`, which a \`spawn_blocking\` closure cannot borrow: clone what it needs into a local first` });
    return { fixes, refused };
  }
  const borrowed = borrowedParameter(tree, fn, whole);
  if (borrowed) {
    refused.push({ title: 'Run it on the blocking pool', reason: `\`${borrowed.name}\` is borrowed (\`${borrowed.type}\`), and a \`spawn_blocking\` closure must own its data: move an owned copy in (\`${borrowed.name}.to_owned()\`)` });
    return { fixes, refused };
  }
  if (/&\s*mut\b/.test(expr)) {
    refused.push({ title: 'Run it on the blocking pool', reason: `\`${call.calleeText}\` borrows a local mutably, and a \`spawn_blocking\` closure must own its data: restructure so the closure returns the value` });
    return { fixes, refused };
  }
  // `move` takes every local the call names: one still needed afterwards is cloned in, or the fix is refused.
  const moved = movedLocals(text, fn.node, whole, wrapped);
  if (moved.refuse) {
    const { name, line } = moved.refuse;
    const where = line === undefined ? 'by the next turn of the loop' : `on line ${line}`;
    refused.push({ title: 'Run it on the blocking pool', reason: `\`${name}\` is used again ${where}, and a \`spawn_blocking\` closure would take it: move it in and return it with the result, or use an async client` });
    return { fixes, refused };
  }
  const clones = moved.clone.map((n) => `let ${n} = ${n}.clone(); `).join('');
  const spawn = runtime === 'tokio' ? 'tokio::task::spawn_blocking(' : runtime === 'async-std' ? 'async_std::task::spawn_blocking(' : 'smol::unblock(';
  const open = clones ? `${spawn}{ ${clones}move || ` : `${spawn}move || `;
  const closeCall = clones ? ' })' : ')';
  const close = runtime === 'tokio' ? `${closeCall}.await${joinErrorHandling(returnTypeOf(text, fn.node))}` : `${closeCall}.await`;
  fixes.push({
    title: `Run \`${call.calleeText}\` on the blocking pool`,
    safety: 'suggestion',
    edits: [
      { span: { start: wrapped.start, end: wrapped.start }, newText: open },
      { span: { start: wrapped.end, end: wrapped.end }, newText: close },
    ],
  });
  return { fixes, refused };
}
