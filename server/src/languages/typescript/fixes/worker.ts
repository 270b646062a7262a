/**
 * "Offload to a worker thread": moves CPU-bound sync work (a same-file helper, or one blocking
 * library call) into a new worker module and awaits it from the call site.
 *
 * What runs: the worker is always plain JavaScript next to the source file, `.mjs` for an ES module
 * source and `.cjs` for CommonJS, so Node loads it without a TypeScript loader (TypeScript sources
 * get their moved code stripped of types with `ts.transpileModule`). A build that emits JavaScript to
 * another folder must copy `*.worker.mjs`/`*.worker.cjs` beside its output. With `piscina` among the
 * dependencies the call goes through a pool created once per helper; otherwise a `runInWorker`
 * function starts a `Worker` per call. A JavaScript source gets that function (and `reviveBuffers`)
 * added once to the file; a TypeScript source imports typed ones (`runInWorker<T>`, `runInPool<T>`)
 * from `run-in-worker.ts` beside it, created by the first such fix in the folder, so the route file
 * keeps strict types and holds no `any`.
 */
import ts from 'typescript';
import type { CreatedFile, Fix, RefusedFix, TextEdit } from '../../../engine/finding';
import type { FixContext, ParsedFile } from '../../../engine/language';
import type { CallSite } from '../../../engine/model';
import { calleeLabel, identifierNames, isTypeScriptPath, needsParensAsAwait, textOf, uniqueName } from './ast';
import type { BuildInput } from './blocking';
import type { Binding } from './imports';
import { ensureAsync } from './make-async';
import { builtin, quoted, semi, type FileStyle } from './style';
import { collectMovable, declarationText, helperDeclaration, isReference } from './worker-closure';
import { orphanedImportEdits } from './worker-imports';
import { offloadedResultType, sharedRunner } from './worker-runner';

export type Result = { fix?: Fix; refused?: RefusedFix };

/** What to run in the worker: the code to copy, the imports it reads, and the function to call. */
interface WorkerJob {
  readonly name: string;
  readonly declarations: readonly string[];
  readonly imports: readonly Binding[];
  /** The expression called with the arguments (`hashAll`, `bcrypt.hashSync`). */
  readonly invoke: string;
  /** In a TypeScript source, the type the call site gets back (`Digest`, `ReturnType<typeof zlib.gzipSync>`). */
  readonly resultType: string;
}

/** Offloads the same-file helper a call resolves to. */
export function offloadHelperFix(input: BuildInput, parsed: ParsedFile, call: ts.CallExpression, ctx: FixContext): Result {
  const { sf } = input;
  if (!ts.isIdentifier(call.expression)) {
    const title = `Offload \`${calleeLabel(call.expression)}\` to a worker thread`;
    return { refused: { title, reason: 'only a plain function can move to a worker; a method closes over its object' } };
  }
  const name = call.expression.text;
  const title = `Offload \`${name}\` to a worker thread`;
  const decl = helperDeclaration(sf, name);
  if (!decl) return { refused: { title, reason: `\`${name}\` is not a function declared at the top of this file` } };
  const argProblem = unclonableArgument(sf, call);
  if (argProblem) return { refused: { title, reason: argProblem } };
  const returned = unclonableReturn(decl.fn);
  if (returned) return { refused: { title, reason: `\`${name}\` returns ${returned}, which does not survive the copy back from a worker thread` } };
  const movable = collectMovable(sf, input.imports, decl.node, name);
  if ('reason' in movable) return { refused: { title, reason: movable.reason } };
  const cjsGlobal = ['require', 'module', 'exports', '__dirname', '__filename'].find((g) => movable.globals.has(g));
  if (cjsGlobal && input.style.esm) return { refused: { title, reason: `\`${name}\` uses the CommonJS \`${cjsGlobal}\`, which an ES module worker does not have` } };
  const relative = movable.imports.find((b) => b.module.startsWith('.'));
  if (relative && isTypeScriptPath(parsed.path)) {
    return { refused: { title, reason: `\`${name}\` needs \`${relative.local}\` from \`${relative.module}\`, a TypeScript module the generated JavaScript worker cannot load` } };
  }
  // In TypeScript the call site keeps its type, which must come from the syntax (no type checker here).
  const resultType = isTypeScriptPath(parsed.path) ? offloadedResultType(sf, call, decl.fn) : 'unknown';
  if (resultType === undefined) {
    return { refused: { title, reason: `\`${name}\` declares no return type, so the offloaded call would lose its type: declare one (\`function ${name}(…): T\`) first` } };
  }
  const job: WorkerJob = { name, declarations: movable.declarations.map((d) => declarationText(sf, d)), imports: movable.imports, invoke: name, resultType };
  const removal = removableHelper(sf, decl.node, name, call);
  return offload(input, parsed, call, job, ctx, title, removal && { edit: removal, node: decl.node });
}

