// Property 3, "the server stays up": the real bundled server over stdio gets random but valid edit
// sequences on a TypeScript and a Rust document, interleaved with hovers, code actions (+ resolve),
// yield points, inlay hints, cancellations, settings and config-file changes, and malformed
// messages. Every request must be answered, the process must not exit, and the diagnostics
// published for the final text must equal a fresh `analyze()` of that text.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../server/src/project/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { underlined } from '../../server/src/lsp/diagnostics';
import { LspProcess, type RpcResponse } from './lsp-process';
import { malformedMessages } from './malformed';
import type { Seed } from './mutations';

/** Fractions of the document length, so an action stays meaningful however the text changed. */
type At = number;
type DocIx = 0 | 1;

export type Action =
  | { readonly k: 'edit'; readonly doc: DocIx; readonly a: At; readonly len: number; readonly text: string }
  | { readonly k: 'rawEdit'; readonly doc: DocIx; readonly a: At; readonly bytes: readonly number[] }
  | { readonly k: 'hover'; readonly doc: DocIx; readonly a: At }
  | { readonly k: 'codeAction'; readonly doc: DocIx; readonly a: At; readonly b: At; readonly resolve: boolean; readonly fixAll: boolean }
  | { readonly k: 'yieldPoints'; readonly doc: DocIx }
  | { readonly k: 'inlay'; readonly doc: DocIx }
  | { readonly k: 'cancel'; readonly doc: DocIx; readonly a: At; readonly method: 'hover' | 'codeAction' | 'yieldPoints' }
  | { readonly k: 'settings'; readonly value: unknown }
  | { readonly k: 'configFile'; readonly text: string | null }
  | { readonly k: 'malformed'; readonly which: number; readonly doc: DocIx; readonly a: At }
  | { readonly k: 'scan' }
  | { readonly k: 'wait' };

export interface Scenario {
  /** Indexes into the TypeScript and the Rust seeds. */
  readonly seeds: readonly [number, number];
  readonly actions: readonly Action[];
}

/** What a protocol campaign covered. */
export interface ProtocolStats {
  scenarios: number;
  edits: number;
  requests: number;
  malformed: number;
  finalChecks: number;
  /** Diagnostics compared in those checks (a check of empty lists proves little). */
  finalDiagnostics: number;
  /** KiB, sampled from /proc while the scenarios ran. */
  peakRss: number;
  firstRss: number;
  lastRss: number;
  restarts: number;
}

export function newProtocolStats(): ProtocolStats {
  return { scenarios: 0, edits: 0, requests: 0, malformed: 0, finalChecks: 0, finalDiagnostics: 0, peakRss: 0, firstRss: 0, lastRss: 0, restarts: 0 };
}

const FRAGMENTS = [
  'await ', 'async ', '.await', 'fs.readFileSync(p)', "fs.writeFileSync('x', d);", 'await mutex.acquire();\n', 'release();', 'lock.runExclusive(async () => {',
  'new Worker(', 'crypto.pbkdf2Sync(a, b, 1e6, 64, "sha512")', 'function f() {', 'async function g(p: string) {\n', 'const x = ', ' => ', '{', '}', '(', ')', '[', ']',
  ';', '\n', '\r\n', '\r', '\t', '"', "'", '`', '${', '/*', '*/', '// async-boundary-ignore blocking-in-async: why\n', '//', '<T>', 'let g = m.lock().unwrap();\n',
  'let g = m.lock().await;\n', 'std::thread::sleep(d);', 'tokio::sync::mpsc::unbounded_channel()', 'async fn h() {\n', 'fn k() {', '::', '&', "'a", '#[', 'r#"', '"#',
  'impl X {', 'match x {', 'loop {', 'for await (const x of y) {', 'yield ', '\u0000', '\uFEFF', '😀', '\uD800', 'é', '\u2028',
];

