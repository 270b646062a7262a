/**
 * Code roles: where each part of a file runs, and how loudly its findings are reported there.
 *
 * A frontend reports what the syntax says (`#[test]`, an `it(…)` callback, a shebang) as
 * {@link RoleFacts}; the caller says where the file is (engine/roles-paths.ts). This module
 * combines both with the call structure of the model, the same way for every language:
 * - a `main`, a function called from module level, or the root coroutine of an event loop the
 *   code starts (Python's `asyncio.run(main())`, wherever it is called), that starts a server
 *   (`listen`, `serve`, `bind`, `launch`, directly or through a same-file function) runs at startup
 *   up to that call;
 *   a Rust `main` that starts none is a one-shot program;
 * - a closure runs in its parent's role when it runs in place (an inline callback, a `block_on`
 *   body); a handler registered at startup runs later, in production;
 * - a function called only from code of one role takes that role (a test helper); a helper that
 *   a test and a handler both call is production;
 * - a function that creates a server (`http.createServer`, directly or through a same-file
 *   function) runs while the server is built, and a callback that itself calls `listen` runs at
 *   startup up to that call: both are startup, wherever they are nested;
 * - a promise continuation (`.then`/`.catch`/`.finally` callback) of startup code runs once, as
 *   the rest of that startup; an `init`/`initialize` function a TS/JS module exports, and that
 *   nothing in the file calls, is its one-time initialiser (a name only, so reachability comes first);
 *   a function named for loading configuration (`try_from_config`, `loadConfig`) that nothing in
 *   the file calls runs while the server is configured;
 * - a function whose body opens with a comment saying it runs only at start-up is startup.
 * Pure functions over plain data: no IO.
 */
import type { Config, RuleLevel } from './config';
import type { Severity } from './finding';
import type { CallSite, CodeRole, FileModel, FileRoles, FunctionInfo, LanguageId, RoleFact } from './model';

/** Every role, in the order docs and settings list them. */
export const CODE_ROLES: readonly CodeRole[] = ['production', 'startup', 'script', 'test', 'bench', 'example', 'browser', 'generated'];

/**
 * The default level per role: production keeps the rule's severity; tests, benches, examples,
 * browser code and generated (minified) code are not reported.
 */
export const DEFAULT_ROLE_LEVELS: Readonly<Record<CodeRole, RuleLevel | undefined>> = {
  production: undefined,
  startup: 'hint',
  script: 'hint',
  test: 'off',
  bench: 'off',
  example: 'off',
  browser: 'off',
  generated: 'off',
};

/** The fact for code nothing marks. */
export const PRODUCTION: RoleFact = Object.freeze({ role: 'production', where: 'in production code' });

interface ServeMembers {
  readonly strong: ReadonlySet<string>;
  readonly weak: ReadonlySet<string>;
  /** Resolved callees that share a weak name and serve nothing (Python's `subprocess.run` runs a program and waits). */
  readonly not?: ReadonlySet<string>;
}

/**
 * Calls that start serving, by their last name. The strong ones make any function that calls
 * them a server's startup; `bind` (a Rust listener or an actix server) only ends the startup of a
 * `main` or of a function called from module level, since a handler may bind a socket too.
 */
const SERVE_MEMBERS: Readonly<Partial<Record<LanguageId, ServeMembers>>> = {
  typescript: { strong: new Set(['listen', 'serve']), weak: new Set() },
  rust: { strong: new Set(['serve', 'launch', 'serve_with_shutdown', 'run_until_stopped']), weak: new Set(['bind', 'bind_rustls', 'bind_openssl', 'listen']) },
  // `sock.listen(backlog)` makes a socket accept connections (a trio worker listens on the sockets it made); trio serves with `serve_tcp`/`serve_listeners`.
  python: { strong: new Set(['serve_forever', 'run_app', 'start_server', 'listen', 'serve_tcp', 'serve_listeners', 'serve_ssl_over_tcp']), weak: new Set(['run']), not: new Set(['subprocess.run']) },
  go: { strong: new Set(['ListenAndServe', 'ListenAndServeTLS', 'Serve']), weak: new Set(['Listen']) },
  // Java's `run` and `start` name too much (`Runnable.run`, `Thread.start`): the frontend reads a `main`'s
  // `SpringApplication.run(…)` itself (languages/java/roles.ts).
};

/** Calls that build a server before it serves, by their last name: the code that makes them is setup, not a handler. */
const SERVER_FACTORIES: Readonly<Partial<Record<LanguageId, ReadonlySet<string>>>> = {
  typescript: new Set(['createServer', 'createSecureServer']),
};

