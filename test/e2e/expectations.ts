/**
 * What the editor must show for the e2e workspace (`test/e2e/workspace/src/upload.ts`), asserted on
 * the JSON the test-only command `asyncBoundary._test.snapshot` writes: what VS Code itself sees
 * through its API (diagnostics of our source, hovers, code actions, inlay hints, applied
 * decorations). Plain data in, `node:assert` out, no `vscode` or Playwright import: the browser
 * suite (test/e2e/run.ts) and the VS Code test-electron suite (test/vscode/) share it.
 */
import * as assert from 'node:assert/strict';

export const SOURCE = 'async-boundary';

/** The fixture file and the places the scenarios touch, 1-based as an editor shows them. */
export const UPLOAD = {
  file: 'upload.ts',
  relPath: 'src/upload.ts',
  /** `const text = fs.readFileSync(req.path, 'utf8');` — column of `fs`. */
  blocking: { line: 13, column: 16 },
  /** The two `await audit(…)` yield points of `handleUpload`. */
  awaits: [
    { line: 12, column: 3 },
    { line: 14, column: 3 },
  ],
  rule: 'blocking-in-async',
} as const;

/** `src/rates.ts`: an HTTP call awaited while `ratesLock` (an async-mutex) is held. */
export const RATES = {
  file: 'rates.ts',
  /** `await fetch(…)` inside the held region: column of `await`. */
  heldAwait: { line: 10, column: 24, ordinal: 2 },
  lock: 'ratesLock',
  context: 'convert',
  rule: 'await-holding-lock',
  /** `convert` in `export async function convert(…)`: column of its first letter. */
  name: { line: 6, column: 23 },
  /** The move fix the engine refuses here (the fetch runs under a condition on the guarded map), and why. */
  refusedTitle: 'Move `await fetch(…)` out of the locked section',
  refusedReason: /^The `await` is part of a larger statement under the lock/,
  /** The enabled row that says why, in the plain `Ctrl+.` menu. */
  noFixRow: 'No automatic fix: the `await` is part of a larger statement under the lock…',
  /** What choosing it shows: every refused fix with its whole reason. */
  noFixMessage: /^No automatic fix for `await-holding-lock` here\. “Move `await fetch\(…\)` out of the locked section” is not offered: the `await` is part of a larger statement under the lock \(a condition, a loop, or a write to what the lock guards\): release the lock before it and take it again after, if nothing guarded is read across it\./,
} as const;

/**
 * `src/ledger.ts`: an audit call awaited under `balancesLock`, last in the locked section: movable after
 * the release. Its options spread over lines, as Prettier formats them.
 */
export const LEDGER = {
  file: 'ledger.ts',
  /** `await fetch(…, {`: column of `await`. */
  heldAwait: { line: 12, column: 5 },
  /** `});`, the call's last line: where `holds balancesLock` goes. */
  labelLine: 15,
  lock: 'balancesLock',
  rule: 'await-holding-lock',
  fixTitle: 'Move `await fetch(…)` after the lock is released',
} as const;

/**
 * `src/upstream.rs`: an async lock held on purpose across the write to the socket it guards (no
 * finding: the calm marker), and a price cache locked through `self.prices.as_ref()?` across a file
 * read (a finding, fixed by taking the lock where it is first used, after the read).
 */
export const UPSTREAM = {
  file: 'upstream.rs',
  /** `conn.write_all(frame).await`: column of `await`. */
  calmAwait: { line: 17, column: 31, ordinal: 2 },
  calmLock: 'self.conn',
  /** `tokio::fs::read(path).await`: column of `await`. */
  heldAwait: { line: 22, column: 42, ordinal: 2 },
  /** The marker drops the `?` the lock expression ends with: `holds self.prices.as_ref()?` would read as a question. */
  lockLabel: 'self.prices.as_ref()',
  rule: 'await-holding-lock',
  fixTitle: 'Lock `self.prices.as_ref()?` where `prices` is first used, after the `.await`',
} as const;

/**
 * `src/quotes.py`: a quote cache filled under a `threading.Lock` across an `await` (a finding in
 * Python too: a blocking lock held while the coroutine is suspended), and a plain `await` before it.
 */
export const QUOTES = {
  file: 'quotes.py',
  /** `await asyncio.sleep(0.05)` in `fetch_quote`: a yield point with nothing held. */
  plainAwait: { line: 10 },
  /** `_cache[symbol] = await fetch_quote(symbol)` under `with _cache_lock:`. */
  heldAwait: { line: 17 },
  lock: '_cache_lock',
  rule: 'await-holding-lock',
} as const;

/** `src/legacy.ts`: a blocking read, in a file the scenarios never open. */
export const LEGACY = { relPath: 'src/legacy.ts', name: 'legacy.ts' } as const;

