/**
 * The one walk over a file: it records every function, call, yield point, binding, loop and
 * comment the model needs, in a single `ts.forEachChild` traversal driven by an explicit stack
 * (so 10,000-deep trees cannot overflow the call stack). Resolution and the model's derived facts
 * (contexts, held regions, channels) are computed afterwards from these records, in build.ts.
 */
import ts from 'typescript';
import type { Span } from '../../engine/model';
import { indirectCallee, isAsyncFunction, isFunctionLike, nameText, normalisedText, outerParent, skipTrivia, T, unwrap, withScanner } from './ast';
import { HANDLER_DECORATORS, INLINE_METHODS, WORKER_MARKERS } from './catalog';
import { commentScanner } from './comments';
import { classInfo, declareImport, declareVariable } from './declarations';
import type { RawCall, RawFunction, WalkResult } from './records';
import { declare, lookup, moduleName, newScope, requiredModule, type ClassInfo, type Scope } from './resolve';

export type { RawCall, RawFunction, RawYield, WalkResult } from './records';

interface Frame {
  readonly fnId: number | undefined;
  readonly scope: Scope;
  loopDepth: number;
  readonly loops: ts.Node[];
}

// `ts.X` is a getter on TypeScript's module object: hot paths read these module constants instead.
const SK = ts.SyntaxKind;
const K_ArrowFunction = SK.ArrowFunction;
const K_AwaitExpression = SK.AwaitExpression;
const K_BinaryExpression = SK.BinaryExpression;
const K_CallExpression = SK.CallExpression;
const K_ClassDeclaration = SK.ClassDeclaration;
const K_ClassExpression = SK.ClassExpression;
const K_Constructor = SK.Constructor;
const K_DoStatement = SK.DoStatement;
const K_EqualsToken = SK.EqualsToken;
const K_ForInStatement = SK.ForInStatement;
const K_ForOfStatement = SK.ForOfStatement;
const K_ForStatement = SK.ForStatement;
const K_FunctionDeclaration = SK.FunctionDeclaration;
const K_FunctionExpression = SK.FunctionExpression;
const K_GetAccessor = SK.GetAccessor;
const K_ImportDeclaration = SK.ImportDeclaration;
const K_ImportEqualsDeclaration = SK.ImportEqualsDeclaration;
const K_JsxText = SK.JsxText;
const K_MethodDeclaration = SK.MethodDeclaration;
const K_NewExpression = SK.NewExpression;
const K_Decorator = SK.Decorator;
const K_Parameter = SK.Parameter;
const K_PropertyAccessExpression = SK.PropertyAccessExpression;
const K_ReturnStatement = SK.ReturnStatement;
const K_SetAccessor = SK.SetAccessor;
const K_StringLiteral = SK.StringLiteral;
const K_ThisKeyword = SK.ThisKeyword;
const K_ThrowStatement = SK.ThrowStatement;
const K_VariableDeclaration = SK.VariableDeclaration;
const K_WhileStatement = SK.WhileStatement;
const K_YieldExpression = SK.YieldExpression;
const forEachChild = T.forEachChild;

/** Nesting depth past which the walk continues with an explicit stack (see `child` in `walk`). */
const MAX_RECURSION = 500;

const EXIT = 1;
const LOOP_PART = 2;
const FN_FRAME = 4;
const CLASS_FRAME = 8;
/** The last child of its parent: the gap after it (before a closing `}` or `)`) can hold comments. */
const LAST_CHILD = 16;

/** Kinds `enter` handles; everything else takes the fast path. */
const HANDLED = new Uint8Array(SK.Count + 1);
for (const k of [
  K_FunctionDeclaration, K_FunctionExpression, K_ArrowFunction, K_MethodDeclaration, K_Constructor, K_GetAccessor, K_SetAccessor,
  K_ClassDeclaration, K_ClassExpression, K_CallExpression, K_NewExpression, K_AwaitExpression, K_YieldExpression, K_ForOfStatement,
  K_VariableDeclaration, K_ImportDeclaration, K_ImportEqualsDeclaration, K_Parameter, K_BinaryExpression, K_ReturnStatement,
  K_ThrowStatement, K_StringLiteral, K_JsxText,
]) HANDLED[k] = 1;
/**
 * Kinds the walk does not descend into: type-only syntax, which the model never reads (annotations,
 * interfaces, type aliases; what resolution needs of a declared type it reads from the type node
 * itself). The comments inside them are still collected, by a scan of their text.
 */
