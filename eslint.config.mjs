// ESLint checks correctness, Prettier formats. Two rules carry the weight here:
// - invariant 1 of CONVENTIONS.md: the engine and the language frontends never import editor APIs;
// - `no-floating-promises`: a tool that lints async misuse ships none of its own.
import tseslint from 'typescript-eslint';

const EDITOR_IMPORTS = {
  patterns: [
    {
      group: ['vscode', 'vscode-*', 'vscode/*'],
      message: 'server/src/engine and server/src/languages stay editor-agnostic (docs/architecture.md, invariant 1): convert to LSP types in server/src/lsp',
    },
  ],
};

// Invariant 1, second half: the engine and the frontends do no IO; callers hand in text and config.
// The one exception is tree-sitter/grammar.ts, which locates the bundled WASM grammars when they are first loaded.
const IO_IMPORTS = {
  patterns: [
    ...EDITOR_IMPORTS.patterns,
    {
      group: ['fs', 'node:fs', 'fs/*', 'node:fs/*', 'child_process', 'node:child_process', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https', 'worker_threads', 'node:worker_threads'],
      message: 'server/src/engine and server/src/languages do no IO (docs/architecture.md, invariant 1): read files in the CLI or the language server and pass the text in',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'examples/**', 'test/fixtures/**', 'test/e2e/workspace/**', 'bench/.cache/**', 'bench/corpus/**', '.e2e/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['server/src/engine/**/*.ts', 'server/src/languages/**/*.ts'],
    ignores: ['server/src/languages/tree-sitter/grammar.ts'],
    rules: {
      'no-restricted-imports': ['error', IO_IMPORTS],
    },
  },
  {
    // The engine is the bottom layer: it receives frontends and summaries, and imports nothing above it.
    files: ['server/src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...IO_IMPORTS.patterns,
            { group: ['../languages', '../languages/*', '../../languages/*', '../project', '../project/*', '../cli/*', '../lsp/*', '../../cli/*', '../../lsp/*', '../../project/*'], message: 'server/src/engine imports no layer above it (docs/architecture.md): callers hand in frontends and summaries (server/src/project/)' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/languages/tree-sitter/grammar.ts'],
    rules: {
      'no-restricted-imports': ['error', EDITOR_IMPORTS],
    },
  },
);
