import ts from 'typescript';

/** How the file is written, so generated code looks like the code around it. */
export interface FileStyle {
  readonly quote: "'" | '"';
  /** Statements end with `;`. */
  readonly semi: boolean;
  /** One level of indentation. */
  readonly indent: string;
  /** The file is an ES module (`import`/`export`), not CommonJS (`require`). */
  readonly esm: boolean;
  /** Built-in modules are imported as `node:fs` rather than `fs`. */
  readonly nodePrefix: boolean;
  readonly eol: string;
}

const BUILTINS = new Set([
  'fs', 'fs/promises', 'path', 'util', 'events', 'child_process', 'crypto', 'zlib', 'worker_threads', 'os', 'stream', 'stream/promises', 'url', 'http', 'https', 'net', 'timers/promises', 'buffer',
]);

/** The module specifier of an `import … from` or a top-level `require('…')`. */
export function requireSpecifier(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
    const arg = node.arguments[0]!;
    if (ts.isStringLiteralLike(arg)) return arg.text;
  }
  return undefined;
}

/** Reads the file's conventions; defaults are single quotes, semicolons, two spaces, bare built-in names. */
export function detectStyle(sf: ts.SourceFile): FileStyle {
  let single = 0;
  let double = 0;
  let withSemi = 0;
  let withoutSemi = 0;
  let esmSyntax = false;
  let cjsSyntax = false;
  let importEquals = false;
  let prefixed = 0;
  let bare = 0;
  const text = sf.text;
  const countSpecifier = (spec: string): void => {
    if (spec.startsWith('node:')) prefixed++;
    else if (BUILTINS.has(spec)) bare++;
  };
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n)) {
      if (text[n.getStart(sf)] === "'") single++;
      else double++;
    }
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isExportAssignment(n)) esmSyntax = true;
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) countSpecifier(n.moduleSpecifier.text);
    if (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.ImportKeyword) esmSyntax = true;
    const spec = requireSpecifier(n);
    if (spec !== undefined) {
      cjsSyntax = true;
      countSpecifier(spec);
    }
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'module' && n.name.text === 'exports') cjsSyntax = true;
    // `import x = require('m')` only compiles to CommonJS, whatever else the file exports.
    if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) importEquals = true;
    if (n.parent === sf && ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) esmSyntax = true;
    if (ts.isExpressionStatement(n) || ts.isVariableStatement(n) || ts.isImportDeclaration(n) || ts.isReturnStatement(n)) {
      if (text[n.end - 1] === ';') withSemi++;
      else withoutSemi++;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  const path = sf.fileName.toLowerCase();
  let esm: boolean;
  if (/\.(mjs|mts)$/.test(path)) esm = true;
  else if (/\.(cjs|cts)$/.test(path) || importEquals) esm = false;
  else if (esmSyntax !== cjsSyntax) esm = esmSyntax;
  else esm = /\.(ts|tsx)$/.test(path); // no module syntax: TypeScript is written as ESM, plain JS as CommonJS
  return {
    quote: double > single ? '"' : "'",
    semi: withSemi >= withoutSemi,
    indent: detectIndent(text),
    esm,
    nodePrefix: prefixed > bare,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

function detectIndent(text: string): string {
  for (const m of text.matchAll(/\n([ \t]+)\S/g)) {
    const ws = m[1]!;
    if (ws.startsWith('\t')) return '\t';
    if (ws.length >= 2) return ws.length % 4 === 0 && !/\n {2}\S/.test(text) ? '    ' : '  ';
  }
  return '  ';
}

/** A string literal in the file's quote style. */
export function quoted(style: FileStyle, value: string): string {
  const q = style.quote;
  return q + value.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`) + q;
}

/** A built-in module name in the file's style (`node:fs` or `fs`). */
export function builtin(style: FileStyle, name: string): string {
  return style.nodePrefix ? `node:${name}` : name;
}

/** A statement terminator in the file's style. */
export function semi(style: FileStyle): string {
  return style.semi ? ';' : '';
}
