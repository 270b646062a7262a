import ts from 'typescript';
import type { Fix, Finding, TextEdit } from '../../../engine/finding';
import type { FixResult, ParsedFile } from '../../../engine/language';
import type { ChannelSite } from '../../../engine/model';
import { CHANNEL_SHAPES } from '../catalog';
import { lineIndent, nodeAtSpan, nodeContaining, textOf } from './ast';
import type { BuildInput } from './blocking';
import { ensureAsync } from './make-async';
import { quoted, semi } from './style';

const NONE: FixResult = { fixes: [], refused: [] };

/** A starting value for a bound; the fix is a suggestion because the right value depends on the workload. */
function boundValue(option: string | undefined, objectMode: boolean): string {
  if (option === 'highWaterMark') return objectMode ? '16' : '16384';
  return '8';
}

function constructorNode(sf: ts.SourceFile, site: ChannelSite): ts.NewExpression | ts.CallExpression | undefined {
  const isCtor = (n: ts.Node): n is ts.NewExpression | ts.CallExpression => ts.isNewExpression(n) || ts.isCallExpression(n);
  return nodeAtSpan(sf, site.span, isCtor) ?? nodeContaining(sf, site.span, isCtor);
}

function property(obj: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return obj.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name);
}

function isInfinity(e: ts.Expression): boolean {
  return (ts.isIdentifier(e) && e.text === 'Infinity') || (ts.isPropertyAccessExpression(e) && textOfName(e) === 'Number.POSITIVE_INFINITY');
}

function textOfName(e: ts.PropertyAccessExpression): string {
  return ts.isIdentifier(e.expression) ? `${e.expression.text}.${e.name.text}` : '';
}

/** Fixes for `unbounded-channel`: add or finite-ise the bound, or wait for `'drain'` after a refused write. */
export function channelFixes(finding: Finding, parsed: ParsedFile, input: BuildInput): FixResult {
  const id = finding.data?.channelId;
  const site = id === undefined ? undefined : parsed.model.channels[id];
  if (!site) return NONE;
  if (site.reason === 'ignored-backpressure') return drainFix(input, site);
  const { sf } = input;
  const node = constructorNode(sf, site);
  if (!node) return NONE;
  const shape = CHANNEL_SHAPES.get(site.constructor);
  if (!shape) return NONE;
  const args: readonly ts.Expression[] = node.arguments ?? [];
  if (shape.positional) return positionalFix(sf, node, args, shape.arg);
  const optionName = shape.option;
  if (!optionName) return NONE;
  const options = args.find((a): a is ts.ObjectLiteralExpression => ts.isObjectLiteralExpression(a));
  const objectMode = options ? (property(options, 'objectMode')?.initializer.kind ?? 0) === ts.SyntaxKind.TrueKeyword : false;
  const value = boundValue(optionName, objectMode);
  const title = `Set \`${optionName}: ${value}\` (choose a value for your workload)`;
  let edit: TextEdit;
  const existing = options ? property(options, optionName) : undefined;
  if (existing && isInfinity(existing.initializer)) {
    edit = { span: { start: existing.initializer.getStart(sf), end: existing.initializer.end }, newText: value };
  } else if (existing || options?.properties.some((p) => ts.isShorthandPropertyAssignment(p) && p.name.text === optionName)) {
    // A bound the user already wrote (or passes through a variable) is theirs to tune.
    return NONE;
  } else if (options) {
    const last = options.properties[options.properties.length - 1];
    edit = last
      ? { span: { start: last.end, end: last.end }, newText: `,${separator(sf, options, last)}${optionName}: ${value}` }
      : { span: { start: options.getStart(sf), end: options.end }, newText: `{ ${optionName}: ${value} }` };
  } else if (args.length === shape.arg) {
    edit = appendArgument(sf, node, args, `{ ${optionName}: ${value} }`);
  } else {
    return { fixes: [], refused: [{ title, reason: `the options are not an object literal, so \`${optionName}\` cannot be added here` }] };
  }
  return { fixes: [{ title, safety: 'suggestion', edits: [edit] }], refused: [] };
}

