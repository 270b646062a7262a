// `npm ci` prints no EBADENGINE warning on the Node versions the project declares (issue 16): every
// package of the lock file accepts the first release of each supported Node major in `engines.node`.
// The ranges are read with a small reader of the forms npm packages write (`>=`, `^`, `~`, `x || y`,
// bare majors); a form it does not know fails the test instead of passing it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

type Version = readonly [number, number, number];
/** One comparator set: every bound must hold. */
type Bounds = readonly { readonly op: '>=' | '>' | '<' | '<=' | '='; readonly v: Version }[];

const cmp = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** A range as the comparator sets it is the union of. */
export function parseRange(range: string): Bounds[] {
  return range.split('||').map((set) => {
    const bounds: { op: '>=' | '>' | '<' | '<=' | '='; v: Version }[] = [];
    for (const part of set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/)) {
      if (part === '' || part === '*' || part === 'x') continue;
      const m = /^(>=|<=|>|<|=|\^|~)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(part);
      if (!m) throw new Error(`unknown range syntax \`${part}\` in \`${range}\``);
      const [, op, major, minor, patch] = m;
      const nums = [major, minor, patch].map((n) => (n === undefined || n === 'x' || n === '*' ? undefined : Number(n)));
      const v: Version = [nums[0]!, nums[1] ?? 0, nums[2] ?? 0];
      const partial = nums[1] === undefined ? 0 : nums[2] === undefined ? 1 : 2;
      if (op === '^' || op === '~' || (op === undefined && partial < 2)) {
        bounds.push({ op: '>=', v });
        // The next version the range excludes.
        const caretUpper: Version = v[0] > 0 || partial === 0 ? [v[0] + 1, 0, 0] : [0, v[1] + 1, 0];
        const upper: Version = op === '^' ? caretUpper : partial === 0 ? [v[0] + 1, 0, 0] : [v[0], v[1] + 1, 0];
        bounds.push({ op: '<', v: upper });
      } else bounds.push({ op: (op ?? '=') as '>=' | '>' | '<' | '<=' | '=', v });
    }
    return bounds;
  });
}

export function satisfies(version: Version, range: string): boolean {
  return parseRange(range).some((set) =>
    set.every(({ op, v }) => {
      const c = cmp(version, v);
      return op === '>=' ? c >= 0 : op === '>' ? c > 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : c === 0;
    }),
  );
}

/** The lowest version of each Node major from 18 to 40 that `range` accepts. */
function firstOfEachMajor(range: string): Version[] {
  const out: Version[] = [];
  for (let major = 18; major <= 40; major++) {
    const lows = parseRange(range)
      .flatMap((set) => set.filter((b) => b.op === '>=' && b.v[0] === major).map((b) => b.v))
      .concat([[major, 0, 0]]);
    const first = lows.filter((v) => satisfies(v, range)).sort(cmp)[0];
    if (first) out.push(first);
  }
  return out;
}

describe('npm ci on the supported Node versions', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

  it('reads ranges as npm does', () => {
    assert.ok(satisfies([20, 19, 0], '>=20.19'));
    assert.ok(!satisfies([20, 18, 9], '>=20.19'));
    assert.ok(satisfies([22, 13, 0], '^20.19.0 || ^22.13.0 || >=24'));
    assert.ok(!satisfies([22, 12, 0], '^20.19.0 || ^22.13.0 || >=24'));
    assert.ok(!satisfies([23, 0, 0], '^20.19.0 || ^22.13.0 || >=24'));
    assert.ok(satisfies([20, 5, 0], '18 || 20 || >=22') && !satisfies([21, 0, 0], '18 || 20 || >=22'));
    assert.ok(satisfies([14, 17, 0], '>=16 || 14 >=14.17') && !satisfies([14, 16, 0], '>=16 || 14 >=14.17'));
    assert.ok(satisfies([20, 0, 0], '>= 20') && satisfies([0, 4, 0], '>= 0.4') && satisfies([1, 0, 0], '*'));
    assert.throws(() => parseRange('node@latest'), /unknown range syntax/);
  });

  it('the Node running the tests is one the project supports', () => {
    const [major, minor, patch] = process.versions.node.split('.').map(Number) as [number, number, number];
    assert.ok(satisfies([major, minor, patch], pkg.engines.node), `${process.versions.node} against ${pkg.engines.node}`);
  });

  it('every package in package-lock.json accepts the first supported release of each Node major', () => {
    const versions = firstOfEachMajor(pkg.engines.node);
    assert.ok(versions.length > 0);
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (range === undefined || path === '') continue;
      for (const v of versions) if (!satisfies(v, range)) refused.push(`${path.replace(/^.*node_modules\//, '')} (${range}) refuses Node ${v.join('.')}`);
    }
    assert.deepEqual(refused, [], `npm ci warns EBADENGINE on a Node version package.json's engines.node (${pkg.engines.node}) accepts`);
  });
});
