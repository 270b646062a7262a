/**
 * The fix for a Reactor `block()` inside an async context (a suggestion): compose the publisher
 * instead of waiting for it.
 * - `map(v -> x.block())` → `flatMap(v -> x)` (`blockFirst()`/`blockLast()` → `next()`/`last()`);
 * - `Mono.just(x.block())`, `Mono.justOrEmpty(x.block())` where a publisher is returned → `x`;
 * - `T t = x.block();` followed by the rest of a body that returns a publisher (a `flatMap`-like
 *   callback, or a method returning `Mono`/`Flux`) → `return x.flatMap(t -> { …rest… });`
 *   (`flatMapMany` when the body returns a `Flux`; `x.map(t -> e)` when the rest is `return Mono.just(e);`).
 * Refused, with the reason, for other shapes and where moving the rest into a lambda would capture
 * a variable the body reassigns. An empty publisher now skips the rest instead of continuing with
 * `null`, which is what the title says. The engine re-parses every fix.
 */
import type { Fix, RefusedFix, TextEdit } from '../../engine/finding';
import { enclosingFn, type JFn, type JavaState } from './builder';
import { field, type JavaNode } from './syntax';
import { FLUX, MONO } from './types';

const PUBLISHER_OPERATORS = /^(?:flatMap|flatMapMany|concatMap|flatMapSequential|switchMap|then|defer|filterWhen|delayUntil|onErrorResume|flatMapDelayError)$/;
const FLUX_OPERATORS = /^(?:flatMapMany|thenMany|concatMap|flatMapSequential|switchMap)$/;
const REPLACEMENT: Readonly<Record<string, string>> = { block: '', blockFirst: '.next()', blockLast: '.last()' };

function operatorOf(state: JavaState, fn: JFn): string | undefined {
  const args = fn.node.parent;
  const call = args?.type === 'argument_list' ? args.parent : undefined;
  const name = call?.type === 'method_invocation' ? field(call, 'name') : undefined;
  return name ? state.text.slice(name.start, name.end) : undefined;
}

const stmtsOf = (block: JavaNode): JavaNode[] => block.children.filter((c) => !/comment$/.test(c.type));

/** Whether the body assigns a plain local (`x = …`, `x++`): moving code into a lambda would capture a variable that is not effectively final. */
function reassignsLocals(state: JavaState, body: JavaNode): boolean {
  const stack = [...body.children];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'class_body') continue;
    if (n.type === 'assignment_expression' && field(n, 'left')?.type === 'identifier') return true;
    if (n.type === 'update_expression' && n.children.some((c) => c.type === 'identifier')) return true;
    stack.push(...n.children);
  }
  void state;
  return false;
}

