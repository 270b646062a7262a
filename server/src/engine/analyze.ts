import { extendCatalog, type Catalog } from './catalog';
import { DEFAULT_CONFIG, type Config } from './config';
import { applyEdits, type Finding, type Fix, type RefusedFix, type Severity } from './finding';
import type { FixContext, FixResult, Frontend, Languages, ParsedFile, TextChange } from './language';
import { LineIndex } from './line-index';
import type { Imports } from './linker';
import { spanContains, type FileModel, type FileRoles, type RoleFact } from './model';
import { summarize, type FileSummary } from './summary';
import { capSeverity, LASTING_RULES, PRODUCTION, resolveRoles, roleAt, roleLevel, roleNote } from './roles';
import { pathRole, type FileLocation } from './roles-paths';
import { RULES, ruleLevel } from './rules';
import { mergeGroups } from './merge';
import { applySuppressions, INVALID_SUPPRESSION, scanSuppressions } from './suppressions';

/** Reports an internal failure (a rule or frontend threw). The engine goes on without it. */
export type ErrorSink = (where: string, error: unknown) => void;

/** Options for {@link analyze}: an incremental reparse and where internal failures go. */
export interface AnalyzeOptions {
  /** The previous parse of the same document, for an incremental reparse. */
  readonly previous?: ParsedFile;
  /** The changes from `previous.text` to the new text. */
  readonly changes?: readonly TextChange[];
  readonly onError?: ErrorSink;
  /**
   * Where the file is in its project, for the role of its path (tests, scripts, examples). Absent:
   * only what the code itself says (a shebang, `#[test]`) gives roles.
   */
  readonly location?: FileLocation;
  /**
   * What the file's calls into other project files do, from the linker (engine/linker.ts), by
   * callee. Absent: analysis stays within the file.
   */
  readonly imports?: Imports;
}

/** The result of analysing one file. */
export interface Analysis {
  readonly parsed: ParsedFile;
  readonly model: FileModel;
  readonly findings: readonly Finding[];
  readonly frontend: Frontend;
  readonly catalog: Catalog;
  readonly lines: LineIndex;
  /** The frontends the file was analysed with (a fix that creates a file checks it with them). */
  readonly languages: Languages;
  /** What the file's calls into other project files do, as the analysis received it (empty without a linker). */
  readonly imports: Imports;
}

const NO_IMPORTS: Imports = Object.freeze({});
const KNOWN_RULES: ReadonlySet<string> = new Set(RULES.map((r) => r.id));
const catalogCache = new WeakMap<Config, Map<Frontend, Catalog>>();

/** The frontend's catalog extended with the config's entries for its language (cached per config object). */
export function catalogFor(frontend: Frontend, config: Config): Catalog {
  let perConfig = catalogCache.get(config);
  if (!perConfig) catalogCache.set(config, (perConfig = new Map()));
  let catalog = perConfig.get(frontend);
  if (!catalog) perConfig.set(frontend, (catalog = extendCatalog(frontend.catalog, config.languages[frontend.language])));
  return catalog;
}

function emptyModel(frontend: Frontend, path: string): FileModel {
  return { language: frontend.language, path, contexts: [], functions: [], yieldPoints: [], heldRegions: [], calls: [], channels: [], spawns: [], comments: [], syntaxErrors: 0 };
}

/**
 * Analyses one file: parse, build the model, run every enabled rule, apply suppressions. The
 * caller hands in the frontends (`languages`); the project module (server/src/project/) composes
 * them as `analyze`. Returns `undefined` for a file no frontend handles. Never throws: a failing
 * frontend yields an empty model, a failing rule yields no findings, and both are reported to `onError`.
 */
export function analyzeFile(languages: Languages, file: { readonly path: string; readonly text: string }, config: Config = DEFAULT_CONFIG, options: AnalyzeOptions = {}): Analysis | undefined {
  const frontend = languages.frontendForPath(file.path);
  if (!frontend) return undefined;
  const languageCatalog = catalogFor(frontend, config);
  const onError = options.onError ?? (() => undefined);
  let parsed: ParsedFile;
  try {
    parsed = frontend.parse(file.text, file.path, languageCatalog, options.previous, options.changes);
  } catch (error) {
    onError(`${frontend.language} frontend`, error);
    parsed = { path: file.path, text: file.text, model: emptyModel(frontend, file.path), tree: undefined };
  }
  let catalog = languageCatalog;
  try {
    if (frontend.fileCatalog) catalog = frontend.fileCatalog(parsed, languageCatalog);
  } catch (error) {
    onError(`${frontend.language} frontend`, error);
  }
  const lines = new LineIndex(file.text);
  const pathFact = options.location ? pathRole(config, { ...options.location, language: frontend.language }) : undefined;
  const model = withLazyRoles(parsed.model, pathFact);
  const findings: Finding[] = [];
  const imports = options.imports ?? NO_IMPORTS;
  for (const rule of RULES) {
    const level = ruleLevel(rule, config);
    if (level === 'off') continue;
    try {
      for (const raw of rule.check(model, catalog, imports)) {
        findings.push({ rule: rule.id, severity: raw.cap ? capSeverity(level, raw.cap) as Severity : level, message: raw.message, span: raw.span, ...(raw.focus ? { focus: raw.focus } : {}), related: raw.related ?? [], ...(raw.data ? { data: raw.data } : {}), ...(raw.group ? { group: raw.group } : {}) });
      }
    } catch (error) {
      onError(`rule ${rule.id}`, error);
    }
  }
  const scan = scanSuppressions(file.text, model.comments, KNOWN_RULES, lines);
  const kept = applySuppressions(findings, scan, lines);
  const suppressionLevel = config.rules[INVALID_SUPPRESSION] ?? 'warning';
  if (suppressionLevel !== 'off') {
    for (const p of scan.problems) kept.push({ rule: INVALID_SUPPRESSION, severity: suppressionLevel, message: p.message, span: p.span, related: [] });
  }
  const placed = placeFindings(kept, model, config);
  placed.sort((a, b) => a.span.start - b.span.start || a.rule.localeCompare(b.rule));
  // After suppressions and roles: a suppressed call of a helper neither carries nor silences its other calls.
  return { parsed, model, findings: mergeGroups(placed), frontend, catalog, lines, languages, imports };
}

