/**
 * The contract with the extension's test-only command `asyncBoundary._test.snapshot` (enabled by
 * `ASYNC_BOUNDARY_TEST=1`): how the browser suite invokes it and how its JSON is read.
 */
import type { Snapshot } from './expectations';

export const SNAPSHOT_COMMAND = 'asyncBoundary._test.snapshot';

/**
 * A browser cannot pass arguments to a command, but a keybinding can: the suite seeds
 * `keybindings.json` with this key bound to the command and its arguments.
 */
export const SNAPSHOT_KEY = 'Control+Alt+Shift+F9';

/** The keybindings.json entry that makes {@link SNAPSHOT_KEY} write a snapshot of the active editor to `out`. */
export function snapshotKeybinding(out: string): unknown[] {
  return [{ key: 'ctrl+alt+shift+f9', command: SNAPSHOT_COMMAND, args: { out } }];
}

/** Reads the command's JSON into the shape the expectations use; a missing list reads as empty. */
export function normalizeSnapshot(raw: unknown): Snapshot {
  if (typeof raw !== 'object' || raw === null) throw new Error(`snapshot is not an object: ${JSON.stringify(raw)}`);
  const r = raw as Record<string, unknown>;
  const list = <T>(k: string): T[] => (Array.isArray(r[k]) ? (r[k] as T[]) : []);
  return {
    uri: typeof r.uri === 'string' ? r.uri : '',
    diagnostics: list('diagnostics'),
    hovers: list('hovers'),
    codeActions: list('codeActions'),
    inlayHints: list('inlayHints'),
    decorations: list('decorations'),
  };
}
