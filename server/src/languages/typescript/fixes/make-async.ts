import ts from 'typescript';
import type { TextEdit } from '../../../engine/finding';
import { enclosingFunction, isAsyncFunction, textOf, type FunctionNode } from './ast';

/** The result of making room for an `await`: edits (possibly none) and whether the function had to change. */
export type AsyncPlan = { readonly ok: true; readonly edits: TextEdit[]; readonly madeAsync: boolean; readonly fn: FunctionNode } | { readonly ok: false; readonly reason: string };

/** Array methods that call their callback inline and ignore (or misuse) a returned promise. */
const INLINE_ITERATORS = new Set(['forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'sort']);

function fnName(fn: FunctionNode): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
  if (ts.isMethodDeclaration(fn) && ts.isIdentifier(fn.name)) return fn.name.text;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  return undefined;
}

/** The name of the array method a callback is passed to (`forEach`), if it is one. */
function inlineIterator(fn: FunctionNode): string | undefined {
  const p = fn.parent;
  if (!p || !ts.isCallExpression(p) || !p.arguments.includes(fn as ts.Expression)) return undefined;
  const callee = p.expression;
  if (ts.isPropertyAccessExpression(callee) && INLINE_ITERATORS.has(callee.name.text)) return callee.name.text;
  return undefined;
}

/** True when other modules can call the function: an `export`ed declaration or a `module.exports` value. */
export function isExported(fn: FunctionNode): boolean {
  const exportedStatement = (n: ts.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  if (ts.isFunctionDeclaration(fn)) return exportedStatement(fn);
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p)) return exportedStatement(p.parent.parent);
  if (p && ts.isExportAssignment(p)) return true;
  if (p && ts.isBinaryExpression(p) && p.right === fn && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = p.left.getText();
    return target === 'module.exports' || target.startsWith('module.exports.') || target.startsWith('exports.');
  }
  return false;
}

/** True when the file calls the function by name and could use its (now promised) result. */
function calledDirectly(sf: ts.SourceFile, name: string, fn: FunctionNode): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || n === fn) return;
    if (ts.isCallExpression(n)) {
      const c = n.expression;
      const hit = (ts.isIdentifier(c) && c.text === name) || (ts.isPropertyAccessExpression(c) && c.name.text === name && c.expression.kind === ts.SyntaxKind.ThisKeyword);
      if (hit && !(n.parent && ts.isAwaitExpression(n.parent))) found = true;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}

/** Where `async` goes: after decorators and modifiers, before `function`, the method name, or the arrow's parameters. */
function asyncInsertAt(sf: ts.SourceFile, fn: FunctionNode): number {
  const mods = ts.canHaveModifiers(fn) || ts.canHaveDecorators(fn) ? fn.modifiers : undefined;
  const last = mods?.[mods.length - 1];
  if (!last) return fn.getStart(sf);
  const next = fn.getChildren(sf).find((c) => c.pos >= last.end);
  return next ? next.getStart(sf) : fn.getStart(sf);
}

/**
 * Ensures `node` sits in an async function, adding `async` (and wrapping a declared return type in
 * `Promise<…>`) when it is not one. Refuses where an async function would change behaviour: getters,
 * setters, constructors, generators, array callbacks whose promise nobody awaits, exported functions
 * (unless the frontend knows them as framework handlers, `handlerEnds` holding their end offsets) and
 * functions called directly elsewhere in the file.
 */
export function ensureAsync(sf: ts.SourceFile, node: ts.Node, handlerEnds: ReadonlySet<number> = new Set()): AsyncPlan {
  const fn = enclosingFunction(node);
  if (!fn) return { ok: false, reason: 'the call is at module level, where `await` needs an ES module with top-level await' };
  for (let n: ts.Node | undefined = node.parent; n && n !== fn; n = n.parent) {
    // `await` is not allowed in a parameter default or a class field initializer, even in an async function.
    if (ts.isParameter(n)) return { ok: false, reason: 'the call is in a parameter default, where `await` is not allowed' };
    if (ts.isPropertyDeclaration(n) || ts.isClassStaticBlockDeclaration(n)) return { ok: false, reason: 'the call is in a class field initializer, where `await` is not allowed' };
  }
  if (isAsyncFunction(fn)) return { ok: true, edits: [], madeAsync: false, fn };
  const name = fnName(fn) ?? 'the enclosing function';
  if (ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return { ok: false, reason: `\`${name}\` is an accessor, which cannot be async` };
  if (ts.isConstructorDeclaration(fn)) return { ok: false, reason: 'a constructor cannot be async: move the work to an async factory or `init()` method' };
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.asteriskToken) {
    return { ok: false, reason: `\`${name}\` is a generator; making it async changes how it is consumed` };
  }
  const p = fn.parent;
  if (p && ts.isNewExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === 'Promise') {
    return { ok: false, reason: 'the call runs in a `new Promise` executor, where an async function would lose its errors: await the async call instead of wrapping it' };
  }
  const iterator = inlineIterator(fn);
  if (iterator === 'forEach') {
    return { ok: false, reason: 'the call runs in a `forEach` callback, which does not wait for an async callback: rewrite the loop as `for … of` first' };
  }
  if (iterator) return { ok: false, reason: `the call runs in a \`${iterator}\` callback, which would receive promises instead of values if the callback were async` };
  const done = fn.parameters.find((p) => ts.isIdentifier(p.name) && (p.name.text === 'done' || p.name.text === 'cb' || p.name.text === 'callback'));
  if (done) {
    return { ok: false, reason: `the callback takes \`${(done.name as ts.Identifier).text}\`; frameworks such as Fastify reject a function that both returns a promise and takes a completion callback` };
  }
  const ownName = fnName(fn);
  // A framework handler (a Next.js route's default export) is called by the framework, which awaits it.
  if (isExported(fn) && !handlerEnds.has(fn.end)) return { ok: false, reason: `\`${ownName ?? 'the function'}\` is exported; making it async would hand its callers a promise` };
  if (ownName && calledDirectly(sf, ownName, fn)) return { ok: false, reason: `\`${ownName}\` is called directly elsewhere; making it async would hand its callers a promise` };
  return { ok: true, edits: asyncEdits(sf, fn), madeAsync: true, fn };
}

/** The edits that make a function async: `async` before it, and a declared return type wrapped in `Promise<…>`. */
export function asyncEdits(sf: ts.SourceFile, fn: FunctionNode): TextEdit[] {
  const at = asyncInsertAt(sf, fn);
  const edits: TextEdit[] = [{ span: { start: at, end: at }, newText: 'async ' }];
  if (fn.type && !(ts.isTypeReferenceNode(fn.type) && ts.isIdentifier(fn.type.typeName) && fn.type.typeName.text === 'Promise')) {
    edits.push({ span: { start: fn.type.getStart(sf), end: fn.type.end }, newText: `Promise<${textOf(sf, fn.type)}>` });
  }
  return edits;
}
