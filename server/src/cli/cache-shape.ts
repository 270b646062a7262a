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
  return Array.isArray(related) && related.every((n) => isObject(n) && validRange(n) && isString(n['message']));
}

/** True when `v` is a result the cache may hand back: findings of the right shape and no errors. */
export function validResult(v: unknown): v is FileResult {
  if (!isObject(v)) return false;
  const { findings, errors } = v;
  return Array.isArray(findings) && findings.every(validLocated) && Array.isArray(errors) && errors.length === 0 && v['frontendError'] === undefined;
}
