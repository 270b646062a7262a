/**
 * Code roles in the CLI: where each file sits in its project, `--roles` and `--min-severity`, and
 * the summary of what was left out. The roles themselves are the engine's (engine/roles*.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Config, RuleLevel } from '../engine/config';
import type { Severity } from '../engine/finding';
import type { CodeRole } from '../engine/model';
import { CODE_ROLES, roleLevel } from '../engine/roles';
import { pathRole, type FileLocation } from '../engine/roles-paths';
import type { LoadedConfig } from './config-load';
import { toPosix } from '../project/files';
import { frontendForPath } from '../project/languages';
import { UsageError } from './io';

const LEVELS: readonly RuleLevel[] = ['error', 'warning', 'info', 'hint', 'off'];
/** Severities `--min-severity` accepts, loudest first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
/** Hints are what startup code and scripts get by default: the CLI leaves them to the editor unless asked. */
export const DEFAULT_MIN_SEVERITY: Severity = 'info';

/** Parses `--roles test=warning,bench=off` (the option may be repeated). */
export function parseRolesOption(values: readonly string[]): Partial<Record<CodeRole, RuleLevel>> {
  const out: Partial<Record<CodeRole, RuleLevel>> = {};
  for (const value of values) {
    for (const part of value.split(',')) {
      const [role, level, extra] = part.split('=').map((s) => s.trim());
      if (!role || !level || extra !== undefined) throw new UsageError(`\`--roles ${value}\`: write \`role=level\` pairs separated by commas, such as \`test=warning,script=off\``);
      if (!(CODE_ROLES as readonly string[]).includes(role)) throw new UsageError(`unknown role \`${role}\` in \`--roles\`: use one of ${CODE_ROLES.map((r) => `\`${r}\``).join(', ')}`);
      if (!(LEVELS as readonly string[]).includes(level)) throw new UsageError(`unknown level \`${level}\` for \`${role}\` in \`--roles\`: use one of ${LEVELS.map((l) => `\`${l}\``).join(', ')}`);
      out[role as CodeRole] = level as RuleLevel;
    }
  }
  return out;
}

/** Parses `--min-severity`. */
export function parseMinSeverity(value: string | undefined): Severity {
  if (value === undefined) return DEFAULT_MIN_SEVERITY;
  if (!(SEVERITIES as readonly string[]).includes(value)) throw new UsageError(`unknown severity \`${value}\` for \`--min-severity\`: use one of ${SEVERITIES.map((s) => `\`${s}\``).join(', ')}`);
  return value as Severity;
}

/** True when a finding of `severity` is shown under `min`. */
export function atLeast(severity: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(min);
}

/** The role side of a check run: file locations, level overrides, and counts for the summary. */
export class RoleRun {
  private readonly gitRoots = new Map<string, string | null>();
  private readonly withOverrides = new WeakMap<Config, Config>();
  /** Files left out whole, per role. */
  readonly skippedFiles = new Map<CodeRole, number>();
  /** Findings below `--min-severity`. */
  hidden = 0;

  /** The checked paths, absolute, deepest first. */
  private readonly checked: readonly string[];

  constructor(
    private readonly cwd: string,
    private readonly overrides: Partial<Record<CodeRole, RuleLevel>>,
    checked: readonly string[] = [],
  ) {
    this.checked = checked.map((p) => resolve(cwd, p)).sort((a, b) => b.length - a.length);
  }

  /** The config a file is analysed with: its own, with `--roles` over its role levels. */
  config(config: Config): Config {
    if (Object.keys(this.overrides).length === 0) return config;
    let merged = this.withOverrides.get(config);
    if (!merged) {
      merged = { ...config, roles: { levels: { ...config.roles?.levels, ...this.overrides }, paths: config.roles?.paths ?? [] } };
      this.withOverrides.set(config, merged);
    }
    return merged;
  }

  /**
   * Where a file is: relative to its repository root (else its config's folder, else the working
   * directory) for the conventions, and relative to its config's folder for the config's globs.
   * A file outside the working directory with neither above it (`check /tmp/x` run from elsewhere)
   * is placed in the checked folder that holds it, else in its own folder: its name and the folders
   * below that still say what it is (`x_test.go`, `tests/`). The file's language is part of where it
   * is: a Java file's folders below `src/main/java/` are its package (`org/springframework/samples/`),
   * which decides whether the file is read at all.
   */
  async locate(abs: string, loaded: LoadedConfig): Promise<FileLocation> {
    const root = (await this.gitRoot(dirname(abs))) ?? (loaded.path !== undefined ? loaded.root : this.fallbackRoot(abs));
    const projectPath = toPosix(relative(root, abs));
    const configPath = loaded.path !== undefined ? toPosix(relative(loaded.root, abs)) : undefined;
    const language = frontendForPath(abs)?.language;
    return {
      ...(projectPath.startsWith('../') ? {} : { projectPath }),
      ...(configPath !== undefined && !isAbsolute(configPath) ? { configPath } : {}),
      ...(language !== undefined ? { language } : {}),
    };
  }

  /** True (and counted) when the file's path gives it a role whose level is `off`: it is not read at all. */
  skipWhole(config: Config, location: FileLocation): boolean {
    const fact = pathRole(config, location);
    if (!fact || roleLevel(config, fact.role) !== 'off') return false;
    this.skippedFiles.set(fact.role, (this.skippedFiles.get(fact.role) ?? 0) + 1);
    return true;
  }

  /** Lines for the end of the report: what was left out and how to bring it back. */
  notes(min: Severity): string[] {
    const out: string[] = [];
    for (const role of CODE_ROLES) {
      const n = this.skippedFiles.get(role);
      if (n) out.push(`${n} ${role} ${n === 1 ? 'file' : 'files'} not checked: \`--roles ${role}=warning\` or the config's \`roles\` turns them on`);
    }
    if (this.hidden > 0) {
      const below = SEVERITIES[SEVERITIES.indexOf(min) + 1] ?? 'hint';
      out.push(`${this.hidden} ${this.hidden === 1 ? 'finding' : 'findings'} below \`${min}\` not shown (startup code and scripts are reported at \`hint\`): \`--min-severity ${below}\` shows them`);
    }
    return out;
  }

  /** The working directory when it holds the file, else the deepest checked folder that does, else the file's folder. */
  private fallbackRoot(abs: string): string {
    const holds = (dir: string): boolean => abs.startsWith(dir.endsWith(sep) ? dir : dir + sep);
    if (holds(this.cwd)) return this.cwd;
    return this.checked.find((dir) => dir !== abs && holds(dir)) ?? dirname(abs);
  }

  private async gitRoot(dir: string): Promise<string | undefined> {
    const visited: string[] = [];
    let found: string | null = null;
    for (let d = dir; ; d = dirname(d)) {
      const known = this.gitRoots.get(d);
      if (known !== undefined) {
        found = known;
        break;
      }
      visited.push(d);
      // Blocking, once per folder: see ConfigSource's lookup (config-load.ts).
      if (existsSync(join(d, '.git'))) {
        found = d;
        break;
      }
      if (dirname(d) === d) break;
    }
    for (const d of visited) this.gitRoots.set(d, found);
    return found ?? undefined;
  }
}
