/**
 * An attempt cap that applies only while a configured limit is set: `if max > 0 && attempt > max`
 * (serf's `retryJoin`, whose `RetryMaxAttempts` defaults to 0), `if (this.maxRetries && n >= this.maxRetries)`,
 * `if max_retries is not None and attempt >= max_retries`. With the limit off, nothing stops the
 * retries, so the frontends do not count such a test as a cap; the message says when it is skipped.
 * Plain text in, plain data out: every frontend reads the condition as written.
 */
import type { CapSwitch } from './model';
import { escapeRegExp } from './regexp';

const NAME = String.raw`[A-Za-z_$][\w$]*(?:(?:\.|->|::)[A-Za-z_$][\w$]*(?:\(\))?)*`;

/** The guard conjunct, and what value of the limit turns the cap off. */
const GUARDS: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [new RegExp(`^(${NAME})\\s*(?:>|!==?)\\s*0[LlUu]*$`), () => 'is 0'],
  [new RegExp(`^(${NAME})\\s*>=\\s*1[LlUu]*$`), () => 'is 0'],
  [new RegExp(`^0[LlUu]*\\s*(?:<|!==?)\\s*(${NAME})$`), () => 'is 0'],
  [new RegExp(`^(${NAME})\\s*(?:>=\\s*0|>\\s*-\\s*1|!==?\\s*-\\s*1)[LlUu]*$`), (m) => (/-/.test(m[0].slice(m[1]!.length)) ? 'is -1' : 'is negative')],
  [new RegExp(`^(${NAME})\\s*!==?\\s*(nil|null|None|undefined)$`), (m) => `is ${m[2]}`],
  [new RegExp(`^(${NAME})\\s+is\\s+not\\s+None$`), () => 'is None'],
  [new RegExp(`^(${NAME})\\.is_some\\(\\)$`), () => 'is None'],
  // A bare limit as a condition (JS and Python truthiness): off when it is 0 or not set.
  [new RegExp(`^(${NAME})$`), () => 'is 0 or not set'],
];

/** Splits a condition at its top-level `&&` / `and`, outer parentheses removed. */
function conjuncts(condition: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const text = strip(condition);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (depth === 0 && text.startsWith('&&', i)) {
      out.push(text.slice(start, i));
      start = i + 2;
      i++;
    } else if (depth === 0 && /^\sand\s/.test(text.slice(i, i + 5))) {
      out.push(text.slice(start, i));
      start = i + 4;
      i += 3;
    }
  }
  out.push(text.slice(start));
  return out.map(strip);
}

function strip(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

const LITERAL = String.raw`-?\s*\d[\d_.]*(?:[eE][-+]?\d+)?[LlUuFfDd]*`;

/**
 * The name is the attempt counter, not a limit: it is compared with a number
 * (`attempt and attempt >= 3`), or the loop counts with it (`attempt++`, `attempt += 1`, `n = n + 1`); a
 * limit read into a local in the loop (`const max = this.options.maxRetries`) is still the limit.
 * A guard on the counter (`attempt > 0 && attempt >= this.maxRetries`) leaves the cap on every path.
 */
function isCounter(name: string, parts: readonly string[], guard: string, loopText: string | undefined): boolean {
  const againstLiteral = new RegExp(String.raw`^(?:${name}\s*(?:<=?|>=?|===?|!==?)\s*${LITERAL}|${LITERAL}\s*(?:<=?|>=?|===?|!==?)\s*${name})$`);
  if (parts.some((p) => p !== guard && againstLiteral.test(p))) return true;
  if (loopText === undefined) return false;
  // Counting only: `attempt++`, `attempt += 1`, `attempt = attempt + 1`; reading the limit into a local (`max := cfg.Max`) is not.
  const counted = new RegExp(String.raw`(?:^|[^\w$.])${name}\s*(?:\+\+|--|[-+]=(?!=)|:?=\s*${name}\s*[-+])|(?:\+\+|--)\s*${name}(?![\w$.(])`);
  return counted.test(loopText);
}

/**
 * The limit and when the cap is off, when `condition` (the test of an `if` that leaves the retry
 * loop) compares the attempts with a limit only after checking that the limit is set.
 * `loopText`, the loop with its header, tells the counter from the limit: a guard on the counter
 * does not switch the cap off.
 */
export function switchableCap(condition: string, loopText?: string): CapSwitch | undefined {
  const parts = conjuncts(condition.replace(/\s+/g, ' '));
  if (parts.length < 2) return undefined;
  for (const part of parts) {
    for (const [re, off] of GUARDS) {
      const m = re.exec(part);
      if (!m) continue;
      const limit = m[1]!;
      const name = escapeRegExp(limit);
      if (isCounter(name, parts, part, loopText)) continue;
      // Another conjunct compares something with the same limit: `attempt > limit`, `limit <= tries`.
      const compared = new RegExp(`(?:^|[^\\w$.])${name}\\s*(?:<=?|>=?|===?)(?!=)|(?:<=?|>=?|===?)\\s*${name}(?![\\w$.(])`);
      if (parts.some((p) => p !== part && compared.test(` ${p}`))) return { limit, when: off(m) };
    }
  }
  return undefined;
}
