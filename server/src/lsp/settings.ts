/**
 * The one settings schema. It generates package.json `contributes.configuration`
 * (`npm run gen:settings`, checked by a drift test) and resolves the raw values a client sends:
 * every field may be missing or wrong; a wrong value is reported once and ignored.
 */
import type { RuleLevel } from '../engine/config';
import { configurableRuleIds } from '../engine/config-parse';
import type { CodeRole } from '../engine/model';
import { CODE_ROLES } from '../engine/roles';

export type SettingScope = 'application' | 'window' | 'resource';

interface SettingBase {
  readonly key: string;
  readonly scope: SettingScope;
  readonly description: string;
}

export type SettingSpec =
  | (SettingBase & { readonly type: 'boolean'; readonly default: boolean })
  | (SettingBase & { readonly type: 'number'; readonly default: number; readonly minimum?: number; readonly maximum?: number })
  | (SettingBase & { readonly type: 'string'; readonly default: string; readonly enum: readonly string[] })
  | (SettingBase & { readonly type: 'object'; readonly default: Record<string, string>; readonly valueEnum: readonly string[]; readonly keys: readonly string[]; readonly keyKind: string });

const LEVELS: readonly RuleLevel[] = ['error', 'warning', 'info', 'hint', 'off'];
/** The ids `asyncBoundary.rules` may name: the same as the config file's `rules`. */
const RULE_IDS: readonly string[] = configurableRuleIds();

/** Every setting, in the order the settings UI shows them. */
export const SETTINGS = [
  { key: 'asyncBoundary.enable', type: 'boolean', default: true, scope: 'resource', description: 'Analyse files and report async-boundary problems.' },
  {
    key: 'asyncBoundary.debounceMs',
    type: 'number',
    default: 150,
    minimum: 0,
    maximum: 5000,
    scope: 'resource',
    description: 'Milliseconds to wait after the last keystroke before re-analysing a document.',
  },
  {
    key: 'asyncBoundary.rules',
    type: 'object',
    default: {},
    valueEnum: LEVELS,
    keys: RULE_IDS,
    keyKind: 'rule',
    scope: 'resource',
    description: 'Per-rule levels (`error`, `warning`, `info`, `hint`, `off`), applied over the `rules` of `.async-boundary.json`.',
  },
  {
    key: 'asyncBoundary.roles',
    type: 'object',
    default: {},
    valueEnum: LEVELS,
    keys: CODE_ROLES,
    keyKind: 'role',
    scope: 'resource',
    description:
      'Per-role levels (`error`, `warning`, `info`, `hint`, `off`), applied over the `roles` of `.async-boundary.json`: the loudest severity findings in code of that role get. By default `test`, `bench`, `example`, `browser` and `generated` (minified) are `off` (an open test file shows nothing), and `startup` and `script` are `hint`; `{ "test": "warning" }` shows findings in tests.',
  },
  {
    key: 'asyncBoundary.decorations.enabled',
    type: 'boolean',
    default: true,
    scope: 'window',
    description: 'Mark yield points in the gutter and after the keyword, and tint the code that runs while a lock is held.',
  },
  {
    key: 'asyncBoundary.inlayHints.enabled',
    type: 'boolean',
    default: false,
    scope: 'resource',
    description: 'Show yield points as inlay hints (the decorations show the same; other editors get the hints by default).',
  },
  {
    key: 'asyncBoundary.trace.server',
    type: 'string',
    default: 'off',
    enum: ['off', 'messages', 'verbose'],
    scope: 'window',
    description: 'Log the messages between VS Code and the async-boundary language server to the output channel.',
  },
] as const satisfies readonly SettingSpec[];

/** Settings as the server uses them, every field resolved. */
export interface Settings {
  readonly enable: boolean;
  readonly debounceMs: number;
  readonly rules: Readonly<Record<string, RuleLevel>>;
  readonly roles: Readonly<Partial<Record<CodeRole, RuleLevel>>>;
  readonly decorationsEnabled: boolean;
  /** `undefined` when the client did not set it: the server then picks by client (see `InitializationOptions`). */
  readonly inlayHintsEnabled: boolean | undefined;
}