const at = fc.double({ min: 0, max: 1, noNaN: true });
const doc = fc.constantFrom<DocIx>(0, 1);
const insertText = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((xs) => xs.join('')) },
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
const settingsValue = fc.oneof(
  fc.record({ debounceMs: fc.constantFrom(0, 1, 5), enable: fc.boolean() }),
  fc.record({ debounceMs: fc.constant(0), rules: fc.dictionary(fc.constantFrom('blocking-in-async', 'await-in-lock', 'nope', '__proto__'), fc.constantFrom('off', 'error', 'hint', 'loud', 3)) }),
  fc.record({ debounceMs: fc.constantFrom(-1, 'fast', null, 1e12), enable: fc.constantFrom('yes', 0, null), inlayHints: fc.constant({ enabled: 'maybe' }) }),
  fc.constantFrom(null, 42, 'x', [], { debounceMs: 0 }),
);
const configText = fc.oneof(
  fc.constant(null),
  fc.constantFrom('{', '{"rules": {"blocking-in-async": "off"}}', '{"rules": {"nope": "loud"}, "include": [1, "", "**/'.repeat(3) + 'x"]}', '[]', 'null', '\uFEFF{}', '{"languages": {"typescript": {"blockingCalls": [{"name": "a.b"}, 7]}}}'),
  fc.string({ maxLength: 40 }),
);

/** One action; edits dominate, as in an editor. */
export function actionArb(): fc.Arbitrary<Action> {
  return fc.oneof(
    { weight: 30, arbitrary: fc.record({ k: fc.constant('edit' as const), doc, a: at, len: fc.oneof(fc.constant(0), fc.nat(8), fc.nat(200)), text: insertText }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('rawEdit' as const), doc, a: at, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }) },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('hover' as const), doc, a: at }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('codeAction' as const), doc, a: at, b: at, resolve: fc.boolean(), fixAll: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('yieldPoints' as const), doc }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('inlay' as const), doc }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), doc, a: at, method: fc.constantFrom('hover' as const, 'codeAction' as const, 'yieldPoints' as const) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('settings' as const), value: settingsValue }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('configFile' as const), text: configText }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('malformed' as const), which: fc.nat(), doc, a: at }) },
    { weight: 1, arbitrary: fc.constant({ k: 'scan' as const }) },
    { weight: 3, arbitrary: fc.constant({ k: 'wait' as const }) },
  );
}

export function scenarioArb(tsSeeds: number, rsSeeds: number, maxActions: number): fc.Arbitrary<Scenario> {
  return fc.record({
    seeds: fc.tuple(fc.nat(Math.max(0, tsSeeds - 1)), fc.nat(Math.max(0, rsSeeds - 1))),
    actions: fc.array(actionArb(), { minLength: 1, maxLength: maxActions, size: 'max' }),
  });
}

/** A request unanswered for this long is silence, not slowness (the machine is slow and shared). */
const ANSWER_TIMEOUT_MS = 30_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)))]).finally(() => clearTimeout(timer));
}

/** LSP positions of engine offsets, computed independently of the server's line index. */
function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

