/**
 * The Java `detached-task` fix (a suggestion): the failure of work started and forgotten is reported
 * through the logger the class already has.
 * - A Reactor chain `subscribe()`d with no error consumer gets one: `subscribe()` →
 *   `subscribe(v -> {}, e -> log.warn("… failed", e))`, `subscribe(onNext)` → `subscribe(onNext, e -> …)`.
 * - A dropped `CompletableFuture.runAsync`/`supplyAsync` chain gets a last stage that logs:
 *   `.exceptionally(e -> { log.warn("… failed", e); return null; })`.
 * Refused, with the reason: no logger in scope (a field of SLF4J, Log4j 2, Commons Logging or
 * `java.util.logging`, or Lombok's `@Slf4j`/`@Log4j2`/`@CommonsLog`/`@Log`, reachable from the
 * method: a static method cannot use an instance logger), and an `ExecutorService.submit`/`schedule`
 * (switching to `execute` changes which exceptions the task may throw and what it returns, a decision
 * the code must make). The engine re-parses every fix.
 */
import type { Finding, Fix, RefusedFix } from '../../engine/finding';
import type { ParsedFile } from '../../engine/language';
import { enclosingClass, enclosingFn, type JavaState } from './builder';
import { field, type JavaNode } from './syntax';
import type { ClassRec } from './types';

/** A logger the code can call, and how it logs a warning with an exception. */
interface Logger {
  readonly name: string;
  readonly warn: (message: string, err: string) => string;
}

const SLF4J_LIKE = new Set(['org.slf4j.Logger', 'org.apache.logging.log4j.Logger', 'org.apache.commons.logging.Log', 'org.jboss.logging.Logger']);
const JUL = 'java.util.logging.Logger';
const LOMBOK = /@(?:lombok\.extern\.\w+\.)?(Slf4j|XSlf4j|Log4j2|Log4j|CommonsLog|Log|JBossLog|Flogger)\b/;

const slf4jWarn = (name: string) => (message: string, err: string): string => `${name}.warn(${message}, ${err})`;
const julWarn = (name: string) => (message: string, err: string): string => `${name}.log(java.util.logging.Level.WARNING, ${message}, ${err})`;

/**
 * The Lombok logger annotation on a class, when it is Lombok's: written in full, or imported from
 * `lombok.extern.…` (by name or with a wildcard). Projects have annotations of their own named `@Log`
 * (audit logs) that make no field.
 */
function lombokLogger(state: JavaState, modifiers: string): string | undefined {
  const m = LOMBOK.exec(modifiers);
  if (!m) return undefined;
  const name = m[1]!;
  if (m[0].startsWith('@lombok.')) return name;
  const imported = state.types.imports.get(name);
  if (imported !== undefined) return imported.startsWith('lombok.extern.') ? name : undefined;
  return state.types.wildcards.some((pkg) => pkg.startsWith('lombok.extern.')) ? name : undefined;
}

/** The field declarations of a class body (not of nested classes). */
function fieldDecls(cls: ClassRec): JavaNode[] {
  const body = field(cls.node, 'body') ?? cls.node.children.find((c) => c.type === 'class_body');
  return (body?.children ?? []).filter((c) => c.type === 'field_declaration');
}

/** The logger visible at `node`: a logger field of its class or an enclosing one, or Lombok's `log`. */
function loggerAt(state: JavaState, node: JavaNode): Logger | undefined {
  const fn = enclosingFn(state, node);
  let method = fn;
  while (method && method.kind !== 'method' && method.kind !== 'constructor') method = method.parent;
  // Reached only through static members: an instance logger is out of reach.
  let staticOnly = method !== undefined && /\bstatic\b/.test(method.modifiers);
  for (let cls = fn?.cls ?? enclosingClass(state.types, node); cls; cls = cls.outer) {
    for (const decl of fieldDecls(cls)) {
      const mods = decl.children.find((c) => c.type === 'modifiers');
      const isStatic = mods !== undefined && /\bstatic\b/.test(state.text.slice(mods.start, mods.end));
      if (staticOnly && !isStatic) continue;
      const typeNode = field(decl, 'type');
      const type = typeNode ? state.types.resolveType(state.text.slice(typeNode.start, typeNode.end)) : undefined;
      if (type === undefined) continue;
      for (const d of decl.children.filter((c) => c.field === 'declarator')) {
        const nameNode = field(d, 'name');
        if (!nameNode) continue;
        const name = state.text.slice(nameNode.start, nameNode.end);
        if (SLF4J_LIKE.has(type)) return { name, warn: slf4jWarn(name) };
        if (type === JUL) return { name, warn: julWarn(name) };
      }
    }
    // Lombok's logger annotations make a `private static final` field named `log`.
    const lombok = lombokLogger(state, cls.modifiers);
    if (lombok !== undefined && lombok !== 'Flogger') return { name: 'log', warn: lombok === 'Log' ? julWarn('log') : slf4jWarn('log') };
    // A nested class that is `static` (or an interface, enum, record) reaches only its outer class's static fields.
    if (/\bstatic\b/.test(cls.modifiers) || cls.node.type !== 'class_declaration') staticOnly = true;
  }
  return undefined;
}

