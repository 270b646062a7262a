/**
 * Parses `.async-boundary.json` text into a {@link Config}. Text in, config and errors out: no IO.
 *
 * The file is JSON with comments and trailing commas. Every problem becomes a {@link ConfigError}
 * pointing at the offending key or value; the invalid part is dropped and the rest applies, so a
 * typo in one rule name never turns the whole config off.
 */
import { createScanner, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import type { BlockingCall, BlockingCategory, CatalogExtension, ChannelConstructor, LockType } from './catalog';
import type { Config, RolesConfig, RuleLevel } from './config';
import { globNeverMatches, globSyntaxProblem } from './glob';
import { LineIndex } from './line-index';
import type { CodeRole, LanguageId } from './model';
import { CODE_ROLES } from './roles';
import { RULES } from './rules';
import { INVALID_SUPPRESSION } from './suppressions';

/** One problem in a config file, with where it is and what to do about it. */
export interface ConfigError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
  /** The key path of the offending entry (`rules.blocking-in-async`, `languages.typescript.blockingCalls[2]`); empty for the document. */
  readonly path: string;
  /** What is wrong, then what to do. */
  readonly message: string;
}

/** The result of {@link parseConfig}: the valid parts of the file, and what was wrong with the rest. */
export interface ParsedConfig {
  readonly config: Config;
  readonly errors: readonly ConfigError[];
  /** What is allowed but cannot be meant (a glob that can never match a file); the config still applies in full. */
  readonly warnings: readonly ConfigError[];
}

/** What the caller knows about where the config file is. */
export interface ConfigPlace {
  /** How many folders the config's folder is below the root of the file system (`/a/b` is 2). */
  readonly depth?: number;
}

/** {@link ConfigPlace.depth} of a folder given as an absolute path (either slash; a drive letter is not a folder). */
export function folderDepth(dir: string): number {
  return dir.split(/[\\/]/).filter((s) => s !== '' && !/^[A-Za-z]:$/.test(s)).length;
}

/** The most entries a list in the config may hold; longer lists are cut here, with an error. */
export const MAX_LIST_ENTRIES = 10_000;
/** The longest string the config accepts as a name or a glob. */
export const MAX_STRING_LENGTH = 1_000;

/**
 * The deepest nesting of arrays and objects a config may have. The format needs five levels; the
 * JSON parser recurses once per level, so a file of nested brackets would overflow the stack.
 */
export const MAX_NESTING_DEPTH = 64;
/** The most errors reported for one config file; the rest are counted in a last error. */
export const MAX_CONFIG_ERRORS = 50;

/** Rule levels a config may set. */
export const RULE_LEVELS: readonly RuleLevel[] = ['error', 'warning', 'info', 'hint', 'off'];
/** Languages a config may extend (the model's language ids). */
export const CONFIG_LANGUAGES: readonly LanguageId[] = ['typescript', 'rust', 'python', 'go', 'java'];
const CATEGORIES: readonly BlockingCategory[] = ['fs', 'process', 'crypto', 'zlib', 'sleep', 'net', 'db', 'cpu', 'other'];
const TOP_LEVEL_KEYS = ['$schema', 'rules', 'languages', 'include', 'exclude', 'roles'];
const CATALOG_KEYS = ['blockingCalls', 'lockTypes', 'channelConstructors', 'ioCalls'];

/** Rule ids a config may name: every rule, plus the pseudo-rule for malformed suppressions. */
export function configurableRuleIds(): string[] {
  return [...RULES.map((r) => r.id), INVALID_SUPPRESSION];
}

const list = (values: readonly string[]): string => values.map((v) => `\`${v}\``).join(', ');

