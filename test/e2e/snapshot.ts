/**
 * The contract with the extension's test-only command `asyncBoundary._test.snapshot(outFile, request)`
 * (enabled by `ASYNC_BOUNDARY_TEST=1`, argument shape in docs/lsp-extensions.md): how the browser
 * suite invokes it and how its JSON is read.
 */
import type { SnapCodeAction, SnapDecoration, SnapDiagnostic, SnapRange, Snapshot } from './expectations';

export const SNAPSHOT_COMMAND = 'asyncBoundary._test.snapshot';

/**
 * A browser cannot pass arguments to a command, and a keybinding passes only one: the suite binds
 * this key to the test driver extension (test/e2e/driver-ext), which reads the command and its
 * arguments from a request file and fills in the active editor's URI.
 */
export const DRIVER_KEY = 'Control+Alt+Shift+F9';
export const DRIVER_COMMAND = 'asyncBoundaryE2E.run';
/** Replaced by the driver with the active editor's document URI. */
export const ACTIVE_URI = '${activeEditorUri}';

/** The keybindings.json that makes {@link DRIVER_KEY} run the request in `requestFile`. */
export function driverKeybindings(requestFile: string): unknown[] {
  return [{ key: 'ctrl+alt+shift+f9', command: DRIVER_COMMAND, args: { requestFile } }];
}

/**
 * Quick fixes asked for by kind, as a user's keybinding to `editor.action.codeAction` with
 * `{"kind": "quickfix"}` asks (the README says how): VS Code then lists disabled actions behind a
 * *Show Disabled* button, which the plain `Ctrl+.` menu never does. Run through the driver, so no
 * keybinding of ours shows up beside every quick fix in the screenshots.
 */
export function quickFixByKindRequest(errorFile: string): unknown {
  return { command: 'editor.action.codeAction', args: [{ kind: 'quickfix', apply: 'never' }], errorFile };
}

/** What to ask besides diagnostics and decorations (0-based positions, as the vscode API). */
export interface SnapshotAsk {
  readonly hover?: { readonly line: number; readonly character: number };
  /** `resolve`: how many actions VS Code resolves (`codeAction/resolve`), so their edits are filled in. */
  readonly codeActions?: { readonly range: SnapRange; readonly kind?: string; readonly resolve?: number };
  readonly inlayHints?: true;
}

/** The request file the driver reads: run the snapshot command for the active editor. */
export function snapshotRequest(out: string, errorFile: string, ask: SnapshotAsk): unknown {
  return { command: SNAPSHOT_COMMAND, args: [out, { uri: ACTIVE_URI, ...ask }], errorFile };
}

interface RawApplied {
  readonly yieldPoints?: readonly { range: SnapRange; text: string }[];
  readonly heldYieldPoints?: readonly { range: SnapRange; text: string }[];
  readonly holdsLabels?: readonly { range: SnapRange; text: string; finding: boolean }[];
}

/** Reads the command's JSON into the shape the expectations use; an absent part reads as empty. */
export function normalizeSnapshot(raw: unknown): Snapshot {
  if (typeof raw !== 'object' || raw === null) throw new Error(`snapshot is not an object: ${JSON.stringify(raw)}`);
  const r = raw as Record<string, unknown>;
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  // The client records what it applied per decoration type; the scenarios care about every marker.
  const applied = (r.decorations ?? {}) as RawApplied;
  const decorations: SnapDecoration[] = Array.isArray(r.decorations)
    ? (r.decorations as SnapDecoration[])
    : [
        ...list<{ range: SnapRange; text: string }>(applied.yieldPoints).map((d) => ({ range: d.range, contentText: d.text, type: 'yieldPoint' })),
        ...list<{ range: SnapRange; text: string }>(applied.heldYieldPoints).map((d) => ({ range: d.range, contentText: d.text, type: 'heldYieldPoint' })),
        ...list<{ range: SnapRange; text: string; finding: boolean }>(applied.holdsLabels).map((d) => ({ range: d.range, contentText: d.text, type: d.finding ? 'holdsFinding' : 'holds' })),
      ];
  return {
    uri: typeof r.uri === 'string' ? r.uri : '',
    diagnostics: list<SnapDiagnostic>(r.diagnostics),
    hovers: list<string>(r.hover ?? r.hovers),
    codeActions: list<SnapCodeAction>(r.codeActions),
    inlayHints: list<{ label?: string } | string>(r.inlayHints).map((h) => (typeof h === 'string' ? h : (h.label ?? ''))),
    decorations,
    status: typeof r.status === 'object' && r.status !== null ? (r.status as Snapshot['status']) : undefined,
  };
}
