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
import type { Binding, Imports } from './imports';
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

/**
 * Offloads the same-file helper a call resolves to; `others`: the other calls of it a merged finding
 * stands for, each moved the same way.
 */
export function offloadHelperFix(input: BuildInput, parsed: ParsedFile, call: ts.CallExpression, ctx: FixContext, others: readonly ts.CallExpression[] = []): Result {
  const { sf } = input;
  if (!ts.isIdentifier(call.expression)) {
    const title = `Offload \`${calleeLabel(call.expression)}\` to a worker thread`;
    return { refused: { title, reason: 'only a plain function can move to a worker; a method closes over its object' } };
  }
  const name = call.expression.text;
  const title = `Offload \`${name}\` to a worker thread`;
  const decl = helperDeclaration(sf, name);
  if (!decl) return { refused: { title, reason: `\`${name}\` is not a function declared at the top of this file` } };
  const calls = [call, ...others];
  if (others.some((o) => !ts.isIdentifier(o.expression) || o.expression.text !== name)) return { refused: { title, reason: `the other calls this finding stands for do not all name \`${name}\` as this one does` } };
  const argProblem = calls.map((c) => unclonableArgument(sf, c)).find((p) => p !== undefined);
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
  const removal = removableHelper(sf, decl.node, name, calls);
  return offload(input, parsed, calls, job, ctx, title, removal && { edit: removal, node: decl.node });
}

/**
 * Offloads a blocking call (`bcrypt.hashSync(pw, 12)`, a helper of another module) whose callee is
 * reached through an import: directly, or destructured from an imported module object at the top of
 * the file (`const { getAssetUrl } = metaData`, `const hash = pw.hash`), which the worker imports as
 * the file does and calls through. `others`: the other calls a merged finding stands for; each becomes
 * a call of the same worker with its own arguments.
 */
export function offloadCallFix(input: BuildInput, parsed: ParsedFile, call: ts.CallExpression, site: CallSite, ctx: FixContext, others: readonly ts.CallExpression[] = []): Result {
  const { sf } = input;
  const label = calleeLabel(call.expression);
  const title = `Offload \`${label}\` to a worker thread`;
  let root: ts.Expression = call.expression;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  const direct = ts.isIdentifier(root) ? input.imports.bindingOf(root.text) : undefined;
  const through = !direct && ts.isIdentifier(call.expression) ? destructuredMember(sf, input.imports, call.expression.text) : undefined;
  const binding = direct ?? through?.binding;
  if (!binding) return { refused: { title, reason: `\`${label}\` is not reached through an import, so the worker cannot import it` } };
  const argProblem = [call, ...others].map((c) => unclonableArgument(sf, c)).find((p) => p !== undefined);
  if (argProblem) return { refused: { title, reason: argProblem } };
  const calleeText = through ? `${through.binding.local}.${through.member}` : textOf(sf, call.expression);
  const job: WorkerJob = { name: site.member, declarations: [], imports: [binding], invoke: calleeText, resultType: `ReturnType<typeof ${calleeText}>` };
  return offload(input, parsed, [call, ...others], job, ctx, title, undefined);
}

/**
 * The module object a top-level destructuring took `local` from (`const { getAssetUrl } = metaData`,
 * `const { hash: hashPassword } = passwords`, `const verify = passwords.verify`), when that object is
 * an import of the file, and the member's name in it.
 */
function destructuredMember(sf: ts.SourceFile, imports: Imports, local: string): { binding: Binding; member: string } | undefined {
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer && skipParens(d.initializer);
      if (!init) continue;
      let from: ts.Expression | undefined;
      let member: string | undefined;
      if (ts.isObjectBindingPattern(d.name)) {
        const el = d.name.elements.find((e) => !e.dotDotDotToken && ts.isIdentifier(e.name) && e.name.text === local);
        if (!el) continue;
        from = init;
        member = el.propertyName ? (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName) ? el.propertyName.text : undefined) : local;
      } else if (ts.isIdentifier(d.name) && d.name.text === local && ts.isPropertyAccessExpression(init)) {
        from = init.expression;
        member = init.name.text;
      } else continue;
      if (!from || member === undefined || !ts.isIdentifier(from)) return undefined;
      const binding = imports.bindingOf(from.text);
      return binding?.kind === 'namespace' ? { binding, member } : undefined;
    }
  }
  return undefined;
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
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

