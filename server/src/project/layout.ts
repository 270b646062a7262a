/**
 * The project's layout for the linker (engine/linker.ts `ProjectLayout`): where the packages that
 * code imports by name live. Read from the manifests above the files being linked: for Go, every
 * `go.mod` at or above a `.go` file (its module path); for Python, the folders with a project file;
 * for Rust, every
 * `Cargo.toml` at or above a `.rs` file, the members of a `[workspace]` (folders and `dir/*` globs),
 * and path dependencies; for TS/JS, tsconfig `paths`, package.json `imports` and the packages of
 * the workspace (project/node-layout.ts); for Python, the folders of its manifests; for Java, the
 * source roots the paths are under. The resolvers receive it as plain data.
 */
import { dirname, join, resolve } from 'node:path';
import type { ProjectLayout } from '../engine/linker';
import { cargoManifest, type CargoManifest } from '../languages/rust/manifest';
import { readNodeLayout } from './node-layout';
import { ConfigReader } from './read-config';

const NODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** Reads the layout of the project around `paths` (absolute file paths): Rust's crates and TS/JS's aliases and packages. */
export async function readProjectLayout(paths: Iterable<string>, reader = new ConfigReader()): Promise<ProjectLayout> {
  const list = [...paths];
  const nodeDirs = new Set<string>();
  for (const p of list) if (NODE_FILE.test(p)) nodeDirs.add(dirname(p));
  // One reader for both: its budget and its answers are shared.
  const [rust, node, pythonRoots, goModules] = await Promise.all([
    readRustLayout(list, reader),
    nodeDirs.size > 0 ? readNodeLayout(nodeDirs, reader) : undefined,
    readPythonRoots(list, reader),
    readGoModules(list, reader),
  ]);
  const javaRoots = readJavaRoots(list);
  const base = {
    ...rust,
    ...(pythonRoots.length > 0 ? { pythonRoots } : {}),
    ...(javaRoots.length > 0 ? { javaRoots } : {}),
    ...(goModules.size > 0 ? { goModules } : {}),
  };
  if (!node) return base;
  return {
    ...base,
    ...(node.tsconfigs.size > 0 ? { tsconfigs: node.tsconfigs } : {}),
    ...(node.importMaps.size > 0 ? { importMaps: node.importMaps } : {}),
    ...(node.nodePackages.size > 0 ? { nodePackages: node.nodePackages } : {}),
  };
}

/** Java's source roots among `paths`, from the paths alone: the `src/main/java`, `src/test/java` or `src/java` folder above each `.java` file. */
function readJavaRoots(paths: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const p of paths) {
    if (!p.endsWith('.java')) continue;
    const m = /^(.*?[\\/]src[\\/](?:(?:main|test)[\\/])?java)[\\/]/.exec(p);
    if (m) roots.add(m[1]!);
  }
  return [...roots];
}

/** At most this many Python source roots are inferred from package folders (`readPythonRoots`). */
const MAX_PYTHON_FALLBACK_ROOTS = 32;

/** Python's source roots around `paths`: each folder above a `.py` file with a project manifest, and its `src/`; then the folder above each file's top-level package. */
async function readPythonRoots(paths: readonly string[], reader: ConfigReader): Promise<string[]> {
  const dirs = new Set<string>();
  for (const p of paths) {
    if (!p.endsWith('.py')) continue;
    for (let d = dirname(p); !dirs.has(d); d = dirname(d)) {
      dirs.add(d);
      if (dirname(d) === d) break;
    }
  }
  const roots: string[] = [];
  const packageFolder = new Map<string, boolean>();
  for (const dir of dirs) {
    const listing = await reader.listing(dir);
    packageFolder.set(dir, listing?.get('__init__.py') === 'file');
    if (!listing || !['pyproject.toml', 'setup.py', 'setup.cfg'].some((n) => listing.has(n))) continue;
    roots.push(dir);
    if (listing.get('src') === 'dir') roots.push(join(dir, 'src'));
  }
  // Without a manifest that says where they start (a service deployed from a requirements.txt, run
  // as `uvicorn app.main:app` from the folder above its package, or a `src/` layout whose manifest
  // is elsewhere), absolute imports start at the folder above each file's top-level package: the
  // first folder up with no `__init__.py`, which is where Python's path puts them.
  // A loose script's own folder counts only where no manifest covers it: every root is tried for
  // every absolute name, so a repository of scattered scripts must not make hundreds of them.
  const manifestRoots = [...roots];
  const fallback = new Set<string>();
  for (const p of paths) {
    if (!p.endsWith('.py') || fallback.size >= MAX_PYTHON_FALLBACK_ROOTS) continue;
    let d = dirname(p);
    const inPackage = packageFolder.get(d) === true;
    while (packageFolder.get(d) === true && dirname(d) !== d) d = dirname(d);
    if (inPackage || !manifestRoots.some((r) => p.startsWith(`${r}/`))) fallback.add(d);
  }
  for (const d of fallback) if (!roots.includes(d)) roots.push(d);
  return roots;
}

