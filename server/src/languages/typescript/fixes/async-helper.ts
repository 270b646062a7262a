/**
 * "Make the helper async": for a call to a same-file sync helper whose blocking calls all have async
 * twins, the helper becomes async, its blocking calls are awaited twins, and every call of the
 * helper in the file is awaited. Offered only when every caller can await it.
 */
import ts from 'typescript';
import type { Fix, RefusedFix, TextEdit } from '../../../engine/finding';
import type { FixContext, ParsedFile } from '../../../engine/language';
import { spanContains } from '../../../engine/model';
import { enclosingFunction, isAsyncFunction, needsParensAsAwait, nodeAtSpan, spanOf } from './ast';
import { twinReplacement, type BuildInput } from './blocking';
import { asyncEdits, ensureAsync, isExported } from './make-async';
import { helperDeclaration, isReference } from './worker-closure';

type Result = { fix?: Fix; refused?: RefusedFix };

function nameOf(fn: ts.Node | undefined): string {
  if (!fn) return 'module level';
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return `\`${fn.name.text}\``;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return `\`${p.name.text}\``;
  return 'a callback';
}

/** Makes the helper `call` resolves to async and awaits it everywhere in the file. */
export function asyncHelperFix(input: BuildInput, parsed: ParsedFile, call: ts.CallExpression, ctx: FixContext): Result {
  if (!ts.isIdentifier(call.expression)) return {};
  const r = helperAsyncEdits(input, parsed, call.expression.text, ctx, call);
  if (!r) return {};
  if ('reason' in r) return { refused: { title: r.title, reason: r.reason } };
  return { fix: { title: r.title, safety: 'suggestion', edits: r.edits } };
}

type HelperEdits = { title: string; label: string; edits: TextEdit[] } | { title: string; reason: string };

/**
 * The edits that make the sync helper `name` async in its file, its blocking calls awaited twins and
 * every use of it in the file an awaited call. `call`: the call being fixed, when it is in this
 * file (it may make its own caller async, and the helper must not be exported, since callers in
 * other files would get a promise); absent when the call is in another file and the caller checks
 * the other files' calls itself (project/cross-file-fix.ts). `undefined`: no such helper.
 */
export function helperAsyncEdits(input: BuildInput, parsed: ParsedFile, name: string, ctx: FixContext, call?: ts.CallExpression): HelperEdits | undefined {
  const { sf } = input;
  const decl = helperDeclaration(sf, name);
  if (!decl) return undefined;
  const helper = decl.fn;
  const plan = input.imports.plan(input.style);
  const edits: TextEdit[] = [];
  const labels: string[] = [];
  // The blocking calls the helper makes itself (nested closures and other helpers are not rewritten).
  const helperSpan = spanOf(sf, helper);
  for (const site of parsed.model.calls) {
    if (site.callee === undefined || !spanContains(helperSpan, site.span)) continue;
    const entry = ctx.catalog.blocking.get(site.callee);
    if (!entry) continue;
    const title = `Make \`${name}\` async`;
    const node = nodeAtSpan(sf, site.span, ts.isCallExpression);
    if (!node) return undefined;
    if (enclosingFunction(node) !== helper) return { title, reason: `\`${site.calleeText}\` runs in a callback inside \`${name}\`, where an \`await\` would not hold up \`${name}\`` };
    const r = twinReplacement(input, plan, node, site.callee, entry);
    if (!r) return { title, reason: `\`${site.calleeText}\` has no async twin` };
    edits.push(r.edit);
    if (!labels.includes(r.label)) labels.push(r.label);
  }
  if (edits.length === 0) return { title: `Make \`${name}\` async`, reason: `the blocking call is in another helper that \`${name}\` calls: make that one async first` };
  const label = `\`${labels.join('`, `')}\``;
  const title = `Make \`${name}\` async and use ${label}`;
  if (call && isExported(helper)) return { title, reason: `\`${name}\` is exported; making it async would hand its other callers a promise` };
  edits.push(...asyncEdits(sf, helper));
  // Every use of the helper must be a call from code that can await it.
  const asyncAt = new Set<number>();
  let problem: string | undefined;
  const visit = (n: ts.Node): void => {
    if (problem || n === decl.node) return;
    if (ts.isIdentifier(n) && n.text === name && isReference(n)) {
      const use = n.parent;
      // `export { name }` and `module.exports = { name }` hand it to other files, whose calls the caller checks.
      // Any other object holding it (`export const api = { name }`) is a value whose calls nobody checks.
      if (!call && use && (ts.isExportSpecifier(use) || (ts.isShorthandPropertyAssignment(use) && isCommonJsExports(use.parent)))) return;
      if (!use || !ts.isCallExpression(use) || use.expression !== n) {
        problem = `\`${name}\` is used as a value, not only called`;
        return;
      }
      if (use.parent && ts.isAwaitExpression(use.parent)) return;
      const fn = enclosingFunction(use);
      if (use !== call && !(fn && isAsyncFunction(fn))) {
        problem = `\`${name}\` is also called from ${nameOf(fn)}, which is not async: offload it or make that caller async first`;
        return;
      }
      if (use === call) {
        const plan = ensureAsync(sf, use, input.handlerEnds);
        if (!plan.ok) {
          problem = plan.reason;
          return;
        }
        for (const e of plan.edits) if (!asyncAt.has(e.span.start)) {
          asyncAt.add(e.span.start);
          edits.push(e);
        }
      }
      const start = use.getStart(sf);
      if (needsParensAsAwait(use)) edits.push({ span: { start, end: start }, newText: '(await ' }, { span: { start: use.end, end: use.end }, newText: ')' });
      else edits.push({ span: { start, end: start }, newText: 'await ' });
      return;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  if (problem) return { title, reason: problem };
  return { title, label, edits: [...plan.edits(), ...edits] };
}

/** True for the object literal of `module.exports = { … }` or `exports = { … }`. */
function isCommonJsExports(object: ts.Node): boolean {
  const assign = object.parent;
  if (!assign || !ts.isBinaryExpression(assign) || assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken || assign.right !== object) return false;
  const target = assign.left.getText();
  return target === 'module.exports' || target === 'exports';
}
