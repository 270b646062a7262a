/**
 * "Make the helper async" when the helper is in another file than the finding: a fix that edits the
 * helper's file (the function becomes async, its blocking call an awaited async twin) and every file
 * that calls it (each call awaited), offered only when every caller found in the project can await
 * it, and refused with the reason otherwise. Every file it edits must parse afterwards.
 *
 * The project module composes it: the callers are found through the summaries and the linker, and
 * the language's `CrossFileFixer` (engine/language.ts) writes each file's edits.
 */
import { applyEdits, partialOverMerged, verifyFix, type Analysis } from '../engine/analyze';
import type { Finding, Fix, OtherFileEdits, RefusedFix, TextEdit } from '../engine/finding';
import type { FixContext, FixResult } from '../engine/language';
import type { Imports, Linker } from '../engine/linker';
import type { FileSummary } from '../engine/summary';

/** What the fix reads of the project. */
export interface FixProject {
  readonly linker: Linker;
  /** Every file's summary: the callers of the helper are found among their refs. */
  readonly summaries: Iterable<FileSummary>;
  /** The current analysis of another file of the project (the editor's buffer, else the disk); `undefined` when it cannot be read. */
  analysisOf(path: string): Analysis | undefined;
}

/** A helper called from more files than this is not rewritten by a quick fix. */
export const MAX_CALLER_FILES = 24;

const NONE: FixResult = { fixes: [], refused: [] };

/**
 * The cross-file fixes of a finding on a call whose linked function blocks in another file (the
 * finding's `data.callId`, its callee in `imports`). Never throws: a failure is a refused fix.
 */
export function crossFileFixes(analysis: Analysis, finding: Finding, imports: Imports, project: FixProject, ctx: Partial<FixContext> = {}): FixResult {
  if (finding.rule !== 'blocking-in-async' || finding.data?.callId === undefined || finding.data.innerCallId !== undefined) return NONE;
  const call = analysis.model.calls[finding.data.callId];
  const callee = call?.callee;
  if (!call || callee === undefined || call.localTarget !== undefined) return NONE;
  const linked = Object.prototype.hasOwnProperty.call(imports, callee) ? imports[callee] : undefined;
  const fixer = analysis.frontend.crossFileFix;
  if (!linked?.blocks || !fixer) return NONE;
  const fullCtx: FixContext = { catalog: analysis.catalog, ...ctx };
  const fixes: Fix[] = [];
  const refused: RefusedFix[] = [];
  try {
    const r = build(analysis, call.id, callee, linked.name, linked.shown, linked.blocks.hops, project, fixer, fullCtx);
    const partial = 'reason' in r ? undefined : partialOverMerged(analysis, finding, r);
    if ('reason' in r) refused.push(r);
    else if (partial) refused.push({ title: r.title, reason: partial });
    else fixes.push(r);
  } catch (error) {
    refused.push({ title: `Make \`${linked.name}\` async in ${linked.shown}`, reason: `it could not be built (${String(error)})` });
  }
  // The call-site fix: the call moves off the event loop, the helper stays as it is.
  // A worker for I/O that has an async twin is the heavier cure: offered when the helper cannot be made async.
  const cpuHeavy = analysis.catalog.blocking.get(linked.blocks.callee)?.cpuHeavy === true;
  if (fixer.offloadCall && (cpuHeavy || fixes.length === 0)) {
    try {
      const target = project.linker.resolve(analysis.parsed.path, callee);
      const helper = target && project.analysisOf(target.file.path);
      if (target && helper && helper.frontend.crossFileFix === fixer) {
        // A merged finding stands for every call of the helper in its function: each one moves.
        const r = fixer.offloadCall(analysis.parsed, mergedCallIds(analysis, finding, call.id), helper.parsed, target.fn.display, linked.shown, fullCtx);
        // With the helper made async on offer, why a worker is not is noise.
        if (r.refused && fixes.length === 0) refused.push(r.refused);
        if (r.fix) {
          const problem = verifyFix(analysis, r.fix) ?? partialOverMerged(analysis, finding, r.fix);
          if (problem) refused.push({ title: r.fix.title, reason: problem });
          else fixes.push(r.fix);
        }
      }
    } catch (error) {
      refused.push({ title: `Offload \`${linked.name}\` to a worker thread`, reason: `it could not be built (${String(error)})` });
    }
  }
  return { fixes, refused };
}

