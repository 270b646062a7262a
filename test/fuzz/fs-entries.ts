// Odd file-system entries a repository can hold, in random trees: named pipes, dangling, looping and
// device symbolic links, folders named like sources, binary, UTF-16 and invalid UTF-8 files, odd
// names (spaces, newlines, non-ASCII, a leading dash), and `.async-boundary.json` entries that are
// not readable files. Property: `check --format json` completes, reports every readable source's
// finding once and nothing else, counts one skip per odd source entry, and exits 2 exactly when a
// config entry cannot be read. Used by the bounded run in `npm test` and by `npm run fuzz`.
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../server/src/cli/main';

const BLOCKING = "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n";
const CLEAN = 'export async function load(p: string) {\n  return p;\n}\n';

/** What an entry is; `reported` ones carry one finding, `skipped` ones get a notice. */
const KINDS = {
  blocking: 'reported',
  'utf-16': 'reported',
  'invalid utf-8': 'reported',
  'folder named like a source': 'reported',
  clean: 'quiet',
  empty: 'quiet',
  'link to a folder': 'quiet',
  fifo: 'skipped',
  'dangling link': 'skipped',
  'looping link': 'skipped',
  'device link': 'skipped',
  binary: 'skipped',
  'config: folder': 'config',
  'config: dangling link': 'config',
  'config: looping link': 'config',
  'config: fifo': 'config',
  'config: too deep': 'config',
} as const;
type Kind = keyof typeof KINDS;

export interface Entry {
  readonly kind: Kind;
  /** Folder under the root (`''` for the root itself). */
  readonly dir: string;
  readonly name: string;
}

const NAMES = ['a', 'with space', 'ünïcödé', 'new\nline', '-dash', '.hidden', 'tab\there', 'x'.repeat(120), '#hash', 'semi;colon'];
const DIRS = ['', 'src', 'src/deep/er', 'lib', 'with space'];

/** Random trees: distinct paths, at most one config entry per folder. */
export function entriesArb(): fc.Arbitrary<Entry[]> {
  const entry = fc.record({ kind: fc.constantFrom(...(Object.keys(KINDS) as Kind[])), dir: fc.constantFrom(...DIRS), name: fc.constantFrom(...NAMES) });
  return fc.uniqueArray(entry, { minLength: 1, maxLength: 12, selector: (e) => (KINDS[e.kind] === 'config' ? `${e.dir}/.async-boundary.json` : `${e.dir}/${e.name}`) });
}

/** Creates the entries under `root`; returns the relative paths that must be reported, and the counts to expect. */
function create(root: string, entries: readonly Entry[]): { reported: string[]; skipped: number; configErrors: number } {
  const reported: string[] = [];
  let skipped = 0;
  let configErrors = 0;
  for (const e of entries) {
    const dir = join(root, e.dir);
    mkdirSync(dir, { recursive: true });
    const rel = (name: string) => (e.dir === '' ? name : `${e.dir}/${name}`);
    const file = join(dir, `${e.name}.ts`);
    const config = join(dir, '.async-boundary.json');
    if (KINDS[e.kind] === 'config') {
      // A config is read for the files it governs: give it one, which is checked with the defaults.
      writeFileSync(join(dir, 'governed.ts'), BLOCKING);
      reported.push(rel('governed.ts'));
    }
    switch (e.kind) {
      case 'blocking':
        writeFileSync(file, BLOCKING);
        break;
      case 'utf-16':
        writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BLOCKING, 'utf16le')]));
        break;
      case 'invalid utf-8':
        writeFileSync(file, Buffer.concat([Buffer.from('// '), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from(BLOCKING), Buffer.from('// '), Buffer.from([0xff, 0xed, 0xa0, 0x80])]));
        break;
      case 'folder named like a source':
        mkdirSync(file);
        writeFileSync(join(file, 'inner.ts'), BLOCKING);
        reported.push(rel(`${e.name}.ts/inner.ts`));
        continue;
      case 'clean':
        writeFileSync(file, CLEAN);
        continue;
      case 'empty':
        writeFileSync(file, '');
        continue;
      case 'link to a folder':
        mkdirSync(join(root, 'elsewhere'), { recursive: true });
        symlinkSync(join(root, 'elsewhere'), file);
        continue;
      case 'fifo':
        execFileSync('mkfifo', [file]);
        skipped++;
        continue;
      case 'dangling link':
        symlinkSync('missing.ts', file);
        skipped++;
        continue;
      case 'looping link':
        symlinkSync(`${e.name}.ts`, file);
        skipped++;
        continue;
      case 'device link':
        symlinkSync('/dev/null', file);
        skipped++;
        continue;
      case 'binary':
        writeFileSync(file, Buffer.concat([Buffer.from(BLOCKING), Buffer.from([0, 1, 2, 0])]));
        skipped++;
        continue;
      case 'config: folder':
        mkdirSync(config);
        configErrors++;
        continue;
      case 'config: dangling link':
        symlinkSync('missing.json', config);
        configErrors++;
        continue;
      case 'config: looping link':
        symlinkSync('.async-boundary.json', config);
        configErrors++;
        continue;
      case 'config: fifo':
        execFileSync('mkfifo', [config]);
        configErrors++;
        continue;
      case 'config: too deep':
        writeFileSync(config, `{ "rules": ${'['.repeat(5_000)}${']'.repeat(5_000)} }`);
        configErrors++;
        continue;
    }
    reported.push(rel(`${e.name}.ts`));
  }
  return { reported: reported.sort(), skipped, configErrors };
}