export interface SnapRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

export interface SnapDiagnostic {
  readonly range: SnapRange;
  readonly message: string;
  readonly code?: string | number | { readonly value: string | number };
  readonly severity?: number | string;
  readonly source?: string;
}

export interface SnapCodeAction {
  readonly title: string;
  readonly kind?: string;
  readonly isPreferred?: boolean;
}

export interface SnapDecoration {
  readonly range: SnapRange;
  readonly contentText?: string;
  readonly hoverMessage?: string;
  readonly type?: string;
}

/** The snapshot as the scenarios read it; fields the command does not fill stay empty. */
export interface Snapshot {
  readonly uri: string;
  readonly diagnostics: readonly SnapDiagnostic[];
  readonly hovers: readonly string[];
  readonly codeActions: readonly SnapCodeAction[];
  readonly inlayHints: readonly string[];
  readonly decorations: readonly SnapDecoration[];
  /** The language status item: its text and the command a click on it runs. */
  readonly status?: { readonly text: string; readonly command?: string };
}

export function codeOf(d: SnapDiagnostic): string {
  const c = d.code;
  return c === undefined ? '' : typeof c === 'object' ? String(c.value) : String(c);
}

/** The blocking call is reported once, by our source, on its own line, naming the call. */
export function expectBlockingFinding(snap: Snapshot): SnapDiagnostic {
  const ours = snap.diagnostics.filter((d) => d.source === undefined || d.source === SOURCE);
  const hits = ours.filter((d) => codeOf(d) === UPLOAD.rule);
  assert.equal(hits.length, 1, `expected one ${UPLOAD.rule} finding, got ${JSON.stringify(ours)}`);
  const d = hits[0]!;
  assert.equal(d.range.start.line, UPLOAD.blocking.line - 1, 'finding on the line of the blocking call');
  assert.match(d.message, /`fs\.readFileSync`/, 'the message names the blocking call');
  assert.match(d.message, /handleUpload/, 'the message names the async context');
  return d;
}

/** The hover on a yield point says it is one, its ordinal, its async context and what it holds. */
export function expectYieldHover(hovers: readonly string[], want: { ordinal: number; context: string; held?: string }): string {
  const text = hovers.join('\n');
  assert.match(text, /yield point/i, `hover mentions the yield point: ${text}`);
  assert.match(text, new RegExp(`\\b${want.ordinal}\\b`), `hover gives ordinal ${want.ordinal}: ${text}`);
  assert.ok(text.includes(want.context), `hover names the enclosing async function \`${want.context}\`: ${text}`);
  if (want.held) assert.ok(text.includes(want.held), `hover says \`${want.held}\` is held: ${text}`);
  return text;
}

/**
 * The await under the lock is reported; its marker is the strong one, and what it holds is said at
 * the end of its line (after the code, where it cannot run into the rest of the expression).
 */
export function expectHeldLock(snap: Snapshot): SnapDecoration {
  const hits = snap.diagnostics.filter((d) => codeOf(d) === RATES.rule);
  assert.equal(hits.length, 1, `expected one ${RATES.rule} finding, got ${JSON.stringify(snap.diagnostics)}`);
  assert.equal(hits[0]!.range.start.line, RATES.heldAwait.line - 1, 'finding on the awaited call under the lock');
  assert.ok(hits[0]!.message.includes(`\`${RATES.lock}\``), `the message names the lock: ${hits[0]!.message}`);
  const held = snap.decorations.filter((d) => d.range.start.line === RATES.heldAwait.line - 1);
  assert.deepEqual(
    held.map((d) => [d.type, d.contentText]),
    [['heldYieldPoint', `◆${RATES.heldAwait.ordinal}`], ['holdsFinding', `holds ${RATES.lock}`]],
    `the strong marker on the await and the lock at the end of the line: ${JSON.stringify(snap.decorations)}`,
  );
  const label = held[1]!;
  assert.ok(label.range.start.character > RATES.heldAwait.column + 40, `the label sits at the end of the line: ${JSON.stringify(label.range)}`);
  return label;
}

/**
 * In `upstream.rs`: the lock held on purpose gets the calm yield-point marker, the lock held across
 * I/O the strong one, labelled without the trailing `?`; only the second is a finding.
 */
