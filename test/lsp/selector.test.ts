// The client's document selector and the server's frontends must agree: a language the client sends
// but no frontend reads would get the status item's all-clear for a file that was never analysed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES } from '../../client/src/selector';
import { frontendForPath } from '../../server/src/languages';
import { analysisPath } from '../../server/src/lsp/session';

describe('client document selector', () => {
  it('selects only languages the server has a frontend for', () => {
    const unread = LANGUAGES.filter((language) => frontendForPath(analysisPath('untitled:Untitled-1', language)) === undefined);
    assert.deepEqual(unread, []);
  });

  it('activates on every language it selects, and selects every language a frontend reads (Python among them)', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { activationEvents: string[] };
    assert.deepEqual(LANGUAGES.filter((language) => !pkg.activationEvents.includes(`onLanguage:${language}`)), []);
    const read = ['a.ts', 'a.tsx', 'a.js', 'a.jsx', 'a.rs', 'a.go', 'a.py', 'a.java'].map((p) => frontendForPath(p)?.language);
    assert.ok(read.every((language) => language !== undefined), JSON.stringify(read));
    assert.deepEqual(['typescript', 'javascript', 'rust', 'go', 'python', 'java'].filter((id) => !(LANGUAGES as readonly string[]).includes(id)), []);
  });
});
