/**
 * Methods named for the moment they run: `startup`/`shutdown` (uvicorn's `Server.startup`, its
 * lifespan's `shutdown`), and the end of a lifecycle (`stop`, `_cleanup`) in a class that also has
 * its start (jupyter-server's `ServerApp.start`/`stop`/`_cleanup`, aiohttp's `AppRunner.setup`/
 * `cleanup`). Shared by the role reader and the channel reader (a queue only such code fills).
 */
import type { PyFn } from './scope';

/** A function or method named for starting or stopping the app (`startup`, `on_shutdown`). */
export const STARTUP_NAME = /^_{0,2}(?:on_)?start_?up$/;
export const SHUTDOWN_NAME = /^_{0,2}(?:on_)?shut_?down$/;
/**
 * The end of an object's lifecycle (`stop`, `_cleanup`): shutdown code when its class also has the
 * start (`start`, `startup`, `setup`); a `stop` alone (a recorder made per stream) says nothing.
 */
const LIFECYCLE_END = /^_{0,2}(?:stop|cleanup|teardown)$/;
const LIFECYCLE_START = /^_{0,2}(?:start|start_?up|setup)$/;

/** When `f` runs by its name: once at startup, once at shutdown (with the start method that pairs a `stop`), or neither. */
export function lifecycleByName(fns: readonly PyFn[], f: PyFn): { when: 'startup' } | { when: 'shutdown'; start?: string } | undefined {
  if (f.parent || f.name === undefined) return undefined;
  if (STARTUP_NAME.test(f.name)) return { when: 'startup' };
  if (SHUTDOWN_NAME.test(f.name)) return { when: 'shutdown' };
  if (f.cls && LIFECYCLE_END.test(f.name)) {
    const start = fns.find((g) => g.cls === f.cls && !g.parent && g.name !== undefined && LIFECYCLE_START.test(g.name));
    if (start) return { when: 'shutdown', start: start.name! };
  }
  return undefined;
}
