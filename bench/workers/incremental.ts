// Keystroke baseline, run in its own process: the bare incremental re-parse of each edit
// (`ts.updateSourceFile`, or tree-sitter's `tree.edit` + `parse(text, old)`), and for diagnosis the
// engine's own incremental `analyze()` of the same edit, both in-process with no LSP in between.
// Prints one JSON line: { reparseMs, reparseCpuMs, analyzeMs, analyzeCpuMs (per edit), errors }.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import ts from "typescript";
import { analyze, type Analysis } from "../../server/src/project/analyze";
import * as languages from "../../server/src/languages";
import { applyKeystroke, keystrokes, positionAt } from "../edits";
import { loadSitter, type SitterLanguage } from "./sitter";

const { values } = parseArgs({
  options: {
    lang: { type: "string" },
    file: { type: "string" },
    edits: { type: "string" },
    warmup: { type: "string" },
  },
});
const lang = values.lang ?? "typescript";
const path = values.file!;
const warmup = Number(values.warmup ?? "5");
const original = readFileSync(path, "utf8");
const edits = keystrokes(original, warmup + Number(values.edits ?? "60"));

function cpuSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}

function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Wall and CPU time per edit. */
interface Times {
  readonly wall: number[];
  readonly cpu: number[];
}

async function reparseTimes(): Promise<Times> {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let text = original;
  if (lang === "typescript") {
    // As bare as the parse baseline: no JSDoc, no parent pointers (updateSourceFile sets them itself).
    let sf = ts.createSourceFile(
      path,
      text,
      {
        languageVersion: ts.ScriptTarget.Latest,
        jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
      },
      false,
    );
    for (const k of edits) {
      const next = applyKeystroke(text, k);
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      sf = ts.updateSourceFile(sf, next, {
        span: { start: k.offset, length: k.text === "" ? 1 : 0 },
        newLength: k.text.length,
      });
      times.push(since(t0));
      cpuTimes.push(cpuSince(c0));
      text = next;
    }
    return { wall: times, cpu: cpuTimes };
  }
  const parser = await loadSitter(lang as SitterLanguage);
  let tree = parser.parse(text)!;
  for (const k of edits) {
    const next = applyKeystroke(text, k);
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const start = positionAt(text, k.offset);
    const oldEnd =
      k.text === ""
        ? { row: start.line, column: start.character + 1 }
        : { row: start.line, column: start.character };
    const newEnd = { row: start.line, column: start.character + k.text.length };
    tree.edit({
      startIndex: k.offset,
      oldEndIndex: k.offset + (k.text === "" ? 1 : 0),
      newEndIndex: k.offset + k.text.length,
      startPosition: { row: start.line, column: start.character },
      oldEndPosition: oldEnd,
      newEndPosition: newEnd,
    });
    const fresh = parser.parse(next, tree)!;
    times.push(since(t0));
    cpuTimes.push(cpuSince(c0));
    tree.delete();
    tree = fresh;
    text = next;
  }
  return { wall: times, cpu: cpuTimes };
}

async function analyzeTimes(errors: string[]): Promise<Times> {
  // A frontend with an asynchronous start (a WASM grammar) is readied by `initFrontends()`, untimed.
  const init = (languages as Record<string, unknown>).initFrontends;
  if (typeof init === "function") await (init as () => Promise<unknown>)();
  const onError = (where: string, e: unknown): void =>
    void errors.push(`${where}: ${String(e)}`);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let text = original;
  let prev: Analysis | undefined = analyze({ path, text }, undefined, {
    onError,
  });
  for (const k of edits) {
    const next = applyKeystroke(text, k);
    const change = {
      start: k.offset,
      end: k.offset + (k.text === "" ? 1 : 0),
      newText: k.text,
    };
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    prev = analyze(
      { path, text: next },
      undefined,
      prev
        ? { previous: prev.parsed, changes: [change], onError }
        : { onError },
    );
    times.push(since(t0));
    cpuTimes.push(cpuSince(c0));
    text = next;
  }
  return { wall: times, cpu: cpuTimes };
}

async function main(): Promise<void> {
  const errors: string[] = [];
  const reparse = await reparseTimes();
  const analysis = await analyzeTimes(errors);
  const result = {
    reparseMs: reparse.wall.slice(warmup),
    reparseCpuMs: reparse.cpu.slice(warmup),
    analyzeMs: analysis.wall.slice(warmup),
    analyzeCpuMs: analysis.cpu.slice(warmup),
    errors: errors.length,
    firstErrors: errors.slice(0, 3),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
