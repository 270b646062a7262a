// Property 4, bad config: `parseConfig` never throws on malformed `.async-boundary.json` text,
// every error carries the file, a position inside the text and the key path, the valid parts are
// kept; and every glob the parser accepts matches hostile paths in linear time (engine/glob.ts).
import fc from 'fast-check';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, configurableRuleIds, RULE_LEVELS } from '../../server/src/engine/config-parse';
import { globMatcher } from '../../server/src/engine/glob';

export interface ConfigStats {
  configs: number;
  errors: number;
  globsAccepted: number;
  globsRefused: number;
  slowestGlobMs: number;
}

export function newConfigStats(): ConfigStats {
  return { configs: 0, errors: 0, globsAccepted: 0, globsRefused: 0, slowestGlobMs: 0 };
}

const FILE = 'fuzz/.async-boundary.json';

/** A rules entry that is either valid (kept) or wrong in one of the ways users get it wrong. */
const ruleEntry = fc.oneof(
  fc.tuple(fc.constantFrom(...configurableRuleIds()), fc.constantFrom(...RULE_LEVELS)).map(([k, v]) => ({ key: k, value: v as unknown, valid: true })),
  fc.tuple(fc.constantFrom(...configurableRuleIds()), fc.constantFrom<unknown>('loud', 3, null, true, [], {}, 'Error')).map(([k, v]) => ({ key: k, value: v, valid: false })),
  fc.tuple(fc.constantFrom('nope', '__proto__', 'constructor', 'blocking_in_async', '', 'x'.repeat(2000)), fc.constantFrom(...RULE_LEVELS)).map(([k, v]) => ({ key: k, value: v as unknown, valid: false })),
);

const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 })),
})).value;

const section = fc.record(
  {
    include: fc.oneof(fc.array(fc.oneof(fc.string(), anyJson), { maxLength: 5 }), anyJson),
    exclude: fc.oneof(fc.array(fc.string(), { maxLength: 5 }), fc.constant(Array.from({ length: 10_050 }, (_, i) => `gen/${i}/**`))),
    languages: fc.dictionary(fc.constantFrom('typescript', 'rust', 'cobol', '__proto__'), fc.dictionary(fc.constantFrom('blockingCalls', 'lockTypes', 'channelConstructors', 'ioCalls', 'nope'), anyJson, { maxKeys: 3 }), { maxKeys: 3 }),
    extra: anyJson,
  },
  { requiredKeys: [] },
);

/** A config text with a known set of valid rule entries, optionally damaged afterwards. */
export function configCaseArb(): fc.Arbitrary<{ text: string; validRules: Record<string, string> | undefined }> {
  return fc.tuple(fc.uniqueArray(ruleEntry, { selector: (e) => e.key, maxLength: 8 }), section, fc.oneof(fc.constant(undefined), fc.tuple(fc.nat(), fc.string({ maxLength: 4 }))), fc.boolean()).map(([rules, rest, damage, comments]) => {
    const obj: Record<string, unknown> = { rules: Object.fromEntries(rules.map((r) => [r.key, r.value])), ...rest };
    let text = JSON.stringify(obj, null, 2);
    if (comments) text = `// project config\n${text.replace(/,\n/g, ', /* c */\n')}`;
    if (damage) {
      const cut = damage[0] % (text.length + 1);
      text = text.slice(0, cut) + damage[1] + text.slice(cut);
      return { text, validRules: undefined };
    }
    // Keys repeated with different levels: the last one wins in JSON; skip the check then.
    return { text, validRules: Object.fromEntries(rules.filter((r) => r.valid).map((r) => [r.key, r.value as string])) };
  });
}

