import type { CodeRole, Span } from './model';
import type { Range0 } from './summary';

/** How loudly a finding is reported. `off` disables a rule. */
export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A note attached to a finding that points elsewhere in the file (Clippy-style), or into another file. */
export interface RelatedNote {
  /** Where in the analysed file (ignored when {@link elsewhere} is set). */
  readonly span: Span;
  readonly message: string;
  /** A place in another file (a hop of a cross-file chain): its path, as the caller named it, and its 0-based range. */
  readonly elsewhere?: { readonly path: string; readonly range: Range0 };
}

/** One problem found by a rule. */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** What is wrong, naming the call, lock or channel; then what to do. No trailing period. */
  readonly message: string;
  /** Where the offending expression starts and ends. */
  readonly span: Span;
  /**
   * The part an editor underlines, inside `span`, when narrower: the blocking call at the end of a
   * builder chain (`.output()` of `Command::new(…)…​.output()`), not the chain's six lines. Lines
   * (the CLI, fixtures, suppressions) still come from `span`.
   */
  readonly focus?: Span;
  readonly related: readonly RelatedNote[];
  /**
   * What a fix needs to know about the finding, as plain data (ids into the model, the catalog
   * entry that matched). Opaque to everything but the language's fix builder.
   */
  readonly data?: FindingData;
  /**
   * Findings of one rule with the same group key (a helper called several times in one function)
   * are one finding: `analyze` merges them after suppressions, so a suppressed call neither carries
   * nor silences the others.
   */
  readonly group?: FindingGroup;
  /**
   * For a merged finding, every call it stands for, the carrier first, each as it would be reported
   * alone (set by `analyze`): `--diff` re-places the finding on a changed call when the first is not one.
   */
  readonly parts?: readonly MergedPart[];
  /** Where the code at fault runs (set by `analyze`; absent means production). */
  readonly role?: CodeRole;
  /** Why it has that role, as a phrase: `at startup, before \`app.listen\``, `in test code (under \`tests/\`)`. */
  readonly roleWhere?: string;
}

/** What merges findings of one rule: the key, and the related note that names this finding's site when another carries it. */
export interface FindingGroup {
  readonly key: string;
  readonly note: string;
}

/** One site of a merged finding, as it would be reported alone. */
export interface MergedPart {
  readonly span: Span;
  readonly message: string;
  readonly related: readonly RelatedNote[];
  /** The related note naming this site when another part carries the finding. */
  readonly note: string;
}

/** Fix inputs a rule records on its finding. */
export interface FindingData {
  /** The call site at fault (`blocking-in-async`). */
  readonly callId?: number;
  /** A function of another module registered as a handler by name (`blocking-in-async`, {@link HandlerRef}). */
  readonly handlerRef?: number;
  /** For a call to a same-file helper: the blocking call inside the helper. */
  readonly innerCallId?: number;
  /** The held region (`await-holding-lock`). */
  readonly regionId?: number;
  /** The yield point (`await-holding-lock`). */
  readonly yieldId?: number;
  /** The channel site (`unbounded-channel`). */
  readonly channelId?: number;
  /** The spawn site (`detached-task`, `unbounded-fan-out`). */
  readonly spawnId?: number;
  /** The fan-out site (`unbounded-fan-out`). */
  readonly fanOutId?: number;
  /** The retry site (`retry-without-backoff`). */
  readonly retryId?: number;
  /** A short discriminator for findings of one rule with different fixes (`reacquire`, `no-release`). */
  readonly variant?: string;
}

/** A text replacement in the analysed file. */
export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

/** A new file the fix creates (a worker module). The path is relative to the analysed file's folder. */
export interface CreatedFile {
  readonly relativePath: string;
  readonly text: string;
  /** A module every fix that needs it creates alike (a typed worker runner): when it exists, the caller keeps it as it is. */
  readonly shared?: boolean;
}

/** A fix for one finding, as edits. Never applied by the engine: callers apply it. */
export interface Fix {
  readonly title: string;
  /** `safe` fixes are preferred and used by fix-all; `suggestion` ones are offered only one at a time. */
  readonly safety: 'safe' | 'suggestion';
  readonly edits: readonly TextEdit[];
  readonly createFiles?: readonly CreatedFile[];
  /**
   * Edits in other files of the project (a helper made async in its own file, its other callers
   * awaiting it), by path as the linker names the file; each file's edits are verified like the
   * analysed file's (project/cross-file-fix.ts).
   */
  readonly otherFiles?: readonly OtherFileEdits[];
}

/** Edits in another file of the project, for a fix that spans files. */
export interface OtherFileEdits {
  readonly path: string;
  readonly edits: readonly TextEdit[];
  /**
   * The text the edits were computed on: a caller applying them later checks that the file still
   * holds it (offsets into another text would corrupt the file).
   */
  readonly base?: string;
}

/** A fix that could not be offered, and why (shown to the user or logged). */
export interface RefusedFix {
  readonly title: string;
  readonly reason: string;
}

/** Applies non-overlapping edits to a text. Throws on overlapping edits: that is a bug in a fix builder. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.span.start < pos) throw new Error(`overlapping edits at offset ${e.span.start}`);
    out += text.slice(pos, e.span.start) + e.newText;
    pos = e.span.end;
  }
  return out + text.slice(pos);
}