/** What goes between properties: a space on one line, a new line at the last property's indentation otherwise. */
function separator(sf: ts.SourceFile, obj: ts.ObjectLiteralExpression, last: ts.Node): string {
  const text = sf.text;
  const multiline = text.slice(obj.getStart(sf), obj.end).includes('\n');
  if (!multiline) return ' ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return eol + lineIndent(text, last.getStart(sf));
}

/** Adds an argument after the last one (`new PQueue` without parentheses gets them). */
function appendArgument(sf: ts.SourceFile, node: ts.NewExpression | ts.CallExpression, args: readonly ts.Expression[], text: string): TextEdit {
  const last = args[args.length - 1];
  if (last) return { span: { start: last.end, end: last.end }, newText: `, ${text}` };
  const close = node.end;
  return sf.text[close - 1] === ')' ? { span: { start: close - 1, end: close - 1 }, newText: text } : { span: { start: close, end: close }, newText: `(${text})` };
}

/** `fastq(worker)` → `fastq(worker, 8)`; an `Infinity` bound becomes `8`. */
function positionalFix(sf: ts.SourceFile, node: ts.NewExpression | ts.CallExpression, args: readonly ts.Expression[], index: number): FixResult {
  const title = 'Pass a concurrency of `8` (choose a value for your workload)';
  // fastq takes an optional context object first, which moves the concurrency one place right.
  const last = args[args.length - 1];
  const infinite = [args[index], last].find((a): a is ts.Expression => a !== undefined && isInfinity(a));
  let edit: TextEdit;
  if (infinite) edit = { span: { start: infinite.getStart(sf), end: infinite.end }, newText: '8' };
  else if (args.length === index) edit = appendArgument(sf, node, args, '8');
  else return NONE;
  return { fixes: [{ title, safety: 'suggestion', edits: [edit] }], refused: [] };
}

/** A receiver that can be written twice without running anything twice (`out`, `this.sink`). */
function isStableReceiver(e: ts.Expression): boolean {
  if (ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword) return true;
  return ts.isPropertyAccessExpression(e) && isStableReceiver(e.expression);
}

/** `out.write(x);` → `if (!out.write(x)) await once(out, 'drain');`, in an async function. */
function drainFix(input: BuildInput, site: ChannelSite): FixResult {
  const { sf, style } = input;
  const write = nodeAtSpan(sf, site.span, ts.isCallExpression) ?? nodeContaining(sf, site.span, ts.isCallExpression);
  if (!write || !ts.isPropertyAccessExpression(write.expression)) return NONE;
  const receiver = write.expression.expression;
  const statement = write.parent;
  const title = `Wait for \`'drain'\` when \`${textOf(sf, write.expression)}\` returns false`;
  if (!statement || !ts.isExpressionStatement(statement)) return { fixes: [], refused: [{ title, reason: 'the write is not a statement of its own' }] };
  if (!isStableReceiver(receiver)) return { fixes: [], refused: [{ title, reason: 'the stream is an expression that would be evaluated twice' }] };
  const asyncPlan = ensureAsync(sf, statement, input.handlerEnds);
  if (!asyncPlan.ok) return { fixes: [], refused: [{ title, reason: asyncPlan.reason }] };
  const plan = input.imports.plan(style);
  const ns = input.imports.namespace('events');
  const once = input.imports.named('events', 'once') ?? (ns ? `${ns}.once` : plan.named('events', 'once'));
  const newText = `if (!${textOf(sf, write)}) await ${once}(${textOf(sf, receiver)}, ${quoted(style, 'drain')})${semi(style)}`;
  const edits: TextEdit[] = [...plan.edits(), ...asyncPlan.edits, { span: { start: statement.getStart(sf), end: statement.end }, newText }];
  const fix: Fix = { title: asyncPlan.madeAsync ? `${title} and make the callback async` : title, safety: 'suggestion', edits };
  return { fixes: [fix], refused: [] };
}
