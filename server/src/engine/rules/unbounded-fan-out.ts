import type { Catalog } from '../catalog';
import type { FanOutSite, FileModel } from '../model';
import type { RawFinding, Rule } from '../rule';
import { describeContext } from '../rule-support';

const SOURCES: Record<Exclude<FanOutSite['source'], 'unknown'>, string> = {
  listing: 'a directory listing, as large as the folder',
  request: 'from the request, as large as the client makes it',
  lines: 'the lines of an input, as many as it has',
  channel: 'a channel, as many values as its senders send',
};

/**
 * Whether the rule reports a fan-out: nothing visibly bounds it and its collection visibly comes from
 * outside the code (a fan-out over anything else is almost always a small set). The hover asks the same.
 */
export function isReportedFanOut(f: FanOutSite): f is FanOutSite & { readonly source: Exclude<FanOutSite['source'], 'unknown'> } {
  return f.bound === undefined && f.source !== 'unknown';
}

/** How to bound a Python fan-out on the library the file runs on: asyncio gathers, trio and anyio start tasks in a group. */
function pythonBound(library: string | undefined): string {
  if (library === 'trio' || library === 'anyio') return `bound it: ${library === 'anyio' ? 'an' : 'a'} \`${library}.CapacityLimiter(N)\` taken with \`async with\` inside the per-item work, or start it in batches of N`;
  return 'bound it: an `asyncio.Semaphore(N)` taken with `async with` inside the per-item work, or gather it in chunks of N';
}

function check(model: FileModel, catalog: Catalog): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const f of model.fanOuts ?? []) {
    if (!isReportedFanOut(f)) continue;
    const origin = f.sourceText !== undefined && f.sourceText !== f.collection ? ` (\`${short(f.sourceText)}\`)` : '';
    const started = f.work !== undefined ? `\`${short(f.work)}\`` : 'the work';
    const task = model.language === 'go' ? 'goroutine' : 'task';
    const how = f.shape === 'spawn' ? `spawns a ${task} per item of \`${short(f.collection)}\`` : `starts ${started} for every item of \`${short(f.collection)}\` ${f.inFlight ?? 'at once'}`;
    const fnName = f.functionId === undefined ? undefined : model.functions[f.functionId]?.name;
    const where = f.context === undefined && fnName !== undefined ? `\`${fnName}\`` : describeContext(model, f.context);
    const advice =
      model.language === 'rust'
        ? f.shape === 'spawn'
          ? 'bound it: a `tokio::sync::Semaphore` of N whose owned permit each task holds, acquired before each spawn'
          : 'bound it: `futures::stream::iter(items).map(f).buffered(N)`, which keeps the results in order as `join_all` does'
        : model.language === 'python'
          ? pythonBound(catalog.wording.library)
        : model.language === 'java'
          ? f.spawner.startsWith('CompletableFuture.')
            ? 'bound it: run the calls through `Flux.fromIterable(items).flatMap(x -> Mono.fromFuture(() -> call(x)), N)`, or give `supplyAsync` a bounded executor'
            : f.inFlight !== undefined && !f.spawner.includes('.')
              ? `bound it: pass a concurrency, \`${f.spawner}(f, N)\`, or use \`concatMap\` for one at a time`
              : `bound it: \`Flux.fromIterable(${short(f.collection)}).flatMap(f, N)${/^Mono\.when/.test(f.spawner) ? '.then()' : /^Mono\.zip/.test(f.spawner) ? '.collectList()' : ''}\` instead of \`${f.spawner}\` over a publisher per item`
        : model.language === 'go'
          ? 'bound it: an `errgroup.Group` with `g.SetLimit(N)` and `g.Go`, a semaphore channel (`sem <- struct{}{}` before each `go`, `<-sem` when it ends), or a fixed pool of N workers reading a channel'
          : 'bound it: `p-map`/`p-limit` with a concurrency, or await it in chunks of N';
    findings.push({
      message: `\`${f.spawner}\` in ${where} ${how}, ${SOURCES[f.source]}${origin}: under a slow or failing dependency every item holds a connection, file handle or memory at the same time; ${advice}`,
      span: f.span,
      data: { fanOutId: f.id },
    });
  }
  return findings;
}