export const DEFAULT_SETTINGS: Settings = Object.freeze({ enable: true, debounceMs: 150, rules: Object.freeze({}), roles: Object.freeze({}), decorationsEnabled: true, inlayHintsEnabled: undefined });

/** Reads a dotted key from the `asyncBoundary` section, nested (`{inlayHints:{enabled}}`) or flat (`{'inlayHints.enabled': …}`). */
function lookup(section: Record<string, unknown>, key: string): unknown {
  const path = key.split('.').slice(1);
  const flat = section[path.join('.')];
  if (flat !== undefined) return flat;
  let node: unknown = section;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Why a value does not fit its spec, or `undefined` when it does. */
function problem(spec: SettingSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected `true` or `false`';
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'expected a number';
      if ((spec.minimum !== undefined && value < spec.minimum) || (spec.maximum !== undefined && value > spec.maximum)) return `expected a number from ${spec.minimum} to ${spec.maximum}`;
      return undefined;
    case 'string':
      return typeof value === 'string' && spec.enum.includes(value) ? undefined : `expected one of ${spec.enum.map((e) => `\`${e}\``).join(', ')}`;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected an object';
      const unknown = Object.keys(value).find((k) => !spec.keys.includes(k));
      if (unknown !== undefined) return `\`${unknown}\` is not a ${spec.keyKind}: use ${spec.keys.map((r) => `\`${r}\``).join(', ')}`;
      const bad = Object.entries(value).filter(([, v]) => typeof v !== 'string' || !spec.valueEnum.includes(v));
      return bad.length === 0 ? undefined : `\`${bad[0]![0]}\` must be one of ${spec.valueEnum.map((e) => `\`${e}\``).join(', ')}`;
    }
  }
}

/**
 * Resolves the raw `asyncBoundary` section (whatever `workspace/configuration` returned, `null`
 * included) into {@link Settings}. Wrong values fall back to their default and are reported through
 * `onInvalid` as a message naming the key.
 */
export function resolveSettings(raw: unknown, onInvalid: (message: string) => void): Settings {
  if (raw === null || typeof raw !== 'object') return DEFAULT_SETTINGS;
  const section = raw as Record<string, unknown>;
  const get = <T>(key: (typeof SETTINGS)[number]['key'], fallback: T): T => {
    const spec = SETTINGS.find((s) => s.key === key)! as SettingSpec;
    const value = lookup(section, key);
    if (value === undefined || value === null) return fallback;
    const why = problem(spec, value);
    if (why) {
      onInvalid(`Setting \`${key}\` has an invalid value ${JSON.stringify(value)}: ${why}; using the default`);
      return fallback;
    }
    return value as T;
  };
  return {
    enable: get('asyncBoundary.enable', DEFAULT_SETTINGS.enable),
    debounceMs: get('asyncBoundary.debounceMs', DEFAULT_SETTINGS.debounceMs),
    rules: get('asyncBoundary.rules', DEFAULT_SETTINGS.rules),
    roles: get('asyncBoundary.roles', DEFAULT_SETTINGS.roles),
    decorationsEnabled: get('asyncBoundary.decorations.enabled', DEFAULT_SETTINGS.decorationsEnabled),
    inlayHintsEnabled: get<boolean | undefined>('asyncBoundary.inlayHints.enabled', undefined),
  };
}

/** The package.json `contributes.configuration` block generated from {@link SETTINGS}. */
export function configurationContribution(): { title: string; properties: Record<string, unknown> } {
  const properties: Record<string, unknown> = {};
  for (const s of SETTINGS as readonly SettingSpec[]) {
    const p: Record<string, unknown> = { type: s.type, default: s.default, scope: s.scope, markdownDescription: s.description };
    if (s.type === 'number') {
      if (s.minimum !== undefined) p.minimum = s.minimum;
      if (s.maximum !== undefined) p.maximum = s.maximum;
    }
    if (s.type === 'string') p.enum = [...s.enum];
    if (s.type === 'object') p.additionalProperties = { type: 'string', enum: [...s.valueEnum] };
    properties[s.key] = p;
  }
  return { title: 'Async Boundary', properties };
}
