/**
 * What a Go file declares that calls and locks are resolved through: imports, struct types (their
 * fields and embedded types), package variables, and per function the types of receivers,
 * parameters and locals. Types are strings in the catalog's naming: `database/sql.DB` for an
 * imported type (pointers dropped), `Cache` for a type of this package.
 */
import { RESULT_TYPES } from './catalog';
import { field, textOf, type GoNode } from './syntax';

/** A struct type of the file. */
export interface StructInfo {
  /** Field name → resolved type text (`sync.Mutex`, `net.Conn`, `chan Job`). */
  readonly fields: Map<string, string>;
  /** Embedded types, resolved (`sync.Mutex`, `Base`). */
  readonly embedded: string[];
  /** Field name → the resolved type of its elements, for a map, slice or array field (`items map[string]*Entry` → `Entry`). */
  readonly elements: Map<string, string>;
}

/** The element type of a map, slice or array type as written (`map[string]*Entry` → `*Entry`), undefined for any other. */
function elementOf(written: string): string | undefined {
  const t = written.trim();
  if (!t.startsWith('[') && !t.startsWith('map[')) return undefined;
  let depth = 0;
  for (let i = t.indexOf('['); i < t.length; i++) {
    if (t[i] === '[') depth++;
    else if (t[i] === ']' && --depth === 0) return t.slice(i + 1);
  }
  return undefined;
}

/** The last element of an import path that names its package (`gopkg.in/yaml.v3` → `yaml`, `…/v2` → the one before). */
function packageName(path: string): string {
  const parts = path.split('/');
  let last = parts[parts.length - 1] ?? path;
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2]!;
  return last.replace(/\.v\d+$/, '').replace(/^go-/, '').replace(/[-.]go$/, '').replace(/-/g, '');
}

export class GoScope {
  /** Import name → import path. */
  readonly imports = new Map<string, string>();
  readonly structs = new Map<string, StructInfo>();
  /** Package-level variables → type. */
  readonly vars = new Map<string, string>();
  constructor(readonly text: string) {}

  addImport(spec: GoNode): void {
    const pathNode = field(spec, 'path');
    if (!pathNode) return;
    const path = this.text.slice(pathNode.start + 1, pathNode.end - 1);
    const nameNode = field(spec, 'name');
    const name = nameNode ? this.text.slice(nameNode.start, nameNode.end) : packageName(path);
    if (name === '_' || name === '.') return;
    this.imports.set(name, path);
  }

  addStruct(name: string, struct: GoNode): void {
    const info: StructInfo = { fields: new Map(), embedded: [], elements: new Map() };
    const list = struct.children.find((c) => c.type === 'field_declaration_list');
    for (const decl of list?.children ?? []) {
      if (decl.type !== 'field_declaration') continue;
      const type = field(decl, 'type');
      if (!type) continue;
      const resolved = this.resolveType(textOf(this.text, type));
      const names = decl.children.filter((c) => c.field === 'name');
      if (names.length === 0) {
        if (resolved) info.embedded.push(resolved);
      } else if (resolved) {
        for (const n of names) info.fields.set(this.text.slice(n.start, n.end), resolved);
      } else {
        const element = elementOf(textOf(this.text, type));
        const e = element === undefined ? undefined : this.resolveType(element);
        if (e !== undefined) for (const n of names) info.elements.set(this.text.slice(n.start, n.end), e);
      }
    }
    this.structs.set(name, info);
  }

  /**
   * A type as written, resolved: pointers dropped, type arguments dropped, the package qualifier
   * replaced by its import path. Channels keep a `chan ` prefix; slices, maps and funcs give
   * `undefined` (no method of theirs is a parking point).
   */
  resolveType(written: string): string | undefined {
    let t = written.trim().replace(/^\*+/, '').replace(/\[.*\]$/, '');
    if (/^(?:<-\s*)?chan\b/.test(t)) return 'chan ' + t.replace(/^(?:<-\s*)?chan\s*(?:<-\s*)?/, '');
    if (t.startsWith('[') || t.startsWith('map[') || t.startsWith('func') || t.startsWith('interface') || t.startsWith('struct')) return undefined;
    t = t.replace(/\s+/g, '');
    const dot = t.indexOf('.');
    if (dot < 0) return t;
    const pkg = this.imports.get(t.slice(0, dot));
    return pkg ? `${pkg}${t.slice(dot)}` : t;
  }

  /** The struct a type names (through one level of pointer), if the file declares it. */
  struct(type: string | undefined): StructInfo | undefined {
    return type === undefined ? undefined : this.structs.get(type);
  }

  /** The type of a field of `type`, through embedded structs of this file (one level). */
  fieldType(type: string | undefined, name: string): string | undefined {
    const s = this.struct(type);
    if (!s) return undefined;
    const direct = s.fields.get(name);
    if (direct) return direct;
    for (const e of s.embedded) {
      if (e.endsWith(`.${name}`) || e === name) return e;
      const inner = this.structs.get(e)?.fields.get(name);
      if (inner) return inner;
    }
    return undefined;
  }

  /** The element type of a map, slice or array field of `type` (a struct of this file). */
  elementType(type: string | undefined, name: string): string | undefined {
    return this.struct(type)?.elements.get(name);
  }

  /** The result type of a package function call (`sql.Open` gives `database/sql.DB`). */
  static resultOf(callee: string | undefined): string | undefined {
    return callee === undefined ? undefined : RESULT_TYPES.get(callee);
  }
}