function short(code: string): string {
  return code.length <= 60 && !code.includes('`') ? code : `${code.slice(0, 57).replace(/`/g, "'")}…`;
}

/** `unbounded-fan-out`: every item of a collection whose size the code does not control, started at once. */
export const unboundedFanOut: Rule = {
  id: 'unbounded-fan-out',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    summary: 'All items of a collection whose size the code does not control, started at once',
    what:
      'Flags `Promise.all`/`allSettled`/`any`/`race` over `items.map(…)` and loops that push one promise per item before awaiting them together (TS/JS), and `join_all`/`try_join_all`/`FuturesUnordered` filled from an iterator, or `tokio::spawn`/`JoinSet::spawn`/`spawn_blocking` per item of a loop (Rust), a `go` statement or an errgroup\'s `g.Go` per item of a `range` (Go), ' +
      'a Reactor `flatMap`/`flatMapSequential` without a concurrency argument (up to 256 inner publishers at once), and `Mono.zip`/`Mono.when`/`Flux.merge`/`Flux.zip`/`CompletableFuture.allOf` over a publisher or future made per item by `stream().map(…)` (Java), ' +
      '`asyncio.gather`/`asyncio.wait` over a comprehension, `map` or a list appended per item, and `asyncio.create_task`/`TaskGroup.create_task`/`start_soon` per item of a `for` loop (Python), ' +
      'when the collection visibly comes from outside the code: a directory listing or glob, the body or query of a request, the lines of an input, or (Go) a channel ranged over. ' +
      'Fixed tuples, `.slice(0, N)`/`.take(N)`, chunked loops, per-item work that is one file-system request each and holds no descriptor (TS/JS: `fs.promises`/fs-extra `chmod`, `stat`, `unlink`, `rename`, `mkdir`…, which Node\'s thread pool runs a few at a time; not `readFile` or `writeFile`, which keep a file open across requests), a limiter inside the work (`p-limit`, a queue with a concurrency, a semaphore, a `JoinSet` drained while it fills (`while set.len() >= N { set.join_next().await; }`); in Go a semaphore channel, `semaphore.Weighted.Acquire`, an errgroup with `SetLimit`), fixed worker pools, a size checked before the fan-out (`if (req.body.requests.length > MAX) throw …`) and accept loops (in Python, one task per message of an `async for`) are not flagged, nor, in Go, a goroutine that one command of a control loop starts (a `switch` case over constants, given nothing of the item: a service\'s `case ldmCmd: go s.lameDuckMode()`). In Python a listing is `os.listdir`/`scandir`/`walk`, `glob`, `Path.iterdir`/`glob`; a request is `await request.json()`, `request.query`/`POST`/`GET`, or a FastAPI route parameter typed as a list or a Pydantic model.',
    why:
      'Fan-out multiplies load by the size of the input. It works in testing and on a quiet day; then an upload with 5,000 files or a batch of 10,000 items turns one request into thousands of concurrent connections, open files or buffered responses. ' +
        'It is worst in a partial outage: when one dependency slows down, every item in flight holds its connection longer, the pool drains, and requests that never touch the slow dependency queue behind it, so the slowdown spreads (EMFILE, pool exhaustion, memory) exactly when the service is under stress. ' +
        'A bound keeps the damage at N in flight whatever the input',
    example: [
      '```ts',
      'const files = await fs.promises.readdir(dir);',
      'await Promise.all(files.map((f) => upload(path.join(dir, f))));',
      '```',
      '```ts',
      "import pMap from 'p-map';",
      'const files = await fs.promises.readdir(dir);',
      'await pMap(files, (f) => upload(path.join(dir, f)), { concurrency: 8 });',
      '```',
    ].join('\n'),
    fix: 'Suggestions (TS/JS), since the bound is a decision (the titles say `8` is a placeholder for N), the first that fits: when the nearest package.json depends on `p-map`, `Promise.all(xs.map(fn))` → `pMap(xs, fn, { concurrency: 8 })`; when it depends on `p-limit`, `const limit = pLimit(8)` before the statement and each item\'s work run as `xs.map((x) => limit(() => work(x)))`, the combinator kept (an arrow\'s body moves into `limit(…)`; a function of the file that takes one parameter is called through it). Both reuse an existing import of the library, else add `import pMap from \'p-map\'` in an ES module, or a `require` in a CommonJS file when the range stays on the CommonJS majors (p-limit 3, p-map 4; later majors are ES modules only, and the fix says so). Without either, an awaited `Promise.all`/`allSettled` over `xs.map(fn)` that is a statement, a variable\'s value or an async function\'s return becomes a loop that awaits chunks of 8 (`for (let i = 0; i < xs.length; i += 8) results.push(...(await Promise.all(xs.slice(i, i + 8).map(fn))))`, results in the original order; a receiver that is not a plain name is read once before it), when `fn` cannot see the index `map` passes; elsewhere (an expression), `xs.map(limitConcurrency(8, fn))` with a small inline limiter declared once in the file (typed in TypeScript). A loop that pushes one promise per item is not rewritten. Rust (suggestions): `join_all(iter)` → `futures::stream::iter(iter).buffered(8).collect::<Vec<_>>()` and `try_join_all` → `….buffered(8).try_collect::<Vec<_>>()` (`buffered` keeps the results in order, as the joiners do; `StreamExt`/`TryStreamExt` is imported in the module), refused beside tokio-stream\'s `StreamExt`; a tokio task per item of a `for` loop → an `Arc<tokio::sync::Semaphore>` made before the loop and an owned permit acquired before each spawn and moved into the `move` task. Go (suggestions): `g.Go` on an `errgroup.Group` with no limit gets `g.SetLimit(8)` after the group is made (refused for a group in a field, or one that already runs goroutines before the loop); a `go func(…) { defer wg.Done(); … }(…)` per item joined by a `sync.WaitGroup` used only for that loop becomes `g.Go(func() error { …; return nil })` on an `errgroup.Group` with `g.SetLimit(8)` (the literal\'s arguments bound before it, loop variables copied for Go before 1.22, bare `return`s become `return nil`, `wg.Wait()` becomes `_ = g.Wait()`, `golang.org/x/sync/errgroup` imported and `sync` dropped when nothing else uses it); any `go` per item gets a semaphore channel (`sem := make(chan struct{}, 8)` before the loop, `sem <- struct{}{}` before the `go`, `defer func() { <-sem }()` in the goroutine). Java (suggestion): a Reactor `flatMap`/`flatMapSequential` over input gets a concurrency, `flatMap(f, 8)`; `Mono.zip`/`Flux.merge`/`allOf` over a list made per item is rewritten by hand (`Flux.fromIterable(items).flatMap(f, N)`). By hand: a loop that awaits chunks of N; in Python, an `asyncio.Semaphore` inside the per-item work.',
    limits:
      'A collection whose size is not visible where it is used (a parameter, a query result) is not flagged: most of those are small sets, and the rule cannot tell which are not.',
  },
  check,
};