const TYPE_ONLY = new Uint8Array(SK.Count + 1);
for (let k = SK.FirstTypeNode; k <= SK.LastTypeNode; k++) TYPE_ONLY[k] = 1;
TYPE_ONLY[SK.InterfaceDeclaration] = 1;
TYPE_ONLY[SK.TypeAliasDeclaration] = 1;
/**
 * Tokens, identifiers and literals: nodes without children, which `enter` does nothing for (but a
 * `'drain'` string, which `child` records itself, and JSX text). `child` handles them on its own.
 */
const LEAF = new Uint8Array(SK.Count + 1);
for (let k = 0; k <= SK.LastToken; k++) LEAF[k] = 1;
LEAF[K_JsxText] = 0;
LEAF[SK.JsxTextAllWhiteSpaces] = 0;
const LOOPS = new Uint8Array(SK.Count + 1);
for (const k of [K_ForStatement, K_ForInStatement, K_ForOfStatement, K_WhileStatement, K_DoStatement]) LOOPS[k] = 1;

/** Walks `sf` once and returns its records. */
export function walk(sf: ts.SourceFile): WalkResult {
  const text = sf.text;
  const out: WalkResult = { functions: [], calls: [], yields: [], exits: [], drains: [], comments: [], workerFile: false, fnIdByNode: new Map(), callIdByNode: new Map() };
  let workerFile = false;
  const callIdByNode = out.callIdByNode;
  const jsxText: Span[] = [];
  const scanComments = commentScanner(text, out.comments);
  const moduleScope = newScope(undefined, undefined);
  const frames: Frame[] = [{ fnId: undefined, scope: moduleScope, loopDepth: 0, loops: [] }];
  const classes: ClassInfo[] = [];
  let frame = frames[0]!;

  const start = (n: ts.Node): number => skipTrivia(text, n.pos);
  /** The first `/` at or after the last position looked from (see `beforeNode`); -1 before any search. */
  let nextSlash = -1;

  // Recursive descent, which V8 runs much faster than an explicit stack; a subtree deeper than
  // MAX_RECURSION (a generated chain `a.b.c…` or `x + x + …` thousands deep, which the parser builds
  // without recursing) is walked with an explicit stack instead, so no tree can overflow the call
  // stack. Both visit nodes in the same order with the same `enter`/`leave`.
  // The tree is parsed without parent pointers (TypeScript would set them in a walk of its own):
  // this walk sets each one before the child is entered.
  let parent: ts.Node = sf;
  let lastChild: ts.Node | undefined;
  let depth = 0;
  const child = (c: ts.Node): undefined => {
    const p = parent;
    (c as { parent: ts.Node }).parent = p;
    const kind = c.kind;
    if (LEAF[kind] === 1) {
      // What `visit` does for a node without children: the comments before it, a `'drain'` string.
      const pos = c.pos;
      const c0 = text.charCodeAt(pos);
      if (c0 === 32 || c0 === 10 || c0 === 13 || c0 === 9 || c0 === 47) scanComments(pos);
      if (kind === K_StringLiteral && (c as ts.StringLiteral).text === 'drain') out.drains.push(c.end);
      lastChild = c;
      return undefined;
    }
    const f = LOOPS[p.kind] === 1 && isRepeatedPart(p, c) ? LOOP_PART : 0;
    if (depth < MAX_RECURSION) visit(c, f);
    else walkIterative(c, f);
    lastChild = c;
    return undefined;
  };
  visit(sf, 0);

  const filtered = jsxText.length === 0 ? out.comments : out.comments.filter((c) => !jsxText.some((j) => j.start <= c.span.start && c.span.start < j.end));
  filtered.sort((a, b) => a.span.start - b.span.start);
  return { ...out, comments: filtered, workerFile };

  /**
   * Comments in the gaps before a node and, for a property access, before its `.name`; whether the
   * node is type-only syntax, whose comments are collected by a scan of its text (true: skip it).
   */
  function beforeNode(node: ts.Node, flag: number): boolean {
    // Comments sit in the gaps between tokens: before each node, and after the last child of each node.
    // Most nodes start right at a token (after `.` or `(`): only a gap that opens with trivia is scanned.
    const pos = node.pos;
    const c0 = text.charCodeAt(pos);
    if (c0 === 32 || c0 === 10 || c0 === 13 || c0 === 9 || c0 === 47) scanComments(pos);
    const kind = node.kind;
    // A chained call's lines: the gap before `.name` belongs to no node (`fs // why\n  .readFileSync()`).
    if (kind === K_PropertyAccessExpression) {
      const end = (node as ts.PropertyAccessExpression).expression.end;
      const c1 = text.charCodeAt(end);
      if (c1 === 32 || c1 === 10 || c1 === 13 || c1 === 9 || c1 === 47) scanComments(end);
    }
    if (TYPE_ONLY[kind] === 1 && !(flag & LOOP_PART)) {
      // A comment needs a `/`: type syntax without one is not read character by character. The next
      // `/` is found once and kept (nodes come in order of position), so the search stays linear.
      if (nextSlash < pos) {
        nextSlash = text.indexOf('/', pos);
        if (nextSlash < 0) nextSlash = text.length;
      }
      if (nextSlash < node.end) commentsIn(text, pos, node.end, scanComments);
      return true;
    }
    return false;
  }

  function visit(node: ts.Node, flag: number): void {
    if (beforeNode(node, flag)) return;
    // Most nodes are of a kind `enter` ignores, outside a loop's repeated part: no call for them.
    const exitFlags = flag !== 0 || HANDLED[node.kind] === 1 ? enter(node, flag) : 0;
    const outerParent = parent;
    const outerLast = lastChild;
    parent = node;
    lastChild = undefined;
    depth++;
    forEachChild(node, child);
    depth--;
    // The gap after the last child, before a closing `}` or `)`, can hold comments: only one that
    // opens with trivia or a `/` (as in `child`) is scanned.
    const last = lastChild as ts.Node | undefined;
    if (last !== undefined) {
      const end = last.end;
      const c0 = text.charCodeAt(end);
      if (c0 === 32 || c0 === 10 || c0 === 13 || c0 === 9 || c0 === 47) scanComments(end);
    }
    parent = outerParent;
    lastChild = outerLast;
    if (exitFlags) leave(exitFlags);
  }

  /** The same walk of the subtree at `root` with an explicit stack (see `child`). */
  function walkIterative(root: ts.Node, rootFlag: number): void {
    const nodes: ts.Node[] = [root];
    const flags: number[] = [rootFlag];
    let current: ts.Node = root;
    const collect = (c: ts.Node): void => {
      (c as { parent: ts.Node }).parent = current;
      nodes.push(c);
    };
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      const flag = flags.pop()!;
      if (flag & EXIT) {
        leave(flag);
        continue;
      }
      if (flag & LAST_CHILD) scanComments(node.end);
      if (beforeNode(node, flag)) continue;
      const exitFlags = enter(node, flag);
      if (exitFlags) {
        nodes.push(node);
        flags.push(EXIT | exitFlags);
      }
      // Children are pushed in source order, then that stretch of the stack is reversed so they pop in order.
      const base = nodes.length;
      current = node;
      forEachChild(node, collect);
      const top = nodes.length;
      for (let i = base; i < top; i++) flags.push(0);
      for (let i = base, j = top - 1; i < j; i++, j--) {
        const t = nodes[i]!;
        nodes[i] = nodes[j]!;
        nodes[j] = t;
      }
      if (top > base) flags[base] = LAST_CHILD;
      if (LOOPS[node.kind] === 1) for (let i = base; i < top; i++) if (isRepeatedPart(node, nodes[i]!)) flags[i]! |= LOOP_PART;
    }
  }

  /** Handles a node on the way down; returns the flags its exit needs (0 for none). */
  function enter(node: ts.Node, flag: number): number {
    let exitFlags = 0;
    if (flag & LOOP_PART) {
      frame.loopDepth++;
      frame.loops.push(node.parent);
      exitFlags = LOOP_PART;
    }
    if (HANDLED[node.kind] === 0) return exitFlags;
    switch (node.kind) {
      case K_FunctionDeclaration:
      case K_FunctionExpression:
      case K_ArrowFunction:
      case K_MethodDeclaration:
      case K_Constructor:
      case K_GetAccessor:
      case K_SetAccessor:
        if ((node as ts.FunctionLikeDeclaration).body === undefined) return exitFlags;
        enterFunction(node as ts.FunctionLikeDeclaration);
        return exitFlags | FN_FRAME;
      case K_ClassDeclaration:
      case K_ClassExpression:
        classes.push(classInfo(node as ts.ClassLikeDeclaration, frame.scope));
        return exitFlags | CLASS_FRAME;
      case K_CallExpression:
      case K_NewExpression:
        recordCall(node as ts.CallExpression | ts.NewExpression);
        break;
      case K_AwaitExpression: {
        const s = start(node);
        const operand = (node as ts.AwaitExpression).expression;
        out.yields.push({ kind: 'await', span: { start: s, end: node.end }, keywordSpan: { start: s, end: s + 5 }, functionId: frame.fnId, operand: { start: operand.pos, end: operand.end }, firstCall: out.calls.length });
        break;
      }
      case K_YieldExpression: {
        const s = start(node);
        const operand = (node as ts.YieldExpression).expression;
        out.yields.push({ kind: 'yield', span: { start: s, end: node.end }, keywordSpan: { start: s, end: s + 5 }, functionId: frame.fnId, operand: operand ? { start: operand.pos, end: operand.end } : { start: node.end, end: node.end }, firstCall: out.calls.length });
        break;
      }
      case K_ForOfStatement: {
        const fo = node as ts.ForOfStatement;
        if (!fo.awaitModifier) break;
        const s = start(node);
        const close = skipTrivia(text, fo.expression.end);
        out.yields.push({ kind: 'for-await', span: { start: s, end: Math.min(close + 1, node.end) }, keywordSpan: { start: s, end: fo.awaitModifier.end }, functionId: frame.fnId, operand: { start: fo.expression.pos, end: fo.expression.end }, firstCall: out.calls.length });
        break;
      }
      case K_VariableDeclaration:
        if (declareVariable(node as ts.VariableDeclaration, frame.scope)) workerFile = true;
        break;
      case K_ImportDeclaration:
        if (declareImport(node as ts.ImportDeclaration, frame.scope)) workerFile = true;
        break;
      case K_ImportEqualsDeclaration: {
        const ie = node as ts.ImportEqualsDeclaration;
        if (T.isExternalModuleReference(ie.moduleReference) && T.isStringLiteralLike(ie.moduleReference.expression)) {
          declare(frame.scope, ie.name.text, { k: 'value', path: moduleName(ie.moduleReference.expression.text) });
        }
        break;
      }
      case K_Parameter: {
        const p = node as ts.ParameterDeclaration;
        if (!T.isIdentifier(p.name)) break;
        const binding = p.type ? { k: 'type' as const, node: p.type, scope: frame.scope } : { k: 'opaque' as const };
        declare(frame.scope, p.name.text, binding);
        // Constructor parameter properties (`constructor(private db: Database)`) are fields too.
        const cls = frame.scope.cls;
        if (cls && T.isConstructorDeclaration(p.parent) && T.getModifiers(p)?.length) cls.fields.set(p.name.text, binding);
        break;
      }
      case K_BinaryExpression: {
        const be = node as ts.BinaryExpression;
        if (be.operatorToken.kind !== K_EqualsToken) break;
        const left = be.left;
        if (T.isPropertyAccessExpression(left) && left.expression.kind === K_ThisKeyword && frame.scope.cls) {
          const cls = frame.scope.cls;
          const field = cls.fields.get(left.name.text);
          if (field?.k === 'var') field.exprs.push(be.right);
          else if (!field) cls.fields.set(left.name.text, { k: 'var', exprs: [be.right], scope: frame.scope });
          if (isFunctionLike(unwrap(be.right))) cls.methods.set(left.name.text, unwrap(be.right));
        } else if (T.isIdentifier(left)) {
          // `let log; … log = fs.createWriteStream(…)`: later assignments type the variable too.
          const b = lookup(left.text, frame.scope);
          if (b?.k === 'var') b.exprs.push(be.right);
        }
        break;
      }
      case K_ReturnStatement:
      case K_ThrowStatement:
        out.exits.push({ pos: node.end, functionId: frame.fnId });
        break;
      case K_StringLiteral:
        if ((node as ts.StringLiteral).text === 'drain') out.drains.push(node.end);
        break;
      case K_JsxText:
        jsxText.push({ start: node.pos, end: node.end });
        break;
    }
    return exitFlags;
  }

  function leave(flag: number): void {
    if (flag & CLASS_FRAME) classes.pop();
    if (flag & FN_FRAME) {
      frames.pop();
      frame = frames[frames.length - 1]!;
    }
    if (flag & LOOP_PART) {
      frame.loopDepth--;
      frame.loops.pop();
    }
  }

  function enterFunction(node: ts.FunctionLikeDeclaration): void {
    const id = out.functions.length;
    const parentNode = outerParent(node);
    let cls: ClassInfo | undefined;
    const inClass = classes[classes.length - 1];
    if (inClass && (node.parent === inClass.node || (T.isPropertyDeclaration(node.parent) && node.parent.parent === inClass.node))) cls = inClass;
    else if (T.isArrowFunction(node)) cls = frame.scope.cls;
    const scope = newScope(frame.scope, cls);
    if (T.isFunctionDeclaration(node) && node.name) declare(frame.scope, node.name.text, { k: 'fn', node });
    // A named function expression can call itself by name.
    if (T.isFunctionExpression(node) && node.name) declare(scope, node.name.text, { k: 'fn', node });
    const { name, nameNode } = functionName(node, parentNode);
    let host: RawFunction['host'];
    let iife = false;
    if (parentNode && (T.isCallExpression(parentNode) || T.isNewExpression(parentNode))) {
      const callId = callIdByNode.get(parentNode);
      const arg = parentNode.arguments?.findIndex((a) => unwrap(a) === node) ?? -1;
      if (callId !== undefined && arg >= 0) host = { call: callId, arg };
      else if (T.isCallExpression(parentNode) && unwrap(parentNode.expression) === node) iife = true;
    } else if (parentNode && (T.isPropertyAssignment(parentNode) || T.isMethodDeclaration(node)) && name !== undefined) {
      const obj = T.isMethodDeclaration(node) ? node.parent : parentNode.parent;
      const objParent = obj && T.isObjectLiteralExpression(obj) ? outerParent(obj) : undefined;
      if (objParent && (T.isCallExpression(objParent) || T.isNewExpression(objParent))) {
        const callId = callIdByNode.get(objParent);
        const arg = objParent.arguments?.findIndex((a) => unwrap(a) === obj) ?? -1;
        if (callId !== undefined && arg >= 0) host = { call: callId, arg, key: name };
      }
    }
    const s = start(node);
    out.functions.push({
      id,
      node,
      name,
      nameSpan: T.isConstructorDeclaration(node) ? constructorFirstToken(node, text) : nameNode ? { start: start(nameNode), end: nameNode.end } : undefined,
      span: { start: s, end: node.end },
      parent: frame.fnId,
      isAsync: isAsyncFunction(node),
      host,
      iife,
      decorator: T.isMethodDeclaration(node) ? handlerDecorator(node) : undefined,
      scope,
    });
    out.fnIdByNode.set(node, id);
    // The callback of `items.forEach(…)`/`.map(…)` runs once per item: its body is a loop body.
    const iterates = host !== undefined && !host.key && INLINE_METHODS.has(out.calls[host.call]!.member) && !out.calls[host.call]!.isNew;
    frame = { fnId: id, scope, loopDepth: iterates ? 1 : 0, loops: iterates ? [parentNode!] : [] };
    frames.push(frame);
  }

  function recordCall(node: ts.CallExpression | ts.NewExpression): void {
    const id = out.calls.length;
    callIdByNode.set(node, id);
    const written = node.expression;
    // `(0, fs_1.readFileSync)(…)` (tsc's and Babel's CommonJS output) is named and placed as a call of `fs_1.readFileSync`.
    const indirect = T.isCallExpression(node) ? indirectCallee(written) : undefined;
    const callee = indirect ?? written;
    const s = start(node);
    const calleeStart = T.isNewExpression(node) || indirect ? start(callee) : s;
    const afterCallee = node.typeArguments?.end ?? (T.isCallExpression(node) ? node.questionDotToken?.end : undefined) ?? written.end;
    const open = node.arguments ? skipTrivia(text, afterCallee) : node.end;
    const u = unwrap(callee);
    const member = T.isPropertyAccessExpression(u)
      ? u.name.text
      : T.isIdentifier(u)
        ? u.text
        : T.isElementAccessExpression(u) && T.isStringLiteralLike(u.argumentExpression)
          ? u.argumentExpression.text
          : '';
    const parent = outerParent(node);
    const usage: RawCall['usage'] = !parent
      ? 'other'
      : T.isAwaitExpression(parent)
        ? 'awaited'
        : T.isExpressionStatement(parent)
          ? 'dropped'
          : T.isReturnStatement(parent) || T.isArrowFunction(parent)
            ? 'returned'
            : T.isVariableDeclaration(parent) || T.isPropertyDeclaration(parent) || (T.isBinaryExpression(parent) && parent.operatorToken.kind === K_EqualsToken)
              ? 'stored'
              : (T.isCallExpression(parent) || T.isNewExpression(parent)) && parent.expression !== node
                ? 'passed'
                : 'other';
    out.calls.push({
      id,
      node,
      isNew: T.isNewExpression(node),
      span: { start: s, end: node.end },
      calleeSpan: { start: calleeStart, end: callee.end },
      argsSpan: { start: open, end: node.end },
      calleeText: normalisedText(text, calleeStart, callee.end),
      member,
      functionId: frame.fnId,
      awaited: usage === 'awaited',
      inLoop: frame.loopDepth > 0,
      resultUnused: usage === 'dropped',
      argCount: node.arguments?.length ?? 0,
      scope: frame.scope,
      loop: frame.loops[frame.loops.length - 1],
      usage,
      callee: undefined,
      localTarget: undefined,
    });
    const mod = requiredModule(node);
    if (mod !== undefined && moduleName(mod) === 'worker_threads' && parent && T.isPropertyAccessExpression(parent) && WORKER_MARKERS.has(parent.name.text)) workerFile = true;
  }

}

