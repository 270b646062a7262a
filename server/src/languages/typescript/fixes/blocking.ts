import ts from 'typescript';
import type { BlockingCall } from '../../../engine/catalog';
import type { Fix, RefusedFix, TextEdit } from '../../../engine/finding';
import { needsParensAsAwait } from './ast';
import type { Imports, ImportPlan } from './imports';
import { normalizeModule } from './imports';
import { ensureAsync } from './make-async';
import type { FileStyle } from './style';

/** `fs.xSync` functions whose `fs/promises` twin takes the same arguments and resolves to the same value. */
export const FS_TWINS = new Set([
  'readFile', 'writeFile', 'appendFile', 'readdir', 'stat', 'lstat', 'mkdir', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'access', 'chmod',
  'chown', 'lchown', 'realpath', 'readlink', 'symlink', 'link', 'mkdtemp', 'truncate', 'utimes', 'lutimes', 'cp', 'opendir', 'statfs',
]);
export const CRYPTO_PROMISIFY = new Set(['pbkdf2', 'scrypt', 'generateKeyPair', 'randomFill', 'hkdf', 'generatePrime', 'generateKey']);
export const ZLIB_PROMISIFY = new Set(['gzip', 'gunzip', 'deflate', 'inflate', 'deflateRaw', 'inflateRaw', 'unzip', 'brotliCompress', 'brotliDecompress']);
/** Packages whose promise API is a drop-in for the sync one (`bcrypt.hashSync` → `bcrypt.hash`). */
const DROP_IN_PACKAGES = new Set(['bcrypt', 'bcryptjs', 'fs-extra', '@node-rs/argon2', '@node-rs/bcrypt', 'tinyglobby']);
/** Built-in modules whose catalog replacement is not a promise-returning twin (`spawnSync` → `spawn`). */
const NO_MEMBER_TWIN = new Set(['child_process', 'fs', 'crypto', 'zlib', 'Atomics', 'Deno', 'Deno.Command']);

type Twin =
  | { readonly kind: 'fs'; readonly name: string }
  | { readonly kind: 'exists' }
  | { readonly kind: 'promisify'; readonly module: string; readonly name: string }
  | { readonly kind: 'exec'; readonly name: string }
  | { readonly kind: 'member'; readonly module: string; readonly name: string; readonly dropIn: boolean };

/** The async twin of a blocking callee (`fs.readFileSync` → `fs/promises.readFile`), when one exists. */
export function twinOf(callee: string, entry: BlockingCall | undefined): Twin | undefined {
  const dot = callee.lastIndexOf('.');
  if (dot < 0) return undefined;
  const module = normalizeModule(callee.slice(0, dot));
  const member = callee.slice(dot + 1);
  const base = member.endsWith('Sync') ? member.slice(0, -4) : undefined;
  if (module === 'fs' && member === 'existsSync') return { kind: 'exists' };
  if (module === 'fs' && base && FS_TWINS.has(base)) return { kind: 'fs', name: base };
  if (module === 'child_process' && (base === 'exec' || base === 'execFile')) return { kind: 'exec', name: base };
  if (module === 'crypto' && base && CRYPTO_PROMISIFY.has(base)) return { kind: 'promisify', module, name: base };
  if (module === 'zlib' && base && ZLIB_PROMISIFY.has(base)) return { kind: 'promisify', module, name: base };
  const replacement = entry?.replacement;
  if (replacement && replacement.startsWith(`${module}.`) && !NO_MEMBER_TWIN.has(module)) {
    const name = replacement.slice(module.length + 1);
    if (/^[A-Za-z_$][\w$]*$/.test(name)) return { kind: 'member', module, name, dropIn: DROP_IN_PACKAGES.has(module) };
  }
  return undefined;
}

/** Inputs shared by the fix builders of one finding. */
export interface BuildInput {
  readonly sf: ts.SourceFile;
  readonly style: FileStyle;
  readonly imports: Imports;
  /** End offsets of the functions the frontend reads as framework handlers (callbacks it awaits or ignores). */
  readonly handlerEnds: ReadonlySet<number>;
}

/** The namespace local a call is made through (`fs` in `fs.readFileSync(p)`), when it is one for `module`. */
function namespaceReceiver(input: BuildInput, call: ts.CallExpression, module: string): string | undefined {
  const c = call.expression;
  if (!ts.isPropertyAccessExpression(c) || !ts.isIdentifier(c.expression)) return undefined;
  const b = input.imports.bindingOf(c.expression.text);
  return b && b.kind === 'namespace' && b.module === module ? b.local : undefined;
}

/** `promisify`, through an existing `util` binding when there is one. */
function promisifyRef(input: BuildInput, plan: ImportPlan): string {
  const ns = input.imports.namespace('util');
  return input.imports.named('util', 'promisify') ?? (ns ? `${ns}.promisify` : plan.named('util', 'promisify'));
}

