/**
 * The TS/JS part of the project layout (engine/linker.ts `ProjectLayout`): the path aliases and
 * packages that name project files without a relative path.
 *
 * - `tsconfig.json` (else `jsconfig.json`) in every folder at or above a checked file: `paths` and
 *   `baseUrl` after its `extends` chain (relative paths, package configs found in the project's
 *   packages or a `node_modules` above, arrays of them; cycles and chains deeper than
 *   {@link MAX_EXTENDS} stop);
 * - `package.json` in the same folders: `imports` (`#db`) and the package itself (a package may
 *   import itself by name);
 * - the members of every npm/Yarn workspace (`workspaces`) and pnpm workspace
 *   (`pnpm-workspace.yaml`) found there, by package name, with `exports`, else `main`/`types` and any
 *   file of the folder; an entry in the package's output folder (`dist/index.js` where its tsconfig
 *   says `outDir: dist`, `rootDir: src`) also names its source (`src/index.ts`).
 *
 * Read with node:fs through {@link ConfigReader} (regular files only, size-capped, a budget per run);
 * parsed by languages/typescript/project-config.ts, which only reads data.
 */
import { dirname, join, resolve } from 'node:path';
import type { PathMap } from '../engine/linker';
import { packageFacts, pnpmWorkspaces, tsconfigFacts, type PackageFacts, type Patterns } from '../languages/typescript/project-config';
import { ConfigReader } from './read-config';
import { escapeRegExp } from '../engine/regexp';

/** How many configs an `extends` chain follows at most. */
export const MAX_EXTENDS = 16;
/** How many workspace members a layout reads at most. */
export const MAX_MEMBERS = 5_000;
/** How deep a `**` in a workspace glob descends. */
const GLOBSTAR_DEPTH = 4;
const NEVER_MEMBERS = new Set(['node_modules', '.git', 'dist', 'build', 'target']);

/** The TS/JS layout: see engine/linker.ts `ProjectLayout`. */
export interface NodeLayout {
  readonly tsconfigs: ReadonlyMap<string, PathMap>;
  readonly importMaps: ReadonlyMap<string, PathMap>;
  readonly nodePackages: ReadonlyMap<string, PathMap>;
}

interface ResolvedTsconfig {
  readonly baseUrl?: string;
  /** Patterns with the folder their targets are relative to. */
  readonly paths?: { readonly patterns: Patterns; readonly base: string };
  readonly outDir?: string;
  readonly rootDir?: string;
  /** The folders its `include` and `files` name (inherited through `extends`, as TypeScript does), absolute. */
  readonly scope?: readonly string[];
  /** Its own project references (not inherited), as config file paths. */
  readonly references?: readonly string[];
}

/**
 * The folder each `include` pattern or `files` entry starts in: the part before the first segment
 * with a wildcard (`src` for both `src` and a `src` pattern followed by wildcard segments; the
 * config's own folder for a pattern that starts with a wildcard; a file's folder for a file).
 */
function scopeFolders(base: string, include: readonly string[] | undefined, files: readonly string[] | undefined): string[] | undefined {
  if (include === undefined && files === undefined) return undefined;
  const out = new Set<string>();
  for (const pattern of include ?? []) {
    const segments = pattern.split('/');
    const fixed: string[] = [];
    for (const seg of segments) {
      if (/[*?]/.test(seg)) break;
      fixed.push(seg);
    }
    // `src` names a folder; `src/index.ts` (no wildcard, a file name) its folder.
    const whole = fixed.length === segments.length && /\.[cm]?[jt]sx?$/.test(segments[segments.length - 1] ?? '');
    out.add(resolve(base, (whole ? fixed.slice(0, -1) : fixed).join('/') || '.'));
  }
  for (const f of files ?? []) out.add(dirname(resolve(base, f)));
  return [...out];
}

interface Package {
  readonly dir: string;
  readonly facts: PackageFacts;
}

