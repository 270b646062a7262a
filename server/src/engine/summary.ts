/**
 * Cross-file summaries: what one file's exports do, as plain data a linker can join across files.
 *
 * A summary is computed from a file's model and its catalog alone (no IO, no other file): for each
 * exported function, whether it is async or offloaded, whether it blocks through same-file code
 * (and the chain of calls that does), whether it reaches external I/O, and the calls it makes that
 * may name code in another file of the project (`refs`), which the linker (engine/linker.ts)
 * resolves to other files' summaries.
 */
import { isIoCall, type Catalog } from './catalog';
import type { LineIndex } from './line-index';
import type { CallSite, ChannelFills, FileModel, LanguageId, LockUse, ReExport } from './model';

/** A 0-based range in some file, for a location in a file the caller is not analysing. */
export interface Range0 {
  readonly line: number;
  readonly character: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

/** One call in the summarised file: `function` calls `call` at `range` (the file is the summary's). */
export interface LocalHop {
  /** The function that makes the call. */
  readonly function: string;
  /** The callee as written at the call (`bcrypt.compareSync`). */
  readonly call: string;
  readonly range: Range0;
}

/** One call on a chain across files: `function` (in `path`) calls `call` at `range`. */
export interface Hop extends LocalHop {
  /** The file, as the caller named it (an absolute path for the CLI and the server). */
  readonly path: string;
  /** The file as messages show it (its path in the project). */
  readonly shown: string;
}

/** A blocking chain: the calls from a function down to a catalog blocking call (the last hop). */
export interface BlockingChain {
  readonly hops: readonly Hop[];
  /** The catalog name of the blocking call at the end (`bcryptjs.hashSync`). */
  readonly callee: string;
  /** An I/O chain whose call touches only the local file system (the catalog's `diskIo`), when every I/O the function reaches does. */
  readonly disk?: true;
}

/**
 * A blocking chain within the summarised file. Summaries leave out the file of each hop (it is
 * always theirs): a project's summaries are kept in memory and in the CLI's cache, and the file's
 * path repeated in every hop was most of their size. The linker adds it back.
 */
export interface LocalChain {
  readonly hops: readonly LocalHop[];
  readonly callee: string;
  /** See {@link BlockingChain.disk}. */
  readonly disk?: true;
}

/** A call from an exported function that may name code in another file. */
export interface SummaryRef {
  /** The callee, resolved as far as the frontend can (`./password-hash.verify`, `crate::db::open`). */
  readonly callee: string;
  /** The same-file calls leading to it, the call itself last. */
  readonly hops: readonly LocalHop[];
  /** Reached through sync code only (not inside an async or offloaded helper): its blocking blocks the caller. */
  readonly sync: boolean;
}

/** What one exported function does, as far as its own file tells. */
export interface FunctionSummary {
  /** The export name (`verify`, `Store.save`, `default`). */
  readonly name: string;
  /** The function's own name, for messages. */
  readonly display: string;
  readonly isAsync: boolean;
  /** Its body runs off the executor (handed to a worker or a blocking pool). */
  readonly offloads: boolean;
  /** It reaches a catalog I/O call through same-file code. */
  readonly io: boolean;
  /** The same-file calls from it down to the first catalog I/O call it makes (the I/O call last), when `io`. */
  readonly ioVia?: LocalChain;
  /** It blocks through same-file code (absent for async and offloaded functions: they do not block their caller). */
  readonly blocks?: LocalChain;
  /** Its promise cannot reject (an async function that catches its own failures, or a function that returns such a promise): dropping it loses nothing. */
  readonly cannotReject?: true;
  /** Its promise cannot reject if each of these callees (of other modules) cannot: the linker decides. */
  readonly cannotRejectIf?: readonly string[];
  /** Go: the channel parameters it fills before it returns (the model's `FunctionInfo.fills`). */
  readonly fills?: ChannelFills;
  readonly refs: readonly SummaryRef[];
}

/** A file's summary. */
export interface FileSummary {
  readonly path: string;
  readonly shown: string;
  readonly language: LanguageId;
  readonly exports: readonly FunctionSummary[];
  readonly reexports: readonly ReExport[];
  /** Every distinct callee in the file that may name code in another file (what its analysis may ask the linker about). */
  readonly refs: readonly string[];
  /**
   * The callees among `refs` whose result the file drops where a promise would float (TS/JS): the
   * linker tells its analysis which of them are async functions that can reject.
   */
  readonly floating?: readonly string[];
  /**
   * The callees among `refs` whose promise, if it cannot reject, excuses a dropped promise of the file
   * (TS/JS `SpawnSite.quietIf`): the linker tells its analysis which of them cannot reject.
   */
  readonly assumed?: readonly string[];
  /**
   * Go: the file's uses of mutex fields (the model's `lockUses`): the linker hands the other files of
   * the package those of the locks they take, so a lock's acquisitions are known package-wide.
   */
  readonly locks?: readonly LockUse[];
  /**
   * Go: the callees among `refs` that the file hands a channel it made with a buffer right before
   * receiving from it (the model's `YieldPoint.filledBy`): the linker tells its analysis which of
   * them fill that channel, so the receive does not wait.
   */
  readonly fillers?: readonly string[];
}

/** How far one file's chain is followed through same-file helpers. */
const MAX_LOCAL_DEPTH = 12;
/** Refs kept per export: a function that calls more project code than this is summarised by its first calls. */
const MAX_REFS = 48;

function range(lines: LineIndex, call: CallSite): Range0 {
  const s = lines.position(call.span.start);
  const e = lines.position(call.span.end);
  return { line: s.line, character: s.character, endLine: e.line, endCharacter: e.character };
}

/** Calls grouped by function, and the nesting of functions, built once per summary. */
class CallIndex {
  private readonly own = new Map<number, CallSite[]>();
  private readonly children = new Map<number, number[]>();
  private readonly inlineMemo = new Map<number, CallSite[]>();
  private readonly deepMemo = new Map<number, CallSite[]>();

