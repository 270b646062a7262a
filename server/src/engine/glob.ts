/**
 * The config's globs (`include`, `exclude`, `roles.paths`), matched in time linear in the length of
 * the path for a given pattern. A glob is parsed into a small regular expression and compiled to a
 * Thompson automaton that is simulated over the path one character at a time, keeping a set of
 * states: no backtracking, so `**` + `/a*` three times costs O(pattern × path) on any path, where a
 * backtracking regex (picomatch's) took seconds on one deep path. Text in, answer out: no IO.
 *
 * The syntax is picomatch's with `dot: true`, which the project used before: `*` and `?` never cross
 * a `/`; `**` as a whole segment crosses any number of folders (`a/**` also matches `a`); `[…]`
 * classes with `!`/`^` negation and ranges (`[!a]` is "not `a`", which picomatch got wrong); `{a,b}` alternatives (nested); the extglobs `@(a|b)`,
 * `?(…)`, `*(…)`, `+(…)`; `\` escapes; a leading `./` is ignored. Paths are relative and
 * normalised (forward slashes); a path outside the base folder starts with `../` segments, which
 * only the same number of leading literal `../` in the pattern match (`**` never crosses `..`).
 * Not supported, and reported as a config error: `!(…)`, `{1..3}` ranges and `[[:alpha:]]` classes.
 */

/** A node of a parsed glob. */
type Node =
  | { readonly k: 'char'; readonly test: (c: string) => boolean }
  | { readonly k: 'seq'; readonly items: readonly Node[] }
  | { readonly k: 'alt'; readonly alts: readonly Node[] }
  | { readonly k: 'rep'; readonly node: Node; readonly min: 0 | 1; readonly many: boolean }
  | { readonly k: 'globstar' };

const notSlash = (c: string): boolean => c !== '/';
const STAR: Node = { k: 'rep', node: { k: 'char', test: notSlash }, min: 0, many: true };
const SEGMENT: Node = { k: 'rep', node: { k: 'char', test: notSlash }, min: 1, many: true };
const literal = (ch: string): Node => ({ k: 'char', test: (c) => c === ch });
const isLiteral = (n: Node | undefined, ch: string): boolean => n?.k === 'char' && n.test(ch) && !n.test(ch === 'a' ? 'b' : 'a');

export class GlobSyntaxError extends Error {}

