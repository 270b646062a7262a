/**
 * Fix for `detached-task` in Python: keep the task in a module-level set it leaves when done, the
 * pattern the asyncio documentation gives for fire-and-forget tasks (`background_tasks.add(task)`;
 * `task.add_done_callback(background_tasks.discard)`). A suggestion: the task still runs unawaited,
 * but it can no longer be garbage-collected mid-flight. A `TaskGroup` is the other answer, when the
 * caller should wait for it; that is a decision about the caller's lifetime, so it is not automatic.
 */
import type { Finding, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import type { SyntaxNode } from '../syntax';
import { callNode, pythonTree } from './util';

const SET = '_background_tasks';
const TITLE = `Keep the task in \`${SET}\` until it is done`;

/** Fixes for a `detached-task` finding. */
export function taskFixes(finding: Finding, parsed: ParsedFile): FixResult {
  const tree = pythonTree(parsed);
  const spawn = finding.data?.spawnId === undefined ? undefined : parsed.model.spawns[finding.data.spawnId];
  if (!tree || !spawn) return { fixes: [], refused: [] };
  const call = parsed.model.calls.find((c) => c.span.start === spawn.span.start && c.span.end === spawn.span.end);
  const node = call && callNode(tree, call.id);
  if (!call || !node) return { fixes: [], refused: [] };
  const refuse = (reason: string): FixResult => ({ fixes: [], refused: [{ title: TITLE, reason }] });
  const text = parsed.text;
  let stmt: SyntaxNode | undefined = node.parent;
  let name: string | undefined;
  if (stmt?.type === 'assignment') {
    const left = stmt.children[0]!;
    name = text.slice(left.start, left.end);
    if (stmt.parent?.type === 'assignment' || left.type !== 'identifier') return refuse('the task is assigned in a chain');
    stmt = stmt.parent;
  }
  if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'block') return refuse('the call is not a statement of its own (a lambda, a one-line body)');
  const lineStart = text.lastIndexOf('\n', stmt.start - 1) + 1;
  const indent = text.slice(lineStart, stmt.start);
  if (!/^[ \t]*$/.test(indent)) return refuse('the statement shares its line with another');
  const fnText = enclosingText(stmt, text);
  const task = name === undefined || name === '_' ? freeName(fnText, ['task', 'bg_task', 'background_task']) : name;
  const created = text.slice(call.span.start, call.span.end);
  const edits: TextEdit[] = [
    {
      span: { start: stmt.start, end: stmt.end },
      newText: `${task} = ${created}\n${indent}${SET}.add(${task})\n${indent}${task}.add_done_callback(${SET}.discard)`,
    },
  ];
  // The set, once per file: after the last top-level import.
  if (!new RegExp(`^${SET}\\s*[:=]`, 'm').test(text)) {
    const imports = tree.root.children.filter((n) => n.type === 'import_statement' || n.type === 'import_from_statement' || n.type === 'future_import_statement');
    const last = imports[imports.length - 1];
    const at = last ? text.indexOf('\n', last.end) + 1 || text.length : 0;
    const decl = `# Tasks started and not awaited: the event loop keeps only weak references to them.\n${SET}: set = set()\n`;
    edits.push({ span: { start: at, end: at }, newText: last ? `\n${decl}` : `${decl}\n` });
  }
  return { fixes: [{ title: TITLE, safety: 'suggestion', edits }], refused: [] };
}

function enclosingText(n: SyntaxNode, text: string): string {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return text.slice(p.start, p.end);
  return text;
}

function freeName(scope: string, candidates: readonly string[]): string {
  for (const c of candidates) if (!new RegExp(`\\b${c}\\b`).test(scope)) return c;
  return `${candidates[candidates.length - 1]}_`;
}
