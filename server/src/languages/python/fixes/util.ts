/** Shared helpers for the Python fix builders: the parsed tree, call nodes, and adding an import. */
import type { TextEdit } from '../../../engine/finding';
import type { ParsedFile } from '../../../engine/language';
import { treeSitterTree } from '../../tree-sitter';
import type { PythonData, PythonTree } from '../index';
import { PYTHON_GRAMMAR } from '../syntax';
import type { SyntaxNode } from '../syntax';

/** The Python tree of a parsed file, or `undefined` when it is not one (a failed parse). */
export function pythonTree(parsed: ParsedFile): PythonTree | undefined {
  return treeSitterTree<PythonData>(parsed, PYTHON_GRAMMAR);
}

/** The mirror node of a call site id. */
export function callNode(tree: PythonTree, id: number): SyntaxNode | undefined {
  for (const [node, callId] of tree.data.state.callOfNode) if (callId === id) return node;
  return undefined;
}

/** True when the module name `name` is bound to the module itself (`import asyncio`, not `from x import asyncio`). */
export function hasModule(tree: PythonTree, name: string): boolean {
  return tree.data.state.scope.imports.get(name) === name;
}

/**
 * An edit adding `import <module>` when the file does not bind it: before the first top-level
 * import that is not `from __future__`, else after the docstring, else at the top of the file.
 */
export function addImport(tree: PythonTree, text: string, ...modules: string[]): TextEdit | undefined {
  const missing = modules.filter((m) => !hasModule(tree, m));
  if (missing.length === 0) return undefined;
  const module = missing.join(', ');
  const top = tree.root.children;
  const isFuture = (n: SyntaxNode): boolean => n.type === 'future_import_statement' || (n.type === 'import_from_statement' && /^from\s+__future__\b/.test(text.slice(n.start, n.end)));
  const firstImport = top.find((n) => (n.type === 'import_statement' || n.type === 'import_from_statement') && !isFuture(n));
  if (firstImport) return { span: { start: firstImport.start, end: firstImport.start }, newText: `import ${module}\n` };
  // After `from __future__` imports and the module docstring.
  let after = -1;
  for (const n of top) {
    if (n.type === 'comment') continue;
    const docstring = n.type === 'expression_statement' && n.children[0]?.type === 'string' && after < 0;
    if (isFuture(n) || docstring) after = n.end;
    else break;
  }
  if (after >= 0) {
    const nl = text.indexOf('\n', after);
    const at = nl < 0 ? text.length : nl + 1;
    return { span: { start: at, end: at }, newText: `${nl < 0 ? '\n' : ''}import ${module}\n` };
  }
  // Keep a shebang and an encoding line first.
  let at = 0;
  for (;;) {
    const line = text.slice(at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at));
    if (!/^#(?:!|.*coding[:=])/.test(line) || text.indexOf('\n', at) < 0) break;
    at = text.indexOf('\n', at) + 1;
  }
  return { span: { start: at, end: at }, newText: `import ${module}\n` };
}