/** Reads the TS/JS layout around `dirs` (the folders of the checked TS/JS files). */
export async function readNodeLayout(fileDirs: Iterable<string>, reader = new ConfigReader()): Promise<NodeLayout> {
  const ancestors = new Set<string>();
  for (const start of fileDirs) {
    for (let d = start; !ancestors.has(d); d = dirname(d)) {
      ancestors.add(d);
      if (dirname(d) === d) break;
    }
  }
  const packagesByDir = new Map<string, Package | null>();
  const packageAt = async (dir: string): Promise<Package | undefined> => {
    const known = packagesByDir.get(dir);
    if (known !== undefined) return known ?? undefined;
    const text = (await reader.has(dir, 'package.json')) ? await reader.text(join(dir, 'package.json')) : undefined;
    const facts = text === undefined ? undefined : packageFacts(text);
    const p = facts ? { dir, facts } : undefined;
    packagesByDir.set(dir, p ?? null);
    return p;
  };

  // Packages above the files, and the members of every workspace they declare.
  const importMaps = new Map<string, PathMap>();
  const named = new Map<string, Package>();
  const addNamed = (p: Package): void => {
    if (p.facts.name !== undefined && !named.has(p.facts.name)) named.set(p.facts.name, p);
  };
  let members = 0;
  for (const dir of ancestors) {
    const p = await packageAt(dir);
    const globs = [...(p?.facts.workspaces ?? [])];
    if (await reader.has(dir, 'pnpm-workspace.yaml')) {
      const yaml = await reader.text(join(dir, 'pnpm-workspace.yaml'));
      if (yaml !== undefined) globs.push(...pnpmWorkspaces(yaml));
    }
    if (p) {
      addNamed(p);
      importMaps.set(dir, { entries: toEntries(p.facts.imports ?? [], dir) });
    }
    for (const member of await expandWorkspaces(dir, globs, reader)) {
      if (members++ >= MAX_MEMBERS) break;
      const m = await packageAt(member);
      if (m) addNamed(m);
    }
  }

  const tsconfigMemo = new Map<string, Promise<ResolvedTsconfig | undefined>>();
  const tsconfigAt = (path: string, chain: readonly string[]): Promise<ResolvedTsconfig | undefined> => {
    // A config that extends itself, directly or through others, stops where it comes round again.
    if (chain.includes(path) || chain.length > MAX_EXTENDS) return Promise.resolve(undefined);
    let r = tsconfigMemo.get(path);
    if (!r) {
      r = resolveTsconfig(path, [...chain, path]);
      // Only a config read from the top of a chain is remembered: a cycle's answer depends on where it was entered.
      if (chain.length === 0) tsconfigMemo.set(path, r);
    }
    return r;
  };
  const resolveTsconfig = async (path: string, chain: readonly string[]): Promise<ResolvedTsconfig | undefined> => {
    const text = await reader.text(path);
    const facts = text === undefined ? undefined : tsconfigFacts(text);
    if (!facts) return undefined;
    const dir = dirname(path);
    let merged: ResolvedTsconfig = {};
    for (const ext of facts.extends) {
      const target = await extendsPath(ext, dir);
      const base = target === undefined ? undefined : await tsconfigAt(target, chain);
      if (base) merged = { ...merged, ...base };
    }
    const own: { -readonly [K in keyof ResolvedTsconfig]: ResolvedTsconfig[K] } = {};
    if (facts.baseUrl !== undefined) own.baseUrl = resolve(dir, facts.baseUrl);
    if (facts.paths) own.paths = { patterns: facts.paths, base: dir };
    if (facts.outDir !== undefined) own.outDir = resolve(dir, facts.outDir);
    if (facts.rootDir !== undefined) own.rootDir = resolve(dir, facts.rootDir);
    const scope = scopeFolders(dir, facts.include, facts.files);
    if (scope) own.scope = scope;
    const { references: _inherited, ...fromBase } = merged;
    const references = (facts.references ?? []).map((r) => {
      const p = resolve(dir, r);
      return p.endsWith('.json') ? p : join(p, 'tsconfig.json');
    });
    return { ...fromBase, ...own, ...(references.length > 0 ? { references } : {}) };
  };
  /** Where an `extends` entry points: a path (with `.json` added when missing), or a package's config. */
  const extendsPath = async (spec: string, dir: string): Promise<string | undefined> => {
    const candidates: string[] = [];
    if (spec.startsWith('.') || spec.startsWith('/')) {
      const p = resolve(dir, spec);
      candidates.push(p);
      if (!p.endsWith('.json')) candidates.push(`${p}.json`);
    } else {
      const scoped = spec.startsWith('@');
      const parts = spec.split('/');
      const name = parts.slice(0, scoped ? 2 : 1).join('/');
      const sub = parts.slice(scoped ? 2 : 1).join('/');
      const roots: string[] = [];
      const own = named.get(name);
      if (own) roots.push(own.dir);
      for (let d = dir; ; d = dirname(d)) {
        roots.push(join(d, 'node_modules', name));
        if (dirname(d) === d) break;
      }
      for (const root of roots) {
        if (sub === '') candidates.push(join(root, 'tsconfig.json'));
        else {
          candidates.push(join(root, sub));
          if (!sub.endsWith('.json')) candidates.push(join(root, `${sub}.json`));
        }
      }
    }
    for (const c of candidates) if (await reader.has(dirname(c), c.slice(dirname(c).length + 1))) return c;
    return undefined;
  };
  const tsconfigIn = async (dir: string): Promise<ResolvedTsconfig | undefined> => {
    for (const name of ['tsconfig.json', 'jsconfig.json']) if (await reader.has(dir, name)) return tsconfigAt(join(dir, name), []);
    return undefined;
  };

  const tsconfigs = new Map<string, PathMap>();
  const pathMap = (t: ResolvedTsconfig): PathMap => ({
    entries: t.paths ? toEntries(t.paths.patterns, t.baseUrl ?? t.paths.base) : [],
    ...(t.baseUrl !== undefined ? { baseUrl: t.baseUrl } : {}),
    ...(t.scope ? { scope: t.scope } : {}),
  });
  const ownFolders = new Set<string>();
  for (const dir of ancestors) {
    const t = await tsconfigIn(dir);
    if (!t) continue;
    // A folder with its own tsconfig takes nothing from one above it, even when it has no aliases.
    tsconfigs.set(dir, pathMap(t));
    ownFolders.add(dir);
  }
  // Project references (a solution-style tsconfig.json with `files: []` and a tsconfig.app.json
  // that holds the aliases, as Vite's templates have): each referenced config with aliases applies
  // to the folders its `include` and `files` name (its own folder without them), unless a folder has
  // a tsconfig of its own or an earlier reference claimed it.
  for (const dir of [...ownFolders]) {
    const t = await tsconfigIn(dir);
    for (const ref of t?.references ?? []) {
      const r = await tsconfigAt(ref, []);
      if (!r || (!r.paths && r.baseUrl === undefined)) continue;
      for (const folder of r.scope ?? [dirname(ref)]) {
        if (ownFolders.has(folder) || tsconfigs.has(folder)) continue;
        tsconfigs.set(folder, pathMap(r));
      }
    }
  }

  const nodePackages = new Map<string, PathMap>();
  for (const [name, p] of named) {
    const t = await tsconfigIn(p.dir);
    nodePackages.set(name, packageMap(p, t));
  }
  return { tsconfigs, importMaps, nodePackages };
}

