/**
 * Where a TS/JS callee lives in the project, for the linker (engine/linker.ts). The frontend
 * resolves an imported call to the module specifier and the names after it
 * (`./password-hash.verify`, `../store.Store.save`, `./auth` for a default import called as a
 * function, `@acme/lib/crypto.hash`); this splits that back into a module and an export name, and
 * lists the files the module may be, in Node's and TypeScript's order (the path itself, then
 * extensions, then an index file). A specifier that is not relative names project files through
 * the layout the project layer read (project/node-layout.ts): the nearest tsconfig's `paths`, the
 * nearest package.json's `imports`, the tsconfig's `baseUrl`, then a package of the project by its
 * name. Pure: the linker checks which candidates exist among the project's summaries.
 */
import type { LinkTarget, ModuleLocation, ModuleResolver, PathMap, ProjectLayout } from '../../engine/linker';
import { matchPattern } from './project-config';

const EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];
/** An ESM import of compiled output names `.js` for a `.ts` source (TypeScript's `node16` convention). */
const COMPILED: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? path.slice(0, i + 1) : path.slice(0, i);
}

/** `a/b/../c/./d` → `a/c/d`, keeping a leading `/`. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '.' || (part === '' && out.length > 0)) continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

function isRelative(spec: string): boolean {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');
}

/** The files a path may be, without its extension or with one. */
function fileCandidates(base: string): string[] {
  const out: string[] = [];
  // A declaration file names its source (`dist/index.d.ts` → `dist/index`, then the output folder's source).
  const decl = /\.d\.[mc]?ts$/.exec(base);
  if (decl) base = base.slice(0, decl.index);
  const dot = base.lastIndexOf('.');
  const ext = dot > base.lastIndexOf('/') ? base.slice(dot) : '';
  if (EXTENSIONS.includes(ext) && !decl) {
    out.push(base);
    for (const e of COMPILED[ext] ?? []) out.push(base.slice(0, dot) + e);
  }
  for (const e of EXTENSIONS) out.push(base + e);
  for (const e of EXTENSIONS) out.push(`${base}/index${e}`);
  return out;
}

/**
 * The normalised path of a specifier by folder: every file of a folder importing `./util.js` asks
 * for the same module, once per call of each imported name, and the linker asks again through every
 * re-export. Only the path is kept, not its 17 candidate files: the server keeps this as long as it
 * runs, and on the TS bench corpus (5,132 entries) the lists held 6.4 MB, the paths 1 MB; listing
 * the candidates again costs about 1.5 µs a call. Bounded: cleared when it grows past
 * {@link MAX_CACHED} (a long-lived server sees many folders).
 */
const candidates = new Map<string, string>();
const MAX_CACHED = 20_000;

/** The files a relative specifier may be, from the importing file. */
function moduleFiles(spec: string, fromPath: string): readonly string[] {
  const dir = dirname(fromPath);
  const key = `${dir}\n${spec}`;
  let out = candidates.get(key);
  if (out === undefined) {
    if (candidates.size >= MAX_CACHED) candidates.clear();
    out = normalize(`${dir}/${spec}`);
    candidates.set(key, out);
  }
  return fileCandidates(out);
}

/** The nearest map at or above the file's folder. */
function nearest(maps: ReadonlyMap<string, PathMap> | undefined, fromPath: string): PathMap | undefined {
  if (!maps || maps.size === 0) return undefined;
  for (let d = dirname(fromPath); ; d = dirname(d)) {
    const m = maps.get(d);
    // A tsconfig whose `include`/`files` leave the file out does not apply to it: TypeScript looks further up.
    if (m && (!m.scope || m.scope.some((s) => fromPath.startsWith(s.endsWith('/') ? s : `${s}/`)))) return m;
    if (d === '/' || d === '' || !d.includes('/')) return undefined;
  }
}

/** The package a bare specifier names (`@acme/lib/x` → `@acme/lib` and `./x`). */
function packageOf(spec: string): { name: string; subpath: string } | undefined {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  if (parts.length < n || parts.slice(0, n).some((p) => p === '')) return undefined;
  const rest = parts.slice(n).join('/');
  return { name: parts.slice(0, n).join('/'), subpath: rest === '' ? '.' : `./${rest}` };
}

