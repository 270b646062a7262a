import type { CatalogExtension } from './catalog';
import type { Severity } from './finding';
import type { CodeRole, LanguageId } from './model';

/** A rule's configured level. */
export type RuleLevel = Severity | 'off';

/** The project configuration, resolved: every field present. Read from `.async-boundary.json`. */
export interface Config {
  /** Per-rule overrides; rules not named keep their default severity. */
  readonly rules: Readonly<Record<string, RuleLevel>>;
  /** Extra catalog entries per language. */
  readonly languages: Readonly<Partial<Record<LanguageId, CatalogExtension>>>;
  /** Globs (relative to the config file's folder) of files to analyse; empty means all supported files. */
  readonly include: readonly string[];
  /** Globs of files to skip. */
  readonly exclude: readonly string[];
  /** How loudly each code role is reported, and globs that assign roles (absent: the defaults of engine/roles.ts). */
  readonly roles?: RolesConfig;
}

/** The config's `roles`: a level per role, and globs (relative to the config file's folder) that assign roles. */
export interface RolesConfig {
  /** The loudest severity a finding in code of that role gets; `off` drops it. Roles not named keep their default. */
  readonly levels: Readonly<Partial<Record<CodeRole, RuleLevel>>>;
  /** In order: the first glob that matches a file assigns its role, over the path conventions. */
  readonly paths: readonly { readonly glob: string; readonly role: CodeRole }[];
}

/** The configuration used when there is no config file. */
export const DEFAULT_CONFIG: Config = Object.freeze({
  rules: Object.freeze({}),
  languages: Object.freeze({}),
  include: Object.freeze([]) as readonly string[],
  exclude: Object.freeze([]) as readonly string[],
});

/** The name of the project config file, looked up at the workspace root. */
export const CONFIG_FILE_NAME = '.async-boundary.json';
