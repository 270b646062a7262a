// Project configs (`.async-boundary.json`): found for each file the way the CLI finds them (the
// nearest one walking up from the file, stopping at the repository root), read with the engine's
// `parseConfig`, watched, and merged with the editor's `asyncBoundary.rules` setting.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { globMatcher } from '../engine/glob';
import { DiagnosticSeverity, DidChangeWatchedFilesNotification, type Diagnostic } from 'vscode-languageserver';
import { CONFIG_FILE_NAME, DEFAULT_CONFIG, type Config, type RuleLevel } from '../engine/config';
import { folderDepth, parseConfig, type ConfigError } from '../engine/config-parse';
import { entryExistsSync, readConfigTextSync } from '../project/config-file';
import { frontendForPath } from '../project/languages';
import type { FileLocation } from '../engine/roles-paths';
import type { CodeRole } from '../engine/model';
import { DIAGNOSTIC_SOURCE } from '../shared/protocol';
import type { Session } from './session';

/** One config file as read. */
interface Loaded {
  /** The file's config, before the editor's rule overrides. */
  readonly base: Config;
  /** The folder its `include`/`exclude` globs are relative to. */
  readonly root: string;
  /** Merged configs by the JSON of the rule overrides, so the engine's per-config caches stay warm. */
  readonly merged: Map<string, Config>;
  matchers?: { included: (p: string) => boolean; excluded: (p: string) => boolean };
}

const NO_CONFIG = '';

export class ProjectConfig {
  /** Config file path (or {@link NO_CONFIG}) → its contents. */
  private files = new Map<string, Loaded>();
  /** Folder → the config file that governs it ({@link NO_CONFIG} when none). */
  private lookups = new Map<string, string>();
  /** Config files whose errors are on screen, so a fixed file gets its diagnostics cleared. */
  private withErrors = new Set<string>();

  constructor(private readonly session: Session) {}

  /** The config file for a file: the nearest one at or above its folder, stopping after the folder that holds `.git`. */
  private configPathFor(path: string): string {
    // Untitled buffers have no folder: they follow the first workspace folder.
    const start = isAbsolute(path) ? dirname(path) : this.session.folders[0];
    if (start === undefined) return NO_CONFIG;
    const visited: string[] = [];
    let found = NO_CONFIG;
    for (let dir = start; ; dir = dirname(dir)) {
      const known = this.lookups.get(dir);
      if (known !== undefined) {
        found = known;
        break;
      }
      visited.push(dir);
      const candidate = join(dir, CONFIG_FILE_NAME);
      // A dangling or looping link of that name is found too, and reported as unreadable.
      if (entryExistsSync(candidate)) {
        found = candidate;
        break;
      }
      if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
    }
    for (const dir of visited) this.lookups.set(dir, found);
    return found;
  }

  private loaded(configPath: string): Loaded {
    let loaded = this.files.get(configPath);
    if (!loaded) {
      if (configPath === NO_CONFIG) this.session.connection.console.info(`async-boundary: no ${CONFIG_FILE_NAME} at or above the files analysed so far: the built-in defaults apply`);
      loaded = configPath === NO_CONFIG ? { base: DEFAULT_CONFIG, root: '', merged: new Map() } : this.read(configPath);
      this.files.set(configPath, loaded);
    }
    return loaded;
  }

  /** Reads and parses one config file. Errors are logged and shown on the file itself. */
  private read(path: string): Loaded {
    const root = dirname(path);
    const read = readConfigTextSync(path);
    if ('problem' in read) {
      // Shown on the config file like its other errors (the Problems view lists it even when the
      // file cannot be opened), so the defaults do not apply in silence.
      const message = `Cannot read the config file: ${read.problem}; the files in this folder are analysed with the defaults`;
      this.publishConfigErrors(path, [{ file: path, line: 1, column: 1, path: '', message }], []);
      return { base: DEFAULT_CONFIG, root, merged: new Map() };
    }
    const { config, errors, warnings } = parseConfig(read.text, path, { depth: folderDepth(dirname(path)) });
    // The output channel says which config governs which files, so "why is this (not) reported" has an answer.
    this.session.connection.console.info(`async-boundary: read ${path}${errors.length > 0 ? ` (${errors.length} ${errors.length === 1 ? 'error' : 'errors'}; the valid parts apply)` : ''}`);
    this.publishConfigErrors(path, errors, warnings);
    return { base: config, root, merged: new Map() };
  }

  /** Errors, and warnings such as a glob that can never match, as the CLI prints them: logged and published on the config file. */
  private publishConfigErrors(path: string, errors: readonly ConfigError[], warnings: readonly ConfigError[]): void {
    const diagnostics: Diagnostic[] = [...errors.map((e) => [e, DiagnosticSeverity.Error] as const), ...warnings.map((w) => [w, DiagnosticSeverity.Warning] as const)].map(([e, severity]) => {
      this.session.connection.console.warn(`${e.file}:${e.line}:${e.column}: ${e.message}`);
      const start = { line: e.line - 1, character: e.column - 1 };
      return { range: { start, end: start }, severity, source: DIAGNOSTIC_SOURCE, message: e.message };
    });
    this.publishErrors(path, diagnostics);
  }

