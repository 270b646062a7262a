// Yield-point decorations from `asyncBoundary/yieldPoints`: a gutter mark and a subtle marker after
// each yield keyword, a tint over the code that runs while a lock is held, a stronger marker on a
// yield point where a lock is held with a finding, and what is held at the end of its line. Redrawn whenever the server publishes diagnostics for the
// document; new decorations replace old ones in one call (no clearing first, so nothing flickers).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { YIELD_POINTS_METHOD, type Range as WireRange, type YieldPointsParams, type YieldPointsResult } from '../../server/src/shared/protocol';
import { isSupported } from './selector';

/** U+25C6: renders in the fonts Debian's Chromium ships (U+23F8 does not). */
const GLYPH = '◆';

/** What was last applied to a document, kept for the test snapshot. */
export interface AppliedDecorations {
  readonly version: number;
  readonly yieldPoints: { range: WireRange; text: string }[];
  readonly heldYieldPoints: { range: WireRange; text: string }[];
  /** `holds state.lock` at the end of a line whose yield points hold a lock; `finding` when one of them has a finding there. */
  readonly holdsLabels: { range: WireRange; text: string; finding: boolean }[];
  readonly heldRegions: { range: WireRange; lock: string }[];
}

const toRange = (r: WireRange) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

export class YieldDecorations implements vscode.Disposable {
  private readonly yieldType: vscode.TextEditorDecorationType;
  private readonly heldYieldType: vscode.TextEditorDecorationType;
  private readonly heldRegionType: vscode.TextEditorDecorationType;
  private readonly holdsType: vscode.TextEditorDecorationType;
  private readonly holdsFindingType: vscode.TextEditorDecorationType;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Per document URI. */
  readonly applied = new Map<string, AppliedDecorations>();

