// The imports a moved helper leaves behind: once the helper is deleted from the route file, an import
// only it read is unused (TypeScript's `noUnusedLocals` and typescript-eslint's `no-unused-vars` flag
// it), so the offload removes it with the helper.
import ts from 'typescript';
import type { TextEdit } from '../../../engine/finding';
import type { Binding } from './imports';
import { isReference } from './worker-closure';

/**
 * Edits deleting the imports among `moved` that nothing in the file but `removed` reads. `inserts`
 * are the offsets where the fix inserts text, which a deletion must not swallow.
 */
export function orphanedImportEdits(sf: ts.SourceFile, removed: ts.Node, moved: readonly Binding[], inserts: readonly number[]): TextEdit[] {
  const locals = new Set(moved.map((b) => b.local));
  const readElsewhere = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (n === removed || ts.isImportDeclaration(n) || ts.isImportEqualsDeclaration(n)) return;
    // A type reference (`typeof zlib.gzipSync`) reads the binding too.
    if (ts.isIdentifier(n) && locals.has(n.text) && (!n.parent || isReference(n))) readElsewhere.add(n.text);
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  const orphans = new Set(moved.filter((b) => !readElsewhere.has(b.local)).map((b) => b.local));
  const edits: TextEdit[] = [];
  const statements = new Set(moved.map((b) => b.statement));
  for (const st of statements) {
    const names = localsOf(st);
    if (!names) continue;
    if (names.every((n) => orphans.has(n))) {
      edits.push(statementRemoval(sf, st, inserts));
      continue;
    }
    const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
    const elements = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
    if (!elements) continue;
    elements.forEach((el, i) => {
      if (!orphans.has(el.name.text)) return;
      // Only one element of a list is removed at a time here: keep the result simple and re-parsed.
      const next = elements[i + 1];
      const prev = elements[i - 1];
      if (next) edits.push({ span: { start: el.getStart(sf), end: next.getStart(sf) }, newText: '' });
      else if (prev) edits.push({ span: { start: prev.end, end: el.end }, newText: '' });
    });
  }
  return edits;
}

/** Every local name a module statement binds, or undefined for a statement this does not take apart. */
function localsOf(st: ts.Statement): string[] | undefined {
  if (ts.isImportEqualsDeclaration(st)) return [st.name.text];
  if (ts.isImportDeclaration(st)) {
    const clause = st.importClause;
    if (!clause) return undefined;
    const names = clause.name ? [clause.name.text] : [];
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) names.push(nb.name.text);
    if (nb && ts.isNamedImports(nb)) names.push(...nb.elements.map((e) => e.name.text));
    return names;
  }
  if (ts.isVariableStatement(st) && st.declarationList.declarations.length === 1) {
    const name = st.declarationList.declarations[0]!.name;
    if (ts.isIdentifier(name)) return [name.text];
    if (ts.isObjectBindingPattern(name)) return name.elements.map((e) => (ts.isIdentifier(e.name) ? e.name.text : '')).filter((n) => n);
  }
  return undefined;
}

/** The statement with the line break before it (so no blank line is left), or its own text when it is first. */
function statementRemoval(sf: ts.SourceFile, st: ts.Statement, inserts: readonly number[]): TextEdit {
  const index = sf.statements.indexOf(st);
  const prev = index > 0 ? sf.statements[index - 1] : undefined;
  if (prev) return { span: { start: prev.end, end: st.end }, newText: '' };
  const start = st.getStart(sf, true);
  const after = /^[ \t]*\r?\n/.exec(sf.text.slice(st.end));
  const end = after && !inserts.includes(st.end) ? st.end + after[0].length : st.end;
  return { span: { start, end }, newText: '' };
}
