/**
 * Reads the distribution names a Python project depends on, for `FixContext.dependencies` (a fix
 * that rewrites `requests` to `httpx` is offered only when the project depends on httpx). The
 * caller reads the file; this does no IO. Not a TOML parser: it reads PEP 621's
 * `[project] dependencies = [...]` and `optional-dependencies`, Poetry's `[tool.poetry.*dependencies]`
 * tables, and requirements files, which is all a fix needs.
 */

/** A PEP 508 requirement's distribution name, normalised (`HTTPX[http2]>=0.23` → `httpx`). */
function requirementName(spec: string): string | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  return m ? m[1]!.toLowerCase().replace(/[._]+/g, '-') : undefined;
}

/** Names in a `pyproject.toml`: PEP 621 dependency arrays and Poetry dependency tables. */
export function pyprojectDependencies(text: string): Set<string> {
  const out = new Set<string>();
  let table = '';
  let inArray = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (inArray) {
      for (const m of line.matchAll(/["']([^"']+)["']/g)) {
        const name = requirementName(m[1]!);
        if (name) out.add(name);
      }
      if (line.includes(']')) inArray = false;
      continue;
    }
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      table = header[1]!;
      continue;
    }
    // `dependencies = [` under [project], or any key of [project.optional-dependencies].
    const array = /^([A-Za-z0-9_-]+)\s*=\s*\[(.*)$/.exec(line);
    if (array && ((table === 'project' && array[1] === 'dependencies') || table === 'project.optional-dependencies' || table === 'dependency-groups')) {
      const rest = array[2]!;
      for (const m of rest.matchAll(/["']([^"']+)["']/g)) {
        const name = requirementName(m[1]!);
        if (name) out.add(name);
      }
      inArray = !rest.includes(']');
      continue;
    }
    if (/^tool\.poetry\.(?:(?:dev-)?dependencies|group\.[^.]+\.dependencies)$/.test(table)) {
      const key = /^["']?([A-Za-z0-9._-]+)["']?\s*=/.exec(line);
      if (key && key[1] !== 'python') out.add(key[1]!.toLowerCase().replace(/[._]+/g, '-'));
    }
  }
  return out;
}

/** Names in a requirements file: one requirement per line; options (`-r`, `-e`, `--hash`) and URLs skipped. */
export function requirementsDependencies(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line)) continue;
    const name = requirementName(line);
    if (name) out.add(name);
  }
  return out;
}