/** Recursive-descent parser of one glob; `stop` is the set of characters that end the current sequence. */
class GlobParser {
  private i = 0;
  /** Nesting of braces and extglobs, bounded so that a hostile pattern cannot overflow the stack. */
  private depth = 0;

  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.sequence('');
    if (this.i < this.src.length) throw new GlobSyntaxError(`unexpected \`${this.src[this.i]}\``);
    return node;
  }

  private sequence(stop: string): Node {
    const items: Node[] = [];
    const s = this.src;
    while (this.i < s.length && !stop.includes(s[this.i]!)) {
      const c = s[this.i]!;
      const next = s[this.i + 1];
      if (c === '\\') {
        this.i += 2;
        items.push(literal(next ?? '\\'));
      } else if (c === '*' && next === '*' && this.atSegmentStart() && this.segmentEndsAfter(this.i + 2, stop)) {
        this.i += 2;
        items.push({ k: 'globstar' });
      } else if (c === '*' && next === '*' && this.i === 0 && s[2] === '.' && !s.includes('/')) {
        // `**.ts`: folders, then `*.ts` (picomatch's reading of this one form).
        while (s[this.i] === '*') this.i++;
        items.push({ k: 'globstar' });
      } else if ('*?+@!'.includes(c) && next === '(') {
        items.push(this.extglob(c));
      } else if (c === '*') {
        while (s[this.i] === '*') this.i++;
        items.push(STAR);
      } else if (c === '?') {
        this.i++;
        items.push({ k: 'char', test: notSlash });
      } else if (c === '[') {
        items.push(this.charClass());
      } else if (c === '{') {
        items.push(this.braces());
      } else {
        this.i++;
        items.push(literal(c));
      }
    }
    return { k: 'seq', items: globstars(items) };
  }

  /** Whether the character before the cursor starts a segment (or an alternative). */
  private atSegmentStart(): boolean {
    const prev = this.src[this.i - 1];
    return prev === undefined || prev === '/' || ((prev === '{' || prev === ',' || prev === '(' || prev === '|') && this.depth > 0);
  }

  private segmentEndsAfter(at: number, stop: string): boolean {
    const c = this.src[at];
    return c === undefined || c === '/' || (this.depth > 0 && stop.includes(c));
  }

  private enter(): void {
    if (++this.depth > 32) throw new GlobSyntaxError('nests braces or extglobs more than 32 deep');
  }

  private extglob(kind: string): Node {
    if (kind === '!') throw new GlobSyntaxError('uses the negated extglob `!(…)`, which is not supported: list what to match, or use `exclude`');
    this.i += 2;
    this.enter();
    const alts: Node[] = [this.sequence('|)')];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.sequence('|)'));
    }
    if (this.src[this.i] !== ')') throw new GlobSyntaxError(`has an unclosed \`${kind}(\``);
    this.i++;
    this.depth--;
    const alt: Node = { k: 'alt', alts };
    if (kind === '@') return alt;
    if (kind === '?') return { k: 'rep', node: alt, min: 0, many: false };
    return { k: 'rep', node: alt, min: kind === '+' ? 1 : 0, many: true };
  }

  /** `{a,b}`; without a top-level comma the braces are literal text, as in picomatch. */
  private braces(): Node {
    const start = this.i;
    const close = this.matchingBrace(start);
    const inner = close < 0 ? '' : this.src.slice(start + 1, close);
    if (close < 0 || !this.hasTopLevelComma(start + 1, close)) {
      if (/^-?\w+\.\.-?\w+(\.\.-?\d+)?$/.test(inner)) throw new GlobSyntaxError(`uses the range \`{${inner}}\`, which is not supported: list the values as \`{a,b,c}\``);
      this.i++;
      return literal('{');
    }
    this.i++;
    this.enter();
    const alts: Node[] = [this.sequence(',}')];
    while (this.src[this.i] === ',') {
      this.i++;
      alts.push(this.sequence(',}'));
    }
    this.i++; // the `}`
    this.depth--;
    return { k: 'alt', alts };
  }

  private matchingBrace(start: number): number {
    let depth = 0;
    for (let j = start; j < this.src.length; j++) {
      const c = this.src[j];
      if (c === '\\') j++;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return j;
    }
    return -1;
  }

  private hasTopLevelComma(from: number, to: number): boolean {
    let depth = 0;
    for (let j = from; j < to; j++) {
      const c = this.src[j];
      if (c === '\\') j++;
      else if (c === '{' || c === '(') depth++;
      else if (c === '}' || c === ')') depth--;
      else if (c === ',' && depth === 0) return true;
    }
    return false;
  }

  private charClass(): Node {
    const s = this.src;
    let j = this.i + 1;
    const negated = s[j] === '!' || s[j] === '^';
    if (negated) j++;
    const ranges: [string, string][] = [];
    let first = true;
    for (; j < s.length; j++) {
      let c = s[j]!;
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && s[j + 1] === ':') throw new GlobSyntaxError('uses a POSIX class `[[:…:]]`, which is not supported: write the characters, as `[a-z]`');
      if (c === '\\' && j + 1 < s.length) c = s[++j]!;
      if (s[j + 1] === '-' && s[j + 2] !== undefined && s[j + 2] !== ']') {
        let hi = s[j + 2]!;
        j += 2;
        if (hi === '\\' && j + 1 < s.length) hi = s[++j]!;
        ranges.push([c, hi]);
      } else ranges.push([c, c]);
    }
    if (j >= s.length) {
      // No closing bracket: a literal `[`, as picomatch reads it.
      this.i++;
      return literal('[');
    }
    this.i = j + 1;
    return { k: 'char', test: (c) => c !== '/' && ranges.some(([lo, hi]) => c >= lo && c <= hi) !== negated };
  }
}

/**
 * Rewrites `**` segments: `**` + `/` is zero or more folders; `/` + `**` at the end is "nothing or
 * anything below"; `**` alone is any path; `**.ts` is folders then `*.ts`, as picomatch reads it.
 */
function globstars(items: Node[]): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.k !== 'globstar') {
      out.push(item);
      continue;
    }
    const folders: Node = { k: 'rep', node: { k: 'seq', items: [SEGMENT, literal('/')] }, min: 0, many: true };
    const below: Node = { k: 'seq', items: [SEGMENT, { k: 'rep', node: { k: 'seq', items: [literal('/'), SEGMENT] }, min: 0, many: true }] };
    if (isLiteral(items[i + 1], '/')) {
      out.push(folders);
      i++;
    } else if (i === items.length - 1 && isLiteral(out[out.length - 1], '/')) {
      out.pop();
      out.push({ k: 'rep', node: { k: 'seq', items: [literal('/'), below] }, min: 0, many: false });
    } else if (i === items.length - 1) out.push(below);
    else out.push(folders, STAR);
  }
  return out;
}

