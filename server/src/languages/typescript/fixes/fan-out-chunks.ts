/**
 * The fan-out fix for a project without a limiter library: a `Promise.all(xs.map(fn))` awaited as a
 * statement, assigned or returned becomes a loop that awaits `xs` in chunks of N, the results pushed
 * in order, so the value is the array `Promise.all` gave. Only where `fn` cannot see the index or the
 * array that `map` would have passed (they would be the chunk's), and `Promise.all`/`allSettled`,
 * whose results concatenate.
 */
import ts from 'typescript';
import type { Fix, TextEdit } from '../../../engine/finding';
import { enclosingFunction, isAsyncFunction, isFunctionNode, isTypeScriptPath, lineIndent, textOf, uniqueName } from './ast';
import type { BuildInput } from './blocking';
import { type Mapped, perItemArity, skipParens } from './fan-out-shape';
import { semi } from './style';

type Form =
  | { readonly kind: 'statement'; readonly statement: ts.ExpressionStatement }
  | { readonly kind: 'assign'; readonly statement: ts.VariableStatement; readonly decl: ts.VariableDeclaration & { name: ts.Identifier } }
  | { readonly kind: 'return'; readonly statement: ts.ReturnStatement };

export function chunkFix(input: BuildInput, combinator: ts.CallExpression, mapped: Mapped, n: number, collection: string): Fix | undefined {
  const { sf, style } = input;
  if (mapped.method === 'from' || mapped.receiver === undefined) return undefined;
  const callee = skipParens(combinator.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== 'Promise') return undefined;
  if ((callee.name.text !== 'all' && callee.name.text !== 'allSettled') || combinator.arguments.length !== 1 || skipParens(combinator.arguments[0]!) !== mapped.call) return undefined;
  const arity = perItemArity(sf, mapped.fn);
  if (arity === undefined || arity > 1) return undefined;
  const form = formOf(combinator);
  if (!form) return undefined;
  const receiver = mapped.receiver;
  const stable = isStable(receiver);
  const inBlock = isBlockLike(form.statement.parent);
  if (!inBlock && !(form.kind === 'statement' && stable)) return undefined;
  // The loop's counter shadows only what the moved code reads; the new consts live beside the function's other names.
  const scope = enclosingFunction(form.statement) ?? sf;
  const used = namesIn(scope === sf ? sf : (scope as ts.FunctionLikeDeclaration).body ?? scope);
  if (form.kind === 'assign' && isTypeScriptPath(sf.fileName) && !form.decl.type && capturedLater(form.statement, form.decl.name.text)) return undefined;
  // A type the loop cannot push into (`ReadonlyArray<T>`, `Iterable<T>`): an `Array<T>` is filled, then assigned to it.
  const declared = form.kind === 'assign' ? form.decl.type : undefined;
  const element = declared && !isPlainArray(declared) ? elementOf(declared) : undefined;
  if (declared && !isPlainArray(declared) && !element) return undefined;

  const s = semi(style);
  const i = uniqueName(namesIn(combinator), 'i');
  const items = stable ? textOf(sf, receiver) : uniqueName(used, 'items');
  const start = combinator.getStart(sf);
  const recvStart = receiver.getStart(sf) - start;
  const recvEnd = receiver.end - start;
  const written = textOf(sf, combinator);
  const chunked = `${written.slice(0, recvStart)}${items}.slice(${i}, ${i} + ${n})${written.slice(recvEnd)}`;
  const inner = reindent(chunked, style.indent, style.eol, hasMultilineTemplate(combinator));

  const lines: string[] = [];
  if (!stable) lines.push(`const ${items} = ${textOf(sf, skipParens(receiver))}${s}`);
  let results: string | undefined;
  let after: string | undefined;
  if (form.kind === 'assign') {
    const flags = form.statement.declarationList.flags;
    // The declaration that keeps the name keeps the statement's modifiers (`export const checked = …`).
    const modifiers = (form.statement.modifiers ?? []).map((m) => `${textOf(sf, m)} `).join('');
    const keyword = `${modifiers}${flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var'}`;
    if (declared && element) {
      results = uniqueName(used, 'results');
      lines.push(`const ${results}: Array<${textOf(sf, element)}> = []${s}`);
      after = `${keyword} ${form.decl.name.text}: ${textOf(sf, declared)} = ${results}${s}`;
    } else {
      results = form.decl.name.text;
      lines.push(`${keyword} ${results}${declared ? `: ${textOf(sf, declared)}` : ''} = []${s}`);
    }
  } else if (form.kind === 'return') {
    results = uniqueName(used, 'results');
    lines.push(`const ${results} = []${s}`);
  }
  lines.push(`for (let ${i} = 0; ${i} < ${items}.length; ${i} += ${n}) {`);
  lines.push(results === undefined ? `${style.indent}await ${inner}${s}` : `${style.indent}${results}.push(...(await ${inner}))${s}`);
  lines.push('}');
  if (form.kind === 'return') lines.push(`return ${results}${s}`);
  if (after) lines.push(after);
  const indent = lineIndent(sf.text, form.statement.getStart(sf));
  const edit: TextEdit = { span: { start: form.statement.getStart(sf), end: form.statement.end }, newText: lines.join(style.eol + indent) };
  return {
    title: `Await \`${collection}\` in chunks of ${n}, one chunk at a time (${n} is a placeholder: choose N)`,
    safety: 'suggestion',
    edits: [edit],
  };
}