/** Offloads one blocking library call (`bcrypt.hashSync(pw, 12)`) whose callee is an import. */
export function offloadCallFix(input: BuildInput, parsed: ParsedFile, call: ts.CallExpression, site: CallSite, ctx: FixContext): Result {
  const { sf } = input;
  const calleeText = textOf(sf, call.expression);
  const label = calleeLabel(call.expression);
  const title = `Offload \`${label}\` to a worker thread`;
  let root: ts.Expression = call.expression;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  const binding = ts.isIdentifier(root) ? input.imports.bindingOf(root.text) : undefined;
  if (!binding) return { refused: { title, reason: `\`${label}\` is not reached through an import, so the worker cannot import it` } };
  const argProblem = unclonableArgument(sf, call);
  if (argProblem) return { refused: { title, reason: argProblem } };
  const job: WorkerJob = { name: site.member, declarations: [], imports: [binding], invoke: calleeText, resultType: `ReturnType<typeof ${calleeText}>` };
  return offload(input, parsed, call, job, ctx, title, undefined);
}

/** Why an argument cannot be sent to a worker (functions do not survive structured cloning). */
function unclonableArgument(sf: ts.SourceFile, call: ts.CallExpression): string | undefined {
  for (const arg of call.arguments) {
    if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) return 'it passes a function, which cannot be copied to a worker thread';
    if (ts.isIdentifier(arg) && sf.statements.some((s) => ts.isFunctionDeclaration(s) && s.name?.text === arg.text)) {
      return `it passes the function \`${arg.text}\`, which cannot be copied to a worker thread`;
    }
    if (arg.kind === ts.SyntaxKind.ThisKeyword) return 'it passes `this`, whose methods do not survive the copy to a worker thread';
  }
  return undefined;
}

/** Structured cloning keeps these classes; any other `new X()` comes back as a plain object. */
const CLONEABLE_CLASSES = new Set(['Map', 'Set', 'Date', 'RegExp', 'Error', 'ArrayBuffer', 'Uint8Array', 'Int32Array', 'Float64Array', 'Array', 'Object']);

/** What a helper returns that structured cloning cannot carry back (a function, a class instance), if anything. */
export function unclonableReturn(fn: ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration): string | undefined {
  const results: ts.Expression[] = [];
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) results.push(fn.body);
  const visit = (n: ts.Node): void => {
    if (n !== fn && ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) results.push(n.expression);
    n.forEachChild(visit);
  };
  if (fn.body) visit(fn.body);
  for (let e of results) {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isClassExpression(e)) return 'a function';
    if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && !CLONEABLE_CLASSES.has(e.expression.text)) return `a \`${e.expression.text}\` instance`;
  }
  return undefined;
}

