/**
 * Limits on the wildcards of a config glob. picomatch compiles globs to backtracking regular
 * expressions: every `*` inside a path segment and every `**` between literal segments multiplies
 * the work on a path that almost matches. Measured on this machine: `a*a*a*a*a*a*a*a*b` takes
 * 2.4 s on one 41-character name and `**` + `/a/` five times takes 7.5 s on a 40-folder path.
 * The config is workspace data (an untrusted repository may ship it), so a pattern past these
 * limits is refused with an error instead of being able to stall the CLI. Text in, message out: no IO.
 */

/** Most `*` runs and extglobs in one path segment (`*.test.*` has two). */
export const MAX_STARS_PER_SEGMENT = 2;
/** Most `*` runs and extglobs in a whole pattern, outside `**` segments. */
export const MAX_STARS = 4;
/** Most `**` segments separated by other segments (`**` + `/**` counts once). */
export const MAX_GLOBSTARS = 3;
/** Most wildcards of both kinds together. */
export const MAX_WILDCARDS = 6;

/**
 * The variable-width wildcards of a segment: each unescaped run of `*`, and each extglob
 * (`*(…)`, `+(…)`, `?(…)`, `@(…)`, `!(…)`), outside `[…]` classes.
 */
function wildcards(segment: string): number {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if ('*+?@!'.includes(c) && segment[i + 1] === '(') {
      count++; // `+(a)+(a)+(a)+(a)x` took 3.6 s on a 255-character name
      i++;
    } else if (c === '*' && segment[i - 1] !== '*') count++;
  }
  return count;
}

/**
 * Why a glob could make matching slow, or `undefined` when it is within the limits. Brace and
 * extglob alternatives are not expanded: their stars count as if all were in sequence, which is
 * the conservative side.
 */
export function globComplexityProblem(pattern: string): string | undefined {
  let globstars = 0;
  let stars = 0;
  let previousWasGlobstar = false;
  for (const segment of pattern.split('/')) {
    if (segment === '**') {
      if (!previousWasGlobstar) globstars++;
      previousWasGlobstar = true;
      continue;
    }
    previousWasGlobstar = false;
    const runs = wildcards(segment);
    if (runs > MAX_STARS_PER_SEGMENT) return `has ${runs} \`*\` or extglob wildcards in the segment \`${segment}\`, more than the limit of ${MAX_STARS_PER_SEGMENT} (matching slows down exponentially): use fewer \`*\` per segment`;
    stars += runs;
  }
  if (globstars > MAX_GLOBSTARS) return `has ${globstars} separate \`**\` segments, more than the limit of ${MAX_GLOBSTARS} (matching slows down exponentially): use fewer \`**\``;
  if (stars > MAX_STARS) return `has ${stars} \`*\` wildcards, more than the limit of ${MAX_STARS} (matching slows down exponentially): use fewer wildcards`;
  if (globstars + stars > MAX_WILDCARDS) return `has ${globstars + stars} wildcards (\`*\` and \`**\`), more than the limit of ${MAX_WILDCARDS} (matching slows down exponentially): use fewer wildcards`;
  return undefined;
}