/** Generous for a few small files on a loaded machine; a run that blocks on a pipe never ends. */
export const FS_RUN_BUDGET_MS = 30_000;

/** The property over one tree; throws a description on failure. */
export async function oddEntriesRun(entries: readonly Entry[]): Promise<void> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ab-fuzz-fs-')));
  try {
    const want = create(root, entries);
    let out = '';
    let err = '';
    const io = { cwd: root, env: {}, isTTY: false, out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      run(['check', '.', '--format', 'json'], io),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`check did not finish in ${FS_RUN_BUDGET_MS} ms`)), FS_RUN_BUDGET_MS))),
    ]).finally(() => clearTimeout(timer));
    const what = `${JSON.stringify(entries)}\nexit ${code}\nstderr: ${err}`;
    let rows: { file: string; rule: string }[];
    try {
      rows = JSON.parse(out) as { file: string; rule: string }[];
    } catch {
      throw new Error(`stdout is not JSON: ${JSON.stringify(out.slice(0, 200))}\n${what}`);
    }
    const files = rows.map((r) => r.file).sort();
    if (JSON.stringify(files) !== JSON.stringify(want.reported)) throw new Error(`reported ${JSON.stringify(files)}, want ${JSON.stringify(want.reported)}\n${what}`);
    if (rows.some((r) => r.rule !== 'blocking-in-async')) throw new Error(`unexpected rules ${JSON.stringify(rows.map((r) => r.rule))}\n${what}`);
    const skipped = Number(/^notice: skipped (\d+) files?/m.exec(err)?.[1] ?? 0);
    if (skipped !== want.skipped) throw new Error(`skipped ${skipped} files, want ${want.skipped}\n${what}`);
    const configErrors = err.match(/\.async-boundary\.json:\d+:\d+: error: /g)?.length ?? 0;
    if (configErrors !== want.configErrors) throw new Error(`${configErrors} config errors, want ${want.configErrors}\n${what}`);
    if (code !== (want.configErrors > 0 ? 2 : 0)) throw new Error(`exit ${code}, want ${want.configErrors > 0 ? 2 : 0}\n${what}`);
    if (/internal error|TypeError|RangeError|at .*\.ts:\d+/.test(err)) throw new Error(`internal error on stderr\n${what}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Runs {@link oddEntriesRun} on random trees for about `ms`; throws with fast-check's shrunk case. */
export async function runOddEntries(ms: number, seed?: number): Promise<number> {
  const deadline = Date.now() + ms;
  let trees = 0;
  // One case per check, so a slow case overruns the budget by itself only; at least one case runs.
  do {
    const result = await fc.check(
      fc.asyncProperty(entriesArb(), async (entries) => {
        trees++;
        await oddEntriesRun(entries);
      }),
      { numRuns: 1, ...(seed !== undefined ? { seed: seed++ } : {}) },
    );
    if (result.failed) throw new Error(`odd file-system entries: ${fc.defaultReportMessage(result) ?? String(result.errorInstance)}`);
  } while (Date.now() < deadline);
  return trees;
}
