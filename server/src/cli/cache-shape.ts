/**
 * The shape check of a cached result. A cache file is input like any other: a result is used only
 * when every field has the type and range the CLI relies on, so a hand-edited or foreign file can
 * never make the formatters print garbage or throw. A new field of `Located` gets a check here.
 */
import type { Severity } from '../engine/finding';
import type { FileResult } from './check-tasks';
import type { Located, Range1 } from './report';
import { isChannelFills, isHop, isLockUse, validSummary } from '../project/summary-shape';
import type { Known, LinkRecord } from './cache';

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
  const parts = v['parts'];
  if (parts !== undefined && !(Array.isArray(parts) && parts.every((p) => isObject(p) && validRange(p) && isString(p['message']) && isString(p['lineText']) && isString(p['note']) && validRelated(p['related'])))) return false;
  return validRelated(v['related']);
}

function validRelated(related: unknown): boolean {
  return Array.isArray(related) && related.every((n) => isObject(n) && validRange(n) && isString(n['message']) && (n['file'] === undefined || isString(n['file'])));
}


const isHopAcross = (v: unknown): boolean => isHop(v) && isString((v as Fields)['path']) && isString((v as Fields)['shown']);

function validLinked(v: unknown): boolean {
  if (!isObject(v) || !isString(v['path']) || !isString(v['shown']) || !isString(v['name'])) return false;
  if (typeof v['isAsync'] !== 'boolean' || typeof v['offloads'] !== 'boolean' || typeof v['io'] !== 'boolean') return false;
  if (v['cannotReject'] !== undefined && v['cannotReject'] !== true) return false;
  const lockUses = v['lockUses'];
  if (lockUses !== undefined && !(Array.isArray(lockUses) && lockUses.every(isLockUse))) return false;
  if (v['fills'] !== undefined && !isChannelFills(v['fills'])) return false;
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

const isPairList = (v: unknown, second: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && second(p[1]));

/** True when `v` is a link record of the shape the cross-file pass stores. */
export function validLinkRecord(v: unknown): v is LinkRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  const imports = r['imports'];
  return (
    isPairList(r['folders'], (x) => x === null || typeof x === 'string') &&
    isPairList(r['links'], (x) => typeof x === 'boolean') &&
    isPairList(r['outside'], (x) => x === null || typeof x === 'string') &&
    typeof imports === 'object' &&
    imports !== null &&
    !Array.isArray(imports) &&
    Object.values(imports).every(validImports)
  );
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** True when `v` is a file's content digest with the stamp it was read with, as the cache keeps it. */
export function validKnown(v: unknown): v is Known {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const k = v as Record<string, unknown>;
  return typeof k['digest'] === 'string' && /^[0-9a-f]{64}$/.test(k['digest']) && Number.isSafeInteger(k['size']) && (k['size'] as number) >= 0 && isTime(k['mtimeMs']) && isTime(k['ctimeMs']) && isTime(k['ino']) && isTime(k['dev']);
}
