/** Finds (installing when missing, via the cached setup script) the tools the editor suite needs. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface Tools {
  readonly node: string;
  readonly entry: string;
  readonly chromium: string;
}

/** Thrown when the machine cannot host the suite (no Chromium, no code-server build): the run is skipped, not failed. */
export class InfraError extends Error {}

export async function resolveTools(repo: string): Promise<Tools> {
  const script = path.join(repo, 'scripts/e2e/setup.sh');
  let stdout: string;
  try {
    // Cold, this compiles code-server's native modules (~9 min); warm it only checks markers.
    ({ stdout } = await execFileP('bash', [script], { cwd: repo, maxBuffer: 16 << 20, timeout: 45 * 60_000 }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new InfraError(`scripts/e2e/setup.sh failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-8).join('\n')}`);
  }
  const kv = new Map(stdout.split('\n').map((l) => l.split('=') as [string, string]).filter((p) => p.length === 2));
  const tools = { node: kv.get('E2E_NODE') ?? '', entry: kv.get('E2E_CODE_SERVER') ?? '', chromium: kv.get('E2E_CHROMIUM') ?? '' };
  for (const [k, v] of Object.entries(tools)) if (!v || !existsSync(v)) throw new InfraError(`setup.sh gave no usable ${k} (${v || 'empty'})`);
  return tools;
}
