/**
 * The envelope both result caches write (`{ tool, format, entries, … }`: the CLI's `--cache` file and
 * the language server's summary cache) and how it is read back: `JSON.parse` only, nothing in the file
 * is run, and anything else (another tool's file, another format) is refused with the reason.
 */

/** The top-level object and its `entries` object, or why `text` is not a `tool` cache of `format`. */
export function readCacheEnvelope(text: string, tool: string, format: number, what: string): { readonly top: Record<string, unknown>; readonly entries: Record<string, unknown> } | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return `it is not ${what}`;
  const top = data as Record<string, unknown>;
  if (top['tool'] !== tool) return `it is not ${what}`;
  if (top['format'] !== format) return `it has format ${JSON.stringify(top['format'])}, not ${format}`;
  const entries = top['entries'];
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return 'its entries are not an object';
  // Callers walk it with Object.entries, which lists own keys only: a `__proto__` key is just a key.
  return { top, entries: entries as Record<string, unknown> };
}
