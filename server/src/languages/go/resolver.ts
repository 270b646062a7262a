/**
 * Where a Go callee lives in the project, for the linker (engine/linker.ts).
 *
 * A Go package is every `.go` file of one folder, so a module location here is always a folder.
 * The frontend names a call of the same package that its own file does not declare `./helper` or
 * `./Store.Save` (builder.ts): the function is in another file of the importing file's folder. A
 * call into another package is named by its import path (`example.com/shop/internal/store.Open`,
 * `example.com/shop/internal/store.Repo.Find` for a method of a type of that package); the module
 * path a `go.mod` declares (`ProjectLayout.goModules`) maps such a path to a folder of the project,
 * and a path of no module of the project (the standard library, a dependency) is never linked.
 * Pure: paths in, paths out.
 */
import type { LinkTarget, ModuleLocation, ModuleResolver, ProjectLayout } from '../../engine/linker';

/** The standard library's top-level packages (`net/http` starts with `net`): never project code. */
const STDLIB = new Set([
  'archive', 'bufio', 'builtin', 'bytes', 'cmp', 'compress', 'container', 'context', 'crypto', 'database', 'debug', 'embed', 'encoding', 'errors',
  'expvar', 'flag', 'fmt', 'go', 'hash', 'html', 'image', 'index', 'io', 'iter', 'log', 'maps', 'math', 'mime', 'net', 'os', 'path', 'plugin',
  'reflect', 'regexp', 'runtime', 'slices', 'sort', 'strconv', 'strings', 'structs', 'sync', 'syscall', 'testing', 'text', 'time', 'unicode',
  'unique', 'unsafe', 'weak',
]);

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? path.slice(0, i + 1) : path.slice(0, i);
}

/** An import path and the export after it: `a.com/m/store.Repo.Find` → `a.com/m/store`, `Repo.Find`. */
function splitCallee(callee: string): { pkg: string; name: string } | undefined {
  const slash = callee.lastIndexOf('/');
  const dot = callee.indexOf('.', slash + 1);
  if (dot < 0 || dot === callee.length - 1) return undefined;
  return { pkg: callee.slice(0, dot), name: callee.slice(dot + 1) };
}

/** The folder of a package of the project, by its import path: the longest module path that prefixes it. */
function packageFolder(pkg: string, layout: ProjectLayout | undefined): string | undefined {
  let best: { module: string; folder: string } | undefined;
  for (const [module, folder] of layout?.goModules ?? []) {
    if ((pkg === module || pkg.startsWith(`${module}/`)) && (!best || module.length > best.module.length)) best = { module, folder };
  }
  if (!best) return undefined;
  const sub = pkg.slice(best.module.length);
  // `..` cannot be part of an import path; refuse it rather than leave the module's folder.
  if (sub.split('/').some((s) => s === '..' || s === '.')) return undefined;
  return `${best.folder}${sub}`;
}

export const goResolver: ModuleResolver = {
  mayLink(callee: string): boolean {
    if (callee.startsWith('./')) return true;
    const head = /^[^./]+/.exec(callee)?.[0];
    return head !== undefined && !STDLIB.has(head) && callee.includes('.');
  },
  targets(callee: string, fromPath: string, layout?: ProjectLayout): LinkTarget[] {
    if (callee.startsWith('./')) {
      const name = callee.slice(2);
      return name === '' ? [] : [{ module: { folder: dirname(fromPath) }, name }];
    }
    const split = splitCallee(callee);
    const folder = split && packageFolder(split.pkg, layout);
    return split && folder !== undefined ? [{ module: { folder }, name: split.name }] : [];
  },
  // Go has no re-exports of its own; a struct's fields are re-exported as their types (builder.ts
  // `fieldReexports`): `.` is the declaring file's package, else an import path of the project.
  module(spec: string, fromPath: string, layout?: ProjectLayout): ModuleLocation | undefined {
    if (spec === '.') return { folder: dirname(fromPath) };
    const folder = packageFolder(spec, layout);
    return folder === undefined ? undefined : { folder };
  },
};
