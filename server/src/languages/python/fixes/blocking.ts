/**
 * Fixes for `blocking-in-async` in Python: `time.sleep(x)` → `await asyncio.sleep(x)` (safe), and
 * any other blocking call, or a call to a blocking same-file helper, → `await asyncio.to_thread(f,
 * *args, **kwargs)` (a suggestion: the object must be usable from another thread). A file that
 * uses anyio or trio and not asyncio gets `anyio.to_thread.run_sync` / `trio.to_thread.run_sync`
 * (which take no keyword arguments: those go through `functools.partial`). A call the rewrite cannot
 * carry is refused with the reason.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import type { CallSite } from '../../../engine/model';
import type { SyntaxNode } from '../syntax';
import type { PythonTree } from '../index';
import { httpxFix } from './httpx';
import { addImport, callNode, pythonTree } from './util';
import type { PythonLibrary } from '../catalog';

type Library = PythonLibrary;

const SLEEPS = new Set(['time.sleep']);
/** Objects bound to the thread that made them: `sqlite3` refuses use from another thread (`check_same_thread`). */
const THREAD_BOUND = /^sqlite3\.(Connection|Cursor)\./;

/** The call's result is the start of a chain or is called again: `await` needs parentheses there. */
function usedAsPrimary(node: SyntaxNode): boolean {
  const p = node.parent;
  return (p?.type === 'attribute' || p?.type === 'subscript' || p?.type === 'call') && p.children[0] === node;
}

function within(node: SyntaxNode, types: readonly string[], stop: SyntaxNode | undefined): SyntaxNode | undefined {
  for (let n = node.parent; n && n !== stop; n = n.parent) if (types.includes(n.type)) return n;
  return undefined;
}

/** Fixes for a `blocking-in-async` finding. */
export function blockingFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  const tree = pythonTree(parsed);
  const call = finding.data?.callId === undefined ? undefined : parsed.model.calls[finding.data.callId];
  if (!tree || !call) return { fixes: [], refused: [] };
  const node = callNode(tree, call.id);
  if (!node) return { fixes: [], refused: [] };
  const text = parsed.text;
  const lib = tree.data.state.library;
  const helper = finding.data?.innerCallId !== undefined;
  const sleep = !helper && call.callee !== undefined && SLEEPS.has(call.callee);
  const title = sleep ? `Use \`await ${lib}.sleep(…)\`` : `Run \`${call.calleeText}\` in a thread with \`${lib === 'asyncio' ? 'asyncio.to_thread' : `${lib}.to_thread.run_sync`}\``;
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });

  const fn = call.functionId === undefined ? undefined : parsed.model.functions[call.functionId];
  if (!fn?.isAsync) return refuse('the call is inside a lambda or nested function, where `await` cannot go: move it into the `async def` body first');
  const fnNode = tree.data.state.fns[fn.id]?.node;
  if (within(node, ['generator_expression'], fnNode)) return refuse('the call is inside a generator expression, which `await` would turn into an async generator');
  if (within(node, ['decorator', 'default_parameter', 'typed_default_parameter'], fnNode)) return refuse('the call is not in the function body');
  const p = node.parent?.type === 'as_pattern' ? node.parent.parent : node.parent;
  if (p?.type === 'with_item') return refuse('the call opens a `with` block: move the whole block into a function and run that in a thread');

  if (sleep) {
    const args = text.slice(call.argsSpan.start, call.argsSpan.end);
    const replacement = `await ${lib}.sleep${args}`;
    const edits: TextEdit[] = [{ span: call.span, newText: usedAsPrimary(node) ? `(${replacement})` : replacement }];
    const imp = addImport(tree, text, lib);
    if (imp) edits.push(imp);
    return { fixes: [{ title, safety: 'safe', edits }], refused: [] };
  }

  // `fut.result()` on a `concurrent.futures.Future`: await the same future instead of blocking on it.
  if (!helper && call.callee === 'concurrent.futures.Future.result' && call.argCount === 0 && lib === 'asyncio' && node.children[0]?.type === 'attribute') {
    const recv = node.children[0].children[0]!;
    const replacement = `await asyncio.wrap_future(${text.slice(recv.start, recv.end)})`;
    return { fixes: [{ title: 'Await the future with `asyncio.wrap_future`', safety: 'safe', edits: [{ span: call.span, newText: usedAsPrimary(node) ? `(${replacement})` : replacement }] }], refused: [] };
  }
  // `requests.get(…)` → `httpx.AsyncClient` when the project depends on httpx; the thread offload stays on offer after it.
  const httpx = !helper && ctx.dependencies?.has('httpx') ? httpxFix(tree, text, call, node) : undefined;
  const offload = threadFixes({ tree, parsed, call, node, ctx, lib, helper, refuse, title });
  return httpx ? { fixes: [...(httpx.fix ? [httpx.fix] : []), ...offload.fixes], refused: [...(httpx.refused ? [httpx.refused] : []), ...offload.refused] } : offload;
}

