/**
 * The I/O resources an async lock guards (`HeldRegion.guardedResources`): a lock whose purpose is to
 * serialise one connection or stream, so that awaiting on it under the lock is the lock's job, not
 * a finding: `async with self._drain_lock: await self._writer.drain()`.
 *
 * A resource is an attribute beside the lock on the same object (`self._writer` beside
 * `self._write_lock`), used in the region, whose type (as the file gives it: an annotation, a typed
 * parameter it was set from) is one connection or stream: `asyncio.StreamWriter`, `asyncpg.Connection`,
 * a trio or anyio stream, a websocket. A client, session or pool (`aiohttp.ClientSession`,
 * `httpx.AsyncClient`, `asyncpg.Pool`) is made for concurrent use: a lock around it guards something
 * else, so it is never a guarded resource. Names are not read: an untyped `self._conn` is not one.
 * And every wait on the resource in the class must be under the same lock (closing it aside): a
 * connection also awaited without the lock is not what the lock serialises.
 */
import type { CallSite, HeldRegion } from "../../engine/model";
import type { BuildState } from "./builder";
import type { ClassRec, PyFn } from "./scope";

/** Types that are one connection or stream: concurrent use of them interleaves or fails (trio's `BusyResourceError`). */
const SINGLE_CONNECTION_TYPES: ReadonlySet<string> = new Set([
  "asyncio.StreamWriter",
  "asyncio.StreamReader",
  "asyncio.Transport",
  "asyncio.WriteTransport",
  "asyncio.subprocess.Process",
  "asyncpg.Connection",
  "asyncpg.connection.Connection",
  "aiosqlite.Connection",
  "aiosqlite.Cursor",
  "trio.SocketStream",
  "trio.SSLStream",
  "trio.abc.Stream",
  "trio.abc.SendStream",
  "trio.abc.ReceiveStream",
  "anyio.abc.SocketStream",
  "anyio.abc.ByteStream",
  "anyio.abc.ObjectStream",
  "anyio.abc.ByteSendStream",
  "anyio.streams.tls.TLSStream",
  "aiohttp.ClientWebSocketResponse",
  "aiohttp.web.WebSocketResponse",
  "aiohttp.web_ws.WebSocketResponse",
  "websockets.WebSocketClientProtocol",
  "websockets.WebSocketServerProtocol",
  "websockets.ClientConnection",
  "websockets.ServerConnection",
  "starlette.websockets.WebSocket",
  "fastapi.WebSocket",
]);

/** Methods that end a resource's life: called without the lock in `close()` and friends, as they should be. */
const CLOSERS =
  /^(?:close|aclose|wait_closed|is_closing|abort|cancel|terminate|kill|get_extra_info)$/;
/** Methods that set a connection up before any traffic (a TLS handshake): called outside the lock, as they should be. */
const SETUP = /^(?:do_handshake|start_tls|handshake)$/;
/**
 * The two directions of a stream: one task may send while another receives (trio, anyio, asyncio's
 * reader and writer, websockets), so a lock over the sends does not compete with the receives, nor
 * the reverse. A method named in neither list counts as both.
 */
const SENDS =
  /^(?:send_all|send|sendall|send_eof|write|writelines|drain|wait_send_all_might_not_block|send_bytes|send_str|send_json|send_text|ping|pong)$/;
const RECEIVES =
  /^(?:receive_some|receive|recv|recv_into|read|readline|readexactly|readuntil|readany|receive_bytes|receive_str|receive_json|receive_text)$/;

type Direction = "send" | "receive";

function directionOf(method: string): Direction | undefined {
  return SENDS.test(method) ? "send" : RECEIVES.test(method) ? "receive" : undefined;
}

/** Functions that set a resource up or tear it down: no other task uses it there. */
const LIFECYCLE =
  /^_*(?:init|new|a?close|aexit|del|disconnect|shutdown|stop|connect|open|aenter|enter|exit)_*$/;

/** Whether `attr` of class `cls` holds one connection or stream, by the type the file gives it. */
function isResource(cls: ClassRec, attr: string): boolean {
  const type = cls.attrs.get(attr);
  return type !== undefined && SINGLE_CONNECTION_TYPES.has(type);
}

