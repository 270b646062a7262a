import type { Frontend } from '../engine/language';
import { typescriptFrontend } from './typescript';

/** Every language frontend the engine has, in the order they were added. */
export const FRONTENDS: readonly Frontend[] = [typescriptFrontend];

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