/** The calls a finding stands for, its own first: a merged finding's parts, each found again by its span. */
function mergedCallIds(analysis: Analysis, finding: Finding, callId: number): number[] {
  const ids = [callId];
  for (const part of finding.parts?.slice(1) ?? []) {
    const c = analysis.model.calls.find((k) => k.span.start === part.span.start && k.span.end === part.span.end);
    if (c && !ids.includes(c.id)) ids.push(c.id);
  }
  return ids;
}

function build(
  analysis: Analysis,
  callId: number,
  callee: string,
  name: string,
  shown: string,
  hops: readonly { path: string; function: string; call: string }[],
  project: FixProject,
  fixer: NonNullable<Analysis['frontend']['crossFileFix']>,
  ctx: FixContext,
): Fix | RefusedFix {
  let title = `Make \`${name}\` async in ${shown}`;
  const refuse = (reason: string): RefusedFix => ({ title, reason });
  const last = hops[hops.length - 1];
  if (!last) return refuse('the chain to the blocking call is not known');
  // The edit is local to the helper's file only when the helper makes the blocking call itself.
  if (hops.length > 1) return refuse(`the blocking call \`${last.call}\` is in \`${last.function}\`, which \`${name}\` calls: make that one async first`);
  const target = project.linker.resolve(analysis.parsed.path, callee);
  if (!target) return refuse('the helper is no longer found in the project');
  const helperPath = target.file.path;
  const helper = project.analysisOf(helperPath);
  if (!helper || helper.frontend.crossFileFix !== fixer) return refuse(`${shown} could not be read`);
  const made = fixer.makeAsync(helper.parsed, target.fn.display, ctx);
  if ('reason' in made) return refuse(made.reason);
  title = `Make \`${name}\` async in ${shown} and use ${made.label}`;

  // Every file whose calls resolve to the helper: the summaries list each file's callees once.
  const callers = new Map<string, Set<string>>([[analysis.parsed.path, new Set([callee])]]);
  const shownOf = new Map<string, string>();
  for (const s of project.summaries) {
    shownOf.set(s.path, s.shown);
    if (s.path === helperPath) continue;
    for (const ref of s.refs) {
      const r = project.linker.resolve(s.path, ref);
      if (r?.file.path !== helperPath || r.fn.name !== target.fn.name) continue;
      const set = callers.get(s.path) ?? new Set<string>();
      set.add(ref);
      callers.set(s.path, set);
    }
  }
  if (callers.size > MAX_CALLER_FILES) return refuse(`\`${name}\` is called from ${callers.size} files: change it by hand or offload the call`);

  const perFile = new Map<string, TextEdit[]>([[helperPath, [...made.edits]]]);
  for (const [path, callees] of callers) {
    const a = path === analysis.parsed.path ? analysis : project.analysisOf(path);
    const where = shownOf.get(path) ?? path;
    if (!a || a.frontend.crossFileFix !== fixer) return refuse(`${where}, which calls \`${name}\`, could not be read`);
    const ids = a.model.calls.filter((c) => c.localTarget === undefined && c.callee !== undefined && callees.has(c.callee)).map((c) => c.id);
    const awaited = fixer.awaitCalls(a.parsed, ids, path === analysis.parsed.path ? callId : undefined);
    if ('reason' in awaited) return refuse(`\`${name}\` is also called from ${where}: ${awaited.reason}`);
    perFile.set(path, [...(perFile.get(path) ?? []), ...awaited.edits]);
  }

  // Each file's result must parse no worse than before.
  for (const [path, edits] of perFile) {
    const a = path === analysis.parsed.path ? analysis : project.analysisOf(path);
    if (!a) return refuse(`${path} could not be read`);
    let after: string;
    try {
      after = applyEdits(a.parsed.text, edits);
    } catch (error) {
      return refuse(`its edits in ${shownOf.get(path) ?? path} overlap (${String(error)})`);
    }
    if (a.frontend.syntaxErrors(after, path) > a.model.syntaxErrors) return refuse(`its result in ${shownOf.get(path) ?? path} does not parse`);
  }
  const otherFiles: OtherFileEdits[] = [...perFile]
    .filter(([path, edits]) => path !== analysis.parsed.path && edits.length > 0)
    .map(([path, edits]) => ({ path, edits, base: project.analysisOf(path)?.parsed.text ?? '' }));
  const files = otherFiles.length + 1;
  return { title: files > 2 ? `${title} (edits ${files} files)` : title, safety: 'suggestion', edits: perFile.get(analysis.parsed.path) ?? [], otherFiles };
}