  private publishErrors(path: string, diagnostics: Diagnostic[]): void {
    if (diagnostics.length === 0 && !this.withErrors.has(path)) return;
    if (diagnostics.length > 0) this.withErrors.add(path);
    else this.withErrors.delete(path);
    this.session.background(this.session.connection.sendDiagnostics({ uri: pathToFileURL(path).href, diagnostics }), 'publishing config errors');
  }

  /** The config for a file, merged with the editor's per-rule and per-role levels (the editor wins). */
  configFor(path: string, rules: Readonly<Record<string, RuleLevel>>, roles: Readonly<Partial<Record<CodeRole, RuleLevel>>> = {}): Config {
    const loaded = this.loaded(this.configPathFor(path));
    const key = JSON.stringify([rules, roles]);
    let config = loaded.merged.get(key);
    if (!config) {
      config = Object.keys(rules).length === 0 ? loaded.base : { ...loaded.base, rules: { ...loaded.base.rules, ...rules } };
      if (Object.keys(roles).length > 0) config = { ...config, roles: { levels: { ...config.roles?.levels, ...roles }, paths: config.roles?.paths ?? [] } };
      loaded.merged.set(key, config);
    }
    return config;
  }

  /**
   * Whether the config's `include`/`exclude` globs let a file be analysed, with the CLI's semantics
   * (globs relative to the config's folder; files outside it are not filtered), so the editor and
   * CI report the same files.
   */
  covers(path: string): boolean {
    const loaded = this.loaded(this.configPathFor(path));
    const { include, exclude } = loaded.base;
    if (include.length === 0 && exclude.length === 0) return true;
    const rel = relative(loaded.root, path).split(sep).join('/');
    if (rel.startsWith('../') || isAbsolute(rel)) return true;
    loaded.matchers ??= {
      included: include.length > 0 ? globMatcher(include) : () => true,
      excluded: exclude.length > 0 ? globMatcher(exclude) : () => false,
    };
    return loaded.matchers.included(rel) && !loaded.matchers.excluded(rel);
  }

  /** Folder → the repository root above it (`null`: none), for {@link locationFor}. */
  private gitRoots = new Map<string, string | null>();

  /**
   * Where a file sits in its project, as the CLI computes it: relative to its repository root
   * (else its config's folder, else the workspace folder that holds it, else its own folder) for the
   * path conventions, and relative to its config's folder for the config's role globs. A file opened
   * from outside the workspace still gets the role its name says (`x_test.go`). Cached per folder:
   * no cost per keystroke.
   */
  locationFor(path: string): FileLocation | undefined {
    if (!isAbsolute(path)) return undefined;
    const loaded = this.loaded(this.configPathFor(path));
    const folder = this.session.folders.filter((f) => path.startsWith(f.endsWith(sep) ? f : f + sep)).sort((a, b) => b.length - a.length)[0];
    const root = this.gitRootOf(dirname(path)) ?? (loaded.root !== '' ? loaded.root : (folder ?? dirname(path)));
    const posix = (p: string): string => p.split(sep).join('/');
    const projectPath = root === undefined ? undefined : posix(relative(root, path));
    const configPath = loaded.root !== '' ? posix(relative(loaded.root, path)) : undefined;
    // The language decides how the path reads (a Java file's folders below `src/main/java/` are its package).
    const language = frontendForPath(path)?.language;
    return {
      ...(projectPath !== undefined && !projectPath.startsWith('../') && !isAbsolute(projectPath) ? { projectPath } : {}),
      ...(configPath !== undefined && !configPath.startsWith('../') && !isAbsolute(configPath) ? { configPath } : {}),
      ...(language !== undefined ? { language } : {}),
    };
  }

  private gitRootOf(start: string): string | undefined {
    const visited: string[] = [];
    let found: string | null = null;
    for (let dir = start; ; dir = dirname(dir)) {
      const known = this.gitRoots.get(dir);
      if (known !== undefined) {
        found = known;
        break;
      }
      visited.push(dir);
      if (existsSync(join(dir, '.git'))) {
        found = dir;
        break;
      }
      if (dirname(dir) === dir) break;
    }
    for (const dir of visited) this.gitRoots.set(dir, found);
    return found ?? undefined;
  }

  /** Forgets every config and lookup (a config file was created, changed or deleted); reads the workspace root's again. */
  reload(): void {
    const before = [...this.files.keys()];
    this.files = new Map();
    this.lookups = new Map();
    // Re-read the files read before, so their errors are re-published or cleared even when no open document uses them now.
    for (const path of before) if (path !== NO_CONFIG) this.files.set(path, entryExistsSync(path) ? this.read(path) : this.cleared(path));
    this.load();
  }

  private cleared(path: string): Loaded {
    this.publishErrors(path, []);
    return { base: DEFAULT_CONFIG, root: dirname(path), merged: new Map() };
  }

  /** Reads the workspace root's config up front, so its errors show even before a document opens. */
  load(): void {
    const root = this.session.folders[0];
    if (root !== undefined) this.loaded(this.configPathFor(join(root, 'x')));
  }

  /** Asks the client to tell us when a config file changes, when it can register watchers. */
  async watch(): Promise<void> {
    if (!this.session.support.watchedFilesDynamic) return;
    await this.session.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }] });
  }

  /** True when a watched-file event is about a config file. */
  isConfigUri(uri: string): boolean {
    if (!uri.startsWith('file:')) return false;
    try {
      return fileURLToPath(uri).endsWith(`${sep}${CONFIG_FILE_NAME}`);
    } catch {
      return false;
    }
  }
}
