/**
 * What TS/JS syntax says about where code runs: a shebang (a one-shot script), and the bodies of
 * mocha/jest/vitest/Playwright suites and hooks (`describe`, `it`, `test`, `beforeEach`, …) and of
 * vitest's `bench`, listeners on `process.stdin` (operator input), functions that start a bundler's
 * dev server (development tooling), minified code (generated) and
 * code that calls the browser's globals and no Node API (browser code). Paths (`test/`,
 * `*.test.ts`, `public/`, `*.min.js`) are the engine's (roles-paths.ts).
 */
import type { FileModel, RoleFact, RoleFacts } from '../../engine/model';
import type { WalkResult } from './records';
import { lookup, type Scope } from './resolve';

const TEST_HOSTS = new Set(['describe', 'it', 'test', 'suite', 'specify', 'before', 'after', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll', 'xit', 'xdescribe', 'fit', 'fdescribe']);
const BENCH_HOSTS = new Set(['bench']);
const STDIN_LISTENERS = /^process\.stdin\.(on|once|addListener)$/;
/**
 * A bundler's development server, by resolved callee: Vite's `createServer` (middleware mode, as
 * The Lounge's dev mode mounts it) and webpack's dev and hot middleware. Nobody serves production
 * traffic through them: the function that starts one, and the handlers it registers, are
 * development tooling.
 */
const DEV_SERVERS = /^(?:vite\.createServer|webpack-dev-middleware|webpack-hot-middleware|webpack-dev-server)(?:\.|$)/;

/**
 * Globals only a browser has, as the root of a call (`document.querySelector(…)`,
 * `window.addEventListener(…)`); not `navigator` or `localStorage`, which Node has too.
 */
const BROWSER_GLOBALS = new Set(['document', 'window']);
/** Globals only Node has, as the root of a call (`process.on(…)`, `Buffer.from(…)`). */
const NODE_GLOBALS = new Set(['process', 'Buffer', 'setImmediate']);
/** Node's built-in modules: importing one makes a file Node code (a bundler does not ship them to a browser). */
const NODE_MODULES = new Set([
  'fs', 'fs/promises', 'path', 'child_process', 'http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'os', 'crypto', 'zlib',
  'stream', 'stream/promises', 'worker_threads', 'cluster', 'readline', 'vm', 'v8', 'perf_hooks', 'async_hooks', 'module', 'inspector',
]);
/** Calls that hand a function to a browser page from Node (Puppeteer, Playwright, WebDriver): the file drives a browser, it is not one. */
const PAGE_EVALUATORS = new Set(['evaluate', 'evaluateHandle', '$eval', '$$eval', 'evaluateOnNewDocument', 'addInitScript', 'waitForFunction', 'executeScript', 'executeAsyncScript']);

/**
 * A browser global the file calls (`document.querySelector`), when it calls one that no binding of
 * the file shadows (a local `window` of samples is not the browser's), and nothing says Node: no
 * Node global, no Node built-in module, no page evaluation. `undefined` otherwise.
 */
export function browserGlobalCall(w: WalkResult): string | undefined {
  // Only a call of a browser global makes browser code: without one the answer is no, whatever the
  // other calls say (the calls are read again below only for a file that has one).
  if (!w.calls.some((c) => startsWithBrowserGlobal(c.calleeText))) return undefined;
  let dom: string | undefined;
  let root: Scope | undefined;
  for (const c of w.calls) {
    if (PAGE_EVALUATORS.has(c.member)) return undefined;
    if (c.callee !== undefined && NODE_MODULES.has(firstSegment(c.callee))) return undefined;
    // Only a Node or browser global decides anything: other names are not looked up.
    const name = rootName(c.calleeText);
    if (name === undefined || !(NODE_GLOBALS.has(name) || BROWSER_GLOBALS.has(name)) || lookup(name, c.scope)) continue;
    if (NODE_GLOBALS.has(name)) return undefined;
    if (dom === undefined && c.calleeText.length > name.length) {
      dom = c.calleeText;
      // Every scope of the file ends in the module's.
      root = outermost(c.scope);
    }
  }
  if (dom === undefined || root === undefined) return undefined;
  for (const b of root.bindings.values()) if (b.k === 'value' && NODE_MODULES.has(b.path.split('.')[0]!)) return undefined;
  return dom;
}

/** Whether `rootName(calleeText)` is one of {@link BROWSER_GLOBALS}, read without slicing the text. */
function startsWithBrowserGlobal(calleeText: string): boolean {
  const c = calleeText.charCodeAt(0);
  // `d` or `w`, the first letters of `document` and `window`.
  if (c !== 100 && c !== 119) return false;
  for (const g of BROWSER_GLOBALS) {
    if (calleeText.startsWith(g) && (calleeText.length === g.length || !isNameChar(calleeText.charCodeAt(g.length)))) return true;
  }
  return false;
}

/** A character `rootName` reads as part of a name. */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}

/** The part of a resolved callee before its first `.` (`fs/promises` of `fs/promises.readFile`). */
function firstSegment(callee: string): string {
  const dot = callee.indexOf('.');
  return dot < 0 ? callee : callee.slice(0, dot);
}

/** The identifier a callee's text starts with (`describe` of `describe.skip`), as `/^[\w$]+/` matches it; `undefined` when none. */
function rootName(calleeText: string): string | undefined {
  let i = 0;
  while (i < calleeText.length && isNameChar(calleeText.charCodeAt(i))) i++;
  return i === 0 ? undefined : i === calleeText.length ? calleeText : calleeText.slice(0, i);
}

function outermost(scope: Scope): Scope {
  let s = scope;
  while (s.parent) s = s.parent;
  return s;
}

/**
 * Minified code: most of the code is on lines over 1,000 characters, one of them over 3,000
 * (comments, such as an inline source map, aside), and those lines are dense code: mostly
 * identifiers and keywords, few spaces. A deeply nested expression on one long line (`((((…`,
 * `() => { f(() => { f(…`) is hostile input, not minified code: it is analysed as far as it goes.
 */
export function minifiedLine(text: string): number | undefined {
  // Without a line of 3,000 characters there is no minified line: found with the native search for
  // line ends, before any line is read character by character.
  if (!hasLineOf(text, 3000)) return undefined;
  let code = 0;
  let long = 0;
  let longest = 0;
  let letters = 0;
  let spaces = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let first = start;
    while (first < end && (text.charCodeAt(first) === 32 || text.charCodeAt(first) === 9)) first++;
    const len = end - start;
    const comment = text.startsWith('//', first) || text.startsWith('/*', first) || text.startsWith('*', first);
    if (first < end && !comment) {
      code += len;
      if (len > longest) longest = len;
      if (len > 1000) {
        long += len;
        for (let i = first; i < end; i++) {
          const ch = text.charCodeAt(i) | 32;
          if (ch >= 97 && ch <= 122) letters++;
          else if (ch === 32) spaces++;
        }
      }
    }
    start = end + 1;
  }
  if (code < 2000 || longest < 3000 || long * 2 < code) return undefined;
  return letters * 4 >= long && spaces * 100 <= long * 15 ? longest : undefined;
}

