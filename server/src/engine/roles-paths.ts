/**
 * Roles from paths: the ecosystems' conventions for where tests, benchmarks, examples and scripts
 * live, and the config's globs that assign roles. Paths in, roles out: no IO.
 *
 * The conventions are data, one row per convention, so a new frontend (Python, Go, Java) adds
 * rows here and writes no code: `_test.go`, `test_*.py` and `conftest.py` are already listed.
 */
import { globMatcher } from './glob';
import type { Config } from './config';
import type { CodeRole, LanguageId, RoleFact } from './model';

/** A folder name that gives every file below it a role. */
interface FolderConvention {
  readonly names: readonly string[];
  /** Folder names of the same family that a list cannot hold (`tokio-examples`, `examples_async`). */
  readonly pattern?: RegExp;
  readonly role: CodeRole;
  /** Only for these languages (all when absent). */
  readonly languages?: readonly LanguageId[];
  /**
   * Languages in which the folder gives its role only as the project's first folder: in Python a
   * `tools/` below a package is one of its subpackages (`mitmproxy/tools/web/app.py` is mitmweb's
   * server), while a repository's own `tools/` holds its dev tooling.
   */
  readonly topLevelOnly?: readonly LanguageId[];
}

/** A file-name pattern that gives the file a role. */
interface FileConvention {
  readonly pattern: RegExp;
  /** How the pattern reads in a message: `*.test.*`. */
  readonly shown: string;
  readonly role: CodeRole;
  readonly languages?: readonly LanguageId[];
}

/** Folder names, compared in lower case. The outermost matching folder decides. */
export const FOLDER_CONVENTIONS: readonly FolderConvention[] = [
  { names: ['test', 'tests', '__tests__', '__test__', '__mocks__', '__fixtures__', 'spec', 'specs', 'e2e', 'cypress', 'playwright', 'testdata', 'testing', 'test-utils', 'test_utils', 'testutils'], role: 'test' },
  { names: ['bench', 'benches', 'benchmark', 'benchmarks'], role: 'bench' },
  // Also a family of example folders: `axum-examples/`, `examples-async/`, `spring-samples/`, `samples/`
  // (not a lone `sample/`, which is as often sampling code, `metrics/sample`).
  { names: ['example', 'examples', 'samples'], pattern: /^[a-z0-9.]+(?:[-_][a-z0-9.]+)*[-_](?:examples?|samples)$|^examples?[-_][a-z0-9.]+(?:[-_][a-z0-9.]+)*$/, role: 'example' },
  // What an Express app serves as files (`express.static('public')`) runs in visitors' browsers: no server code lives there.
  { names: ['public', 'static', 'assets'], role: 'browser', languages: ['typescript'] },
  // One-shot programs: repository tooling, release and dev scripts, CLI entry points.
  { names: ['scripts', 'script', 'xtask', '.github', '.ci', 'ci', 'release', 'bin'], role: 'script' },
  { names: ['tools', 'tooling'], role: 'script', topLevelOnly: ['python'] },
];

/**
 * File names. A test, bench or minified name wins over the folder (`scripts/release.test.ts` is a test);
 * `[._-]` before `test` keeps `contest.ts` and `latest.ts` out.
 */
export const FILE_CONVENTIONS: readonly FileConvention[] = [
  { pattern: /^(?:.*[._-])?(?:test|tests|spec|specs)\.[^.]+$/i, shown: '*.test.*', role: 'test', languages: ['typescript'] },
  { pattern: /[._-](?:test|spec|e2e-spec|e2e|cy)\.[^.]+$/i, shown: '*.test.*', role: 'test', languages: ['typescript'] },
  { pattern: /[._-]bench\.[^.]+$/i, shown: '*.bench.*', role: 'bench', languages: ['typescript'] },
  // A minified build output: nobody reads or fixes it, its source (if any) is checked instead.
  { pattern: /[.-]min\.[cm]?js$/i, shown: '*.min.js', role: 'generated', languages: ['typescript'] },
  { pattern: /^tests?\.rs$/, shown: 'tests.rs', role: 'test', languages: ['rust'] },
  { pattern: /^build\.rs$/, shown: 'build.rs', role: 'script', languages: ['rust'] },
  { pattern: /_test\.go$/, shown: '*_test.go', role: 'test', languages: ['go'] },
  { pattern: /^(?:test_.*|.*_test|conftest)\.py$/, shown: 'test_*.py', role: 'test', languages: ['python'] },
  { pattern: /^(?:setup|noxfile|fabfile|tasks)\.py$/, shown: 'setup.py', role: 'script', languages: ['python'] },
  { pattern: /^\w*(?:Test|Tests|TestCase|IT)\.java$/, shown: '*Test.java', role: 'test', languages: ['java'] },
  // Build and dev-tool configs run once, in a developer's shell or in CI.
  { pattern: /\.config\.[cm]?[jt]s$|^(?:gulpfile|gruntfile|jakefile)\.[cm]?[jt]s$/i, shown: '*.config.js', role: 'script', languages: ['typescript'] },
];

