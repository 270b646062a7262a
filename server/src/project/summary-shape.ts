/**
 * The shape check of a cross-file summary read back from a cache (the CLI's `--cache`, the language
 * server's summary cache): a summary is used only when every field has the type the linker relies on.
 */
type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

const isRange0 = (v: unknown): boolean =>
  isObject(v) && [v['line'], v['character'], v['endLine'], v['endCharacter']].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
/** A summary's hop: the file is the summary's own (engine/summary.ts `LocalHop`). */
export const isHop = (v: unknown): boolean => isObject(v) && isString(v['function']) && isString(v['call']) && isRange0(v['range']);
const isHops = (v: unknown): boolean => Array.isArray(v) && v.every(isHop);

const isIndex = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
/** Go: the channel parameters a function fills (engine/model.ts `ChannelFills`). */
export const isChannelFills = (v: unknown): boolean => {
  if (!isObject(v) || !isIndex(v['arity'])) return false;
  const indices = (l: unknown): boolean => Array.isArray(l) && l.every((p) => isIndex(p) && (p as number) < (v['arity'] as number));
  return indices(v['params']) && (v['unlessError'] === undefined || indices(v['unlessError']));
};

function validExport(v: unknown): boolean {
  if (!isObject(v) || !isString(v['name']) || !isString(v['display'])) return false;
  if (typeof v['isAsync'] !== 'boolean' || typeof v['offloads'] !== 'boolean' || typeof v['io'] !== 'boolean') return false;
  const blocks = v['blocks'];
  if (blocks !== undefined && !(isObject(blocks) && isString(blocks['callee']) && isHops(blocks['hops']) && (blocks['hops'] as unknown[]).length > 0)) return false;
  const ioVia = v['ioVia'];
  if (ioVia !== undefined && !(isObject(ioVia) && isString(ioVia['callee']) && isHops(ioVia['hops']) && (ioVia['hops'] as unknown[]).length > 0 && (ioVia['disk'] === undefined || ioVia['disk'] === true))) return false;
  if (v['cannotReject'] !== undefined && v['cannotReject'] !== true) return false;
  const cannotRejectIf = v['cannotRejectIf'];
  if (cannotRejectIf !== undefined && !(Array.isArray(cannotRejectIf) && cannotRejectIf.every(isString))) return false;
  if (v['fills'] !== undefined && !isChannelFills(v['fills'])) return false;
  const refs = v['refs'];
  return Array.isArray(refs) && refs.every((r) => isObject(r) && isString(r['callee']) && typeof r['sync'] === 'boolean' && isHops(r['hops']));
}

function validReExport(v: unknown): boolean {
  if (!isObject(v) || !isString(v['module'])) return false;
  const names = v['names'];
  return names === undefined || (Array.isArray(names) && names.every((n) => isObject(n) && isString(n['imported']) && isString(n['exported'])));
}

/** A Go file's use of a mutex field (engine/model.ts `LockUse`). */
export const isLockUse = (v: unknown): boolean =>
  isObject(v) && isString(v['lock']) && isString(v['function']) && (v['kind'] === 'acquire' || v['kind'] === 'escape') &&
  (v['waits'] === undefined || v['waits'] === true) && (v['writes'] === undefined || v['writes'] === true);

/** True when `v` is a cross-file summary of the right shape (engine/summary.ts). */
export function validSummary(v: unknown): boolean {
  if (!isObject(v) || !isString(v['path']) || !isString(v['shown']) || !isString(v['language'])) return false;
  const { exports, reexports, refs, floating, assumed, locks, fillers } = v;
  if (locks !== undefined && !(Array.isArray(locks) && locks.every(isLockUse))) return false;
  if (fillers !== undefined && !(Array.isArray(fillers) && fillers.every(isString))) return false;
  if (floating !== undefined && !(Array.isArray(floating) && floating.every(isString))) return false;
  if (assumed !== undefined && !(Array.isArray(assumed) && assumed.every(isString))) return false;
  return Array.isArray(exports) && exports.every(validExport) && Array.isArray(reexports) && reexports.every(validReExport) && Array.isArray(refs) && refs.every(isString);
}
