// The packages a file's project depends on, read from the nearest manifest (package.json,
// Cargo.toml, pyproject.toml or requirements.txt) above it. Fix builders use them to pick a variant (piscina for a worker offload, the
// crate's async runtime). Cached per manifest and re-read when its modification time changes.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { pyprojectDependencies, requirementsDependencies } from '../languages/python/manifest';

const MANIFESTS = ['package.json', 'Cargo.toml', 'pyproject.toml', 'requirements.txt'] as const;
const MAX_MANIFEST_BYTES = 1024 * 1024;

interface Cached {
  readonly mtimeMs: number;
  readonly deps: ReadonlySet<string>;
}

/** Dependency names of a package.json: every dependency section. */
export function packageJsonDependencies(text: string): Set<string> {
  const out = new Set<string>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof json !== 'object' || json === null) return out;
  for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const section = (json as Record<string, unknown>)[key];
    if (typeof section === 'object' && section !== null) for (const name of Object.keys(section)) out.add(name);
  }
  return out;
}

/** Crate names under the `[dependencies]`-like tables of a Cargo.toml (names only; no TOML library needed for that). */
export function cargoTomlDependencies(text: string): Set<string> {
  const out = new Set<string>();
  let inDeps = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const table = /^\[([^\]]+)\]$/.exec(line);
    if (table) {
      const name = table[1]!.trim();
      inDeps = /(^|\.)(dev-|build-)?dependencies$/.test(name);
      const dotted = /(?:^|\.)(?:dev-|build-)?dependencies\.([A-Za-z0-9_-]+)$/.exec(name);
      if (dotted) out.add(dotted[1]!);
      continue;
    }
    if (!inDeps) continue;
    const key = /^([A-Za-z0-9_-]+)\s*=/.exec(line);
    if (key) out.add(key[1]!);
  }
  return out;
}

export class Manifests {
  private readonly cache = new Map<string, Cached>();

  /** Dependencies of the nearest manifest at or above the file's folder; empty when there is none. */
  dependenciesFor(path: string): ReadonlySet<string> {
    if (!isAbsolute(path)) return new Set();
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      for (const name of MANIFESTS) {
        const file = join(dir, name);
        const deps = this.read(file);
        if (deps) return deps;
      }
      if (dirname(dir) === dir) return new Set();
    }
  }

  private read(file: string): ReadonlySet<string> | undefined {
    let mtimeMs: number;
    try {
      const st = statSync(file);
      if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) return undefined;
      mtimeMs = st.mtimeMs;
    } catch {
      return undefined;
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.deps;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const name = basename(file);
    const deps =
      name === 'pyproject.toml' ? pyprojectDependencies(text) : name === 'requirements.txt' ? requirementsDependencies(text) : file.endsWith('.toml') ? cargoTomlDependencies(text) : packageJsonDependencies(text);
    this.cache.set(file, { mtimeMs, deps });
    return deps;
  }
}
