/** Finds and reads the project config for the CLI; parsing itself is the engine's (`parseConfig`). */
import { stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CONFIG_FILE_NAME, DEFAULT_CONFIG, type Config } from '../engine/config';
import { folderDepth, parseConfig, type ConfigError } from '../engine/config-parse';
import { entryExistsSync, readConfigText } from '../project/config-file';
import { toPosix } from '../project/files';
import { UsageError } from './io';

/** The config the CLI runs with, where it came from, and what was wrong with it. */
export interface LoadedConfig {
  readonly config: Config;
  /** The absolute path of the file, when there was one. */
  readonly path?: string;
  /** The folder `include`/`exclude` globs are relative to. */
  readonly root: string;
  readonly errors: readonly ConfigError[];
  /** Globs that can never match a file, and the like: reported, the config still applies. */
  readonly warnings?: readonly ConfigError[];
}

/** The deepest folder that contains every one of `paths` (a file counts as its folder). */
export async function commonFolder(paths: readonly string[], cwd: string): Promise<string> {
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const info = await stat(abs).catch(() => undefined);
    dirs.push(info?.isDirectory() ? abs : dirname(abs));
  }
  let common = dirs[0] ?? cwd;
  for (const d of dirs.slice(1)) {
    while (relative(common, d).startsWith('..')) common = dirname(common);
  }
  return common;
}

/**
 * Reads and parses one config file. A `--config` file that cannot be read is a usage error; a
 * config found in a folder that cannot be read (a folder of that name, a dangling or looping symbolic
 * link, no permission) is a config error for that folder, whose files are then checked with the defaults.
 */
async function readConfig(path: string, cwd: string, asGiven?: string): Promise<LoadedConfig> {
  const shown = toPosix(relative(cwd, path)) || path;
  const file = shown.startsWith('../../..') ? path : shown;
  const read = await readConfigText(path);
  if ('problem' in read) {
    if (asGiven !== undefined) throw new UsageError(`cannot read config file \`${asGiven}\`: ${read.problem}`);
    const message = `Cannot read the config file: ${read.problem}; the files in this folder are checked with the defaults`;
    return { config: DEFAULT_CONFIG, path, root: dirname(path), errors: [{ file, line: 1, column: 1, path: '', message }] };
  }
  const text = read.text;
  const root = dirname(path);
  const { config, errors, warnings } = parseConfig(text, file, { depth: folderDepth(root) });
  return { config, path, root, errors, warnings };
}

/**
 * The configs of a run. With `--config`, that one file governs every file. Otherwise each file
 * gets the nearest `.async-boundary.json` at or above its folder, stopping at the repository root,
 * which is what the language server does for an open document: the editor and CI agree.
 */
export class ConfigSource {
  /** Folder → the config file governing it (`null`: none). */
  private readonly lookups = new Map<string, string | null>();
  /** Config file → its parse, loaded once. */
  private readonly loaded = new Map<string, Promise<LoadedConfig>>();

  private constructor(
    private readonly cwd: string,
    private readonly explicit: LoadedConfig | undefined,
    /** Called once per config file, when it is first loaded (to report its errors). */
    private readonly onLoad: (loaded: LoadedConfig) => void,
  ) {}

  /** Loads `--config` up front when given, so a missing file stops the run before any output. */
  static async create(explicit: string | undefined, cwd: string, onLoad: (loaded: LoadedConfig) => void): Promise<ConfigSource> {
    const loaded = explicit === undefined ? undefined : await readConfig(resolve(cwd, explicit), cwd, explicit);
    if (loaded) onLoad(loaded);
    return new ConfigSource(cwd, loaded, onLoad);
  }

  /** The config governing files directly in `dir`. */
  async forFolder(dir: string): Promise<LoadedConfig> {
    if (this.explicit) return this.explicit;
    const path = await this.configPathFor(resolve(dir));
    if (path === null) return { config: DEFAULT_CONFIG, root: dir, errors: [] };
    let loading = this.loaded.get(path);
    if (!loading) {
      loading = readConfig(path, this.cwd).then((l) => {
        this.onLoad(l);
        return l;
      });
      this.loaded.set(path, loading);
    }
    return loading;
  }

  /** The config governing the file at absolute `path`. */
  forFile(path: string): Promise<LoadedConfig> {
    return this.forFolder(dirname(path));
  }

  private async configPathFor(start: string): Promise<string | null> {
    const visited: string[] = [];
    let found: string | null = null;
    for (let dir = start; ; dir = dirname(dir)) {
      const known = this.lookups.get(dir);
      if (known !== undefined) {
        found = known;
        break;
      }
      visited.push(dir);
      const candidate = join(dir, CONFIG_FILE_NAME);
      // A dangling or looping link of that name is found too, and reported as unreadable. The checks
      // block: one system call each, once per folder, where the promise API costs a round trip
      // through the thread pool (a warm `--cache` run is mostly such calls).
      if (entryExistsSync(candidate)) {
        found = candidate;
        break;
      }
      if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
    }
    for (const dir of visited) this.lookups.set(dir, found);
    return found;
  }
}
