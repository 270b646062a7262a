/**
 * Where a Rust callee lives in the project, for the linker (engine/linker.ts).
 *
 * The frontend names a call by its path through `use` (`crate::services::users::find`,
 * `super::db::open`, `self::db::open` for `mod db;` then `db::open()`, `my_core::store::Store::get`
 * for a method whose receiver type is imported from a workspace crate). This turns the path into a
 * module (files: `x.rs` or `x/mod.rs` under the crate's `src/`) and an export name (`find`,
 * `Store.get` for a method, `helpers.f` for a function of an inline module). A path that starts with
 * a crate's name finds the crate through the project layout (its workspace members and path
 * dependencies, read from `Cargo.toml` by the project layer). Pure: paths in, paths out.
 */
import type { LinkTarget, ModuleLocation, ModuleResolver, ProjectLayout } from '../../engine/linker';

/** Where a file sits in its crate: the folder its module paths start from, the crate's root files, and the file's module path. */
export interface RustModule {
  readonly root: string;
  readonly rootFiles: readonly string[];
  readonly segments: readonly string[];
}

/** Folders that hold crate roots: `src/` (with `lib.rs`/`main.rs`), and each file of `src/bin/`, `tests/`, `benches/`, `examples/`. */
const TARGET_DIRS = new Set(['tests', 'benches', 'examples']);

/** The module of a file, from its path (Cargo's layout; `#[path]` attributes are not read). */
export function rustModuleOf(path: string): RustModule {
  const parts = path.split('/');
  for (let i = parts.length - 2; i >= 0; i--) {
    const d = parts[i]!;
    if (d !== 'src' && !TARGET_DIRS.has(d)) continue;
    let root = parts.slice(0, i + 1).join('/');
    let rel = parts.slice(i + 1);
    const separate = d !== 'src' || (rel[0] === 'bin' && rel.length >= 2);
    if (d === 'src' && separate) {
      root += '/bin';
      rel = rel.slice(1);
    }
    if (separate) {
      // Each file of the folder is a crate root; so is `<name>/main.rs`.
      if (rel.length === 1) return { root, rootFiles: [path], segments: [] };
      if (rel.length === 2 && rel[1] === 'main.rs') return { root: `${root}/${rel[0]}`, rootFiles: [path], segments: [] };
      return { root, rootFiles: [], segments: moduleSegments(rel) };
    }
    return { root, rootFiles: [`${root}/lib.rs`, `${root}/main.rs`], segments: moduleSegments(rel) };
  }
  // No Cargo layout: the file's folder, with the file as a crate root.
  return { root: parts.slice(0, -1).join('/'), rootFiles: [path], segments: [] };
}

/** `a/b.rs` → `[a, b]`, `a/mod.rs` → `[a]`, `lib.rs` → `[]`. */
function moduleSegments(rel: readonly string[]): string[] {
  const segs = rel.map((p) => p.replace(/\.rs$/, ''));
  const last = segs[segs.length - 1];
  if (last === 'mod' || (segs.length === 1 && (last === 'lib' || last === 'main'))) segs.pop();
  return segs;
}

/** The files a module path may be. */
function filesOf(module: RustModule, segments: readonly string[]): string[] {
  if (segments.length === 0) return [...module.rootFiles];
  const base = `${module.root}/${segments.join('/')}`;
  return [`${base}.rs`, `${base}/mod.rs`];
}

/** A library crate's module, from the folder of its manifest (and its `[lib] path`, when the layout has one). */
function crateAt(dir: string, layout: ProjectLayout | undefined): RustModule {
  const lib = layout?.libRoots?.get(dir);
  if (lib !== undefined) return { root: lib.slice(0, lib.lastIndexOf('/')), rootFiles: [lib], segments: [] };
  return { root: `${dir}/src`, rootFiles: [`${dir}/src/lib.rs`], segments: [] };
}

