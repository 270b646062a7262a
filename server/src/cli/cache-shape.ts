/**
 * The shape check of a cached result. A cache file is input like any other: a result is used only
 * when every field has the type and range the CLI relies on, so a hand-edited or foreign file can
 * never make the formatters print garbage or throw. A new field of `Located` gets a check here.
 */
import type { Severity } from '../engine/finding';
import type { FileResult } from './check-tasks';
import type { Located, Range1 } from './report';

const SEVERITIES: ReadonlySet<string> = new Set<Severity>(['error', 'warning', 'info', 'hint']);

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPosition = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isString = (v: unknown): v is string => typeof v === 'string';

function validRange(v: Fields): v is Fields & Range1 {
  return isPosition(v['line']) && isPosition(v['column']) && isPosition(v['endLine']) && isPosition(v['endColumn']);
}

function validLocated(v: unknown): v is Located {
  if (!isObject(v) || !validRange(v)) return false;
  if (!isString(v['rule']) || !isString(v['message']) || !isString(v['lineText'])) return false;
  if (!isString(v['severity']) || !SEVERITIES.has(v['severity'])) return false;
  if (!isString(v['role'])) return false;
  const related = v['related'];
  return Array.isArray(related) && related.every((n) => isObject(n) && validRange(n) && isString(n['message']) && (n['file'] === undefined || isString(n['file'])));
}

const isRange0 = (v: unknown): boolean =>
  isObject(v) && [v['line'], v['character'], v['endLine'], v['endCharacter']].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
/** A summary's hop: the file is the summary's own (engine/summary.ts `LocalHop`). */
const isHop = (v: unknown): boolean => isObject(v) && isString(v['function']) && isString(v['call']) && isRange0(v['range']);
const isHops = (v: unknown): boolean => Array.isArray(v) && v.every(isHop);

function validExport(v: unknown): boolean {
  if (!isObject(v) || !isString(v['name']) || !isString(v['display'])) return false;
  if (typeof v['isAsync'] !== 'boolean' || typeof v['offloads'] !== 'boolean' || typeof v['io'] !== 'boolean') return false;
  const blocks = v['blocks'];
  if (blocks !== undefined && !(isObject(blocks) && isString(blocks['callee']) && isHops(blocks['hops']) && (blocks['hops'] as unknown[]).length > 0)) return false;
  const ioVia = v['ioVia'];
  if (ioVia !== undefined && !(isObject(ioVia) && isString(ioVia['callee']) && isHops(ioVia['hops']) && (ioVia['hops'] as unknown[]).length > 0)) return false;
  if (v['cannotReject'] !== undefined && v['cannotReject'] !== true) return false;
  const cannotRejectIf = v['cannotRejectIf'];
  if (cannotRejectIf !== undefined && !(Array.isArray(cannotRejectIf) && cannotRejectIf.every(isString))) return false;
  const refs = v['refs'];
  return Array.isArray(refs) && refs.every((r) => isObject(r) && isString(r['callee']) && typeof r['sync'] === 'boolean' && isHops(r['hops']));
}

function validReExport(v: unknown): boolean {
  if (!isObject(v) || !isString(v['module'])) return false;
  const names = v['names'];
  return names === undefined || (Array.isArray(names) && names.every((n) => isObject(n) && isString(n['imported']) && isString(n['exported'])));
}

/** True when `v` is a cross-file summary of the right shape (engine/summary.ts). */
export function validSummary(v: unknown): boolean {
  if (!isObject(v) || !isString(v['path']) || !isString(v['shown']) || !isString(v['language'])) return false;
  const { exports, reexports, refs, floating, assumed } = v;
  if (floating !== undefined && !(Array.isArray(floating) && floating.every(isString))) return false;
  if (assumed !== undefined && !(Array.isArray(assumed) && assumed.every(isString))) return false;
  return Array.isArray(exports) && exports.every(validExport) && Array.isArray(reexports) && reexports.every(validReExport) && Array.isArray(refs) && refs.every(isString);
}

const isHopAcross = (v: unknown): boolean => isHop(v) && isString((v as Fields)['path']) && isString((v as Fields)['shown']);

function validLinked(v: unknown): boolean {
  if (!isObject(v) || !isString(v['path']) || !isString(v['shown']) || !isString(v['name'])) return false;
  if (typeof v['isAsync'] !== 'boolean' || typeof v['offloads'] !== 'boolean' || typeof v['io'] !== 'boolean') return false;
  if (v['cannotReject'] !== undefined && v['cannotReject'] !== true) return false;
  const blocks = v['blocks'];
  return blocks === undefined || (isObject(blocks) && isString(blocks['callee']) && Array.isArray(blocks['hops']) && blocks['hops'].length > 0 && blocks['hops'].every(isHopAcross));
}

/** True when `v` is a file's imports as the linker gives them (engine/linker.ts `Imports`): callee → linked function. */
export function validImports(v: unknown): boolean {
  return isObject(v) && Object.values(v).every(validLinked);
}

/** True when `v` is a result the cache may hand back: findings of the right shape, no errors, and a valid summary if any. */
export function validResult(v: unknown): v is FileResult {
  if (!isObject(v)) return false;
  const { findings, errors } = v;
  if (v['summary'] !== undefined && !validSummary(v['summary'])) return false;
  const position = (p: unknown): boolean => isObject(p) && isPosition(p['line']) && isPosition(p['column']);
  const optionalPosition = (p: unknown): boolean => p === undefined || position(p);
  const cuts = v['nestingCuts'];
  if (v['summaryDigest'] !== undefined && !isString(v['summaryDigest'])) return false;
  return Array.isArray(findings) && findings.every(validLocated) && Array.isArray(errors) && errors.length === 0 && v['frontendError'] === undefined && optionalPosition(v['syntaxError']) && (cuts === undefined || (Array.isArray(cuts) && cuts.length > 0 && cuts.every(position)));
}
