/**
 * Spawned tasks in Rust: how a spawn's `JoinHandle` is used, and why a dropped one is not a lost
 * task when the code shows it (see {@link DetachedExcuse}). Read from the mirrored tree and the
 * source text; the rules decide.
 */
import type { DetachedExcuse, HandleUse } from '../../engine/model';
import type { SyntaxNode } from './syntax';

const FUNCTION_TYPES = new Set(['function_item', 'closure_expression', 'async_block']);
const LOOP_TYPES = new Set(['loop_expression', 'while_expression', 'for_expression']);

/** A loop that receives connections or messages: one task per item is the idiom. */
const ACCEPT = /\.(accept|accept_bi|accept_uni|recv_from|recv|incoming|next_request|accept_stream)\s*\(|\.next\(\)\s*\.await/;
/** The task reports through a channel it owns: its results and errors are not lost. */
// A channel send takes the value (`tx.send(v)`); reqwest's `RequestBuilder::send()` takes nothing.
const CHANNEL = /\.(send|try_send|unbounded_send|send_async|send_replace)\s*\(\s*[^)\s]|\.(recv|recv_async)\s*\(/;
const SENDER_ARG = /^(\w*_)?(tx|sender|reply|respond_to|resp_tx|done)$/;
const WRAPPER_NAMES = /^(spawn\w*|execute|exec|run_detached|detach)$/;

/**
 * How a spawn's handle is used. `let _ = spawn(…)` drops it; so does `let _task = spawn(…)` when
 * nothing after it names `_task`: the underscore is how Rust code says a binding goes unused, and the
 * handle is dropped (the task detached) at the end of the scope.
 */
export function spawnHandle(text: string, call: SyntaxNode, base: HandleUse): HandleUse {
  if (base !== 'stored') return base;
  let n = call.parent;
  while (n && (n.type === 'try_expression' || n.type === 'parenthesized_expression')) n = n.parent;
  if (n?.type !== 'let_declaration') return base;
  const head = text.slice(n.start, call.start);
  if (/^let\s+_\s*[:=]/.test(head)) return 'dropped';
  const unused = /^let\s+(_\w+)\s*[:=]/.exec(head)?.[1];
  if (unused !== undefined) {
    let scope: SyntaxNode | undefined = n.parent;
    while (scope && scope.type !== 'block') scope = scope.parent;
    const after = scope ? text.slice(n.end, scope.end) : '';
    if (!new RegExp(`\\b${unused}\\b`).test(after)) return 'dropped';
  }
  return base;
}

/** Why a dropped spawn is not a lost task, if the code shows a reason. */
export function spawnExcuse(text: string, call: SyntaxNode, returnsResult: (fnName: string) => boolean | undefined): DetachedExcuse | undefined {
  const args = call.children.find((c) => c.type === 'arguments');
  const argText = args ? text.slice(args.start, args.end) : '';
  if (CHANNEL.test(argText)) return 'channel';
  const first = args?.children[0];
  if (!mayFail(text, first, returnsResult)) return 'no-error';
  if (first?.type === 'call_expression') {
    const inner = first.children.find((c) => c.type === 'arguments');
    if (inner?.children.some((a) => a.type === 'identifier' && SENDER_ARG.test(text.slice(a.start, a.end)))) return 'channel';
  }
  // A loop around the spawn (within its function) that accepts connections or receives messages.
  let fn: SyntaxNode | undefined;
  for (let n = call.parent; n; n = n.parent) {
    if (FUNCTION_TYPES.has(n.type)) {
      fn = n;
      break;
    }
    if (LOOP_TYPES.has(n.type) && ACCEPT.test(text.slice(n.start, n.end))) return 'accept-loop';
  }
  // A spawn wrapper: the future spawned is the function's own parameter, or the function is named for spawning.
  for (let f = fn; f; f = f.parent) {
    if (f.type !== 'function_item') continue;
    const name = f.children.find((c) => c.type === 'identifier');
    if (name && WRAPPER_NAMES.test(text.slice(name.start, name.end))) return 'executor';
    const params = f.children.find((c) => c.type === 'parameters');
    if (first?.type === 'identifier' && params) {
      const arg = text.slice(first.start, first.end);
      if (new RegExp(`(^|[(,\\s])(mut\\s+)?${arg}\\s*:`).test(text.slice(params.start, params.end))) return 'executor';
    }
    break;
  }
  return undefined;
}

/**
 * The spawned future's output can be an error: an async block or closure that uses `?` or builds
 * an `Err`/`Ok`, or a call of a same-file function declared to return a `Result`. A call of a
 * function the file does not declare is unknown: not reported.
 */
function mayFail(text: string, future: SyntaxNode | undefined, returnsResult: (fnName: string) => boolean | undefined): boolean {
  if (!future) return false;
  if (future.type === 'async_block' || future.type === 'closure_expression') {
    // `Err(e)` in a pattern (`if let Err(e) = conn.await { … }`, `Err(e) => …`) handles an error; only one built or passed on by `?` is the task's output.
    const body = stripStrings(ownText(text, future)).replace(/\b(if|while)\s+let\s+(Ok|Err)\s*\(/g, '$1 let _(').replace(/\b(Ok|Err)\s*\(([^()]|\([^()]*\))*\)\s*(if\b[^=]*)?=>/g, '_ =>');
    return /\?\s*[;.),}]|\?$|\b(Err|Ok)\s*(::\s*<[^>]*>\s*)?\(/m.test(body);
  }
  if (future.type === 'call_expression') {
    const callee = future.children[0];
    if (!callee) return false;
    const name = text.slice(callee.start, callee.end).split(/::|\./).pop() ?? '';
    return returnsResult(name) === true;
  }
  return false;
}

/**
 * The source of a future without the closures and async blocks nested in it: a `?` in one returns from
 * that closure (`.map(|l| l.parse())`), and a nested task (`tokio::spawn(async move { …? })` per
 * connection) has its own output, not this task's.
 */
function ownText(text: string, future: SyntaxNode): string {
  let out = '';
  let pos = future.start;
  const skip = (n: SyntaxNode): void => {
    for (const c of n.children) {
      if (c.type === 'closure_expression' || c.type === 'async_block') {
        out += text.slice(pos, c.start);
        pos = c.end;
      } else skip(c);
    }
  };
  const body = future.children[future.children.length - 1];
  if (body) skip(body);
  return out + text.slice(pos, future.end);
}

function stripStrings(code: string): string {
  return code.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\/\/[^\n]*/g, '');
}
