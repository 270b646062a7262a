import type { BlockingCall, Catalog } from '../catalog';
import type { CallSite, FileModel, Span } from '../model';
import { spanContains } from '../model';
import type { FindingGroup, RelatedNote } from '../finding';
import type { Imports, LinkedFunction } from '../linker';
import { chainText } from '../linker';
import type { RawFinding, Rule } from '../rule';
import { contextPhrase, describeContext, findThroughHelpers } from '../rule-support';

/** The awaited form of a call in the catalog's language (`await f`, `f(…).await`). */
function awaitedForm(catalog: Catalog, name: string): string {
  return catalog.wording.awaited.replace('{}', name);
}

/**
 * A replacement named through the binding the code uses: `fs.statSync` written against
 * `require('fs-extra')` is told `fs.stat`, not `fs-extra.stat`. Only for a call written as
 * `<binding>.<member>` whose resolved callee is `<module>.<member>`.
 */
export function asWritten(text: string, call: Pick<CallSite, 'callee' | 'calleeText' | 'member'> | undefined): string {
  if (!call?.callee) return text;
  const suffix = `.${call.member}`;
  if (!call.callee.endsWith(suffix) || !call.calleeText.endsWith(suffix)) return text;
  const module = call.callee.slice(0, -suffix.length);
  const binding = call.calleeText.slice(0, -suffix.length);
  if (module === binding || module.includes('.') || !/^[\w$.]+$/.test(binding)) return text;
  return text.replace(new RegExp(`(^|[^\\w$.-])${module.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}\\.`), `$1${binding}.`);
}

/**
 * A method called on the result of a call (`Command::new(..).output`), not on a value written out
 * (a tuple receiver `(host.as_str(), port).to_socket_addrs` is quoted as written).
 */
function isChain(call: CallSite): boolean {
  const receiver = call.calleeText.slice(0, Math.max(0, call.calleeText.length - call.member.length)).replace(/(\.|::)$/, '');
  return receiver.endsWith(')') && !receiver.startsWith('(');
}

/**
 * How a message names a call: as written, except for a method at the end of a chain
 * (`Command::new(..).arg(..).output`, `db.prepare(..).all`), named by its resolved type and method
 * (`Command::output`, `Statement.all`) rather than the whole chain.
 */
export function shownCallee(call: CallSite): string {
  if (call.written !== undefined) return call.written;
  if (!isChain(call) || !call.callee) return call.calleeText;
  const sep = call.callee.includes('::') ? '::' : '.';
  const parts = call.callee.split(sep);
  return parts.length >= 2 && parts[parts.length - 1] === call.member ? parts.slice(-2).join(sep) : call.calleeText;
}

/**
 * What an editor underlines for a call at the end of a chain: the method and its arguments
 * (`output()`), not the chain from its start. Undefined for any other call.
 */
function chainFocus(call: CallSite): Span | undefined {
  if (!isChain(call) || !call.calleeText.endsWith(call.member)) return undefined;
  const start = call.calleeSpan.end - call.member.length;
  return start > call.span.start && start < call.span.end ? { start, end: call.span.end } : undefined;
}

function advice(entry: BlockingCall, catalog: Catalog, call?: CallSite, contextAdvice?: string): string {
  // A context that says what to do overrides the catalog's advice for I/O and sleeps; a wait on a
  // future or a publisher keeps its own (compose it instead).
  if (contextAdvice !== undefined && entry.category !== 'other') return contextAdvice;
  if (entry.usage) return `use \`${asWritten(entry.usage, call)}\` instead`;
  if (entry.replacement) return `use \`${asWritten(awaitedForm(catalog, entry.replacement), call)}\` instead`;
  if (entry.advice) return entry.advice;
  const { noTwin } = catalog.wording;
  return (entry.cpuHeavy ? noTwin.cpu : undefined) ?? noTwin[entry.category] ?? noTwin.default;
}

/**
 * Blocking calls that sit in the argument list of another blocking call of the same context, mapped
 * to the outermost one.
 */
function nestedBlockingCalls(model: FileModel, isBlocking: (c: CallSite) => boolean): Map<number, number> {
  const blocking = model.calls.filter((c) => c.context !== undefined && isBlocking(c));
  const out = new Map<number, number>();
  for (const inner of blocking) {
    let outer: CallSite | undefined;
    for (const c of blocking) {
      if (c === inner || c.context !== inner.context || !spanContains(c.argsSpan, inner.span)) continue;
      if (!outer || spanContains(c.argsSpan, outer.span)) outer = c;
    }
    if (outer) out.set(inner.id, outer.id);
  }
  return out;
}

