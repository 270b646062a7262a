/**
 * What Python syntax says about where code runs: pytest fixtures and marked tests
 * (`@pytest.fixture`, `@pytest_asyncio.fixture`, `@pytest.mark.…`), `test_*` functions and `Test*`
 * or `TestCase` classes in a file that imports a test framework, a shebang (a one-shot script), and
 * startup code: an app factory (a function that builds the `web.Application`, `FastAPI`, `Starlette`,
 * `Quart` or `Sanic` app and returns it, or one named `create_app`/`get_app`/`make_app`) and a lifespan handler up to its `yield` (a function handed
 * to `lifespan=`, or an `@asynccontextmanager` named for it).
 * The body of a module-level `if __name__ == "__main__":` runs only when the file is run as a program:
 * a script's entry, so what only it calls is script code (a seed or pre-start script beside the app).
 * Paths (`test_*.py`, `conftest.py`, `tests/`) are the engine's (roles-paths.ts); a module-level
 * `asyncio.run(main())` or `web.run_app(app)` is read by the engine from the call structure, and a
 * coroutine handed to `asyncio.run` anywhere (a `run()` function's nested `main`) is named to it as
 * the root of its loop.
 */
import type { FileModel, RoleFact, RoleFacts, Span } from '../../engine/model';
import { decoratorsOf, type BuildState } from './builder';
import { lifecycleByName } from './lifecycle';
import type { PyFn } from './scope';
import type { SyntaxNode } from './syntax';

const TEST_DECORATOR = /^@\s*(?:pytest\.fixture|pytest_asyncio\.fixture|pytest\.mark\.[\w.]+|fixture)\b/;
/** Constructors of a web app: a function that builds one and returns it is an app factory, run once before serving. */
const APP_CLASSES: ReadonlySet<string> = new Set(['aiohttp.web.Application', 'fastapi.FastAPI', 'starlette.applications.Starlette', 'quart.Quart', 'sanic.Sanic', 'litestar.Litestar']);
const FACTORY_NAME = /^(?:create|make|get|build|init)_?app(?:lication)?$/;
const LIFESPAN_KEYWORD = /\blifespan\s*=\s*([A-Za-z_]\w*)/g;
const CONTEXT_MANAGER = /^@\s*(?:contextlib\.)?asynccontextmanager\b/;
const TEST_FRAMEWORK = /^(?:pytest|pytest_asyncio|unittest|anyio\.pytest_plugin|django\.test|asynctest)(?:\.|$)/;

/** Role facts for a Python file's functions. */
export function pythonRoleFacts(state: BuildState, model: FileModel, root?: SyntaxNode): RoleFacts {
  const { text, scope } = state;
  const framework = [...scope.imports.values()].some((q) => TEST_FRAMEWORK.test(q));
  const testClass = (cls: { node: { start: number; end: number } }): boolean => {
    const head = text.slice(cls.node.start, text.indexOf(':', cls.node.start));
    return /^class\s+Test\w*/.test(head) || /\(\s*[^)]*\b(?:\w+\.)?(?:\w*TestCase)\b/.test(head);
  };
  const functions: { functionId: number; fact: RoleFact }[] = [];
  const lifespans = new Set([...text.matchAll(LIFESPAN_KEYWORD)].map((m) => m[1]!));
  const signals = appSignalHandlers(state);
  for (const f of state.fns) {
    let fact: RoleFact | undefined;
    for (let g: typeof f | undefined = f; g && !fact; g = g.parent) {
      const dec = decoratorsOf(text, g.node).find((d) => TEST_DECORATOR.test(d));
      if (dec && (framework || !/^@\s*fixture\b/.test(dec))) fact = { role: 'test', where: `in test code (a \`${dec.replace(/\(.*$/s, '(…)').replace(/\s+/g, '')}\` function)` };
      else if (framework && g.cls && testClass(g.cls)) fact = { role: 'test', where: `in test code (a method of the test class \`${g.cls.name}\`)` };
      else if (framework && !g.cls && g.parent === undefined && g.name?.startsWith('test')) fact = { role: 'test', where: 'in test code (a `test_*` function)' };
    }
    fact ??= startupFact(state, f, lifespans) ?? signals.get(f);
    if (fact) functions.push({ functionId: f.id, fact });
  }
  void model;
  const shebang = text.startsWith('#!');
  const module = root ? mainGuards(text, root) : [];
  const roots = loopRoots(state);
  return { ...(shebang ? { file: { role: 'script' as const, where: 'in a one-shot script (a file with a shebang)' } } : {}), functions, ...(module.length ? { module } : {}), ...(roots.length ? { loopRoots: roots } : {}) };
}

/** Calls that run an event loop until the coroutine they are given returns (`asyncio.run(main())`). */
const LOOP_RUNNERS: ReadonlySet<string> = new Set(['asyncio.run', 'uvloop.run']);