/** Never throws; errors name the file, a line/column inside the text and a key path; valid rules are kept. */
export function configParses(text: string, validRules: Record<string, string> | undefined, stats: ConfigStats): void {
  stats.configs++;
  const { config, errors } = parseConfig(text, FILE);
  stats.errors += errors.length;
  const lines = text.split(/\r\n|\r|\n/);
  for (const e of errors) {
    if (e.file !== FILE) throw new Error(`error without the file name: ${JSON.stringify(e)}`);
    if (!(e.line >= 1 && e.line <= lines.length && e.column >= 1 && e.column <= lines[e.line - 1]!.length + 1)) throw new Error(`error position outside the text: ${JSON.stringify(e)}`);
    if (typeof e.path !== 'string' || e.message.length === 0) throw new Error(`error without a key path or message: ${JSON.stringify(e)}`);
  }
  if (validRules) {
    const kept = JSON.stringify(Object.entries(config.rules).sort());
    const want = JSON.stringify(Object.entries(validRules).sort());
    if (kept !== want) throw new Error(`valid rules not kept: got ${kept}, want ${want}\n${text}`);
    for (const glob of [...config.include, ...config.exclude]) if (typeof glob !== 'string' || glob.length === 0) throw new Error(`invalid glob kept: ${JSON.stringify(glob)}`);
  }
}

/** Globs built from the characters that make backtracking regexes: stars, globstars, braces, extglobs. */
export function globArb(): fc.Arbitrary<string> {
  const piece = fc.constantFrom('*', '**', 'a', 'a*', '*a', '?', '/', '**/', '/**', '{a,*a}', '{a*,b}', '@(a|aa)', '+(a|*)', '*(a)', '!(a)', '[a-z]', '[*]', '\\*', '.', 'x', '../', '{', '}', '(', '[', '**/a*/');
  return fc.array(piece, { minLength: 1, maxLength: 30 }).map((xs) => xs.join(''));
}

/** Paths that almost match many patterns: long names of `a`, deep folders, a final mismatch. */
export const HOSTILE_PATHS = [
  'a'.repeat(255) + '!',
  ('a'.repeat(30) + '/').repeat(40) + 'c',
  'aa/'.repeat(100) + 'c',
  'a/'.repeat(200) + 'c',
  ('a'.repeat(250) + '/').repeat(4) + 'c',
];

/**
 * Bound on matching one accepted glob against all hostile paths. The matcher is linear (about 1 ms
 * here); the bound leaves room for a loaded machine, and a backtracking matcher takes seconds.
 */
export const GLOB_BUDGET_MS = 500;

/** A glob the parser accepts compiles (or fails to compile) quickly and matches hostile paths quickly. */
export function globIsSafe(glob: string, stats: ConfigStats): void {
  const { config, errors } = parseConfig(JSON.stringify({ exclude: [glob] }), FILE);
  if (config.exclude.length === 0) {
    stats.globsRefused++;
    if (errors.length === 0) throw new Error(`glob dropped without an error: ${glob}`);
    return;
  }
  stats.globsAccepted++;
  const t0 = performance.now();
  const match = globMatcher([glob]); // what the CLI, the server and the role globs use
  for (const p of HOSTILE_PATHS) match(p);
  const ms = performance.now() - t0;
  stats.slowestGlobMs = Math.max(stats.slowestGlobMs, ms);
  if (ms > GLOB_BUDGET_MS) throw new Error(`accepted glob \`${glob}\` took ${ms.toFixed(0)} ms on hostile paths`);
}

/** Saved failing config inputs (`config-text--*.json`, `config-glob--*.txt`), replayed by the tests. */
export function savedConfigCases(dir: string): { file: string; kind: 'text' | 'glob'; input: string }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('config-text--') || n.startsWith('config-glob--'));
  } catch {
    return [];
  }
  return names.map((n) => ({ file: join(dir, n), kind: n.startsWith('config-text--') ? 'text' : 'glob', input: readFileSync(join(dir, n), 'utf8') }));
}

function save(dir: string, kind: 'text' | 'glob', input: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `config-${kind}--${Date.now().toString(36)}.${kind === 'text' ? 'json' : 'txt'}`);
  writeFileSync(file, input);
  return file;
}

/** Runs both config properties for about `ms`; on failure saves fast-check's shrunk case in `dir` and throws. */
export function runConfigProperties(ms: number, stats: ConfigStats, dir: string, seed?: number): void {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const opts = { numRuns: 100, ...(seed !== undefined ? { seed: seed++ } : {}) };
    const texts = fc.check(fc.property(configCaseArb(), ({ text, validRules }) => configParses(text, validRules, stats)), opts);
    if (texts.failed && texts.counterexample) {
      const file = save(dir, 'text', texts.counterexample[0].text);
      throw new Error(`config property failed, saved as ${file}: ${String(texts.errorInstance)}`);
    }
    const globs = fc.check(fc.property(globArb(), (g) => globIsSafe(g, stats)), opts);
    if (globs.failed && globs.counterexample) {
      const file = save(dir, 'glob', globs.counterexample[0]);
      throw new Error(`glob property failed, saved as ${file}: ${String(globs.errorInstance)}`);
    }
  }
}