function indentOf(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The compose fix for a `block()`-family call `call` in the async context of `ctxFn`. */
export function composeFix(state: JavaState, call: JavaNode, ctxFn: JFn): Fix | RefusedFix {
  const { text } = state;
  const title = 'Compose the publisher instead of blocking on it (an empty one now skips the rest)';
  const nameNode = field(call, 'name');
  const member = nameNode ? text.slice(nameNode.start, nameNode.end) : '';
  const obj = field(call, 'object');
  const argCount = (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type)).length;
  if (!obj || !(member in REPLACEMENT) || argCount !== 0) return { title, reason: `\`${member}\` with a timeout, or on an unknown receiver, is composed by hand` };
  if (enclosingFn(state, call) !== ctxFn) return { title, reason: 'the call is inside a nested callback' };
  const publisher = text.slice(obj.start, obj.end) + REPLACEMENT[member]!;
  const op = ctxFn.kind === 'lambda' ? operatorOf(state, ctxFn) : undefined;
  const body = field(ctxFn.node, 'body');
  // `map(v -> x.block())` → `flatMap(v -> x)`.
  if (op === 'map' && body === call) {
    const mapName = field(ctxFn.node.parent!.parent!, 'name')!;
    return { title, safety: 'suggestion', edits: [{ span: { start: mapName.start, end: mapName.end }, newText: 'flatMap' }, { span: { start: call.start, end: call.end }, newText: publisher }] };
  }
  const returnsPublisher = ctxFn.kind === 'method' ? ctxFn.returns === MONO || ctxFn.returns === FLUX : op !== undefined && PUBLISHER_OPERATORS.test(op);
  if (!returnsPublisher) return { title, reason: 'the callback does not return a publisher to compose with' };
  // `Mono.just(x.block())` → `x`.
  const list = call.parent;
  const wrapper = list?.type === 'argument_list' ? list.parent : undefined;
  if (wrapper?.type === 'method_invocation' && /^Mono\s*\.\s*(?:just|justOrEmpty)$/.test(text.slice(wrapper.start, (field(wrapper, 'name') ?? wrapper).end)) && stmtsOf(list!).length === 1) {
    return { title, safety: 'suggestion', edits: [{ span: { start: wrapper.start, end: wrapper.end }, newText: publisher }] };
  }
  // `T t = x.block(); …; return p;` → `return x.flatMap(t -> { …; return p; });`.
  const declarator = call.parent;
  const decl = declarator?.type === 'variable_declarator' && field(declarator, 'value') === call ? declarator.parent : undefined;
  if (!decl || decl.type !== 'local_variable_declaration' || !body || body.type !== 'block' || decl.parent !== body) {
    return { title, reason: 'only `T t = x.block();` as a statement of the body, `Mono.just(x.block())` and a `map` returning `x.block()` are rewritten' };
  }
  if (decl.children.filter((c) => c.field === 'declarator').length !== 1) return { title, reason: 'the declaration declares more than one variable' };
  const stmts = stmtsOf(body);
  const at = stmts.indexOf(decl);
  const rest = stmts.slice(at + 1);
  const last = rest[rest.length - 1];
  if (!last || last.type !== 'return_statement') return { title, reason: 'the body does not end by returning a publisher' };
  if (reassignsLocals(state, body)) return { title, reason: 'the body reassigns a local variable, which a lambda cannot capture' };
  const varName = text.slice(field(declarator!, 'name')!.start, field(declarator!, 'name')!.end);
  const value = last.children.find((c) => !/comment$/.test(c.type));
  const valueText = value ? text.slice(value.start, value.end) : '';
  const many = ctxFn.returns === FLUX || (op !== undefined && FLUX_OPERATORS.test(op)) || /^Flux\s*\./.test(valueText);
  const indent = indentOf(text, decl.start);
  const just = rest.length === 1 && value?.type === 'method_invocation' && /^Mono\s*\.\s*just$/.test(text.slice(value.start, (field(value, 'name') ?? value).end)) ? field(value, 'arguments') : undefined;
  let newText: string;
  if (just && !many && stmtsOf(just).length === 1) {
    const inner = stmtsOf(just)[0]!;
    newText = `return ${publisher}.map(${varName} -> ${text.slice(inner.start, inner.end)});`;
  } else {
    const restText = text.slice(rest[0]!.start, last.end).split('\n').map((l, i) => (i === 0 ? l : l.startsWith(indent) ? `    ${l}` : l)).join('\n');
    newText = `return ${publisher}.${many ? 'flatMapMany' : 'flatMap'}(${varName} -> {\n${indent}    ${restText}\n${indent}});`;
  }
  // A comment between the statements that move (the declaration's trailing `// …`) stays, after the new statement.
  const comments = body.children.filter((c) => /comment$/.test(c.type) && c.start > decl.start && c.end <= last.end);
  if (comments.length > 1) return { title, reason: 'comments between the statements would have to move by hand' };
  const kept = comments[0] ? ` ${text.slice(comments[0].start, comments[0].end)}` : '';
  const edits: TextEdit[] = [{ span: { start: decl.start, end: last.end }, newText: newText + kept }];
  return { title, safety: 'suggestion', edits };
}
