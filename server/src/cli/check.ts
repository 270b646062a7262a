/** `async-boundary check`: analyse files and report findings as text, JSON or SARIF. */
import { realpath } from 'node:fs/promises';
import { extname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { version } from '../../../package.json';
import { analyze } from '../engine/analyze';
import { formatConfigError } from '../engine/config-parse';
import { initFrontends, supportedExtensions } from '../languages';
import { changedLines, inDiff, type ChangedLines } from './diff';
import { exists, readSource, toPosix, walkFiles } from './files';
import { formatText, summaryLine } from './format-text';
import { buildSarif } from './format-sarif';
import { commonFolder, ConfigSource, type LoadedConfig } from './config-load';
import { UsageError, useColor, type CliIo } from './io';
import type { Command } from './main';
import { formatJson, report, type Reported } from './report';

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
  --help                    show this help

Exit status: 0 no finding at error severity, 1 findings at error severity,
2 usage error or errors in the config file.
`;

interface CheckOptions {
  readonly paths: readonly string[];
  readonly format: Format;
  readonly diff?: string;
  readonly config?: string;
}

function parseCheckArgs(args: readonly string[]): CheckOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { format: { type: 'string' }, diff: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(String((error as Error).message));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const format = v.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format \`${format}\`: use one of \`text\`, \`json\`, \`sarif\``);
  return { paths: parsed.positionals.length > 0 ? parsed.positionals : ['.'], format: format as Format, ...(v.diff !== undefined ? { diff: v.diff } : {}), ...(v.config !== undefined ? { config: v.config } : {}) };
}

const filters = new WeakMap<LoadedConfig, (abs: string) => boolean>();

/** The config's `include`/`exclude` as a test on absolute paths (built once per config); paths outside the config's folder are not filtered. */
function fileFilter(loaded: LoadedConfig): (abs: string) => boolean {
  let filter = filters.get(loaded);
  if (!filter) filters.set(loaded, (filter = buildFilter(loaded)));
  return filter;
}

function buildFilter(loaded: LoadedConfig): (abs: string) => boolean {
  const { include, exclude } = loaded.config;
  if (include.length === 0 && exclude.length === 0) return () => true;
  const opts = { dot: true };
  const included = include.length > 0 ? picomatch([...include], opts) : () => true;
  const excluded = exclude.length > 0 ? picomatch([...exclude], opts) : () => false;
  return (abs) => {
    const rel = toPosix(relative(loaded.root, abs));
    if (rel.startsWith('../')) return true;
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
  });
  // The config of the checked folder describes the run (SARIF rule levels), and its errors are reported even if no file uses it.
  const runConfig = await configs.forFolder(await commonFolder(options.paths, io.cwd));
  const changed: ChangedLines | undefined = options.diff !== undefined ? await changedLines(options.diff, io.cwd) : undefined;
  try {
    await initFrontends();
  } catch (error) {
    // A grammar that fails to load costs its language, not the run: its files come back with no findings.
    io.err(`async-boundary: a language frontend failed to load (${error instanceof Error ? error.message : String(error)}); files in that language are not checked\n`);
  }
  const text = options.format === 'text';
  const color = useColor(io);
  const findings: Reported[] = [];
  let files = 0;
  let skipped = 0;
  let internalErrors = 0;
  const extensions = new Set(supportedExtensions());
  const onUnsupported = (path: string): void => {
    skipped++;
    if (text) io.err(`notice: skipped ${path}: no language frontend handles \`${extname(path) || path}\` files (supported: ${[...extensions].join(' ')})\n`);
  };
  for await (const abs of walkFiles(options.paths, io.cwd, { extensions, onUnsupported })) {
    const loaded = await configs.forFile(abs);
    if (!fileFilter(loaded)(abs)) continue;
    // git reports real paths; the walk may have come through a symlink (macOS's /tmp, a linked checkout).
    const diffKey = changed ? await realpath(abs).catch(() => abs) : abs;
    if (changed && !changed.has(diffKey)) continue;
    const source = await readSource(abs);
    const shown = toPosix(relative(io.cwd, abs)) || abs;
    if ('skipped' in source) {
      skipped++;
      if (text) io.err(`notice: skipped ${shown}: it ${source.skipped}\n`);
      continue;
    }
    files++;
    const analysis = analyze({ path: abs, text: source.text }, loaded.config, {
      onError: (where, error) => {
        internalErrors++;
        io.err(`async-boundary: internal error in ${where} on ${shown}: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    });
    if (!analysis) continue;
    const found = report(analysis, abs, io.cwd, changed ? (line) => inDiff(changed, diffKey, line) : undefined);
    // Text is printed file by file so a long run shows progress; the structured formats need the whole list.
    if (text) io.out(formatText(found, color));
    findings.push(...found);
  }
  if (!text && skipped > 0) io.err(`notice: skipped ${skipped} ${skipped === 1 ? 'file' : 'files'} (larger than 1 MB, binary, unreadable, or in no supported language)\n`);
  if (options.format === 'json') io.out(formatJson(findings));
  else if (options.format === 'sarif') io.out(`${JSON.stringify(buildSarif(findings, runConfig.config, version, io.cwd), null, 2)}\n`);
  else io.out(`${summaryLine(findings, files)}\n`);
  if (internalErrors > 0) io.err(`async-boundary: ${internalErrors} internal ${internalErrors === 1 ? 'error' : 'errors'}; the results above may be incomplete\n`);
  if (configErrors > 0) {
    io.err(`async-boundary: the config has ${configErrors} ${configErrors === 1 ? 'error' : 'errors'}; its valid parts were used (exit status 2)\n`);
    return 2;
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
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
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.err(`async-boundary check: ${error.message}\nRun \`async-boundary check --help\` for usage.\n`);
      return 2;
    }
  },
};
