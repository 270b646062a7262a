import type { Catalog } from '../catalog';
import type { Imports, LinkedFunction } from '../linker';
import type { FileModel, SpawnSite } from '../model';
import type { RawFinding, Rule } from '../rule';
import { describeContext } from '../rule-support';

/** For a call of another module's function: that function, when the linker says it is async and can reject. */
function linkedTask(imports: Imports | undefined, s: SpawnSite): LinkedFunction | undefined {
  if (s.linked === undefined || !imports || !Object.prototype.hasOwnProperty.call(imports, s.linked)) return undefined;
  const l = imports[s.linked]!;
  return l.isAsync && !l.cannotReject ? l : undefined;
}

/** Whether the rule reports a spawn: its handle is dropped and nothing in the code excuses it. The hover asks the same. */
export function isReportedSpawn(model: FileModel, s: SpawnSite, imports?: Imports): boolean {
  if (s.handle !== 'dropped' || s.excuse !== undefined) return false;
  if (s.linked !== undefined && linkedTask(imports, s) === undefined) return false;
  // Quiet if other modules' functions it chains on cannot reject, and the linker says they cannot.
  if (s.quietIf !== undefined && imports && s.quietIf.every((k) => Object.prototype.hasOwnProperty.call(imports, k) && imports[k]!.cannotReject === true)) return false;
  // A script's top-level `main()` that rejects makes Node exit non-zero: what a script wants.
  return !(s.functionId === undefined && model.roles?.file.role === 'script');
}

function check(model: FileModel, catalog: Catalog, imports: Imports): RawFinding[] {
  const findings: RawFinding[] = [];
  const wording = catalog.wording.detached;
  if (wording === undefined) return findings;
  for (const s of model.spawns) {
    if (!isReportedSpawn(model, s, imports)) continue;
    const fn = s.functionId === undefined ? undefined : model.functions[s.functionId]?.name;
    const where = s.context !== undefined ? describeContext(model, s.context) : fn !== undefined ? `\`${fn}\`` : 'this code';
    const template = (s.runtime !== undefined ? catalog.wording.detachedBy?.[s.runtime] : undefined) ?? wording;
    let message = template.replace('{spawner}', s.spawner).replace('{where}', where).replace('{detail}', s.detail ?? 'it is not joined');
    // Another module's function: say where it is, since nothing in this file shows it is async.
    const other = linkedTask(imports, s);
    if (other) message = message.replace(`\`${s.spawner}(…)\``, `\`${s.spawner}(…)\` (async, in ${other.shown})`);
    findings.push({ message, span: s.span, data: { spawnId: s.id, ...(s.callId !== undefined ? { callId: s.callId } : {}) } });
  }
  return findings;
}

