/**
 * Fixes for `detached-task` in Rust, both suggestions:
 * - a tokio task spawned per item of a `for` loop in async code → kept in a `tokio::task::JoinSet`
 *   made before the loop and joined after it, each failure and panic logged: the handles are kept,
 *   and the function now waits for its tasks (the title says so). Refused where the loop can return
 *   early (a `return` or `?` in its body): the dropped set would abort the tasks still running.
 * - any dropped task whose output is a `Result` → the task logs its own error where it runs (the
 *   future is bound first, so what it captures does not change): `spawn({ let task = f; async move {
 *   if let Err(err) = task.await { error!(…) } } })`, or a closure called the same way for
 *   `spawn_blocking`. The error is no longer lost; the handle stays dropped, so nothing waits for the
 *   task at shutdown, which the title says.
 * The log call is `tracing::error!` or `log::error!` when the crate depends on one, else `eprintln!`.
 * A smol task is cancelled when its `Task` is dropped: the one fix there is `.detach()`, which lets it run.
 */
import type { Finding, Fix, RefusedFix, TextEdit } from '../../../engine/finding';
import type { FixContext, FixResult, ParsedFile } from '../../../engine/language';
import type { SpawnSite } from '../../../engine/model';
import { isReportedFanOut } from '../../../engine/rules/unbounded-fan-out';
import type { SyntaxNode } from '../syntax';
import { callNode, fnOf, indentAt, rustTree } from './util';

const NONE: FixResult = { fixes: [], refused: [] };
const LIMIT = 8;
/** Tokio spawners with a `JoinSet` twin of the same name. */
const JOINSET_TWINS: ReadonlyMap<string, string> = new Map([
  ['tokio::spawn', 'spawn'],
  ['tokio::task::spawn', 'spawn'],
  ['tokio::task::spawn_local', 'spawn_local'],
  ['tokio::task::spawn_blocking', 'spawn_blocking'],
]);
const NESTED = new Set(['closure_expression', 'function_item', 'async_block']);

export function detachedFixes(finding: Finding, parsed: ParsedFile, ctx: FixContext): FixResult {
  const tree = rustTree(parsed);
  const site = finding.data?.spawnId === undefined ? undefined : parsed.model.spawns[finding.data.spawnId];
  if (!tree || !site || site.callId === undefined) return NONE;
  const call = parsed.model.calls[site.callId];
  const node = callNode(tree, site.callId);
  const args = node?.children.find((c) => c.type === 'arguments');
  const future = args?.children[0];
  if (!call || !node || !future || args!.children.length !== 1) return NONE;
  // A dropped smol `Task` is cancelled, not detached: logging inside it would not make it run.
  if (site.runtime === 'smol') return { fixes: [detachFix(call.span.end)], refused: [] };
  const log = logger(ctx.dependencies);
  const fnName = site.functionId === undefined ? undefined : parsed.model.functions[site.functionId]?.name;
  const what = taskName(parsed.text, future, fnName);
  const fixes: Fix[] = [];
  const refused: RefusedFix[] = [];
  const set = joinSetFix(parsed, tree, node, call.callee, log, what);
  if (set && 'reason' in set) refused.push(set);
  else if (set) fixes.push(set);
  const logged = logFix(parsed.text, site, call.callee, future, log, what);
  // A single task (not one per loop item) of a tokio spawner: a service that owns tasks keeps it.
  const owned = set === undefined ? ownerFix(parsed, tree, node, call.callee, logged, ctx.dependencies) : undefined;
  if (owned && 'reason' in owned) refused.push(owned);
  else if (owned) fixes.push(owned);
  fixes.push(logged);
  return { fixes, refused };
}

const OWNER_TITLE = 'Keep the task where the service joins it at shutdown (a `TaskTracker` or `JoinSet` field)';

/**
 * A tokio task spawned once from a method of a type that already owns its tasks (a `TaskTracker`
 * field, or a `JoinSet<()>` field under `&mut self`) is spawned there, its error logged where it
 * runs: shutdown then waits for it (`close()` and `wait()`, or `join_next()`). Anywhere else the
 * owner is a decision the code does not show: refused, with the reason.
 */
