/**
 * Name resolution for one file: `use` declarations, local types (structs and their fields), and
 * type expressions read as text. No type inference beyond what is written: annotations,
 * constructors (`T::new(…)`), struct fields and a few known return types.
 */
import { GLOB_MODULES, TRANSPARENT_WRAPPERS } from './catalog';
import { childOfType, childrenOfType, type SyntaxNode } from './syntax';

/** A type as written, resolved through `use`: `tokio::sync::Mutex` with its generic arguments as text. */
export interface TypeRef {
  readonly path: string;
  readonly args: readonly string[];
}

const WS = /\s+/g;

/** Source text of a node with whitespace removed. */
export function compact(text: string, node: SyntaxNode): string {
  return text.slice(node.start, node.end).replace(WS, '');
}

/** Splits `A<B, C<D>>` into `A` and `['B', 'C<D>']`, respecting nesting. */
export function splitGeneric(text: string): { head: string; args: string[] } {
  const lt = text.indexOf('<');
  if (lt < 0 || !text.endsWith('>')) return { head: text, args: [] };
  const args: string[] = [];
  let depth = 0;
  let from = lt + 1;
  for (let i = lt + 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '<' || c === '(' || c === '[') depth++;
    else if (c === '>' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      args.push(text.slice(from, i));
      from = i + 1;
    }
  }
  const last = text.slice(from, text.length - 1);
  if (last !== '') args.push(last);
  return { head: text.slice(0, lt), args };
}

/** The file's `use` aliases and local type information. */
export class Scope {
  /** Alias in scope → full path (`fs` → `std::fs`, `M` → `std::sync::Mutex`). */
  readonly aliases = new Map<string, string>();
  /** Struct name → field name → field type text. */
  readonly structs = new Map<string, Map<string, string>>();
  /** Crates the file names in `use` (first path segments). */
  readonly crates = new Set<string>();
  /** `type Name = …;` aliases declared in the file, as written. */
  readonly typeAliases = new Map<string, string>();

  constructor(private readonly text: string) {}

  /** Records one `use_declaration`. */
  addUse(node: SyntaxNode): void {
    const arg = node.children.find((c) => c.type !== 'visibility_modifier');
    if (arg) this.useTree(arg, '');
  }

  private useTree(node: SyntaxNode, prefix: string): void {
    const join = (p: string): string => (prefix === '' ? p : `${prefix}::${p}`);
    switch (node.type) {
      case 'identifier':
      case 'scoped_identifier': {
        const path = join(compact(this.text, node).replace(/^::/, ''));
        this.bind(path.slice(path.lastIndexOf(':') + 1), path);
        break;
      }
      case 'self':
        if (prefix !== '') this.bind(prefix.slice(prefix.lastIndexOf(':') + 1), prefix);
        break;
      case 'use_as_clause': {
        const [path, alias] = node.children;
        if (path && alias && alias.type === 'identifier') this.bind(compact(this.text, alias), join(compact(this.text, path)));
        break;
      }
      case 'scoped_use_list': {
        const path = node.children.find((c) => c.type !== 'use_list');
        const list = childOfType(node, 'use_list');
        if (list) this.useTree(list, path ? join(compact(this.text, path).replace(/^::/, '')) : prefix);
        break;
      }
      case 'use_list':
        for (const c of node.children) this.useTree(c, prefix);
        break;
      case 'use_wildcard': {
        const path = node.children[0];
        const module = path ? this.resolvePath(join(compact(this.text, path))) : prefix;
        for (const name of GLOB_MODULES.get(module) ?? []) if (!this.aliases.has(name)) this.bind(name, `${module}::${name}`);
        this.crates.add(module.split('::')[0]!);
        break;
      }
      default:
        break;
    }
  }

  private bind(alias: string, path: string): void {
    if (alias === '_' || alias === '') return;
    this.aliases.set(alias, path);
    this.crates.add(path.split('::')[0]!);
  }

  /** Records a struct's named or positional fields. */
  addStruct(node: SyntaxNode): void {
    const name = childOfType(node, 'type_identifier');
    if (!name) return;
    const fields = new Map<string, string>();
    const named = childOfType(node, 'field_declaration_list');
    if (named) {
      for (const f of childrenOfType(named, 'field_declaration')) {
        const id = childOfType(f, 'field_identifier');
        const type = f.children[f.children.length - 1];
        if (id && type && type !== id) fields.set(compact(this.text, id), compact(this.text, type));
      }
    }
    const ordered = childOfType(node, 'ordered_field_declaration_list');
    if (ordered) ordered.children.filter((c) => c.type !== 'visibility_modifier' && c.type !== 'attribute_item').forEach((t, i) => fields.set(String(i), compact(this.text, t)));
    this.structs.set(compact(this.text, name), fields);
  }

  /**
   * Resolves a `::` path through the file's aliases: `fs::read` → `std::fs::read` when `use std::fs;`.
   * A path the file does not import is returned as written (`std::fs::read`, `tokio::spawn`).
   */
  resolvePath(path: string): string {
    let p = path.replace(/^::/, '').replace(/::<[^]*?>(?=::|$)/g, '').replace(/<[^]*>(?=::)/g, '');
    const first = p.indexOf('::') < 0 ? p : p.slice(0, p.indexOf('::'));
    const alias = this.aliases.get(first);
    if (alias !== undefined && alias !== first) p = alias + p.slice(first.length);
    return p;
  }

  /** True when the file imports from `crate` (its first path segment). */
  uses(crate: string): boolean {
    return this.crates.has(crate);
  }

  /**
   * Reads a type written as text: strips references, `mut`, `dyn`/`impl` and transparent wrappers
   * (`Arc<Mutex<T>>` → `Mutex<T>`), then resolves the head path. `self` in a `Self` type is `selfType`.
   */
  readType(raw: string, selfType?: string): TypeRef | undefined {
    const key = selfType === undefined ? raw : `${raw}\u0000${selfType}`;
    if (this.typeCache.has(key)) return this.typeCache.get(key);
    const t = this.parseType(raw, selfType);
    this.typeCache.set(key, t);
    return t;
  }

  private readonly typeCache = new Map<string, TypeRef | undefined>();

  private parseType(raw: string, selfType: string | undefined): TypeRef | undefined {
    let t = raw.replace(WS, '');
    // Bounded so that a cycle of aliases (`type A = B; type B = A;`) cannot loop forever.
    for (let step = 0; step < 32; step++) {
      t = t.replace(/^&('[A-Za-z_]+)?(mut)?/, '').replace(/^(dyn|impl)(?=[A-Z])/, '');
      const { head, args } = splitGeneric(t);
      const last = head.slice(head.lastIndexOf(':') + 1);
      if ((TRANSPARENT_WRAPPERS.has(last) || last === 'Option') && args.length >= 1) {
        t = args[args.length - 1]!;
        continue;
      }
      if (head === '' || !/^[A-Za-z_:]/.test(head)) return undefined;
      const alias = args.length === 0 ? this.typeAliases.get(head) : undefined;
      if (alias !== undefined && alias !== t) {
        t = alias;
        continue;
      }
      const path = head === 'Self' && selfType !== undefined ? selfType : this.resolvePath(head);
      return { path, args };
    }
    return undefined;
  }

  /** The type of `field` in the local struct `type`, if the file declares it. */
  fieldType(type: TypeRef, field: string, selfType?: string): TypeRef | undefined {
    const name = type.path.slice(type.path.lastIndexOf(':') + 1);
    const text = this.structs.get(name)?.get(field);
    return text === undefined ? undefined : this.readType(text, selfType);
  }
}
