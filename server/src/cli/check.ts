/** `async-boundary check`: analyse files and report findings as text, JSON or SARIF. */
import { realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { version } from '../../../package.json';
import { formatConfigError, formatConfigWarning } from '../engine/config-parse';
import { globMatcher } from '../engine/glob';
import { supportedExtensions } from '../project/languages';
import { cacheLocation, ResultCache, toolIdentity } from './cache';
import { checkInOrder, keyOfConfig, ownKey, TaskRunner, type CheckItem, type ItemOutcome } from './check-pipeline';
import { linkResults, type Summarised } from './check-links';
import type { Position1 } from './check-tasks';
import { changedLines, inDiff, type ChangedLines } from './diff';
import { exists, KnownSource, PathNotFoundError, readSource, stampOf, toPosix, walkEntries, type SourceRead } from '../project/files';
import { formatText, oneLine, summaryLine } from './format-text';
import { buildSarif, ruleDocsUri, type FileNotice } from './format-sarif';
import { commonFolder, ConfigSource, type LoadedConfig } from './config-load';
import { UsageError, useColor, type CliIo } from './io';
import type { Command } from './main';
import { formatJson, place, type Reported } from './report';
import { atLeast, parseMinSeverity, parseRolesOption, RoleRun } from './roles';
import type { Severity } from '../engine/finding';
import type { CodeRole } from '../engine/model';
import type { RuleLevel } from '../engine/config';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** The help text of `check`; the README's usage section shows the same text. */
export const CHECK_HELP = `Usage: async-boundary check [paths…] [options]

Checks the files under each path (default: the current folder) and reports findings.

Options:
  --format text|json|sarif  output format (default: text)
  --diff REF                report only findings on lines this branch changed relative to
                            the git ref REF (since their merge base, uncommitted changes
                            and untracked files included)
  --config FILE             use this config file instead of the nearest .async-boundary.json
  --jobs N|auto             analyse on N worker threads (1: in this process; default: auto,
                            one per two cores, from 4 cores, once the run has more than a
                            few dozen files; in this process otherwise)
  --cache                   reuse the results of files unchanged since the last run with --cache
  --cache-location PATH     the cache file, or a folder to keep it in (default:
                            node_modules/.cache/async-boundary/ if there is a node_modules
                            folder, else .async-boundary-cache in the working directory)
  --roles ROLE=LEVEL,…      how loudly to report code of each role (production, startup,
                            script, test, bench, example), over the config's \`roles\`;
                            \`--roles test=warning\` checks tests (default: test, bench and
                            example files are not checked)
  --min-severity LEVEL      hide findings below LEVEL: error, warning, info or hint
                            (default: info; startup code and scripts are reported at hint)
  --max-warnings N          exit with status 1 when more than N warnings are reported
  --help                    show this help

Colour and, under each finding, a code frame and the rule's docs link are printed when
standard output is a terminal; NO_COLOR turns colour off, FORCE_COLOR turns it on.

Exit status: 0 no finding at error severity, 1 findings at error severity (or more
warnings than --max-warnings), 2 usage error or errors in the config file.
`;

interface CheckOptions {
  readonly paths: readonly string[];
  readonly format: Format;
  readonly diff?: string;
  readonly config?: string;
  readonly jobs: number | 'auto';
  /** The cache file's location as given (`--cache-location`), when `--cache` is on. */
  readonly cache?: { readonly location?: string };
  readonly roles: Partial<Record<CodeRole, RuleLevel>>;
  readonly minSeverity: Severity;
  /** Exit 1 when more warnings than this are reported (`--max-warnings`). */
  readonly maxWarnings?: number;
}

function parseJobs(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`\`--jobs\` takes a whole number of threads (1 or more) or \`auto\`, not \`${value}\``);
  return n;
}

function parseMaxWarnings(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`\`--max-warnings\` takes a whole number (0 or more), not \`${value}\``);
  return n;
}

function parseCheckArgs(args: readonly string[]): CheckOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        diff: { type: 'string' },
        config: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        cache: { type: 'boolean' },
        'cache-location': { type: 'string' },
        roles: { type: 'string', multiple: true },
        'min-severity': { type: 'string' },
        'max-warnings': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(String((error as Error).message));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const format = v.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format \`${format}\`: use one of \`text\`, \`json\`, \`sarif\``);
  const jobs = parseJobs(v.jobs);
  if (v['cache-location'] !== undefined && !v.cache) throw new UsageError('`--cache-location` needs `--cache`');
  const cache = v.cache ? { ...(v['cache-location'] !== undefined ? { location: v['cache-location'] } : {}) } : undefined;
  // An empty argument (an unset shell variable) would resolve to the working directory and check everything.
  if (parsed.positionals.includes('')) throw new UsageError('an empty path was given: name a file or folder (`.` for the current folder)');
  return {
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['.'],
    format: format as Format,
    jobs,
    ...(v.diff !== undefined ? { diff: v.diff } : {}),
    ...(v.config !== undefined ? { config: v.config } : {}),
    ...(cache ? { cache } : {}),
    roles: parseRolesOption(v.roles ?? []),
    ...(v['max-warnings'] !== undefined ? { maxWarnings: parseMaxWarnings(v['max-warnings']) } : {}),
    minSeverity: parseMinSeverity(v['min-severity']),
  };
}

