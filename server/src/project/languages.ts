/**
 * The language registry as the callers see it: which frontend reads which file. The engine
 * receives it ({@link LANGUAGES}) and knows no registry of its own; the CLI and the language server
 * get frontends, extensions and module resolvers from here. The list of frontends itself stays in
 * languages/index.ts, beside the frontends.
 */
import type { Languages } from '../engine/language';
import { FRONTENDS, frontendForPath, initFrontends, loadFrontendFor, supportedExtensions } from '../languages';

/** Every registered frontend, as the engine takes them. */
export const LANGUAGES: Languages = { frontendForPath };

export { FRONTENDS, frontendForPath, initFrontends, loadFrontendFor, supportedExtensions };