/** A call as messages quote it: whole where the language says so (Java), else its callee. */
function quoted(call: CallSite): string {
  return call.written ?? call.calleeText;
}

/** The project function a call names, when it blocks its caller (from the linker's imports). */
function importedBlocking(imports: Imports, c: CallSite, catalog: Catalog): LinkedFunction | undefined {
  if (c.localTarget !== undefined || c.callee === undefined || catalog.blocking.has(c.callee)) return undefined;
  const l = Object.prototype.hasOwnProperty.call(imports, c.callee) ? imports[c.callee] : undefined;
  return l && l.blocks && !l.isAsync && !l.offloads ? l : undefined;
}

/** What to do about a chain that ends in a blocking call of the catalog. */
function helperAdvice(catalog: Catalog, blockingCallee: string): string {
  const entry = catalog.blocking.get(blockingCallee);
  return entry?.replacement ? `make it async and use \`${entry.usage ?? awaitedForm(catalog, entry.replacement)}\`` : catalog.wording.helperNoTwin;
}

/** Related notes for each hop of a cross-file chain, the blocking call last. */
function hopNotes(linked: LinkedFunction, at: CallSite): RelatedNote[] {
  const hops = linked.blocks!.hops;
  return hops.map((h, i) => ({
    span: at.span,
    message: i === hops.length - 1 ? `\`${h.call}\` blocks here` : `\`${h.function}\` calls \`${h.call}\` here`,
    elsewhere: { path: h.path, range: h.range },
  }));
}

/**
 * A finding whose blocking calls are all cheap in the usual case (`mkdir(exist_ok=True)`, a lone
 * `os.path.exists`/`fs.existsSync`) is reported as a hint, with the reason: the editor shows it, the
 * CLI's default minimum severity leaves it out; one costly call among them, or one made per item of a
 * collection (`sites`: the calls and helper calls of the chain), keeps the rule's severity.
 */
function quietIfCheap(finding: RawFinding, entries: readonly (BlockingCall | undefined)[], sites: readonly CallSite[]): RawFinding {
  const reasons = entries.map((e) => e?.cheap);
  if (reasons.length === 0 || reasons.some((r) => r === undefined)) return finding;
  // Once per item of a collection (a `stat` of each entry of a listing) it is not one call.
  if (sites.some((c) => c.perItem ?? c.inLoop)) return finding;
  return { ...finding, message: `${finding.message} (${reasons[0]})`, cap: 'hint' };
}

