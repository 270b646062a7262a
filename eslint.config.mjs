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
    rules: {
      'no-restricted-imports': ['error', EDITOR_IMPORTS],
    },
  },
);
