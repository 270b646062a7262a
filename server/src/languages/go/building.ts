/**
 * Go: a value the function is still building. A constructor that locks the mutex of the struct it
 * has just made (`s := &Server{…}; s.mu.Lock(); defer s.mu.Unlock()`, nats-server's `NewServer`)
 * holds a lock nobody else can take yet: no other goroutine has the value until the function hands
 * it out. A wait under such a lock stalls only the constructor itself, not a queue of callers.
 *
 * The value is handed out, or may be, at the first of:
 * - a `go` statement anywhere in the function (a goroutine may reach the value through anything);
 * - the name used other than as the operand of a field read or write or of a method call: passed
 *   to a call, assigned, returned, sent, put in a literal, its address or a field's address taken;
 * - a method value (`s.tick` not called: handed to a timer or a router) or any use in a function
 *   literal (a closure may run on another goroutine).
 * A method called on the value is assumed not to start a goroutine that takes the lock: its body
 * may be in another file, and during construction such a goroutine would wait only for it.
 */
import type { StructInfo } from './scope';
import { enclosingFn, type GoFn, type GoState } from './builder';
import { field, textOf, walk, type GoNode } from './syntax';

/** The one binding of `name` in `fn` that makes a new struct value: its statement and the struct's type. */
function freshBinding(state: GoState, fn: GoFn, name: string): { stmt: GoNode; literal?: GoNode; type: string } | undefined {
  const { text } = state;
  let found: { stmt: GoNode; literal?: GoNode; type: string } | undefined;
  let bindings = 0;
  walk(field(fn.node, 'body') ?? fn.node, (n) => {
    if (bindings > 1) return false;
    let names: GoNode[] = [];
    let values: GoNode[] = [];
    if (n.type === 'short_var_declaration' || n.type === 'assignment_statement') {
      names = listOf(field(n, 'left'));
      values = listOf(field(n, 'right'));
    } else if (n.type === 'var_spec') {
      names = n.children.filter((c) => c.field === 'name');
      values = listOf(field(n, 'value'));
    } else if (n.type === 'range_clause' || n.type === 'parameter_declaration' || n.type === 'inc_statement' || n.type === 'dec_statement') {
      names = n.children.filter((c) => c.type === 'identifier' || c.type === 'expression_list').flatMap((c) => (c.type === 'expression_list' ? listOf(c) : [c]));
    } else return true;
    names.forEach((target, i) => {
      if (target.type !== 'identifier' || text.slice(target.start, target.end) !== name) return;
      bindings++;
      if (n.type !== 'short_var_declaration' && n.type !== 'var_spec') return;
      // `var mu sync.Mutex`, `var s Server`: a zero value of its own.
      const declared = n.type === 'var_spec' && values.length === 0 ? field(n, 'type') : undefined;
      const made = declared ? { type: text.slice(declared.start, declared.end) } : newStruct(text, names.length === values.length ? values[i] : undefined);
      if (made) found = { stmt: n, ...made };
    });
    return true;
  });
  return bindings === 1 ? found : undefined;
}

function listOf(n: GoNode | undefined): GoNode[] {
  if (!n) return [];
  return n.type === 'expression_list' ? n.children.filter((c) => c.type !== ',') : [n];
}

/** `&T{…}`, `T{…}` or `new(T)` for a named type `T`: the literal (if any) and `T`. */
function newStruct(text: string, value: GoNode | undefined): { literal?: GoNode; type: string } | undefined {
  if (!value) return undefined;
  const lit = value.type === 'unary_expression' && text[value.start] === '&' ? field(value, 'operand') : value;
  if (lit?.type === 'composite_literal') {
    const t = field(lit, 'type');
    return t?.type === 'type_identifier' ? { literal: lit, type: text.slice(t.start, t.end) } : undefined;
  }
  if (value.type === 'call_expression') {
    const f = field(value, 'function');
    const args = field(value, 'arguments')?.children.filter((c) => c.type !== '(' && c.type !== ')' && c.type !== ',') ?? [];
    if (f?.type === 'identifier' && text.slice(f.start, f.end) === 'new' && args.length === 1 && args[0]!.type === 'type_identifier') return { type: text.slice(args[0]!.start, args[0]!.end) };
  }
  return undefined;
}

