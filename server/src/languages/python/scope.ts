/**
 * Names in a Python file: what imports bind, what local variables and `self.` attributes hold (by
 * the constructor or annotation that gave them their value), and how a callee resolves to the
 * catalog's dotted name (`requests.Session.get`) or to a same-file function.
 *
 * Types are read from syntax only: `s = requests.Session()`, `with open(p) as f`, `lock: asyncio.Lock`,
 * `self.db = sqlite3.connect(p)`. A value whose origin is not written in the file has no type.
 */
import { BUILTINS, RETURN_TYPES, TYPE_ALIASES } from './catalog';
import type { SyntaxNode } from './syntax';

/** A class of the file: its methods by name and the types of its attributes. */
export interface ClassRec {
  readonly name: string;
  readonly node: SyntaxNode;
  readonly attrs: Map<string, string>;
  /** Method name → function id. */
  readonly methods: Map<string, number>;
}

/** A function-like node of the file while the model is built. */
export interface PyFn {
  readonly id: number;
  readonly node: SyntaxNode;
  readonly name?: string;
  readonly parent?: PyFn;
  /** The class whose body defines this function (a method). */
  readonly cls?: ClassRec;
  /** Local variables with a known type. */
  readonly bindings: Map<string, string>;
  readonly isAsync: boolean;
}

/** What a callee resolves to: a catalog name, a same-file function, or neither. */
export interface Resolved {
  readonly callee?: string;
  readonly localTarget?: number;
}

/** `a.b.c` when `node` is a dotted name made of identifiers and attributes, else undefined. */
export function dotted(text: string, node: SyntaxNode): string | undefined {
  // Iterative: a generated chain thousands of attributes deep must not overflow the stack.
  const parts: string[] = [];
  let n = node;
  while (n.type === 'attribute' && n.children.length >= 2) {
    const last = n.children[n.children.length - 1]!;
    if (last.type !== 'identifier') return undefined;
    parts.push(text.slice(last.start, last.end));
    n = n.children[0]!;
  }
  if (n.type !== 'identifier') return undefined;
  parts.push(text.slice(n.start, n.end));
  return parts.reverse().join('.');
}

/** How deep {@link Scope.typeOf} follows a chain (`a().b().c()`, `p / "x" / "y"`) before giving up. */
const MAX_TYPE_DEPTH = 32;

/** Functions that take a type argument as a subscript, as classes do (anyio's is a class that poses as a function). */
const GENERIC_FACTORIES: ReadonlySet<string> = new Set(['anyio.create_memory_object_stream']);

/** A call builds an instance of what it calls when the name's last segment is capitalised (`requests.Session()`). */
function classLike(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  return /^[A-Z]/.test(last);
}

function normalise(name: string): string {
  const alias = TYPE_ALIASES.get(name);
  if (alias) return alias;
  const dot = name.lastIndexOf('.');
  if (dot > 0) {
    const owner = TYPE_ALIASES.get(name.slice(0, dot));
    if (owner) return `${owner}${name.slice(dot)}`;
  }
  return name;
}

/** The file's names: imports, module-level bindings, classes, functions. */
export class Scope {
  /** Local name → dotted module path (`np` → `numpy`, `sleep` → `time.sleep`). */
  readonly imports = new Map<string, string>();
  /** Module-level variables with a known type. */
  readonly globals = new Map<string, string>();
  readonly classes = new Map<SyntaxNode, ClassRec>();
  readonly classesByName = new Map<string, ClassRec>();
  /** Same-file functions by name (methods excluded). */
  readonly functionsByName = new Map<string, PyFn[]>();
  /** Names assigned at module level to something other than a typed value (they shadow builtins). */
  readonly shadowed = new Set<string>();

  constructor(readonly text: string) {}

  /** Names imported inside a function (`from trio import Path` in one test): visible in it and its nested functions only. */
  private readonly localImports = new Map<PyFn, Map<string, string>>();

