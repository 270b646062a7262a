/**
 * Reads the dependency names out of a `Cargo.toml` text, for `FixContext.dependencies` (which runtime
 * a fix should use). The caller reads the file; this does no IO. Not a TOML parser: it reads the
 * keys of `[dependencies]`-like tables and `[dependencies.<name>]` headers, which is all a fix needs.
 */
const DEP_TABLE = /^\[\s*(?:workspace\.|target\.(?:'[^']*'|"[^"]*"|[^.\]]+)\.)?(?:dev-|build-)?dependencies\s*\]$/;
const DEP_HEADER = /^\[\s*(?:workspace\.|target\.(?:'[^']*'|"[^"]*"|[^.\]]+)\.)?(?:dev-|build-)?dependencies\.([A-Za-z0-9_-]+)\s*\]$/;

/** The names of the crates a manifest depends on (`tokio`, `async-std`, …). */
export function cargoDependencies(manifest: string): Set<string> {
  const names = new Set<string>();
  let inTable = false;
  for (const raw of manifest.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line.startsWith('[')) {
      const header = DEP_HEADER.exec(line);
      if (header) names.add(header[1]!);
      inTable = DEP_TABLE.test(line);
      continue;
    }
    const key = inTable ? /^([A-Za-z0-9_-]+)\s*=/.exec(line) : null;
    if (key) names.add(key[1]!);
  }
  return names;
}

/** What a `Cargo.toml` says about where crates live: its package, its workspace members, its path dependencies. */
export interface CargoManifest {
  /** The name code imports the package under: `[lib] name`, else `[package] name`, with `-` as `_`. */
  readonly crate?: string;
  /** `[workspace] members`, as written (folders, or globs ending in `/*`). */
  readonly members: readonly string[];
  /** Dependencies with a `path`, by the name code uses for them (`-` as `_`). */
  readonly pathDependencies: readonly { readonly name: string; readonly path: string }[];
  /** `[lib] path`, as written (relative to the manifest's folder), when the library's root is not `src/lib.rs`. */
  readonly libPath?: string;
}

const crateName = (name: string): string => name.replace(/-/g, '_');

/** Reads the parts of a manifest the cross-file linker needs (a line reader, not a TOML parser). */
export function cargoManifest(manifest: string): CargoManifest {
  let table = '';
  let packageName: string | undefined;
  let libName: string | undefined;
  let libPath: string | undefined;
  const members: string[] = [];
  const pathDependencies: { name: string; path: string }[] = [];
  let inMembers = false;
  let depHeader: string | undefined;
  const strings = (s: string): string[] => [...s.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? '');
  for (const raw of manifest.split(/\r?\n/)) {
    const line = raw.replace(/\s#.*$|^#.*$/, '').trim();
    if (inMembers) {
      members.push(...strings(line));
      if (line.includes(']')) inMembers = false;
      continue;
    }
    if (line.startsWith('[')) {
      table = line.replace(/^\[+|\]+$/g, '').trim();
      const header = DEP_HEADER.exec(line);
      depHeader = header ? header[1] : undefined;
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (table === 'package' && key === 'name') packageName = strings(value)[0];
    else if (table === 'lib' && key === 'name') libName = strings(value)[0];
    else if (table === 'lib' && key === 'path') libPath = strings(value)[0];
    else if (table === 'workspace' && key === 'members') {
      members.push(...strings(value.replace(/\].*$/, '')));
      inMembers = !value.includes(']');
    } else if (depHeader !== undefined && key === 'path') pathDependencies.push({ name: crateName(depHeader), path: strings(value)[0] ?? '' });
    else if (DEP_TABLE.test(`[${table}]`)) {
      const path = /\bpath\s*=\s*("[^"]*"|'[^']*')/.exec(value);
      if (path) pathDependencies.push({ name: crateName(key), path: strings(path[1]!)[0] ?? '' });
    }
  }
  const name = libName ?? packageName;
  const lib = libPath?.replace(/^\.\//, '');
  return {
    ...(name !== undefined ? { crate: crateName(name) } : {}),
    members,
    pathDependencies: pathDependencies.filter((d) => d.path !== ''),
    ...(lib !== undefined && lib !== '' && lib !== 'src/lib.rs' ? { libPath: lib } : {}),
  };
}
