/**
 * What Python syntax says about where code runs: pytest fixtures and marked tests
 * (`@pytest.fixture`, `@pytest_asyncio.fixture`, `@pytest.mark.…`), `test_*` functions and `Test*`
 * or `TestCase` classes in a file that imports a test framework, a shebang (a one-shot script), and
 * startup code: an app factory (a function that builds the `web.Application`, `FastAPI`, `Starlette`,
 * `Quart` or `Sanic` app and returns it, or one named `create_app`/`get_app`/`make_app`) and a lifespan handler up to its `yield` (a function handed
 * to `lifespan=`, or an `@asynccontextmanager` named for it).
 * Paths (`test_*.py`, `conftest.py`, `tests/`) are the engine's (roles-paths.ts); a module-level
 * `asyncio.run(main())` or `web.run_app(app)` is read by the engine from the call structure.
 */
import type { FileModel, RoleFact, RoleFacts } from '../../engine/model';
import { decoratorsOf, type BuildState } from './builder';

const TEST_DECORATOR = /^@\s*(?:pytest\.fixture|pytest_asyncio\.fixture|pytest\.mark\.[\w.]+|fixture)\b/;
/** Constructors of a web app: a function that builds one and returns it is an app factory, run once before serving. */
const APP_CLASSES: ReadonlySet<string> = new Set(['aiohttp.web.Application', 'fastapi.FastAPI', 'starlette.applications.Starlette', 'quart.Quart', 'sanic.Sanic', 'litestar.Litestar']);
const FACTORY_NAME = /^(?:create|make|get|build|init)_?app(?:lication)?$/;
const LIFESPAN_KEYWORD = /\blifespan\s*=\s*([A-Za-z_]\w*)/g;
const CONTEXT_MANAGER = /^@\s*(?:contextlib\.)?asynccontextmanager\b/;

const TEST_FRAMEWORK = /^(?:pytest|pytest_asyncio|unittest|anyio\.pytest_plugin|django\.test|asynctest)(?:\.|$)/;

/** Role facts for a Python file's functions. */
export function pythonRoleFacts(state: BuildState, model: FileModel): RoleFacts {
  const { text, scope } = state;
  const framework = [...scope.imports.values()].some((q) => TEST_FRAMEWORK.test(q));
  const testClass = (cls: { node: { start: number; end: number } }): boolean => {
    const head = text.slice(cls.node.start, text.indexOf(':', cls.node.start));
    return /^class\s+Test\w*/.test(head) || /\(\s*[^)]*\b(?:\w+\.)?(?:\w*TestCase)\b/.test(head);
  };
  const functions: { functionId: number; fact: RoleFact }[] = [];
  const lifespans = new Set([...text.matchAll(LIFESPAN_KEYWORD)].map((m) => m[1]!));
  for (const f of state.fns) {
    let fact: RoleFact | undefined;
    for (let g: typeof f | undefined = f; g && !fact; g = g.parent) {
      const dec = decoratorsOf(text, g.node).find((d) => TEST_DECORATOR.test(d));
      if (dec && (framework || !/^@\s*fixture\b/.test(dec))) fact = { role: 'test', where: `in test code (a \`${dec.replace(/\(.*$/s, '(…)').replace(/\s+/g, '')}\` function)` };
      else if (framework && g.cls && testClass(g.cls)) fact = { role: 'test', where: `in test code (a method of the test class \`${g.cls.name}\`)` };
      else if (framework && !g.cls && g.parent === undefined && g.name?.startsWith('test')) fact = { role: 'test', where: 'in test code (a `test_*` function)' };
    }
    fact ??= startupFact(state, f, lifespans);
    if (fact) functions.push({ functionId: f.id, fact });
  }
  void model;
  const shebang = text.startsWith('#!');
  return { ...(shebang ? { file: { role: 'script' as const, where: 'in a one-shot script (a file with a shebang)' } } : {}), functions };
}

/** An app factory, or a lifespan handler before its `yield`: code that runs once, before the app serves. */
function startupFact(state: BuildState, f: BuildState['fns'][number], lifespans: ReadonlySet<string>): RoleFact | undefined {
  const { text } = state;
  if (f.node.type !== 'function_definition' || f.parent || f.name === undefined) return undefined;
  const decorators = decoratorsOf(text, f.node);
  if (lifespans.has(f.name) || (/lifespan/i.test(f.name) && decorators.some((d) => CONTEXT_MANAGER.test(d)))) {
    const body = text.slice(f.node.start, f.node.end);
    const y = /(?:^|\n)\s*(?:async\s+with\b[^\n]*\n\s*)?yield\b/.exec(body);
    return { role: 'startup', where: `at startup, in the lifespan handler \`${f.name}\` before its \`yield\``, ...(y ? { until: f.node.start + y.index + y[0].length } : {}) };
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
