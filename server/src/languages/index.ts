import type { Frontend } from '../engine/language';
import { initRust, rustFrontend } from './rust';
import { typescriptFrontend } from './typescript';

/** Every language frontend the engine has, in the order they were added. */
export const FRONTENDS: readonly Frontend[] = [typescriptFrontend, rustFrontend];

const byExtension = new Map<string, Frontend>();
for (const f of FRONTENDS) for (const ext of f.extensions) byExtension.set(ext, f);

/** The frontend for a file path, by extension, or `undefined` when no frontend handles it. */
export function frontendForPath(path: string): Frontend | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return byExtension.get(path.slice(dot).toLowerCase());
}

/** Every supported file extension. */
export function supportedExtensions(): string[] {
  return [...byExtension.keys()];
}

/**
 * Loads what the frontends need before their synchronous `parse` works (the tree-sitter grammars).
 * The CLI, the server and tests await it once at startup; it is idempotent. Before it resolves, a
 * tree-sitter frontend's `parse` throws, and `analyze()` reports that and returns an empty model.
 */
export async function initFrontends(): Promise<void> {
  await initRust();
}
