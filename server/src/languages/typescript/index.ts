import { makeCatalog } from '../../engine/catalog';
import type { Frontend } from '../../engine/language';

// Placeholder: the real frontend replaces this.
export const typescriptFrontend: Frontend = {
  language: 'typescript',
  extensions: ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'],
  catalog: makeCatalog({ blocking: [], locks: [], channels: [], io: [] }),
  parse(text, path) {
    return { path, text, tree: undefined, model: { language: 'typescript', path, contexts: [], functions: [], yieldPoints: [], heldRegions: [], calls: [], channels: [], spawns: [], comments: [], syntaxErrors: 0 } };
  },
  syntaxErrors: () => 0,
  fixes: () => ({ fixes: [], refused: [] }),
};