function ownerFix(parsed: ParsedFile, tree: NonNullable<ReturnType<typeof rustTree>>, node: SyntaxNode, callee: string | undefined, logged: Fix, dependencies: ReadonlySet<string> | undefined): Fix | RefusedFix | undefined {
  const twin = callee === undefined ? undefined : JOINSET_TWINS.get(callee);
  if (twin === undefined) return undefined;
  const text = parsed.text;
  const owner = fnOf(tree, node);
  const fnName = owner?.info.name ?? 'this function';
  const tracker = dependencies?.has('tokio-util') || dependencies?.has('tokio_util') ? 'a `tokio_util::task::TaskTracker` field, closed and waited for at shutdown' : 'a `tokio::task::JoinSet` field, joined at shutdown';
  // The method that spawns, not a closure inside it: `self` is its receiver.
  let method = owner;
  while (method && method.node.type !== 'function_item') method = method.parent as typeof method;
  const selfType = method?.selfType;
  const params = method?.node.children.find((c) => c.type === 'parameters');
  const receiver = params?.children.find((c) => c.type === 'self_parameter');
  if (!method || selfType === undefined || !receiver) {
    return { title: OWNER_TITLE, reason: `\`${fnName}\` is not a method of a type that could own the task: return its \`JoinHandle\` to the caller, or keep it in ${tracker}` };
  }
  const fields = tree.data.state.scope.structs.get(selfType) ?? new Map<string, string>();
  const mutable = /&\s*(\x27\w+\s+)?mut\s+self/.test(text.slice(receiver.start, receiver.end));
  let field: string | undefined;
  for (const [name, type] of fields) {
    const bare = type.replace(/^(Arc|Rc)<(.*)>$/, '$2');
    if (/^(tokio_util::task::)?TaskTracker$/.test(bare) || (mutable && /^(tokio::task::)?JoinSet<\(\)>$/.test(type))) {
      field = name;
      break;
    }
  }
  const joinSet = mutable ? undefined : [...fields].find(([, type]) => /^(tokio::task::)?JoinSet</.test(type))?.[0];
  if (field === undefined && joinSet !== undefined) {
    return { title: OWNER_TITLE, reason: `\`${selfType}\`'s \`JoinSet\` (\`${joinSet}\`) takes a task only through \`&mut self\`, and \`${fnName}\` has \`${compactText(text.slice(receiver.start, receiver.end))}\`` };
  }
  if (field === undefined) {
    return { title: OWNER_TITLE, reason: `\`${selfType}\` has no field that owns tasks: who keeps this one and joins it at shutdown is a decision about the service's lifetime (${tracker} is one way)` };
  }
  const calleeNode = node.children[0]!;
  return {
    title: `Spawn it on \`self.${field}\`, so shutdown waits for it, and log its error where it runs`,
    safety: 'suggestion',
    edits: [{ span: { start: calleeNode.start, end: calleeNode.end }, newText: `self.${field}.${twin}` }, ...logged.edits],
  };
}

/** smol: `.detach()` lets the task run on once its `Task` is dropped (its output, an error too, is then dropped). */
function detachFix(end: number): Fix {
  return {
    title: 'Let the task run in the background: `.detach()` it (a dropped smol `Task` is cancelled; a detached one\'s output, an error too, is dropped)',
    safety: 'suggestion',
    edits: [{ span: { start: end, end }, newText: '.detach()' }],
  };
}

const compactText = (s: string): string => s.replace(/\s+/g, ' ');

type Log = (indent: string, err: string, message: string) => string;

/** The crate's logger, from its dependencies: `tracing`, then `log`, else standard error. */
function logger(dependencies: ReadonlySet<string> | undefined): Log {
  if (dependencies?.has('tracing')) return (_i, err, message) => `tracing::error!(error = ?${err}, "${message}")`;
  if (dependencies?.has('log')) return (_i, err, message) => `log::error!("${message}: {${err}:?}")`;
  return (_i, err, message) => `eprintln!("${message}: {${err}:?}")`;
}

/** What the task does, for the log message: the function it calls, or the task of the function that spawns it. */
function taskName(text: string, future: SyntaxNode, fnName: string | undefined): string {
  if (future.type === 'call_expression') {
    const callee = future.children[0];
    const name = callee ? text.slice(callee.start, callee.end).split(/::|\./).pop() : undefined;
    if (name && /^\w+$/.test(name)) return name;
  }
  return fnName !== undefined && /^\w+$/.test(fnName) ? `the task spawned in ${fnName}` : 'a background task';
}

function logFix(text: string, site: SpawnSite, callee: string | undefined, future: SyntaxNode, log: Log, what: string): Fix {
  const blocking = /spawn_blocking$/.test(callee ?? site.spawner);
  const futureText = text.slice(future.start, future.end);
  const indent = indentAt(text, future.start);
  const inner = indent + '    ';
  const body = `${inner}        ${log(inner, 'err', `${what} failed`)};`;
  // The block evaluates the future (or the closure) where the spawn was, then hands the task only it.
  const newText = blocking
    ? `{\n${inner}let job = ${reindent(futureText, '    ')};\n${inner}move || {\n${inner}    if let Err(err) = job() {\n${body}\n${inner}    }\n${inner}}\n${indent}}`
    : `{\n${inner}let task = ${reindent(futureText, '    ')};\n${inner}async move {\n${inner}    if let Err(err) = task.await {\n${body}\n${inner}    }\n${inner}}\n${indent}}`;
  return {
    title: `Log the task's error where it runs (its failure is no longer lost; the handle stays dropped, so nothing waits for the task at shutdown)`,
    safety: 'suggestion',
    edits: [{ span: { start: future.start, end: future.end }, newText }],
  };
}

