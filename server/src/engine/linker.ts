/**
 * The linker: resolves the calls a file makes into other files' summaries, and joins the chains.
 *
 * It is pure: it reads summaries (engine/summary.ts) and asks each language's {@link ModuleResolver}
 * where a callee may live. A new language plugs in with a resolver and nothing else: the resolver
 * turns a callee (as the frontend resolved it) into candidate modules and an export name, and the
 * linker does the rest (re-exports, chains across files, depth limit, cycles).
 */
import type { ChannelFills, LockUse } from './model';
import type { BlockingChain, FileSummary, FunctionSummary, Hop, LocalHop } from './summary';

/** Where a module lives: one of several candidate files (the first that exists), or every file of a folder (a Go package). */
export type ModuleLocation = { readonly files: readonly string[] } | { readonly folder: string };

/** A candidate for what a callee names: a module and the export's name in it (`verify`, `Store.save`, `default`). */
export interface LinkTarget {
  readonly module: ModuleLocation;
  readonly name: string;
}

/**
 * What the project's manifests say about where its packages live, read by the project layer
 * (project/layout.ts) and handed to every resolver as plain data: a resolver that needs no more
 * than relative paths ignores it.
 */
export interface ProjectLayout {
  /**
   * Packages of the project by the name code imports them under, with the folder of their manifest:
   * a Cargo workspace's member crates and path dependencies (`my_core` → `/ws/crates/core`).
   */
  readonly packages?: ReadonlyMap<string, string>;
  /**
   * Rust: the library root of a crate whose `Cargo.toml` says `[lib] path = …` (Servo's
   * `path = "lib.rs"`), by the crate's folder; every other crate's root is `src/lib.rs`.
   */
  readonly libRoots?: ReadonlyMap<string, string>;
  /**
   * TS/JS: the `paths` and `baseUrl` of each `tsconfig.json` (or `jsconfig.json`), by the folder it is
   * in, after its `extends` chain. A file takes the nearest one at or above its folder.
   */
  readonly tsconfigs?: ReadonlyMap<string, PathMap>;
  /** TS/JS: the `imports` (`#db`, `#services/*`) of each `package.json`, by its folder; a file takes the nearest. */
  readonly importMaps?: ReadonlyMap<string, PathMap>;
  /**
   * TS/JS: the project's own packages by name (the members of an npm, Yarn or pnpm workspace, and
   * the packages the checked files are in), each as a map from subpath (`.`, `./client`, `./*`) to
   * the files it names: `exports`, else `main`/`types` and any file of the folder.
   */
  readonly nodePackages?: ReadonlyMap<string, PathMap>;
  /**
   * Python: the folders absolute imports start from (a `pyproject.toml`, `setup.py` or `setup.cfg`
   * folder, and its `src/`), read for languages/python/resolver.ts.
   */
  readonly pythonRoots?: readonly string[];
  /**
   * Java: the project's source roots (`src/main/java`, `src/test/java`, `src/java` folders above a
   * `.java` file), where a class of another module of the build is looked for (languages/java/resolver.ts).
   */
  readonly javaRoots?: readonly string[];
  /**
   * Go: the module path each `go.mod` declares (`example.com/shop`), with its folder: an import path
   * under a module path names the folder under the module's.
   */
  readonly goModules?: ReadonlyMap<string, string>;
}

/**
 * A map from module specifiers to files, as tsconfig `paths`, package.json `imports` and `exports`
 * write it: each pattern has at most one `*`, and its targets are absolute paths (a `*` in a target
 * takes what the pattern's `*` matched). Exact patterns win, then the longest prefix, as in
 * TypeScript and Node.
 */
export interface PathMap {
  readonly entries: readonly { readonly pattern: string; readonly targets: readonly string[] }[];
  /** tsconfig `baseUrl`, absolute: a bare specifier also names a file under it. */
  readonly baseUrl?: string;
  /**
   * A tsconfig's: the folders its `include` and `files` start in, absolute. A file under none of
   * them is not part of that project, and takes its aliases from a config further up, if any.
   */
  readonly scope?: readonly string[];
}

/**
 * What a language provides to link its files. Pure: paths in, paths out, no file system.
 * `layout`, when the caller read one, says where the project's named packages live.
 */