/**
 * The same-file coroutines handed to an event loop as its root: the first argument of
 * `asyncio.run(…)`/`uvloop.run(…)`/`loop.run_until_complete(…)` when it is a call of a same-file
 * function (mitmproxy's `run()` ends with `asyncio.run(main())` for its nested `main`), unless a
 * route's view makes that call: it runs a loop per request (Flask's `asyncio.run(deploy(host))`).
 */
function loopRoots(state: BuildState): number[] {
  const out = new Set<number>();
  for (const [node, id] of state.callOfNode) {
    const c = state.calls[id];
    if (!c || !((c.callee !== undefined && LOOP_RUNNERS.has(c.callee)) || c.member === 'run_until_complete')) continue;
    const first = node.children.find((n) => n.type === 'argument_list')?.children.find((n) => n.type !== '(' && n.type !== ',' && n.type !== 'comment');
    const inner = first?.type === 'call' ? state.calls[state.callOfNode.get(first)!] : undefined;
    if (inner?.localTarget === undefined || !state.fns[inner.localTarget]?.isAsync) continue;
    // A route's view that runs a loop per request (Flask's `asyncio.run(deploy(host))`) starts no app.
    if (c.functionId !== undefined && inRoute(state, state.fns[c.functionId])) continue;
    out.add(inner.localTarget);
  }
  return [...out];
}