/** Whether a line of `text` (split at `\n`, as `minifiedLine` splits it) is at least `length` characters long. */
function hasLineOf(text: string, length: number): boolean {
  if (text.length < length) return false;
  // A line of `length` characters holds a whole block of `length / 2` that starts at a multiple of
  // it: when every such block has a line end, no line is that long. One search per block, not per line.
  const block = Math.floor(length / 2);
  let open = false;
  for (let at = 0; at + block <= text.length; ) {
    const end = text.indexOf('\n', at);
    if (end < 0 || end >= at + block) {
      open = true;
      break;
    }
    at = (Math.floor(end / block) + 1) * block;
  }
  if (!open) return false;
  let start = 0;
  for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
    if (end - start >= length) return true;
    start = end + 1;
  }
  return text.length - start >= length;
}

/**
 * Role facts for a TS/JS file, read from its model: callbacks handed straight to a test host. The
 * file's fact is read now; the functions' facts when the roles are resolved (`functions` is a getter
 * that reads them once): most files have no finding, and nothing then asks where their code runs.
 */
export function typescriptRoleFacts(text: string, model: FileModel, w?: WalkResult): RoleFacts {
  const facts = { ...fileFact(text, w) };
  Object.defineProperty(facts, LAZY_FACTS, { value: { model } satisfies LazyFacts });
  Object.defineProperty(facts, 'functions', FUNCTIONS_PROPERTY);
  return facts as RoleFacts;
}

