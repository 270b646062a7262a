// The language server on a Python file: diagnostics, and the yield-point hover naming the fan-out
// or the dropped task under the cursor (and saying nothing of a bounded fan-out or an awaited call),
// what a blocking lock held across an await means, and the inlay hints.
import assert from 'node:assert/strict';
import type { Hover, InlayHint } from 'vscode-languageserver/node';
import { TestClient } from './harness';

/** An aiohttp handler: a fan-out over the request body, a dropped task, a bounded fan-out, an awaited call, a blocking lock across an await. */
const HANDLER = [
  'import asyncio', // 0
  'import threading', // 1
  '', // 2
  'from aiohttp import web', // 3
  '', // 4
  '_stats_lock = threading.Lock()', // 5
  '', // 6
  '', // 7
  'async def deliver(url):', // 8
  '    await asyncio.open_connection(url, 443)', // 9
  '', // 10
  '', // 11
  'async def broadcast(request: web.Request) -> web.Response:', // 12
  '    data = await request.json()', // 13
  '    await asyncio.gather(*(deliver(u) for u in data["hooks"]))', // 14
  '    asyncio.create_task(deliver("https://audit.internal/broadcast"))', // 15
  '    await asyncio.gather(*(deliver(u) for u in data["hooks"][:8]))', // 16
  '    await deliver("https://audit.internal/done")', // 17
  '    with _stats_lock:', // 18
  '        await deliver("https://stats.internal/broadcast")', // 19
  '    return web.Response()', // 20
  '', // 21
].join('\n');

const pos = (line: number, character: number) => ({ line, character });

describe('language server on Python', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
  });
  afterEach(async () => {
    await client.stop();
  });

  it('names the fan-out and the dropped task in the yield-point hover, not a bounded fan-out or an awaited call', async () => {
    const diagnostics = await client.open('app/hooks.py', HANDLER, 'python');
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code]), [[14, 'unbounded-fan-out'], [15, 'detached-task'], [19, 'await-holding-lock']]);
    const uri = client.uri('app/hooks.py');
    const at = async (line: number, character: number) => {
      const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: pos(line, character) });
      return hover ? (hover.contents as { value: string }).value : '';
    };
    // On the `await` of the fan-out: the yield point's hover leads with the fan-out.
    const fanOut = await at(14, 5);
    assert.match(fanOut, /^\*\*Fan-out\*\* via `asyncio\.gather`: one `deliver` per item of `data\["hooks"\]` \(from the request\), all at once, with no bound  \nTo bound it, a semaphore or chunks of N  \n/);
    assert.match(fanOut, /`unbounded-fan-out`: /);
    assert.match(fanOut, /Yield point 2 of \d+ in `broadcast`/);
    // On the gather call itself, the same lines.
    assert.match(await at(14, 20), /^\*\*Fan-out\*\* via `asyncio\.gather`/);
    const dropped = await at(15, 14);
    assert.match(dropped, /^\*\*Detached task\*\*: `asyncio\.create_task` starts a task that nothing awaits or keeps/);
    assert.match(dropped, /  \nKeep a reference to the task \(or use a `TaskGroup`\) and await it  \n`detached-task`: quick fix: Keep the task in `_background_tasks` until it is done/);
    // A fan-out over a slice and an awaited call: neither is named.
    assert.doesNotMatch(await at(16, 5), /Fan-out|Detached/);
    assert.doesNotMatch(await at(17, 5), /Fan-out|Detached/);
    // The blocking lock held across an await leads that yield point's hover.
    const held = await at(19, 9);
    assert.match(held, /^Holds `_stats_lock` \(blocking lock `threading\.Lock`\), acquired on line 19  \n`await-holding-lock`: quick fix: Use an `asyncio\.Lock` taken with `async with`/);
    assert.match(held, /Yield point 5 of 5 in `broadcast`/);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: pos(0, 0), end: pos(22, 0) } });
    assert.ok(hints.some((h) => h.position.line === 19 && /holds _stats_lock/.test(String(h.tooltip))), JSON.stringify(hints.map((h) => [h.position.line, h.tooltip])));
  });
});
