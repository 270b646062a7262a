// Helpers the rules share: how contexts are named in messages, and how calls are
// followed through same-file helpers. Not a rule itself, so it lives beside rules/, not in it.
import type { RelatedNote } from './finding';
import type { Catalog } from './catalog';
import { isIoCall } from './catalog';
import type { Imports, LinkedFunction } from './linker';
import type { AsyncContext, CallSite, FileModel, HeldRegion } from './model';

/** A context's description for messages, by id (see {@link contextPhrase}). */
export function describeContext(model: FileModel, contextId: number | undefined): string {
  if (contextId === undefined) return 'async code';
  const ctx = model.contexts[contextId];
  if (!ctx) return 'async code';
  return contextPhrase(ctx);
}

const ANONYMOUS = /^(task|async block|async closure|async arrow function|async function|async method|goroutine|function literal|virtual thread)(?: in (.+))?$/;

/**
 * A context's name as a message phrase: code in backticks, prose outside them. Context names are
 * either code (`handleUpload`) or prose built around code (`app.get('/users') handler`,
 * `async block in serve`); an identifier never contains a space, so a space marks the prose forms.
 * Renders `` `handleUpload` ``, ``the `app.get('/users')` handler``, ``an async block in `serve` ``.
 */
export function contextPhrase(ctx: Pick<AsyncContext, 'name' | 'kind'>): string {
  const { name } = ctx;
  // A spawned block or closure with no enclosing name is just `task`, which is also a valid identifier.
  if (name === 'task' && ctx.kind === 'spawned-task') return 'a task';
  if (!name.includes(' ')) return `\`${name}\``;
  const role = /^(.+) (handler|callback)$/.exec(name);
  if (role) return `the \`${compactCode(role[1]!)}\` ${role[2]}`;
  // A callback named for the operator and the method it is in (`flatMap of getOrder`, Java's Reactor operators).
  const operator = /^([\w$]+) of ([\w$]+)$/.exec(name);
  if (operator) return `the \`${operator[1]}\` of \`${operator[2]}\``;
  const decorated = /^@(\S+) (.+)$/.exec(name);
  if (decorated) return `\`${decorated[2]}\` (a \`@${decorated[1]}\` handler)`;
  const anon = ANONYMOUS.exec(name);
  if (anon) return `${anon[1]!.startsWith('async') ? 'an' : 'a'} ${anon[1]}${anon[2] !== undefined ? ` in \`${anon[2]}\`` : ''}`;
  return `\`${name}\``;
}

/**
 * Calls that run as part of a function's body when it is called: its own calls, and calls in sync
 * closures nested in it that are neither async nor offloaded.
 */
export function callsOfFunction(model: FileModel, functionId: number): CallSite[] {
  const owned = new Set<number>([functionId]);
  // Functions are listed parents-first, so one pass, from the function on, collects every nested inline closure.
  const functions = model.functions;
  for (let i = functionId + 1; i < functions.length; i++) {
    const f = functions[i]!;
    // A closure with a context of its own (a timer, listener or `.then` callback), or one handed to a call
    // that runs it later (`deferred`: a `close` listener, an `fs.readFile` callback), is not part of the call.
    const ownContext = f.context !== undefined && f.context !== model.functions[f.parent ?? -1]?.context;
    if (f.parent !== undefined && owned.has(f.parent) && !f.isAsync && !f.offloaded && !f.deferred && f.name === undefined && !ownContext) owned.add(f.id);
  }
  return model.calls.filter((c) => c.functionId !== undefined && owned.has(c.functionId));
}

/** The first call matching `pred` reachable from a same-file function through sync calls, with the path of helpers. */
export function findThroughHelpers(
  model: FileModel,
  functionId: number,
  pred: (call: CallSite) => boolean,
  memo: Map<number, { call: CallSite; via: number[] } | null>,
): { call: CallSite; via: number[] } | undefined {
  const hit = memo.get(functionId);
  if (hit !== undefined) return hit ?? undefined;
  memo.set(functionId, null); // cycle guard
  let found: { call: CallSite; via: number[] } | undefined;
  const calls = callsOfFunction(model, functionId);
  for (const call of calls) {
    if (pred(call)) {
      found = { call, via: [functionId] };
      break;
    }
  }
  if (!found) {
    for (const call of calls) {
      const target = call.localTarget === undefined ? undefined : model.functions[call.localTarget];
      // A call that runs once per process (behind a memo guard or in a cached function) blocks no request after the first.
      if (!target || target.isAsync || target.offloaded || call.once === true) continue;
      const inner = findThroughHelpers(model, target.id, pred, memo);
      if (inner) {
        found = { call: inner.call, via: [functionId, ...inner.via] };
        break;
      }
    }
  }
  memo.set(functionId, found ?? null);
  return found;
}

