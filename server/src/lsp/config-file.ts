// The project config `.async-boundary.json` at the workspace root: read with the engine's
// `parseConfig`, watched, and merged with the editor's `asyncBoundary.rules` setting.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, DidChangeWatchedFilesNotification, type Diagnostic } from 'vscode-languageserver';
import { CONFIG_FILE_NAME, DEFAULT_CONFIG, type Config, type RuleLevel } from '../engine/config';
import { parseConfig } from '../engine/config-parse';
import { DIAGNOSTIC_SOURCE } from '../shared/protocol';
import type { Session } from './session';

const MAX_CONFIG_BYTES = 1024 * 1024;

export class ProjectConfig {
  /** The config file's config, before the editor's rule overrides. */
  private base: Config = DEFAULT_CONFIG;
  /** Merged configs by the JSON of the rule overrides, so the engine's per-config caches stay warm. */
  private merged = new Map<string, Config>();
  private publishedErrors = false;
  private matchers: { included: (p: string) => boolean; excluded: (p: string) => boolean } | undefined;
  /** Settles when the latest {@link load} has; analyses wait for it so they never run with a stale config. */
  loading: Promise<void> = Promise.resolve();

  constructor(private readonly session: Session) {}

  get path(): string | undefined {
    const root = this.session.folders[0];
    return root === undefined ? undefined : join(root, CONFIG_FILE_NAME);
  }

  /**
   * Whether the config's `include`/`exclude` globs let a file be analysed, with the CLI's semantics
   * (globs relative to the config's folder; files outside it are not filtered), so the editor and
   * CI report the same files.
   */
  covers(path: string): boolean {
    const root = this.session.folders[0];
    const { include, exclude } = this.base;
    if (root === undefined || (include.length === 0 && exclude.length === 0)) return true;
    const rel = relative(root, path).split(sep).join('/');
    if (rel.startsWith('../') || isAbsolute(rel)) return true;
    this.matchers ??= {
      included: include.length > 0 ? picomatch([...include], { dot: true }) : () => true,
      excluded: exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false,
    };
    return this.matchers.included(rel) && !this.matchers.excluded(rel);
  }

  /** The config file merged with the editor's per-rule levels (the editor wins). */
  configWith(rules: Readonly<Record<string, RuleLevel>>): Config {
    const key = JSON.stringify(rules);
    let config = this.merged.get(key);
    if (!config) {
      config = Object.keys(rules).length === 0 ? this.base : { ...this.base, rules: { ...this.base.rules, ...rules } };
      this.merged.set(key, config);
    }
    return config;
  }

  /** Reads the config file again. Errors are logged and shown on the file itself. */
  load(): Promise<void> {
    this.loading = this.read();
    return this.loading;
  }

  private async read(): Promise<void> {
    const path = this.path;
    this.merged = new Map();
    this.base = DEFAULT_CONFIG;
    this.matchers = undefined;
    if (path === undefined) return;
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.session.logOnce(`async-boundary: cannot read \`${path}\`: ${String(error)}`);
    }
    const uri = pathToFileURL(path).href;
    if (text === undefined || text.length > MAX_CONFIG_BYTES) {
      this.clearErrors(uri);
      return;
    }
    const { config, errors } = parseConfig(text, path);
    this.base = config;
    const diagnostics: Diagnostic[] = errors.map((e) => {
      this.session.connection.console.warn(`${e.file}:${e.line}:${e.column}: ${e.message}`);
      const start = { line: e.line - 1, character: e.column - 1 };
      return { range: { start, end: start }, severity: DiagnosticSeverity.Error, source: DIAGNOSTIC_SOURCE, message: e.message };
    });
    if (diagnostics.length > 0 || this.publishedErrors) this.session.background(this.session.connection.sendDiagnostics({ uri, diagnostics }), 'publishing config errors');
    this.publishedErrors = diagnostics.length > 0;
  }

  private clearErrors(uri: string): void {
    if (this.publishedErrors) this.session.background(this.session.connection.sendDiagnostics({ uri, diagnostics: [] }), 'clearing config errors');
    this.publishedErrors = false;
  }

  /** Asks the client to tell us when the config file changes, when it can register watchers. */
  async watch(): Promise<void> {
    if (!this.session.support.watchedFilesDynamic) return;
    await this.session.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }] });
  }

  /** True when a watched-file event is about our config file. */
  isConfigUri(uri: string): boolean {
    const path = this.path;
    return path !== undefined && uri === pathToFileURL(path).href;
  }
}
