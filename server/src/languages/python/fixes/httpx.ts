/**
 * Fix for a blocking `requests` call in async code, when the project depends on httpx: the statement
 * runs inside `async with httpx.AsyncClient(follow_redirects=True) as client:` with the call awaited
 * on the client (requests follows redirects by default, httpx does not: the flag keeps the behaviour).
 * The response is read before the block ends, so it stays usable after it. Offered only for a
 * statement whose whole value is the call (`r = requests.get(…)`, `return requests.post(…)`) and for
 * the keyword arguments both libraries take alike; a suggestion, since a shared client created
 * once is better still.
 */
import type { TextEdit } from '../../../engine/finding';
import type { CallSite } from '../../../engine/model';
import type { Fix, RefusedFix } from '../../../engine/finding';
import type { SyntaxNode } from '../syntax';
import type { PythonTree } from '../index';
import { addImport } from './util';

const METHODS = /^requests\.(get|post|put|patch|delete|head|options|request)$/;
/** Keyword arguments that mean the same to `requests` and to httpx's request methods. */
const SAME_KEYWORDS = new Set(['params', 'data', 'json', 'headers', 'cookies', 'timeout', 'files', 'auth', 'content']);

/** The httpx rewrite of a `requests` call, or why not; undefined when the call is not a `requests` function. */
export function httpxFix(tree: PythonTree, text: string, call: CallSite, node: SyntaxNode): { fix?: Fix; refused?: RefusedFix } | undefined {
  const m = call.callee === undefined ? null : METHODS.exec(call.callee);
  if (!m) return undefined;
  const title = 'Use `httpx.AsyncClient` (the project depends on httpx)';
  const refuse = (reason: string): { refused: RefusedFix } => ({ refused: { title, reason } });
  const args = node.children[node.children.length - 1]!;
  if (args.type !== 'argument_list') return refuse('the call has no argument list');
  for (const a of args.children) {
    if (a.type === 'dictionary_splat' || a.type === 'list_splat') return refuse('the arguments are unpacked (`*args`/`**kwargs`): check that httpx takes them');
    if (a.type === 'keyword_argument') {
      const k = text.slice(a.children[0]!.start, a.children[0]!.end);
      if (!SAME_KEYWORDS.has(k)) return refuse(`\`${k}=\` means something else to httpx (or belongs on its client): rewrite this call by hand`);
    }
  }
  // The statement whose whole value is the call.
  let value: SyntaxNode = node;
  let stmt: SyntaxNode | undefined = node.parent;
  if (stmt?.type === 'assignment' && stmt.children[stmt.children.length - 1] === value) {
    value = stmt;
    stmt = stmt.parent;
  }
  if (!stmt || !(stmt.type === 'expression_statement' || stmt.type === 'return_statement') || stmt.parent?.type !== 'block') {
    return refuse('the call is part of a larger expression: move it into a statement of its own first');
  }
  if (stmt.type === 'expression_statement' && stmt.children[0] !== value) return refuse('the call is part of a larger expression');
  const lineStart = text.lastIndexOf('\n', stmt.start - 1) + 1;
  const indent = text.slice(lineStart, stmt.start);
  if (!/^[ \t]*$/.test(indent)) return refuse('the statement shares its line with another');
  const unit = /\t/.test(indent) ? '\t' : '    ';
  let fnText = text;
  for (let p: SyntaxNode | undefined = stmt.parent; p; p = p.parent) {
    if (p.type !== 'function_definition') continue;
    fnText = text.slice(p.start, p.end);
    break;
  }
  const client = ['client', 'http_client', 'httpx_client'].find((c) => !new RegExp(`\\b${c}\\b`).test(fnText)) ?? 'httpx_client_';
  const awaited = `await ${client}.${m[1]}${text.slice(call.argsSpan.start, call.argsSpan.end)}`;
  const before = text.slice(stmt.start, call.span.start);
  const after = text.slice(call.span.end, stmt.end);
  const body = `${before}${awaited}${after}`.replace(/\n/g, `\n${unit}`);
  const edits: TextEdit[] = [{ span: { start: stmt.start, end: stmt.end }, newText: `async with httpx.AsyncClient(follow_redirects=True) as ${client}:\n${indent}${unit}${body}` }];
  const imp = addImport(tree, text, 'httpx');
  if (imp) edits.push(imp);
  return { fix: { title, safety: 'suggestion', edits } };
}
