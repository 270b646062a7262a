/**
 * The editor scenarios, run in order against one code-server and one browser page with
 * `test/e2e/workspace` open. Each checks what VS Code sees (the snapshot command) and what it
 * renders (DOM), and leaves a screenshot in the artefact folder.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  LEDGER,
  LEGACY,
  RATES,
  UPLOAD,
  UPSTREAM,
  QUOTES,
  codeOf,
  expectBlockingFinding,
  expectCalmAndHeldMarkers,
  expectPythonHeldLock,
  expectInlayHintsInstead,
  expectHeldLock,
  expectLabelAfterCall,
  expectFixed,
  expectQuickFix,
  expectYieldDecorations,
  expectYieldHover,
  type Snapshot,
} from './expectations';
import { DRIVER_KEY, normalizeSnapshot, quickFixByKindRequest, snapshotRequest, type SnapshotAsk } from './snapshot';
import { Abort, until } from './lib/wait';
import * as wb from './lib/workbench';

export interface Scenario {
  readonly name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface ScenarioContext {
  readonly page: Page;
  /** Where the snapshot command writes. */
  readonly snapshotFile: string;
  /** The driver's request file (bound to {@link DRIVER_KEY} in keybindings.json). */
  readonly requestFile: string;
  readonly artefacts: string;
  /** The workspace copy on disk. */
  readonly workspace: string;
  readonly log: (msg: string) => void;
  /** The bundled vscode-API specs (test/vscode/suite), run inside this editor by the driver. */
  readonly editorSuite: string;
  /** code-server's log folder (`<user-data>/logs`): VS Code writes each output channel there too. */
  readonly logs: string;
}

/** Before the extension has activated, its command does not exist: {@link snapshotUntil} asks again. */
class NotActiveYet extends Abort {}

/** Asks the extension (through the keybinding seeded in keybindings.json) what VS Code sees in the active editor. */
export async function takeSnapshot(ctx: ScenarioContext, ask: SnapshotAsk = {}): Promise<Snapshot> {
  const errorFile = `${ctx.snapshotFile}.error`;
  rmSync(ctx.snapshotFile, { force: true });
  rmSync(errorFile, { force: true });
  writeFileSync(ctx.requestFile, JSON.stringify(snapshotRequest(ctx.snapshotFile, errorFile, ask)));
  await wb.focusEditor(ctx.page);
  await ctx.page.keyboard.press(DRIVER_KEY);
  return until(
    () => {
      if (existsSync(errorFile)) {
        const error = readFileSync(errorFile, 'utf8');
        if (/command '[^']+' not found/i.test(error)) throw new NotActiveYet(error);
        throw new Abort(`the snapshot command failed: ${error}`);
      }
      if (!existsSync(ctx.snapshotFile)) return undefined;
      const raw: unknown = JSON.parse(readFileSync(ctx.snapshotFile, 'utf8'));
      return normalizeSnapshot(raw);
    },
    { what: 'the snapshot command to write its file', timeoutMs: 20_000 },
  );
}

/** Re-snapshots until `accept` passes: diagnostics and decorations arrive asynchronously after an edit or open. */
async function snapshotUntil(ctx: ScenarioContext, what: string, accept: (s: Snapshot) => void, timeoutMs = 90_000, ask: SnapshotAsk = {}): Promise<Snapshot> {
  return until(
    async () => {
      let s: Snapshot;
      try {
        s = await takeSnapshot(ctx, ask);
      } catch (err) {
        if (err instanceof NotActiveYet) throw new Error(err.message); // retried by until()
        throw err;
      }
      accept(s);
      return s;
    },
    { what, timeoutMs, intervalMs: 1_000 },
  );
}

async function shot(ctx: ScenarioContext, name: string): Promise<void> {
  await ctx.page.screenshot({ path: path.join(ctx.artefacts, `${name}.png`) });
}

