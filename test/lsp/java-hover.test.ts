// The language server on a Java file (the example service's Reactor controller): the hover on a
// `flatMap` fan-out over the request and on a `subscribe()` nobody keeps names them and says what to
// do; a composed `flatMap` over one value says nothing of a fan-out. A workspace scan reads a Java
// package below `src/main/java/` as a package, not as a folder convention (`samples/`).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Hover } from 'vscode-languageserver/node';
import { TestClient } from './harness';

const CONTROLLER = readFileSync(join(__dirname, '..', '..', 'examples', 'java-service', 'src', 'main', 'java', 'com', 'example', 'orders', 'OrderController.java'), 'utf8');
const pos = (line: number, character: number) => ({ line, character });
/** 0-based line of the first line holding `text`. */
const lineOf = (text: string): number => CONTROLLER.split('\n').findIndex((l) => l.includes(text));

describe('language server on Java', () => {
  let client: TestClient;
  beforeEach(async () => {
    client = await TestClient.start({ settings: { debounceMs: 0 } });
  });
  afterEach(async () => {
    await client.stop();
  });

  it('names the flatMap fan-out and the dropped subscription on hover, not a composed flatMap', async () => {
    const rel = 'src/main/java/com/example/orders/OrderController.java';
    const diagnostics = await client.open(rel, CONTROLLER, 'java');
    const uri = client.uri(rel);
    const at = async (line: number, character: number) => {
      const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: pos(line, character) });
      return hover ? (hover.contents as { value: string }).value : '';
    };
    const subscribe = lineOf('audit.record("cancelled", id).subscribe()');
    const fanOut = lineOf('return Flux.fromIterable(skus)');
    const composed = lineOf('.flatMap(order -> orders.customer(order.customerId())');
    assert.deepEqual(diagnostics.filter((d) => d.code === 'detached-task' || d.code === 'unbounded-fan-out').map((d) => [d.range.start.line, d.code]), [[subscribe, 'detached-task'], [fanOut, 'unbounded-fan-out']]);
    const flatMap = await at(fanOut, 20);
    assert.match(flatMap, /^\*\*Fan-out\*\* via `flatMap`: one `inventory\.post\(\)\.uri\(…\)\.retrieve\(\)\.bodyToMono\(…\)` per item of `skus` \(from the request\), up to 256 at a time \(the default concurrency of `flatMap`, `Queues\.SMALL_BUFFER_SIZE`\)  \nTo bound it, `flatMap\(f, N\)`/);
    assert.match(flatMap, /`unbounded-fan-out`: quick fix: Limit `flatMap` to 8 at a time/);
    const dropped = await at(subscribe, 45);
    assert.match(dropped, /^\*\*Detached task\*\*: `audit\.record\("cancelled", id\)\.subscribe\(\)` starts work whose failure nobody sees  \nReturn the publisher or future to the caller/);
    // The fix needs a logger the class does not have: the hover says so rather than offering nothing silently.
    assert.match(dropped, /`detached-task`: no automatic fix: no logger in scope/);
    // A flatMap over one value (a Mono's) is composition, not a fan-out.
    assert.doesNotMatch(await at(composed, 14), /Fan-out|Detached/);
  });

  it('scans a class whose package is named like a folder convention (`org/acme/samples/`) as production code', async () => {
    const rel = 'src/main/java/org/acme/samples/vet/VetService.java';
    const service = [
      'package org.acme.samples.vet;',
      '',
      'public class VetService {',
      '    private final VetRepository repo;',
      '',
      '    VetService(VetRepository repo) {',
      '        this.repo = repo;',
      '    }',
      '',
      '    public void rename(String id, String name) {',
      '        repo.rename(id, name).subscribe();',
      '    }',
      '}',
      '',
    ].join('\n');
    mkdirSync(join(client.root, dirname(rel)), { recursive: true });
    writeFileSync(join(client.root, rel), service);
    const published = client.nextDiagnostics(client.uri(rel));
    const summary = await client.request<{ files: number; findings: number }>('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
    // Read as an example file (under `samples/`), it was not checked at all.
    assert.deepEqual([summary.files, summary.findings], [1, 1]);
    assert.deepEqual((await published).diagnostics.map((d) => [d.range.start.line, d.code]), [[10, 'detached-task']]);
  });
});
