/**
 * Methods named for the moment they run: `startup`/`shutdown` (uvicorn's `Server.startup`, its
 * lifespan's `shutdown`), and the end of a lifecycle (`stop`, `_cleanup`) in a class that also has
 * its start (jupyter-server's `ServerApp.start`/`stop`/`_cleanup`, aiohttp's `AppRunner.setup`/
 * `cleanup`). Shared by the role reader and the channel reader (a queue only such code fills).
 */
import type { CallSite } from '../../engine/model';
import type { PyFn } from './scope';

/** A function or method named for starting or stopping the app (`startup`, `on_shutdown`). */
export const STARTUP_NAME = /^_{0,2}(?:on_)?start_?up$/;
export const SHUTDOWN_NAME = /^_{0,2}(?:on_)?shut_?down$/;
/**
 * The end of an object's lifecycle (`stop`, `_cleanup`): shutdown code when its class is the app or
 * server, which its start shows (`start`, `startup`, `setup` runs the loop or serves, itself or
 * through a method of the class it calls: jupyter-server's `ServerApp.start` calls `start_ioloop`,
 * which starts the IO loop), and no async function of the file calls it but the class's own
 * lifecycle methods (`_stop` awaiting `_cleanup`). A class with a `start` and a `stop` is not enough:
 * a recorder made per request is started and stopped by the request's handler, once per request.
 */
const LIFECYCLE_END = /^_{0,2}(?:stop|cleanup|teardown)$/;
const LIFECYCLE_START = /^_{0,2}(?:start|start_?up|setup)$/;
/** Running the event loop or serving: what an app's or server's start does, and a per-request object's does not. */
const SERVES = /(?:\b(?:run_forever|serve_forever|run_app|run_until_complete|start_server|start_unix_server|serve)\s*\(|\b(?:uvicorn|asyncio|trio|anyio)\.run\s*\(|\bio_?loop\s*\.\s*start\s*\(|IOLoop\s*\.\s*(?:current|instance)\s*\(\s*\)\s*\.\s*start\s*\()/;

interface FileFns {
  readonly fns: readonly PyFn[];
  readonly text: string;
  readonly calls: readonly CallSite[];
}

const byMember = new WeakMap<readonly CallSite[], ReadonlyMap<string, readonly CallSite[]>>();

/** The file's method calls (`x.name(…)`: a callee with a receiver) by their last name, indexed once per file. */
function methodCalls(file: FileFns, name: string): readonly CallSite[] {
  let map = byMember.get(file.calls);
  if (!map) {
    const m = new Map<string, CallSite[]>();
    for (const c of file.calls) {
      if (!c.calleeText.includes('.')) continue;
      const list = m.get(c.member);
      if (list) list.push(c);
      else m.set(c.member, [c]);
    }
    byMember.set(file.calls, (map = m));
  }
  return map.get(name) ?? [];
}

/** The function `c` is written in and the functions around it, innermost first. */
function* enclosing(fns: readonly PyFn[], c: CallSite): Generator<PyFn> {
  for (let g = c.functionId === undefined ? undefined : fns[c.functionId]; g; g = g.parent) yield g;
}

/** When `f` runs by its name: once at startup, once at shutdown (with the start method that pairs a `stop`), or neither. */
export function lifecycleByName(file: FileFns, f: PyFn): { when: 'startup' } | { when: 'shutdown'; start?: string } | undefined {
  const { fns, text } = file;
  if (f.parent || f.name === undefined) return undefined;
  if (STARTUP_NAME.test(f.name)) return { when: 'startup' };
  if (SHUTDOWN_NAME.test(f.name)) return { when: 'shutdown' };
  if (f.cls && LIFECYCLE_END.test(f.name)) {
    const cls = f.cls;
    const own = (g: PyFn): boolean => g.cls === cls && !g.parent && g.name !== undefined;
    const body = (g: PyFn): string => text.slice(g.node.start, g.node.end).replace(/#[^\n]*/g, '');
    const serves = (g: PyFn): boolean => {
      if (SERVES.test(body(g))) return true;
      // One level down, through the class's own methods (`self.start_ioloop()`): calls written in `g` that resolve to one.
      return file.calls.some((c) => c.localTarget !== undefined && c.localTarget !== g.id && [...enclosing(fns, c)].includes(g) && own(fns[c.localTarget]!) && SERVES.test(body(fns[c.localTarget]!)));
    };
    const start = fns.find((g) => own(g) && LIFECYCLE_START.test(g.name!) && serves(g));
    if (!start) return undefined;
    const lifecycle = (g: PyFn): boolean => own(g) && (LIFECYCLE_END.test(g.name!) || LIFECYCLE_START.test(g.name!) || STARTUP_NAME.test(g.name!) || SHUTDOWN_NAME.test(g.name!));
    // Called from a handler or other async code of the file: it runs whenever that does. A call counts
    // when it may be this method: `x.stop()` on a receiver nothing resolves, or one that resolves to it;
    // not one that resolves to another function or a library's method (`tmp.cleanup()` of a
    // `tempfile.TemporaryDirectory`), and not a name in a string.
    const mayBeThis = (c: CallSite): boolean => {
      if (c.localTarget !== undefined) return c.localTarget === f.id;
      return c.callee === undefined || c.callee === `${cls.name}.${f.name}` || c.callee.endsWith(`.${cls.name}.${f.name}`);
    };
    const fromAsync = (c: CallSite): boolean => [...enclosing(fns, c)].some((g) => g.isAsync && g !== f && !lifecycle(g));
    if (methodCalls(file, f.name).some((c) => mayBeThis(c) && fromAsync(c))) return undefined;
    return { when: 'shutdown', start: start.name! };
  }
  return undefined;
}
