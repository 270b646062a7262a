// The documents the server analyses. The server decides by file extension; the selector only
// decides which documents VS Code sends it.
export const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'rust', 'python'] as const;

/** Plain filters: both `vscode.DocumentSelector` and the language client's selector type accept them. */
export const SELECTOR: { scheme: string; language: string }[] = LANGUAGES.flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

export function isSupported(languageId: string): boolean {
  return (LANGUAGES as readonly string[]).includes(languageId);
}