/**
 * The module of a file, from the layout when its crate's library root is set by `[lib] path`
 * (a file in that root's folder or below it, outside the crate's `src/`), else from Cargo's layout.
 */
function moduleOf(path: string, layout: ProjectLayout | undefined): RustModule {
  let best: { dir: string; lib: string } | undefined;
  for (const [dir, lib] of layout?.libRoots ?? []) {
    const root = lib.slice(0, lib.lastIndexOf('/'));
    if (!path.startsWith(`${root}/`) || path.startsWith(`${dir}/src/`) !== lib.startsWith(`${dir}/src/`)) continue;
    if (!best || root.length > best.lib.lastIndexOf('/')) best = { dir, lib };
  }
  if (!best) return rustModuleOf(path);
  const root = best.lib.slice(0, best.lib.lastIndexOf('/'));
  if (path === best.lib) return { root, rootFiles: [best.lib], segments: [] };
  const rel = path.slice(root.length + 1).split('/');
  const segs = rel.map((p) => p.replace(/\.rs$/, ''));
  if (segs[segs.length - 1] === 'mod') segs.pop();
  return { root, rootFiles: [best.lib], segments: segs };
}

/** A path split into the crate it starts in and the module path inside it; `undefined` when it is not project code. */
function place(path: string, fromPath: string, layout: ProjectLayout | undefined): { crate: RustModule; segments: string[] } | undefined {
  const segs = path.split('::');
  const head = segs[0]!;
  if (head === 'crate') {
    const m = moduleOf(fromPath, layout);
    return { crate: m, segments: segs.slice(1) };
  }
  if (head === 'self' || head === 'super') {
    const m = moduleOf(fromPath, layout);
    const here = [...m.segments];
    let i = head === 'self' ? 1 : 0;
    while (segs[i] === 'super') {
      if (here.length === 0) return undefined;
      here.pop();
      i++;
    }
    return { crate: m, segments: [...here, ...segs.slice(i)] };
  }
  const dir = layout?.packages?.get(head);
  return dir === undefined ? undefined : { crate: crateAt(dir, layout), segments: segs.slice(1) };
}

/** True when a module path names the file itself (`self::f`, `crate::<its module>::f`). */
export function namesFile(path: string, filePath: string): boolean {
  const p = place(path, filePath, undefined);
  if (!p) return false;
  const m = rustModuleOf(filePath);
  return p.crate.root === m.root && p.segments.length === m.segments.length && p.segments.every((s, i) => s === m.segments[i]);
}

const NOT_PROJECT = /^(?:std|core|alloc|str|bool|char|[iu](?:8|16|32|64|128|size)|f32|f64)::/;

export const rustResolver: ModuleResolver = {
  // `crate::`, `self::`, `super::`, or a path that starts with a crate's name (a workspace member);
  // `std`, `core`, `alloc` and primitive types are never the project, nor is a bare type (`Vec::new`).
  mayLink: (callee) => /^(?:crate|self|super)::/.test(callee) || (/^[a-z_][a-z0-9_]*::/.test(callee) && !NOT_PROJECT.test(callee)),
  targets(callee: string, fromPath: string, layout?: ProjectLayout): LinkTarget[] {
    const p = place(callee, fromPath, layout);
    if (!p || p.segments.length === 0) return [];
    const out: LinkTarget[] = [];
    // The export is the last segment (`find`) or the last two (`Store.get`, `helpers.f`).
    for (let names = 1; names <= 2 && names <= p.segments.length; names++) {
      const module = p.segments.slice(0, p.segments.length - names);
      out.push({ module: { files: filesOf(p.crate, module) }, name: p.segments.slice(-names).join('.') });
    }
    return out;
  },
  module(spec: string, fromPath: string, layout?: ProjectLayout): ModuleLocation | undefined {
    const p = place(spec, fromPath, layout);
    return p ? { files: filesOf(p.crate, p.segments) } : undefined;
  },
};