const filters = new WeakMap<LoadedConfig, (abs: string) => boolean>();

/** The config's `include`/`exclude` as a test on absolute paths (built once per config), relative to the config's folder. */
function fileFilter(loaded: LoadedConfig): (abs: string) => boolean {
  let filter = filters.get(loaded);
  if (!filter) filters.set(loaded, (filter = buildFilter(loaded)));
  return filter;
}

function buildFilter(loaded: LoadedConfig): (abs: string) => boolean {
  const { include, exclude } = loaded.config;
  if (include.length === 0 && exclude.length === 0) return () => true;
  const included = include.length > 0 ? globMatcher(include) : () => true;
  const excluded = exclude.length > 0 ? globMatcher(exclude) : () => false;
  return (abs) => {
    // Relative to the config's folder, as documented: a file outside it (a `--config` elsewhere) is `../…`, which `../` globs match.
    const rel = toPosix(relative(loaded.root, abs));
    if (isAbsolute(rel)) return true; // another drive: no relative path exists
    return included(rel) && !excluded(rel);
  };
}

async function check(options: CheckOptions, io: CliIo): Promise<number> {
  // Checked up front, so a typo in the last path does not cut a report short halfway.
  for (const p of options.paths) if (!(await exists(resolve(io.cwd, p)))) throw new UsageError(`path not found: \`${p}\``);
  let configErrors = 0;
  const configs = await ConfigSource.create(options.config, io.cwd, (loaded) => {
    configErrors += loaded.errors.length;
    for (const e of loaded.errors) io.err(`${formatConfigError(e)}\n`);
    for (const w of loaded.warnings ?? []) io.err(`${formatConfigWarning(w)}\n`);
  });
  // The config of the checked folder describes the run (SARIF rule levels), and its errors are reported even if no file uses it.
  const runConfig = await configs.forFolder(await commonFolder(options.paths, io.cwd));
  const changed: ChangedLines | undefined = options.diff !== undefined ? await changedLines(options.diff, io.cwd) : undefined;
  const cache = options.cache ? await ResultCache.open(await cacheLocation(options.cache.location, io.cwd)) : undefined;
  if (cache?.rejected) io.err(`notice: ignored the cache ${toPosix(relative(io.cwd, cache.path)) || cache.path}: ${cache.rejected}; it is rewritten\n`);
  const text = options.format === 'text';
  const color = useColor(io);
  const findings: Reported[] = [];
  const roles = new RoleRun(io.cwd, options.roles, options.paths);
  let files = 0;
  let skipped = 0;
  let unreadableFolders = 0;
  let internalErrors = 0;
  let frontendNoticed = false;
  let syntaxErrorFiles = 0;
  let tooDeepFiles = 0;
  const notices: FileNotice[] = [];
  const extensions = new Set(supportedExtensions());
  const onUnsupported = (path: string): void => {
    skipped++;
    if (text) io.err(`notice: skipped ${path}: no language frontend handles \`${extname(path) || path}\` files (supported: ${[...extensions].join(' ')})\n`);
  };
  interface Selected extends CheckItem {
    readonly shown: string;
    readonly keep: ((line: number) => boolean) | undefined;
  }
  // Selection and reading stay here, in walk order; the pipeline analyses (or takes from the cache)
  // and hands each file back in that same order, whatever the number of threads.
  async function* selected(): AsyncGenerator<Selected> {
    const onUnreadable = (dir: string, reason: string): void => {
      unreadableFolders++;
      if (text) io.err(`notice: skipped the folder ${oneLine(toPosix(relative(io.cwd, dir)) || dir)}: it cannot be read (${reason})\n`);
    };
    for await (const { path: abs, regular } of walkEntries(options.paths, io.cwd, { extensions, onUnsupported, onUnreadable })) {
      const loaded = await configs.forFile(abs);
      if (!fileFilter(loaded)(abs)) continue;
      // git reports real paths; the walk may have come through a symlink (macOS's /tmp, a linked checkout).
      const diffKey = changed ? await realpath(abs).catch(() => abs) : abs;
      if (changed && !changed.has(diffKey)) continue;
      const config = roles.config(loaded.config);
      const location = await roles.locate(abs, loaded);
      // Tests, benches and examples are off by default: their files are not even read.
      if (roles.skipWhole(config, location)) continue;
      const shown = toPosix(relative(io.cwd, abs)) || abs;
      yield { abs, shown, config, location, summaryPath: location.projectPath ?? shown, source: await readKnown(abs, regular), keep: changed ? (line) => inDiff(changed, diffKey, line) : undefined };
    }
  }
  /**
   * A file's source: with `--cache`, a file the walk saw as regular whose stamp is the one a past run
   * read it with is not read (its digest is known; its text is read if an analysis or a code frame
   * needs it); else it is read.
   */
  async function readKnown(abs: string, regular: boolean): Promise<SourceRead> {
    if (cache && regular) {
      const stamp = stampOf(abs);
      const digest = stamp ? cache.digestFor(abs, stamp) : undefined;
      if (stamp && digest !== undefined) return new KnownSource(abs, digest, { stamp, readAt: Date.now() });
    }
    return readSource(abs, regular);
  }
  const tool = cache ? await toolIdentity(version, __filename) : '';
  const cacheOption = cache ? { cache: { store: cache, tool } } : {};
  // First pass: every file on its own, with its cross-file summary. Second pass: the files whose
  // calls reach blocking work or I/O in another file, with the linker's answer (cli/check-links.ts).
  const done: [Selected, ItemOutcome][] = [];
  // One runner for both passes: threads started by the first are reused by the second.
  const runner = new TaskRunner({ jobs: options.jobs });
  try {
    for await (const pair of checkInOrder(selected(), { jobs: options.jobs, runner, ...cacheOption })) done.push([pair[0], pair[1]]);
    await linkResults(done, { ...cacheOption, runner, load: (abs, fresh) => summaryOutside(abs, fresh) });
  } finally {
    await runner.close();
  }
  /**
   * The summary of a file outside the selection that an import names (a test helper, a file under
   * another root), analysed on the runner; with `--cache` its result is kept under the key a
   * selected file's would have, so a warm run analyses (and loads a frontend for) nothing unchanged.
   * With `fresh`, any file, analysed even when the cache has its result: its cached summary was not valid.
   */
  async function summaryOutside(abs: string, fresh = false): Promise<Summarised | undefined> {
    const loaded = await configs.forFile(abs);
    if (!fileFilter(loaded)(abs)) return undefined;
    const read = await readSource(abs);
    if ('skipped' in read) return undefined;
    const location = await roles.locate(abs, loaded);
    const config = roles.config(loaded.config);
    const ck = keyOfConfig(config);
    const key = cache ? ownKey(tool, ck, read, location) : undefined;
    const hit = cache && key !== undefined && !fresh ? cache.get(abs, key) : undefined;
    if (hit) return hit;
    const result = await runner.run({ kind: 'analyze', input: { path: abs, text: read.text, config, configKey: ck, location, summaryPath: location.projectPath ?? (toPosix(relative(io.cwd, abs)) || abs), ...(cache ? { digest: true } : {}) } });
    if (cache && key !== undefined) cache.set(abs, key, result);
    return result;
  }
  for (const [file, outcome] of done) {
    if ('skipped' in outcome) {
      skipped++;
      if (text) io.err(`notice: skipped ${oneLine(file.shown)}: it ${outcome.skipped}\n`);
      continue;
    }
    files++;
    const { result } = outcome;
    if (result.frontendError !== undefined && !frontendNoticed) {
      frontendNoticed = true;
      // A grammar that fails to load costs its language, not the run: its files come back with no findings.
      io.err(`async-boundary: a language frontend failed to load (${result.frontendError}); files in that language are not checked\n`);
    }
    if (result.syntaxError) {
      syntaxErrorFiles++;
      const at = result.syntaxError;
      notices.push({ file: file.shown, ...at, message: 'The file has a syntax error here: findings after it may be missing' });
      if (text) io.err(`notice: ${oneLine(file.shown)}:${at.line}:${at.column}: syntax error; findings after it may be missing\n`);
    }
    if (result.nestingCuts) {
      tooDeepFiles++;
      const [at, ...also] = result.nestingCuts;
      notices.push({ file: file.shown, ...at!, ...(also.length > 0 ? { also } : {}), message: also.length > 0 ? 'Code nested deeper than the parser supports starts here and at each other location: what is inside was not analysed' : 'Code nested deeper than the parser supports starts here: what is inside this bracket was not analysed' });
      if (text) io.err(`notice: ${oneLine(file.shown)}:${at!.line}:${at!.column}: nested too deeply to analyse${alsoAt(also)}; the code inside ${also.length > 0 ? 'each' : 'this bracket'} was not checked, the rest of the file was\n`);
    }
    for (const e of result.errors) {
      internalErrors++;
      io.err(`async-boundary: internal error in ${e.where} on ${file.shown}: ${e.message}\n`);
    }
    const all = place(result.findings, file.abs, io.cwd, file.keep);
    const found = all.filter((f) => atLeast(f.severity, options.minSeverity));
    roles.hidden += all.length - found.length;
    if (text) io.out(formatText(found, color, io.isTTY && found.length > 0 ? frameSource(file.source, io) : undefined));
    findings.push(...found);
  }
  const cacheProblem = await cache?.save();
  if (cache && cacheProblem !== undefined) io.err(`notice: could not write the cache ${toPosix(relative(io.cwd, cache.path)) || cache.path} (${cacheProblem}); the next run starts cold\n`);
  if (!text && unreadableFolders > 0) io.err(`notice: skipped ${unreadableFolders} ${unreadableFolders === 1 ? 'folder' : 'folders'} that cannot be read\n`);
  if (!text && skipped > 0) io.err(`notice: skipped ${skipped} ${skipped === 1 ? 'file' : 'files'} (larger than 1 MB, binary, unreadable, or in no supported language)\n`);
  if (!text && syntaxErrorFiles > 0) io.err(`notice: ${syntaxErrorFiles} ${syntaxErrorFiles === 1 ? 'file has' : 'files have'} syntax errors; findings after the first error in each may be missing\n`);
  if (!text && tooDeepFiles > 0) io.err(`notice: ${tooDeepFiles} ${tooDeepFiles === 1 ? 'file has' : 'files have'} code nested too deeply to analyse; the rest of ${tooDeepFiles === 1 ? 'it was' : 'them was'} checked\n`);
  if (options.format === 'json') io.out(formatJson(findings));
  else if (options.format === 'sarif') io.out(`${JSON.stringify(buildSarif(findings, runConfig.config, version, io.cwd, notices), null, 2)}\n`);
  else io.out(`${summaryLine(findings, files)}\n`);
  for (const note of roles.notes(options.minSeverity)) {
    if (text) io.out(`${note}\n`);
    else io.err(`notice: ${note}\n`);
  }
  if (internalErrors > 0) io.err(`async-boundary: ${internalErrors} internal ${internalErrors === 1 ? 'error' : 'errors'}; the results above may be incomplete\n`);
  if (configErrors > 0) {
    io.err(`async-boundary: the config has ${configErrors} ${configErrors === 1 ? 'error' : 'errors'}; its valid parts were used (exit status 2)\n`);
    return 2;
  }
  if (findings.some((f) => f.severity === 'error')) return 1;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.err(`async-boundary: ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}, more than \`--max-warnings ${options.maxWarnings}\` allows (exit status 1)\n`);
    return 1;
  }
  return 0;
}

