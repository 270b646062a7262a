/**
 * What a Rust file offers other files, for its cross-file summary (engine/summary.ts), and the
 * module paths its calls name, written so the resolver (`resolver.ts`) can place them.
 *
 * Every function of the file's module is exported, whatever its visibility: a child module may call
 * its parent's private functions (`super::helper()`), and the linker only needs names. A method is
 * exported as `Type.method` (from any `impl` block of the file, trait impls included), a function of
 * an inline module as `module.function`. `pub use` declarations are the file's re-exports.
 */
import type { ModuleExports, ReExport } from '../../engine/model';
import type { FnRecord } from './builder';
import { compact } from './scope';
import { childOfType, type SyntaxNode } from './syntax';

/** The file's exported functions: top-level functions, methods of top-level `impl` blocks, functions of inline modules. */
export function exportedFunctions(fns: readonly FnRecord[], text: string): ModuleExports['functions'] {
  const out: { name: string; functionId: number }[] = [];
  const seen = new Set<string>();
  for (const rec of fns) {
    if (rec.node.type !== 'function_item') continue;
    const name = exportName(rec.node, text);
    // Two functions of one name (cfg-gated twins): the first is the file's answer.
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, functionId: rec.info.id });
  }
  return out;
}

/** `f`, `Type.method`, `module.f`, `module.Type.method`; `undefined` for a function nested in another. */
function exportName(fn: SyntaxNode, text: string): string | undefined {
  const id = childOfType(fn, 'identifier');
  if (!id) return undefined;
  const parts = [text.slice(id.start, id.end)];
  for (let n = fn.parent; n; n = n.parent) {
    if (n.type === 'source_file') return parts.join('.');
    if (n.type !== 'declaration_list') return undefined;
    const owner = n.parent;
    if (owner?.type === 'impl_item') {
      const types = owner.children.filter((c) => c !== n && c.type !== 'type_parameters' && c.type !== 'where_clause');
      const self = types[types.length - 1];
      if (!self) return undefined;
      const type = compact(text, self).replace(/<.*$/, '');
      parts.unshift(type.slice(type.lastIndexOf(':') + 1));
    } else if (owner?.type === 'mod_item') {
      const name = childOfType(owner, 'identifier');
      if (!name) return undefined;
      parts.unshift(text.slice(name.start, name.end));
    } else return undefined;
    n = owner;
  }
  return undefined;
}

/**
 * A path as the resolver reads it: a first segment that is a module declared in this file
 * (`mod db;` then `db::open`) is written `self::db::open`, and `self::`/`super::` inside inline
 * modules (`mod tests { use super::*; }`) are rewritten to start from the file's module.
 */
export function fileRelativePath(path: string, fileMods: ReadonlySet<string>, inlineMods: readonly string[]): string {
  const segs = path.split('::');
  if (segs[0] !== 'self' && segs[0] !== 'super') {
    if (segs.length > 1 && fileMods.has(segs[0]!) && inlineMods.length === 0) return `self::${path}`;
    return path;
  }
  if (inlineMods.length === 0) return path;
  const stack = [...inlineMods];
  let i = 0;
  if (segs[0] === 'self') i = 1;
  else {
    while (segs[i] === 'super' && stack.length > 0) {
      stack.pop();
      i++;
    }
    // Supers left over climb above the file's module: the path is relative to it again.
    if (segs[i] === 'super') return segs.slice(i).join('::');
  }
  return ['self', ...stack, ...segs.slice(i)].join('::');
}

/** The names of the inline modules (`mod x { … }`) around a node, outermost first. */
export function inlineModsAround(node: SyntaxNode, text: string): string[] {
  const out: string[] = [];
  for (let n = node.parent; n; n = n.parent) {
    if (n.type !== 'mod_item') continue;
    const name = childOfType(n, 'identifier');
    if (name && childOfType(n, 'declaration_list')) out.unshift(text.slice(name.start, name.end));
  }
  return out;
}

/**
 * The re-exports of one `pub use` declaration at the file's top level. A re-exported path may name
 * an item (`pub use db::open`) or a module (`pub use services::users`): both readings are recorded,
 * and the linker keeps the one that finds an export.
 */
export function pubUseReExports(node: SyntaxNode, text: string, norm: (path: string) => string): ReExport[] {
  const vis = childOfType(node, 'visibility_modifier');
  if (!vis) return [];
  const arg = node.children.find((c) => c.type !== 'visibility_modifier');
  const out: ReExport[] = [];
  const item = (path: string, alias: string): void => {
    const full = norm(path.replace(/^::/, ''));
    const cut = full.lastIndexOf('::');
    if (cut < 0) return;
    const last = full.slice(cut + 2);
    if (last === 'self') {
      const module = full.slice(0, cut);
      const name = module.slice(module.lastIndexOf(':') + 1);
      out.push({ module, names: [{ imported: '*', exported: alias === 'self' ? name : alias }] });
      return;
    }
    out.push({ module: full.slice(0, cut), names: [{ imported: last, exported: alias }] });
    out.push({ module: full, names: [{ imported: '*', exported: alias }] });
  };
  const visit = (n: SyntaxNode, prefix: string): void => {
    const join = (p: string): string => (prefix === '' ? p : `${prefix}::${p}`);
    switch (n.type) {
      case 'identifier':
      case 'scoped_identifier': {
        const path = join(compact(text, n));
        item(path, path.slice(path.lastIndexOf(':') + 1));
        break;
      }
      case 'self':
        if (prefix !== '') item(`${prefix}::self`, 'self');
        break;
      case 'use_as_clause': {
        const [path, alias] = n.children;
        if (path && alias) item(join(compact(text, path)), compact(text, alias));
        break;
      }
      case 'scoped_use_list': {
        const path = n.children.find((c) => c.type !== 'use_list');
        const list = childOfType(n, 'use_list');
        if (list) visit(list, path ? join(compact(text, path).replace(/^::/, '')) : prefix);
        break;
      }
      case 'use_list':
        for (const c of n.children) visit(c, prefix);
        break;
      case 'use_wildcard': {
        const path = n.children[0];
        const module = path ? join(compact(text, path)) : prefix;
        if (module !== '') out.push({ module: norm(module.replace(/^::/, '')) });
        break;
      }
      default:
        break;
    }
  };
  if (arg) visit(arg, '');
  return out;
}