/** Lines after the first moved right by `by`, to sit inside the new block. */
function reindent(code: string, by: string): string {
  return code.replace(/\n/g, `\n${by}`);
}

/** The `JoinSet` fix for a task spawned per item of a `for` loop, or its refusal, or nothing when it does not apply. */
function joinSetFix(parsed: ParsedFile, tree: NonNullable<ReturnType<typeof rustTree>>, node: SyntaxNode, callee: string | undefined, log: Log, what: string): Fix | RefusedFix | undefined {
  const text = parsed.text;
  const twin = callee === undefined ? undefined : JOINSET_TWINS.get(callee);
  if (twin === undefined) return undefined;
  // The spawn must be a statement of the loop body (not inside a closure or a nested block of it).
  let stmt: SyntaxNode = node;
  if (stmt.parent?.type === 'expression_statement') stmt = stmt.parent;
  const body = stmt.parent;
  const loop = body?.parent;
  if (!body || body.type !== 'block' || loop?.type !== 'for_expression') return undefined;
  const owner = fnOf(tree, loop);
  if (!owner?.info.isAsync) return undefined;
  // A task per item of an unbounded collection is also a fan-out: the set then keeps at most LIMIT running.
  const fanOut = parsed.model.fanOuts?.find((f) => f.span.start === node.start && f.span.end === node.end && isReportedFanOut(f));
  const title = fanOut
    ? `Keep the tasks in a \`JoinSet\`, at most ${LIMIT} running (${LIMIT} is a placeholder: choose N), and join them after the loop, logging each failure (the function now waits for its tasks)`
    : `Keep the tasks in a \`JoinSet\` and join them after the loop, logging each failure (the function now waits for its tasks)`;
  if (hasEarlyExit(body)) return { title, reason: 'the loop can return early (a `return` or `?` in its body), and a dropped `JoinSet` aborts the tasks still running' };
  const fnText = text.slice(owner.node.start, owner.node.end);
  let name = 'tasks';
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(fnText); i++) name = `tasks${i}`;
  const loopIndent = indentAt(text, loop.start);
  const inner = loopIndent + '    ';
  const arm = inner + '    ';
  const calleeNode = node.children[0]!;
  const loopStmt = loop.parent?.type === 'expression_statement' ? loop.parent : loop;
  const stmtIndent = indentAt(text, stmt.start);
  const edits: TextEdit[] = [
    { span: { start: loop.start, end: loop.start }, newText: `let mut ${name} = tokio::task::JoinSet::new();\n${loopIndent}` },
    ...(fanOut
      ? [{
          span: { start: stmt.start, end: stmt.start },
          newText:
            `while ${name}.len() >= ${LIMIT} {\n` +
            `${stmtIndent}    match ${name}.join_next().await {\n` +
            `${stmtIndent}        Some(Ok(Err(err))) => ${log(stmtIndent, 'err', `${what} failed`)},\n` +
            `${stmtIndent}        Some(Err(err)) => ${log(stmtIndent, 'err', `${what} panicked`)},\n` +
            `${stmtIndent}        _ => {}\n` +
            `${stmtIndent}    }\n` +
            `${stmtIndent}}\n${stmtIndent}`,
        }]
      : []),
    { span: { start: calleeNode.start, end: calleeNode.end }, newText: `${name}.${twin}` },
    {
      span: { start: loopStmt.end, end: loopStmt.end },
      newText:
        `\n${loopIndent}while let Some(joined) = ${name}.join_next().await {\n` +
        `${inner}match joined {\n` +
        `${arm}Ok(Err(err)) => ${log(arm, 'err', `${what} failed`)},\n` +
        `${arm}Err(err) => ${log(arm, 'err', `${what} panicked`)},\n` +
        `${arm}Ok(Ok(_)) => {}\n` +
        `${inner}}\n` +
        `${loopIndent}}`,
    },
  ];
  return { title, safety: 'suggestion', edits };
}

/** A `return` or `?` in the loop body that leaves the function (not one inside a closure or async block of it). */
function hasEarlyExit(body: SyntaxNode): boolean {
  const visit = (n: SyntaxNode): boolean => {
    if (NESTED.has(n.type)) return false;
    if (n.type === 'return_expression' || n.type === 'try_expression') return true;
    return n.children.some(visit);
  };
  return body.children.some(visit);
}
