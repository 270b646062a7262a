// The comparison tools: ESLint with the closest untyped rules, ESLint with typescript-eslint's
// type-aware promise rules, and oxlint's native `no-sync` as the native-speed reference. Each runs
// as its own process over the same files our CLI checks, timed and measured the same way.
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CORPORA, TOOLS } from "./corpora";
import { runChild, type ChildResult } from "./proc";

/** What a comparison run produced: its cost and how many problems it reported (a sanity check that the rules ran). */
export interface ToolRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssKb: number;
  readonly problems: number;
  readonly byRule: Readonly<Record<string, number>>;
}

/** The untyped ESLint rules closest to ours, named in the report. */
export const UNTYPED_RULES = [
  "n/no-sync",
  "no-restricted-syntax (a `*Sync` call inside an async function)",
  "require-atomic-updates",
];
export const TYPED_RULES = [
  "@typescript-eslint/no-floating-promises",
  "@typescript-eslint/no-misused-promises",
];

const prelude = `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(TOOLS, "package.json"))});
const tseslint = require('typescript-eslint');
`;

/**
 * Writes the ESLint flat configs next to the corpus (ESLint lints only files under its config's
 * folder), and the tsconfig the type-aware run builds its program from: every `.ts` file under `typedDir`.
 */
export function writeEslintConfigs(typedDir: string): {
  untyped: string;
  typed: string;
} {
  const compilerOptions = {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "bundler",
    lib: ["ES2022", "DOM"],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  writeFileSync(
    join(CORPORA, "tsconfig.json"),
    `${JSON.stringify({ compilerOptions, include: [`${relative(CORPORA, typedDir)}/**/*.ts`] }, null, 2)}\n`,
  );
  const untyped = join(CORPORA, "eslint.untyped.config.mjs");
  writeFileSync(
    untyped,
    `${prelude}const n = require('eslint-plugin-n');
// eslint-plugin-n 18.5's no-sync throws under @typescript-eslint/parser without type information
// (it asks for a program it only needs for object-valued \`ignores\`): hide the parser services from it.
const baseNoSync = n.rules['no-sync'];
const noSync = { meta: baseNoSync.meta, create(context) {
  const sourceCode = Object.create(context.sourceCode, { parserServices: { value: {} } });
  return baseNoSync.create(Object.create(context, { sourceCode: { value: sourceCode } }));
} };
const plugin = { ...n, rules: { ...n.rules, 'no-sync': noSync } };
const syncInAsync = [
  { selector: ':function[async=true] CallExpression[callee.property.name=/Sync$/]', message: 'blocking call in async function' },
  { selector: ':function[async=true] CallExpression[callee.name=/Sync$/]', message: 'blocking call in async function' },
];
const rules = { 'n/no-sync': 'error', 'no-restricted-syntax': ['error', ...syncInAsync], 'require-atomic-updates': 'error' };
export default [
  { files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'], languageOptions: { parser: tseslint.parser, sourceType: 'module' }, plugins: { n: plugin }, rules },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], languageOptions: { parser: tseslint.parser, sourceType: 'commonjs' }, plugins: { n: plugin }, rules },
];
`,
  );
  const typed = join(CORPORA, "eslint.typed.config.mjs");
  writeFileSync(
    typed,
    `${prelude}export default [{
  files: ['**/*.ts'],
  languageOptions: { parser: tseslint.parser, parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error' },
}];
`,
  );
  return { untyped, typed };
}

function eslintProblems(jsonPath: string): {
  problems: number;
  byRule: Record<string, number>;
} {
  const results = JSON.parse(readFileSync(jsonPath, "utf8")) as {
    messages: { ruleId: string | null; fatal?: boolean }[];
  }[];
  const byRule: Record<string, number> = {};
  let problems = 0;
  for (const r of results) {
    for (const m of r.messages) {
      const id = m.ruleId ?? (m.fatal ? "parse-error" : "other");
      byRule[id] = (byRule[id] ?? 0) + 1;
      problems++;
    }
  }
  return { problems, byRule };
}

function toolRun(
  child: ChildResult,
  counted: { problems: number; byRule: Record<string, number> },
): ToolRun {
  return {
    wallMs: child.wallMs,
    cpuMs: child.cpuMs,
    peakRssKb: child.peakRssKb,
    ...counted,
  };
}

/**
 * Runs ESLint with `config` over `paths` (relative to the corpora folder, or absolute under it).
 * `concurrency` is ESLint 9's `--concurrency` (`auto`: worker threads by its own heuristic); without
 * it ESLint lints on its main thread.
 */
export async function runEslint(
  config: string,
  paths: readonly string[],
  options: { concurrency?: string } = {},
): Promise<ToolRun> {
  const out = join(CORPORA, "eslint-out.json");
  const child = await runChild(
    join(TOOLS, "node_modules/.bin/eslint"),
    [
      "-c",
      config,
      "--no-config-lookup",
      "--report-unused-disable-directives-severity",
      "off",
      "-f",
      "json",
      "-o",
      out,
      ...(options.concurrency ? ["--concurrency", options.concurrency] : []),
      ...paths,
    ],
    { cwd: CORPORA, okCodes: [0, 1] },
  );
  return toolRun(child, eslintProblems(out));
}

/** Runs oxlint with only its native `node/no-sync` rule, on one thread or (`threads: "all"`) on as many as it wants. */
export async function runOxlint(
  paths: readonly string[],
  options: { threads?: "one" | "all" } = {},
): Promise<ToolRun> {
  const child = await runChild(
    join(TOOLS, "node_modules/.bin/oxlint"),
    [
      ...(options.threads === "all" ? [] : ["--threads=1"]),
      "--node-plugin",
      "-A",
      "all",
      "-D",
      "node/no-sync",
      "-f",
      "json",
      ...paths,
    ],
    {
      cwd: CORPORA,
      okCodes: [0, 1],
    },
  );
  let problems = 0;
  try {
    const parsed = JSON.parse(child.stdout) as { diagnostics?: unknown[] };
    problems = parsed.diagnostics?.length ?? 0;
  } catch {
    problems = -1;
  }
  return toolRun(child, { problems, byRule: { "node/no-sync": problems } });
}