/**
 * Calls `scan` at every comment that starts in `text[start, end)`, a stretch of type syntax: outside
 * comments it holds only tokens, string literals and template literal types (whose `${…}` parts are
 * types again), so a comment is a `//` or `/*` outside a string.
 */
function commentsIn(text: string, start: number, end: number, scan: (pos: number) => void): void {
  // For each open template literal, the brace depth at which its `${` began.
  const templates: number[] = [];
  let depth = 0;
  let inTemplate = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inTemplate) {
      if (c === 92) i++;
      else if (c === 96) {
        inTemplate = false;
        templates.pop();
      } else if (c === 36 && text.charCodeAt(i + 1) === 123) {
        inTemplate = false;
        i++;
        depth++;
      }
      continue;
    }
    if (c === 47) {
      const n = text.charCodeAt(i + 1);
      if (n === 47) {
        scan(i);
        while (i < end && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      } else if (n === 42) {
        scan(i);
        const close = text.indexOf('*/', i + 2);
        i = close < 0 ? end : close + 1;
      }
    } else if (c === 39 || c === 34) {
      for (i++; i < end; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === c || d === 10) break;
      }
    } else if (c === 96) {
      templates.push(depth);
      inTemplate = true;
    } else if (c === 123) depth++;
    else if (c === 125) {
      depth--;
      // The `}` that closes a `${` resumes its template.
      if (templates.length > 0 && templates[templates.length - 1] === depth) inTemplate = true;
    }
  }
}