function check(model: FileModel, catalog: Catalog, imports: Imports): RawFinding[] {
  const findings: RawFinding[] = [];
  const memo = new Map<number, { call: CallSite; via: number[] } | null>();
  // A call behind a memo guard (`once`) runs on the first call only: it blocks one request, not the loop.
  const isBlocking = (c: CallSite): boolean => c.callee !== undefined && c.once !== true && catalog.blocking.has(c.callee);
  const linking = Object.keys(imports).length > 0;
  const blocksHere = linking ? (c: CallSite): boolean => isBlocking(c) || importedBlocking(imports, c, catalog) !== undefined : isBlocking;
  const cheap = (c: CallSite): boolean => {
    const entry = c.callee === undefined ? undefined : catalog.blocking.get(c.callee);
    const callee = entry ? undefined : importedBlocking(imports, c, catalog)?.blocks?.callee;
    return (entry ?? (callee === undefined ? undefined : catalog.blocking.get(callee)))?.cheap !== undefined;
  };
  const costlyMemo = new Map<number, { call: CallSite; via: number[] } | null>();
  const blocksCostly = (c: CallSite): boolean => blocksHere(c) && !cheap(c);
  const executor = catalog.wording.executor;
  // A chain of blocking calls (`File::open(p)?.read_to_end(&mut b)`) starts at one place: report it once.
  const reportedStarts = new Set<number>();
  // A blocking call in the arguments of another (`fs.closeSync(fs.openSync(p, 'w'))`) is one expression:
  // one finding on the outer call names both.
  const nestedIn = nestedBlockingCalls(model, isBlocking);
  // A helper called several times in one function blocks for one reason, with one fix (the helper's):
  // one finding at its first call, the others as related locations (Ghost's ghost_head calls
  // getAssetUrl four times). Keyed by function, context and helper; `analyze` merges the group after
  // suppressions, so a suppressed call neither carries the finding nor silences the others.
  const once = (call: CallSite, helper: string, push: (group: FindingGroup) => void): void => {
    push({ key: `${call.functionId ?? ''}:${call.context}:${helper}`, note: `\`${quoted(call)}\` is called here too` });
  };
  for (let ci = 0; ci < model.calls.length; ci++) {
    const call = model.calls[ci]!;
    if (call.context === undefined || reportedStarts.has(call.span.start)) continue;
    const ctx = model.contexts[call.context];
    const where = ctx?.runsOn ?? executor;
    const helperNoTwin = ctx?.advice ?? catalog.wording.helperNoTwin;
    const entry = call.callee === undefined || call.once === true ? undefined : catalog.blocking.get(call.callee);
    if (entry) {
      reportedStarts.add(call.span.start);
      if (nestedIn.has(call.id)) continue;
      const inner = model.calls.filter((c) => nestedIn.get(c.id) === call.id);
      const names = [call, ...inner].map((c) => `\`${shownCallee(c)}\``);
      const subject = inner.length === 0 ? `${names[0]} blocks` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} block`;
      const extra = inner.map((c) => `; for ${`\`${shownCallee(c)}\``}, ${advice(catalog.blocking.get(c.callee!)!, catalog, c)}`).join('');
      const focus = chainFocus(call);
      findings.push(quietIfCheap({
        message: `${subject} ${where} in ${describeContext(model, call.context)}: ${advice(entry, catalog, call, ctx?.advice)}${extra}`,
        span: call.span,
        ...(focus ? { focus } : {}),
        ...(inner.length > 0 ? { related: inner.map((c) => ({ span: c.span, message: `\`${shownCallee(c)}\` blocks here too` })) } : {}),
        data: { callId: call.id },
      }, [entry, ...inner.map((c) => catalog.blocking.get(c.callee!))], [call, ...inner]));
      continue;
    }
    const imported = linking ? importedBlocking(imports, call, catalog) : undefined;
    if (imported) {
      const blocks = imported.blocks!;
      const last = blocks.hops[blocks.hops.length - 1]!;
      once(call, `x${call.callee}`, (group) => findings.push(quietIfCheap({
        message: `\`${quoted(call)}\` blocks ${where} in ${describeContext(model, call.context)}: ${chainText(blocks.hops)} calls \`${last.call}\`; ${helperAdvice(catalog, blocks.callee)}`,
        span: call.span,
        related: hopNotes(imported, call),
        data: { callId: call.id },
        group,
      }, [catalog.blocking.get(blocks.callee)], [call])));
      continue;
    }
    if (call.localTarget === undefined) continue;
    const helper = model.functions[call.localTarget];
    if (!helper || helper.isAsync || helper.offloaded || helper.context !== undefined) continue;
    // A costly blocking call is the one to name; a cheap one (`mkdir(exist_ok=True)`) only when there is no other.
    const found = findThroughHelpers(model, helper.id, blocksCostly, costlyMemo) ?? findThroughHelpers(model, helper.id, blocksHere, memo);
    if (!found) continue;
    const inner = found.call;
    const chain = found.via.map((id) => `\`${model.functions[id]?.name ?? 'helper'}\``).join(' → ');
    const innerImported = isBlocking(inner) ? undefined : importedBlocking(imports, inner, catalog);
    if (innerImported) {
      const blocks = innerImported.blocks!;
      const last = blocks.hops[blocks.hops.length - 1]!;
      once(call, `l${helper.id}`, (group) => findings.push(quietIfCheap({
        message: `\`${quoted(call)}\` blocks ${where} in ${describeContext(model, call.context)}: ${chain} calls \`${quoted(inner)}\`, and ${chainText(blocks.hops)} calls \`${last.call}\`; ${helperAdvice(catalog, blocks.callee)}`,
        span: call.span,
        related: [{ span: inner.span, message: `\`${quoted(inner)}\` blocks here` }, ...hopNotes(innerImported, call)],
        data: { callId: call.id },
        group,
      }, [catalog.blocking.get(blocks.callee)], [call, inner])));
      continue;
    }
    const innerEntry = catalog.blocking.get(inner.callee!)!;
    once(call, `l${helper.id}`, (group) => findings.push(quietIfCheap({
      message: `\`${quoted(call)}\` blocks ${where} in ${describeContext(model, call.context)}: ${chain} calls \`${quoted(inner)}\`; ${
        innerEntry.replacement
          ? `make it async and use \`${asWritten(innerEntry.usage ?? awaitedForm(catalog, innerEntry.replacement), inner)}\``
          : helperNoTwin
      }`,
      span: call.span,
      related: [{ span: inner.span, message: `\`${quoted(inner)}\` blocks here` }],
      data: { callId: call.id, innerCallId: inner.id },
      group,
    }, [innerEntry], [call, inner])));
  }
  // A synchronous function of another module registered by name as a handler runs on every request:
  // what it blocks on blocks there. Reported at the registration, which is what makes it a handler.
  if (linking) {
    for (const ref of model.handlerRefs ?? []) {
      if (catalog.blocking.has(ref.callee) || !Object.prototype.hasOwnProperty.call(imports, ref.callee)) continue;
      const l = imports[ref.callee]!;
      if (!l.blocks || l.isAsync || l.offloads) continue;
      const hops = l.blocks.hops;
      const last = hops[hops.length - 1]!;
      findings.push({
        message: `\`${ref.text}\`, registered as ${contextPhrase({ name: ref.name, kind: 'handler' })}, blocks ${executor} each time it runs: ${chainText(hops)} calls \`${last.call}\`; ${helperAdvice(catalog, l.blocks.callee)}`,
        span: ref.span,
        related: hops.map((h, i) => ({
          span: ref.span,
          message: i === hops.length - 1 ? `\`${h.call}\` blocks here` : `\`${h.function}\` calls \`${h.call}\` here`,
          elsewhere: { path: h.path, range: h.range },
        })),
        data: { handlerRef: ref.id },
      });
    }
  }
  return findings;
}