/** Names of a module's one-time initialiser (node-red's storage `init(settings)`, a plugin's `initialize`). */
const INITIALISERS: Readonly<Partial<Record<LanguageId, ReadonlySet<string>>>> = {
  typescript: new Set(['init', 'initialize', 'initialise']),
};

/**
 * Names of a function that builds a component from its configuration (trust-dns's
 * `SqliteAuthority::try_from_config`, `loadConfig`): it runs while the server is configured, before
 * it serves. A name only, so a same-file caller decides first (a handler that reloads the config
 * per request makes it production).
 */
const CONFIG_LOADER = /^(?:try_?)?(?:from|load|read)_?conf(?:ig|iguration)?$/i;

/** A comment that says the code around it runs only once, at startup ("this code is only run at start-up"). */
const STARTUP_COMMENT = /\b(?:only|once)\b[\w ,-]{0,40}?\b(?:at|on|during|before)\s+(?:start[- ]?up|boot(?:strap)?)\b/i;

/** Methods whose callback runs once, when the promise they are called on settles. */
const CONTINUATIONS = new Set(['then', 'catch', 'finally']);

/** The level findings in code of this role get under a config (undefined: the rule's own). */
export function roleLevel(config: Config, role: CodeRole): RuleLevel | undefined {
  return config.roles?.levels[role] ?? DEFAULT_ROLE_LEVELS[role];
}

const LOUDNESS: Record<Severity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

/** A finding's severity under a role level: the level caps it (`off` drops it). */
export function capSeverity(severity: Severity, level: RuleLevel | undefined): Severity | 'off' {
  if (level === undefined) return severity;
  if (level === 'off') return 'off';
  return LOUDNESS[level] < LOUDNESS[severity] ? level : severity;
}

/**
 * Rules whose finding outlives the code that made it: an unbounded channel created at startup
 * fills while the server serves, so startup does not quiet it.
 */
export const LASTING_RULES: ReadonlySet<string> = new Set(['unbounded-channel']);

/** What a message adds after its advice, so a quiet finding says why it is quiet. */
export function roleNote(fact: RoleFact): string | undefined {
  if (fact.note !== undefined && fact.role !== 'production') return `${fact.where}: ${fact.note}`;
  switch (fact.role) {
    case 'production':
      return undefined;
    case 'startup':
      return `${fact.where}: harmless unless it runs again later`;
    case 'script':
      return `${fact.where}: nothing else waits on its thread`;
    default:
      return fact.where;
  }
}

/**
 * Resolves every function's role. `pathFact` is the role of the file's path (config globs, then
 * conventions); when it names a role other than production, the whole file has it.
 */
export function resolveRoles(model: FileModel, pathFact: RoleFact | undefined): FileRoles {
  const file = pathFact ?? model.roleFacts?.file ?? PRODUCTION;
  const n = model.functions.length;
  if (file.role !== 'production') return { file, functions: new Array<RoleFact>(n).fill(file) };
  return new Resolver(model, file).run();
}

const MAX_DEPTH = 200;

class Resolver {
  private readonly own: (RoleFact | undefined)[];
  private readonly decided: (RoleFact | undefined)[];
  private readonly busy = new Set<number>();
  private readonly callers = new Map<number, CallSite[]>();
  private readonly children = new Map<number, number[]>();
  private readonly callsIn = new Map<number, CallSite[]>();
  private readonly serveMemo = new Map<number, { offset: number; text: string } | null>();
  private readonly factoryMemo = new Map<number, string | null>();
  private readonly factories: ReadonlySet<string>;
  private readonly initialisers: ReadonlySet<string>;
  private readonly serve: ServeMembers;
  /** Functions the frontend saw handed to an event loop as its root (`asyncio.run(main())`). */
  private readonly loopRoots: ReadonlySet<number>;
  private moduleUntil: { offset: number; text: string } | undefined;
  /** Recursion depth: deeply nested closures must not overflow the stack (bad input is normal input). */
  private depth = 0;

