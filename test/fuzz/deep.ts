// Deep nesting in every construct of every frontend, next to a shallow function with a known
// finding: the file must be analysed within the time bound, and the shallow finding must survive
// whatever the frontend does with the deep part (the promise of issue 16: analyse what it can, say
// once what it could not). Used by the bounded run in `npm test` and by `npm run fuzz`.
import fc from 'fast-check';
import { neverThrows, type Stats } from './properties';

/** A construct nested `depth` levels, one level per line (a one-line file would be read as minified code). */
export interface DeepConstruct {
  readonly name: string;
  readonly ext: string;
  /** The deepest level generated (a construct indented per level grows quadratically). */
  readonly maxDepth: number;
  readonly build: (depth: number) => string;
}

/** A shallow function per language, and the rule and 1-based line of its one finding. */
const SHALLOW: Record<string, { text: string; rule: string; line: number }> = {
  '.ts': { text: "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n", rule: 'blocking-in-async', line: 3 },
  '.tsx': { text: "import fs from 'node:fs';\nexport async function load(p: string) {\n  return fs.readFileSync(p, 'utf8');\n}\n", rule: 'blocking-in-async', line: 3 },
  '.rs': { text: 'async fn handler() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n', rule: 'blocking-in-async', line: 2 },
  '.py': { text: 'import time\n\n\nasync def handler():\n    time.sleep(1)\n', rule: 'blocking-in-async', line: 5 },
  '.go': { text: 'package main\n\nimport (\n\t"net/http"\n\t"sync"\n)\n\nvar mu sync.Mutex\n\nfunc handler() {\n\tmu.Lock()\n\thttp.Get("http://example.com")\n\tmu.Unlock()\n}\n', rule: 'await-holding-lock', line: 12 },
  '.java': { text: 'import reactor.core.publisher.Mono;\n\nclass Handler {\n  Mono<String> handle() {\n    return Mono.just(1).map(x -> { Thread.sleep(5); return ""; });\n  }\n}\n', rule: 'blocking-in-async', line: 5 },
};