/** Where the functions' facts come from until they are read. */
const LAZY_FACTS = Symbol('lazy function facts');

interface LazyFacts {
  readonly model: FileModel;
  functions?: { functionId: number; fact: RoleFact }[];
}

/** One getter for every file's facts (a getter made per object would make each a dictionary object). */
const FUNCTIONS_PROPERTY: PropertyDescriptor = {
  get(this: { readonly [LAZY_FACTS]: LazyFacts }): { functionId: number; fact: RoleFact }[] {
    const lazy = this[LAZY_FACTS];
    return (lazy.functions ??= functionFacts(lazy.model));
  },
  enumerable: true,
  configurable: true,
};

/** Role facts of single functions: test and bench callbacks, `process.stdin` listeners, dev-server starters. */
function functionFacts(model: FileModel): { functionId: number; fact: RoleFact }[] {
  const functions: { functionId: number; fact: RoleFact }[] = [];
  const hosts = model.calls.filter((c) => {
    const root = rootName(c.calleeText);
    return root !== undefined && (TEST_HOSTS.has(root) || BENCH_HOSTS.has(root));
  });
  if (hosts.length > 0) {
    for (const f of model.functions) {
      // A direct argument: inside the call's parentheses and nested in the function that makes the call.
      const host = hosts.find((c) => c.argsSpan.start <= f.span.start && f.span.end <= c.argsSpan.end && c.functionId === f.parent);
      if (!host) continue;
      const root = rootName(host.calleeText)!;
      const fact: RoleFact = BENCH_HOSTS.has(root)
        ? { role: 'bench', where: `in benchmark code (a callback to \`${host.calleeText}\`)` }
        : { role: 'test', where: `in test code (a callback to \`${host.calleeText}\`)` };
      functions.push({ functionId: f.id, fact });
    }
  }
  // A listener on `process.stdin` runs when the operator types at the terminal (json-server's
  // `s + enter` snapshot): an operator's command, not a request the server is serving.
  for (const c of model.calls) {
    if (!STDIN_LISTENERS.test(c.calleeText)) continue;
    for (const f of model.functions) {
      if (f.parent === c.functionId && c.argsSpan.start <= f.span.start && f.span.end <= c.argsSpan.end && !functions.some((x) => x.functionId === f.id)) {
        functions.push({ functionId: f.id, fact: { role: 'script', where: `on operator input at the terminal (a \`${c.calleeText}\` listener)`, note: 'it runs when the operator asks, not per request' } });
      }
    }
  }
  // A function that starts a bundler's dev server runs only while developing (The Lounge's
  // `--dev` mode); its nested handlers take its role.
  for (const c of model.calls) {
    if (c.functionId === undefined || c.callee === undefined || !DEV_SERVERS.test(c.callee) || functions.some((x) => x.functionId === c.functionId)) continue;
    functions.push({ functionId: c.functionId, fact: { role: 'script', where: `in development tooling (it starts \`${c.callee}\`)`, note: 'it runs only while developing' } });
  }
  return functions;
}

function fileFact(text: string, w: WalkResult | undefined): { file?: RoleFact } {
  if (text.startsWith('#!')) return { file: { role: 'script', where: 'in a one-shot script (a file with a shebang)' } };
  const longest = minifiedLine(text);
  if (longest !== undefined) return { file: { role: 'generated', where: `in generated code (minified: a line of ${longest.toLocaleString('en-US')} characters)` } };
  const dom = w === undefined ? undefined : browserGlobalCall(w);
  if (dom !== undefined) return { file: { role: 'browser', where: `in browser code (it calls \`${dom}\` and no Node API)` } };
  return {};
}