type RangeLike = { start: { line: number; character: number }; end: { line: number; character: number } };
const key = (rule: unknown, r: RangeLike) => `${String(rule)}@${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

/** Drives one server through scenarios; restarts it when a scenario killed it. */
export class ProtocolFuzzer {
  private server: LspProcess | undefined;
  private readonly root = mkdtempSync(join(tmpdir(), 'ab-fuzz-lsp-'));
  private run = 0;
  private sampler: NodeJS.Timeout | undefined;

  constructor(
    private readonly tsSeeds: readonly Seed[],
    private readonly rsSeeds: readonly Seed[],
    readonly stats: ProtocolStats = newProtocolStats(),
  ) {}

  private sample(): void {
    if (!this.server?.alive) return;
    const { rss, hwm } = this.server.memory();
    if (this.stats.firstRss === 0) this.stats.firstRss = rss;
    this.stats.lastRss = rss;
    this.stats.peakRss = Math.max(this.stats.peakRss, hwm, rss);
  }

  private async ensureServer(): Promise<LspProcess> {
    if (this.server?.alive) return this.server;
    if (this.server) this.stats.restarts++;
    const server = new LspProcess(this.root);
    this.server = server;
    const init = await withTimeout(
      server.request('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(this.root).href,
        workspaceFolders: [{ uri: pathToFileURL(this.root).href, name: 'fuzz' }],
        capabilities: {
          workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] }, inlayHint: { refreshSupport: true } },
          textDocument: { codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } } },
          window: { workDoneProgress: true, showDocument: { support: true } },
        },
      }),
      ANSWER_TIMEOUT_MS,
      () => `no answer to initialize; ${server.exitReason ?? ''}`,
    );
    if (init.error) throw new Error(`initialize failed: ${init.error.message}`);
    server.notify('initialized', {});
    if (!this.sampler) {
      this.sampler = setInterval(() => this.sample(), 250);
      this.sampler.unref();
    }
    return server;
  }

  /** Runs one scenario; throws with what went wrong (silence, exit, or diagnostics that differ from `analyze`). */
  async runScenario(scenario: Scenario): Promise<void> {
    const server = await this.ensureServer();
    const n = this.run++;
    const seeds = [this.tsSeeds[scenario.seeds[0] % Math.max(1, this.tsSeeds.length)], this.rsSeeds[scenario.seeds[1] % Math.max(1, this.rsSeeds.length)]];
    const docs = [
      { name: `s${n}.ts`, languageId: 'typescript', text: seeds[0]?.text ?? 'async function f() { await g(); }\n' },
      { name: `s${n}.rs`, languageId: 'rust', text: seeds[1]?.text ?? 'async fn f() { g().await; }\n' },
    ].map((d) => ({ ...d, uri: pathToFileURL(join(this.root, d.name)).href, path: join(this.root, d.name), mirror: TextDocument.create(pathToFileURL(join(this.root, d.name)).href, d.languageId, 1, d.text) }));
    /** `valid`: a well-formed request about an open document, which must get a result, not an error. */
    const inFlight: { what: string; answer: Promise<RpcResponse>; valid: boolean }[] = [];
    const ask = (method: string, params: unknown, valid = true): Promise<RpcResponse> => {
      this.stats.requests++;
      const answer = server.request(method, params);
      inFlight.push({ what: `${method} ${JSON.stringify(params).slice(0, 300)}`, answer, valid });
      return answer;
    };
    const drain = async (): Promise<void> => {
      const batch = inFlight.splice(0);
      const answers = await Promise.all(batch.map((r) => withTimeout(r.answer, ANSWER_TIMEOUT_MS, () => `no answer within ${ANSWER_TIMEOUT_MS} ms to ${r.what}`)));
      if (!server.alive) throw new Error(server.exitReason);
      // Cancelled (-32800) and content modified (-32801) are answers a client expects; anything else is a server bug.
      batch.forEach((r, i) => {
        const error = answers[i]!.error;
        if (r.valid && error && error.code !== -32800 && error.code !== -32801) throw new Error(`a valid request failed: ${r.what}: ${error.code} ${error.message}`);
      });
    };

    for (const d of docs) server.notify('textDocument/didOpen', { textDocument: { uri: d.uri, languageId: d.languageId, version: 1, text: d.text } });
    const offset = (d: (typeof docs)[number], p: At): number => {
      const text = d.mirror.getText();
      let o = Math.floor(p * text.length);
      // Positions address code unit boundaries between lines: never the middle of a CRLF.
      if (o > 0 && text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10) o--;
      return o;
    };
    const change = (d: (typeof docs)[number], start: number, end: number, text: string, body?: (params: object) => Buffer) => {
      this.stats.edits++;
      const range = { start: d.mirror.positionAt(start), end: d.mirror.positionAt(end) };
      const version = d.mirror.version + 1;
      const params = { textDocument: { uri: d.uri, version }, contentChanges: [{ range, text }] };
      if (body) server.writeBody(body(params));
      else server.notify('textDocument/didChange', params);
      d.mirror = TextDocument.update(d.mirror, [{ range, text }], version);
    };

    for (const action of scenario.actions) {
      if (!server.alive) break;
      const d = docs['doc' in action ? action.doc : 0]!;
      switch (action.k) {
        case 'edit': {
          const start = offset(d, action.a);
          const len = d.mirror.getText().length;
          // Keep documents editor-sized: a long one only shrinks.
          const text = len > 40_000 ? '' : action.text;
          let end = Math.min(len, start + action.len);
          if (end > 0 && d.mirror.getText().charCodeAt(end - 1) === 13 && d.mirror.getText().charCodeAt(end) === 10) end--;
          change(d, start, Math.max(start, end), text);
          break;
        }
        case 'rawEdit': {
          // Invalid UTF-8 inside the JSON string: the server decodes the body as UTF-8, and so does the mirror.
          const start = offset(d, action.a);
          const raw = Buffer.from(action.bytes.map((b) => (b === 0x22 || b === 0x5c || b < 0x20 ? 0x3f : b)));
          const decoded = raw.toString('utf8');
          change(d, start, start, decoded, (params) => {
            const json = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { ...params, contentChanges: [{ ...(params as { contentChanges: object[] }).contentChanges[0], text: 'MARK\u0001' }] } });
            const [before, after] = json.split('MARK\\u0001') as [string, string];
            return Buffer.concat([Buffer.from(before, 'utf8'), raw, Buffer.from(after, 'utf8')]);
          });
          break;
        }
        case 'hover':
          void ask('textDocument/hover', { textDocument: { uri: d.uri }, position: d.mirror.positionAt(offset(d, action.a)) });
          break;
        case 'codeAction': {
          const [s, e] = [offset(d, Math.min(action.a, action.b)), offset(d, Math.max(action.a, action.b))];
          const params = { textDocument: { uri: d.uri }, range: { start: d.mirror.positionAt(s), end: d.mirror.positionAt(e) }, context: { diagnostics: [], ...(action.fixAll ? { only: ['source.fixAll'] } : {}) } };
          const answer = ask('textDocument/codeAction', params);
          if (action.resolve) {
            void answer.then((r) => {
              for (const ca of ((r.result ?? []) as { edit?: unknown; data?: unknown }[]).slice(0, 3)) if (ca && typeof ca === 'object' && ca.data !== undefined) void ask('codeAction/resolve', ca);
            });
          }
          break;
        }
        case 'yieldPoints':
          void ask('asyncBoundary/yieldPoints', { textDocument: { uri: d.uri } });
          break;
        case 'inlay':
          void ask('textDocument/inlayHint', { textDocument: { uri: d.uri }, range: { start: { line: 0, character: 0 }, end: d.mirror.positionAt(d.mirror.getText().length) } });
          break;
        case 'cancel': {
          const params =
            action.method === 'hover'
              ? { textDocument: { uri: d.uri }, position: d.mirror.positionAt(offset(d, action.a)) }
              : action.method === 'codeAction'
                ? { textDocument: { uri: d.uri }, range: { start: d.mirror.positionAt(0), end: d.mirror.positionAt(offset(d, action.a)) }, context: { diagnostics: [] } }
                : { textDocument: { uri: d.uri } };
          const method = { hover: 'textDocument/hover', codeAction: 'textDocument/codeAction', yieldPoints: 'asyncBoundary/yieldPoints' }[action.method];
          this.stats.requests++;
          const { id, answer } = server.requestWithId(method, params);
          server.notify('$/cancelRequest', { id });
          inFlight.push({ what: `cancelled ${method}`, answer, valid: true });
          break;
        }
        case 'settings':
          server.settings = action.value;
          server.notify('workspace/didChangeConfiguration', { settings: null });
          break;
        case 'configFile': {
          const file = join(this.root, '.async-boundary.json');
          if (action.text === null) rmSync(file, { force: true });
          else writeFileSync(file, action.text);
          server.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).href, type: action.text === null ? 3 : 2 }] });
          break;
        }
        case 'malformed': {
          this.stats.malformed++;
          const all = malformedMessages(d.uri, d.mirror.positionAt(offset(d, action.a)));
          const m = all[action.which % all.length]!;
          if (m.kind === 'request') void ask(m.method, m.params, false);
          else if (m.kind === 'notify') server.notify(m.method, m.params);
          else {
            server.writeBody(m.body);
            // A body that is not JSON has no id to answer; a request right after must still be answered.
            void ask('textDocument/hover', { textDocument: { uri: d.uri }, position: { line: 0, character: 0 } });
          }
          break;
        }
        case 'scan':
          void ask('workspace/executeCommand', { command: 'asyncBoundary.scanWorkspace', arguments: [] });
          break;
        case 'wait':
          await drain();
          break;
      }
    }
    await drain();
    await drain(); // the resolves sent after the last code actions were answered
    if (!server.alive) throw new Error(server.exitReason);

    // Final state: default settings and no config file, then one more version of each document.
    server.settings = { debounceMs: 0 };
    server.notify('workspace/didChangeConfiguration', { settings: null });
    const configFile = join(this.root, '.async-boundary.json');
    try {
      unlinkSync(configFile);
      server.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(configFile).href, type: 3 }] });
    } catch {
      // No config file was written.
    }
    for (const d of docs) {
      const version = d.mirror.version + 1;
      const published = server.nextDiagnostics((p) => p.uri === d.uri && p.version === version);
      change(d, 0, 0, '');
      const got = await withTimeout(Promise.race([published, server.exited.then((r) => Promise.reject(new Error(r)))]), ANSWER_TIMEOUT_MS, () => `no diagnostics for ${d.name} version ${version}`);
      const text = d.mirror.getText();
      const analysis = analyze({ path: d.path, text }, DEFAULT_CONFIG);
      // The diagnostic underlines the finding's focus (the call at the end of a chain) when it has one,
      // else its span cut at the end of its first line (lsp/diagnostics.ts `underlined`).
      const expected = (analysis?.findings ?? []).map((f) => {
        const at = underlined(analysis!, f);
        return key(f.rule, { start: positionOf(text, at.start), end: positionOf(text, at.end) });
      }).sort();
      // Notices (a syntax error, nesting too deep) carry no rule code: they are not findings.
      const actual = got.diagnostics.filter((x) => x.code !== undefined).map((x) => key(x.code, x.range)).sort();
      this.stats.finalChecks++;
      this.stats.finalDiagnostics += expected.length;
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        throw new Error(`diagnostics published for the final text of ${d.name} differ from analyze():\n  published ${JSON.stringify(actual)}\n  analyze   ${JSON.stringify(expected)}\n  text ${JSON.stringify(text.slice(0, 2000))}`);
      }
      server.notify('textDocument/didClose', { textDocument: { uri: d.uri } });
    }
    this.stats.scenarios++;
    this.sample();
  }

  /** Runs scenarios for `ms`; on failure shrinks, saves the scenario with `save`, and throws. */
  /**
   * Runs random scenarios for `ms`, and on past it (up to a minute more) until at least `minEdits`
   * edits were made: on a loaded machine the budget alone can end after too few to mean anything.
   */
  async runFor(ms: number, maxActions: number, save: (scenario: Scenario) => string, seed?: number, minEdits = 0): Promise<void> {
    const deadline = Date.now() + ms;
    const hardStop = deadline + 60_000;
    while (Date.now() < deadline || (this.stats.edits < minEdits && Date.now() < hardStop)) {
      const result = await fc.check(
        fc.asyncProperty(scenarioArb(this.tsSeeds.length, this.rsSeeds.length, maxActions), (s) => this.runScenario(s)),
        // No time limit inside fast-check: it would also cut the shrinking of a failure short.
        { numRuns: 3, ...(seed !== undefined ? { seed: seed++ } : {}) },
      );
      if (result.failed && result.counterexample) {
        const file = save(result.counterexample[0]);
        throw new Error(`server-stays-up failed, scenario saved as ${file}: ${String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance)}`);
      }
    }
  }

  /** Stops the server and removes the workspace; returns the server's memory at the end. */
  async dispose(): Promise<void> {
    clearInterval(this.sampler);
    const server = this.server;
    if (server?.alive) {
      this.sample();
      await withTimeout(server.request('shutdown', undefined), 5_000, () => 'no answer to shutdown').catch(() => undefined);
      server.notify('exit', undefined);
      await withTimeout(server.exited, 5_000, () => 'server did not exit').catch(() => server.kill());
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Where failing scenarios are saved (`server-stays-up--<time>.json`) and replayed from. */
export function saveScenario(dir: string, scenario: Scenario): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `server-stays-up--${Date.now().toString(36)}.json`);
  writeFileSync(file, JSON.stringify(scenario, null, 1) + '\n');
  return file;
}

export function savedScenarios(dir: string): { file: string; scenario: Scenario }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('server-stays-up--') && n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((n) => ({ file: join(dir, n), scenario: JSON.parse(readFileSync(join(dir, n), 'utf8')) as Scenario }));
}

/** The fixture seeds split by language, for {@link ProtocolFuzzer}. */
export function seedsByLanguage(seeds: readonly Seed[]): { ts: Seed[]; rs: Seed[] } {
  return { ts: seeds.filter((s) => /\.[cm]?tsx?$/.test(s.path)), rs: seeds.filter((s) => s.path.endsWith('.rs')) };
}