const lines = (open: string, middle: string, close: string) => (depth: number) => `${`${open}\n`.repeat(depth)}${middle}\n${`${close}\n`.repeat(depth)}`;
const indented = (head: string, body: string) => (depth: number) => `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}${head}\n`).join('')}${' '.repeat(depth)}${body}\n`;

export const DEEP_CONSTRUCTS: readonly DeepConstruct[] = [
  { name: 'TS classes', ext: '.ts', maxDepth: 5_000, build: (d) => `export const C = ${lines('class { m() { return', '1', '; } }')(d)};` },
  { name: 'TS arrow chain', ext: '.ts', maxDepth: 5_000, build: (d) => `export const f = ${'(x: number) =>\n'.repeat(d)}1;\n` },
  { name: 'TS async arrow chain', ext: '.ts', maxDepth: 5_000, build: (d) => `export const f = ${'async () =>\n'.repeat(d)}await g();\n` },
  { name: 'TSX elements', ext: '.tsx', maxDepth: 5_000, build: (d) => `export const e = (\n${lines('<div>', 'x', '</div>')(d)});` },
  { name: 'TSX expression containers', ext: '.tsx', maxDepth: 5_000, build: (d) => `export const e = ${lines('<p>{', 'x', '}</p>')(d)};` },
  { name: 'TS callbacks', ext: '.ts', maxDepth: 5_000, build: (d) => `g(${lines('() => { g(', '', ')}')(d)});` },
  { name: 'TS ifs', ext: '.ts', maxDepth: 5_000, build: (d) => `export function h(a: boolean) {\n${lines('if (a) {', 'h(a);', '}')(d)}}` },
  { name: 'TS object literals', ext: '.ts', maxDepth: 5_000, build: (d) => `export const o = ${lines('{ a:', '1', '}')(d)};` },
  { name: 'TS ternaries', ext: '.ts', maxDepth: 5_000, build: (d) => `export const t = ${'a ? b :\n'.repeat(d)}c;\n` },
  { name: 'TS template literals', ext: '.ts', maxDepth: 2_000, build: (d) => `export const s = ${lines('`${', 'x', '}`')(d)};` },
  { name: 'TS async functions', ext: '.ts', maxDepth: 5_000, build: lines('async function f() {', 'await g();', '}') },
  { name: 'Rust closures', ext: '.rs', maxDepth: 5_000, build: (d) => `fn g() {\n    let c = ${'|| \n'.repeat(d)}1;\n}\n` },
  { name: 'Rust blocks', ext: '.rs', maxDepth: 5_000, build: (d) => `fn g() ${lines('{', '1', '}')(d)}` },
  { name: 'Python defs', ext: '.py', maxDepth: 400, build: indented('def f():', 'pass') },
  { name: 'Python ifs', ext: '.py', maxDepth: 400, build: (d) => `def g(a):\n${indented(' if a:', ' pass')(d)}` },
  { name: 'Python lambdas', ext: '.py', maxDepth: 5_000, build: (d) => `x = (${'lambda:\n'.repeat(d)}1)\n` },
  { name: 'Python lists', ext: '.py', maxDepth: 5_000, build: (d) => `x = ${lines('[', '1', ']')(d)}` },
  { name: 'Python calls', ext: '.py', maxDepth: 5_000, build: (d) => `x = ${lines('f(', '1', ')')(d)}` },
  { name: 'Go function literals', ext: '.go', maxDepth: 5_000, build: (d) => `func g() {\n${lines('func() {', '', '}()')(d)}}\n` },
  { name: 'Go ifs', ext: '.go', maxDepth: 5_000, build: (d) => `func g(a bool) {\n${lines('if a {', 'g(a)', '}')(d)}}\n` },
  { name: 'Go composite literals', ext: '.go', maxDepth: 5_000, build: (d) => `var x = ${lines('[]interface{}{', '1', '}')(d)}` },
  { name: 'Java lambdas', ext: '.java', maxDepth: 5_000, build: (d) => `class Deep {\n  Object o = ${'() ->\n'.repeat(d)}1;\n}\n` },
  { name: 'Java anonymous classes', ext: '.java', maxDepth: 5_000, build: (d) => `class Deep {\n  Object o = ${lines('new Object() { Object p =', '1', '; }')(d)};\n}\n` },
  { name: 'Java ifs', ext: '.java', maxDepth: 5_000, build: (d) => `class Deep {\n  void m(boolean a) {\n${lines('if (a) {', 'm(a);', '}')(d)}  }\n}\n` },
];

/** Where the shallow function goes: before the deep construct, after it, both, or before, between and after two deep constructs. */
export type Placement = 'before' | 'after' | 'around' | 'between';

/**
 * Property: the file with `construct` nested `depth` deep and the shallow function placed as said
 * is analysed without an internal error within the time bound, and the shallow function's finding is
 * reported (each copy of it). Throws a description on failure.
 */
export function deepKeepsShallow(construct: DeepConstruct, depth: number, placement: Placement, stats: Stats): void {
  const shallow = SHALLOW[construct.ext]!;
  const deep = construct.build(depth);
  const parts =
    placement === 'before' ? [shallow.text, deep] : placement === 'after' ? [deep, shallow.text] : placement === 'around' ? [shallow.text, deep, shallow.text] : [shallow.text, deep, shallow.text, deep, shallow.text];
  const text = parts.join('\n');
  const path = `deep-${construct.name.replace(/\W+/g, '-')}${construct.ext}`;
  const analysis = neverThrows(path, text, stats);
  // The lines the shallow function's finding is on, in each copy.
  const want: number[] = [];
  let line = 1;
  for (const part of parts) {
    if (part === shallow.text) want.push(line + shallow.line - 1);
    line += part.split('\n').length;
  }
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const got = analysis.findings.filter((f) => f.rule === shallow.rule).map((f) => lineOf(f.span.start));
  for (const w of want) {
    if (!got.includes(w)) throw new Error(`${construct.name} ${depth} deep (${placement}): the shallow ${shallow.rule} on line ${w} is lost (found ${JSON.stringify(got)})`);
  }
}

/** Arbitrary cases: a construct, a depth up to its maximum, and a placement. */
export function deepCaseArb(): fc.Arbitrary<[DeepConstruct, number, Placement]> {
  return fc.constantFrom(...DEEP_CONSTRUCTS).chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: 1, max: c.maxDepth }), fc.constantFrom<Placement>('before', 'after', 'around', 'between')));
}

/** Runs {@link deepKeepsShallow} on arbitrary cases for about `ms`; throws with fast-check's shrunk case. */
export function runDeepNesting(ms: number, stats: Stats, seed?: number): void {
  const deadline = Date.now() + ms;
  // One case per check, so a slow case overruns the budget by itself only; at least one case runs.
  do {
    const result = fc.check(
      fc.property(deepCaseArb(), ([c, depth, placement]) => deepKeepsShallow(c, depth, placement, stats)),
      { numRuns: 1, ...(seed !== undefined ? { seed: seed++ } : {}) },
    );
    if (result.failed) throw new Error(`deep nesting: ${String(result.errorInstance)}`);
  } while (Date.now() < deadline);
}
