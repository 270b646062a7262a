// The security promises of the README's `## Security` section, checked on the source: the server,
// CLI and client run no workspace code and no tools (the one exception: `git` for `check --diff`),
// evaluate no strings as code, open no network connections, and the extension declares support
// for untrusted workspaces. Parsed with the TypeScript compiler, so catalog strings such as
// `'child_process.execSync'` (names the rules look for) do not count as uses.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
/** Modules that run processes, evaluate code or reach the network. */
const FORBIDDEN_MODULES = new Set(['child_process', 'cluster', 'vm', 'worker_threads', 'http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'inspector', 'repl', 'undici', 'node-fetch', 'axios', 'ws']);
/** The only file allowed to start a process, and the only program it may start. */
const PROCESS_ALLOWED = { file: 'server/src/cli/diff.ts', program: 'git' };
/**
 * The only file allowed to compile code with `node:vm`: it loads the tool's own bundles from dist/
 * with their V8 code cache (project/compile-cache.ts), never a workspace file.
 */
const VM_ALLOWED = 'server/src/project/compile-cache.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(e) ? [full] : [];
  });
}

interface Use {
  readonly file: string;
  readonly line: number;
  readonly what: string;
}

function usesIn(path: string): Use[] {
  const file = relative(ROOT, path);
  const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Use[] = [];
  const add = (node: ts.Node, what: string) => out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, what });
  const moduleName = (spec: string) => spec.replace(/^node:/, '').split('/')[0]!;
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (FORBIDDEN_MODULES.has(moduleName(node.moduleSpecifier.text))) add(node, `import of \`${node.moduleSpecifier.text}\``);
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      if (FORBIDDEN_MODULES.has(moduleName(node.moduleReference.expression.text))) add(node, `import of \`${node.moduleReference.expression.text}\``);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const arg = node.arguments[0];
      if (ts.isIdentifier(callee) && callee.text === 'eval') add(node, '`eval`');
      if (ts.isIdentifier(callee) && callee.text === 'Function') add(node, '`Function(...)`');
      if (ts.isIdentifier(callee) && callee.text === 'fetch') add(node, '`fetch`');
      if (ts.isIdentifier(callee) && callee.text === 'require') {
        if (!arg || !ts.isStringLiteral(arg)) add(node, '`require` of a computed name');
        else if (FORBIDDEN_MODULES.has(moduleName(arg.text))) add(node, `require of \`${arg.text}\``);
      }
      if (callee.kind === ts.SyntaxKind.ImportKeyword && (!arg || !ts.isStringLiteral(arg) || FORBIDDEN_MODULES.has(moduleName(arg.text)))) add(node, 'dynamic `import()`');
      if (ts.isIdentifier(callee) && ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync'].includes(callee.text)) {
        add(node, `\`${callee.text}(${arg && ts.isStringLiteral(arg) ? JSON.stringify(arg.text) : '<computed>'}, …)\`${node.arguments.some((a) => /\bshell\b/.test(a.getText(sf))) ? ' with a shell' : ''}`);
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') add(node, '`new Function`');
    // The TypeScript frontend parses single files: a program or language service would read the
    // workspace's tsconfig and could load its plugins.
    if (ts.isPropertyAccessExpression(node) && ['createProgram', 'createLanguageService', 'createWatchProgram', 'sys'].includes(node.name.text) && node.expression.getText(sf) === 'ts') add(node, `\`ts.${node.name.text}\``);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('security: no workspace code, no tools, no network', () => {
  const files = [...sources(join(ROOT, 'server', 'src')), ...sources(join(ROOT, 'client', 'src'))];

  it('scans a real set of sources', () => {
    assert.ok(files.length > 40, `${files.length} files`);
    // The scanner finds what it looks for: the one allowed process start is there.
    assert.ok(usesIn(join(ROOT, PROCESS_ALLOWED.file)).length > 0);
  });

  it('nothing imports process, eval or network modules, calls eval/Function/fetch, or builds a TypeScript program', () => {
    const found = files.flatMap(usesIn).filter((u) => u.file !== PROCESS_ALLOWED.file && !(u.file === VM_ALLOWED && u.what === 'import of `node:vm`'));
    assert.deepEqual(found, []);
  });

  it('`node:vm` compiles only the tool\'s own bundles: its one user is imported by the CLI\'s launcher alone (and by the build\'s `typescript` module, for dist/typescript.js)', () => {
    assert.deepEqual(
      usesIn(join(ROOT, VM_ALLOWED)).map((u) => u.what),
      ['import of `node:vm`'],
    );
    const importers = files.filter((f) => /from '(?:\.\.\/project|\.)\/compile-cache'/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    assert.deepEqual(importers, ['server/src/cli/launch.ts']);
    assert.match(readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8'), /requireWithCodeCache\(require\.resolve\('\.\/typescript\.js'\)/);
    assert.match(readFileSync(join(ROOT, 'server', 'src', 'cli', 'launch.ts'), 'utf8'), /requireWithCodeCache\(join\(__dirname, 'cli-main\.js'\)/);
  });

  it('the CLI --diff code starts only `git`, without a shell', () => {
    const uses = usesIn(join(ROOT, PROCESS_ALLOWED.file));
    const starts = uses.filter((u) => !u.what.startsWith('import'));
    assert.ok(starts.length > 0);
    for (const u of starts) assert.equal(u.what, `\`spawn("${PROCESS_ALLOWED.program}", …)\``, `${u.file}:${u.line}`);
    assert.deepEqual(uses.filter((u) => u.what.startsWith('import')).map((u) => u.what), ['import of `node:child_process`']);
  });

  it('package.json declares support for untrusted workspaces and no activation on a workspace file pattern', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { capabilities?: { untrustedWorkspaces?: { supported?: unknown } }; activationEvents?: string[] };
    assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, true);
    assert.ok((pkg.activationEvents ?? []).every((e) => e.startsWith('onLanguage:') || e.startsWith('onCommand:')), JSON.stringify(pkg.activationEvents));
  });
});