  constructor(private readonly model: FileModel) {
    for (const c of model.calls) {
      if (c.functionId === undefined) continue;
      const list = this.own.get(c.functionId);
      if (list) list.push(c);
      else this.own.set(c.functionId, [c]);
    }
    for (const f of model.functions) {
      if (f.parent === undefined) continue;
      const list = this.children.get(f.parent);
      if (list) list.push(f.id);
      else this.children.set(f.parent, [f.id]);
    }
  }

  /** What runs when the function is called: its calls and those of the sync closures it runs inline (as `callsOfFunction`). */
  inline(fnId: number): CallSite[] {
    let out = this.inlineMemo.get(fnId);
    if (out) return out;
    out = [...(this.own.get(fnId) ?? [])];
    const parent = this.model.functions[fnId];
    for (const id of this.children.get(fnId) ?? []) {
      const f = this.model.functions[id]!;
      // A closure with a context of its own (a timer, listener or `.then` callback), or one handed to a call
      // that runs it later (`deferred`), runs later, not as part of the call.
      const ownContext = f.context !== undefined && f.context !== parent?.context;
      if (!f.isAsync && !f.offloaded && !f.deferred && f.name === undefined && !ownContext) out.push(...this.inline(id));
    }
    out.sort((a, b) => a.id - b.id);
    this.inlineMemo.set(fnId, out);
    return out;
  }