  constructor(
    private readonly model: FileModel,
    private readonly file: RoleFact,
  ) {
    const n = model.functions.length;
    this.own = new Array<RoleFact | undefined>(n);
    this.decided = new Array<RoleFact | undefined>(n);
    this.serve = SERVE_MEMBERS[model.language] ?? { strong: new Set(), weak: new Set() };
    this.factories = SERVER_FACTORIES[model.language] ?? new Set();
    this.initialisers = INITIALISERS[model.language] ?? new Set();
    for (const f of model.roleFacts?.functions ?? []) if (f.functionId >= 0 && f.functionId < n) this.own[f.functionId] = f.fact;
    this.loopRoots = new Set(model.roleFacts?.loopRoots ?? []);
    this.startupComments();
    for (const f of model.functions) {
      if (f.parent === undefined) continue;
      const list = this.children.get(f.parent);
      if (list) list.push(f.id);
      else this.children.set(f.parent, [f.id]);
    }
    for (const c of model.calls) {
      if (c.functionId !== undefined) {
        const list = this.callsIn.get(c.functionId);
        if (list) list.push(c);
        else this.callsIn.set(c.functionId, [c]);
      }
      if (c.localTarget !== undefined) {
        const list = this.callers.get(c.localTarget);
        if (list) list.push(c);
        else this.callers.set(c.localTarget, [c]);
      }
      // A module-level `app.listen(…)`: what module level calls before it runs at startup.
      if (c.functionId === undefined && this.serve.strong.has(c.member) && (this.moduleUntil === undefined || c.span.start < this.moduleUntil.offset)) {
        this.moduleUntil = { offset: c.span.start, text: c.calleeText };
      }
    }
  }

  /**
   * A function whose body opens with a comment saying it runs only at startup (Haraka's
   * `ensure_queue_dir`: "this code is only run at start-up") is startup: its author says where it
   * runs, as a reviewer would read it, when its callers are in other files.
   */
  private startupComments(): void {
    for (const c of this.model.comments) {
      if (!STARTUP_COMMENT.test(c.text)) continue;
      const id = functionAt(this.model, c.span.start);
      if (id === undefined || this.own[id]) continue;
      const first = this.model.calls.find((call) => call.functionId === id);
      if (first && first.span.start < c.span.start) continue;
      this.own[id] = { role: 'startup', where: `at startup (its comment says \`${c.text.trim().slice(0, 60)}\`)` };
    }
  }

  run(): FileRoles {
    // Parents come before their children (pre-order), so deciding in id order keeps the recursion shallow.
    const functions = this.model.functions.map((f) => this.decide(f.id) ?? PRODUCTION);
    const module = this.model.roleFacts?.module;
    return { file: this.file, functions, ...(this.moduleUntil ? { moduleUntil: this.moduleUntil.offset } : {}), ...(module?.length ? { module } : {}) };
  }

  /** Where the first call in `id` (or in a closure it runs) that starts a server is, if any. */
  private serveIn(id: number, entry: boolean): { offset: number; text: string } | undefined {
    const key = id * 2 + (entry ? 1 : 0);
    const memo = this.serveMemo.get(key);
    if (memo !== undefined) return memo ?? undefined;
    this.serveMemo.set(key, null);
    if (this.depth > MAX_DEPTH) return undefined;
    this.depth++;
    let best: { offset: number; text: string } | undefined;
    const consider = (offset: number, text: string): void => {
      if (!best || offset < best.offset) best = { offset, text };
    };
    for (const c of this.callsIn.get(id) ?? []) {
      if (this.serve.strong.has(c.member) || (entry && this.weakServe(c))) consider(c.span.start, c.calleeText);
      else if (c.localTarget !== undefined && c.localTarget !== id) {
        const inner = this.serveIn(c.localTarget, entry);
        if (inner) consider(c.span.start, inner.text);
      }
    }
    for (const child of this.children.get(id) ?? []) {
      const inner = this.serveIn(child, entry);
      if (inner) consider(inner.offset, inner.text);
    }
    this.depth--;
    this.serveMemo.set(key, best ?? null);
    return best;
  }

  /**
   * A call by a weak serve name (`run`) that may start serving: not a same-file function (a project
   * class's `Pipeline.run` that processes one job) and not a library call known to serve nothing
   * (`subprocess.run`).
   */
  private weakServe(c: CallSite): boolean {
    if (!this.serve.weak.has(c.member) || c.localTarget !== undefined) return false;
    return !(c.callee !== undefined && this.serve.not?.has(c.callee));
  }

  /**
   * Startup of entry `id` up to its serve call, and no further than its first loop that repeats over
   * time (a worker's `while True:` takes a job per turn), whether or not that loop holds the serve
   * call: its body is not run-once code. A loop over a collection (`for e in entries`) runs once per
   * item at startup, and so does one over a literal (the signals a server installs handlers for);
   * only frontends that tell them apart (`repeats`) end startup at a loop.
   */
  private entryStartup(id: number, serve: { offset: number; text: string }): RoleFact {
    let until = serve.offset;
    for (const c of this.callsIn.get(id) ?? []) if (c.functionId === id && c.repeats === true && c.span.start < until) until = c.span.start;
    return { ...startupUntil(serve), until };
  }

