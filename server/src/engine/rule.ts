import type { Catalog } from './catalog';
import type { FindingData, FindingGroup, RelatedNote, Severity } from './finding';
import type { Imports } from './linker';
import type { FileModel, Span } from './model';

/** A rule's own documentation, from which the README and hovers are generated. */
export interface RuleDocs {
  /** One line: what the rule flags. */
  readonly summary: string;
  /** What it does, in a few sentences. */
  readonly what: string;
  /** Why it is bad. */
  readonly why: string;
  /** A bad example and its fixed form, as fenced code (one block each, language-tagged). */
  readonly example: string;
  /** What the fix does, and whether it is safe. */
  readonly fix: string;
  /** Known limits: what the rule does not see. */
  readonly limits?: string;
}

/** A finding as a rule reports it; the engine adds the rule id and the configured severity. */
export interface RawFinding {
  readonly message: string;
  readonly span: Span;
  /** The part an editor underlines, inside `span`, when narrower (see {@link Finding.focus}). */
  readonly focus?: Span;
  readonly related?: readonly RelatedNote[];
  readonly data?: FindingData;
  /** The most this finding is reported at, when it is quieter than the rule's severity (a cheap blocking call). */
  readonly cap?: Severity;
  /** Findings with the same group (per rule) are merged into one after suppressions (see {@link FindingGroup}). */
  readonly group?: FindingGroup;
}

/** One rule: metadata plus a pure check over the model. */
export interface Rule {
  readonly id: string;
  readonly defaultSeverity: Severity;
  readonly docs: RuleDocs;
  /** The rule offers fixes for at least some findings. */
  readonly fixable: boolean;
  /**
   * Pure: reads the model, the catalog and what the file's imported calls do (from the linker;
   * empty when analysis is per file), returns findings.
   */
  check(model: FileModel, catalog: Catalog, imports: Imports): readonly RawFinding[];
}
