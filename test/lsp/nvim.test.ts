// Neovim (headless) as a second real LSP client, driving the bundled `dist/server.js --stdio`
// through test/nvim/smoke.lua. Installs Neovim from Debian when missing and running as root.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SERVER = join(ROOT, 'dist', 'server.js');
const CLI = join(ROOT, 'dist', 'cli.js');

/** The Lua block the README marks as the Neovim setup, as a user would paste it. */
function readmeSetup(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- neovim-setup[^>]*-->\s*```lua\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README.md has no Lua block after a `<!-- neovim-setup -->` marker');
  return block[1]!;
}

function hasNvim(): boolean {
  return spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Installs Neovim with apt when we are root; returns why it is unavailable otherwise. */
function ensureNvim(): string | undefined {
  if (hasNvim()) return undefined;
  if (process.getuid?.() !== 0) return 'nvim is not installed and installing it needs root (apt-get install neovim)';
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'neovim']);
  return hasNvim() ? undefined : 'apt-get install neovim failed';
}

describe('Neovim as an LSP client', function () {
  this.timeout(300_000);
  let unavailable: string | undefined;
  before(function () {
    unavailable = ensureNvim();
    if (unavailable) {
      console.warn(`  skipping the Neovim test: ${unavailable}`);
      this.skip();
    }
    if (!existsSync(SERVER)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  });

  it('shows the diagnostic, hovers an await and applies the preferred fix (test/nvim/smoke.lua)', function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'ab-nvim-'));
    try {
      const file = join(dir, 'handler.ts');
      copyFileSync(join(ROOT, 'test', 'nvim', 'handler.ts'), file);
      const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(ROOT, 'test', 'nvim', 'smoke.lua')}`], {
        cwd: dir,
        env: { ...process.env, AB_SERVER: SERVER, AB_FILE: file, AB_ROOT: dir, XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir },
        encoding: 'utf8',
        timeout: 50_000,
      });
      assert.equal(run.status, 0, `nvim exited with ${run.status} (${run.signal ?? 'no signal'})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs the README's setup as written: diagnostics, and both commands without a prompt (test/nvim/readme-setup.lua)", function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'ab-nvim-readme-'));
    try {
      const project = join(dir, 'service');
      const bin = join(dir, 'bin');
      mkdirSync(project);
      mkdirSync(bin);
      writeFileSync(join(project, '.async-boundary.json'), '{}\n');
      copyFileSync(join(ROOT, 'test', 'nvim', 'handler.ts'), join(project, 'handler.ts'));
      // What `npm link` puts on PATH: the CLI, whose `lsp --stdio` is the command the README names.
      writeFileSync(join(bin, 'async-boundary'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(join(bin, 'async-boundary'), 0o755);
      writeFileSync(join(dir, 'setup.lua'), readmeSetup());
      const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(ROOT, 'test', 'nvim', 'readme-setup.lua')}`], {
        cwd: project,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, AB_SNIPPET: join(dir, 'setup.lua'), AB_FILE: join(project, 'handler.ts'), XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir },
        encoding: 'utf8',
        input: '',
        timeout: 50_000,
      });
      assert.equal(run.status, 0, `nvim exited with ${run.status} (${run.signal ?? 'no signal'})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads the README's setup through its Neovim 0.11 branch (vim.lsp.config) with the right server config (test/nvim/readme-setup-config.lua)", function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'ab-nvim-config-'));
    try {
      writeFileSync(join(dir, 'setup.lua'), readmeSetup());
      copyFileSync(join(ROOT, 'test', 'nvim', 'handler.ts'), join(dir, 'handler.ts'));
      const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(ROOT, 'test', 'nvim', 'readme-setup-config.lua')}`], {
        cwd: dir,
        env: { ...process.env, AB_SNIPPET: join(dir, 'setup.lua'), AB_FILE: join(dir, 'handler.ts'), XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir },
        encoding: 'utf8',
        input: '',
        timeout: 50_000,
      });
      assert.equal(run.status, 0, `nvim exited with ${run.status} (${run.signal ?? 'no signal'})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      assert.match(run.stdout, /vim\.lsp\.config\): ok/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