/** A compiled automaton: per state, either a character test with one successor, or epsilon edges. */
interface Automaton {
  readonly tests: ((c: string) => boolean)[];
  readonly next: number[];
  readonly eps: number[][];
  readonly start: number;
  readonly accept: number;
}

const NEVER = (): boolean => false;

function compile(root: Node): Automaton {
  const tests: ((c: string) => boolean)[] = [];
  const next: number[] = [];
  const eps: number[][] = [];
  const state = (): number => {
    tests.push(NEVER);
    next.push(-1);
    eps.push([]);
    return tests.length - 1;
  };
  // Builds `node` between states `from` and `to` (iteratively over sequences, recursively over nesting, which the parser bounds).
  const build = (node: Node, from: number, to: number): void => {
    switch (node.k) {
      case 'char': {
        tests[from] = node.test;
        next[from] = to;
        // A state with a test has no epsilon edges of its own; route through a fresh state if needed.
        return;
      }
      case 'seq': {
        if (node.items.length === 0) {
          eps[from]!.push(to);
          return;
        }
        let at = from;
        node.items.forEach((item, idx) => {
          const end = idx === node.items.length - 1 ? to : state();
          const entry = state();
          eps[at]!.push(entry);
          build(item, entry, end);
          at = end;
        });
        return;
      }
      case 'alt':
        for (const alt of node.alts) {
          const entry = state();
          eps[from]!.push(entry);
          build(alt, entry, to);
        }
        return;
      case 'rep': {
        const loopIn = state();
        const loopOut = state();
        eps[from]!.push(loopIn);
        if (node.min === 0) eps[from]!.push(to);
        const entry = state();
        eps[loopIn]!.push(entry);
        build(node.node, entry, loopOut);
        eps[loopOut]!.push(to);
        if (node.many) eps[loopOut]!.push(loopIn);
        return;
      }
      case 'globstar':
        throw new Error('unreachable: globstars are rewritten by the parser');
    }
  };
  const start = state();
  const accept = state();
  build(root, start, accept);
  return { tests, next, eps, start, accept };
}

/** A set of automaton states, with its successors per character computed on demand (a lazy DFA). */
interface DfaState {
  readonly states: readonly number[];
  readonly accepts: boolean;
  readonly next: Map<string, DfaState>;
}

/** The DFA states a compiled glob has built so far, by their sorted state lists. */
interface Dfa {
  readonly automaton: Automaton;
  readonly byKey: Map<string, DfaState>;
  start?: DfaState;
}

/** Most DFA states cached per glob; past it the cache starts over (each step still costs O(states)). */
const MAX_DFA_STATES = 4_096;

/** The epsilon closure of `seeds`, as a DFA state: O(states + edges). */
function dfaState(dfa: Dfa, seeds: readonly number[]): DfaState {
  const a = dfa.automaton;
  const seen = new Uint8Array(a.tests.length);
  const stack = [...seeds];
  const out: number[] = [];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen[t]) continue;
    seen[t] = 1;
    if (a.next[t]! >= 0 || t === a.accept) out.push(t);
    for (const e of a.eps[t]!) if (!seen[e]) stack.push(e);
  }
  out.sort((x, y) => x - y);
  const key = out.join(',');
  let state = dfa.byKey.get(key);
  if (!state) {
    if (dfa.byKey.size >= MAX_DFA_STATES) dfa.byKey.clear();
    state = { states: out, accepts: out.includes(a.accept), next: new Map() };
    dfa.byKey.set(key, state);
  }
  return state;
}

/**
 * Runs the automaton over `text`. Each character costs one map lookup once its transition is known,
 * and at most O(states + edges) to compute it: linear in the length of the text for any pattern.
 */
function run(dfa: Dfa, text: string): boolean {
  const a = dfa.automaton;
  let current = (dfa.start ??= dfaState(dfa, [a.start]));
  for (let i = 0; i < text.length; i++) {
    if (current.states.length === 0) return false;
    const c = text[i]!;
    let following = current.next.get(c);
    if (!following) {
      const seeds: number[] = [];
      for (const s of current.states) if (s !== a.accept && a.tests[s]!(c)) seeds.push(a.next[s]!);
      following = dfaState(dfa, seeds);
      current.next.set(c, following);
    }
    current = following;
  }
  return current.accepts;
}