/** `detached-task`: a task or promise started and forgotten. */
export const detachedTask: Rule = {
  id: 'detached-task',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    summary: 'A task or promise started and forgotten: its failure and its lifetime are invisible',
    what:
      'Flags a promise-returning call used as a statement without `await`, `void`, `.catch` or being stored (TS/JS), where the frontend can tell the call returns a promise: a same-file async function or method, an async function of another module of the project that can reject (through the cross-file summaries: an import, a namespace import, a re-export, `require`), a Node promise API or an HTTP client called without a callback, a `.then`/`.finally` chain with no rejection handler. ' +
      'In Rust, `tokio::spawn`/`task::spawn`, a spawn through a runtime handle (`Handle::current().spawn(…)`, `handle.spawn(…)`, `rt.spawn(…)`) and `spawn_blocking` (on its own or on a handle) whose `JoinHandle` is dropped (also `let _ =`, and `let _task =` never read again); `async_std::task::spawn` the same way (its dropped handle detaches the task, as tokio\'s does). `smol::spawn` whose `Task` is dropped at once (a statement, `let _ =`): dropping a smol `Task` cancels the task, so it may never run, whatever it does (a `Task` bound to a name lives to the end of its scope, and `.detach()` lets it run on: neither is flagged). ' +
      'In Python, a task from `asyncio.create_task`, `asyncio.ensure_future` or `loop.create_task` whose reference is not kept (the event loop holds tasks weakly); not one whose coroutine, a same-file async function, never suspends, nor one that suspends only on `asyncio.sleep` started once from a start-up, configuration or command hook (a watcher that polls on a timer, started in mitmproxy\'s `running` event): the loop holds it as it holds a `call_soon` or `call_later` callback, and its failure reaches the loop\'s exception handler as a callback\'s would. A sleeper started per request or per entry (an expiry that sleeps its TTL, then deletes its key) is reported: the loop keeps it, but nothing can cancel it when its key is set again or removed, and one lives per call for its whole delay. ' +
      'In Go, the goroutine leak: a goroutine that sends on an unbuffered channel its function made, while the function can return without receiving (a `select` case on `ctx.Done()`, a timer or `default` that leaves, a `return` between the `go` and the receive, or no receive from it at all); not a buffered channel with room, a receive on every path, a channel handed on (returned, passed to a call, stored, or received under another name), or a function that joins with `wg.Wait()`/`g.Wait()`. ' +
      'In Java, a Reactor chain `subscribe()`d as a statement (or as the body of a `doOnNext`/`doOnSuccess`/`ObjectProvider.ifAvailable` callback; a bare `subscribe()` on a call\'s result also in a file that imports no Reactor type) with no error consumer and no `onError…`/`doOnError`/`materialize` operator, a `CompletableFuture.runAsync`/`supplyAsync` chain nobody keeps and that has no `exceptionally`/`handle`/`whenComplete` stage, and an `ExecutorService.submit` (or a `ScheduledExecutorService.schedule*`) whose `Future` is dropped, since the task\'s exception is kept in it; not `execute`, Spring\'s `TaskScheduler`, a `Subscriber` object, a kept `Disposable` or `Future`, a task whose body catches `Exception` itself, or a `dispose()`/`close()` that subscribes to its own `disposeLater()`/`closeAsync()` (the fire-and-forget half of Reactor\'s `Disposable` contract). ' +
      'Not flagged: `void promise`, `.catch(handler)`, `.then(ok, err)`, a promise that cannot reject (a same-file async function whose awaits, throws and returned promises all sit in a `try` whose `catch` never rethrows; `Promise.allSettled`; `Promise.all` over promises that each have a `.catch` or only ever resolve; a job that restarts itself, from its own body or a private helper only it calls, after a one-time `if (!this.done) { this.done = true; … }` block that holds its only rethrow; a method called on `this` under a guard that rules out its awaiting branch, as `if (!this.subscriber.connect) this.connect()` does for a `connect` that awaits only when `typeof this.subscriber.connect === \'function\'`; a method that chains only on its superclass\'s method, in another file, when that one cannot reject either, as Node-RED\'s `Subflow.stop` does with `super.stop(…).then(…)` on a `Flow.stop` that catches each node\'s stop), a call whose comment says it is fire-and-forget on purpose (the prose form of `void`), handles kept in a `JoinSet`, a collection, a field or returned, one task per connection in an accept loop, a spawn wrapper that exists to detach the future it is given, a task that reports through a channel it owns or handles its own error (`if let Err(e) = conn.await { … }`).',
    why:
      'A forgotten task loses its failure. In Node an unhandled rejection is raised as an uncaught exception and stops the process by default (servers that install an `uncaughtException` handler, like parse-server, exit there), or, with a global handler, is logged far from its cause with no request to tie it to; in Tokio a task\'s error or panic vanishes with its dropped handle. ' +
        'Nothing waits for it at shutdown, so its work is cut off mid-way (an audit row never written), and nothing cancels it when its caller gives up, so under load detached work piles up past any limit the caller enforces',
    example: [
      '```ts',
      'async function save(user) {',
      '  audit.record(user); // async: its rejection is unhandled',
      '  await db.users.update(user);',
      '}',
      '```',
      '```ts',
      'async function save(user) {',
      '  await audit.record(user);',
      '  await db.users.update(user);',
      '}',
      '```',
    ].join('\n'),
    fix: 'Suggestions (TS/JS): add `await` (in an async function), or let the promise run on deliberately with its rejection logged (`void f().catch((err) => console.error(err))`: a bare `void` would leave the rejection unhandled); both are re-parsed before they are offered. Go: a suggestion gives the leaking goroutine\'s channel a capacity of 1, so its one send completes with nobody receiving. Python: a suggestion keeps the task in a module-level set it leaves when done (`add_done_callback(set.discard)`), as the asyncio documentation does. Rust (suggestions): a tokio task spawned per item of a `for` loop in async code is kept in a `tokio::task::JoinSet` made before the loop and joined after it, each failure and panic logged (the function now waits for its tasks; when the loop is also an unbounded fan-out, the set keeps at most 8 running, 8 a placeholder); refused where the loop can `return` or `?` early, since a dropped `JoinSet` aborts its tasks. Any dropped task whose output is a `Result` can instead log its own error where it runs: the future (or the `spawn_blocking` closure) is bound first, where it was, and the task awaits it and logs an `Err` with `tracing::error!`, `log::error!` or `eprintln!` (whichever the crate depends on); its handle stays dropped, so nothing waits for it at shutdown. smol (a suggestion): `.detach()` the `Task`, so the task runs in the background (logging inside it would not make a cancelled task run). A single tokio task spawned from a method of a type that already owns its tasks (a `TaskTracker` field, or a `JoinSet<()>` field under `&mut self`) is spawned there instead, its error logged where it runs, so shutdown waits for it; anywhere else who owns the task is a decision the code does not show, and the editor shows that fix disabled, with the reason (no such field; a `JoinSet` behind `&self`; not a method). Java (suggestions, through the logger the class already has: a SLF4J, Log4j 2, Commons Logging or `java.util.logging` field, or Lombok\'s `@Slf4j`/`@Log4j2`/`@CommonsLog`/`@Log`): a `subscribe()` gets an error consumer (`subscribe(v -> {}, e -> log.warn("… failed", e))`, or the `onNext` it had and the consumer), a dropped `runAsync`/`supplyAsync` chain a last `.exceptionally(e -> { log.warn("… failed", e); return null; })`; refused, with the reason, when no logger is in reach (a static method cannot use an instance logger) and for an executor\'s `submit`/`schedule` (switching to `execute` changes which exceptions the task may throw).',
    limits:
      'Without a type checker, a call is known to return a promise only through the project\'s own async functions (in the same file, or in another module the call names through an import), the Node APIs and known HTTP clients: a function that returns a promise without being `async`, a method called on an object the file did not build or import (`req.config.userController.send(…)`), and a package\'s functions are not seen (typescript-eslint\'s `no-floating-promises` sees them with types).',
  },
  check,
};
