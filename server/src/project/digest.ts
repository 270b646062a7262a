/**
 * Digests for caches (the CLI's `--cache`, the language server's summary cache): a file's content,
 * a resolved config, JSON with sorted keys, and the tool's identity.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config } from '../engine/config';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The digest of a file's text. */
export function contentHash(text: string): string {
  return sha256(text);
}

/** JSON with object keys sorted, so equal configs give equal digests whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The digest of a resolved config. */
export function configKey(config: Config): string {
  return sha256(stableJson(config)).slice(0, 32);
}

/**
 * The tool's identity for cache keys: its version and, when it runs from a bundle, a digest of the
 * bundle, so a rebuilt tool with the same version number never reuses results of the old one.
 */
export async function toolIdentity(version: string, bundle: string): Promise<string> {
  if (!bundle.endsWith('.js')) return `${version}+source`;
  try {
    return `${version}+${createHash('sha256')
      .update(await readFile(bundle))
      .digest('hex')
      .slice(0, 16)}`;
  } catch {
    return `${version}+unknown`;
  }
}

