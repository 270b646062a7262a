/**
 * Fix for `await-holding-lock` in Python: a `threading.Lock` that only async code takes becomes an
 * `asyncio.Lock` (an `anyio.Lock` or a `trio.Lock` in a file on that library), and each `with lock:`
 * becomes `async with lock:` (a suggestion: waiters now yield
 * to the loop instead of blocking it, and the lock no longer protects anything from other threads).
 * Refused, with the reason, when the lock is also taken by sync code, passed elsewhere, created
 * outside the file, re-entrant (`RLock`: asyncio has no re-entrant lock), or taken with
 * `acquire()`/`release()`.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import type { SyntaxNode } from '../syntax';
import { enclosingFn } from '../builder';
import { addImport, pythonTree } from './util';


/** Fixes for an `await-holding-lock` finding. */
export function lockFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = pythonTree(parsed);
  const region = finding.data?.regionId === undefined ? undefined : parsed.model.heldRegions[finding.data.regionId];
  if (!tree || !region || region.kind !== 'blocking') return { fixes: [], refused: [] };
  const lib = tree.data.state.library;
  const asyncLock = `${lib}.Lock`;
  const title = `Use ${lib === 'trio' ? 'a' : 'an'} \`${asyncLock}\` taken with \`async with\``;
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title, reason }] });
  if (region.lockType !== 'threading.Lock') {
    return refuse(region.lockType === 'threading.RLock' ? `an \`RLock\` is re-entrant and \`${asyncLock}\` is not: check that no path takes it twice, then change it by hand` : `\`${region.lockType ?? 'this lock'}\` has no drop-in ${lib} equivalent`);
  }
  const { text, state } = { text: parsed.text, state: tree.data.state };
  const key = region.lockKey;
  // Every mention of the lock in the file: its construction, and `with` statements in async functions.
  const pattern = new RegExp(`(?<![\\w.])${key.replace(/[.[\]()]/g, (c) => `\\${c}`)}(?![\\w])`, 'g');
  const edits: TextEdit[] = [];
  let constructed = false;
  let elsewhere: string | undefined;
  const withs = new Map<SyntaxNode, SyntaxNode>();
  for (const w of state.withs) {
    const clause = w.children.find((c) => c.type === 'with_clause');
    for (const item of clause?.children ?? []) {
      const value = item.children[0];
      const expr = value?.type === 'as_pattern' ? value.children[0] : value;
      if (expr && text.slice(expr.start, expr.end).replace(/\s+/g, '') === key) withs.set(expr, w);
    }
  }
  for (const m of text.matchAll(pattern)) {
    const at = m.index;
    if (inComment(parsed, at)) continue;
    const withExpr = [...withs.keys()].find((e) => e.start === at);
    if (withExpr) {
      const w = withs.get(withExpr)!;
      if (/^async\b/.test(text.slice(w.start, w.start + 5))) return refuse('the lock is also taken with `async with`');
      if (!enclosingFn(state, w)?.isAsync) return refuse(`the lock is also taken by sync code (line ${line(text, w.start)}), where an \`${asyncLock}\` cannot be used`);
      if (w.children.find((c) => c.type === 'with_clause')!.children.length > 1) return refuse('the `with` statement also enters other context managers');
      edits.push({ span: { start: w.start, end: w.start }, newText: 'async ' });
      continue;
    }
    // `self._lock = threading.Lock()` / `_lock = threading.Lock()`.
    const rest = text.slice(at + m[0].length);
    const ctor = /^\s*(?::\s*[\w.]+\s*)?=\s*([\w.]+)\(\s*\)/.exec(rest);
    if (ctor && !constructed) {
      const call = parsed.model.calls.find((c) => c.span.start === at + m[0].length + ctor[0].lastIndexOf(`${ctor[1]!}(`) && c.callee === 'threading.Lock');
      if (call) {
        constructed = true;
        edits.push({ span: call.calleeSpan, newText: asyncLock });
        const ann = /^\s*:\s*([\w.]+)/.exec(rest);
        if (ann) {
          const start = at + m[0].length + ann[0].indexOf(ann[1]!);
          edits.push({ span: { start, end: start + ann[1]!.length }, newText: asyncLock });
        }
        continue;
      }
    }
    elsewhere ??= `the lock is used elsewhere (line ${line(text, at)}: \`${text.slice(at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)).trim()}\`), not only entered by \`with\` in async code`;
  }
  if (!constructed) return refuse('the lock is not created in this file, so its other users are not known');
  if (elsewhere !== undefined) return refuse(elsewhere);
  const imp = addImport(tree, text, lib);
  if (imp) edits.push(imp);
  return { fixes: [{ title, safety: 'suggestion', edits }], refused: [] };
}

function line(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function inComment(parsed: ParsedFile, offset: number): boolean {
  return parsed.model.comments.some((c) => c.span.start <= offset && offset < c.span.end);
}