export const scenarios: readonly Scenario[] = [
  {
    name: 'a blocking call in an async handler shows in the editor and the Problems panel',
    async run(ctx) {
      await wb.openFile(ctx.page, UPLOAD.file);
      const snap = await snapshotUntil(ctx, `the ${UPLOAD.rule} diagnostic and the status item`, (s) => {
        expectBlockingFinding(s);
        // The status item counts the file's problems, and a click on it opens the Problems panel.
        assert.deepEqual(s.status, { text: '$(warning) 1 async boundary problem', detail: 'in this file', severity: 'Information', command: 'workbench.actions.view.problems' });
      });
      ctx.log(`diagnostic: ${snap.diagnostics.map((d) => d.message).join(' | ')}`);
      await until(async () => (await wb.squiggleCount(ctx.page)) > 0, { what: 'a warning squiggle', timeoutMs: 30_000 });
      const rows = await until(
        async () => {
          const labels = await wb.problemRows(ctx.page);
          return labels.some((l) => l.includes('fs.readFileSync')) ? labels : undefined;
        },
        { what: 'the finding in the Problems panel', timeoutMs: 30_000 },
      );
      const row = rows.find((l) => l.includes('fs.readFileSync'))!;
      ctx.log(`Problems row: ${row}`);
      assert.match(row, /blocking-in-async|handleUpload/, 'the Problems row carries the rule id or the context');
      await shot(ctx, 'problems');
      await ctx.page.keyboard.press('Control+Shift+m'); // close the panel again
      await wb.focusEditor(ctx.page);
    },
  },
  {
    name: 'every yield point carries a decoration',
    async run(ctx) {
      const snap = await snapshotUntil(ctx, 'yield-point decorations', (s) => void expectYieldDecorations(s));
      const texts = snap.decorations.map((d) => d.contentText).filter((t): t is string => !!t);
      if (texts.length > 0) {
        // Decorations made with `after: {contentText}` are CSS, not DOM text: read the pseudo-elements.
        const rendered = await until(
          async () => {
            const after = await wb.afterContents(ctx.page);
            return texts.every((t) => after.some((a) => a.includes(t.trim()))) ? after : undefined;
          },
          { what: `the inline markers ${JSON.stringify(texts)} to render`, timeoutMs: 20_000 },
        );
        ctx.log(`rendered ::after markers: ${JSON.stringify(rendered)}`);
      }
      // The gutter marks are CSS background images on glyph-margin elements: count them.
      const gutter = await until(
        async () => {
          const g = await wb.gutterDecorations(ctx.page);
          return g.length >= UPLOAD.awaits.length ? g : undefined;
        },
        { what: `${UPLOAD.awaits.length} gutter marks`, timeoutMs: 20_000 },
      );
      ctx.log(`gutter: ${JSON.stringify(gutter)}`);
      await shot(ctx, 'yield-points');
    },
  },
  {
    name: 'an await under a held lock is reported and its marker names the lock',
    async run(ctx) {
      await wb.openFile(ctx.page, RATES.file);
      let label: string | undefined;
      await snapshotUntil(ctx, `the ${RATES.rule} diagnostic and held-lock decorations`, (s) => void (label = expectHeldLock(s).contentText));
      const marker = label!;
      await until(async () => (await wb.afterContents(ctx.page)).some((a) => a.includes(marker)), { what: `the marker "${marker}" to render`, timeoutMs: 20_000 });
      await shot(ctx, 'decorations');
    },
  },
  {
    name: 'hovering an await shows the yield-point annotation',
    async run(ctx) {
      const a = RATES.heldAwait;
      const want = { ordinal: a.ordinal, context: RATES.context, held: RATES.lock };
      const snap = await takeSnapshot(ctx, { hover: { line: a.line - 1, character: a.column } });
      expectYieldHover(snap.hovers, want);
      // The finding here has no automatic fix (the fetch runs under a condition on the guarded map): the hover says why.
      const text = await wb.hoverText(ctx.page, a.line, a.column + 1, (t) => {
        expectYieldHover([t], want);
        // Rendered markdown: code spans lose their backticks in innerText.
        assert.match(t, /no automatic fix: the `?await`? is part of a larger statement under the lock/);
      });
      ctx.log(`hover: ${text.replace(/\n/g, ' / ')}`);
      // Ours leads with what is held and what to do; the yield point's place comes after.
      const held = text.indexOf(`Holds ${RATES.lock}`);
      assert.ok(held >= 0 && held < text.indexOf('no automatic fix') && text.indexOf('no automatic fix') < text.indexOf(`Yield point ${a.ordinal} of`), `held, then what to do, then the place: ${text}`);
      // VS Code shows the diagnostic's message in the hover already: ours says it nowhere again.
      const phrase = 'every task waiting for the lock stalls';
      assert.equal(text.split(phrase).length - 1, 1, `the diagnostic's message shows once in the hover: ${text}`);
      const size = await wb.hoverOverflow(ctx.page);
      ctx.log(`hover height ${size.height}px, overflow ${size.overflow}px`);
      assert.equal(size.overflow, 0, 'the hover fits without scrolling in a 900-pixel-high window');
      await shot(ctx, 'hover');
      await ctx.page.keyboard.press('Escape');
    },
  },
  {
    name: "the async function's summary fits under TypeScript's own signature hover, without zero counts",
    async run(ctx) {
      const n = RATES.name;
      // The TypeScript service starts on its own schedule: wait for both hover parts.
      const text = await wb.hoverText(
        ctx.page,
        n.line,
        n.column + 1,
        (t) => {
          assert.match(t, /function convert\(currency: string, amount: number\): Promise<number>/, `TypeScript's signature: ${t}`);
          assert.match(t, /runs on the event loop/, `our summary: ${t}`);
        },
        90_000,
      );
      ctx.log(`hover: ${text.replace(/\n/g, ' / ')}`);
      assert.match(text, /3 yield points · 1 held lock region · 1 finding/, 'the counts that are not zero');
      assert.doesNotMatch(text, /\b0 (yield|held|blocking|finding)/, 'zero counts are left out');
      const size = await wb.hoverOverflow(ctx.page);
      ctx.log(`hover height ${size.height}px, overflow ${size.overflow}px`);
      assert.equal(size.overflow, 0, 'the hover fits without scrolling in a 900-pixel-high window');
      await shot(ctx, 'hover-summary');
      await ctx.page.keyboard.press('Escape');
    },
  },
  {
    name: 'a finding with no fix says why in the Ctrl+. menu, choosing that shows every reason, and the refused fix is listed disabled by kind',
    async run(ctx) {
      await wb.openFile(ctx.page, RATES.file);
      await snapshotUntil(ctx, `the ${RATES.rule} diagnostic`, expectHeldLock);
      // VS Code lists no disabled action in the plain menu: the reason is an enabled row of its own there.
      const rows = await wb.quickFixRows(ctx.page, RATES.heldAwait.line, RATES.heldAwait.column + 1);
      ctx.log(`quick fixes (Ctrl+.): ${JSON.stringify(rows)}`);
      assert.ok(rows.includes(RATES.noFixRow), `the menu says why there is no fix: ${JSON.stringify(rows)}`);
      assert.ok(!rows.some((r) => r.includes(RATES.refusedTitle)), 'the refused fix is not offered as one that works');
      const width = await wb.quickFixMenuOverflow(ctx.page);
      ctx.log(`quick-fix menu: ${width.width}px wide, ${width.overflow}px cut off`);
      assert.ok(width.width > 0 && width.overflow === 0, 'the row is read whole, not cut off');
      await shot(ctx, 'no-fix-reason');
      await wb.applyQuickFix(ctx.page, RATES.noFixRow);
      const toast = await wb.notification(ctx.page, /^No automatic fix for/);
      ctx.log(`notification: ${toast.message} [${toast.buttons.join(', ')}]`);
      assert.match(toast.message, RATES.noFixMessage);
      assert.deepEqual(toast.buttons, ['Show Documentation']);
      await shot(ctx, 'no-fix-explained');
      await wb.runCommand(ctx.page, 'Notifications: Clear All Notifications');

      // Asked for by kind (a user's keybinding to `editor.action.codeAction` with `{"kind": "quickfix"}`),
      // the menu lists the refused fix itself, disabled (LSP `disabled`, kept for the clients that show it).
      await wb.gotoLine(ctx.page, RATES.heldAwait.line, RATES.heldAwait.column + 1);
      writeFileSync(ctx.requestFile, JSON.stringify(quickFixByKindRequest(`${ctx.snapshotFile}.error`)));
      await ctx.page.keyboard.press(DRIVER_KEY);
      const disabled = await wb.disabledQuickFixRows(ctx.page);
      ctx.log(`disabled: ${JSON.stringify(disabled)}`);
      assert.ok(disabled.some((r) => r.startsWith(RATES.refusedTitle)), `the refused fix is listed disabled: ${JSON.stringify(disabled)}`);
      await shot(ctx, 'refused-fix');
      await ctx.page.keyboard.press('Escape');
      const hover = await wb.hoverText(ctx.page, RATES.heldAwait.line, RATES.heldAwait.column + 1, (t) => assert.match(t, /no automatic fix: the `?await`? is part of a larger statement under the lock/));
      ctx.log(`hover: ${hover.replace(/\n/g, ' / ')}`);
      await ctx.page.keyboard.press('Escape');
      await wb.focusEditor(ctx.page);
    },
  },
  {
    name: 'the vscode-API specs (test/vscode) pass inside this editor',
    async run(ctx) {
      const resultFile = path.join(path.dirname(ctx.snapshotFile), 'suite-result.json');
      const errorFile = `${resultFile}.error`;
      writeFileSync(ctx.requestFile, JSON.stringify({ suite: ctx.editorSuite, resultFile, errorFile }));
      await wb.focusEditor(ctx.page);
      await ctx.page.keyboard.press(DRIVER_KEY);
      const result = await until(
        () => {
          if (existsSync(errorFile)) throw new Abort(readFileSync(errorFile, 'utf8'));
          return existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as { passed: string[] }) : undefined;
        },
        { what: 'the vscode-API specs to finish', timeoutMs: 300_000, intervalMs: 1_000 },
      );
      ctx.log(`vscode-API specs passed: ${result.passed.length}`);
      assert.ok(result.passed.length >= 5, `every spec ran: ${JSON.stringify(result.passed)}`);
    },
  },
  {
    name: 'the quick fix is offered and applying it removes the finding',
    async run(ctx) {
      await wb.openFile(ctx.page, UPLOAD.file);
      const finding = expectBlockingFinding(await takeSnapshot(ctx));
      const snap = await takeSnapshot(ctx, { codeActions: { range: finding.range } });
      const fix = expectQuickFix(snap.codeActions);
      const rows = await wb.quickFixRows(ctx.page, UPLOAD.blocking.line, UPLOAD.blocking.column + 2);
      ctx.log(`quick fixes: ${JSON.stringify(rows)}`);
      assert.ok(rows.some((r) => r.includes(fix.title)), `the menu lists "${fix.title}"`);
      await shot(ctx, 'quick-fix');
      await wb.applyQuickFix(ctx.page, fix.title);
      await until(async () => (await wb.editorText(ctx.page)).includes('fs.promises.readFile'), { what: 'the edit to apply', timeoutMs: 15_000 });
      await snapshotUntil(ctx, 'the finding to disappear', expectFixed, 30_000);
      await until(async () => (await wb.squiggleCount(ctx.page)) === 0, { what: 'the squiggle to go', timeoutMs: 30_000 });
      await shot(ctx, 'after-fix');
    },
  },
{
    name: 'a lock held across I/O offers a fix that removes the finding',
    async run(ctx) {
      await wb.openFile(ctx.page, LEDGER.file);
      const snap = await snapshotUntil(ctx, `the ${LEDGER.rule} diagnostic and what is held, after the call`, (s) => {
        assert.ok(s.diagnostics.some((d) => d.code === LEDGER.rule), JSON.stringify(s.diagnostics));
        expectLabelAfterCall(s);
      });
      const label = `holds ${LEDGER.lock}`;
      await until(async () => (await wb.afterContents(ctx.page)).includes(label), { what: `the marker "${label}" to render`, timeoutMs: 20_000 });
      await shot(ctx, 'holds-after-call');
      const finding = snap.diagnostics.find((d) => d.code === LEDGER.rule)!;
      assert.deepEqual([finding.range.start.line, finding.range.end.line], [LEDGER.heldAwait.line - 1, LEDGER.heldAwait.line - 1], 'the call is underlined on its first line only');
      const actions = (await takeSnapshot(ctx, { codeActions: { range: finding.range } })).codeActions;
      ctx.log(`code actions: ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.ok(actions.some((a) => a.title.startsWith(LEDGER.fixTitle)), 'the move fix is offered');
      const rows = await wb.quickFixRows(ctx.page, LEDGER.heldAwait.line, LEDGER.heldAwait.column + 1);
      ctx.log(`quick fixes: ${JSON.stringify(rows)}`);
      await shot(ctx, 'lock-fix');
      await wb.applyQuickFix(ctx.page, LEDGER.fixTitle);
      await snapshotUntil(ctx, 'the lock finding to disappear', (s) => assert.deepEqual(s.diagnostics.filter((d) => d.code === LEDGER.rule), []), 30_000);
      // Monaco's view lines are not in document order in the DOM: read the file through the snapshot's diagnostics instead (none left).
    },
  },
  {
    name: 'Rust: a lock held on purpose stays calm, `holds` drops the `?`, inlay hints replace the markers, and the lock fix removes the finding',
    async run(ctx) {
      await wb.openFile(ctx.page, UPSTREAM.file);
      await snapshotUntil(ctx, 'the calm and the strong held-lock markers', (s) => expectCalmAndHeldMarkers(s), 90_000, { inlayHints: true });
      const label = `holds ${UPSTREAM.lockLabel}`;
      const rendered = await until(
        async () => {
          const after = await wb.afterContents(ctx.page);
          return after.some((a) => a.endsWith(label)) ? after : undefined;
        },
        { what: `the marker "${label}" to render`, timeoutMs: 20_000 },
      );
      ctx.log(`rendered ::after markers: ${JSON.stringify(rendered)}`);
      assert.ok(!rendered.some((a) => a.includes('?')), 'no marker reads as a question');
      await shot(ctx, 'calm-and-held');

      // Turning inlay hints on (as a user would, in the workspace settings) takes the markers away.
      const settings = path.join(ctx.workspace, '.vscode', 'settings.json');
      mkdirSync(path.dirname(settings), { recursive: true });
      writeFileSync(settings, JSON.stringify({ 'asyncBoundary.inlayHints.enabled': true }));
      try {
        await snapshotUntil(ctx, 'inlay hints instead of decorations', expectInlayHintsInstead, 60_000, { inlayHints: true });
        await until(async () => ((await wb.editorText(ctx.page)).includes(label) ? true : undefined), { what: `the inlay hint "${label}" to render`, timeoutMs: 20_000 });
        assert.deepEqual(await wb.afterContents(ctx.page), [], 'no marker drawn beside the inlay hints');
        await shot(ctx, 'inlay-hints');
      } finally {
        rmSync(path.dirname(settings), { recursive: true, force: true });
      }
      await snapshotUntil(ctx, 'the markers to come back', (s) => expectCalmAndHeldMarkers(s), 60_000, { inlayHints: true });

      const finding = (await takeSnapshot(ctx)).diagnostics.find((d) => codeOf(d) === UPSTREAM.rule)!;
      const actions = (await takeSnapshot(ctx, { codeActions: { range: finding.range } })).codeActions;
      ctx.log(`code actions: ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.ok(actions.some((a) => a.title.startsWith(UPSTREAM.fixTitle)), 'the lock fix is offered');
      const rows = await wb.quickFixRows(ctx.page, UPSTREAM.heldAwait.line, UPSTREAM.heldAwait.column + 1);
      ctx.log(`quick fixes: ${JSON.stringify(rows)}`);
      await wb.applyQuickFix(ctx.page, UPSTREAM.fixTitle);
      await snapshotUntil(ctx, 'the lock finding to disappear', (s) => assert.deepEqual(s.diagnostics.filter((d) => codeOf(d) === UPSTREAM.rule), []), 30_000);
      await shot(ctx, 'rust-lock-fixed');
    },
  },
  {
    name: 'Python: a thread lock held across an await is reported, and its markers name the lock',
    async run(ctx) {
      await wb.openFile(ctx.page, QUOTES.file);
      await snapshotUntil(ctx, `the ${QUOTES.rule} diagnostic and the Python markers`, (s) => expectPythonHeldLock(s), 90_000);
      await until(async () => (await wb.afterContents(ctx.page)).some((a) => a.includes(`holds ${QUOTES.lock}`)), { what: `the marker "holds ${QUOTES.lock}" to render`, timeoutMs: 20_000 });
      await shot(ctx, 'python-held-lock');
    },
  },
  {
    name: 'a workspace scan offers Show Problems, and deleting a scanned file clears its problems',
    async run(ctx) {
      await wb.runCommand(ctx.page, 'Async Boundary: Scan Workspace');
      const toast = await wb.clickNotificationButton(ctx.page, 'Show Problems');
      ctx.log(`scan notification: ${toast}`);
      const withLegacy = await until(
        async () => {
          const labels = await wb.problemRows(ctx.page);
          return labels.some((l) => l.includes(LEGACY.name)) ? labels : undefined;
        },
        { what: `${LEGACY.name} in the Problems panel after the scan`, timeoutMs: 60_000 },
      );
      ctx.log(`Problems rows after the scan: ${withLegacy.length}`);
      await shot(ctx, 'scan-problems');
      unlinkSync(path.join(ctx.workspace, LEGACY.relPath));
      await until(
        async () => {
          const labels = await wb.problemRows(ctx.page);
          return labels.some((l) => l.includes(LEGACY.name)) ? undefined : labels;
        },
        { what: `${LEGACY.name}'s problems to clear once it is deleted`, timeoutMs: 60_000 },
      );
      await shot(ctx, 'deleted-cleared');
      await ctx.page.keyboard.press('Control+Shift+m');
      await wb.focusEditor(ctx.page);
    },
  },
  {
    name: 'the output channel says what the server did: version, config, scan timing',
    async run(ctx) {
      const channel = until(
        () => {
          const file = findFile(ctx.logs, 'Async Boundary.log');
          if (!file) return undefined;
          const text = readFileSync(file, 'utf8');
          return /scanned \d+ files?, \d+ findings? in \d+ ms/.test(text) ? text : undefined;
        },
        { what: 'the Async Boundary output channel to log the scan', timeoutMs: 20_000, intervalMs: 500 },
      );
      const text = await channel;
      ctx.log(`output channel:\n${text.trim()}`);
      assert.match(text, /async-boundary \d+\.\d+\.\d+ \(Node v\d+[^)]*\) for code-server [\d.]+; workspace: /, 'the server version, its Node and the client');
      assert.match(text, /no \.async-boundary\.json at or above the files analysed so far: the built-in defaults apply/, 'which config applies');
      assert.doesNotMatch(text, /\[error\]/, 'no errors');
    },
  },
];

/** The first file named `name` under `dir`, depth first. */
function findFile(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return undefined;
}