/** The folders at or above each file of `paths` that ends with `ext`. */
function foldersAbove(paths: readonly string[], ext: string): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) {
    if (!p.endsWith(ext)) continue;
    for (let d = dirname(p); !dirs.has(d); d = dirname(d)) {
      dirs.add(d);
      if (dirname(d) === d) break;
    }
  }
  return dirs;
}

/** The module path a `go.mod` declares (`module example.com/shop`, quoted or not), if it declares one. */
export function goModulePath(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/.exec(line);
    if (m) return m[2];
  }
  return undefined;
}

/** Go's modules around `paths`: every `go.mod` at or above a `.go` file, by the module path it declares. */
async function readGoModules(paths: readonly string[], reader: ConfigReader): Promise<Map<string, string>> {
  const modules = new Map<string, string>();
  const found = await Promise.all(
    [...foldersAbove(paths, '.go')].map(async (dir) => {
      const text = (await reader.has(dir, 'go.mod')) ? await reader.text(join(dir, 'go.mod')) : undefined;
      return { dir, module: text === undefined ? undefined : goModulePath(text) };
    }),
  );
  // Two go.mod files declaring one path (a copy under testdata/): the one nearer the root wins.
  found.sort((a, b) => a.dir.length - b.dir.length);
  for (const { dir, module } of found) if (module !== undefined && !modules.has(module)) modules.set(module, dir);
  return modules;
}

/** Rust's crates around `paths`. Files it cannot read are left out. */
async function readRustLayout(paths: Iterable<string>, reader: ConfigReader): Promise<ProjectLayout> {
  const dirs = new Set<string>();
  for (const p of paths) {
    if (!p.endsWith('.rs')) continue;
    for (let d = dirname(p); !dirs.has(d); d = dirname(d)) {
      dirs.add(d);
      if (dirname(d) === d) break;
    }
  }
  if (dirs.size === 0) return {};
  const manifests = new Map<string, Promise<CargoManifest | undefined>>();
  const manifestAt = (dir: string): Promise<CargoManifest | undefined> => {
    let m = manifests.get(dir);
    if (!m) {
      m = reader.has(dir, 'Cargo.toml').then(async (has) => {
        const text = has ? await reader.text(join(dir, 'Cargo.toml')) : undefined;
        return text === undefined ? undefined : cargoManifest(text);
      });
      manifests.set(dir, m);
    }
    return m;
  };
  const packages = new Map<string, string>();
  const libRoots = new Map<string, string>();
  const add = (name: string, dir: string): void => {
    if (!packages.has(name)) packages.set(name, dir);
  };
  const noteLib = (dir: string, m: CargoManifest): void => {
    if (m.libPath !== undefined) libRoots.set(dir, resolve(dir, m.libPath));
  };
  // A member is a folder, or a glob whose last segment has one `*` (`crates/*`, axum's `axum-*`).
  const members = async (dir: string, pattern: string): Promise<string[]> => {
    const slash = pattern.lastIndexOf('/');
    const last = pattern.slice(slash + 1);
    const star = last.indexOf('*');
    if (star < 0 || star !== last.lastIndexOf('*') || pattern.slice(0, slash + 1).includes('*')) return [resolve(dir, pattern)];
    const parent = resolve(dir, slash < 0 ? '.' : pattern.slice(0, slash));
    const [prefix, suffix] = [last.slice(0, star), last.slice(star + 1)];
    const entries = (await reader.listing(parent)) ?? new Map<string, string>();
    return [...entries]
      .filter(([name, kind]) => kind === 'dir' && name.length >= prefix.length + suffix.length && name.startsWith(prefix) && name.endsWith(suffix))
      .map(([name]) => join(parent, name));
  };
  const found = await Promise.all([...dirs].map(async (dir) => ({ dir, m: await manifestAt(dir) })));
  for (const { dir, m } of found) {
    if (!m) continue;
    if (m.crate) add(m.crate, dir);
    noteLib(dir, m);
    for (const pattern of m.members) {
      for (const member of await members(dir, pattern)) {
        const mm = await manifestAt(member);
        if (mm?.crate) add(mm.crate, member);
        if (mm) noteLib(member, mm);
      }
    }
    for (const dep of m.pathDependencies) {
      const at = resolve(dir, dep.path);
      // A dependency renamed in the manifest (`db = { path = "../store", package = "store" }`) is imported as the key.
      const dm = await manifestAt(at);
      if (dm) {
        add(dep.name, at);
        noteLib(at, dm);
      }
    }
  }
  return { ...(packages.size > 0 ? { packages } : {}), ...(libRoots.size > 0 ? { libRoots } : {}) };
}