/** The project function in another file a call names, when its summary says it reaches external I/O (from the linker's imports). */
export function importedIo(imports: Imports | undefined, call: CallSite): LinkedFunction | undefined {
  if (!imports || call.localTarget !== undefined || call.callee === undefined) return undefined;
  const l = Object.prototype.hasOwnProperty.call(imports, call.callee) ? imports[call.callee] : undefined;
  return l?.io ? l : undefined;
}

/** Related notes for each hop of a linked function's way to I/O across files, the I/O call last. */
export function ioHopNotes(linked: LinkedFunction, at: CallSite): RelatedNote[] {
  const hops = linked.ioChain?.hops ?? [];
  return hops.map((h, i) => ({
    span: at.span,
    message: i === hops.length - 1 ? `\`${h.call}\` does I/O here` : `\`${h.function}\` calls \`${h.call}\` here`,
    elsewhere: { path: h.path, range: h.range },
  }));
}

/**
 * True when a call performs external I/O: a catalog I/O API, a same-file function that reaches one,
 * or, with the linker's `imports`, a function of another file whose summary reaches one.
 */
export function reachesIo(model: FileModel, catalog: Catalog, call: CallSite, memo: Map<number, boolean>, imports?: Imports, seen: Set<number> = new Set()): boolean {
  if (call.callee !== undefined && isIoCall(catalog, call.callee)) return true;
  if (call.localTarget === undefined) return importedIo(imports, call) !== undefined;
  const target = call.localTarget;
  const cached = memo.get(target);
  if (cached !== undefined) return cached;
  if (seen.has(target)) return false;
  seen.add(target);
  const result = callsOfFunctionDeep(model, target).some((c) => reachesIo(model, catalog, c, memo, imports, seen));
  memo.set(target, result);
  return result;
}

/** Calls in a function and every function nested in it (async helpers included). */
function callsOfFunctionDeep(model: FileModel, functionId: number): CallSite[] {
  const owned = new Set<number>([functionId]);
  for (const f of model.functions) if (f.parent !== undefined && owned.has(f.parent)) owned.add(f.id);
  return model.calls.filter((c) => c.functionId !== undefined && owned.has(c.functionId));
}

const MAX_CODE = 60;

/**
 * Code short enough to quote in a message: a long call chain or one holding a backtick (a template
 * literal, which would end the Markdown code span) keeps only its last member, `….then`.
 */
function compactCode(code: string): string {
  if (code.length <= MAX_CODE && !code.includes('`')) return code;
  let depth = 0;
  let quote = '';
  let cut = -1;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && (c === '.' || (c === ':' && code[i + 1] === ':'))) {
      cut = i;
      if (c === ':') i++;
    }
  }
  const tail = cut >= 0 ? code.slice(cut) : '';
  return tail !== '' && tail.length <= MAX_CODE && !tail.includes('`') ? `…${tail}` : '…';
}

/** The call is on a resource the held lock guards (`conn.write` while `conn`'s mutex is held, `self.inner::read`). */
export function onGuardedResource(region: HeldRegion, call: CallSite): boolean {
  return region.guardedResources.some((r) => call.calleeText === r || call.calleeText.startsWith(`${r}.`) || call.calleeText.startsWith(`${r}::`));
}

/** A region its function enters only when a flag parameter has a value the call `c` passes the opposite of. */
export function flaggedOff(r: HeldRegion, c: CallSite): boolean {
  const given = r.takenWhen === undefined ? undefined : c.boolArgs?.[r.takenWhen.param];
  return given !== undefined && given !== null && given !== r.takenWhen!.value;
}
