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
  readonly versions: ReadonlyMap<string, string>;
}

const NO_VERSIONS: ReadonlyMap<string, string> = new Map();

/** Dependency names of a package.json: every dependency section. */
export function packageJsonDependencies(text: string): Set<string> {
  return new Set(packageJsonVersions(text).keys());
}

/**
 * The version range each dependency of a package.json asks for (`^3.0.0`, `npm:p-limit@3`), from
 * every dependency section; the first section that names a package wins. A fix reads it to write
 * the import an installed major version accepts (p-limit is CommonJS up to 3, an ES module after).
 */
export function packageJsonVersions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof json !== 'object' || json === null) return out;
  for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const section = (json as Record<string, unknown>)[key];
    if (typeof section !== 'object' || section === null) continue;
    for (const [name, range] of Object.entries(section)) if (!out.has(name)) out.set(name, typeof range === 'string' ? range : '');
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
    return this.nearest(path)?.deps ?? new Set();
  }

  /** What a fix builder reads of the nearest manifest: the dependencies and, from a package.json, their version ranges. */
  fixContextFor(path: string): { dependencies: ReadonlySet<string>; versions: ReadonlyMap<string, string> } {
    const hit = this.nearest(path);
    return { dependencies: hit?.deps ?? new Set(), versions: hit?.versions ?? NO_VERSIONS };
  }

  private nearest(path: string): Cached | undefined {
    if (!isAbsolute(path)) return undefined;
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      for (const name of MANIFESTS) {
        const hit = this.read(join(dir, name));
        if (hit) return hit;
      }
      if (dirname(dir) === dir) return undefined;
    }
  }

  private read(file: string): Cached | undefined {
    let mtimeMs: number;
    try {
      const st = statSync(file);
      if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) return undefined;
      mtimeMs = st.mtimeMs;
    } catch {
      return undefined;
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const name = basename(file);
    const versions = name === 'package.json' ? packageJsonVersions(text) : NO_VERSIONS;
    const deps =
      name === 'pyproject.toml' ? pyprojectDependencies(text) : name === 'requirements.txt' ? requirementsDependencies(text) : file.endsWith('.toml') ? cargoTomlDependencies(text) : new Set(versions.keys());
    const cached = { mtimeMs, deps, versions };
    this.cache.set(file, cached);
    return cached;
  }
}