  /** The role of an entry point (a top-level `main`, a function module level calls), if it is one. */
  private entryRole(f: FunctionInfo): RoleFact | undefined {
    const isMain = f.parent === undefined && f.name === 'main';
    const callers = this.callers.get(f.id);
    const calledAtModule = callers === undefined ? [] : callers.filter((c) => c.functionId === undefined);
    if (!isMain && calledAtModule.length === 0 && this.loopRoots.has(f.id)) {
      // The root of an event loop the code starts (mitmproxy's `run()` hands its nested `main` to
      // `asyncio.run`): nothing else runs on that loop before it starts serving, as in a `main`.
      // Without a call that serves it says nothing: a root may be a per-request `asyncio.run`.
      const serve = this.serveIn(f.id, true);
      return serve ? this.entryStartup(f.id, serve) : undefined;
    }
    if (!isMain && calledAtModule.length === 0) {
      // Any function that itself calls `listen`/`serve` sets a server up until that call.
      if (f.parent !== undefined) {
        // A nested function is searched for its own calls only (`load().then(db => { …; app.listen(port) })`).
        const own = (this.callsIn.get(f.id) ?? []).find((c) => this.serve.strong.has(c.member));
        if (own) return startupUntil({ offset: own.span.start, text: own.calleeText });
        return this.builtServer(f);
      }
      if (this.serve.strong.size === 0) return undefined;
      const direct = this.serveIn(f.id, false);
      return direct ? this.entryStartup(f.id, direct) : this.builtServer(f);
    }
    const serve = this.serveIn(f.id, true);
    if (serve) return this.entryStartup(f.id, serve);
    if (this.moduleUntil && calledAtModule.length > 0 && calledAtModule.every((c) => c.span.start < this.moduleUntil!.offset)) {
      return { role: 'startup', where: `at startup, before \`${this.moduleUntil.text}\`` };
    }
    if (isMain && this.model.language !== 'typescript') return { role: 'script', where: 'in a one-shot program (a `main` that starts no server)' };
    return undefined;
  }

  /** Startup for a function that creates a server (directly or through same-file functions) and does not start it. */
  private builtServer(f: FunctionInfo): RoleFact | undefined {
    if (this.factories.size === 0) return undefined;
    const factory = this.factoryIn(f.id);
    return factory === undefined ? undefined : { role: 'startup', where: `at startup, while the server is built (\`${factory}\`)` };
  }

  /** The server factory call (`http.createServer`) `id` makes directly or through same-file functions, if any. */
  private factoryIn(id: number): string | undefined {
    const memo = this.factoryMemo.get(id);
    if (memo !== undefined) return memo ?? undefined;
    this.factoryMemo.set(id, null);
    if (this.depth > MAX_DEPTH) return undefined;
    this.depth++;
    let found: string | undefined;
    for (const c of this.callsIn.get(id) ?? []) {
      if (this.factories.has(c.member)) found = c.callee ?? c.calleeText;
      else if (c.localTarget !== undefined && c.localTarget !== id) found = this.factoryIn(c.localTarget);
      if (found !== undefined) break;
    }
    this.depth--;
    this.factoryMemo.set(id, found ?? null);
    return found;
  }

  /** The promise continuation call (`p.then(cb)`) of the parent that `f` is the callback of, if any. */
  private continuationOf(f: FunctionInfo): CallSite | undefined {
    return (this.callsIn.get(f.parent!) ?? []).find((c) => CONTINUATIONS.has(c.member) && c.argsSpan.start <= f.span.start && f.span.end <= c.argsSpan.end);
  }

  private decide(id: number): RoleFact | undefined {
    const done = this.decided[id];
    if (done) return done;
    if (this.busy.has(id) || this.depth > MAX_DEPTH) return undefined;
    this.busy.add(id);
    this.depth++;
    const fact = this.compute(this.model.functions[id]!);
    this.depth--;
    this.busy.delete(id);
    this.decided[id] = fact;
    return fact;
  }

