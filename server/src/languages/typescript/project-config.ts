/**
 * What the project layer needs from `tsconfig.json`, `package.json` and `pnpm-workspace.yaml`, read
 * from their text: path aliases, `extends`, output folders, package names, entry points, `exports`,
 * `imports` and workspace members. Pure: the caller reads the files (project/node-layout.ts) and
 * hands in text; nothing here is evaluated, and every value is checked for its type before it is
 * used, so a config from an untrusted repository is only data.
 */

/** At most this many patterns per map, and targets per pattern: a huge config cannot slow every lookup. */
export const MAX_PATTERNS = 500;
export const MAX_TARGETS = 16;

/**
 * JSON with comments and trailing commas (tsconfig's dialect) → a value; `undefined` when the text
 * is not that. One pass over the text, then `JSON.parse`.
 */
export function parseJsonc(text: string): unknown {
  // Parts of the text to blank out (comments, trailing commas), in order, as [start, end) pairs.
  const blanks: number[] = [];
  const n = text.length;
  // The offset of a comma that a closing bracket would make trailing (only space and comments since).
  let comma = -1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 /* \ */ ? 2 : 1;
      i = j + 1;
      comma = -1;
      continue;
    }
    if (c === 47 /* / */ && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) {
      let end: number;
      if (text.charCodeAt(i + 1) === 47) {
        end = text.indexOf('\n', i);
        if (end < 0) end = n;
      } else {
        end = text.indexOf('*/', i + 2);
        if (end < 0) return undefined;
        end += 2;
      }
      blanks.push(i, end);
      i = end;
      continue;
    }
    if (c === 44 /* , */) comma = i;
    else if ((c === 125 /* } */ || c === 93) /* ] */ && comma >= 0) {
      blanks.push(comma, comma + 1);
      comma = -1;
    } else if (c !== 32 && c !== 9 && c !== 10 && c !== 13) comma = -1;
    i++;
  }
  // A trailing comma is found after the comments that follow it: put the pairs back in order.
  const pairs: [number, number][] = [];
  for (let k = 0; k < blanks.length; k += 2) pairs.push([blanks[k]!, blanks[k + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [s, e] of pairs) {
    parts.push(text.slice(at, s), ' ');
    at = e;
  }
  parts.push(text.slice(at));
  try {
    return JSON.parse(parts.join('')) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringOf = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length < 4096 ? v : undefined);
const own = (o: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);

/** A pattern → targets list as written (targets relative to the file that wrote them). */
export type Patterns = readonly (readonly [pattern: string, targets: readonly string[]])[];

/** What a tsconfig says that the linker uses. Paths are as written. */
export interface TsConfigFacts {
  /** `extends`: one or several configs (TypeScript 5 takes an array), relative paths or package specifiers. */
  readonly extends: readonly string[];
  readonly baseUrl?: string;
  readonly paths?: Patterns;
  readonly outDir?: string;
  readonly rootDir?: string;
  /** `include` and `files`, as written (relative to the config's folder). */
  readonly include?: readonly string[];
  readonly files?: readonly string[];
  /** The `path` of each project reference, as written (a config file or a folder holding `tsconfig.json`). */
  readonly references?: readonly string[];
}

/** A list of strings from a JSON array (at most {@link MAX_PATTERNS}); `undefined` when it is not an array. */
function stringList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.slice(0, MAX_PATTERNS).map(stringOf).filter((s): s is string => s !== undefined && s.length <= 4096);
}

/** The facts of a tsconfig's text; `undefined` when it is not a JSON object. */
export function tsconfigFacts(text: string): TsConfigFacts | undefined {
  const json = parseJsonc(text);
  if (!isObject(json)) return undefined;
  const ext = own(json, 'extends');
  const extendsList = (Array.isArray(ext) ? ext : [ext]).map(stringOf).filter((s): s is string => s !== undefined).slice(0, MAX_TARGETS);
  const options = own(json, 'compilerOptions');
  const o = isObject(options) ? options : {};
  const rawPaths = own(o, 'paths');
  const paths = isObject(rawPaths) ? patternsOf(rawPaths, (v) => (Array.isArray(v) ? v : [])) : undefined;
  const baseUrl = stringOf(own(o, 'baseUrl'));
  const outDir = stringOf(own(o, 'outDir'));
  const rootDir = stringOf(own(o, 'rootDir'));
  const include = stringList(own(json, 'include'));
  const files = stringList(own(json, 'files'));
  const refs = own(json, 'references');
  const references = Array.isArray(refs)
    ? refs
        .slice(0, MAX_TARGETS)
        .map((r) => (isObject(r) ? stringOf(own(r, 'path')) : undefined))
        .filter((s): s is string => s !== undefined)
    : undefined;
  return {
    extends: extendsList,
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(paths ? { paths } : {}),
    ...(outDir !== undefined ? { outDir } : {}),
    ...(rootDir !== undefined ? { rootDir } : {}),
    ...(include ? { include } : {}),
    ...(files ? { files } : {}),
    ...(references && references.length > 0 ? { references } : {}),
  };
}

function patternsOf(map: Record<string, unknown>, targetsOf: (v: unknown) => readonly unknown[]): Patterns {
  const out: [string, string[]][] = [];
  for (const key of Object.keys(map)) {
    if (out.length >= MAX_PATTERNS) break;
    // A pattern has at most one `*` (TypeScript and Node both refuse more).
    if (key.length > 4096 || key.indexOf('*') !== key.lastIndexOf('*')) continue;
    const targets = targetsOf(map[key])
      .map(stringOf)
      .filter((t): t is string => t !== undefined && t.indexOf('*') === t.lastIndexOf('*'))
      .slice(0, MAX_TARGETS);
    if (targets.length > 0) out.push([key, targets]);
  }
  return out;
}

/**
 * Conditions a server's code is loaded under (Node's, TypeScript's `types`, and `source`, which
 * monorepos use to point at sources); `browser`, `test`, `storybook` and the like name other files.
 */
const SERVER_CONDITIONS = new Set(['source', 'types', 'typings', 'node', 'import', 'require', 'module', 'module-sync', 'default', 'production', 'development']);

/**
 * The strings a conditional target names, in the order written (`{ "types": …, "import": …,
 * "default": … }`, nested, or an array of fallbacks); `null` targets name nothing.
 */
function conditionalTargets(v: unknown, depth = 0): string[] {
  if (depth > 8) return [];
  const s = stringOf(v);
  if (s !== undefined) return [s];
  if (Array.isArray(v)) return v.slice(0, MAX_TARGETS).flatMap((x) => conditionalTargets(x, depth + 1));
  if (isObject(v)) {
    return Object.keys(v)
      .filter((k) => SERVER_CONDITIONS.has(k))
      .slice(0, MAX_TARGETS)
      .flatMap((k) => conditionalTargets(v[k], depth + 1));
  }
  return [];
}

/** What a package.json says that the linker uses. Paths are as written (relative to its folder). */
export interface PackageFacts {
  readonly name?: string;
  /** `workspaces` (an array, or Yarn's `{ packages: [...] }`): folders and globs of member packages. */
  readonly workspaces: readonly string[];
  /** `exports` as subpath patterns (`.`, `./client`, `./utils/*`); `undefined` when the package has none. */
  readonly exports?: Patterns;
  /** `source`, `types`/`typings`, `module`, `main`, in that order: what `.` names without `exports`. */
  readonly main: readonly string[];
  /** `imports` (`#db`, `#services/*`). */
  readonly imports?: Patterns;
}

/** The facts of a package.json's text; `undefined` when it is not a JSON object. */
export function packageFacts(text: string): PackageFacts | undefined {
  const json = parseJsonc(text);
  if (!isObject(json)) return undefined;
  const name = stringOf(own(json, 'name'));
  const ws = own(json, 'workspaces');
  const wsList = Array.isArray(ws) ? ws : isObject(ws) && Array.isArray(own(ws, 'packages')) ? (own(ws, 'packages') as unknown[]) : [];
  const workspaces = wsList.map(stringOf).filter((s): s is string => s !== undefined).slice(0, MAX_PATTERNS);
  const main = ['source', 'types', 'typings', 'module', 'main'].map((k) => stringOf(own(json, k))).filter((s): s is string => s !== undefined);
  const rawExports = own(json, 'exports');
  let exports: Patterns | undefined;
  if (rawExports !== undefined && rawExports !== null) {
    // `"exports": "./x.js"` or a conditions object is the `.` subpath; an object of `./…` keys maps subpaths.
    const subpaths = isObject(rawExports) && Object.keys(rawExports).some((k) => k.startsWith('.'));
    exports = subpaths ? patternsOf(rawExports as Record<string, unknown>, (v) => conditionalTargets(v)).filter(([k]) => k.startsWith('.')) : [['.', conditionalTargets(rawExports).slice(0, MAX_TARGETS)]];
  }
  const rawImports = own(json, 'imports');
  const imports = isObject(rawImports) ? patternsOf(rawImports, (v) => conditionalTargets(v)).filter(([k]) => k.startsWith('#')) : undefined;
  return { ...(name !== undefined ? { name } : {}), workspaces, ...(exports ? { exports } : {}), main, ...(imports ? { imports } : {}) };
}

/** The `packages:` list of a `pnpm-workspace.yaml` (a line reader for that one list, not a YAML parser). */
export function pnpmWorkspaces(text: string): string[] {
  const out: string[] = [];
  let inList = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s#.*$|^#.*$/, '');
    if (/^packages\s*:/.test(line)) {
      inList = true;
      const inline = /\[(.*)\]/.exec(line);
      if (inline) {
        out.push(...inline[1]!.split(',').map(unquote).filter((s) => s.length > 0));
        inList = false;
      }
      continue;
    }
    if (!inList) continue;
    const item = /^\s+-\s*(.+?)\s*$/.exec(line);
    if (item) out.push(unquote(item[1]!));
    else if (/^\S/.test(line)) inList = false;
    if (out.length >= MAX_PATTERNS) break;
  }
  return out.filter((s) => s.length > 0);
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(['"]).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/**
 * The targets of the pattern that matches `spec` in `entries` (exact first, then the longest
 * prefix before the `*`), with the `*` substituted; `undefined` when none matches.
 */
export function matchPattern(entries: readonly { readonly pattern: string; readonly targets: readonly string[] }[], spec: string): string[] | undefined {
  let best: { targets: readonly string[]; star: string; prefix: number } | undefined;
  for (const e of entries) {
    const star = e.pattern.indexOf('*');
    if (star < 0) {
      if (e.pattern === spec) return [...e.targets];
      continue;
    }
    const prefix = e.pattern.slice(0, star);
    const suffix = e.pattern.slice(star + 1);
    if (spec.length < prefix.length + suffix.length || !spec.startsWith(prefix) || !spec.endsWith(suffix)) continue;
    if (best && best.prefix >= prefix.length) continue;
    best = { targets: e.targets, star: spec.slice(prefix.length, spec.length - suffix.length), prefix: prefix.length };
  }
  return best ? best.targets.map((t) => t.replace('*', best.star)) : undefined;
}