/** The helper's own text span to delete when nothing else in the file uses it and it is not exported. */
function removableHelper(sf: ts.SourceFile, node: ts.Node, name: string, call: ts.CallExpression): TextEdit | undefined {
  if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  let uses = 0;
  const visit = (n: ts.Node): void => {
    if (n === node) return;
    if (ts.isIdentifier(n) && n.text === name && n !== call.expression && isReference(n)) uses++;
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  if (uses > 0) return undefined;
  const text = sf.text;
  let start = node.getStart(sf, true);
  start = text.lastIndexOf('\n', start - 1) + 1;
  let end = node.end;
  const nl = text.indexOf('\n', end);
  end = nl < 0 ? text.length : nl + 1;
  // Take one blank line with it so the file does not keep a double gap.
  const blank = /^[ \t]*\r?\n/.exec(text.slice(end));
  if (blank) end += blank[0].length;
  return { span: { start, end }, newText: '' };
}

function importLine(b: Binding, style: FileStyle, esm: boolean): string {
  const spec = quoted(style, builtinOrPackage(b.module, style));
  if (esm) {
    if (b.kind === 'named') return `import { ${b.imported === b.local ? b.local : `${b.imported} as ${b.local}`} } from ${spec};`;
    const isDefault = ts.isImportDeclaration(b.statement) && b.statement.importClause?.name?.text === b.local;
    return isDefault ? `import ${b.local} from ${spec};` : `import * as ${b.local} from ${spec};`;
  }
  if (b.kind === 'named') return `const { ${b.imported === b.local ? b.local : `${b.imported}: ${b.local}`} } = require(${spec});`;
  return `const ${b.local} = require(${spec});`;
}

const NODE_BUILTINS = new Set(['fs', 'fs/promises', 'path', 'util', 'events', 'child_process', 'crypto', 'zlib', 'os', 'stream', 'buffer', 'url', 'worker_threads']);
function builtinOrPackage(module: string, style: FileStyle): string {
  return NODE_BUILTINS.has(module) ? builtin(style, module) : module;
}

/** The worker module's text: imports, the moved code, and the entry point for the pool or the runner. */
function workerText(job: WorkerJob, style: FileStyle, esm: boolean, piscina: boolean, typescript: boolean): string {
  const lines = [`// Runs \`${job.name}\` off the event loop (generated by async-boundary).`];
  if (!piscina) lines.push(esm ? `import { parentPort, workerData } from ${quoted(style, builtin(style, 'worker_threads'))};` : `const { parentPort, workerData } = require(${quoted(style, builtin(style, 'worker_threads'))});`);
  for (const b of job.imports) lines.push(importLine(b, style, esm));
  lines.push('');
  for (const d of job.declarations) lines.push(typescript ? stripTypes(d, style.indent) : d, '');
  if (piscina) lines.push(esm ? `export default (args) => ${job.invoke}(...args);` : `module.exports = (args) => ${job.invoke}(...args);`);
  else lines.push(`parentPort.postMessage(${job.invoke}(...workerData));`);
  let text = lines.join('\n') + '\n';
  if (!style.semi) text = text.replace(/;$/gm, '');
  return text.replace(/\n/g, style.eol);
}

/** A TypeScript declaration as JavaScript (types removed), so the worker runs without a loader. */
function stripTypes(declaration: string, indent: string): string {
  const out = ts.transpileModule(declaration, { fileName: 'worker.ts', compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  // The emitter indents by four spaces; put the file's own indentation back.
  return out.outputText
    .replace(/\n?export \{\};?\s*$/, '')
    .trimEnd()
    .replace(/^((?: {4})+)/gm, (lead: string) => indent.repeat(lead.length / 4));
}

/** The `runInWorker` function added to the source file once, in the file's language and style. */
function runnerText(style: FileStyle, worker: string, typescript: boolean): string {
  const i = style.indent;
  const s = semi(style);
  const sig = typescript ? 'function runInWorker(file: URL | string, args: unknown[]): Promise<any>' : 'function runInWorker(file, args)';
  const code = typescript ? 'code: number' : 'code';
  const value = typescript ? 'value: unknown' : 'value';
  return [
    '// Runs a worker module with `args` as its `workerData` and resolves with the first message it posts.',
    `${sig} {`,
    `${i}return new Promise((resolve, reject) => {`,
    `${i}${i}const worker = new ${worker}(file, { workerData: args })${s}`,
    `${i}${i}worker.once(${quoted(style, 'message')}, (${value}) => resolve(reviveBuffers(value)))${s}`,
    `${i}${i}worker.once(${quoted(style, 'error')}, reject)${s}`,
    `${i}${i}worker.once(${quoted(style, 'exit')}, (${code}) => reject(new Error(\`worker exited with code \${code} before posting a result\`)))${s}`,
    `${i}})${s}`,
    '}',
  ].join(style.eol);
}

/** `reviveBuffers`, added once: a worker's Buffers arrive as plain `Uint8Array`s, which `toString('base64')` and friends treat differently. */
function reviveText(style: FileStyle, typescript: boolean): string {
  const i = style.indent;
  const s = semi(style);
  const sig = typescript ? 'function reviveBuffers(value: any): any' : 'function reviveBuffers(value)';
  return [
    '// Buffers cross a worker boundary as plain Uint8Arrays: turn them back into Buffers, also inside arrays and plain objects.',
    `${sig} {`,
    `${i}if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)${s}`,
    `${i}if (Array.isArray(value)) return value.map(reviveBuffers)${s}`,
    `${i}if (value !== null && typeof value === ${quoted(style, 'object')} && Object.getPrototypeOf(value) === Object.prototype) {`,
    `${i}${i}return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveBuffers(v)]))${s}`,
    `${i}}`,
    `${i}return value${s}`,
    '}',
  ].join(style.eol);
}

function existingFunction(sf: ts.SourceFile, name: string): boolean {
  return sf.statements.some((s) => ts.isFunctionDeclaration(s) && s.name?.text === name);
}

/** The helper's deletion from the route file, when nothing else there uses it. */
interface Removal {
  readonly edit: TextEdit;
  readonly node: ts.Node;
}

function offload(input: BuildInput, parsed: ParsedFile, call: ts.CallExpression, job: WorkerJob, ctx: FixContext, title: string, removal: Removal | undefined): Result {
  const { sf, style } = input;
  const asyncPlan = ensureAsync(sf, call, input.handlerEnds);
  if (!asyncPlan.ok) return { refused: { title, reason: asyncPlan.reason } };
  const typescript = isTypeScriptPath(parsed.path);
  const esm = style.esm;
  const piscina = ctx.dependencies?.has('piscina') ?? false;
  const file = `${job.name}.worker.${esm ? 'mjs' : 'cjs'}`;
  const fileRef = esm ? `new URL(${quoted(style, `./${file}`)}, import.meta.url)` : `require.resolve(${quoted(style, `./${file}`)})`;
  // TypeScript may use `import` whatever it compiles to; a `require` would come back untyped.
  const plan = input.imports.plan(typescript ? { ...style, esm: true } : style);
  const args = `[${call.arguments.map((a) => textOf(sf, a)).join(', ')}]`;
  // A TypeScript source gets the runner from a typed module beside it (created once, shared by every
  // offload in the folder), so the route file holds no helper code and nothing typed `any`. A file
  // that still has the runner an older version of this fix wrote keeps using it.
  const shared = typescript && !existingFunction(sf, 'runInWorker') ? sharedRunner(input, parsed.path, plan, style) : undefined;
  let invocation: string;
  // A worker module an earlier fix created for the same helper is reused, with its pool.
  const existingWorker = sf.text.includes(`./${file}`);
  const existingPool = existingWorker ? poolFor(sf, file) : undefined;
  if (!shared && !existingFunction(sf, 'reviveBuffers')) plan.declare(reviveText(style, typescript));
  if (existingPool || (piscina && !existingWorker)) {
    let pool = existingPool;
    if (!pool) {
      const Piscina = plan.named('piscina', 'Piscina', false);
      pool = uniqueName(identifierNames(sf), `${job.name}Pool`);
      plan.declare(`const ${pool} = new ${Piscina}({ filename: ${esm ? `${fileRef}.href` : fileRef} })${semi(style)}`);
    }
    invocation = shared ? `await ${shared.name('runInPool')}<${job.resultType}>(${pool}, ${args})` : `reviveBuffers(await ${pool}.run(${args}))`;
  } else if (shared) {
    invocation = `await ${shared.name('runInWorker')}<${job.resultType}>(${fileRef}, ${args})`;
  } else {
    if (!existingFunction(sf, 'runInWorker')) plan.declare(runnerText(style, plan.named('worker_threads', 'Worker'), typescript));
    invocation = `await runInWorker(${fileRef}, ${args})`;
  }
  if (call.parent && ts.isAwaitExpression(call.parent)) invocation = invocation.replace(/^await /, '');
  else if (invocation.startsWith('await ') && needsParensAsAwait(call)) invocation = `(${invocation})`;
  const edits: TextEdit[] = [...plan.edits(), ...asyncPlan.edits, { span: { start: call.getStart(sf), end: call.end }, newText: invocation }];
  const overlaps = (r: TextEdit): boolean => edits.some((e) => e.span.start < r.span.end && r.span.start < e.span.end);
  if (removal && !overlaps(removal.edit)) {
    // With the helper gone, so go the imports only it read.
    const inserts = edits.filter((e) => e.span.start === e.span.end).map((e) => e.span.start);
    const orphans = orphanedImportEdits(sf, removal.node, job.imports, inserts);
    edits.push(removal.edit);
    for (const o of orphans) if (!overlaps(o)) edits.push(o);
  }
  const pooled = existingPool !== undefined || (piscina && !existingWorker);
  const fix: Fix = { title: pooled ? `${title} (piscina pool)` : title, safety: 'suggestion', edits };
  const files: CreatedFile[] = [];
  if (!existingWorker) files.push({ relativePath: file, text: workerText(job, style, esm, pooled, typescript) });
  if (shared?.file) files.push(shared.file);
  return { fix: files.length ? { ...fix, createFiles: files } : fix };
}

/** The top-level `const pool = new Piscina({ filename: …file… })` an earlier fix added, if any. */
function poolFor(sf: ts.SourceFile, file: string): string | undefined {
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer;
      if (ts.isIdentifier(d.name) && init && ts.isNewExpression(init) && /Piscina$/.test(init.expression.getText(sf)) && init.getText(sf).includes(`./${file}`)) return d.name.text;
    }
  }
  return undefined;
}
