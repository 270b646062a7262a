// Writes package.json `contributes.configuration` from the one settings schema
// (server/src/lsp/settings.ts). `npm run gen:settings`; test/lsp/settings.test.ts fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationContribution } from '../server/src/lsp/settings';

const PACKAGE_JSON = join(__dirname, '..', 'package.json');

/** package.json text with the generated block in place; every other key keeps its order and value. */
export function withGeneratedSettings(text: string): string {
  const pkg = JSON.parse(text) as { contributes?: Record<string, unknown> };
  pkg.contributes = { ...(pkg.contributes ?? {}), configuration: configurationContribution() };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

if (require.main === module) {
  const before = readFileSync(PACKAGE_JSON, 'utf8');
  const after = withGeneratedSettings(before);
  if (after !== before) writeFileSync(PACKAGE_JSON, after);
  console.log(after === before ? 'package.json settings are up to date' : 'package.json settings regenerated');
}