/** Where the awaited combinator stands: a statement of its own, a variable's value, or the value returned by an async function. */
function formOf(combinator: ts.CallExpression): Form | undefined {
  let node: ts.Node = combinator;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  let awaited = false;
  if (ts.isAwaitExpression(node.parent)) {
    awaited = true;
    node = node.parent;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  }
  const p = node.parent;
  if (awaited && ts.isExpressionStatement(p)) return { kind: 'statement', statement: p };
  if (awaited && ts.isVariableDeclaration(p) && p.initializer === node && ts.isIdentifier(p.name)) {
    const list = p.parent;
    if (ts.isVariableDeclarationList(list) && list.declarations.length === 1 && ts.isVariableStatement(list.parent)) {
      return { kind: 'assign', statement: list.parent, decl: p as ts.VariableDeclaration & { name: ts.Identifier } };
    }
  }
  if (ts.isReturnStatement(p)) {
    // `return Promise.all(…)` without `await` in an async function resolves to the same array.
    const fn = enclosingFunction(p);
    if (fn && isAsyncFunction(fn)) return { kind: 'return', statement: p };
  }
  return undefined;
}

/** `T[]` or `Array<T>`: an annotation the loop can push into. */
function isPlainArray(type: ts.TypeNode): boolean {
  return ts.isArrayTypeNode(type) || (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'Array' && type.typeArguments?.length === 1);
}

/**
 * The element type of an annotation that an array of it can be assigned to but that has no `push`:
 * `ReadonlyArray<T>`, `readonly T[]`, `Readonly<T[]>`, `Iterable<T>`. Undefined for any other type
 * (a tuple, a union, an alias the file does not spell out), which the loop does not rewrite.
 */
function elementOf(type: ts.TypeNode): ts.TypeNode | undefined {
  if (ts.isParenthesizedTypeNode(type)) return elementOf(type.type);
  if (ts.isTypeOperatorNode(type) && type.operator === ts.SyntaxKind.ReadonlyKeyword) return plainElement(type.type);
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName) || type.typeArguments?.length !== 1) return undefined;
  const arg = type.typeArguments[0]!;
  const name = type.typeName.text;
  if (name === 'ReadonlyArray' || name === 'Iterable') return arg;
  if (name === 'Readonly') return plainElement(arg);
  return undefined;
}

function plainElement(type: ts.TypeNode): ts.TypeNode | undefined {
  if (ts.isArrayTypeNode(type)) return type.elementType;
  return isPlainArray(type) ? (type as ts.TypeReferenceNode).typeArguments![0] : undefined;
}

/** The identifiers under a node, member names aside (file-wide names come from `identifierNames`). */
function namesIn(node: ts.Node): ReadonlySet<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    const p = n.parent;
    const member = p && (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p)) && p.name === n;
    if (ts.isIdentifier(n) && !member) names.add(n.text);
    n.forEachChild(visit);
  };
  visit(node);
  return names;
}

/** A receiver read again on every chunk must give the same array: a name or a chain of property names. */
function isStable(e: ts.Expression): boolean {
  if (ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword) return true;
  return ts.isPropertyAccessExpression(e) && !e.questionDotToken && ts.isIdentifier(e.name) && isStable(e.expression);
}

function isBlockLike(n: ts.Node): boolean {
  return ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n) || ts.isModuleBlock(n);
}

/**
 * The results array is typed by what is pushed into it (TypeScript's evolving `[]`), which a closure
 * cannot see: a later read of the name inside a function would be an implicit `any[]`.
 */
function capturedLater(statement: ts.Statement, name: string): boolean {
  const block = statement.parent;
  let found = false;
  const visit = (n: ts.Node, inFunction: boolean): void => {
    if (found) return;
    if (inFunction && ts.isIdentifier(n) && n.text === name) found = true;
    n.forEachChild((c) => visit(c, inFunction || isFunctionNode(c)));
  };
  for (const st of (block as ts.Block).statements ?? []) if (st.pos >= statement.end) visit(st, isFunctionNode(st));
  return found;
}

/** Lines after the first move one level in, as the code moves into the loop; not when that would change a template literal's text. */
function reindent(text: string, indent: string, eol: string, keep: boolean): string {
  if (keep) return text;
  return text.split(/\r?\n/).map((line, k) => (k === 0 || line.length === 0 ? line : indent + line)).join(eol);
}

function hasMultilineTemplate(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if ((ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n)) && /\n/.test(n.getText())) found = true;
    else n.forEachChild(visit);
  };
  visit(node);
  return found;
}
