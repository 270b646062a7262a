// A Python file on trio or anyio is told about its own library: the advice of every rule, and the
// fixes, name trio's or anyio's APIs, not asyncio's. A file that imports asyncio keeps asyncio's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, fixesFor } from "../../server/src/project/analyze";

const FIXTURES = join(__dirname, "..", "fixtures", "python");

function findingsOf(
  rel: string,
  text = readFileSync(join(FIXTURES, rel), "utf8"),
) {
  const a = analyze({ path: `app/${rel.split("/").pop()!}`, text })!;
  assert.ok(a.findings.length > 0, `${rel}: no findings`);
  return { a, findings: a.findings };
}

describe("python: messages name the async library the file runs on", () => {
  const cases: [string, "trio" | "anyio"][] = [
    ["blocking-in-async/invalid-trio-server.py", "trio"],
    ["blocking-in-async/invalid-starlette-anyio.py", "anyio"],
    ["unbounded-fan-out/invalid-trio-nursery.py", "trio"],
    ["unbounded-fan-out/invalid-anyio-task-group.py", "anyio"],
    ["retry-without-backoff/invalid-trio-reconnect.py", "trio"],
  ];
  for (const [rel, lib] of cases) {
    it(`${rel}: every message names ${lib} and none asyncio`, () => {
      for (const f of findingsOf(rel).findings) {
        assert.doesNotMatch(f.message, /asyncio/, `${rel}: ${f.message}`);
        assert.match(
          f.message,
          new RegExp(`\`(?:await )?${lib}\\.`),
          `${rel}: ${f.message}`,
        );
      }
    });
  }

  it("blocking calls get the library’s own replacements", () => {
    const trio = findingsOf(
      "blocking-in-async/invalid-trio-server.py",
    ).findings.map((f) => f.message);
    assert.ok(
      trio.some((m) => m.includes("use `await trio.sleep(…)` instead")),
      trio.join("\n"),
    );
    assert.ok(
      trio.some((m) =>
        m.includes(
          "use `await trio.run_process(…)`, or run it in a thread with `await trio.to_thread.run_sync(…)`",
        ),
      ),
      trio.join("\n"),
    );
    const anyio = findingsOf(
      "blocking-in-async/invalid-starlette-anyio.py",
    ).findings.map((f) => f.message);
    assert.ok(
      anyio.some((m) => m.includes("or use `anyio.Path` / `anyio.open_file`")),
      anyio.join("\n"),
    );
  });

  it("a file that imports asyncio beside anyio keeps asyncio’s advice", () => {
    const text = [
      "import asyncio",
      "import time",
      "",
      "import anyio",
      "",
      "",
      "async def tick():",
      "    time.sleep(1)",
      "    await anyio.sleep(0)",
      "",
    ].join("\n");
    const { findings } = findingsOf("blocking-in-async/mixed.py", text);
    assert.match(
      findings[0]!.message,
      /use `await asyncio\.sleep\(…\)` instead/,
    );
  });

  it("a file that imports nothing of the three is advised asyncio", () => {
    const text = [
      "import time",
      "",
      "",
      "async def tick():",
      "    time.sleep(1)",
      "",
    ].join("\n");
    assert.match(
      findingsOf("blocking-in-async/plain.py", text).findings[0]!.message,
      /use `await asyncio\.sleep\(…\)` instead/,
    );
  });

  it("the threading.Lock fix offers the library’s lock", () => {
    const { a, findings } = findingsOf(
      "await-holding-lock/invalid-anyio-threading-lock.py",
    );
    const { fixes } = fixesFor(a, findings[0]!);
    assert.equal(
      fixes[0]?.title,
      "Use an `anyio.Lock` taken with `async with`",
    );
  });
});