/** A function of a built-in module: `ns.name` through the receiver's namespace, else a named import. */
function memberRef(input: BuildInput, plan: ImportPlan, call: ts.CallExpression, module: string, name: string, isBuiltin = true): string {
  const ns = namespaceReceiver(input, call, module) ?? input.imports.namespace(module);
  if (!ns) return plan.named(module, name, isBuiltin);
  // execa up to v5 is required whole and is itself the async function (`execa.sync` is its sync twin).
  if (module === 'execa' && name === 'execa') return ns;
  return `${ns}.${name}`;
}

/**
 * A function of `fs/promises` as the file can best reach it: an existing `fs/promises` binding, else a
 * name added to an existing `fs/promises` import, else `fs.promises.x` through the call's `fs`
 * namespace, else a new `fs/promises` import (the call used a named `xSync` import).
 */
function fsPromisesRef(input: BuildInput, plan: ImportPlan, call: ts.CallExpression, name: string): string {
  const fsp = input.imports.namespace('fs/promises');
  if (fsp) return `${fsp}.${name}`;
  if (input.imports.bindings.some((b) => b.module === 'fs/promises') || input.imports.named('fs/promises', name)) return plan.named('fs/promises', name);
  const fs = namespaceReceiver(input, call, 'fs');
  return fs ? `${fs}.promises.${name}` : plan.named('fs/promises', name);
}

/** The text that replaces a blocking call: `await <twin>(…)`, parenthesised where the call is a receiver. */
export interface TwinReplacement {
  readonly edit: TextEdit;
  /** A readable name for titles: `await fs.promises.readFile`. */
  readonly label: string;
  /** The twin takes the same arguments and resolves to the same value. */
  readonly dropIn: boolean;
  readonly note?: string;
}

/** The replacement of one blocking call by its async twin, adding what it imports to `plan`. */
export function twinReplacement(input: BuildInput, plan: ImportPlan, call: ts.CallExpression, callee: string, entry: BlockingCall | undefined): TwinReplacement | undefined {
  const twin = twinOf(callee, entry);
  if (!twin) return undefined;
  const { sf } = input;
  const args = sf.text.slice(call.arguments.pos - 1, call.end);
  let expr: string;
  let label: string;
  let dropIn = true;
  let note: string | undefined;
  switch (twin.kind) {
    case 'fs': {
      const ref = fsPromisesRef(input, plan, call, twin.name);
      expr = `await ${ref}${args}`;
      label = `await ${ref}`;
      break;
    }
    case 'exists': {
      const ref = fsPromisesRef(input, plan, call, 'access');
      expr = `await ${ref}${args}.then(() => true, () => false)`;
      label = `await ${ref}`;
      note = 'to test for the file';
      dropIn = false;
      break;
    }
    case 'promisify': {
      const fn = memberRef(input, plan, call, twin.module, twin.name);
      const p = promisifyRef(input, plan);
      expr = `await ${p}(${fn})${args}`;
      label = `await ${p}(${fn})`;
      break;
    }
    case 'exec': {
      const fn = memberRef(input, plan, call, 'child_process', twin.name);
      const p = promisifyRef(input, plan);
      // A discarded result needs no `.stdout`; a used one is the string `execSync` would have returned.
      const unused = call.parent !== undefined && ts.isExpressionStatement(call.parent);
      expr = unused ? `await ${p}(${fn})${args}` : `(await ${p}(${fn})${args}).stdout`;
      label = `await ${p}(${fn})`;
      note = '(stdout is a string unless an encoding says otherwise)';
      dropIn = false;
      break;
    }
    case 'member': {
      const ref = memberRef(input, plan, call, twin.module, twin.name, false);
      expr = `await ${ref}${args}`;
      label = `await ${ref}`;
      dropIn = twin.dropIn;
      break;
    }
  }
  if (call.parent && ts.isAwaitExpression(call.parent)) expr = expr.replace(/^await /, '');
  else if (expr.startsWith('await ') && needsParensAsAwait(call)) expr = `(${expr})`;
  return { edit: { span: { start: call.getStart(sf), end: call.end }, newText: expr }, label, dropIn, ...(note ? { note } : {}) };
}

/**
 * Replaces a blocking call with its async twin plus `await`, making the enclosing function async when
 * needed. Safe when the twin is a drop-in and the function is already async; a suggestion otherwise.
 */
export function asyncTwinFix(input: BuildInput, call: ts.CallExpression, callee: string, entry: BlockingCall | undefined): { fix?: Fix; refused?: RefusedFix } {
  const plan = input.imports.plan(input.style);
  const r = twinReplacement(input, plan, call, callee, entry);
  if (!r) return {};
  const title = `Use \`${r.label}\`${r.note ? ` ${r.note}` : ''}`;
  const asyncPlan = ensureAsync(input.sf, call, input.handlerEnds);
  if (!asyncPlan.ok) return { refused: { title, reason: asyncPlan.reason } };
  const edits: TextEdit[] = [...plan.edits(), ...asyncPlan.edits, r.edit];
  const safe = r.dropIn && !asyncPlan.madeAsync;
  return { fix: { title: asyncPlan.madeAsync ? `${title} and make the callback async` : title, safety: safe ? 'safe' : 'suggestion', edits } };
}
