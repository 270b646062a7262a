import ts from 'typescript';
import type { Finding } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import { lineIndent, nodeContaining } from './ast';
import type { BuildInput } from './blocking';
import { moveOutOfLockFix } from './lock-move';
import { semi } from './style';

const NONE: FixResult = { fixes: [], refused: [] };

/** `release();` — a call of the guard binding with no arguments, as a statement. */
function isReleaseStatement(st: ts.Statement, guard: string): boolean {
  return (
    ts.isExpressionStatement(st) &&
    ts.isCallExpression(st.expression) &&
    ts.isIdentifier(st.expression.expression) &&
    st.expression.expression.text === guard &&
    st.expression.arguments.length === 0
  );
}

/** Names declared directly by a list of statements (what a `try` block would scope away). */
function declaredNames(statements: readonly ts.Statement[]): Set<string> {
  const names = new Set<string>();
  const addBinding = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) names.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) addBinding(e.name);
  };
  for (const st of statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) addBinding(d.name);
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) names.add(st.name.text);
  }
  return names;
}

function callsGuard(statements: readonly ts.Statement[], guard: string): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === guard) hit = true;
    else n.forEachChild(visit);
  };
  statements.forEach(visit);
  return hit;
}

function hasMultilineTemplate(statements: readonly ts.Statement[]): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if ((ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n)) && n.getText().includes('\n')) hit = true;
    else n.forEachChild(visit);
  };
  statements.forEach(visit);
  return hit;
}

function mentions(statements: readonly ts.Statement[], names: ReadonlySet<string>): boolean {
  let hit = false;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (ts.isIdentifier(n) && names.has(n.text)) hit = true;
    else n.forEachChild(visit);
  };
  statements.forEach(visit);
  return hit;
}

/**
 * `await-holding-lock` fixes. A missing release: the code after the acquisition moves into
 * `try { … } finally { release(); }`. An awaited call under the lock that reads nothing the section
 * writes: it moves out, after the release or before the acquisition (lock-move.ts). Untangling a
 * re-acquisition changes behaviour and is left to the author, with the reason.
 */
export function lockFixes(finding: Finding, parsed: ParsedFile, input: BuildInput): FixResult {
  if (finding.data?.variant === 'reacquire') {
    return { fixes: [], refused: [{ title: 'Restructure the re-acquisition', reason: 'the lock is taken again while it is held: move the inner work out of the locked section, or pass it what it needs instead of letting it take the lock' }] };
  }
  if (finding.data?.variant !== 'no-release') {
    const moved = moveOutOfLockFix(finding, parsed, input);
    return { fixes: moved.fix ? [moved.fix] : [], refused: moved.refused ? [moved.refused] : [] };
  }
  const region = finding.data.regionId === undefined ? undefined : parsed.model.heldRegions[finding.data.regionId];
  if (!region) return NONE;
  const { sf, style } = input;
  const guard = region.guard;
  const title = `Release \`${region.lock}\` in a \`finally\` block`;
  if (!guard) return { fixes: [], refused: [{ title, reason: 'the release function is not bound to a name' }] };
  const acquire = nodeContaining(sf, region.acquireSpan, (n): n is ts.Statement => ts.isVariableStatement(n) || ts.isExpressionStatement(n));
  const block = acquire?.parent;
  if (!acquire || !block || !(ts.isBlock(block) || ts.isSourceFile(block))) return { fixes: [], refused: [{ title, reason: 'the acquisition is not a statement in a block' }] };
  const statements = block.statements;
  const from = statements.indexOf(acquire) + 1;
  const releaseAt = statements.findIndex((s, i) => i >= from && isReleaseStatement(s, guard));
  const to = releaseAt >= 0 ? releaseAt : statements.length;
  const wrapped = statements.slice(from, to);
  if (wrapped.length === 0) return NONE;
  if (callsGuard(wrapped, guard)) {
    return { fixes: [], refused: [{ title, reason: `\`${guard}()\` is also called inside the locked section; with a \`finally\` it would run twice` }] };
  }
  const after = releaseAt >= 0 ? statements.slice(releaseAt + 1) : [];
  if (mentions(after, declaredNames(wrapped))) {
    return { fixes: [], refused: [{ title, reason: 'names declared while the lock is held are used after the release; a `try` block would hide them' }] };
  }
  const text = sf.text;
  const indent = lineIndent(text, wrapped[0]!.getStart(sf));
  const eol = style.eol;
  const start = text.lastIndexOf('\n', wrapped[0]!.getStart(sf, true) - 1) + 1;
  const lastNode = releaseAt >= 0 ? statements[releaseAt]! : wrapped[wrapped.length - 1]!;
  const end = lastNode.end;
  // Re-indent the moved lines one level, unless a multi-line template literal would change with them.
  const original = text.slice(start, wrapped[wrapped.length - 1]!.end);
  const body = hasMultilineTemplate(wrapped)
    ? original
    : original
        .split(/\r?\n/)
        .map((line) => (line.trim() === '' ? '' : style.indent + line))
        .join(eol);
  const newText = `${indent}try {${eol}${body}${eol}${indent}} finally {${eol}${indent}${style.indent}${guard}()${semi(style)}${eol}${indent}}`;
  return { fixes: [{ title, safety: 'suggestion', edits: [{ span: { start, end }, newText }] }], refused: [] };
}