/** A route decorator (`@app.post("/deploy")`, `@router.get(…)`, `@bp.route(…)`): its function runs per request. */
const ROUTE = /^@\s*[\w.]+\.(?:get|post|put|patch|delete|head|options|route|websocket|api_route|view)\s*\(/;

/** Whether `f`, or a function it is nested in, is a route's view. */
function inRoute(state: BuildState, f: PyFn | undefined): boolean {
  for (let g = f; g; g = g.parent) if (decoratorsOf(state.text, g.node).some((d) => ROUTE.test(d))) return true;
  return false;
}

const MAIN_GUARD = /^__name__\s*==\s*(['"])__main__\1$|^(['"])__main__\2\s*==\s*__name__$/;

/** The bodies of module-level `if __name__ == "__main__":` statements (not their `else`): run only as a program. */
function mainGuards(text: string, root: SyntaxNode): { span: Span; fact: RoleFact }[] {
  const out: { span: Span; fact: RoleFact }[] = [];
  for (const n of root.children) {
    if (n.type !== 'if_statement') continue;
    const cond = n.children[0];
    const body = n.children.find((c) => c.type === 'block');
    if (!cond || !body || !MAIN_GUARD.test(text.slice(cond.start, cond.end).replace(/^\(|\)$/g, '').trim())) continue;
    out.push({ span: { start: body.start, end: body.end }, fact: { role: 'script', where: 'in a script (run from its `if __name__ == "__main__":` block)' } });
  }
  return out;
}

/**
 * aiohttp's application signals (`Application.on_startup`, `on_shutdown`, `on_cleanup`, `cleanup_ctx`
 * in aiohttp's web_app.py) run their handlers once, as the app starts or stops; `on_response_prepare`
 * runs per response and is not one of them.
 */
const APP_SIGNAL = /\.(on_startup|on_shutdown|on_cleanup|cleanup_ctx)\s*\.\s*(?:append|extend|insert)$/;

/** A fact for code that runs once as the app stops. */
function shutdown(where: string): RoleFact {
  return { role: 'startup', where: `at shutdown, ${where}`, note: 'it runs once, as the app stops' };
}

/** The file's functions registered on an aiohttp app signal (`app.on_startup.append(init_pg)`), with their role. */
function appSignalHandlers(state: BuildState): Map<BuildState['fns'][number], RoleFact> {
  const out = new Map<BuildState['fns'][number], RoleFact>();
  const { text } = state;
  let callNodes: Map<number, SyntaxNode> | undefined;
  for (const c of state.calls) {
    const m = APP_SIGNAL.exec(c.calleeText.replace(/\s+/g, ''));
    if (!m) continue;
    const signal = m[1]!;
    const owner = c.functionId === undefined ? undefined : state.fns[c.functionId]?.cls;
    // The call's node, from the builder's node → call map (turned round once, when a file registers a signal).
    callNodes ??= new Map([...state.callOfNode].map(([node, id]) => [id, node]));
    const args = callNodes.get(c.id)?.children.find((n) => n.type === 'argument_list');
    if (!args) continue;
    // The handlers the arguments name: `init_pg`, `[init_pg, init_redis]`, `self.start`, `partial(init_pg, conf)`.
    for (const handler of signalHandlerNames(text, args.children)) {
      // `self.start` is a method of the registering class; a bare name is a function, not some class's method.
      const fn = state.fns.find((g) => g.name === handler.name && g.node.type === 'function_definition' && (handler.method ? owner !== undefined && g.cls === owner : g.cls === undefined));
      if (!fn || out.has(fn)) continue;
      const where = `in the \`${signal}\` handler \`${fn.name}\``;
      if (signal === 'on_startup') out.set(fn, { role: 'startup', where: `at startup, ${where}` });
      else if (signal === 'cleanup_ctx') {
        // A context: the code before its `yield` runs at startup, the rest at shutdown.
        const y = /(?:^|\n)\s*yield\b/.exec(text.slice(fn.node.start, fn.node.end));
        const start: RoleFact = { role: 'startup', where: `at startup, ${where} before its \`yield\`` };
        out.set(fn, y ? { ...start, until: fn.node.start + y.index + y[0].length, after: shutdown(`${where} after its \`yield\``) } : start);
      } else out.set(fn, shutdown(where));
    }
  }
  return out;
}

/**
 * The functions a signal registration's arguments hand over: an argument that is a name or
 * `self.name`/`cls.name`, the items of a list or tuple, and the function a `partial(…)` wraps (its
 * first argument). Keyword arguments and the other arguments of `partial` are values, not handlers.
 */
function signalHandlerNames(text: string, args: readonly SyntaxNode[], depth = 0): { name: string; method: boolean }[] {
  const out: { name: string; method: boolean }[] = [];
  for (const arg of args) {
    if (arg.type === 'identifier') out.push({ name: text.slice(arg.start, arg.end), method: false });
    else if (arg.type === 'attribute') {
      const m = /^(?:self|cls)\.([A-Za-z_]\w*)$/.exec(text.slice(arg.start, arg.end));
      if (m) out.push({ name: m[1]!, method: true });
    } else if (depth < 4 && (arg.type === 'list' || arg.type === 'tuple' || arg.type === 'parenthesized_expression')) {
      out.push(...signalHandlerNames(text, arg.children, depth + 1));
    } else if (depth < 4 && arg.type === 'call' && arg.children[0] && /^(?:functools\.)?partial$/.test(text.slice(arg.children[0].start, arg.children[0].end))) {
      const first = arg.children.find((n) => n.type === 'argument_list')?.children[0];
      if (first && first.type !== 'keyword_argument') out.push(...signalHandlerNames(text, [first], depth + 1));
    }
  }
  return out;
}

/** An app factory, or a lifespan handler before its `yield`: code that runs once, before the app serves. */
function startupFact(state: BuildState, f: BuildState['fns'][number], lifespans: ReadonlySet<string>): RoleFact | undefined {
  const { text } = state;
  if (f.node.type !== 'function_definition' || f.name === undefined) return undefined;
  // Named for the moment it runs, as uvicorn's `Server.startup` and `LifespanOn.shutdown` are: its author says where it runs.
  const named = lifecycleByName(state, f);
  if (named?.when === 'startup') return { role: 'startup', where: `at startup, in \`${f.name}\`` };
  if (named?.when === 'shutdown') return shutdown(named.start === undefined ? `in \`${f.name}\`` : `in \`${f.cls!.name}.${f.name}\` (the class starts in \`${named.start}\`)`);
  if (f.parent) return undefined;
  const decorators = decoratorsOf(text, f.node);
  if (lifespans.has(f.name) || (/lifespan/i.test(f.name) && decorators.some((d) => CONTEXT_MANAGER.test(d)))) {
    const body = text.slice(f.node.start, f.node.end);
    const y = /(?:^|\n)\s*(?:async\s+with\b[^\n]*\n\s*)?yield\b/.exec(body);
    return { role: 'startup', where: `at startup, in the lifespan handler \`${f.name}\` before its \`yield\``, ...(y ? { until: f.node.start + y.index + y[0].length, after: shutdown(`in the lifespan handler \`${f.name}\` after its \`yield\``) } : {}) };
  }
  // Named as app factories are (`create_app`, aiohttp-devtools' `get_app`), returning what they build.
  if (FACTORY_NAME.test(f.name) && /\breturn\s+\S/.test(text.slice(f.node.start, f.node.end))) return { role: 'startup', where: `at startup, in the app factory \`${f.name}\`` };
  const app = state.calls.find((c) => c.functionId === f.id && c.callee !== undefined && APP_CLASSES.has(c.callee));
  if (!app) return undefined;
  // It returns the app it built: `return web.Application(…)`, or `app = web.Application(…)` … `return app`.
  const before = text.slice(f.node.start, app.span.start);
  const assigned = /([A-Za-z_]\w*)\s*(?::[^=\n]*)?=\s*$/.exec(before)?.[1];
  const returned = /\breturn\s+$/.test(before) || (assigned !== undefined && new RegExp(`\\breturn\\s+${assigned}\\b`).test(text.slice(app.span.end, f.node.end)));
  if (!returned) return undefined;
  return { role: 'startup', where: `at startup, in the app factory \`${f.name}\` (it builds the \`${app.calleeText}\` app)` };
}