export interface ModuleResolver {
  /**
   * True when a resolved callee may name project code (a relative import, `crate::`); others are never
   * looked up. `fromPath`, the calling file, lets a language link a name from some files only (Java: a
   * library's package from the files of a project that is that library).
   */
  mayLink(callee: string, fromPath?: string): boolean;
  /** The candidates for a callee made in `fromPath`, most specific first. */
  targets(callee: string, fromPath: string, layout?: ProjectLayout): readonly LinkTarget[];
  /** Where a re-exported module (`export * from './x'`, `pub use crate::db::*`) lives, seen from `fromPath`. */
  module(spec: string, fromPath: string, layout?: ProjectLayout): ModuleLocation | undefined;
}

/** What a callee resolves to across files: the target's summary, with its chain joined across files. */
export interface LinkedFunction {
  readonly path: string;
  readonly shown: string;
  /** The function's name, for messages. */
  readonly name: string;
  readonly isAsync: boolean;
  readonly offloads: boolean;
  /** It reaches external I/O, in its own file or through the files it calls. */
  readonly io: boolean;
  /** Where it first reaches I/O: the calls from it down to the I/O call (the last hop), across files. */
  readonly ioChain?: BlockingChain;
  /** It blocks its caller: the chain from its body down to the blocking call, across files. */
  readonly blocks?: BlockingChain;
  /**
   * Its promise cannot reject: an async function whose own file says it catches its failures, or a
   * function that returns such a promise, possibly through other modules' functions (a method that
   * chains on its superclass's, `super.stop().then(…)`) that cannot reject either.
   */
  readonly cannotReject?: true;
  /** Go: the channel parameters it fills before it returns, as its own file tells (`ChannelFills`). */
  readonly fills?: ChannelFills;
  /** Only in the {@link PACKAGE_LOCKS} entry: the other files' uses of the locks the file takes. */
  readonly lockUses?: readonly LockUse[];
}

/**
 * The key of the entry of a file's {@link Imports} that is no callee: the uses of the locks the
 * file takes by the other files of its package (Go), so that the file's analysis knows each lock's
 * acquisitions package-wide. A callee is never written this way.
 */
export const PACKAGE_LOCKS = '#package-locks';

/** What a file's analysis receives: the linked functions its callees name, by callee. Plain data. */
export type Imports = Readonly<Record<string, LinkedFunction>>;

/** How many files a chain crosses at most. */
export const MAX_LINK_DEPTH = 8;

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? path.slice(0, i + 1) : path.slice(0, i);
}

/** Joins the summaries of a project. Built once per set of summaries; answers are memoised. */
export class Linker {
  private readonly byPath: ReadonlyMap<string, FileSummary>;
  private readonly byFolder = new Map<string, FileSummary[]>();
  private readonly exportsOf = new Map<FileSummary, Map<string, FunctionSummary>>();
  private readonly memo = new Map<string, LinkedFunction | null>();
  /**
   * Resolutions by file and callee: a project's files call the same helpers many times, and each
   * resolution tries every candidate file and export name (about 40 for a relative import).
   */
  private readonly resolved = new Map<string, { file: FileSummary; fn: FunctionSummary } | null>();

  constructor(
    summaries: Iterable<FileSummary>,
    private readonly resolverFor: (path: string) => ModuleResolver | undefined,
    private readonly layout: ProjectLayout = {},
  ) {
    const byPath = new Map<string, FileSummary>();
    for (const s of summaries) {
      byPath.set(s.path, s);
      const dir = dirname(s.path);
      const list = this.byFolder.get(dir);
      if (list) list.push(s);
      else this.byFolder.set(dir, [s]);
    }
    this.byPath = byPath;
  }

  /** The summaries a module location names (one file, or a folder's files). */
  private modules(loc: ModuleLocation): readonly FileSummary[] {
    if ('folder' in loc) return this.byFolder.get(loc.folder) ?? [];
    for (const f of loc.files) {
      const s = this.byPath.get(f);
      if (s) return [s];
    }
    return [];
  }

  private exportMap(s: FileSummary): Map<string, FunctionSummary> {
    let m = this.exportsOf.get(s);
    if (!m) {
      m = new Map(s.exports.map((e) => [e.name, e]));
      this.exportsOf.set(s, m);
    }
    return m;
  }