/** Appends a key to a key path, bracketing keys that would not read as a plain name. */
function keyPath(parent: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

class Parser {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigError[] = [];
  private readonly lines: LineIndex;

  constructor(
    private readonly file: string,
    text: string,
    private readonly place: ConfigPlace = {},
  ) {
    this.lines = new LineIndex(text);
  }

  error(offset: number, path: string, message: string): void {
    const p = this.lines.position(offset);
    this.errors.push({ file: this.file, line: p.line + 1, column: p.character + 1, path, message });
  }

  warning(offset: number, path: string, message: string): void {
    const p = this.lines.position(offset);
    this.warnings.push({ file: this.file, line: p.line + 1, column: p.character + 1, path, message });
  }

  /** Whether a glob can be used: unsupported syntax is an error (the glob is dropped), a glob that can never match is a warning. */
  usableGlob(glob: string, node: Node, at: string): boolean {
    const why = globSyntaxProblem(glob);
    if (why !== undefined) {
      this.error(node.offset, at, `\`${at}\` ${why}`);
      return false;
    }
    const never = globNeverMatches(glob, this.place.depth);
    if (never !== undefined) this.warning(node.offset, at, `\`${at}\` can never match a file: it ${never}`);
    return true;
  }

  /** The properties of an object node; reports and returns nothing for any other node. */
  properties(node: Node, path: string, what: string): { key: string; keyNode: Node; value: Node }[] {
    if (node.type !== 'object') {
      const name = path === '' ? 'The config' : `\`${path}\``;
      this.error(node.offset, path, `${name} must be ${what}, not ${describe(node)}: write it as \`{ … }\``);
      return [];
    }
    const out: { key: string; keyNode: Node; value: Node }[] = [];
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const [keyNode, value] = prop.children ?? [];
      // A property without a value is a syntax error jsonc-parser already reported.
      if (!keyNode || !value) continue;
      const key = String(keyNode.value);
      if (seen.has(key)) {
        // JSON parsers disagree on which duplicate wins; we keep the first and say so.
        this.error(keyNode.offset, keyPath(path, key), `Duplicate key \`${key}\`${path === '' ? '' : ` in \`${path}\``}: only the first one is used; remove this one or merge them`);
        continue;
      }
      seen.add(key);
      out.push({ key, keyNode, value });
    }
    return out;
  }

  /** The elements of an array node, capped at {@link MAX_LIST_ENTRIES}. */
  elements(node: Node, path: string, what: string): Node[] {
    if (node.type !== 'array') {
      this.error(node.offset, path, `\`${path}\` must be an array of ${what}, not ${describe(node)}: write it as \`[ … ]\``);
      return [];
    }
    const items = node.children ?? [];
    if (items.length > MAX_LIST_ENTRIES) {
      this.error(items[MAX_LIST_ENTRIES]!.offset, path, `\`${path}\` has ${items.length} entries, more than the limit of ${MAX_LIST_ENTRIES}: only the first ${MAX_LIST_ENTRIES} are used; split the list or remove entries`);
      return items.slice(0, MAX_LIST_ENTRIES);
    }
    return items;
  }

  /** A non-empty string of bounded length, or `undefined` after reporting why not. */
  string(node: Node, path: string, what: string): string | undefined {
    if (node.type !== 'string') {
      this.error(node.offset, path, `\`${path}\` must be ${what} (a string), not ${describe(node)}`);
      return undefined;
    }
    const value = node.value as string;
    if (value.trim() === '') {
      this.error(node.offset, path, `\`${path}\` is empty: give ${what} or remove the entry`);
      return undefined;
    }
    if (value.length > MAX_STRING_LENGTH) {
      this.error(node.offset, path, `\`${path}\` is ${value.length} characters long, more than the limit of ${MAX_STRING_LENGTH}: shorten it`);
      return undefined;
    }
    return value;
  }

  boolean(node: Node, path: string): boolean | undefined {
    if (node.type === 'boolean') return node.value as boolean;
    this.error(node.offset, path, `\`${path}\` must be \`true\` or \`false\`, not ${describe(node)}`);
    return undefined;
  }

  oneOf<T extends string>(node: Node, path: string, valid: readonly T[], what: string): T | undefined {
    if (node.type === 'string' && (valid as readonly string[]).includes(node.value as string)) return node.value as T;
    const shown = node.type === 'string' ? `\`${String(node.value)}\`` : describe(node);
    this.error(node.offset, path, `\`${path}\` is ${shown}, not a valid ${what}: use one of ${list(valid)}`);
    return undefined;
  }

  /** Checks the keys of an object against the allowed ones; returns the known properties by key (none for a non-object, reported). */
  fields(node: Node, path: string, allowed: readonly string[], what: string): Map<string, Node> {
    const out = new Map<string, Node>();
    for (const { key, keyNode, value } of this.properties(node, path, what)) {
      if (allowed.includes(key)) out.set(key, value);
      else this.error(keyNode.offset, keyPath(path, key), `Unknown key \`${key}\` in ${what} \`${path}\`: use one of ${list(allowed)}`);
    }
    return out;
  }

  rules(node: Node): Record<string, RuleLevel> {
    const valid = configurableRuleIds();
    const rules: Record<string, RuleLevel> = Object.create(null) as Record<string, RuleLevel>;
    for (const { key, keyNode, value } of this.properties(node, 'rules', 'an object mapping rule ids to levels')) {
      const path = keyPath('rules', key);
      if (!valid.includes(key)) {
        this.error(keyNode.offset, path, `Unknown rule \`${key}\` in \`rules\`: use one of ${list(valid)}`);
        continue;
      }
      const level = this.oneOf(value, path, RULE_LEVELS, 'rule level');
      if (level) rules[key] = level;
    }
    return rules;
  }

  languages(node: Node): Partial<Record<LanguageId, CatalogExtension>> {
    const out: Partial<Record<LanguageId, CatalogExtension>> = {};
    for (const { key, keyNode, value } of this.properties(node, 'languages', 'an object keyed by language')) {
      const path = keyPath('languages', key);
      if (!(CONFIG_LANGUAGES as readonly string[]).includes(key)) {
        this.error(keyNode.offset, path, `Unknown language \`${key}\` in \`languages\`: use one of ${list(CONFIG_LANGUAGES)}`);
        continue;
      }
      const ext = this.catalogExtension(value, path);
      if (ext) out[key as LanguageId] = ext;
    }
    return out;
  }

  catalogExtension(node: Node, path: string): CatalogExtension | undefined {
    if (node.type !== 'object') {
      this.properties(node, path, 'an object with `blockingCalls`, `lockTypes`, `channelConstructors` or `ioCalls`');
      return undefined;
    }
    const fields = this.fields(node, path, CATALOG_KEYS, 'a language section');
    const ext: { -readonly [K in keyof CatalogExtension]: CatalogExtension[K] } = {};
    const at = (key: string): [Node, string] | undefined => {
      const n = fields.get(key);
      return n ? [n, `${path}.${key}`] : undefined;
    };
    const blocking = at('blockingCalls');
    if (blocking) ext.blockingCalls = this.entries(blocking[0], blocking[1], 'blocking calls', (n, p) => this.blockingCall(n, p));
    const locks = at('lockTypes');
    if (locks) ext.lockTypes = this.entries(locks[0], locks[1], 'lock types', (n, p) => this.lockType(n, p));
    const channels = at('channelConstructors');
    if (channels) ext.channelConstructors = this.entries(channels[0], channels[1], 'channel constructors', (n, p) => this.channel(n, p));
    const io = at('ioCalls');
    if (io) ext.ioCalls = this.entries(io[0], io[1], 'names', (n, p) => this.string(n, p, 'a fully qualified name or a prefix ending in `.` or `::`'));
    return ext;
  }

  entries<T>(node: Node, path: string, what: string, read: (n: Node, path: string) => T | undefined): T[] {
    const out: T[] = [];
    this.elements(node, path, what).forEach((item, i) => {
      const value = read(item, `${path}[${i}]`);
      if (value !== undefined) out.push(value);
    });
    return out;
  }

  blockingCall(node: Node, path: string): string | BlockingCall | undefined {
    if (node.type !== 'object') return this.string(node, path, 'a fully qualified function name or an object `{ "name": …, "category": … }`');
    const f = this.fields(node, path, ['name', 'category', 'replacement', 'cpuHeavy'], 'a blocking call');
    const name = this.required(f, node, path, 'name', 'the fully qualified function name');
    if (name === undefined) return undefined;
    const category = f.has('category') ? this.oneOf(f.get('category')!, `${path}.category`, CATEGORIES, 'blocking category') : 'other';
    if (category === undefined) return undefined;
    const entry: { -readonly [K in keyof BlockingCall]: BlockingCall[K] } = { name, category };
    if (f.has('replacement')) {
      const r = this.string(f.get('replacement')!, `${path}.replacement`, 'the fully qualified name of the async equivalent');
      if (r !== undefined) entry.replacement = r;
    }
    if (f.has('cpuHeavy')) {
      const c = this.boolean(f.get('cpuHeavy')!, `${path}.cpuHeavy`);
      if (c !== undefined) entry.cpuHeavy = c;
    }
    return entry;
  }

  lockType(node: Node, path: string): string | LockType | undefined {
    if (node.type !== 'object') return this.string(node, path, 'a fully qualified type name or an object `{ "name": …, "kind": "blocking" | "async" }`');
    const f = this.fields(node, path, ['name', 'kind', 'limiter'], 'a lock type');
    const name = this.required(f, node, path, 'name', 'the fully qualified type name');
    if (name === undefined) return undefined;
    const kind = f.has('kind') ? this.oneOf(f.get('kind')!, `${path}.kind`, ['blocking', 'async'] as const, 'lock kind') : 'blocking';
    if (kind === undefined) return undefined;
    const entry: { -readonly [K in keyof LockType]: LockType[K] } = { name, kind };
    if (f.has('limiter')) {
      const l = this.boolean(f.get('limiter')!, `${path}.limiter`);
      if (l !== undefined) entry.limiter = l;
    }
    return entry;
  }

  channel(node: Node, path: string): string | ChannelConstructor | undefined {
    if (node.type !== 'object') return this.string(node, path, 'a fully qualified constructor name or an object `{ "name": …, "bound": … }`');
    const f = this.fields(node, path, ['name', 'bound', 'alwaysUnbounded'], 'a channel constructor');
    const name = this.required(f, node, path, 'name', 'the fully qualified constructor name');
    if (name === undefined) return undefined;
    let bound = 'a capacity';
    if (f.has('bound')) {
      const b = this.string(f.get('bound')!, `${path}.bound`, 'how to bound it (an option name, an argument, or a bounded constructor)');
      if (b === undefined) return undefined;
      bound = b;
    }
    const entry: { -readonly [K in keyof ChannelConstructor]: ChannelConstructor[K] } = { name, bound };
    if (f.has('alwaysUnbounded')) {
      const a = this.boolean(f.get('alwaysUnbounded')!, `${path}.alwaysUnbounded`);
      if (a !== undefined) entry.alwaysUnbounded = a;
    }
    return entry;
  }

  required(fields: Map<string, Node>, node: Node, path: string, key: string, what: string): string | undefined {
    const value = fields.get(key);
    if (value) return this.string(value, `${path}.${key}`, what);
    this.error(node.offset, path, `\`${path}\` has no \`${key}\`: add \`"${key}": …\` with ${what}`);
    return undefined;
  }

  /** `roles`: a level per role, and `paths` mapping globs to roles (in order: the first match wins). */
  roles(node: Node): RolesConfig {
    const levels: Partial<Record<CodeRole, RuleLevel>> = {};
    const paths: { glob: string; role: CodeRole }[] = [];
    for (const { key, keyNode, value } of this.properties(node, 'roles', 'an object mapping roles to levels, with `paths` mapping globs to roles')) {
      const path = keyPath('roles', key);
      if (key === 'paths') {
        for (const entry of this.properties(value, path, 'an object mapping globs to roles')) {
          const at = keyPath(path, entry.key);
          const glob = this.string(entry.keyNode, at, 'a glob pattern relative to the config file');
          const usable = glob !== undefined && this.usableGlob(glob, entry.keyNode, at);
          const role = this.oneOf(entry.value, at, CODE_ROLES, 'role');
          if (glob !== undefined && usable && role !== undefined) paths.push({ glob, role });
        }
        continue;
      }
      if (!(CODE_ROLES as readonly string[]).includes(key)) {
        this.error(keyNode.offset, path, `Unknown role \`${key}\` in \`roles\`: use one of ${list(CODE_ROLES)}, or \`paths\``);
        continue;
      }
      const level = this.oneOf(value, path, RULE_LEVELS, 'level');
      if (level) levels[key as CodeRole] = level;
    }
    return { levels, paths };
  }

  globs(node: Node, path: string): string[] {
    return this.entries(node, path, 'glob patterns', (n, p) => {
      const glob = this.string(n, p, 'a glob pattern relative to the config file');
      return glob !== undefined && this.usableGlob(glob, n, p) ? glob : undefined;
    });
  }
}

