/**
 * What a Python module offers other modules, for its cross-file summary (engine/summary.ts): its
 * top-level functions, the methods of its top-level classes (`UserService.create`; `__init__` is the
 * class itself, `UserService`, as a constructor call names it), and its top-level imports as
 * re-exports: every name a module imports is an attribute of it, which is how a package's
 * `__init__.py` re-exports (`from .users import hash_password`).
 */
import type { ModuleExports, ReExport } from '../../engine/model';
import type { BuildState } from './builder';
import type { SyntaxNode } from './syntax';

/** The module's exported functions. */
function exportedFunctions(state: BuildState): ModuleExports['functions'] {
  const out: { name: string; functionId: number }[] = [];
  const seen = new Set<string>();
  const add = (name: string, functionId: number): void => {
    // Two definitions of one name (`if TYPE_CHECKING:` twins, a redefinition): the last one wins at run time.
    if (seen.has(name)) {
      const i = out.findIndex((e) => e.name === name);
      out[i] = { name, functionId };
    } else out.push({ name, functionId });
    seen.add(name);
  };
  for (const f of state.fns) {
    if (f.node.type !== 'function_definition' || f.name === undefined || f.parent) continue;
    if (!f.cls) {
      if (atModuleLevel(f.node)) add(f.name, f.id);
      continue;
    }
    if (!f.cls.name || !atModuleLevel(f.cls.node)) continue;
    add(f.name === '__init__' ? f.cls.name : `${f.cls.name}.${f.name}`, f.id);
  }
  return out;
}

/** A definition at the module's top level (possibly decorated, or inside a top-level `if`/`try`). */
function atModuleLevel(node: SyntaxNode): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'module') return true;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') return false;
  }
  return false;
}

/** `from X import a as b` is `a` of `X` re-exported as `b`, or the submodule `X.a` (`from . import users`); `import x.y as z` is module `x.y` as `z`. */
function reexportsOf(state: BuildState, imports: readonly SyntaxNode[]): ReExport[] {
  const { text } = state;
  const out: ReExport[] = [];
  const compact = (n: SyntaxNode): string => text.slice(n.start, n.end).replace(/\s+/g, '');
  for (const node of imports) {
    if (!atModuleLevel(node)) continue;
    if (node.type === 'import_statement') {
      for (const c of node.children) {
        if (c.type === 'aliased_import') {
          const [target, alias] = [c.children[0], c.children[c.children.length - 1]];
          if (target && alias) out.push({ module: compact(target), names: [{ imported: '*', exported: compact(alias) }] });
        } else if (c.type === 'dotted_name') {
          const head = compact(c).split('.')[0]!;
          out.push({ module: head, names: [{ imported: '*', exported: head }] });
        }
      }
      continue;
    }
    const [mod, ...names] = node.children.filter((c) => c.type !== 'comment');
    if (!mod) continue;
    const from = compact(mod);
    const sub = (name: string): string => `${from}${from.endsWith('.') ? '' : '.'}${name}`;
    if (names.some((c) => c.type === 'wildcard_import')) {
      out.push({ module: from });
      continue;
    }
    for (const c of names) {
      let imported: string | undefined;
      let exported: string | undefined;
      if (c.type === 'dotted_name') imported = exported = compact(c);
      else if (c.type === 'aliased_import' && c.children[0] && c.children.length > 1) {
        imported = compact(c.children[0]);
        exported = compact(c.children[c.children.length - 1]!);
      }
      if (imported === undefined || exported === undefined) continue;
      out.push({ module: from, names: [{ imported, exported }] });
      out.push({ module: sub(imported), names: [{ imported: '*', exported }] });
    }
  }
  return out;
}

/** The module's exports and re-exports. */
export function pythonExports(state: BuildState, imports: readonly SyntaxNode[]): ModuleExports {
  return { functions: exportedFunctions(state), reexports: reexportsOf(state, imports) };
}