/** Where a model's roles come from until they are read (see {@link withLazyRoles}). */
const LAZY_ROLES = Symbol('lazy roles');

interface LazyRoles {
  readonly model: FileModel;
  readonly pathFact: RoleFact | undefined;
  roles?: FileRoles;
}

/**
 * One getter for every model's `roles`: a getter made per object (an object literal's `get roles()`)
 * gives each model a map of its own, a dictionary, which every rule then reads by hash lookups.
 */
const ROLES_PROPERTY: PropertyDescriptor = {
  get(this: { readonly [LAZY_ROLES]: LazyRoles }): FileRoles {
    const lazy = this[LAZY_ROLES];
    return (lazy.roles ??= resolveRoles(lazy.model, lazy.pathFact));
  },
  enumerable: true,
  configurable: true,
};

/**
 * The model with its roles, resolved when something reads them: a finding being placed, a rule that
 * asks the file's role, a hover. Most files have no finding, and resolving them is a pass over every
 * function and call. `roles` is an enumerable getter: a spread, JSON or a structured clone of the
 * model reads it as data.
 */
function withLazyRoles(base: FileModel, pathFact: RoleFact | undefined): FileModel {
  const model = { ...base };
  Object.defineProperty(model, LAZY_ROLES, { value: { model: base, pathFact } satisfies LazyRoles });
  Object.defineProperty(model, 'roles', ROLES_PROPERTY);
  return model;
}

/**
 * The cross-file summary of an analysed file (engine/summary.ts): what its exports do, for the
 * linker. `shown` is the file's path as messages show it. `undefined` when the file's language does
 * not link across files.
 */
export function summaryOf(analysis: Analysis, shown: string): FileSummary | undefined {
  const resolver = analysis.frontend.resolver;
  if (!resolver) return undefined;
  return summarize(analysis.model, analysis.catalog, analysis.lines, shown, (c) => resolver.mayLink(c, analysis.parsed.path));
}

/** Gives each finding the role of its code: the role's level caps its severity, and its message says where the code runs. */
function placeFindings(findings: readonly Finding[], model: FileModel, config: Config): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const call = f.data?.callId === undefined ? undefined : model.calls[f.data.callId];
    // A retry decorator (`@retry(…)`) sits above its function's span: the finding is the function's.
    const retry = f.data?.retryId === undefined ? undefined : model.retries?.find((r) => r.id === f.data!.retryId);
    const decorated = retry?.functionId !== undefined && !spanContains(model.functions[retry.functionId]?.span ?? f.span, f.span) ? retry.functionId : undefined;
    // A malformed suppression is about the comment, not about code that runs: only the file's role quiets it.
    const at = f.rule === INVALID_SUPPRESSION ? model.roles!.file : roleAt(model, model.roles!, f.span.start, call ? call.functionId : decorated);
    // A handler registered at start-up runs later, on requests: the registration's start-up role is not its own.
    const fact = at.role === 'startup' && (LASTING_RULES.has(f.rule) || f.data?.handlerRef !== undefined) ? PRODUCTION : at;
    const severity = capSeverity(f.severity, roleLevel(config, fact.role));
    if (severity === 'off') continue;
    if (fact.role === 'production') {
      out.push(f);
      continue;
    }
    const note = roleNote(fact);
    out.push({ ...f, severity, message: note ? `${f.message}; ${note}` : f.message, role: fact.role, roleWhere: fact.where });
  }
  return out;
}

/**
 * The fixes for a finding, each verified by re-parsing its result: a fix that adds syntax errors
 * (to the file or to a file it creates) is moved to `refused`. Never throws.
 */
