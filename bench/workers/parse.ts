// Parse baseline, run in its own process: the bare parser over every file of a list, nothing else.
// `--hold` keeps every tree alive (the memory floor of anything that keeps trees).
// Prints one JSON line: { ms, files, lines, bytes, maxRssKb }.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import ts from "typescript";
import { tuneV8ForAnalysis } from "../../server/src/project/v8-flags";
import { loadSitter, type SitterLanguage } from "./sitter";

// The V8 settings the scan runs with, as the CLI does (server/src/project/v8-flags.ts): the ratio
// compares the code, not the settings.
tuneV8ForAnalysis('batch');

const { values } = parseArgs({
  options: {
    lang: { type: "string" },
    list: { type: "string" },
    hold: { type: "boolean", default: false },
  },
});
const lang = values.lang ?? "typescript";
const files = readFileSync(values.list!, "utf8")
  .split("\n")
  .filter((l) => l !== "");

function read(path: string): string {
  const text = readFileSync(path, "utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The cheapest parse that still yields the whole syntax tree: JSDoc is not parsed, as the frontend
 * does not parse it either (a baseline that parsed it would flatter the scan).
 */
const BARE: ts.CreateSourceFileOptions = {
  languageVersion: ts.ScriptTarget.Latest,
  jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
};

function scriptKind(path: string): ts.ScriptKind {
  if (/\.[cm]?tsx?$/.test(path))
    return path.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return path.endsWith("x") ? ts.ScriptKind.JSX : ts.ScriptKind.JS;
}

async function main(): Promise<void> {
  // Reading is not timed: the scan's figure that this is compared with is analysis time only.
  const texts = files.map(read);
  const held: unknown[] = [];
  let ms = 0;
  const c0 = process.cpuUsage();
  if (lang === "typescript") {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < files.length; i++) {
      const sf = ts.createSourceFile(
        files[i]!,
        texts[i]!,
        BARE,
        false,
        scriptKind(files[i]!),
      );
      if (values.hold) held.push(sf);
    }
    ms = Number(process.hrtime.bigint() - t0) / 1e6;
  } else {
    const parser = await loadSitter(lang as SitterLanguage);
    const t0 = process.hrtime.bigint();
    Object.assign(c0, process.cpuUsage());
    for (const text of texts) {
      const tree = parser.parse(text);
      if (values.hold) held.push(tree);
      else tree?.delete();
    }
    ms = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  let lines = 0;
  let bytes = 0;
  for (const t of texts) {
    bytes += Buffer.byteLength(t);
    for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) lines++;
  }
  process.stdout.write(
    `${JSON.stringify({ ms, cpuMs, files: files.length, lines, bytes, held: held.length, maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