/** Where a deep value goes in a config, and the nesting level its first bracket opens (the file's `{` is level 1). */
const DEEP_PLACES = {
  rules: { before: '{ "rules": { "blocking-in-async": ', after: ' } }', level: 3 },
  include: { before: '{ "include": [', after: '] }', level: 3 },
  languages: { before: '{ "languages": { "typescript": { "lockTypes": ', after: ' } } }', level: 4 },
  extra: { before: '{ "extra": ', after: ' }', level: 2 },
  // Brackets in a string or a comment do not nest.
  string: { before: '{ "include": ["', after: '"] }', level: 0 },
  comment: { before: '{ /* ', after: ' */ "rules": {} }', level: 0 },
} as const;

/** An entry before the deep one, which must be read whatever the deep one does (when the brackets close). */
const SIBLING = '"exclude": ["kept/**"], ';

/** A config with one value nested `depth` deep (arrays and objects in a repeating pattern) after a shallow entry, closed or not. */
export function deepConfigArb(): fc.Arbitrary<{ text: string; place: keyof typeof DEEP_PLACES; tooDeepAt: number | undefined; closed: boolean }> {
  return fc
    .record({
      depth: fc.integer({ min: 1, max: 20_000 }),
      pattern: fc.array(fc.constantFrom('[', '{'), { minLength: 1, maxLength: 3 }),
      place: fc.constantFrom(...(Object.keys(DEEP_PLACES) as (keyof typeof DEEP_PLACES)[])),
      closed: fc.boolean(),
    })
    .map(({ depth, pattern, place, closed }) => {
      const where = DEEP_PLACES[place];
      const inText = where.level === 0;
      let text = where.before.replace('{ ', `{ ${SIBLING}`);
      let tooDeepAt: number | undefined;
      const closers: string[] = [];
      for (let i = 0; i < depth; i++) {
        const open = pattern[i % pattern.length]!;
        if (!inText && where.level + i === MAX_DEPTH + 1) tooDeepAt = text.length;
        text += open === '{' && !inText ? '{ "k": ' : open;
        closers.push(open === '{' ? '}' : ']');
      }
      text += inText ? 'x' : '1';
      if (closed) text += closers.reverse().join('');
      return { text: text + where.after, place, tooDeepAt, closed };
    });
}

const MAX_DEPTH = 64;

/**
 * A config nested deeper than the limit gets one nesting error, at the first bracket past it, and
 * the top-level entry holding it is ignored like any other invalid entry; when the brackets close
 * that is the only error and the entry before it is read (when they do not, the JSON is malformed
 * too). One within the limit gets no nesting error. Never throws; linear time.
 */
export function deepConfigIsOneError(text: string, tooDeepAt: number | undefined, closed: boolean, stats: ConfigStats): void {
  stats.configs++;
  const t0 = process.cpuUsage();
  const { config, errors } = parseConfig(text, FILE);
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  if (ms > 500 + text.length * 0.01) throw new Error(`parseConfig took ${ms.toFixed(0)} ms of CPU for ${text.length} chars`);
  stats.errors += errors.length;
  const deep = errors.filter((e) => /levels deep/.test(e.message));
  if (tooDeepAt === undefined) {
    if (deep.length > 0) throw new Error(`a nesting error for a config within the limit: ${JSON.stringify(deep)}`);
    return;
  }
  if (deep.length !== 1 || (closed && errors.length !== 1)) throw new Error(`want one nesting error${closed ? ' and nothing else' : ''}, got ${JSON.stringify(errors)}`);
  if (deep[0]!.line !== 1 || deep[0]!.column !== tooDeepAt + 1) throw new Error(`nesting error at 1:${deep[0]!.column}, want 1:${tooDeepAt + 1}`);
  if (closed && JSON.stringify(config.exclude) !== '["kept/**"]') throw new Error(`the entry before the deep one was not read: ${JSON.stringify(config)}`);
  if (Object.keys(config.rules).length + config.include.length + Object.keys(config.languages).length > 0) throw new Error(`the too-deep entry was read: ${JSON.stringify(config)}`);
}