/**
 * A Java string literal naming the work: the root call of the chain (`"mailer.sendWelcome failed"`), the
 * publisher a plain variable holds (`"cancelled failed"`), or what a `runAsync`/`supplyAsync` task calls.
 */
function describe(state: JavaState, call: JavaNode, member: string): string {
  const { text } = state;
  const callee = (c: JavaNode): string => text.slice(c.start, (field(c, 'name') ?? c).end).replace(/\s+/g, '');
  let what: string | undefined;
  if (member === 'runAsync' || member === 'supplyAsync') {
    const task = args(call)[0];
    const body = task?.type === 'lambda_expression' ? field(task, 'body') : undefined;
    if (body?.type === 'method_invocation') what = callee(body);
    else if (task?.type === 'method_reference') what = text.slice(task.start, task.end).replace(/\s+/g, '');
  } else {
    let root: JavaNode = call;
    for (let obj = field(root, 'object'); obj?.type === 'method_invocation'; obj = field(root, 'object')) root = obj;
    const head = field(root, 'object');
    what = root === call ? (head?.type === 'identifier' || head?.type === 'field_access' ? text.slice(head.start, head.end).replace(/\s+/g, '') : undefined) : callee(root);
  }
  return JSON.stringify(`${(what ?? 'task').replace(/["\\]/g, '').slice(0, 60)} failed`);
}

function args(call: JavaNode): JavaNode[] {
  return (field(call, 'arguments')?.children ?? []).filter((c) => !/comment$/.test(c.type));
}

/** The fix for one Java `detached-task` finding. */
export function detachedFix(state: JavaState, finding: Finding, parsed: ParsedFile): Fix | RefusedFix | undefined {
  const spawn = finding.data?.spawnId === undefined ? undefined : parsed.model.spawns[finding.data.spawnId];
  const node = spawn?.callId === undefined ? undefined : state.nodeOfCall.get(spawn.callId);
  if (!spawn || !node || node.type !== 'method_invocation') return undefined;
  const member = state.text.slice((field(node, 'name') ?? node).start, (field(node, 'name') ?? node).end);
  if (member !== 'subscribe' && member !== 'runAsync' && member !== 'supplyAsync') {
    return { title: 'Report the task\'s failure', reason: `\`${member}\` keeps the failure in the \`Future\` it returns: catch and log inside the task, or keep the \`Future\` and check it (switching to \`execute\` changes which exceptions the task may throw)` };
  }
  const logger = loggerAt(state, node);
  const title = member === 'subscribe' ? 'Pass an error consumer that logs the failure' : 'Log the task\'s failure with `exceptionally`';
  if (!logger) return { title, reason: 'no logger in scope (a `Logger` field, or Lombok\'s `@Slf4j`): add one, or report the failure another way' };
  const message = describe(state, node, member);
  // Lambda parameters may not shadow a local or parameter of the enclosing method: pick unused names.
  const scope = enclosingScopeText(state, node);
  const err = fresh(scope, ['e', 'err', 'error', 'failure']);
  if (member === 'subscribe') {
    const list = field(node, 'arguments')!;
    const a = args(node);
    const onError = `${err} -> ${logger.warn(message, err)}`;
    const newText = a.length === 0 ? `(${fresh(scope, ['v', 'value', 'ignored'])} -> {}, ${onError})` : `(${state.text.slice(a[0]!.start, a[0]!.end)}, ${onError})`;
    return { title, safety: 'suggestion', edits: [{ span: { start: list.start, end: list.end }, newText }] };
  }
  // After the last stage of the dropped chain the task starts.
  let top: JavaNode = node;
  while (top.parent?.type === 'method_invocation' && top.field === 'object') top = top.parent;
  return { title, safety: 'suggestion', edits: [{ span: { start: top.end, end: top.end }, newText: `.exceptionally(${err} -> { ${logger.warn(message, err)}; return null; })` }] };
}

/** The text of the outermost method (or constructor, or initializer) around `node`: where a lambda's parameter names must be new. */
function enclosingScopeText(state: JavaState, node: JavaNode): string {
  let outer: JavaNode | undefined;
  for (let f = enclosingFn(state, node); f; f = f.parent) outer = f.node;
  return outer ? state.text.slice(outer.start, outer.end) : state.text;
}

function fresh(scope: string, candidates: readonly string[]): string {
  return candidates.find((c) => !new RegExp(`\\b${c}\\b`).test(scope)) ?? `${candidates[0]}${scope.length}`;
}
