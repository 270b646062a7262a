/**
 * What TS/JS syntax says about where code runs: a shebang (a one-shot script), and the bodies of
 * mocha/jest/vitest/Playwright suites and hooks (`describe`, `it`, `test`, `beforeEach`, …) and of
 * vitest's `bench`, and listeners on `process.stdin` (operator input). Paths (`test/`, `*.test.ts`)
 * are the engine's (roles-paths.ts).
 */
import type { FileModel, RoleFact, RoleFacts } from '../../engine/model';

const TEST_HOSTS = new Set(['describe', 'it', 'test', 'suite', 'specify', 'before', 'after', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll', 'xit', 'xdescribe', 'fit', 'fdescribe']);
const BENCH_HOSTS = new Set(['bench']);
const STDIN_LISTENERS = /^process\.stdin\.(on|once|addListener)$/;

/** Role facts for a TS/JS file, read from its model: callbacks handed straight to a test host. */
export function typescriptRoleFacts(text: string, model: FileModel): RoleFacts {
  const functions: { functionId: number; fact: RoleFact }[] = [];
  const hosts = model.calls.filter((c) => {
    const root = /^[\w$]+/.exec(c.calleeText)?.[0];
    return root !== undefined && (TEST_HOSTS.has(root) || BENCH_HOSTS.has(root));
  });
  if (hosts.length > 0) {
    for (const f of model.functions) {
      // A direct argument: inside the call's parentheses and nested in the function that makes the call.
      const host = hosts.find((c) => c.argsSpan.start <= f.span.start && f.span.end <= c.argsSpan.end && c.functionId === f.parent);
      if (!host) continue;
      const root = /^[\w$]+/.exec(host.calleeText)![0];
      const fact: RoleFact = BENCH_HOSTS.has(root)
        ? { role: 'bench', where: `in benchmark code (a callback to \`${host.calleeText}\`)` }
        : { role: 'test', where: `in test code (a callback to \`${host.calleeText}\`)` };
      functions.push({ functionId: f.id, fact });
    }
  }
  // A listener on `process.stdin` runs when the operator types at the terminal (json-server's
  // `s + enter` snapshot): an operator's command, not a request the server is serving.
  for (const c of model.calls) {
    if (!STDIN_LISTENERS.test(c.calleeText)) continue;
    for (const f of model.functions) {
      if (f.parent === c.functionId && c.argsSpan.start <= f.span.start && f.span.end <= c.argsSpan.end && !functions.some((x) => x.functionId === f.id)) {
        functions.push({ functionId: f.id, fact: { role: 'script', where: `on operator input at the terminal (a \`${c.calleeText}\` listener)`, note: 'it runs when the operator asks, not per request' } });
      }
    }
  }
  const shebang = text.startsWith('#!');
  return { ...(shebang ? { file: { role: 'script' as const, where: 'in a one-shot script (a file with a shebang)' } } : {}), functions };
}