/** `blocking-in-async`: a blocking call in an async context, directly or through a helper (same file or, linked, another). */
export const blockingInAsync: Rule = {
  id: 'blocking-in-async',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    summary: 'A blocking call (sync I/O, sleep, CPU-heavy sync API) inside async code, directly or through a helper in this file or another',
    what:
      'Flags calls that block the thread inside an async function, an async closure or a callback registered as a request or event handler. ' +
      'A call to a sync helper is flagged at the call site when the helper (or a helper it calls) blocks, in the same file or, through the project\'s imports, in another: the message and the related locations show the chain, one hop per call; a helper called several times in one function is one finding, at its first call, with the other calls as related locations (one cause, one fix); a suppression silences the call on its line only (the next call then carries the finding), and under `--diff` the finding is kept, at the first changed call, when any of the calls changed. ' +
      'A synchronous function of another module handed by name to a handler registration (`router.get(\'/files\', files.list)`, `app.get(\'*\', require(\'./controller\'))`, a template helper given to `registerHelper`) runs on every request that reaches it: when it blocks, the registration is flagged (its own file cannot see that it runs per request).',
    why:
      'An event loop or executor thread runs many tasks in turn. A blocking call stops all of them until it returns: one slow disk read or password hash in a request handler delays every other request the process is serving.',
    example: [
      '```ts',
      "app.get('/config', async (req, res) => {",
      "  const text = fs.readFileSync('config.json', 'utf8'); // blocks every other request",
      '  res.json(JSON.parse(text));',
      '});',
      '```',
      '```ts',
      "app.get('/config', async (req, res) => {",
      "  const text = await fs.promises.readFile('config.json', 'utf8');",
      '  res.json(JSON.parse(text));',
      '});',
      '```',
    ].join('\n'),
    fix:
      'Where the call has an async twin, the fix replaces it and adds `await`, making the enclosing callback `async` when needed (safe). ' +
      'For CPU-bound work with no async twin, a suggestion moves the work to a worker thread. ' +
      'In TS/JS, for a call of a helper in another file of the project that makes the blocking call itself (`verify` in `services/password-hash.ts` calling `bcrypt.compareSync`), a suggestion makes the helper async in its own file with the awaited twin and awaits it at every call the project makes of it, one workspace edit over those files, each re-parsed; it is refused, with the reason, when a caller is sync code (a script, a sync function), the blocking call is one helper further, the helper is a method or a default export, or it is called from more than 24 files. ' +
      'At the call site of such a helper: in Rust the call moves to the blocking pool (`tokio::task::spawn_blocking(move || helper(…)).await`), in Python to a thread (`await asyncio.to_thread(helper, …)`), as for a same-file call; in JavaScript (suggestion) the call moves to a worker thread that `require`s or imports the helper\'s module as the call site does (a helper destructured from the module at the top of the file, `const { hashSync } = passwords`, is called through that module object), offered when the helper cannot be made async or its work is CPU-bound, and refused, with the reason, for a TypeScript module (the generated JavaScript worker cannot load it), a method or a function using `this`, a result that does not survive the copy back (a function, a class instance, what `require` loads), and a module that runs code when it is loaded (a pool, a watcher: the worker would run it again in its own copy of the module). ' +
      'A helper called several times in one function is one finding: its fixes rewrite every call it stands for (the worker offload moves each call, with its own arguments, to one worker; a call-site fix built for one call, such as Python\'s `asyncio.to_thread` or Rust\'s `spawn_blocking`, is built for each call and joined), and a fix that would rewrite some of the calls and leave the others blocking (one call in a generator expression) is not offered, with the reason. ' +
      'Java (suggestions): `Thread.sleep(d)` before a publisher is returned becomes `Mono.delay(Duration.ofMillis(d)).then(…)`; a blocking call in a `map` callback moves to `flatMap` over `Mono.fromCallable(() -> …).subscribeOn(Schedulers.boundedElastic())`; a task on the common `ForkJoinPool` (`supplyAsync(f)`, `runAsync(f)`, a `*Async` stage) gets an executor the class or method already has as its last argument, one suggestion per executor in scope (refused, with the reason, when there is none); a Reactor `block()` (`blockFirst()`/`blockLast()`) is composed instead: `map(v -> x.block())` becomes `flatMap(v -> x)`, `Mono.just(x.block())` becomes `x`, and `T t = x.block();` followed by the rest of a body that returns a publisher becomes `return x.flatMap(t -> { …rest… });` (`flatMapMany` for a `Flux`, `x.map(t -> e)` when the rest is `return Mono.just(e);`), refused where the rest reassigns a local (a lambda cannot capture it); an empty publisher then skips the rest instead of continuing with `null`.',
    limits:
      'A call that is cheap in the usual case is reported as a hint, with the reason: the editor shows it, the CLI leaves it out unless asked (`--min-severity hint`). ' +
      'Each is one metadata system call on one path, microseconds on a local disk, slow only on a slow or network file system: in TS/JS `fs.existsSync`, `statSync`, `lstatSync`, `accessSync` and `readlinkSync` (and fs-extra\'s, with `pathExistsSync`); in Python a lone `stat` of one path (`os.path.exists`/`isfile`/`isdir`/`getsize`…, `os.stat`, `os.readlink`, `Path.exists`/`is_file`/`stat`…) and `Path.mkdir(…, exist_ok=True)`/`os.makedirs(…, exist_ok=True)` (once the folder exists, a `mkdir` that fails with EEXIST). ' +
      'Ruff\'s ASYNC240 reports the `os.path` and `pathlib` ones wherever they are, when that rule is selected; on real services they are most of what such a rule says and not a stall a reviewer would defend (23 of the 38 Python findings of the real-code corpus were one such call, such as jupyter-server\'s async contents manager, which checks `isfile`/`isdir` on the loop and offloads the work itself). ' +
      'A helper that also makes a costly call is named for that call, at the rule\'s severity, and so is a cheap call made once per item of a collection (in a `for` loop, a comprehension or an iteration callback such as `.filter`: Node-RED `lstatSync`s each entry of a folder listing; in Python not a `for` over a literal list of names), while in Python a poll that stats one path each round of a `while` loop stays a hint (TS/JS counts every loop as per item, polls included); listing a folder (`readdirSync`, `os.listdir`, `iterdir`, `glob`), `realpath`/`resolve`, reading or writing a file and calls that change the file system are not cheap. ' +
      'Not for Go: a blocking call parks only its own goroutine while the runtime runs the others on other threads, so there is no event loop or executor thread to stall; what hurts in Go is what a goroutine holds while it parks, which `await-holding-lock` reports. ' +
      'Calls are resolved through imports and local aliases, not types: a blocking method reached through an untyped parameter is not seen. ' +
      'A call behind a memo guard on a module-level cache (`if (cached !== undefined) return cached; … cached = …`, `if (!cached) { cached = … }`, `cached ??= …`) runs once per process and is not flagged (TS/JS), nor is, in Python, the body of a function cached with `functools.cache`/`lru_cache` (or `cachetools.cached`) or of an `if _x is None:` (`if not _x:`) that builds a `global _x`, through any chain of helpers. ' +
      'Helpers in other files are followed to a fixed depth and not around a cycle: in TS/JS through relative imports and requires, re-exports, classes of the project, tsconfig `paths`/`baseUrl`, package.json `imports` and the packages of an npm, Yarn or pnpm workspace; in Rust through `mod` files, `crate::`/`self::`/`super::` paths, `pub use` re-exports, methods of a type whose receiver type the file states, and the crates of a Cargo workspace or path dependencies by name; in Python through relative imports, absolute imports of the project\'s own packages (from a folder with `pyproject.toml`, `setup.py` or `setup.cfg`, and its `src/`), `import a.b as c`, names a package\'s `__init__.py` imports, and methods of a class of another module whose instance the file builds or annotates; in Java through the declared type of the receiver to its class\'s file, by package under the project\'s source roots (`src/main/java` and the like) or in the caller\'s package folder (not through an interface to its implementation).',
  },
  check,
};