function describe(node: Node): string {
  switch (node.type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return `\`${String(node.value)}\``;
    case 'null':
      return '`null`';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    default:
      return 'a property';
  }
}

/**
 * Parses the text of a config file. Never throws: malformed JSON and invalid entries become
 * errors, and the config holds whatever parts were valid (defaults for the rest).
 *
 * @param text the file's contents (JSON with comments and trailing commas)
 * @param fileName the name to put in errors, as the caller wants it shown
 * @param place where the file is, for the warnings that depend on it
 */
export function parseConfig(text: string, fileName: string, place: ConfigPlace = {}): ParsedConfig {
  // Editors hide a UTF-8 byte-order mark and JSON.parse rejects it; it is not part of the config.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const p = new Parser(fileName, text, place);
  // Brackets nested too deeply are emptied (the parser recurses once per level); the entry they are in is ignored, with an error.
  const deep = flattenBeyond(text, MAX_NESTING_DEPTH);
  text = deep.text;
  const syntax: ParseError[] = [];
  const root = parseTree(text, syntax, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  // One syntax error is enough to act on: the parser's follow-on errors at the same spot are noise.
  const first = syntax[0];
  if (first) {
    const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    const more = syntax.length > 1 ? ` (and ${syntax.length - 1} more after it)` : '';
    p.error(first.offset, '', `Malformed JSON: ${what}${more}; fix the syntax at this position (comments and trailing commas are allowed)`);
  }
  let rules: Record<string, RuleLevel> = {};
  let languages: Partial<Record<LanguageId, CatalogExtension>> = {};
  let include: string[] = [];
  let exclude: string[] = [];
  let roles: RolesConfig | undefined;
  const tooDeep = (at: number, path: string, what: string) =>
    p.error(at, path, `The config nests arrays and objects more than ${MAX_NESTING_DEPTH} levels deep here (the format needs 5): ${what} is ignored; fix the brackets`);
  const deepLeft = new Set(deep.cuts);
  if (root) {
    for (const { key, keyNode, value } of p.properties(root, '', 'an object')) {
      const cut = deep.cuts.find((at) => value.offset <= at && at < value.offset + value.length);
      if (cut !== undefined) {
        for (const at of deep.cuts) if (value.offset <= at && at < value.offset + value.length) deepLeft.delete(at);
        tooDeep(cut, keyPath('', key), `\`${key}\``);
        continue;
      }
      if (key === 'rules') rules = p.rules(value);
      else if (key === 'languages') languages = p.languages(value);
      else if (key === 'include') include = p.globs(value, 'include');
      else if (key === 'exclude') exclude = p.globs(value, 'exclude');
      else if (key === 'roles') roles = p.roles(value);
      else if (key === '$schema') continue;
      else p.error(keyNode.offset, keyPath('', key), `Unknown top-level key \`${key}\`: use one of ${list(TOP_LEVEL_KEYS.slice(1))}`);
    }
  }
  // Outside any top-level entry (the file is a deep array, or the brackets do not match): said once.
  const [outside] = deepLeft;
  if (outside !== undefined) tooDeep(outside, '', 'this part');
  // A plain object again, so the result compares and serialises like any other config.
  return { config: { rules: { ...rules }, languages, include, exclude, ...(roles ? { roles } : {}) }, errors: sortAndCap(p.errors), warnings: sortAndCap(p.warnings) };
}

/**
 * `text` with the inside of every bracket that opens a level deeper than `max` blanked (line breaks
 * kept, so positions hold; strings and comments skipped), and where each such bracket is.
 */
function flattenBeyond(text: string, max: number): { text: string; cuts: number[] } {
  const scanner = createScanner(text, true);
  const cuts: number[] = [];
  const regions: [number, number][] = [];
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
      if (++depth === max + 1) {
        cuts.push(scanner.getTokenOffset());
        regions.push([scanner.getTokenOffset() + 1, text.length]);
      }
    } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
      if (depth === max + 1) regions[regions.length - 1]![1] = scanner.getTokenOffset();
      depth = Math.max(0, depth - 1);
    }
  }
  if (cuts.length === 0) return { text, cuts };
  let out = '';
  let at = 0;
  for (const [from, to] of regions) {
    out += text.slice(at, from) + text.slice(from, to).replace(/[^\r\n]/g, ' ');
    at = to;
  }
  return { text: out + text.slice(at), cuts };
}

/** Errors in file order, at most {@link MAX_CONFIG_ERRORS} of them, the last one counting the rest. */
function sortAndCap(errors: readonly ConfigError[]): ConfigError[] {
  const sorted = [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
  if (sorted.length <= MAX_CONFIG_ERRORS) return sorted;
  const last = sorted[MAX_CONFIG_ERRORS - 1]!;
  const rest = sorted.length - MAX_CONFIG_ERRORS + 1;
  return [...sorted.slice(0, MAX_CONFIG_ERRORS - 1), { ...last, path: '', message: `${rest} more errors from here on are not shown: fix the ones above and run again` }];
}

/** `file:line:col: warning: message`, for a config problem that does not stop the run. */
export function formatConfigWarning(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: warning: ${e.message}`;
}

/** `file:line:col: error: message`, the form compilers use and editors link. */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: error: ${e.message}`;
}