/** The class of the object a lock is reached through (`self` in a method of it), or undefined when the base is not `self`/`cls`. */
function ownerClass(
  state: BuildState,
  base: string,
  fn: PyFn | undefined,
): ClassRec | undefined {
  if (base !== "self" && base !== "cls") return undefined;
  return state.scope.classOf(fn);
}

/**
 * Whether every wait on `resource` in the class (an awaited call on it) is under a region of the same
 * lock, closing and set-up aside. A sync call (`writer.write(b)` only buffers) does not compete, nor
 * does a wait in the other direction when the region only sends (`direction`: hypercorn's trio
 * `TCPServer` sends under `send_lock` while its reader awaits `receive_some` without it).
 */
function onlyUnderLock(
  state: BuildState,
  cls: ClassRec,
  resource: string,
  lockKey: string,
  regions: readonly Omit<HeldRegion, "id">[],
  waits: ReadonlySet<number>,
  direction: Direction | undefined,
): boolean {
  const prefix = `${resource}.`;
  const covering = regions.filter((r) => r.lockKey === lockKey);
  return state.calls.every((c: CallSite) => {
    if (
      !waits.has(c.id) ||
      !c.calleeText.startsWith(prefix) ||
      c.functionId === undefined
    )
      return true;
    const fn = state.fns[c.functionId];
    if (!fn || state.scope.classOf(fn) !== cls) return true;
    const method = c.calleeText.slice(prefix.length);
    if (CLOSERS.test(method) || SETUP.test(method)) return true;
    const other = directionOf(method);
    if (direction !== undefined && other !== undefined && other !== direction) return true;
    for (let f: PyFn | undefined = fn; f; f = f.parent)
      if (f.name !== undefined && LIFECYCLE.test(f.name)) return true;
    return covering.some(
      (r) => r.span.start <= c.span.start && c.span.end <= r.span.end,
    );
  });
}

/** The calls inside an awaited expression (`await x.read()`, `await asyncio.wait_for(x.read(), t)`): the ones that wait. */
export function waitingCalls(state: BuildState): Set<number> {
  const out = new Set<number>();
  for (const [node, id] of state.callOfNode) {
    for (
      let n = node.parent;
      n && n.type !== "function_definition" && n.type !== "lambda";
      n = n.parent
    ) {
      if (n.type === "await") {
        out.add(id);
        break;
      }
    }
  }
  return out;
}

/** The guarded resources of one async region, given every region of the file and {@link waitingCalls}. */
export function guardedResources(
  state: BuildState,
  region: Omit<HeldRegion, "id">,
  regions: readonly Omit<HeldRegion, "id">[],
  fn: PyFn | undefined,
  waits: ReadonlySet<number>,
): string[] {
  if (region.kind !== "async") return [];
  const dot = region.lockKey.lastIndexOf(".");
  if (dot <= 0) return [];
  const base = region.lockKey.slice(0, dot);
  const lockMember = region.lockKey.slice(dot + 1);
  const cls = ownerClass(state, base, fn);
  if (!cls) return [];
  const prefix = `${base}.`;
  const out: string[] = [];
  for (const c of state.calls) {
    if (
      c.span.start < region.span.start ||
      c.span.end > region.span.end ||
      !c.calleeText.startsWith(prefix)
    )
      continue;
    const attr = c.calleeText.slice(prefix.length).split(/[.([]/, 1)[0]!;
    const resource = prefix + attr;
    // A call of the attribute itself (`self._send(…)`) is a method, not a resource.
    if (
      attr === lockMember ||
      c.calleeText === resource ||
      out.includes(resource)
    )
      continue;
    if (
      isResource(cls, attr) &&
      onlyUnderLock(state, cls, resource, region.lockKey, regions, waits, regionDirection(state, region, resource))
    )
      out.push(resource);
  }
  return out;
}

/** The one direction the region's calls on `resource` go in, when they all go one way. */
function regionDirection(
  state: BuildState,
  region: Omit<HeldRegion, "id">,
  resource: string,
): Direction | undefined {
  const prefix = `${resource}.`;
  let out: Direction | undefined;
  for (const c of state.calls) {
    if (c.span.start < region.span.start || c.span.end > region.span.end || !c.calleeText.startsWith(prefix)) continue;
    const d = directionOf(c.calleeText.slice(prefix.length));
    if (d === undefined || (out !== undefined && out !== d)) return undefined;
    out = d;
  }
  return out;
}