/** Patterns with targets made absolute from `base`. */
function toEntries(patterns: Patterns, base: string): { pattern: string; targets: string[] }[] {
  return patterns.map(([pattern, targets]) => ({ pattern, targets: targets.map((t) => resolve(base, t)) }));
}

/** A package's subpaths: `exports`, else `main`/`types` for `.` and every file of the folder; each output file also names its source. */
function packageMap(p: Package, t: ResolvedTsconfig | undefined): PathMap {
  const outDir = t?.outDir ?? join(p.dir, 'dist');
  const rootDir = t?.rootDir ?? join(p.dir, 'src');
  const withSource = (target: string): string[] => (target.startsWith(`${outDir}/`) ? [join(rootDir, target.slice(outDir.length + 1)), target] : [target]);
  const entries: { pattern: string; targets: string[] }[] = [];
  if (p.facts.exports) {
    for (const e of toEntries(p.facts.exports, p.dir)) entries.push({ pattern: e.pattern, targets: e.targets.flatMap(withSource) });
  } else {
    const main = p.facts.main.map((m) => resolve(p.dir, m)).flatMap(withSource);
    // Without an entry point, Node looks for `index.js`; sources often keep it in `src/`.
    entries.push({ pattern: '.', targets: main.length > 0 ? main : [join(p.dir, 'index'), join(rootDir, 'index')] });
    entries.push({ pattern: './*', targets: [join(p.dir, '*')].flatMap(withSource) });
  }
  return { entries: entries.map((e) => ({ pattern: e.pattern, targets: [...new Set(e.targets)] })) };
}

/** The member folders a workspace's globs name (folders, `dir/*`, `dir/**`, `!` exclusions). */
async function expandWorkspaces(root: string, globs: readonly string[], reader: ConfigReader): Promise<string[]> {
  if (globs.length === 0) return [];
  const out = new Set<string>();
  const excluded: string[] = [];
  for (const g of globs) if (g.startsWith('!')) excluded.push(resolve(root, g.slice(1).replace(/\/\*\*?$/, '')));
  for (const g of globs) {
    if (g.startsWith('!')) continue;
    const segments = g.replace(/^\.\//, '').split('/').filter((s) => s !== '' && s !== '.');
    // A workspace glob stays inside its root.
    if (segments.includes('..') || g.startsWith('/')) continue;
    let dirs = [root];
    for (const seg of segments) {
      const next: string[] = [];
      for (const d of dirs) {
        if (seg === '**') next.push(...(await descendants(d, GLOBSTAR_DEPTH, reader)));
        else if (seg.includes('*')) {
          // More wildcards than a real workspace writes could make matching slow: such a glob names nothing.
          if (seg.split('*').length > 4) break;
          const re = new RegExp(`^${seg.split('*').map(escapeRegExp).join('[^/]*')}$`);
          next.push(...(await children(d, reader)).filter((c) => re.test(c.slice(d.length + 1))));
        } else next.push(join(d, seg));
        if (next.length > MAX_MEMBERS) break;
      }
      dirs = next;
    }
    for (const d of dirs) if (!excluded.some((x) => d === x || d.startsWith(`${x}/`))) out.add(d);
    if (out.size > MAX_MEMBERS) break;
  }
  return [...out];
}

async function children(dir: string, reader: ConfigReader): Promise<string[]> {
  const l = await reader.listing(dir);
  if (!l) return [];
  return [...l].filter(([name, kind]) => (kind === 'dir' || kind === 'link') && !name.startsWith('.') && !NEVER_MEMBERS.has(name)).map(([name]) => join(dir, name));
}

async function descendants(dir: string, depth: number, reader: ConfigReader): Promise<string[]> {
  const out = [dir];
  let level = [dir];
  for (let i = 0; i < depth && out.length <= MAX_MEMBERS; i++) {
    const next: string[] = [];
    for (const d of level) next.push(...(await children(d, reader)));
    out.push(...next);
    level = next;
  }
  return out;
}