function functionName(node: ts.FunctionLikeDeclaration, parent: ts.Node | undefined): { name: string | undefined; nameNode: ts.Node | undefined } {
  // A constructor's name span is its first token (constructorFirstToken), read in enterFunction.
  if (T.isConstructorDeclaration(node)) return { name: 'constructor', nameNode: undefined };
  if (node.name) return { name: nameText(node.name), nameNode: node.name };
  if (!parent) return { name: undefined, nameNode: undefined };
  if ((T.isVariableDeclaration(parent) || T.isPropertyAssignment(parent) || T.isPropertyDeclaration(parent)) && parent.initializer && unwrap(parent.initializer) === node) {
    return { name: nameText(parent.name), nameNode: parent.name };
  }
  if (T.isBinaryExpression(parent) && parent.operatorToken.kind === K_EqualsToken && unwrap(parent.right) === node) {
    const left = parent.left;
    if (T.isIdentifier(left)) return { name: left.text, nameNode: left };
    if (T.isPropertyAccessExpression(left)) return { name: left.name.text, nameNode: left.name };
  }
  return { name: undefined, nameNode: undefined };
}

/**
 * The span of a constructor's first token, as `getFirstToken()` gives it (its first modifier, a
 * decorator's `@`, else the `constructor` keyword or the string naming it), without building the
 * node's child list: TypeScript caches that list in a module-wide weak map keyed by the source
 * file, and (measured) that map kept the young part of each tree with a constructor alive through
 * the next scavenges, which copied and promoted it.
 */
