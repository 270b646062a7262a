// The benchmark corpora: real code nobody here wrote, at pinned versions, installed on first use
// into bench/.cache/ (ignored by git) with the ordinary clients (npm, apt).
import { execFileSync } from "node:child_process";
import {
  cpSync,
  rmSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { walkFiles } from "../server/src/project/files";

export const BENCH_DIR = __dirname;
export const CACHE = join(BENCH_DIR, ".cache");
export const CORPORA = join(CACHE, "corpora");
export const TOOLS = join(CACHE, "tools");

/** Pinned corpus sources. Changing one changes every figure: say so in the commit. */
export const PINS = {
  /** TypeScript: Effect ships its `src/` in the npm package (235k lines). */
  effect: "effect@3.22.4",
  /** JavaScript: webpack's `lib/`, plain Node.js code (140k lines). */
  webpack: "webpack@5.101.3",
  /** Rust: Tokio from Debian bookworm (`librust-tokio-dev`). */
  tokioApt: "librust-tokio-dev",
  /** Python: aiohttp from Debian bookworm (`python3-aiohttp`, 3.8.4). */
  aiohttpApt: "python3-aiohttp",
  /** Go: grpc-go from Debian (`golang-google-grpc-dev`, 1.33.3 on bookworm), tests included. */
  grpcApt: "golang-google-grpc-dev",
  /** Java: Capacitor's Android runtime, whose npm package ships its Java sources (`capacitor/src/main/java`). */
  capacitorAndroid: "@capacitor/android@8.5.2",
} as const;

/** Comparison tools, pinned, installed into bench/.cache/tools (never project dependencies). */
export const TOOL_PINS = [
  "eslint@9.39.5",
  "typescript-eslint@8.73.0",
  "@typescript-eslint/parser@8.73.0",
  "eslint-plugin-n@18.5.0",
  "oxlint@1.94.0",
  "typescript@5.9.3",
];

/** One corpus: a root folder and the files the CLI's walker finds in it. */
export interface Corpus {
  readonly name: string;
  readonly language: "typescript" | "rust" | "python" | "go" | "java";
  readonly root: string;
  readonly files: readonly string[];
  readonly lines: number;
  readonly description: string;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function sh(cmd: string, args: readonly string[], cwd?: string): void {
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
}

/** Makes `dir` a repository root of its own, so git-aware walkers (ours, oxlint) do not apply bench/.cache's ignore entry to it. */
function markRepoRoot(dir: string): void {
  if (!existsSync(join(dir, ".git"))) sh("git", ["init", "-q", dir]);
}

/** Installs the TypeScript/JavaScript corpus; idempotent. Returns its root. */
export function installTsCorpus(): string {
  const root = join(CORPORA, "ts");
  const stamp = join(root, ".installed");
  const want = `${PINS.effect} ${PINS.webpack}\n`;
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return root;
  log(`installing ${PINS.effect} and ${PINS.webpack} into ${CORPORA}`);
  // A fresh folder: files left from another pin would silently join the corpus.
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(CORPORA, "package.json"),
    '{ "name": "bench-corpora", "private": true }\n',
  );
  // Effect is installed with its dependencies so that type-aware ESLint sees real types.
  sh(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--ignore-scripts",
      PINS.effect,
    ],
    CORPORA,
  );
  cpSync(join(CORPORA, "node_modules/effect/src"), join(root, "effect/src"), {
    recursive: true,
  });
  // webpack's dependencies are not needed: only its own lib/ is scanned.
  const packDir = join(CACHE, "pack");
  mkdirSync(packDir, { recursive: true });
  const tgz = execFileSync("npm", ["pack", "--loglevel=error", PINS.webpack], {
    cwd: packDir,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  mkdirSync(join(packDir, "webpack"), { recursive: true });
  sh("tar", ["xzf", tgz, "-C", "webpack"], packDir);
  cpSync(join(packDir, "webpack/package/lib"), join(root, "webpack/lib"), {
    recursive: true,
  });
  markRepoRoot(root);
  writeFileSync(stamp, want);
  return root;
}

/** Installs the Java corpus (the Java sources of the pinned npm package); idempotent. Returns its root. */
export function installJavaCorpus(): string {
  const root = join(CORPORA, "java");
  const stamp = join(root, ".installed");
  const want = `${PINS.capacitorAndroid}\n`;
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return root;
  log(`installing ${PINS.capacitorAndroid} into ${root}`);
  rmSync(root, { recursive: true, force: true });
  const packDir = join(CACHE, "pack");
  mkdirSync(packDir, { recursive: true });
  const tgz = execFileSync("npm", ["pack", "--loglevel=error", PINS.capacitorAndroid], { cwd: packDir, encoding: "utf8" }).trim().split("\n").pop()!;
  mkdirSync(join(packDir, "capacitor-android"), { recursive: true });
  sh("tar", ["xzf", tgz, "-C", "capacitor-android"], packDir);
  cpSync(join(packDir, "capacitor-android/package/capacitor/src/main/java"), join(root, "capacitor"), { recursive: true });
  markRepoRoot(root);
  writeFileSync(stamp, want);
  return root;
}

/** Installs a Debian package when its folder is missing (needs root, as on the dev machines and CI). */
function aptInstall(
  pkg: string,
  probe: () => string | undefined,
): string | undefined {
  let dir = probe();
  if (dir) return dir;
  log(`installing ${pkg} with apt-get`);
  try {
    sh("apt-get", ["install", "-y", "-q", pkg]);
  } catch {
    sh("apt-get", ["update", "-q"]);
    sh("apt-get", ["install", "-y", "-q", pkg]);
  }
  dir = probe();
  return dir;
}

/** Tokio's source folder from librust-tokio-dev, installing the package if needed. */
export function installRustCorpus(): string | undefined {
  const registry = "/usr/share/cargo/registry";
  return aptInstall(PINS.tokioApt, () => {
    if (!existsSync(registry)) return undefined;
    const dir = readdirSync(registry).find((d) => /^tokio-\d/.test(d));
    return dir ? join(registry, dir) : undefined;
  });
}

/** aiohttp's package folder from python3-aiohttp, installing the package if needed. */
export function installPythonCorpus(): string | undefined {
  const dir = "/usr/lib/python3/dist-packages/aiohttp";
  return aptInstall(PINS.aiohttpApt, () => (existsSync(dir) ? dir : undefined));
}

/** grpc-go's source folder from golang-google-grpc-dev, installing the package if needed. */
export function installGoCorpus(): string | undefined {
  const dir = "/usr/share/gocode/src/google.golang.org/grpc";
  return aptInstall(PINS.grpcApt, () => (existsSync(dir) ? dir : undefined));
}

/** Installs the pinned comparison tools into bench/.cache/tools; idempotent. */
export function installTools(): string {
  const stamp = join(TOOLS, ".installed");
  const want = `${TOOL_PINS.join(" ")}\n`;
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return TOOLS;
  log(`installing ${TOOL_PINS.join(", ")} into ${TOOLS}`);
  mkdirSync(TOOLS, { recursive: true });
  writeFileSync(
    join(TOOLS, "package.json"),
    '{ "name": "bench-tools", "private": true }\n',
  );
  sh(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", ...TOOL_PINS],
    TOOLS,
  );
  writeFileSync(stamp, want);
  return TOOLS;
}

/** Counts lines the way `wc -l` does, plus one for a last line without a newline. */
export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.length > 0 && !text.endsWith("\n") ? n + 1 : n;
}

/** Lists a corpus with the CLI's own walker (same ignore rules and extensions as a real check). */
export async function listCorpus(
  name: string,
  language: Corpus["language"],
  root: string,
  extensions: readonly string[],
  description: string,
): Promise<Corpus> {
  const files: string[] = [];
  for await (const f of walkFiles([root], root, {
    extensions: new Set(extensions),
  }))
    files.push(f);
  let lines = 0;
  for (const f of files) lines += countLines(readFileSync(f, "utf8"));
  return { name, language, root: resolve(root), files, lines, description };
}

/** Keeps every `step`-th file (by walk order) with index ≡ r (mod step) for r in `keep`: nested, spread-out subsets. */
export function subset(
  corpus: Corpus,
  step: number,
  keep: readonly number[],
  name: string,
): Corpus {
  const files = corpus.files.filter((_, i) => keep.includes(i % step));
  let lines = 0;
  for (const f of files) lines += countLines(readFileSync(f, "utf8"));
  return { ...corpus, name, files, lines };
}

/** Writes a file list for a worker and returns its path. */
export function writeList(corpus: Corpus): string {
  const dir = join(CACHE, "lists");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${corpus.name}.txt`);
  writeFileSync(path, `${corpus.files.join("\n")}\n`);
  return path;
}