  /** Reads `import a.b as c`, `from a import b as c`; relative imports keep their dots (`.models.get`). */
  addImport(node: SyntaxNode, fn?: PyFn): void {
    const { text } = this;
    let imports = this.imports;
    if (fn) {
      imports = this.localImports.get(fn) ?? new Map<string, string>();
      this.localImports.set(fn, imports);
    }
    if (node.type === 'import_statement') {
      for (const c of node.children) {
        if (c.type === 'dotted_name') {
          const name = text.slice(c.start, c.end).replace(/\s+/g, '');
          const head = name.split('.')[0]!;
          imports.set(head, head);
        } else if (c.type === 'aliased_import') {
          const [target, alias] = [c.children[0], c.children[c.children.length - 1]];
          if (target && alias) imports.set(text.slice(alias.start, alias.end), text.slice(target.start, target.end).replace(/\s+/g, ''));
        }
      }
      return;
    }
    // import_from_statement: module_name, then the names.
    const [mod, ...names] = node.children.filter((c) => c.type !== 'comment');
    if (!mod) return;
    const from = text.slice(mod.start, mod.end).replace(/\s+/g, '');
    for (const c of names) {
      if (c.type === 'dotted_name') {
        const name = text.slice(c.start, c.end);
        imports.set(name, `${from}${from.endsWith('.') ? '' : '.'}${name}`);
      } else if (c.type === 'aliased_import') {
        const [target, alias] = [c.children[0], c.children[c.children.length - 1]];
        if (target && alias) imports.set(text.slice(alias.start, alias.end), `${from}${from.endsWith('.') ? '' : '.'}${text.slice(target.start, target.end)}`);
      }
    }
  }

  /** The top-level modules the file imports anything from, in any form (`asyncio` for `from asyncio import Queue`). */
  importedModules(): Set<string> {
    const out = new Set<string>();
    for (const map of [this.imports, ...this.localImports.values()]) for (const target of map.values()) if (!target.startsWith('.')) out.add(target.split('.')[0]!);
    return out;
  }

  /** The dotted module path a name written in the file stands for, through imports. */
  qualify(name: string, fn?: PyFn): string | undefined {
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    let base: string | undefined;
    for (let f = fn; f && base === undefined; f = f.parent) base = this.localImports.get(f)?.get(head);
    base ??= this.imports.get(head);
    if (base === undefined) return undefined;
    return normalise(dot < 0 ? base : `${base}${name.slice(dot)}`);
  }