  /** An export of a file by name, through re-exports (depth-limited, cycle-safe). */
  private findExport(s: FileSummary, name: string, depth: number, seen: Set<string>): { file: FileSummary; fn: FunctionSummary } | undefined {
    const key = `${s.path}#${name}`;
    if (depth > MAX_LINK_DEPTH || seen.has(key)) return undefined;
    seen.add(key);
    const own = this.exportMap(s).get(name);
    if (own) return { file: s, fn: own };
    const resolver = this.resolverFor(s.path);
    if (!resolver) return undefined;
    for (const r of s.reexports) {
      // Every name the module re-exports this one as, in turn: a Go struct re-exports itself once per
      // embedded type (`Server` → `Cache`, `Server` → `Store`), and only one of them has the method.
      const imported: string[] = [];
      if (!r.names) {
        if (name !== 'default') imported.push(name);
      } else {
        for (const n of r.names) {
          if (n.exported === name) imported.push(n.imported);
          else if (name.startsWith(`${n.exported}.`)) imported.push(n.imported === '*' ? name.slice(n.exported.length + 1) : `${n.imported}${name.slice(n.exported.length)}`);
        }
      }
      if (imported.length === 0) continue;
      const loc = resolver.module(r.module, s.path, this.layout);
      if (!loc) continue;
      for (const one of imported) {
        for (const target of this.modules(loc)) {
          const found = this.findExport(target, one, depth + 1, seen);
          if (found) return found;
        }
      }
    }
    return undefined;
  }

  /** The summary a callee made in `fromPath` names, if it is in the project. */
  resolve(fromPath: string, callee: string): { file: FileSummary; fn: FunctionSummary } | undefined {
    const key = `${fromPath}\n${callee}`;
    const known = this.resolved.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.resolveUncached(fromPath, callee);
    this.resolved.set(key, found ?? null);
    return found;
  }

  private resolveUncached(fromPath: string, callee: string): { file: FileSummary; fn: FunctionSummary } | undefined {
    const resolver = this.resolverFor(fromPath);
    if (!resolver || !resolver.mayLink(callee, fromPath)) return undefined;
    for (const t of resolver.targets(callee, fromPath, this.layout)) {
      const modules = this.modules(t.module);
      // In a module of several files (a Go package), a name one file declares wins over the same
      // name another file re-exports: a struct's own method over one its embedded type promotes.
      for (const s of modules) {
        const own = this.exportMap(s).get(t.name);
        if (own) return { file: s, fn: own };
      }
      for (const s of modules) {
        const found = this.findExport(s, t.name, 0, new Set());
        if (found) return found;
      }
    }
    return undefined;
  }

  /** What a callee made in `fromPath` does, joined across files; `undefined` when it is not project code. */
  link(fromPath: string, callee: string): LinkedFunction | undefined {
    const target = this.resolve(fromPath, callee);
    return target ? this.linked(target.file, target.fn, 0, new Set()) : undefined;
  }