/** The files a specifier that is not relative may be, through the layout: aliases first, then the project's packages. */
function aliasedFiles(spec: string, fromPath: string, layout: ProjectLayout | undefined): string[] {
  if (!layout) return [];
  const out: string[] = [];
  const add = (targets: readonly string[] | undefined): void => {
    for (const t of targets ?? []) out.push(...fileCandidates(normalize(t)));
  };
  const tsconfig = nearest(layout.tsconfigs, fromPath);
  if (tsconfig) add(matchPattern(tsconfig.entries, spec));
  if (spec.startsWith('#')) add(matchPattern(nearest(layout.importMaps, fromPath)?.entries ?? [], spec));
  if (tsconfig?.baseUrl !== undefined) out.push(...fileCandidates(normalize(`${tsconfig.baseUrl}/${spec}`)));
  const pkg = packageOf(spec);
  const entry = pkg && layout.nodePackages?.get(pkg.name);
  if (entry && pkg) add(matchPattern(entry.entries, pkg.subpath));
  return out;
}

/** Node's built-in modules and the globals that calls are resolved through: never project code. */
const NOT_PROJECT = new Set([
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'crypto', 'dgram', 'diagnostics_channel', 'dns', 'events', 'fs', 'http', 'http2', 'https',
  'inspector', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'querystring', 'readline', 'repl', 'stream', 'string_decoder', 'timers', 'tls', 'tty', 'url',
  'util', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib', 'fetch', 'Atomics', 'navigator', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'Promise',
  'Buffer', 'structuredClone', 'require', 'Deno', 'Bun', 'Date', 'Object', 'Array', 'String', 'Number', 'Symbol', 'Reflect', 'Map', 'Set', 'WeakMap', 'URL',
]);

/** Whether a callee may name project code: relative, or a bare specifier that is not Node's or a global (an alias or a package of the project, decided by the layout when linking). */
function mayLink(callee: string): boolean {
  if (callee.startsWith('.')) return true;
  const head = /^[^./]*/.exec(callee)![0];
  return head !== '' && !NOT_PROJECT.has(head) && !callee.startsWith('node:');
}

export const typescriptResolver: ModuleResolver = {
  mayLink,
  targets(callee: string, fromPath: string, layout?: ProjectLayout): LinkTarget[] {
    if (!mayLink(callee)) return [];
    const relative = isRelative(callee) || callee.startsWith('./') || callee.startsWith('../');
    const filesOf = (spec: string): readonly string[] => (isRelative(spec) ? moduleFiles(spec, fromPath) : aliasedFiles(spec, fromPath, layout));
    // The specifier ends at one of the dots after its last slash: try the longest first
    // (`./x.js.fn` is module `./x.js`, export `fn`; `./store.Store.save` is module `./store`).
    const slash = callee.lastIndexOf('/');
    const out: LinkTarget[] = [];
    const cuts: number[] = [];
    for (let i = callee.length - 1; i > slash; i--) if (callee[i] === '.') cuts.push(i);
    for (const cut of cuts) {
      const spec = callee.slice(0, cut);
      if (relative !== isRelative(spec)) continue;
      const files = filesOf(spec);
      if (files.length === 0) continue;
      const rest = callee.slice(cut + 1);
      out.push({ module: { files }, name: rest });
      // A default import used as an object (`import ph from './ph'; ph.verify()`) names `default.verify`.
      out.push({ module: { files }, name: `default.${rest}` });
    }
    // The whole callee is the module: a default import called (`import hash from './hash'; hash()`).
    const whole = filesOf(callee);
    if (whole.length > 0) out.push({ module: { files: whole }, name: 'default' });
    return out;
  },
  module(spec: string, fromPath: string, layout?: ProjectLayout): ModuleLocation | undefined {
    if (isRelative(spec)) return { files: moduleFiles(spec, fromPath) };
    const files = aliasedFiles(spec, fromPath, layout);
    return files.length > 0 ? { files } : undefined;
  },
};