function constructorFirstToken(node: ts.ConstructorDeclaration, text: string): Span {
  const first = node.modifiers?.[0];
  if (first) {
    const s = skipTrivia(text, first.pos);
    return { start: s, end: first.kind === K_Decorator ? s + 1 : first.end };
  }
  const s = skipTrivia(text, node.pos);
  return withScanner(true, text, s, (scanner) => {
    scanner.scan();
    return { start: s, end: scanner.getTokenEnd() };
  });
}

/** The name of a handler decorator on a method (`@Get('/x')` → `Get`), if it has one. */
function handlerDecorator(node: ts.MethodDeclaration): string | undefined {
  const mods = node.modifiers;
  if (!mods) return undefined;
  for (const m of mods) {
    if (!T.isDecorator(m)) continue;
    const e = T.isCallExpression(m.expression) ? m.expression.expression : m.expression;
    const name = T.isIdentifier(e) ? e.text : T.isPropertyAccessExpression(e) ? e.name.text : undefined;
    if (name !== undefined && HANDLER_DECORATORS.has(name)) return name;
  }
  return undefined;
}

/** The parts of a loop that run on every iteration (not a `for` initializer or the iterable). */
function isRepeatedPart(loop: ts.Node, child: ts.Node): boolean {
  if (T.isForStatement(loop)) return child === loop.statement || child === loop.condition || child === loop.incrementor;
  if (T.isForInStatement(loop) || T.isForOfStatement(loop)) return child === loop.statement;
  return true;
}
