import type { Frontend } from '../engine/language';
import { goFrontend } from './go';
import { javaFrontend } from './java';
import { pythonFrontend } from './python';
import { rustFrontend } from './rust';
import { typescriptCatalog } from './typescript/catalog';
import { TS_EXTENSIONS } from './typescript/extensions';
import { typescriptResolver } from './typescript/resolver';

/**
 * The TypeScript frontend, loaded at its first use: its module pulls in the TypeScript compiler
 * (about 9 MB of JavaScript to evaluate), which a run over Rust files never needs.
 */
function lazyTypescript(): Frontend {
  let real: Frontend | undefined;
  const get = (): Frontend => {
    // A `require` at the call site, not an `import`: esbuild then evaluates the module (and the
    // compiler) only when this line runs.
    real ??= (require('./typescript') as typeof import('./typescript')).typescriptFrontend;
    return real;
  };
  return {
    language: 'typescript',
    extensions: TS_EXTENSIONS,
    catalog: typescriptCatalog,
    resolver: typescriptResolver,
    // Nothing asynchronous to wait for: loading is evaluating the module, which `initFrontends()`
    // does up front (benchmarks time analysis, not module loading).
    load: async () => void get(),
    parse: (text, path, catalog, previous, changes) => get().parse(text, path, catalog, previous, changes),
    syntaxErrors: (text, path) => get().syntaxErrors(text, path),
    fixes: (finding, parsed, ctx) => get().fixes(finding, parsed, ctx),
    crossFileFix: {
      makeAsync: (parsed, name, ctx) => get().crossFileFix!.makeAsync(parsed, name, ctx),
      awaitCalls: (parsed, callIds, fixing) => get().crossFileFix!.awaitCalls(parsed, callIds, fixing),
      offloadCall: (parsed, callIds, helper, name, shown, ctx) => get().crossFileFix!.offloadCall!(parsed, callIds, helper, name, shown, ctx),
    },
  };
}

/** Every language frontend the engine has, in the order they were added. */
export const FRONTENDS: readonly Frontend[] = [lazyTypescript(), rustFrontend, goFrontend, pythonFrontend, javaFrontend];

const byExtension = new Map<string, Frontend>();
for (const f of FRONTENDS) for (const ext of f.extensions) byExtension.set(ext, f);

/** The frontend for a file path, by extension, or `undefined` when no frontend handles it. */
export function frontendForPath(path: string): Frontend | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return byExtension.get(path.slice(dot).toLowerCase());
}

/** Every supported file extension. */
export function supportedExtensions(): string[] {
  return [...byExtension.keys()];
}

/**
 * Loads what the frontend of `path` needs before its synchronous `parse` works (a tree-sitter
 * grammar), the first time a file of that language is met; resolves at once afterwards, and for a
 * file no frontend handles. Rejects when the grammar cannot be loaded (the next call retries).
 */
export async function loadFrontendFor(path: string): Promise<void> {
  await frontendForPath(path)?.load?.();
}

/**
 * Loads what every frontend needs (all tree-sitter grammars, the TypeScript compiler): for tests
 * and tools that analyse any language without awaiting per file. Before a grammar is loaded its frontend's `parse` throws, and
 * `analyze()` reports that and returns an empty model. Idempotent.
 */
export async function initFrontends(): Promise<void> {
  await Promise.all(FRONTENDS.map((f) => f.load?.()));
}

/** The tree-sitter grammars the frontends declare (npm package names): `scripts/build.mjs` ships their WASM. */
export { declaredGrammars } from './tree-sitter';
