// Support for the TypeScript fix tests: a finding for a snippet of an inline source, taken from the
// real analysis when the frontend reports it there, else from a minimal hand-built model (the
// fix builders read spans and ids from the model and everything else from the syntax tree).
import assert from 'node:assert/strict';
import ts from 'typescript';
import { analyze, fixesFor } from '../../server/src/project/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { applyEdits, type Finding, type FindingData, type Fix } from '../../server/src/engine/finding';
import type { FixResult, ParsedFile } from '../../server/src/engine/language';
import type { CallSite, ChannelSite, FileModel, HeldRegion, Span } from '../../server/src/engine/model';
import { typescriptCatalog } from '../../server/src/languages/typescript/catalog';
import { buildFixes } from '../../server/src/languages/typescript/fixes';

/** Lines joined with `\n`, ending with one. */
export const lines = (...l: string[]): string => l.join('\n') + '\n';

/** The one file a fix creates (the worker module). */
export function created(fix: Fix | undefined): { relativePath: string; text: string } {
  const file = fix?.createFiles?.[0];
  assert.ok(file, 'the fix creates no worker module');
  return file;
}

/** Syntax errors in a JS/TS text, from the TypeScript parser. */
export function syntaxErrors(text: string, path: string): number {
  const out = ts.transpileModule(text, { fileName: path, reportDiagnostics: true, compilerOptions: { allowJs: true } });
  return (out.diagnostics ?? []).length;
}

/** The span of the `nth` occurrence of `snippet` in `text`. */
export function spanOf(text: string, snippet: string, nth = 0): Span {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(snippet, at + 1);
    assert.ok(at >= 0, `snippet not found: ${snippet}`);
  }
  return { start: at, end: at + snippet.length };
}

function callSite(id: number, text: string, span: Span, callee: string | undefined): CallSite {
  const snippet = text.slice(span.start, span.end);
  const paren = snippet.indexOf('(');
  const calleeText = snippet.slice(0, paren);
  return {
    id,
    span,
    calleeSpan: { start: span.start, end: span.start + paren },
    argsSpan: { start: span.start + paren, end: span.end },
    calleeText,
    ...(callee ? { callee } : {}),
    member: calleeText.split('.').pop()!,
    awaited: false,
    inLoop: false,
    resultUnused: false,
    argCount: 0,
    context: 0,
  };
}

/** What a hand-built finding points at. */
export interface HandFinding {
  readonly rule: string;
  /** The call at fault and its resolved callee. */
  readonly call?: { readonly snippet: string; readonly callee?: string; readonly nth?: number };
  /** The blocking call inside a helper (`innerCallId`). */
  readonly inner?: { readonly snippet: string; readonly callee?: string };
  readonly channel?: { readonly snippet: string; readonly constructor: string; readonly reason: ChannelSite['reason'] };
  readonly region?: { readonly acquire: string; readonly lock: string; readonly guard?: string };
  readonly variant?: string;
  /** Take the fix whose title starts with this, rather than the first. */
  readonly pick?: string;
  /**
   * The frontend is not expected to report this case (a non-blocking helper, an unknown callback
   * registration), so the finding is built by hand; without it, a case the frontend does not report fails.
   */
  readonly hand?: boolean;
}

/** A parsed file and a finding built by hand for `what`. */
export function handFinding(path: string, text: string, what: HandFinding): { parsed: ParsedFile; finding: Finding } {
  const calls: CallSite[] = [];
  const channels: ChannelSite[] = [];
  const heldRegions: HeldRegion[] = [];
  const data: { -readonly [K in keyof FindingData]: FindingData[K] } = {};
  let span: Span = { start: 0, end: 0 };
  if (what.call) {
    span = spanOf(text, what.call.snippet, what.call.nth);
    calls.push(callSite(0, text, span, what.call.callee));
    data.callId = 0;
  }
  if (what.inner) {
    calls.push(callSite(1, text, spanOf(text, what.inner.snippet), what.inner.callee));
    data.innerCallId = 1;
  }
  if (what.channel) {
    span = spanOf(text, what.channel.snippet);
    channels.push({ id: 0, span, constructor: what.channel.constructor, text: what.channel.snippet, bounded: false, ...(what.channel.reason ? { reason: what.channel.reason } : {}) });
    data.channelId = 0;
  }
  if (what.region) {
    span = spanOf(text, what.region.acquire);
    heldRegions.push({
      id: 0, lock: what.region.lock, lockKey: what.region.lock, ...(what.region.guard ? { guard: what.region.guard } : {}), kind: 'async',
      acquireSpan: span, span: { start: span.start, end: text.length }, release: 'missing', guardedResources: [],
    });
    data.regionId = 0;
  }
  if (what.variant) data.variant = what.variant;
  const model: FileModel = {
    language: 'typescript', path, contexts: [], functions: [], yieldPoints: [], heldRegions, calls, channels, spawns: [], comments: [], syntaxErrors: 0,
  };
  const parsed: ParsedFile = { path, text, model, tree: undefined };
  return { parsed, finding: { rule: what.rule, severity: 'warning', message: '', span, related: [], data } };
}

/** The outcome of fixing one finding in an inline source. */
export interface FixOutcome {
  readonly result: FixResult;
  /** The text after the first fix, if there is one. */
  readonly after?: string;
  readonly fix?: Fix;
  /** Whether the finding came from the real frontend (then re-analysis was checked). */
  readonly real: boolean;
}

/**
 * Fixes the finding of `what.rule` at the snippet: through `analyze()`+`fixesFor()` when the frontend
 * reports it (then asserts re-analysis drops it), else through `buildFixes` on a hand-built model.
 * Asserts the fixed text parses.
 */
export function fixOne(path: string, text: string, what: HandFinding, deps: readonly string[] = []): FixOutcome {
  const ctx = { dependencies: new Set(deps) };
  const target = what.call?.snippet ?? what.channel?.snippet ?? what.region?.acquire ?? '';
  const at = spanOf(text, target, what.call?.nth);
  const analysis = analyze({ path, text }, DEFAULT_CONFIG);
  const real = analysis?.findings.find((f) => f.rule === what.rule && f.span.start <= at.start && at.start < f.span.end && (!what.variant || f.data?.variant === what.variant));
  let result: FixResult;
  if (real && analysis) {
    assert.ok(!what.hand, `the frontend now reports ${target}: drop \`hand\``);
    result = fixesFor(analysis, real, ctx);
  } else {
    assert.ok(what.hand, `the frontend does not report ${what.rule} at ${target}`);
    const { parsed, finding } = handFinding(path, text, what);
    result = buildFixes(finding, parsed, { catalog: typescriptCatalog, ...ctx });
  }
  const fix = what.pick === undefined ? result.fixes[0] : result.fixes.find((f) => f.title.startsWith(what.pick!));
  if (!fix) return { result, real: !!real };
  const after = applyEdits(text, fix.edits);
  assert.equal(syntaxErrors(after, path), 0, `the fixed text does not parse:\n${after}`);
  for (const f of fix.createFiles ?? []) assert.equal(syntaxErrors(f.text, f.relativePath), 0, `${f.relativePath} does not parse:\n${f.text}`);
  if (real && analysis) {
    const again = analyze({ path, text: after }, DEFAULT_CONFIG)!;
    const count = (a: typeof analysis): number => a.findings.filter((f) => f.rule === what.rule).length;
    assert.ok(count(again) < count(analysis), `re-analysis still reports ${what.rule}:\n${after}`);
  }
  if (process.env.AB_FIX_DEBUG) console.log(`[${real ? "real" : "hand"}] ${target}`);
  return { result, after, fix, real: !!real };
}