/** The helper's own text span to delete when nothing else in the file uses it (besides the calls moved) and it is not exported. */
function removableHelper(sf: ts.SourceFile, node: ts.Node, name: string, calls: readonly ts.CallExpression[]): TextEdit | undefined {
  if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  let uses = 0;
  const moved = new Set<ts.Node>(calls.map((c) => c.expression));
  const visit = (n: ts.Node): void => {
    if (n === node) return;
    if (ts.isIdentifier(n) && n.text === name && !moved.has(n) && isReference(n)) uses++;
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

/** Moves `calls` (the finding's call first, then the others a merged finding stands for) to one worker running `job`. */
function offload(input: BuildInput, parsed: ParsedFile, calls: readonly ts.CallExpression[], job: WorkerJob, ctx: FixContext, title: string, removal: Removal | undefined): Result {
  const { sf, style } = input;
  // Each call must be able to await; calls in one function make it async once.
  const asyncEdits: TextEdit[] = [];
  for (const call of calls) {
    const asyncPlan = ensureAsync(sf, call, input.handlerEnds);
    if (!asyncPlan.ok) {
      const line = sf.getLineAndCharacterOfPosition(call.getStart(sf)).line + 1;
      return { refused: { title, reason: call === calls[0] ? asyncPlan.reason : `the call on line ${line}: ${asyncPlan.reason}` } };
    }
    for (const e of asyncPlan.edits) if (!asyncEdits.some((x) => x.span.start === e.span.start && x.span.end === e.span.end && x.newText === e.newText)) asyncEdits.push(e);
  }
  const typescript = isTypeScriptPath(parsed.path);
  const esm = style.esm;
  const piscina = ctx.dependencies?.has('piscina') ?? false;
  const file = `${job.name}.worker.${esm ? 'mjs' : 'cjs'}`;
  const fileRef = esm ? `new URL(${quoted(style, `./${file}`)}, import.meta.url)` : `require.resolve(${quoted(style, `./${file}`)})`;
  // TypeScript may use `import` whatever it compiles to; a `require` would come back untyped.
  const plan = input.imports.plan(typescript ? { ...style, esm: true } : style);
  const argsOf = (call: ts.CallExpression): string => `[${call.arguments.map((a) => textOf(sf, a)).join(', ')}]`;
  // A TypeScript source gets the runner from a typed module beside it (created once, shared by every
  // offload in the folder), so the route file holds no helper code and nothing typed `any`. A file
  // that still has the runner an older version of this fix wrote keeps using it.
  const shared = typescript && !existingFunction(sf, 'runInWorker') ? sharedRunner(input, parsed.path, plan, style) : undefined;
  let invoke: (args: string) => string;
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
    const p = pool;
    // Named once: each name asked of the plan is an import it adds.
    const runInPool = shared?.name('runInPool');
    invoke = runInPool ? (args) => `await ${runInPool}<${job.resultType}>(${p}, ${args})` : (args) => `reviveBuffers(await ${p}.run(${args}))`;
  } else if (shared) {
    const runInWorker = shared.name('runInWorker');
    invoke = (args) => `await ${runInWorker}<${job.resultType}>(${fileRef}, ${args})`;
  } else {
    if (!existingFunction(sf, 'runInWorker')) plan.declare(runnerText(style, plan.named('worker_threads', 'Worker'), typescript));
    invoke = (args) => `await runInWorker(${fileRef}, ${args})`;
  }
  const replacements: TextEdit[] = calls.map((call) => {
    let invocation = invoke(argsOf(call));
    if (call.parent && ts.isAwaitExpression(call.parent)) invocation = invocation.replace(/^await /, '');
    else if (invocation.startsWith('await ') && needsParensAsAwait(call)) invocation = `(${invocation})`;
    return { span: { start: call.getStart(sf), end: call.end }, newText: invocation };
  });
  const edits: TextEdit[] = [...plan.edits(), ...asyncEdits, ...replacements];
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
