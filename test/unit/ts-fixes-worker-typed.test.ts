// The "offload to a worker thread" fix on TypeScript sources, held to the project's own bar: the fixed
// route file and the runner module it imports must type-check under `strict` with the TypeScript
// compiler API, and pass typescript-eslint's recommended (and type-checked recommended) rules, loaded
// from node_modules. The route file gets no helper code and nothing typed `any`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import ts from 'typescript';
import { fixOne, lines, type FixOutcome, type HandFinding } from './ts-fixes-support';

const BIA = 'blocking-in-async';
const ROOT_MODULES = join(__dirname, '..', '..', 'node_modules');

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noUncheckedIndexedAccess: true,
};

interface Checked {
  readonly typeErrors: string[];
  readonly lintErrors: string[];
}

/** Writes the route file before and after the fix, and the files the fix creates, then type-checks and lints them. */
async function check(file: string, before: string, out: FixOutcome, packageJson: object): Promise<Checked> {
  const dir = mkdtempSync(join(tmpdir(), 'ab-typed-'));
  try {
    symlinkSync(ROOT_MODULES, join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
    writeFileSync(join(dir, 'before.ts'), before);
    writeFileSync(join(dir, file), out.after!);
    const tsFiles = [join(dir, file)];
    for (const f of out.fix?.createFiles ?? []) {
      writeFileSync(join(dir, f.relativePath), f.text);
      if (f.relativePath.endsWith('.ts')) tsFiles.push(join(dir, f.relativePath));
    }
    const program = ts.createProgram(tsFiles, COMPILER_OPTIONS);
    const typeErrors = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.slice(dir.length + 1) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], skipLibCheck: true, noEmit: true }, files: tsFiles.map((f) => f.slice(dir.length + 1)) }));
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        ...tseslint.configs.recommendedTypeChecked,
        { languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: dir } } },
      ],
    });
    const results = await eslint.lintFiles(tsFiles);
    const lintErrors = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}:${m.line} ${m.ruleId ?? ''} ${m.message}`));
    return { typeErrors, lintErrors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A helper with a declared result type, in an ES module route file. */
const ANNOTATED = lines(
  "import { createHash } from 'node:crypto';",
  '',
  'interface Digest {',
  '  hash: string;',
  '  rounds: number;',
  '}',
  '',
  'function digest(data: string, rounds: number): Digest {',
  '  let h = data;',
  "  for (let i = 0; i < rounds; i++) h = createHash('sha256').update(h).digest('hex');",
  '  return { hash: h, rounds };',
  '}',
  '',
  'export async function handle(input: string): Promise<string> {',
  '  const { hash, rounds } = digest(input, 1000);',
  '  return `${rounds}:${hash}`;',
  '}',
);
const ANNOTATED_FINDING: HandFinding = { rule: BIA, call: { snippet: 'digest(input, 1000)' }, inner: { snippet: "createHash('sha256')", callee: 'crypto.createHash' }, hand: true };

/** A helper without a result type, called where the function's declared `Promise<string>` says what it gives. */
const CONTEXTUAL = lines(
  "import { createHash } from 'node:crypto';",
  '',
  'function etagOf(body: string) {',
  "  return createHash('sha256').update(body).digest('base64url');",
  '}',
  '',
  'export async function etag(body: string): Promise<string> {',
  '  return etagOf(body);',
  '}',
);
const CONTEXTUAL_FINDING: HandFinding = { rule: BIA, call: { snippet: 'etagOf(body)' }, inner: { snippet: "createHash('sha256')", callee: 'crypto.createHash' }, hand: true };

/** One blocking library call whose Buffer result is used. */
const LIBRARY = lines(
  "import crypto from 'node:crypto';",
  '',
  'export async function derive(password: string): Promise<string> {',
  "  const key = crypto.scryptSync(password, 'salt', 32);",
  "  return key.toString('hex');",
  '}',
);
const LIBRARY_FINDING: HandFinding = { rule: BIA, call: { snippet: "crypto.scryptSync(password, 'salt', 32)", callee: 'crypto.scryptSync' }, pick: 'Offload' };

const ESM = { type: 'module' };

describe('ts fixes: offload to a worker thread passes strict TypeScript and typescript-eslint', function () {
  this.timeout(120000);

  const cases: { name: string; src: string; finding: HandFinding; deps?: string[]; expect: RegExp }[] = [
    { name: 'a helper with a declared result type', src: ANNOTATED, finding: ANNOTATED_FINDING, expect: /await runInWorker<Digest>\(new URL\('\.\/digest\.worker\.mjs', import\.meta\.url\), \[input, 1000\]\)/ },
    { name: 'a helper typed by its call site', src: CONTEXTUAL, finding: CONTEXTUAL_FINDING, expect: /return await runInWorker<string>\(new URL\('\.\/etagOf\.worker\.mjs', import\.meta\.url\), \[body\]\);/ },
    { name: 'one library call', src: LIBRARY, finding: LIBRARY_FINDING, expect: /await runInWorker<ReturnType<typeof crypto\.scryptSync>>\(/ },
    { name: 'a helper on a piscina pool', src: ANNOTATED, finding: { ...ANNOTATED_FINDING, pick: 'Offload' }, deps: ['piscina'], expect: /await runInPool<Digest>\(digestPool, \[input, 1000\]\)/ },
  ];

  for (const c of cases) {
    it(`${c.name}: the fixed route file and its runner module type-check and lint clean`, async () => {
      const out = fixOne('handler.ts', c.src, c.finding, c.deps ?? []);
      assert.ok(out.fix, out.result.refused.map((r) => r.reason).join('\n'));
      assert.match(out.after!, c.expect);
      assert.doesNotMatch(out.after!, /\bany\b/, 'the route file has something typed `any`');
      assert.doesNotMatch(out.after!, /function (runInWorker|reviveBuffers)/, 'the runner is written into the route file');
      const runner = out.fix.createFiles?.find((f) => f.relativePath === 'run-in-worker.ts');
      assert.ok(runner?.shared, 'the runner module is not created (or not marked shared)');
      assert.doesNotMatch(runner.text, /\bany\b/);
      const result = await check('handler.ts', c.src, out, ESM);
      assert.deepEqual(result.typeErrors, [], out.after);
      assert.deepEqual(result.lintErrors, [], out.after);
    });
  }

  it('a CommonJS TypeScript source (import-equals) imports the runner without an extension and type-checks', async () => {
    const src = lines("import zlib = require('zlib');", '', 'function pack(s: string): number {', '  return zlib.gzipSync(s).length;', '}', '', 'export async function size(s: string): Promise<number> {', '  return pack(s) + 1;', '}');
    const out = fixOne('handler.ts', src, { rule: BIA, call: { snippet: 'pack(s)' }, inner: { snippet: 'zlib.gzipSync(s)', callee: 'zlib.gzipSync' }, pick: 'Offload' });
    assert.match(out.after!, /import \{ runInWorker \} from '\.\/run-in-worker';\n/);
    assert.match(out.after!, /return await runInWorker<number>\(require\.resolve\('\.\/pack\.worker\.cjs'\), \[s\]\) \+ 1;/);
    const result = await check('handler.ts', src, out, {});
    assert.deepEqual(result.typeErrors, [], out.after);
    // `import x = require()` is the source's own choice, which the recommended rules flag; nothing else may be.
    assert.deepEqual(result.lintErrors.filter((e) => !/no-require-imports/.test(e)), [], out.after);
  });

  it('refuses a helper with no return type whose result the call site uses untyped, and says what to declare', () => {
    const src = lines(
      "import { gzipSync } from 'node:zlib';",
      '',
      'function pack(body: string) {',
      '  const zipped = gzipSync(body);',
      '  return { size: zipped.length, data: zipped };',
      '}',
      '',
      'export async function upload(body: string) {',
      '  const packed = pack(body);',
      '  return packed.size;',
      '}',
    );
    const out = fixOne('handler.ts', src, { rule: BIA, call: { snippet: 'pack(body)' }, inner: { snippet: 'gzipSync(body)', callee: 'zlib.gzipSync' }, pick: 'Offload' });
    assert.equal(out.fix, undefined);
    const refused = out.result.refused.find((r) => r.title === 'Offload `pack` to a worker thread');
    assert.match(refused?.reason ?? '', /`pack` declares no return type, so the offloaded call would lose its type: declare one \(`function pack\(…\): T`\) first/);
    // In JavaScript there is no type to lose.
    assert.ok(fixOne('handler.mjs', src.replace(/: string/g, ''), { rule: BIA, call: { snippet: 'pack(body)', nth: 1 }, inner: { snippet: 'gzipSync(body)', callee: 'zlib.gzipSync' }, pick: 'Offload' }).fix);
  });

  it('a second offload in the same file reuses the runner import and creates no second runner', () => {
    const first = fixOne('handler.ts', LIBRARY, LIBRARY_FINDING);
    const again = first.after!.replace("return key.toString('hex');", "const iv = crypto.scryptSync(password, 'iv', 16);\n  return key.toString('hex') + iv.toString('hex');");
    const second = fixOne('handler.ts', again, { rule: BIA, call: { snippet: "crypto.scryptSync(password, 'iv', 16)", callee: 'crypto.scryptSync' }, pick: 'Offload' });
    assert.equal(second.fix?.createFiles, undefined, 'the worker module or the runner is created again');
    assert.equal(second.after!.match(/from '\.\/run-in-worker\.js'/g)?.length, 1, second.after);
  });
});