/** Normalised relative paths as checked paths are (leading `../` only), with the characters file names may hold. */
export function hostilePathArb(): fc.Arbitrary<string> {
  const segment = fc.oneof(
    fc.constantFrom('a', 'aa', 'src', 'x.ts', 'a.test.ts', '.hidden', 'é', '*', '?', '[a]', '{a,b}', '!(a)', '+(a)', 'a b', '\\'),
    fc.integer({ min: 1, max: 300 }).map((n) => 'a'.repeat(n)),
  );
  return fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(segment, { minLength: 1, maxLength: 60 })).map(([up, segs]) => '../'.repeat(up) + segs.join('/'));
}

/** Globs as a hostile config writes them: climbing `../`, wildcards, and the shapes that can never match. */
export function hostileGlobArb(): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 0, max: 3 }), globArb(), fc.constantFrom('', '/', '//x', '/./x', '/../x')).map(([up, glob, tail]) => '../'.repeat(up) + glob + tail);
}

/**
 * An accepted glob matches any path in time linear in the path; one the parser warns can never match
 * matches none of the paths; a plain path matches itself, and `**` and `**` + `/` + its file name match it.
 */
export function globAgreesWithWarnings(glob: string, paths: readonly string[], stats: ConfigStats): void {
  const { config, warnings } = parseConfig(JSON.stringify({ exclude: [glob] }), FILE);
  if (config.exclude.length === 0) {
    stats.globsRefused++;
    return;
  }
  stats.globsAccepted++;
  const t0 = performance.now();
  const match = globMatcher([glob]);
  const matched = paths.filter((p) => match(p));
  const ms = performance.now() - t0;
  stats.slowestGlobMs = Math.max(stats.slowestGlobMs, ms);
  if (ms > GLOB_BUDGET_MS) throw new Error(`accepted glob \`${glob}\` took ${ms.toFixed(0)} ms on ${paths.length} paths`);
  if (warnings.some((w) => /can never match/.test(w.message)) && matched.length > 0) throw new Error(`\`${glob}\` is said never to match, but matches ${JSON.stringify(matched[0])}`);
}

/** Literal paths (no glob syntax in them) and the globs that must match them (`**` stays below the `../` it starts with). */
export function literalPathMatches(path: string): void {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const up = /^(?:\.\.\/)*/.exec(path)![0];
  for (const glob of [path, `${up}**`, `${up}**/${base}`]) {
    if (!globMatcher([glob])(path)) throw new Error(`\`${glob}\` does not match ${JSON.stringify(path)}`);
  }
}

/** Runs the deep-config and hostile-glob properties for about `ms`; on failure saves the shrunk case in `dir` and throws. */
export function runHostileConfigProperties(ms: number, stats: ConfigStats, dir: string, seed?: number): void {
  const deadline = Date.now() + ms;
  const literal = fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._ é-]{0,20}$/), { minLength: 1, maxLength: 20 }))
    .map(([up, segs]) => '../'.repeat(up) + segs.join('/'));
  do {
    const opts = { numRuns: 20, ...(seed !== undefined ? { seed: seed++ } : {}) };
    const deep = fc.check(fc.property(deepConfigArb(), ({ text, tooDeepAt, closed }) => deepConfigIsOneError(text, tooDeepAt, closed, stats)), opts);
    if (deep.failed && deep.counterexample) {
      const file = save(dir, 'text', deep.counterexample[0].text);
      throw new Error(`deep config property failed, saved as ${file}: ${String(deep.errorInstance)}`);
    }
    const globs = fc.check(fc.property(hostileGlobArb(), fc.array(hostilePathArb(), { minLength: 1, maxLength: 8 }), (g, paths) => globAgreesWithWarnings(g, paths, stats)), opts);
    if (globs.failed && globs.counterexample) {
      const file = save(dir, 'glob', globs.counterexample[0]);
      throw new Error(`hostile glob property failed, saved as ${file}: ${String(globs.errorInstance)}`);
    }
    const literals = fc.check(fc.property(literal, literalPathMatches), opts);
    if (literals.failed) throw new Error(`literal glob property failed: ${fc.defaultReportMessage(literals) ?? ''}`);
  } while (Date.now() < deadline);
}