const ROLE_NOUN: Record<CodeRole, string> = {
  production: 'production code',
  startup: 'startup code',
  script: 'a one-shot script',
  test: 'test code',
  bench: 'benchmark code',
  example: 'example code',
  browser: 'browser code',
  generated: 'generated code',
};

/** `in test code (under \`tests/\`)`: the phrase a role fact carries. */
export function roleWhere(role: CodeRole, because: string): string {
  return `in ${ROLE_NOUN[role]} (${because})`;
}

const applies = (c: { readonly languages?: readonly LanguageId[] }, language: LanguageId | undefined): boolean =>
  c.languages === undefined || language === undefined || c.languages.includes(language);

/**
 * How many leading folders of a path the folder conventions read. In Java the folders below a source
 * root (`src/main/java/`, `src/test/kotlin/`, `src/java/`) are a package's name, not the project's layout: Spring
 * Initializr's default package `com.example` puts every class of a service under `com/example/`.
 */
function folderLimit(segments: readonly string[], language: LanguageId | undefined): number {
  if (language !== 'java') return segments.length;
  for (let i = 0; i + 1 < segments.length; i++) {
    if (segments[i] !== 'src') continue;
    if (segments[i + 1] === 'java') return i + 2;
    if (i + 2 < segments.length && /^(?:java|kotlin|scala|groovy)$/.test(segments[i + 2]!)) return i + 3;
  }
  return segments.length;
}

/**
 * The role the ecosystems' conventions give a file, from its path relative to the project root
 * (forward slashes). `undefined` when no convention applies (the file is production code unless
 * its syntax says otherwise).
 */
export function conventionRole(projectPath: string, language?: LanguageId): RoleFact | undefined {
  const segments = projectPath.split('/').filter((s) => s !== '' && s !== '.');
  const base = segments.pop() ?? '';
  for (const c of FILE_CONVENTIONS) {
    if (c.role !== 'script' && applies(c, language) && c.pattern.test(base)) return { role: c.role, where: roleWhere(c.role, `a \`${c.shown}\` file`) };
  }
  for (let i = 0; i < folderLimit(segments, language); i++) {
    const name = segments[i]!.toLowerCase();
    // Rust's `src/bin/*.rs` are separate binaries; a `bin/` elsewhere holds a package's CLI entry points.
    for (const c of FOLDER_CONVENTIONS) {
      if (i > 0 && language !== undefined && c.topLevelOnly?.includes(language)) continue;
      if (applies(c, language) && (c.names.includes(name) || c.pattern?.test(name) === true)) return { role: c.role, where: roleWhere(c.role, `under \`${segments.slice(0, i + 1).join('/')}/\``) };
    }
  }
  for (const c of FILE_CONVENTIONS) {
    if (c.role === 'script' && applies(c, language) && c.pattern.test(base)) return { role: c.role, where: roleWhere(c.role, `a \`${c.shown}\` file`) };
  }
  return undefined;
}

/** Where a file is, for the role of its path. */
export interface FileLocation {
  /** The path relative to the project root (the repository root, else the config's folder), forward slashes. */
  readonly projectPath?: string;
  /** The path relative to the folder of the config file, forward slashes: what the config's role globs match. */
  readonly configPath?: string;
  readonly language?: LanguageId;
}

const matchers = new WeakMap<Config, readonly { readonly test: (p: string) => boolean; readonly glob: string; readonly role: CodeRole }[]>();

/** The role a config glob assigns (the first glob that matches), or `undefined`. */
export function configuredRole(config: Config, configPath: string): RoleFact | undefined {
  const paths = config.roles?.paths;
  if (!paths || paths.length === 0) return undefined;
  let compiled = matchers.get(config);
  if (!compiled) matchers.set(config, (compiled = paths.map((p) => ({ test: globMatcher([p.glob]), glob: p.glob, role: p.role }))));
  for (const m of compiled) {
    if (m.test(configPath)) return { role: m.role, where: m.role === 'startup' ? `at startup (the config's \`${m.glob}\`)` : roleWhere(m.role, `the config's \`${m.glob}\``) };
  }
  return undefined;
}

/**
 * The role of a file from where it is: the config's globs first, then the conventions. `undefined`
 * when neither says anything.
 */
export function pathRole(config: Config, location: FileLocation): RoleFact | undefined {
  if (location.configPath !== undefined) {
    const configured = configuredRole(config, location.configPath);
    if (configured) return configured;
  }
  return location.projectPath === undefined ? undefined : conventionRole(location.projectPath, location.language);
}
