/**
 * What Python syntax says about where code runs: pytest fixtures and marked tests
 * (`@pytest.fixture`, `@pytest_asyncio.fixture`, `@pytest.mark.…`), `test_*` functions and `Test*`
 * or `TestCase` classes in a file that imports a test framework, and a shebang (a one-shot script).
 * Paths (`test_*.py`, `conftest.py`, `tests/`) are the engine's (roles-paths.ts); a module-level
 * `asyncio.run(main())` or `web.run_app(app)` is read by the engine from the call structure.
 */
import type { FileModel, RoleFact, RoleFacts } from '../../engine/model';
import { decoratorsOf, type BuildState } from './builder';

const TEST_DECORATOR = /^@\s*(?:pytest\.fixture|pytest_asyncio\.fixture|pytest\.mark\.[\w.]+|fixture)\b/;
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
  for (const f of state.fns) {
    let fact: RoleFact | undefined;
    for (let g: typeof f | undefined = f; g && !fact; g = g.parent) {
      const dec = decoratorsOf(text, g.node).find((d) => TEST_DECORATOR.test(d));
      if (dec && (framework || !/^@\s*fixture\b/.test(dec))) fact = { role: 'test', where: `in test code (a \`${dec.replace(/\(.*$/s, '(…)').replace(/\s+/g, '')}\` function)` };
      else if (framework && g.cls && testClass(g.cls)) fact = { role: 'test', where: `in test code (a method of the test class \`${g.cls.name}\`)` };
      else if (framework && !g.cls && g.parent === undefined && g.name?.startsWith('test')) fact = { role: 'test', where: 'in test code (a `test_*` function)' };
    }
    if (fact) functions.push({ functionId: f.id, fact });
  }
  void model;
  const shebang = text.startsWith('#!');
  return { ...(shebang ? { file: { role: 'script' as const, where: 'in a one-shot script (a file with a shebang)' } } : {}), functions };
}