export function expectCalmAndHeldMarkers(snap: Snapshot): void {
  const u = UPSTREAM;
  const findings = snap.diagnostics.filter((d) => codeOf(d) === u.rule);
  assert.deepEqual(findings.map((d) => d.range.start.line + 1), [u.heldAwait.line], `one ${u.rule} finding, on the file read: ${JSON.stringify(snap.diagnostics)}`);
  const on = (line: number) => snap.decorations.filter((d) => d.range.start.line === line - 1).map((d) => [d.type, d.contentText]);
  // A lock held with nothing wrong: the calm marker and a calm label.
  // Its `.await` ends the line: the label joins the marker (two markers at one place render in no set order).
  assert.deepEqual(on(u.calmAwait.line), [['yieldPoint', `◆${u.calmAwait.ordinal}\u2002holds ${u.calmLock}`]], JSON.stringify(snap.decorations));
  // A finding: the strong marker, and the label without the `?` the lock expression ends with, after the line's own `.ok()?;`.
  assert.deepEqual(on(u.heldAwait.line), [['heldYieldPoint', `◆${u.heldAwait.ordinal}`], ['holdsFinding', `holds ${u.lockLabel}`]], JSON.stringify(snap.decorations));
  assert.deepEqual(snap.inlayHints, [], 'no inlay hints while the client decorates');
}

/** With `asyncBoundary.inlayHints.enabled`, the server's hints mark the yield points and the client draws no markers: never both. */
export function expectInlayHintsInstead(snap: Snapshot): void {
  assert.deepEqual(snap.decorations, [], 'no decorations while inlay hints are on');
  const u = UPSTREAM;
  assert.deepEqual(snap.inlayHints, ['◆ 1', `◆ ${u.calmAwait.ordinal}`, `holds ${u.calmLock}`, '◆ 1', `◆ ${u.heldAwait.ordinal}`, `holds ${u.lockLabel}`]);
}

/** Our quick fix for the blocking call is offered and preferred. */
export function expectQuickFix(actions: readonly SnapCodeAction[]): SnapCodeAction {
  const fix = actions.find((a) => /fs\.promises\.readFile/.test(a.title) && (a.kind ?? 'quickfix').startsWith('quickfix'));
  assert.ok(fix, `a quick fix replacing the call with \`fs.promises.readFile\` is offered: ${JSON.stringify(actions.map((a) => a.title))}`);
  return fix;
}

/** Yield-point decorations sit on every `await` of `upload.ts`, and nowhere else. */
export function expectYieldDecorations(snap: Snapshot): readonly SnapDecoration[] {
  const lines = new Set(snap.decorations.map((d) => d.range.start.line + 1));
  for (const a of UPLOAD.awaits) assert.ok(lines.has(a.line), `a yield-point decoration on line ${a.line}: ${JSON.stringify(snap.decorations)}`);
  const stray = [...lines].filter((l) => !UPLOAD.awaits.some((a) => a.line === l));
  assert.deepEqual(stray, [], 'no yield-point decoration on a line without a yield point');
  return snap.decorations;
}

/**
 * In `ledger.ts`: the strong marker on the `await`, and what is held said after the call's last line
 * (`});`), not after the `{` that opens its options.
 */
export function expectLabelAfterCall(snap: Snapshot): void {
  const l = LEDGER;
  const on = (line: number) => snap.decorations.filter((d) => d.range.start.line === line - 1).map((d) => [d.type, d.contentText]);
  assert.deepEqual(on(l.heldAwait.line), [['heldYieldPoint', '◆2']], JSON.stringify(snap.decorations));
  assert.deepEqual(on(l.labelLine), [['holdsFinding', `holds ${l.lock}`]], JSON.stringify(snap.decorations));
}

/** After the fix: no finding of the rule left. */
export function expectFixed(snap: Snapshot): void {
  const left = snap.diagnostics.filter((d) => codeOf(d) === UPLOAD.rule);
  assert.deepEqual(left, [], 'the quick fix removes the finding');
}

/** In `quotes.py` (Python): the finding, the strong marker and its `holds` label on the held `await`, the plain marker on the other. */
export function expectPythonHeldLock(snap: Snapshot): void {
  const q = QUOTES;
  const findings = snap.diagnostics.filter((d) => codeOf(d) === q.rule);
  assert.deepEqual(findings.map((d) => d.range.start.line + 1), [q.heldAwait.line], `one ${q.rule} finding in ${q.file}: ${JSON.stringify(snap.diagnostics)}`);
  const on = (line: number) => snap.decorations.filter((d) => d.range.start.line === line - 1);
  assert.ok(on(q.heldAwait.line).some((d) => d.type === 'heldYieldPoint'), `the strong marker on the held await: ${JSON.stringify(snap.decorations)}`);
  assert.ok(snap.decorations.some((d) => d.type === 'holdsFinding' && (d.contentText ?? '').includes(`holds ${q.lock}`)), `a "holds ${q.lock}" label: ${JSON.stringify(snap.decorations)}`);
  assert.ok(on(q.plainAwait.line).some((d) => d.type === 'yieldPoint'), `the plain marker on the other await: ${JSON.stringify(snap.decorations)}`);
}