  constructor(
    private readonly client: LanguageClient,
    extensionUri: vscode.Uri,
  ) {
    const media = (name: string) => vscode.Uri.joinPath(extensionUri, 'media', name);
    this.yieldType = vscode.window.createTextEditorDecorationType({
      gutterIconPath: media('yield-point.svg'),
      gutterIconSize: '70%',
      after: { color: new vscode.ThemeColor('asyncBoundary.yieldPointForeground'), margin: '0 0 0 0.15em' },
    });
    this.heldYieldType = vscode.window.createTextEditorDecorationType({
      gutterIconPath: media('yield-point-held.svg'),
      gutterIconSize: '80%',
      backgroundColor: new vscode.ThemeColor('asyncBoundary.heldYieldPointBackground'),
      after: { color: new vscode.ThemeColor('asyncBoundary.heldYieldPointForeground'), fontWeight: 'bold', margin: '0 0 0 0.15em' },
      overviewRulerColor: new vscode.ThemeColor('asyncBoundary.heldYieldPointForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Center,
    });
    // What is held is said after the line's code: between `.await` and the rest of its expression
    // (`.await◆2 holds self.cache?;`) it ran into the code and read as a question.
    this.holdsType = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('asyncBoundary.yieldPointForeground'), margin: '0 0 0 1.5em' },
    });
    this.holdsFindingType = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('asyncBoundary.heldYieldPointForeground'), fontWeight: 'bold', margin: '0 0 0 1.5em' },
    });
    this.heldRegionType = vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('asyncBoundary.heldRegionBackground'),
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.subscriptions.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshVisible()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('asyncBoundary.decorations.enabled') || e.affectsConfiguration('asyncBoundary.inlayHints.enabled')) this.refreshVisible();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.applied.delete(d.uri.toString())),
    );
  }

  /** Never both: with the server's inlay hints turned on, its hints mark the yield points instead. */
  private enabled(doc: vscode.TextDocument): boolean {
    const config = vscode.workspace.getConfiguration('asyncBoundary', doc.uri);
    return config.get<boolean>('decorations.enabled', true) && config.get<boolean>('inlayHints.enabled') !== true;
  }

  /** Flips the setting where it is decided: a workspace value would hide a change to the user value. */
  async toggle(): Promise<void> {
    const config = vscode.workspace.getConfiguration('asyncBoundary');
    const where = config.inspect<boolean>('decorations.enabled');
    const target = where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('decorations.enabled', !config.get<boolean>('decorations.enabled', true), target);
  }

  /** The server published diagnostics for `uri`: it has analysed a new version. */
  refreshDocument(uri: vscode.Uri): void {
    const key = uri.toString();
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === key) void this.refresh(editor);
  }

  refreshVisible(): void {
    for (const editor of vscode.window.visibleTextEditors) void this.refresh(editor);
  }

  async refresh(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    if (!isSupported(doc.languageId)) return;
    if (!this.enabled(doc)) {
      this.apply(editor, { version: doc.version, yieldPoints: [], heldYieldPoints: [], holdsLabels: [], heldRegions: [] });
      return;
    }
    if (!this.client.isRunning()) return;
    let result: YieldPointsResult | null;
    try {
      const params: YieldPointsParams = { textDocument: { uri: doc.uri.toString() } };
      result = await this.client.sendRequest<YieldPointsResult | null>(YIELD_POINTS_METHOD, params);
    } catch (error) {
      this.client.warn(`yield points for ${doc.uri.toString()}: ${String(error)}`);
      return;
    }
    if (editor.document.isClosed) return;
    // No analysis (turned off, or a file no frontend handles): nothing to mark.
    if (!result) {
      this.apply(editor, { version: doc.version, yieldPoints: [], heldYieldPoints: [], holdsLabels: [], heldRegions: [] });
      return;
    }
    // A newer version has its own refresh coming: drawing this one would misplace the markers.
    if (result.version !== doc.version) return;
    const yieldPoints: AppliedDecorations['yieldPoints'] = [];
    const heldYieldPoints: AppliedDecorations['heldYieldPoints'] = [];
    const held = new Map<number, { locks: Set<string>; finding: boolean }>();
    for (const y of result.yieldPoints) {
      const marker = { range: y.range, text: `${GLYPH}${y.ordinal}` };
      // The strong marker means "a finding here"; a lock held on purpose (an async lock around its own connection) stays calm.
      if (y.held.length > 0 && y.finding) heldYieldPoints.push(marker);
      else yieldPoints.push(marker);
      if (y.held.length === 0) continue;
      // The server says where (the last line of a call spread over a few lines); an older one does not.
      const at = y.labelLine ?? y.range.end.line;
      const line = held.get(at) ?? { locks: new Set<string>(), finding: false };
      // A `?` ending the lock expression (`self.cache?`) would read as a question after "holds".
      for (const l of y.held) line.locks.add(l.replace(/[?!]+$/, ''));
      line.finding ||= y.finding === true;
      held.set(at, line);
    }
    const holdsLabels: AppliedDecorations['holdsLabels'] = [];
    for (const [line, h] of held) {
      if (line >= doc.lineCount) continue;
      const end = doc.lineAt(line).range.end;
      const text = `holds ${[...h.locks].join(', ')}`;
      // A yield keyword that ends the line (a tail `.await`): two markers at one place render in no
      // set order, so the label joins the marker there, where nothing follows it.
      const last = [...yieldPoints, ...heldYieldPoints].find((m) => m.range.end.line === line && m.range.end.character >= end.character);
      if (last) last.text = `${last.text}\u2002${text}`;
      else holdsLabels.push({ range: { start: { line, character: end.character }, end: { line, character: end.character } }, text, finding: h.finding });
    }
    this.apply(editor, { version: result.version, yieldPoints, heldYieldPoints, holdsLabels, heldRegions: result.heldRegions.map((r) => ({ range: r.range, lock: r.lock })) });
  }

  private apply(editor: vscode.TextEditor, next: AppliedDecorations): void {
    // No hover messages: the server's hover on the keyword already explains the yield point and what is held.
    const withText = (items: { range: WireRange; text: string }[]): vscode.DecorationOptions[] =>
      items.map((i) => ({ range: toRange(i.range), renderOptions: { after: { contentText: i.text } } }));
    editor.setDecorations(this.yieldType, withText(next.yieldPoints));
    editor.setDecorations(this.heldYieldType, withText(next.heldYieldPoints));
    editor.setDecorations(this.holdsType, withText(next.holdsLabels.filter((l) => !l.finding)));
    editor.setDecorations(this.holdsFindingType, withText(next.holdsLabels.filter((l) => l.finding)));
    editor.setDecorations(this.heldRegionType, next.heldRegions.map((r) => ({ range: toRange(r.range) })));
    this.applied.set(editor.document.uri.toString(), next);
  }

  /** Removes every decoration (the server stopped: what it computed may no longer match the text). */
  clearAll(): void {
    const none: AppliedDecorations = { version: -1, yieldPoints: [], heldYieldPoints: [], holdsLabels: [], heldRegions: [] };
    for (const editor of vscode.window.visibleTextEditors) if (isSupported(editor.document.languageId)) this.apply(editor, none);
    this.applied.clear();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.yieldType.dispose();
    this.heldYieldType.dispose();
    this.heldRegionType.dispose();
    this.holdsType.dispose();
    this.holdsFindingType.dispose();
  }
}