  private compute(f: FunctionInfo): RoleFact {
    const own = this.own[f.id];
    if (own) return own;
    const entry = this.entryRole(f);
    if (entry) return entry;
    // `init` is only a name: it marks the module's one-time initialiser when the module exports it
    // for its host to call (node-red's storage `init(settings)`) and nothing in the file calls it;
    // a same-file caller decides its role like any other function's (a handler calling `init()`).
    if (f.name !== undefined && this.initialisers.has(f.name) && this.exported(f.id) && !this.callers.has(f.id)) {
      return { role: 'startup', where: `at startup, in the module's one-time initialiser \`${f.name}\`` };
    }
    if (f.name !== undefined && f.parent === undefined && CONFIG_LOADER.test(f.name) && !this.callers.has(f.id)) {
      return { role: 'startup', where: `at startup, while the configuration is loaded (\`${f.name}\`)` };
    }
    if (f.parent !== undefined) {
      const p = this.decide(f.parent);
      if (p && p.role !== 'production' && p.role !== 'startup') return p;
      if (p?.role === 'startup' && (p.until === undefined || f.span.start < p.until) && this.runsInPlace(f)) return p;
      if (p?.role === 'startup') {
        // A continuation of startup code runs once, when its promise settles: it is the rest of that startup.
        const then = this.continuationOf(f);
        if (then && (p.until === undefined || then.span.start < p.until)) return { role: 'startup', where: p.where };
      }
    }
    // A function only code of one role calls has that role; any production caller makes it production.
    let shared: RoleFact | undefined;
    for (const c of this.callers.get(f.id) ?? []) {
      const role = c.functionId === undefined ? this.moduleRole(c.span.start) : this.roleAtCall(c);
      if (role === undefined) continue; // a recursive call: says nothing
      if (role.role === 'production') return PRODUCTION;
      if (shared && shared.role !== role.role) return PRODUCTION;
      // A shutdown handler's fact carries its own note; its callees keep its words.
      shared ??= role.role === 'startup' && c.functionId !== undefined && role.note === undefined ? { role: 'startup', where: `at startup (only called from ${this.callerName(c)})` } : role.until === undefined ? role : { role: role.role, where: role.where, ...(role.note === undefined ? {} : { note: role.note }) };
    }
    return shared ?? PRODUCTION;
  }

  /** Whether the file exports this function (by name, or as a method of an exported class). */
  private exported(id: number): boolean {
    return this.model.exports?.functions.some((e) => e.functionId === id) ?? false;
  }

  /** How a startup caller is named in a message. */
  private callerName(c: CallSite): string {
    const name = this.model.functions[c.functionId!]?.name;
    return name === undefined ? 'a startup callback' : `\`${name}\``;
  }

  private roleAtCall(c: CallSite): RoleFact | undefined {
    const fact = this.decide(c.functionId!);
    if (fact?.until !== undefined && c.span.start >= fact.until) return fact.after ?? PRODUCTION;
    return fact;
  }

  private moduleRole(offset: number): RoleFact {
    if (this.moduleUntil && offset < this.moduleUntil.offset) return { role: 'startup', where: `at startup, before \`${this.moduleUntil.text}\`` };
    return moduleRegion(this.model.roleFacts?.module, offset) ?? this.file;
  }

  /** A closure that runs where it is written: inline in its parent's context, or a `block_on` body. */
  private runsInPlace(f: FunctionInfo): boolean {
    const parent = this.model.functions[f.parent!]!;
    if (f.offloaded) return false;
    const ownContext = f.context !== undefined && this.model.contexts[f.context]?.functionId === f.id;
    if (!ownContext) return f.context === parent.context;
    return (this.callsIn.get(parent.id) ?? []).some((c) => c.member === 'block_on' && c.argsSpan.start <= f.span.start && f.span.end <= c.argsSpan.end);
  }
}

function startupUntil(serve: { offset: number; text: string }): RoleFact {
  return { role: 'startup', where: `at startup, before \`${serve.text}\``, until: serve.offset };
}

/** The role of the module-level region (a script's `if __name__ == "__main__":` block) that holds `offset`, if any. */
function moduleRegion(regions: FileRoles['module'], offset: number): RoleFact | undefined {
  return regions?.find((r) => r.span.start <= offset && offset < r.span.end)?.fact;
}

/** The innermost function containing `offset`, or `undefined` at module level. */
export function functionAt(model: FileModel, offset: number): number | undefined {
  let best: FunctionInfo | undefined;
  for (const f of model.functions) {
    if (f.span.start <= offset && offset < f.span.end && (!best || f.span.end - f.span.start <= best.span.end - best.span.start)) best = f;
  }
  return best?.id;
}

/** The role of the code at `offset` in a function (or at module level). */
export function roleAt(model: FileModel, roles: FileRoles, offset: number, functionId = functionAt(model, offset)): RoleFact {
  if (functionId === undefined) {
    if (roles.moduleUntil !== undefined && offset < roles.moduleUntil && roles.file.role === 'production') return { role: 'startup', where: 'at startup, before the server starts' };
    return moduleRegion(roles.module, offset) ?? roles.file;
  }
  const fact = roles.functions[functionId] ?? roles.file;
  if (fact.until !== undefined && offset >= fact.until) return fact.after ?? { role: 'production', where: 'in production code (after the server starts)' };
  return fact;
}
