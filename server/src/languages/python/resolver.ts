/**
 * Where a Python callee lives in the project, for the linker (engine/linker.ts).
 *
 * The frontend names a call by the module path its imports give (`scope.ts`): relative imports keep
 * their dots (`from .db import query` → `.db.query`, `from ..services.users import find_user` →
 * `..services.users.find_user`, `from . import helpers` → `.helpers.go`), absolute ones are dotted
 * from the top-level package (`app.core.config.load`). This splits such a name into a module (a
 * `x.py` file or a package's `x/__init__.py`) and an export name (`query`, `Store.save` for a
 * method), trying the longest module first. Relative names start at the importing file's package;
 * absolute ones at the project's source roots (`ProjectLayout.pythonRoots`: the folder of a
 * `pyproject.toml`, `setup.py` or `setup.cfg`, and its `src/` when there is one), so a name from an
 * installed package (`requests.get`) finds no file and is never linked. Pure: paths in, paths out.
 */
import type { LinkTarget, ModuleLocation, ModuleResolver, ProjectLayout } from '../../engine/linker';

/** Standard-library modules that calls resolve through: never project code. */
const STDLIB = new Set([
  'abc', 'argparse', 'array', 'ast', 'asyncio', 'base64', 'bisect', 'builtins', 'bz2', 'calendar', 'collections', 'concurrent', 'configparser', 'contextlib',
  'contextvars', 'copy', 'csv', 'ctypes', 'dataclasses', 'datetime', 'decimal', 'difflib', 'email', 'enum', 'errno', 'fnmatch', 'fractions', 'functools', 'gc',
  'getpass', 'glob', 'gzip', 'hashlib', 'heapq', 'hmac', 'html', 'http', 'importlib', 'inspect', 'io', 'ipaddress', 'itertools', 'json', 'logging', 'lzma',
  'math', 'mimetypes', 'multiprocessing', 'operator', 'os', 'pathlib', 'pickle', 'platform', 'pprint', 'queue', 'random', 're', 'secrets', 'select',
  'selectors', 'shelve', 'shlex', 'shutil', 'signal', 'socket', 'sqlite3', 'ssl', 'stat', 'statistics', 'string', 'struct', 'subprocess', 'sys', 'tarfile',
  'tempfile', 'textwrap', 'threading', 'time', 'timeit', 'traceback', 'types', 'typing', 'unittest', 'urllib', 'uuid', 'warnings', 'weakref', 'xml', 'zipfile',
  'zlib', 'zoneinfo',
]);

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? path.slice(0, i + 1) : path.slice(0, i);
}

/** The files a module path may be: `a/b.py`, then the package `a/b/__init__.py`. */
function moduleFiles(base: string): string[] {
  return [`${base}.py`, `${base}/__init__.py`];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The folder a relative name starts from and its dotted rest: `..services.x` from `/p/app/api/r.py` → `/p/app`, `services.x`. */
function relativeBase(callee: string, fromPath: string): { base: string; rest: string[] } | undefined {
  let dots = 0;
  while (callee[dots] === '.') dots++;
  let base = dirname(fromPath);
  for (let i = 1; i < dots; i++) {
    if (base === '/' || base === '') return undefined;
    base = dirname(base);
  }
  const rest = callee.slice(dots).split('.').filter((s) => s !== '');
  return rest.every((s) => IDENT.test(s)) ? { base, rest } : undefined;
}

/** Every way to split `segments` into a module under `base` and a non-empty export name, longest module first. */
function splits(base: string, segments: readonly string[], minModule: number): LinkTarget[] {
  const out: LinkTarget[] = [];
  for (let k = segments.length - 1; k >= minModule; k--) {
    const mod = segments.slice(0, k);
    const files = k === 0 ? [`${base}/__init__.py`] : moduleFiles(`${base}/${mod.join('/')}`);
    out.push({ module: { files }, name: segments.slice(k).join('.') });
  }
  return out;
}

export const pythonResolver: ModuleResolver = {
  mayLink(callee: string): boolean {
    if (callee.startsWith('.')) return true;
    const head = callee.split('.')[0]!;
    return IDENT.test(head) && !STDLIB.has(head) && callee.includes('.');
  },
  targets(callee: string, fromPath: string, layout?: ProjectLayout): LinkTarget[] {
    if (callee.startsWith('.')) {
      const r = relativeBase(callee, fromPath);
      return r && r.rest.length > 0 ? splits(r.base, r.rest, 0) : [];
    }
    const segments = callee.split('.');
    if (!segments.every((s) => IDENT.test(s)) || STDLIB.has(segments[0]!)) return [];
    // An absolute name starts with a top-level package or module: at least one segment is the module.
    return (layout?.pythonRoots ?? []).flatMap((root) => splits(root, segments, 1));
  },
  module(spec: string, fromPath: string, layout?: ProjectLayout): ModuleLocation | undefined {
    if (spec.startsWith('.')) {
      const r = relativeBase(spec, fromPath);
      if (!r) return undefined;
      return { files: r.rest.length === 0 ? [`${r.base}/__init__.py`] : moduleFiles(`${r.base}/${r.rest.join('/')}`) };
    }
    const segments = spec.split('.');
    if (!segments.every((s) => IDENT.test(s))) return undefined;
    const files = (layout?.pythonRoots ?? []).flatMap((root) => moduleFiles(`${root}/${segments.join('/')}`));
    return files.length > 0 ? { files } : undefined;
  },
};
