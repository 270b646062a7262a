/**
 * One isolated code-server per run: fresh user-data, extensions, XDG and TMP dirs, our .vsix
 * installed into them, started in its own process group so the whole tree (including the
 * file watcher a plain kill leaves behind) is ended with one group kill.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, closeSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { until } from './wait';

const execFileP = promisify(execFile);

export interface CodeServerTools {
  /** Node 24 binary code-server was built for. */
  readonly node: string;
  /** `code-server/out/node/entry.js`. */
  readonly entry: string;
}

/** Settings that keep the workbench quiet and deterministic (no welcome page, telemetry, updates, AI panels). */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'files.hotExit': 'off',
  'workbench.enableExperiments': false,
  // The fixture has no node_modules: without this the built-in TypeScript service reports
  // "Cannot find module 'fs'" next to our findings and clutters the Problems panel.
  'typescript.validate.enable': false,
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
};

export class CodeServer {
  readonly port: number;
  readonly dirs: { userData: string; extensions: string; logs: string };
  private proc: ChildProcess | undefined;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(private readonly tools: CodeServerTools, root: string, port: number, extraEnv: NodeJS.ProcessEnv) {
    this.port = port;
    const d = (name: string): string => {
      const p = path.join(root, name);
      mkdirSync(p, { recursive: true });
      return p;
    };
    this.dirs = { userData: d('user-data'), extensions: d('extensions'), logs: d('logs') };
    this.env = {
      ...process.env,
      ...extraEnv,
      XDG_CONFIG_HOME: d('xdg-config'),
      XDG_DATA_HOME: d('xdg-data'),
      XDG_CACHE_HOME: d('xdg-cache'),
      TMPDIR: d('tmp'),
      // Never let the parent's node options (tsx loaders from mocha) leak into the extension host.
      NODE_OPTIONS: '',
      PATH: `${path.dirname(tools.node)}:${process.env.PATH ?? ''}`,
    };
  }

  /** Prepares the dirs under `root` on a free loopback port; nothing runs yet. */
  static async create(tools: CodeServerTools, root: string, extraEnv: NodeJS.ProcessEnv): Promise<CodeServer> {
    return new CodeServer(tools, root, await freePort(), extraEnv);
  }

  private baseArgs(): string[] {
    return [this.tools.entry, '--user-data-dir', this.dirs.userData, '--extensions-dir', this.dirs.extensions];
  }

  /** `code-server --install-extension`: the only way an extension loads in code-server's Node host. */
  async installExtension(vsix: string): Promise<string> {
    const { stdout, stderr } = await execFileP(this.tools.node, [...this.baseArgs(), '--install-extension', vsix, '--force'], {
      env: this.env,
      timeout: 180_000,
    });
    const out = `${stdout}${stderr}`;
    if (!/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed: ${out.trim()}`);
    return out.trim();
  }

  writeUserFile(name: string, value: unknown): void {
    const dir = path.join(this.dirs.userData, 'User');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2));
  }

  seedSettings(extra: Record<string, unknown> = {}): void {
    this.writeUserFile('settings.json', { ...SETTINGS, ...extra });
  }

  /** Starts the server (a new session, hence a new process group) and waits for `/healthz`. */
  async start(): Promise<void> {
    const log = openSync(path.join(this.dirs.logs, 'code-server.log'), 'a');
    this.proc = spawn(
      this.tools.node,
      [
        ...this.baseArgs(),
        '--bind-addr', `127.0.0.1:${this.port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--reconnection-grace-time', '5',
      ],
      // detached = setsid(): the server leads its own group, so stop() can kill the whole tree.
      { env: this.env, detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const exited = new Promise<never>((_, reject) =>
      this.proc!.once('exit', (code, sig) => reject(new Error(`code-server exited early (${code ?? sig}); see ${this.dirs.logs}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([
      exited,
      until(async () => (await httpStatus(`${this.url}/healthz`)) === 200, { what: 'code-server /healthz', timeoutMs: 60_000 }),
    ]);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The server's pid, which is also its process-group id (0 before start). */
  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  /** Kills the whole process group and waits for the leader to go. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p?.pid || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    const kill = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-p.pid!, sig);
      } catch {
        /* already gone */
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    kill('SIGKILL'); // stragglers in the group (watchers, extension host)
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}