  private linked(file: FileSummary, fn: FunctionSummary, depth: number, active: Set<string>): LinkedFunction | undefined {
    const key = `${file.path}#${fn.name}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known ?? undefined;
    // A cycle between modules, or a chain deeper than the limit: what is on the way does not block here.
    if (active.has(key) || depth > MAX_LINK_DEPTH) return undefined;
    active.add(key);
    // Summaries leave the file out of their hops: it is this one.
    const here = (hops: readonly LocalHop[]): Hop[] => hops.map((h) => ({ path: file.path, shown: file.shown, ...h }));
    let blocks: BlockingChain | undefined = fn.blocks ? { hops: here(fn.blocks.hops), callee: fn.blocks.callee } : undefined;
    let io = fn.io;
    let ioChain: BlockingChain | undefined = fn.ioVia ? { hops: here(fn.ioVia.hops), callee: fn.ioVia.callee, ...(fn.ioVia.disk ? { disk: true as const } : {}) } : undefined;
    let complete = true;
    for (const ref of fn.refs) {
      // Go on past I/O that only touches the disk: a call further on may reach the network.
      if (blocks && io && ioChain?.disk !== true) break;
      const target = this.resolve(file.path, ref.callee);
      if (!target) continue;
      const inner = this.linked(target.file, target.fn, depth + 1, active);
      if (!inner) {
        complete = false;
        continue;
      }
      if (inner.io) {
        if (inner.ioChain && (!io || (ioChain?.disk === true && inner.ioChain.disk !== true))) {
          ioChain = { hops: [...here(ref.hops), ...inner.ioChain.hops], callee: inner.ioChain.callee, ...(inner.ioChain.disk ? { disk: true as const } : {}) };
        }
        io = true;
      }
      if (!blocks && ref.sync && !fn.isAsync && !fn.offloads && inner.blocks && !inner.isAsync && !inner.offloads) {
        blocks = { hops: [...here(ref.hops), ...inner.blocks.hops], callee: inner.blocks.callee };
      }
    }
    // Quiet on condition: every callee it chains on, in other modules, links and cannot reject.
    let cannotReject = fn.cannotReject === true;
    if (!cannotReject && fn.cannotRejectIf !== undefined && fn.cannotRejectIf.length > 0) {
      cannotReject = fn.cannotRejectIf.every((callee) => {
        const target = this.resolve(file.path, callee);
        const inner = target ? this.linked(target.file, target.fn, depth + 1, active) : undefined;
        if (target && !inner) complete = false;
        return inner?.cannotReject === true;
      });
    }
    active.delete(key);
    const out: LinkedFunction = { path: file.path, shown: file.shown, name: fn.display, isAsync: fn.isAsync, offloads: fn.offloads, io, ...(ioChain ? { ioChain } : {}), ...(blocks ? { blocks } : {}), ...(cannotReject ? { cannotReject: true as const } : {}), ...(fn.fills ? { fills: fn.fills } : {}) };
    // An answer cut short by a cycle depends on where the walk entered it: only complete ones are kept.
    if (complete || (blocks && io)) this.memo.set(key, out);
    return out;
  }

  /**
   * The imports a file's analysis needs: each callee of the file that names project code which
   * blocks or does I/O, each callee whose promise the file drops that names an async function
   * which can reject, and each callee it hands a fresh channel to that fills it (Go). Plain data, so it crosses to worker threads and keys the cache.
   */
  importsFor(path: string): Imports {
    const s = this.byPath.get(path);
    const out: Record<string, LinkedFunction> = {};
    if (!s) return out;
    const floating = new Set(s.floating ?? []);
    const assumed = new Set(s.assumed ?? []);
    const fillers = new Set(s.fillers ?? []);
    for (const callee of s.refs) {
      const l = this.link(path, callee);
      if (l && (l.blocks || l.io || (floating.has(callee) && l.isAsync && !l.cannotReject) || (assumed.has(callee) && l.cannotReject) || (fillers.has(callee) && l.fills))) out[callee] = l;
    }
    // Present (possibly with no uses) whenever the file takes a mutex field: the rule reads its
    // absence as "the package's other uses are unknown" (no index yet, `crossFile: false`, one file).
    const lockUses = this.packageLockUses(s);
    if (lockUses !== undefined) out[PACKAGE_LOCKS] = { path: dirname(path), shown: dirname(s.shown), name: 'package locks', isAsync: false, offloads: false, io: false, lockUses };
    return out;
  }

  /**
   * The uses, by the other files of the folder (a Go package), of the mutex fields `s` acquires:
   * those of the same `Owner.field`, and those whose owner the other file could not type (`?.field`);
   * an empty list when no other file uses them, `undefined` when `s` acquires none.
   */
  private packageLockUses(s: FileSummary): LockUse[] | undefined {
    const mine = new Set<string>();
    for (const u of s.locks ?? []) if (u.kind === 'acquire' && !u.lock.startsWith('?.')) mine.add(u.lock);
    if (mine.size === 0) return undefined;
    const fields = new Set([...mine].map((l) => `?.${l.slice(l.lastIndexOf('.') + 1)}`));
    const out: LockUse[] = [];
    for (const other of this.byFolder.get(dirname(s.path)) ?? []) {
      if (other === s) continue;
      for (const u of other.locks ?? []) if (mine.has(u.lock) || fields.has(u.lock)) out.push(u);
    }
    return out;
  }

  /** The files a file's imports resolve to (direct imports only), for the server's dependency tracking. */
  dependencies(path: string): string[] {
    const s = this.byPath.get(path);
    if (!s) return [];
    const out = new Set<string>();
    for (const callee of s.refs) {
      const t = this.resolve(path, callee);
      if (t) out.add(t.file.path);
    }
    return [...out];
  }
}

/** The text of a chain for messages: `` `verify` (server/password-hash.js:12) → `derive` (utils/crypto.js:4) ``. */
export function chainText(hops: readonly Hop[]): string {
  return hops.map((h) => `\`${h.function}\` (${h.shown}:${h.range.line + 1})`).join(' → ');
}
