/** Finds and reads the project config for the CLI; parsing itself is the engine's (`parseConfig`). */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { CONFIG_FILE_NAME, DEFAULT_CONFIG, type Config } from '../engine/config';
import { parseConfig, type ConfigError } from '../engine/config-parse';
import { exists, toPosix } from './files';
import { UsageError } from './io';

/** The most a config file may weigh; anything bigger is not a hand-written config. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The config the CLI runs with, where it came from, and what was wrong with it. */
export interface LoadedConfig {
  readonly config: Config;
  /** The absolute path of the file, when there was one. */
  readonly path?: string;
  /** The folder `include`/`exclude` globs are relative to. */
  readonly root: string;
  readonly errors: readonly ConfigError[];
}

/**
 * The config file for a check of `start`: the first `.async-boundary.json` found walking up from
 * `start`, stopping after the first folder that holds `.git` (the repository root).
 */
export async function findConfigFile(start: string): Promise<string | undefined> {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (await exists(candidate)) return candidate;
    if ((await exists(join(dir, '.git'))) || dirname(dir) === dir) return undefined;
  }
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
 * Loads the config: `explicit` (from `--config`) when given, which must exist; otherwise the file
 * {@link findConfigFile} finds from `start`, or the defaults when there is none.
 */
export async function loadConfig(explicit: string | undefined, start: string, cwd: string): Promise<LoadedConfig> {
  const path = explicit !== undefined ? resolve(cwd, explicit) : await findConfigFile(start);
  if (path === undefined) return { config: DEFAULT_CONFIG, root: start, errors: [] };
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_CONFIG_BYTES) throw new UsageError(`config file \`${explicit ?? path}\` is larger than 1 MB: is it the right file?`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read config file \`${explicit ?? path}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const shown = toPosix(relative(cwd, path)) || path;
  const { config, errors } = parseConfig(text, shown.startsWith('../../..') ? path : shown);
  return { config, path, root: dirname(path), errors };
}