interface Offload {
  readonly tree: PythonTree;
  readonly parsed: ParsedFile;
  readonly call: CallSite;
  readonly node: SyntaxNode;
  readonly ctx: FixContext;
  readonly lib: Library;
  readonly helper: boolean;
  readonly title: string;
  readonly refuse: (reason: string) => FixResult;
}

/** `await asyncio.to_thread(f, *args)` (or anyio's / trio's), or why not. */
function threadFixes({ tree, parsed, call, node, ctx, lib, helper, title, refuse }: Offload): FixResult {
  const text = parsed.text;
  if (!helper && call.callee !== undefined && THREAD_BOUND.test(call.callee)) {
    return refuse('a `sqlite3` connection and its cursors may only be used in the thread that created them (`check_same_thread`): run the whole database function in a thread, or use `aiosqlite`');
  }
  if (usedAsPrimary(node)) return refuse(`its result is used in a chain (\`${text.slice(node.end, Math.min(node.parent!.end, node.end + 30))}\`) that would stay on the event loop: move the whole expression into a function and run that in a thread`);
  // The callee expression itself runs on the loop: it must not block (`open(p).read`).
  const blockingInCallee = parsed.model.calls.some((c) => c !== call && c.callee !== undefined && ctx.catalog.blocking.has(c.callee) && call.calleeSpan.start <= c.span.start && c.span.end <= call.calleeSpan.end);
  if (blockingInCallee) return refuse('the callee expression itself makes a blocking call: move the whole expression into a function and run that in a thread');

  const args = node.children[node.children.length - 1]!;
  const calleeSrc = text.slice(call.calleeSpan.start, call.calleeSpan.end);
  let inner: string;
  let positional: string[];
  let keyword = false;
  if (args.type === 'argument_list') {
    positional = args.children.filter((c) => c.type !== 'comment').map((c) => text.slice(c.start, c.end));
    keyword = args.children.some((c) => c.type === 'keyword_argument' || c.type === 'dictionary_splat');
  } else positional = [text.slice(args.start, args.end)];
  const edits: TextEdit[] = [];
  const modules: string[] = [lib];
  if (lib === 'asyncio') {
    inner = `await asyncio.to_thread(${[calleeSrc, ...positional].join(', ')})`;
  } else if (!keyword) {
    inner = `await ${lib}.to_thread.run_sync(${[calleeSrc, ...positional].join(', ')})`;
  } else {
    inner = `await ${lib}.to_thread.run_sync(functools.partial(${[calleeSrc, ...positional].join(', ')}))`;
    modules.push('functools');
  }
  edits.push({ span: call.span, newText: inner });
  const imp = addImport(tree, text, ...modules);
  if (imp) edits.push(imp);
  return { fixes: [{ title, safety: 'suggestion', edits }], refused: [] };
}