/** Leading `./` are ignored; leading literal `../` are counted. */
function splitPrefix(pattern: string): { up: number; rest: string } {
  let rest = pattern;
  let up = 0;
  for (;;) {
    if (rest.startsWith('./')) rest = rest.slice(2);
    else if (rest.startsWith('../')) {
      rest = rest.slice(3);
      up++;
    } else if (rest === '..') {
      rest = '';
      up++;
    } else return { up, rest };
  }
}

/** Why a glob cannot be used (unsupported or malformed syntax), or `undefined`. */
export function globSyntaxProblem(pattern: string): string | undefined {
  if (/^[\w./*-]*$/.test(pattern)) return undefined; // names, `*` and `**` only: nothing to refuse
  try {
    new GlobParser(splitPrefix(pattern).rest).parse();
    return undefined;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return error.message;
    throw error;
  }
}

/**
 * A test of relative, forward-slash paths against any of `patterns`. Throws {@link GlobSyntaxError}
 * for a pattern {@link globSyntaxProblem} refuses (the config parser drops those).
 */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  // One automaton per number of leading `../`, for all the patterns at once: a list of 10,000 globs costs one walk per path.
  const byUp = new Map<number, Node[]>();
  for (const pattern of patterns) {
    const { up, rest } = splitPrefix(pattern);
    const nodes = byUp.get(up) ?? [];
    nodes.push(new GlobParser(rest).parse());
    byUp.set(up, nodes);
  }
  const dfas = new Map<number, Dfa>();
  for (const [up, alts] of byUp) dfas.set(up, { automaton: compile({ k: 'alt', alts }), byKey: new Map() });
  return (path) => {
    let up = 0;
    let rest = path;
    while (rest.startsWith('../')) {
      rest = rest.slice(3);
      up++;
    }
    const dfa = dfas.get(up);
    return dfa !== undefined && run(dfa, rest);
  };
}

/**
 * Why a glob can never match a file, or `undefined` when it may. `depth` is how many folders the
 * base folder is below the file-system root, when known. Statically impossible: an absolute path
 * (paths are relative to the base folder), more `../` than there are folders above the base, a
 * `.` or `..` segment after the start (paths are normalised), an empty segment (`a//b`) and a
 * trailing `/` (a file's path never ends with one).
 */
export function globNeverMatches(pattern: string, depth?: number): string | undefined {
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern)) return 'is an absolute path, but globs are relative to the folder of the config file: write it relative to that folder (`../` climbs out of it)';
  const { up, rest } = splitPrefix(pattern);
  if (depth !== undefined && up > depth) return `climbs ${up} folders up with \`../\`, above the root of the file system (the config's folder is ${depth} deep): remove ${up - depth} \`../\``;
  if (rest.endsWith('/')) return 'ends with `/`, and a file path never does: write `' + rest + '**` to match the files below that folder';
  const segments = topLevelSegments(rest);
  if (segments.some((s) => s === '..' || s === '.')) return 'has a `.` or `..` segment after its start, and checked paths are normalised: write the path without it';
  if (rest.length > 0 && segments.some((s) => s === '')) return 'has an empty segment (`//`), which no path has: write a single `/`';
  return undefined;
}

/**
 * The glob's segments split at the `/` that separate folders: not at one escaped, inside a `[…]`
 * class (closed as the parser closes it: the first `]` after at least one character; an unclosed
 * `[` is a literal), or inside `{…}` and extglob groups, where a slash belongs to an alternative.
 * `[..//*]` is one segment, so the static checks above judge only what the matcher will read.
 */
function topLevelSegments(glob: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') i++;
    else if (c === '[') {
      let j = i + 1;
      if (glob[j] === '!' || glob[j] === '^') j++;
      j += glob[j] === '\\' ? 2 : 1; // a `]` right after the opening bracket is a member
      while (j < glob.length && glob[j] !== ']') j += glob[j] === '\\' ? 2 : 1;
      if (j < glob.length) i = j;
    } else if (c === '{' || (c === '(' && i > 0 && '@?*+!'.includes(glob[i - 1]!))) depth++;
    else if ((c === '}' || c === ')') && depth > 0) depth--;
    else if (c === '/' && depth === 0) {
      segments.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(glob.slice(start));
  return segments;
}
