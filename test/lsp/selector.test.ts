// The client's document selector and the server's frontends must agree: a language the client sends
// but no frontend reads would get the status item's all-clear for a file that was never analysed.
import assert from 'node:assert/strict';
import { LANGUAGES } from '../../client/src/selector';
import { frontendForPath } from '../../server/src/languages';
import { analysisPath } from '../../server/src/lsp/session';

describe('client document selector', () => {
  it('selects only languages the server has a frontend for', () => {
    const unread = LANGUAGES.filter((language) => frontendForPath(analysisPath('untitled:Untitled-1', language)) === undefined);
    assert.deepEqual(unread, []);
  });
});