export function fixesFor(analysis: Analysis, finding: Finding, ctx: Partial<FixContext> = {}, onError?: ErrorSink): FixResult {
  let result: FixResult;
  try {
    result = analysis.frontend.fixes(finding, analysis.parsed, { catalog: analysis.catalog, ...ctx });
  } catch (error) {
    onError?.(`${analysis.frontend.language} fixes for ${finding.rule}`, error);
    return { fixes: [], refused: [] };
  }
  const fixes: Fix[] = [];
  const refused: RefusedFix[] = [...result.refused];
  const before = analysis.model.syntaxErrors;
  for (const fix of result.fixes) {
    let offered = fix;
    let problem = verifyFix(analysis, fix, before);
    const partial = problem === undefined ? partialOverMerged(analysis, finding, fix) : undefined;
    if (partial !== undefined) {
      // A call-site fix built for one call (a thread, the blocking pool): built for each call, joined.
      const whole = wholeOverMerged(analysis, finding, fix, { catalog: analysis.catalog, ...ctx }, onError);
      if (whole && verifyFix(analysis, whole, before) === undefined && partialOverMerged(analysis, finding, whole) === undefined) offered = whole;
      else problem = partial;
    }
    if (problem) refused.push({ title: fix.title, reason: problem });
    else fixes.push(offered);
  }
  return { fixes, refused };
}

/**
 * A fix of a merged finding that rewrites only the call carrying it, made whole: the fix of the same
 * title built for each other call the finding stands for, as if that call were reported alone, its
 * edits joined to the first's (an edit two of them share, such as an added import, once). `undefined`
 * when a call has no such fix, or a fix edits other files or creates different files under one name.
 */
function wholeOverMerged(analysis: Analysis, finding: Finding, fix: Fix, ctx: FixContext, onError?: ErrorSink): Fix | undefined {
  const parts = finding.parts;
  if (!parts || (fix.otherFiles?.length ?? 0) > 0) return undefined;
  const edits = [...fix.edits];
  const files = [...(fix.createFiles ?? [])];
  for (const part of parts.slice(1)) {
    const call = analysis.model.calls.find((c) => c.span.start === part.span.start && c.span.end === part.span.end);
    if (!call) return undefined;
    const alone: Finding = { rule: finding.rule, severity: finding.severity, message: part.message, span: part.span, related: part.related, data: { ...finding.data, callId: call.id } };
    let same: Fix | undefined;
    try {
      same = analysis.frontend.fixes(alone, analysis.parsed, ctx).fixes.find((f) => f.title === fix.title);
    } catch (error) {
      onError?.(`${analysis.frontend.language} fixes for ${finding.rule}`, error);
      return undefined;
    }
    if (!same || (same.otherFiles?.length ?? 0) > 0) return undefined;
    for (const e of same.edits) if (!edits.some((x) => x.span.start === e.span.start && x.span.end === e.span.end && x.newText === e.newText)) edits.push(e);
    for (const created of same.createFiles ?? []) {
      const had = files.find((x) => x.relativePath === created.relativePath);
      if (!had) files.push(created);
      else if (had.text !== created.text) return undefined;
    }
  }
  return files.length > 0 ? { ...fix, edits, createFiles: files } : { ...fix, edits };
}

/**
 * Why a fix of a merged finding (one helper called several times in one function, engine/merge.ts)
 * is not offered: it rewrites some of the calls the finding stands for and leaves the others as they
 * were, still blocking, under a finding the user believes fixed. A fix that touches every call, or
 * none of them (it changes the helper itself), is whole.
 */
export function partialOverMerged(analysis: Analysis, finding: Finding, fix: Fix): string | undefined {
  const parts = finding.parts;
  if (!parts || parts.length < 2) return undefined;
  const touched = (span: { start: number; end: number }): boolean => fix.edits.some((e) => e.span.start <= span.end && e.span.end >= span.start);
  const left = parts.filter((p) => !touched(p.span));
  if (left.length === 0 || left.length === parts.length) return undefined;
  const lines = left.map((p) => analysis.lines.position(p.span.start).line + 1);
  return `it rewrites ${parts.length - left.length} of the ${parts.length} calls this finding stands for and leaves ${lines.length === 1 ? 'the one on line' : 'those on lines'} ${lines.join(', ')} as ${lines.length === 1 ? 'it is' : 'they are'}`;
}

/** Why a fix of `analysis`'s file is not offered (its edits overlap, or its result or a file it creates parses worse), else `undefined`. */
export function verifyFix(analysis: Analysis, fix: Fix, errorsBefore: number = analysis.model.syntaxErrors): string | undefined {
  let after: string;
  try {
    after = applyEdits(analysis.parsed.text, fix.edits);
  } catch (error) {
    return `its edits overlap (${String(error)})`;
  }
  if (analysis.frontend.syntaxErrors(after, analysis.parsed.path) > errorsBefore) return 'its result does not parse';
  for (const created of fix.createFiles ?? []) {
    const frontend = analysis.languages.frontendForPath(created.relativePath);
    if (frontend && frontend.syntaxErrors(created.text, created.relativePath) > 0) return `the file it creates (${created.relativePath}) does not parse`;
  }
  return undefined;
}

export { applyEdits };