  /**
   * Calls in the function and in every function nested in it, but for the tasks it starts and does
   * not wait for (a `go func() { … }()`, a `tokio::spawn(async { … })`, a Go `go f(x)`) and the
   * callbacks it hands to a call that runs them later (`deferred`: a listener, Go's
   * `wg.Wrap(func() { … })`): awaiting or calling the function does not wait for what they do.
   */
  deep(fnId: number): CallSite[] {
    let out = this.deepMemo.get(fnId);
    if (out) return out;
    out = (this.own.get(fnId) ?? []).filter((c) => c.spawns !== true);
    for (const id of this.children.get(fnId) ?? []) {
      const ctx = this.model.functions[id]?.context;
      if (this.model.functions[id]?.deferred === true) continue;
      if (ctx !== undefined && ctx !== this.model.functions[fnId]?.context && this.model.contexts[ctx]?.kind === 'spawned-task') continue;
      out.push(...this.deep(id));
    }
    this.deepMemo.set(fnId, out);
    return out;
  }
}

/**
 * The summary of one analysed file. `mayLink` tells which resolved callees may name project code
 * (the language resolver's test); `shown` is the file's path for messages.
 */
export function summarize(model: FileModel, catalog: Catalog, lines: LineIndex, shown: string, mayLink: (callee: string) => boolean): FileSummary {
  const exported = model.exports?.functions ?? [];
  const reexports = model.exports?.reexports ?? [];
  const isRef = (c: CallSite): boolean => c.callee !== undefined && c.localTarget === undefined && !catalog.blocking.has(c.callee) && mayLink(c.callee);
  const refs = new Set<string>();
  for (const c of model.calls) if (isRef(c)) refs.add(c.callee!);
  for (const h of model.handlerRefs ?? []) if (!catalog.blocking.has(h.callee) && mayLink(h.callee)) refs.add(h.callee);
  const floats = new Set<string>();
  for (const s of model.spawns) if (s.linked !== undefined && refs.has(s.linked)) floats.add(s.linked);
  const assumes = new Set<string>();
  for (const s of model.spawns) for (const k of s.quietIf ?? []) if (refs.has(k)) assumes.add(k);
  const fills = new Set<string>();
  for (const y of model.yieldPoints) {
    const callee = y.filledBy === undefined ? undefined : model.calls[y.filledBy.call]?.callee;
    if (callee !== undefined && refs.has(callee)) fills.add(callee);
  }
  const floating = {
    ...(floats.size > 0 ? { floating: [...floats] } : {}), ...(assumes.size > 0 ? { assumed: [...assumes] } : {}),
    ...(model.lockUses !== undefined && model.lockUses.length > 0 ? { locks: model.lockUses } : {}),
    ...(fills.size > 0 ? { fillers: [...fills] } : {}),
  };
  if (exported.length === 0) return { path: model.path, shown, language: model.language, exports: [], reexports, refs: [...refs], ...floating };

  const index = new CallIndex(model);
  const hop = (fnId: number, call: CallSite): LocalHop => ({ function: model.functions[fnId]?.name ?? 'function', call: call.calleeText, range: range(lines, call) });
  const isBlocking = (c: CallSite): boolean => c.callee !== undefined && c.once !== true && catalog.blocking.has(c.callee);

  /** Depth-first through sync same-file helpers: the first call `isBlocking` accepts, with its hops. */
  const chainFinder = (isBlocking: (c: CallSite) => boolean): ((fnId: number, depth: number) => { hops: LocalHop[]; callee: string } | undefined) => {
    const blockMemo = new Map<number, { hops: LocalHop[]; callee: string } | null>();
    const blockingFrom = (fnId: number, depth: number): { hops: LocalHop[]; callee: string } | undefined => {
      if (depth > MAX_LOCAL_DEPTH) return undefined;
      const known = blockMemo.get(fnId);
      if (known !== undefined) return known ?? undefined;
      blockMemo.set(fnId, null); // cycle guard
      const calls = index.inline(fnId);
      let found: { hops: LocalHop[]; callee: string } | undefined;
      const direct = calls.find(isBlocking);
      if (direct) found = { hops: [hop(fnId, direct)], callee: direct.callee! };
      else {
        for (const c of calls) {
          const t = c.localTarget === undefined ? undefined : model.functions[c.localTarget];
          if (!t || t.isAsync || t.offloaded || c.once === true) continue;
          const inner = blockingFrom(t.id, depth + 1);
          if (inner) {
            found = { hops: [hop(fnId, c), ...inner.hops], callee: inner.callee };
            break;
          }
        }
      }
      blockMemo.set(fnId, found ?? null);
      return found;
    };
    return blockingFrom;
  };
  // A costly blocking call is the one to name; a cheap one (`mkdir(exist_ok=True)`) only when there is no other.
  const costlyFrom = chainFinder((c) => isBlocking(c) && catalog.blocking.get(c.callee!)!.cheap === undefined);
  const anyFrom = chainFinder(isBlocking);
  const blockingFrom = (fnId: number, depth: number): { hops: LocalHop[]; callee: string } | undefined => costlyFrom(fnId, depth) ?? anyFrom(fnId, depth);

  // What refsFrom asks of a call or a function, settled once per file: every export walks its own
  // callees, and the exports of a module share most of their helpers.
  const callKinds = new Uint8Array(model.calls.length);
  const IO = 1;
  const REF = 2;
  const KNOWN = 4;
  const kindOf = (c: CallSite): number => {
    // A call's id is its index in the model's calls; one outside them is asked every time.
    let k = c.id < callKinds.length ? callKinds[c.id]! : 0;
    if (k === 0) {
      k = KNOWN | (c.callee !== undefined && isIoCall(catalog, c.callee) ? IO : 0) | (isRef(c) ? REF : 0);
      if (c.id < callKinds.length) callKinds[c.id] = k;
    }
    return k;
  };
  const inlineIdsMemo = new Map<number, ReadonlySet<number>>();
  const inlineIdsOf = (id: number): ReadonlySet<number> => {
    let ids = inlineIdsMemo.get(id);
    if (!ids) inlineIdsMemo.set(id, (ids = new Set(index.inline(id).map((c) => c.id))));
    return ids;
  };

  /** Refs reachable from a function, through same-file helpers (async and offloaded ones too, marked not sync). */
  const refsFrom = (fnId: number): { refs: SummaryRef[]; io: boolean; ioVia?: LocalChain } => {
    const out: SummaryRef[] = [];
    let io = false;
    let ioVia: LocalChain | undefined;
    const seen = new Set<number>();
    // One ref per callee and kind: the linker reads a callee's first sync ref for the chain and any
    // ref for I/O, so a second call of the same helper adds nothing but size (Effect's modules call
    // the same helpers dozens of times).
    const listedSync = new Set<string>();
    const listedAsync = new Set<string>();
    const visit = (id: number, path: LocalHop[], sync: boolean, depth: number): void => {
      if (seen.has(id) || depth > MAX_LOCAL_DEPTH || out.length >= MAX_REFS) return;
      seen.add(id);
      const inlineIds = inlineIdsOf(id);
      for (const c of index.deep(id)) {
        // A call that runs once per process (a memo guard, a cached function) does not block its caller's later calls.
        const inline = sync && inlineIds.has(c.id) && c.once !== true;
        const kind = kindOf(c);
        if ((kind & IO) !== 0) {
          const callee = c.callee!;
          // The chain shown is the first I/O reached, unless that only touches the disk and another
          // reaches the network: a lock held across it is then the network's hazard, not the disk's.
          if (!io || (ioVia?.disk === true && !catalog.diskIo?.has(callee))) {
            ioVia = { hops: [...path, hop(c.functionId ?? id, c)], callee, ...(catalog.diskIo?.has(callee) ? { disk: true as const } : {}) };
          }
          io = true;
        }
        if ((kind & REF) !== 0) {
          const listed = inline ? listedSync : listedAsync;
          if (out.length < MAX_REFS && !listed.has(c.callee!)) {
            listed.add(c.callee!);
            out.push({ callee: c.callee!, hops: [...path, hop(c.functionId ?? id, c)], sync: inline });
          }
          continue;
        }
        const t = c.localTarget === undefined ? undefined : model.functions[c.localTarget];
        if (t) visit(t.id, [...path, hop(c.functionId ?? id, c)], inline && !t.isAsync && !t.offloaded, depth + 1);
      }
    };
    const f = model.functions[fnId];
    visit(fnId, [], f !== undefined && !f.isAsync && !f.offloaded, 0);
    return { refs: out, io, ...(ioVia ? { ioVia } : {}) };
  };

  const exports: FunctionSummary[] = [];
  for (const { name, functionId } of exported) {
    const f = model.functions[functionId];
    if (!f) continue;
    const blocks = f.isAsync || f.offloaded ? undefined : blockingFrom(functionId, 0);
    const { refs: fnRefs, io, ioVia } = refsFrom(functionId);
    exports.push({ name, display: f.name ?? name, isAsync: f.isAsync, offloads: f.offloaded, io, ...(ioVia ? { ioVia } : {}), ...(blocks ? { blocks } : {}), ...(f.cannotReject === true ? { cannotReject: true as const } : {}), ...(f.cannotRejectIf !== undefined && f.cannotRejectIf.length > 0 ? { cannotRejectIf: f.cannotRejectIf } : {}), ...(f.fills ? { fills: f.fills } : {}), refs: fnRefs });
  }
  return { path: model.path, shown, language: model.language, exports, reexports, refs: [...refs], ...floating };
}
