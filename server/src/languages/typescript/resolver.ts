/**
 * Where a TS/JS callee lives in the project, for the linker (engine/linker.ts). The frontend
 * resolves an imported call to the module specifier and the names after it
 * (`./password-hash.verify`, `../store.Store.save`, `./auth` for a default import called as a
 * function); this splits that back into a module and an export name, and lists the files the module
 * may be, in Node's and TypeScript's order (the path itself, then extensions, then an index file).
 * Pure: the linker checks which candidates exist among the project's summaries.
 */
import type { LinkTarget, ModuleLocation, ModuleResolver } from '../../engine/linker';

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

/** The files a relative specifier may be, from the importing file. */
function moduleFiles(spec: string, fromPath: string): string[] {
  const base = normalize(`${dirname(fromPath)}/${spec}`);
  const out: string[] = [];
  const dot = base.lastIndexOf('.');
  const ext = dot > base.lastIndexOf('/') ? base.slice(dot) : '';
  if (EXTENSIONS.includes(ext)) {
    out.push(base);
    for (const e of COMPILED[ext] ?? []) out.push(base.slice(0, dot) + e);
  }
  for (const e of EXTENSIONS) out.push(base + e);
  for (const e of EXTENSIONS) out.push(`${base}/index${e}`);
  return out;
}

export const typescriptResolver: ModuleResolver = {
  mayLink: (callee) => callee.startsWith('./') || callee.startsWith('../') || callee.startsWith('.'),
  targets(callee: string, fromPath: string): LinkTarget[] {
    // The specifier ends at one of the dots after its last slash: try the longest first
    // (`./x.js.fn` is module `./x.js`, export `fn`; `./store.Store.save` is module `./store`).
    const slash = callee.lastIndexOf('/');
    const out: LinkTarget[] = [];
    const cuts: number[] = [];
    for (let i = callee.length - 1; i > slash; i--) if (callee[i] === '.') cuts.push(i);
    for (const cut of cuts) {
      const spec = callee.slice(0, cut);
      if (!isRelative(spec) && !spec.startsWith('./') && !spec.startsWith('../')) continue;
      const rest = callee.slice(cut + 1);
      const files = moduleFiles(spec, fromPath);
      out.push({ module: { files }, name: rest });
      // A default import used as an object (`import ph from './ph'; ph.verify()`) names `default.verify`.
      out.push({ module: { files }, name: `default.${rest}` });
    }
    // The whole callee is the module: a default import called (`import hash from './hash'; hash()`).
    if (isRelative(callee)) out.push({ module: { files: moduleFiles(callee, fromPath) }, name: 'default' });
    return out;
  },
  module(spec: string, fromPath: string): ModuleLocation | undefined {
    return isRelative(spec) ? { files: moduleFiles(spec, fromPath) } : undefined;
  },
};
