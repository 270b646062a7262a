/**
 * Fix for `await-holding-lock`: release a `let`-bound guard with `drop(guard);` before the first
 * yield it is held across, when nothing after that point uses the guard; when something does, narrow
 * the region around the statement that awaits (lock-narrow.ts). Everything else (a temporary guard
 * whose scrutinee cannot be bound, a guard the awaiting statement reads, a re-acquisition) is
 * refused with the reason.
 */
import type { Finding } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { spanContains } from '../../../engine/model';
import { bindScrutineeFix } from './lock-let';
import { narrowFix, releaseBefore } from './lock-narrow';
import { nodeAt, rustTree, wholeLine } from './util';

const TITLE = 'Release the guard before the `.await`';

/** Fixes for an `await-holding-lock` finding: `drop(guard);` before the first yield it is held across. */
export function lockFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = rustTree(parsed);
  const model = parsed.model;
  const region = finding.data?.regionId === undefined ? undefined : model.heldRegions[finding.data.regionId];
  if (!tree || !region || finding.data?.yieldId === undefined) return { fixes: [], refused: [] };
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title: TITLE, reason }] });
  if (finding.data.variant === 'reacquire') return refuse('the lock is taken again while held: restructure so the inner code does not take it');
  const guard = region.guard;
  if (guard === undefined) {
    const bound = bindScrutineeFix(parsed.text, tree, region);
    if (bound) return { fixes: [bound], refused: [] };
    return refuse(`the guard of \`${region.lock}\` is a temporary that lives until the end of its statement, \`match\` or \`if let\`: bind what you need from it with \`let\` first, then \`.await\``);
  }
  const text = parsed.text;
  const acquire = nodeAt(tree.root, region.acquireSpan);
  const letNode = acquire?.parent?.type === 'match_expression' ? acquire.parent.parent : acquire?.parent;
  const block = letNode?.parent;
  if (!acquire || letNode?.type !== 'let_declaration' || !block) {
    return refuse(`\`${guard}\` is a reference into the guard of \`${region.lock}\`: dropping it would not release the lock; scope it in an inner block`);
  }
  const first = model.yieldPoints
    .filter((y) => y.context === region.context && spanContains(region.span, y.span) && y.span.start >= region.acquireSpan.end)
    .sort((a, b) => a.span.start - b.span.start)[0];
  const stmt = first && block.children.find((c) => c.start <= first.span.start && first.span.end <= c.end);
  if (!first || !stmt) return { fixes: [], refused: [] };
  const uses = new RegExp(`\\b${guard}\\b`);
  const before = text.slice(letNode.end, stmt.start);
  if (new RegExp(`\\bdrop\\s*\\(\\s*${guard}\\s*\\)`).test(before)) {
    return refuse(`\`${guard}\` is already dropped on some path before the \`.await\`: dropping it again does not compile; release it unconditionally instead`);
  }
  let after = text.slice(stmt.start, region.span.end);
  if (region.releaseSpan) after = text.slice(stmt.start, region.releaseSpan.start) + text.slice(region.releaseSpan.end, region.span.end);
  if (uses.test(after)) {
    // Used after the `.await`: release it around the statement that awaits, when nothing read from it crosses.
    const own = model.yieldPoints[finding.data.yieldId];
    const ownStmt = own && block.children.find((c) => c.start <= own.span.start && own.span.end <= c.end);
    if (!ownStmt || ownStmt.start < letNode.end) return { fixes: [], refused: [] };
    if (new RegExp(`\\bdrop\\s*\\(\\s*${guard}\\s*\\)`).test(text.slice(letNode.end, ownStmt.start))) {
      return refuse(`\`${guard}\` is already dropped on some path before the \`.await\`: dropping it again does not compile; release it unconditionally instead`);
    }
    const narrowed = narrowFix(text, region, guard, letNode, block, ownStmt);
    if ('fix' in narrowed) return { fixes: [narrowed.fix], refused: [] };
    return { fixes: [], refused: [{ title: 'Release the guard around the `.await` and lock again after it', reason: narrowed.reason }] };
  }
  const release = releaseBefore(text, region, guard, letNode, block, stmt);
  if ('reason' in release) return refuse(release.reason);
  const edits = [release.edit];
  if (region.releaseSpan) {
    // The later `drop(guard)` would move the guard twice: remove it with its statement.
    const end = text.indexOf(';', region.releaseSpan.end);
    const dropStmt = { start: region.releaseSpan.start, end: end >= 0 && text.slice(region.releaseSpan.end, end).trim() === '' ? end + 1 : region.releaseSpan.end };
    edits.push({ span: wholeLine(text, dropStmt), newText: '' });
  }
  const how = region.kind === 'async' ? `with \`drop(${guard})\`` : 'by ending its scope in a block (a blocking guard must go out of scope for the future to be `Send`)';
  return { fixes: [{ title: `Release \`${guard}\` before the \`.await\` ${how}`, safety: 'suggestion', edits }], refused: [] };
}