/** Whether the literal sets field `name` (a pointer to a mutex shared with something else). */
function setsField(text: string, literal: GoNode | undefined, name: string): boolean {
  const body = literal && field(literal, 'body');
  if (!body) return false;
  return body.children.some((el) => {
    if (el.type !== 'keyed_element') return false;
    const key = field(el, 'key') ?? el.children[0];
    return key !== undefined && textOf(text, key) === name;
  });
}

/** What {@link sharedFrom} learns of one name in one function, whatever the lock. */
interface Fresh {
  readonly stmt: GoNode;
  /** The first point that may hand the value out (`Infinity`: none). */
  readonly first: number;
  /** The literal sets this field (a mutex from elsewhere). */
  readonly literal?: GoNode;
  /** The struct's type name. */
  readonly type: string;
}

/** The fresh struct value `name` of `fn` and where it may first be handed out, memoised per function and name. */
export type FreshMemo = Map<string, Fresh | undefined>;

function freshValue(state: GoState, fn: GoFn, name: string): Fresh | undefined {
  const { text } = state;
  if (fn.receiver?.name === name) return undefined;
  const made = freshBinding(state, fn, name);
  if (!made || enclosingFn(state, made.stmt) !== fn) return undefined;
  const struct: StructInfo | undefined = state.scope.structs.get(made.type);
  let first = Infinity;
  // A hand-out inside a loop the value outlives is one on the loop's next turn: from its start on.
  const seen = (at: number, node?: GoNode): void => {
    for (let p = node?.parent; p && p !== fn.node; p = p.parent) {
      if (p.type === 'for_statement' && !(p.start <= made.stmt.start && made.stmt.end <= p.end)) at = Math.min(at, p.start);
    }
    if (at < first) first = at;
  };
  walk(field(fn.node, 'body') ?? fn.node, (n) => {
    if (n.end <= made.stmt.end || n.start >= first) return n.end > made.stmt.end && n.start < first;
    if (n.type === 'go_statement') {
      seen(n.start, n);
      return false;
    }
    if (n.type === 'func_literal') {
      let uses = false;
      walk(n, (x) => {
        if (x.type === 'identifier' && text.slice(x.start, x.end) === name) uses = true;
        return !uses;
      });
      if (uses) seen(n.start, n);
      return false;
    }
    if (n.type === 'identifier' && text.slice(n.start, n.end) === name && !kept(state, n, made.type, struct)) seen(n.start, n);
    return true;
  });
  return { stmt: made.stmt, first, type: made.type, ...(made.literal ? { literal: made.literal } : {}) };
}

/**
 * Where the value that `lock` belongs to (`s` of `s.mu`, or `s` itself for an embedded mutex)
 * may first be seen by another goroutine, when that value is a struct this function makes and
 * the lock is taken (at `takenAt`) before then; undefined otherwise.
 */
export function sharedFrom(state: GoState, fn: GoFn, lock: GoNode, takenAt: number, memo: FreshMemo): number | undefined {
  const { text } = state;
  let owner: GoNode | undefined = lock;
  let lockField: string | undefined;
  if (lock.type === 'selector_expression') {
    owner = field(lock, 'operand');
    const f = field(lock, 'field');
    lockField = f && text.slice(f.start, f.end);
  }
  if (owner?.type !== 'identifier' || enclosingFn(state, lock) !== fn) return undefined;
  const name = text.slice(owner.start, owner.end);
  if (!memo.has(name)) memo.set(name, freshValue(state, fn, name));
  const made = memo.get(name);
  if (!made || made.stmt.end > takenAt || made.first <= takenAt) return undefined;
  if (lockField !== undefined && setsField(text, made.literal, lockField)) return undefined;
  // Only a mutex the struct holds by value is new with it; a pointer may be shared.
  let root: GoNode = fn.node;
  while (root.parent) root = root.parent;
  if (!ownsMutex(state, root, made.type, lockField)) return undefined;
  // Taken in a loop the value outlives: what the loop hands out after the wait, a later turn holds.
  for (let n = lock.parent; n && n !== fn.node; n = n.parent) {
    if (n.type === 'for_statement' && !(n.start <= made.stmt.start && made.stmt.end <= n.end)) return undefined;
  }
  // A finite offset (the model may travel as JSON): nothing in the function comes after its end.
  return Math.min(made.first, fn.node.end);
}

