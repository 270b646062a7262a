import ts from 'typescript';
import type { TextEdit } from '../../../engine/finding';
import { identifierNames, uniqueName } from './ast';
import { builtin, quoted, requireSpecifier, semi, type FileStyle } from './style';

/** A module binding visible at the top of the file. Module names have no `node:` prefix. */
export interface Binding {
  readonly module: string;
  /** `namespace`: the module object (`import * as fs`, `import fs from`, `const fs = require`); `named`: one export. */
  readonly kind: 'namespace' | 'named';
  readonly local: string;
  readonly imported?: string;
  /** The statement that creates the binding, carried into a worker module when the moved code needs it. */
  readonly statement: ts.Statement;
}

/** A `{ … }` list that a name can be added to: an import's named imports or a `require` destructuring. */
interface NamedList {
  readonly module: string;
  readonly style: 'import' | 'require';
  /** Where `, name` goes: after the last element. */
  readonly insertAt: number;
  readonly empty: boolean;
}

export function normalizeModule(spec: string): string {
  return spec.startsWith('node:') ? spec.slice(5) : spec;
}

function requireOf(init: ts.Expression | undefined): { module: string; member?: string } | undefined {
  if (!init) return undefined;
  const direct = requireSpecifier(init);
  if (direct !== undefined) return { module: normalizeModule(direct) };
  if (ts.isPropertyAccessExpression(init)) {
    const inner = requireSpecifier(init.expression);
    if (inner !== undefined) return { module: normalizeModule(inner), member: init.name.text };
  }
  return undefined;
}

/** `promises` of `fs` is the `fs/promises` module object. */
function bindingFor(module: string, imported: string | undefined, local: string, statement: ts.Statement): Binding {
  if (imported === 'promises' && module === 'fs') return { module: 'fs/promises', kind: 'namespace', local, statement };
  return imported === undefined ? { module, kind: 'namespace', local, statement } : { module, kind: 'named', local, imported, statement };
}

/** The module bindings and named lists of a file, read from its top-level imports and requires. */
export class Imports {
  readonly bindings: Binding[] = [];
  private readonly lists: NamedList[] = [];
  private readonly newAt: number;
  private readonly newAfter: boolean;

  constructor(private readonly sf: ts.SourceFile) {
    let lastImport: ts.Statement | undefined;
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        lastImport = st;
        const module = normalizeModule(st.moduleSpecifier.text);
        const clause = st.importClause;
        if (!clause || clause.isTypeOnly) continue;
        if (clause.name) this.bindings.push(bindingFor(module, undefined, clause.name.text, st));
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) this.bindings.push(bindingFor(module, undefined, nb.name.text, st));
        if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) if (!el.isTypeOnly) this.bindings.push(bindingFor(module, (el.propertyName ?? el.name).text, el.name.text, st));
          const last = nb.elements[nb.elements.length - 1];
          this.lists.push({ module, style: 'import', insertAt: last ? last.end : nb.getStart(sf) + 1, empty: !last });
        }
      } else if (ts.isImportEqualsDeclaration(st) && !st.isTypeOnly && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteral(st.moduleReference.expression)) {
        // `import zlib = require('zlib')`: the module object, as with `const zlib = require('zlib')`.
        lastImport = st;
        this.bindings.push(bindingFor(normalizeModule(st.moduleReference.expression.text), undefined, st.name.text, st));
      } else if (ts.isVariableStatement(st)) {
        for (const decl of st.declarationList.declarations) {
          const req = requireOf(decl.initializer);
          if (!req) continue;
          lastImport = st;
          if (ts.isIdentifier(decl.name)) this.bindings.push(bindingFor(req.module, req.member, decl.name.text, st));
          else if (ts.isObjectBindingPattern(decl.name) && req.member === undefined) {
            for (const el of decl.name.elements) {
              if (!ts.isIdentifier(el.name) || el.dotDotDotToken) continue;
              const imported = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
              this.bindings.push(bindingFor(req.module, imported, el.name.text, st));
            }
            const last = decl.name.elements[decl.name.elements.length - 1];
            if (last && !last.dotDotDotToken) this.lists.push({ module: req.module, style: 'require', insertAt: last.end, empty: false });
          }
        }
      }
    }
    if (lastImport) {
      this.newAt = lastImport.end;
      this.newAfter = true;
    } else {
      // No imports yet: after the directive prologue (`'use strict'`), else before the first statement.
      const isDirective = (st: ts.Statement): boolean => ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression);
      let prologue = 0;
      while (prologue < sf.statements.length && isDirective(sf.statements[prologue]!)) prologue++;
      const lastDirective = sf.statements[prologue - 1];
      const first = sf.statements[prologue];
      this.newAfter = lastDirective !== undefined;
      this.newAt = lastDirective ? lastDirective.end : first ? first.getStart(sf, true) : sf.text.length;
    }
  }

  /** The local name of the module object, if the file binds one. */
  namespace(module: string): string | undefined {
    return this.bindings.find((b) => b.module === module && b.kind === 'namespace')?.local;
  }

  /** The local name bound to one export of a module, if any. */
  named(module: string, name: string): string | undefined {
    return this.bindings.find((b) => b.module === module && b.kind === 'named' && b.imported === name)?.local;
  }

  /** The binding a local name comes from. */
  bindingOf(local: string): Binding | undefined {
    return this.bindings.find((b) => b.local === local);
  }

  /** Starts collecting the imports one fix adds. */
  plan(style: FileStyle): ImportPlan {
    return new ImportPlan(this, this.lists, this.newAt, this.newAfter, style, identifierNames(this.sf));
  }
}

