/** The file extensions of the TypeScript/JavaScript frontend (kept apart so the registry can list them without loading the compiler). */
export const TS_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'] as const;
