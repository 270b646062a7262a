// Shared helpers for the CLI tests: temp workspaces and an in-process run of the CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '../../server/src/cli/main';

const ROOT = join(__dirname, '..', '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  let built: number;
  try {
    built = Math.min(statSync(join(ROOT, 'dist', 'cli.js')).mtimeMs, statSync(join(ROOT, 'dist', 'typescript.js')).mtimeMs);
  } catch {
    return true;
  }
  const inputs = [join(ROOT, 'package.json'), join(ROOT, 'scripts', 'build.mjs')].map((f) => statSync(f).mtimeMs);
  return built < Math.max(newestSource(join(ROOT, 'server', 'src')), ...inputs);
}

/**
 * Builds dist/ when a test of the bundles runs alone: `npm test` builds first, a lone `mocha` run
 * rebuilds only when the sources are newer than the bundle.
 */
export function ensureBuilt(): void {
  if (!buildIsStale()) return;
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`scripts/build.mjs failed: ${build.stderr}`);
}

/** A fresh folder with the given files (path → contents). */
export function workspace(files: Record<string, string | Buffer>): string {
  // realpath: macOS and some CI images put tmpdir behind a symlink, and the CLI prints real paths.
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ab-cli-')));
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

export function removeWorkspace(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in-process with `cwd` as its working directory. */
export async function cli(args: readonly string[], cwd: string, options: { env?: Record<string, string>; isTTY?: boolean } = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(args, {
    cwd,
    env: options.env ?? {},
    isTTY: options.isTTY ?? false,
    out: (s) => (out += s),
    err: (s) => (err += s),
  });
  return { code, out, err };
}

/** Runs git in `cwd` with a fixed identity, so commits work on machines without a git config. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** An async function with a blocking call on line 3: the one case every TypeScript frontend must find. */
export const BLOCKING_TS = "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n";
/** The same file without the problem. */
export const CLEAN_TS = "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.promises.readFile(p, 'utf8');\n}\n";