/** The imports one fix needs, merged into as few edits as possible (one per existing list, one new block). */
export class ImportPlan {
  private readonly addToList = new Map<NamedList, string[]>();
  private readonly newStatements = new Map<string, string[]>();
  private readonly newNamespaces: string[] = [];
  private readonly taken = new Set<string>();
  private readonly declarations: string[] = [];

  constructor(
    private readonly imports: Imports,
    private readonly lists: readonly NamedList[],
    private readonly newAt: number,
    private readonly newAfter: boolean,
    private readonly style: FileStyle,
    private readonly used: ReadonlySet<string>,
  ) {}

  private fresh(base: string): string {
    const name = uniqueName(new Set([...this.used, ...this.taken]), base);
    this.taken.add(name);
    return name;
  }

  /**
   * A local name for `name` exported by a built-in or package module: an existing binding, else one
   * added to an existing `{ … }` list of that module, else a new import statement.
   */
  named(module: string, name: string, isBuiltin = true): string {
    const existing = this.imports.named(module, name);
    if (existing) return existing;
    const local = this.fresh(name);
    const spec = isBuiltin ? builtin(this.style, module) : module;
    const list = this.lists.find((l) => l.module === module);
    const entry = (l: 'import' | 'require'): string => (local === name ? name : l === 'import' ? `${name} as ${local}` : `${name}: ${local}`);
    if (list) {
      const names = this.addToList.get(list) ?? [];
      names.push(entry(list.style));
      this.addToList.set(list, names);
    } else {
      const names = this.newStatements.get(spec) ?? [];
      names.push(entry(this.style.esm ? 'import' : 'require'));
      this.newStatements.set(spec, names);
    }
    return local;
  }

  /** A local name for the whole module: an existing namespace binding, else a new one. */
  namespace(module: string, base: string, isBuiltin = true): string {
    const existing = this.imports.namespace(module);
    if (existing) return existing;
    const local = this.fresh(base);
    const spec = quoted(this.style, isBuiltin ? builtin(this.style, module) : module);
    this.newNamespaces.push(this.style.esm ? `import * as ${local} from ${spec}${semi(this.style)}` : `const ${local} = require(${spec})${semi(this.style)}`);
    return local;
  }

  /** Adds an import statement written by the caller (a default import: `import pMap from 'p-map'`). */
  declareImport(statement: string): void {
    this.newNamespaces.push(statement);
  }

  /** Adds a top-level declaration (a pool, a runner function) right after the imports. */
  declare(text: string): void {
    this.declarations.push(text);
  }

  /** The edits adding everything requested, or none. */
  edits(): TextEdit[] {
    const edits: TextEdit[] = [];
    for (const [list, names] of this.addToList) {
      edits.push({ span: { start: list.insertAt, end: list.insertAt }, newText: list.empty ? ` ${names.join(', ')} ` : `, ${names.join(', ')}` });
    }
    const lines = [...this.newNamespaces];
    for (const [spec, names] of this.newStatements) {
      lines.push(
        this.style.esm
          ? `import { ${names.join(', ')} } from ${quoted(this.style, spec)}${semi(this.style)}`
          : `const { ${names.join(', ')} } = require(${quoted(this.style, spec)})${semi(this.style)}`,
      );
    }
    if (lines.length || this.declarations.length) {
      const eol = this.style.eol;
      // After the last import: each new import on its own line, declarations after a blank line.
      // Before the first statement (no imports yet): the new blocks, then a blank line.
      const newText = this.newAfter
        ? lines.map((l) => eol + l).join('') + this.declarations.map((d) => eol + eol + d).join('')
        : [...(lines.length ? [lines.join(eol)] : []), ...this.declarations].join(eol + eol) + eol + eol;
      edits.push({ span: { start: this.newAt, end: this.newAt }, newText });
    }
    return edits;
  }
}
