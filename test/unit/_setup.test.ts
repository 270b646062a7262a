// Root hook: tree-sitter grammars load asynchronously, so every spec runs after `initFrontends()`.
import { initFrontends } from '../../server/src/languages';

before(async () => {
  await initFrontends();
});
