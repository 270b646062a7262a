// The typed side of the worker offload for TypeScript sources: the runner module the route file
// imports (`runInWorker<T>`, `runInPool<T>`), and the type the offloaded call gives back.
import ts from 'typescript';
import type { CreatedFile } from '../../../engine/finding';
import { textOf } from './ast';
import type { BuildInput } from './blocking';
import type { ImportPlan } from './imports';
import { builtin, quoted, semi, type FileStyle } from './style';

/** The base name of the typed runner module a TypeScript source imports. */
const RUNNER_MODULE = 'run-in-worker';
const RUNNER_SPEC = /(^|\/)run-in-worker(\.[cm]?[jt]s)?$/;

/**
 * The runner module's functions for a TypeScript source: the names it imports them by (existing
 * imports are reused), and the module to create when the file imports nothing from it yet.
 */
export function sharedRunner(input: BuildInput, path: string, plan: ImportPlan, style: FileStyle): { name: (fn: 'runInWorker' | 'runInPool') => string; file?: CreatedFile } {
  const known = input.imports.bindings.find((b) => RUNNER_SPEC.test(b.module) && b.module.startsWith('.'));
  const flavour = /\.([cm]?)tsx?$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  const spec = known?.module ?? `./${RUNNER_MODULE}${flavour ? `.${flavour}js` : relativeImportExtension(input.sf, style.esm)}`;
  const name = (fn: 'runInWorker' | 'runInPool'): string => plan.named(spec, fn, false);
  if (known) return { name };
  return { name, file: { relativePath: `${RUNNER_MODULE}.${flavour}ts`, text: sharedRunnerText(style), shared: true } };
}

/** How the file writes relative imports: `.js` (Node ESM), `.ts`, or no extension; with none to go by, `.js` for ESM. */
function relativeImportExtension(sf: ts.SourceFile, esm: boolean): string {
  let bare = false;
  for (const st of sf.statements) {
    const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
    if (!spec?.startsWith('.')) continue;
    const ext = /\.(js|ts|mjs|mts|cjs|cts)$/.exec(spec)?.[1];
    if (ext === 'js' || ext === 'ts') return `.${ext}`;
    if (!ext && !/\/$/.test(spec)) bare = true;
  }
  return bare || !esm ? '' : '.js';
}

/** The typed runner module: starts a worker per call, or runs a task on a pool, and revives Buffers. */
function sharedRunnerText(style: FileStyle): string {
  const i = style.indent;
  const s = semi(style);
  const q = (v: string): string => quoted(style, v);
  return [
    '// Runs the worker modules written by async-boundary\'s "Offload to a worker thread" fix.',
    `import { Worker } from ${q(builtin(style, 'worker_threads'))}${s}`,
    '',
    '/** Buffers cross a worker boundary as plain Uint8Arrays: turns them back into Buffers, also inside arrays and plain objects. */',
    'export function reviveBuffers(value: unknown): unknown {',
    `${i}if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)${s}`,
    `${i}if (Array.isArray(value)) return value.map(reviveBuffers)${s}`,
    `${i}if (value !== null && typeof value === ${q('object')} && Object.getPrototypeOf(value) === Object.prototype) {`,
    `${i}${i}return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveBuffers(v)]))${s}`,
    `${i}}`,
    `${i}return value${s}`,
    '}',
    '',
    '/** Runs a worker module with `args` as its `workerData`, and resolves with the first message it posts. */',
    'export function runInWorker<T>(file: URL | string, args: readonly unknown[]): Promise<T> {',
    `${i}return new Promise<T>((resolve, reject) => {`,
    `${i}${i}const worker = new Worker(file, { workerData: args })${s}`,
    `${i}${i}worker.once(${q('message')}, (value: unknown) => resolve(reviveBuffers(value) as T))${s}`,
    `${i}${i}worker.once(${q('error')}, reject)${s}`,
    `${i}${i}worker.once(${q('exit')}, (code: number) => reject(new Error(\`worker exited with code \${code} before posting a result\`)))${s}`,
    `${i}})${s}`,
    '}',
    '',
    '/** Runs one task on a worker pool (piscina), and revives the Buffers in its result. */',
    'export async function runInPool<T>(pool: { run(task: unknown): Promise<unknown> }, args: readonly unknown[]): Promise<T> {',
    `${i}return reviveBuffers(await pool.run(args)) as T${s}`,
    '}',
    '',
  ].join(style.eol);
}

/**
 * The type an offloaded helper's call gives back, for `runInWorker<T>`: the helper's declared return
 * type, else what the call site declares it wants (`const x: T = helper()`, `return helper()` in a
 * function returning `Promise<T>`), else `unknown` when the result is not used. Undefined when none
 * of these says: the fixed call would lose its type.
 */
export function offloadedResultType(sf: ts.SourceFile, call: ts.CallExpression, fn: ts.SignatureDeclaration): string | undefined {
  if (fn.type) return textOf(sf, fn.type);
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAwaitExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return 'unknown';
  if (ts.isVariableDeclaration(parent) && parent.initializer === node && parent.type) return textOf(sf, parent.type);
  let owner: ts.SignatureDeclaration | undefined;
  if (ts.isArrowFunction(parent) && parent.body === node) owner = parent;
  else if (ts.isReturnStatement(parent)) {
    let up: ts.Node | undefined = parent.parent;
    while (up && !ts.isFunctionLike(up)) up = up.parent;
    owner = up;
  }
  const declared = owner?.type;
  if (!declared) return undefined;
  // An async function's `Promise<T>` gives `T`; a sync one returns the value as it is.
  const isAsync = (ts.getCombinedModifierFlags(owner as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
  if (ts.isTypeReferenceNode(declared) && ts.isIdentifier(declared.typeName) && declared.typeName.text === 'Promise' && declared.typeArguments?.length === 1) {
    return textOf(sf, declared.typeArguments[0]!);
  }
  return isAsync ? undefined : textOf(sf, declared);
}
