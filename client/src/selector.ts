// The documents the server analyses. The server decides by file extension; the selector only
// decides which documents VS Code sends it. A language joins the list with its frontend: a document
// the server cannot read would show the status item's all-clear (test/lsp/selector.test.ts).
export const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'rust', 'go', 'python', 'java'] as const;

/** Plain filters: both `vscode.DocumentSelector` and the language client's selector type accept them. */
export const SELECTOR: { scheme: string; language: string }[] = LANGUAGES.flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

export function isSupported(languageId: string): boolean {
  return (LANGUAGES as readonly string[]).includes(languageId);
}
