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