  /** The type an annotation names (`asyncio.Lock`, `Optional[requests.Session]`, `"httpx.Client"`). */
  annotationType(node: SyntaxNode, fn?: PyFn): string | undefined {
    let raw = this.text.slice(node.start, node.end).replace(/\s+/g, '').replace(/^["']|["']$/g, '');
    const optional = /^(?:(?:typing\.)?Optional\[(.+)\]|(.+)\|None)$/.exec(raw);
    if (optional) raw = optional[1] ?? optional[2]!;
    if (!/^[\w.]+$/.test(raw)) return undefined;
    return this.qualify(raw, fn);
  }

  /** The type of a variable visible in `fn` (its locals, then enclosing functions', then the module's). */
  lookup(name: string, fn: PyFn | undefined): string | undefined {
    for (let f = fn; f; f = f.parent) {
      const t = f.bindings.get(name);
      if (t !== undefined) return t;
    }
    return this.globals.get(name);
  }

  /** The class a method belongs to, also for functions nested in a method. */
  classOf(fn: PyFn | undefined): ClassRec | undefined {
    for (let f = fn; f; f = f.parent) if (f.cls) return f.cls;
    return undefined;
  }

  /** The type of the value an expression evaluates to, when the syntax says. */
  typeOf(node: SyntaxNode, fn: PyFn | undefined, depth = 0): string | undefined {
    const { text } = this;
    if (depth > MAX_TYPE_DEPTH) return undefined;
    switch (node.type) {
      case 'parenthesized_expression':
        return node.children[0] ? this.typeOf(node.children[0], fn, depth + 1) : undefined;
      case 'identifier':
        return this.lookup(text.slice(node.start, node.end), fn);
      case 'call': {
        const callee = this.resolve(node, fn, depth + 1).callee;
        if (callee === undefined) return undefined;
        return RETURN_TYPES.get(callee) ?? (classLike(callee) ? callee : undefined);
      }
      case 'attribute': {
        const obj = node.children[0];
        const member = node.children[node.children.length - 1];
        if (!obj || !member || member.type !== 'identifier') return undefined;
        const name = text.slice(member.start, member.end);
        if (obj.type === 'identifier' && /^(self|cls)$/.test(text.slice(obj.start, obj.end))) return this.classOf(fn)?.attrs.get(name);
        const t = this.typeOf(obj, fn, depth + 1);
        if (t === 'pathlib.Path' && name === 'parent') return t;
        return undefined;
      }
      case 'binary_operator': {
        // `Path(p) / "name"` is a path.
        const left = node.children[0] ? this.typeOf(node.children[0], fn, depth + 1) : undefined;
        return left === 'pathlib.Path' ? left : undefined;
      }
      default:
        return undefined;
    }
  }

  /** The same-file function a plain name written in `fn` stands for (a nested `def` shadows a module-level one). */
  functionNamed(name: string, fn: PyFn | undefined): number | undefined {
    return this.localFunction(name, fn);
  }

  /** The same-file function a plain name calls from `fn`: a function nested in an enclosing one, or a module-level one. */
  private localFunction(name: string, fn: PyFn | undefined): number | undefined {
    const candidates = this.functionsByName.get(name);
    if (!candidates) return undefined;
    const visible = candidates.filter((c) => {
      if (c.parent === undefined) return true;
      for (let f = fn; f; f = f.parent) if (f === c.parent) return true;
      return false;
    });
    // The innermost definition wins (a nested `def` shadows a module-level one).
    let best: PyFn | undefined;
    let depth = -1;
    for (const c of visible) {
      let d = 0;
      for (let p = c.parent; p; p = p.parent) d++;
      if (d > depth) {
        best = c;
        depth = d;
      } else if (d === depth) best = undefined;
    }
    return best?.id;
  }

  /** Resolves the callee of a `call` node written inside `fn`. */
  resolve(call: SyntaxNode, fn: PyFn | undefined, depth = 0): Resolved {
    const f = call.children[0];
    return f ? this.resolveCallee(f, fn, depth) : {};
  }

  private resolveCallee(f: SyntaxNode, fn: PyFn | undefined, depth: number): Resolved {
    const { text } = this;
    if (f.type === 'subscript' && f.children[0]) {
      // `asyncio.Queue[Event]()`, anyio's `create_memory_object_stream[bytes](…)`: a generic built with its
      // type argument. `handlers[key](req)` calls what a container holds, which names nothing.
      const inner = this.resolveCallee(f.children[0], fn, depth);
      return inner.callee !== undefined && (classLike(inner.callee) || GENERIC_FACTORIES.has(inner.callee)) ? { callee: inner.callee } : {};
    }
    if (f.type === 'identifier') {
      const name = text.slice(f.start, f.end);
      const local = this.localFunction(name, fn);
      if (local !== undefined) return { localTarget: local };
      const q = this.qualify(name, fn);
      if (q !== undefined) return { callee: q };
      if (BUILTINS.has(name) && !this.shadowed.has(name) && this.lookup(name, fn) === undefined) return { callee: name };
      return {};
    }
    if (f.type !== 'attribute') return {};
    const obj = f.children[0];
    const memberNode = f.children[f.children.length - 1];
    if (!obj || !memberNode || memberNode.type !== 'identifier') return {};
    const member = text.slice(memberNode.start, memberNode.end);
    if (obj.type === 'identifier') {
      const recv = text.slice(obj.start, obj.end);
      const cls = this.classOf(fn);
      if ((recv === 'self' || recv === 'cls') && cls) {
        const m = cls.methods.get(member);
        if (m !== undefined) return { localTarget: m };
        return {};
      }
      const local = this.classesByName.get(recv);
      if (local) {
        const m = local.methods.get(member);
        return m !== undefined ? { localTarget: m } : {};
      }
    }
    const t = this.typeOf(obj, fn, depth + 1);
    if (t !== undefined) return { callee: normalise(`${t}.${member}`) };
    const path = dotted(text, obj);
    if (path !== undefined && this.lookup(path.split('.')[0]!, fn) === undefined) {
      const q = this.qualify(`${path}.${member}`, fn);
      if (q !== undefined) return { callee: q };
    }
    return {};
  }
}