/** The use of the value's name at `id` keeps it in this goroutine: a field read or write, or a method call. */
function kept(state: GoState, id: GoNode, type: string, struct: StructInfo | undefined, depth = 0, within?: GoFn): boolean {
  const { text } = state;
  const sel = id.parent;
  if (sel?.type !== 'selector_expression' || id.field !== 'operand') return false;
  // `&s.mu`: a field's address handed on.
  if (sel.parent?.type === 'unary_expression' && text[sel.parent.start] === '&') return false;
  if (sel.parent?.type === 'call_expression' && sel.field === 'function') {
    // A method of this file that starts a goroutine, makes a closure or hands its receiver on
    // hands the value out (`s.start()` with `go s.loop()`); another file's is trusted.
    const m = field(sel, 'field');
    const id2 = m === undefined ? undefined : state.funcs.get(`${type}.${text.slice(m.start, m.end)}`);
    const method = id2 === undefined ? undefined : state.fns[id2];
    return method === undefined || method === within || !handsOut(state, method, depth + 1);
  }
  const f = field(sel, 'field');
  // A field of the struct (read, written, or its own field or method used in turn); anything else
  // may be a method value handed on (`time.AfterFunc(d, s.tick)`).
  return f !== undefined && struct?.fields.has(text.slice(f.start, f.end)) === true;
}

/** Whether `name` is a value `fn` makes itself (`var mu sync.Mutex`, `s := &Server{…}`), its only binding there: no other function's lock. */
export function madeIn(state: GoState, fn: GoFn, name: string): boolean {
  const made = freshBinding(state, fn, name);
  return made !== undefined && enclosingFn(state, made.stmt) === fn;
}

/**
 * Whether a method's body may hand its receiver to another goroutine: a `go` statement, a closure,
 * the receiver used other than through its fields and called methods (a method value `s.tick`
 * handed to a timer), or a method of this file it calls on the receiver that does (a few levels).
 */
function handsOut(state: GoState, method: GoFn, depth = 0): boolean {
  const recv = method.receiver;
  if (depth > 4) return true;
  const struct = recv ? state.scope.structs.get(recv.type) : undefined;
  let found = false;
  walk(field(method.node, 'body') ?? method.node, (n) => {
    if (found) return false;
    if (n.type === 'go_statement' || n.type === 'func_literal') found = true;
    // The receiver used other than through its fields and the calls {@link kept} allows.
    else if (recv !== undefined && n.type === 'identifier' && state.text.slice(n.start, n.end) === recv.name && !kept(state, n, recv.type, struct, depth, method)) found = true;
    return !found;
  });
  return found;
}

/**
 * Whether the struct `type` declared in this file holds the mutex `name` by value (`mu sync.Mutex`),
 * or, without `name`, embeds a mutex by value (`sync.Mutex`): a pointer (`mu *sync.Mutex`, an
 * embedded `*sync.Mutex`) may be shared with anything, and a struct the file does not declare is not known.
 */
function ownsMutex(state: GoState, root: GoNode, type: string, name: string | undefined): boolean {
  const { text } = state;
  for (const decl of root.children) {
    if (decl.type !== 'type_declaration') continue;
    for (const spec of decl.children) {
      const n = spec.type === 'type_spec' ? field(spec, 'name') : undefined;
      if (!n || text.slice(n.start, n.end) !== type) continue;
      const list = field(spec, 'type')?.children.find((c) => c.type === 'field_declaration_list');
      if (!list) return false;
      const fields = list.children.filter((c) => c.type === 'field_declaration');
      if (name !== undefined) {
        const f = fields.find((d) => d.children.some((c) => c.field === 'name' && text.slice(c.start, c.end) === name));
        const t = f && field(f, 'type');
        // A `sync.Mutex` or `sync.RWMutex` by value; a pointer or an interface (`sync.Locker`) may be anyone's.
        return t !== undefined && /^(?:sync\.)?(?:RW)?Mutex$/.test(textOf(text, t));
      }
      const embedded = fields.filter((d) => !d.children.some((c) => c.field === 'name'));
      const mutexes = embedded.filter((d) => /Mutex\b|Locker\b/.test(text.slice(d.start, d.end)));
      return mutexes.length > 0 && mutexes.every((d) => /^\s*(?:sync\.)?(?:RW)?Mutex\s*$/.test(text.slice(d.start, d.end)));
    }
  }
  return false;
}