/** Columns to wrap messages at: `COLUMNS` when the shell exports it, else 100; never under 60. */
/** The other places a notice is about, as ` (also at 40:3, 90:1 and 3 more)`; empty when there are none. */
function alsoAt(also: readonly Position1[]): string {
  if (also.length === 0) return '';
  const shown = also.slice(0, ALSO_SHOWN).map((p) => `${p.line}:${p.column}`);
  const more = also.length - shown.length;
  return ` (also at ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
}
const ALSO_SHOWN = 5;

/** What a code frame needs of a file: its text (read now when the cache knew the file by its stamp; none when it can no longer be read). */
function frameSource(source: SourceRead, io: CliIo): { source: string; docsUri: typeof ruleDocsUri; width: number } | undefined {
  if ('skipped' in source) return undefined;
  let text: string;
  try {
    text = source.text;
  } catch {
    return undefined;
  }
  return { source: text, docsUri: ruleDocsUri, width: terminalWidth(io) };
}

function terminalWidth(io: CliIo): number {
  const n = Number(io.env['COLUMNS']);
  return Number.isFinite(n) && n >= 60 ? Math.min(n, 200) : 100;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check files for async-boundary problems (text, JSON or SARIF)',
  async run(args, io) {
    try {
      const options = parseCheckArgs(args);
      if (options === 'help') {
        io.out(CHECK_HELP);
        return 0;
      }
      return await check(options, io);
    } catch (caught) {
      const error = caught instanceof PathNotFoundError ? new UsageError(caught.message) : caught;
      if (!(error instanceof UsageError)) throw error;
      io.err(`async-boundary check: ${error.message}\nRun \`async-boundary check --help\` for usage.\n`);
      return 2;
    }
  },
};
