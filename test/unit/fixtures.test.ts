// Rule fixtures: every `expect: <rule-id>` marker is a finding that must be reported on its line,
// and every line without one must produce nothing. `<name>.fixed.<ext>` beside a fixture is the
// text after applying the first fix of every finding (with the dependencies of a manifest among the
// fixtures, as the server reads them). UPDATE_FIXTURES=1 rewrites the `.fixed` files there are;
// UPDATE_FIXTURES=new also writes one for every fixture whose fixes change it (then review them: a
// fixture may have none by choice). FIXTURES_ROOT reads the fixtures from another folder.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { analyze } from '../../server/src/project/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { fixAllText } from '../../server/src/engine/fix-all';
import { frontendForPath } from '../../server/src/languages';
import { Manifests } from '../../server/src/lsp/manifest';

const ROOT = process.env.FIXTURES_ROOT ?? join(__dirname, '..', 'fixtures');
const UPDATE = process.env.UPDATE_FIXTURES;
/** Rewrite `.fixed` files with the current output, and create missing ones too. */
const REFRESH = UPDATE === '1' || UPDATE === 'new';
const CREATE = UPDATE === 'new';
const MARKER = /(?:\/\/|#|--|\/\*)\s*expect:\s*([a-z0-9-]+(?:@[a-z]+)?(?:\s*,\s*[a-z0-9-]+(?:@[a-z]+)?)*)/;

function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    // Cross-file projects are checked with their links, by cross-file.test.ts.
    if (entry === 'cross-file') continue;
    if (statSync(full).isDirectory()) out.push(...fixtureFiles(full));
    else if (!/\.fixed\.[^.]+$/.test(entry) && frontendForPath(full)) out.push(full);
  }
  return out.sort();
}

/** `line:rule` keys expected by the markers, with multiplicity. */
function expectedKeys(text: string): string[] {
  const keys: string[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) for (const rule of m[1]!.split(',')) keys.push(`${i + 1}:${rule.trim()}`);
  });
  return keys.sort();
}

/**
 * Role fixtures live under `<lang>/roles/`, in folders named like the project paths they stand for
 * (`roles/tests/api.rs` is a file at `tests/api.rs` in its project): the path below `roles/` is the
 * file's project path. Other fixtures have no project path, so only their syntax gives roles.
 */
function fixtureLocation(file: string): { projectPath: string } | undefined {
  const parts = relative(ROOT, file).split(/[\\/]/);
  return parts[1] === 'roles' ? { projectPath: parts.slice(2).join('/') } : undefined;
}

const MANIFESTS = ['package.json', 'Cargo.toml', 'pyproject.toml', 'requirements.txt'];

/**
 * The fix context of a fixture: the dependencies of a manifest beside it or in a folder above it
 * within the fixtures (a fixture project that depends on httpx gets the httpx rewrite), as the
 * server reads them; none when no manifest sits under `test/fixtures`.
 */
function fixtureContext(file: string): { dependencies: ReadonlySet<string>; versions: ReadonlyMap<string, string> } | undefined {
  for (let dir = dirname(file); dir.startsWith(ROOT); dir = dirname(dir)) {
    if (MANIFESTS.some((m) => existsSync(join(dir, m)))) return new Manifests().fixContextFor(file);
  }
  return undefined;
}

export function fixedPath(file: string): string {
  const ext = extname(file);
  return file.slice(0, -ext.length) + '.fixed' + ext;
}

describe('rule fixtures', () => {
  if (!existsSync(ROOT)) return;
  for (const file of fixtureFiles(ROOT)) {
    const name = relative(ROOT, file);
    it(name, () => {
      const text = readFileSync(file, 'utf8');
      const location = fixtureLocation(file);
      const analysis = analyze({ path: file, text }, DEFAULT_CONFIG, { ...(location ? { location } : {}), onError: (where, e) => assert.fail(`${where}: ${String(e)}`) });
      assert.ok(analysis, `no frontend for ${name}`);
      const actual = analysis.findings.map((f) => `${analysis.lines.position(f.span.start).line + 1}:${f.rule}${f.role && f.role !== 'production' ? `@${f.role}` : ''}`).sort();
      const expected = expectedKeys(text);
      if (basename(file).startsWith('valid-')) assert.deepEqual(expected, [], `${name}: valid-* fixtures carry no markers`);
      const detail = analysis.findings.map((f) => `  ${analysis.lines.position(f.span.start).line + 1}: ${f.rule}: ${f.message}`).join('\n');
      assert.deepEqual(actual, expected, `${name}: findings differ from the markers\n${detail}`);
    });
    const fixed = fixedPath(file);
    if (existsSync(fixed) || CREATE) {
      it(`${name} (fixed)`, function () {
        const text = readFileSync(file, 'utf8');
        const analysis = analyze({ path: file, text })!;
        const ctx = fixtureContext(file);
        const after = fixAllText(analysis, { safeOnly: false, ...(ctx ? { ctx } : {}) });
        if (after === text && !existsSync(fixed)) return this.skip();
        assert.equal(frontendForPath(file)!.syntaxErrors(after, file), 0, `${name}: the fixed text does not parse`);
        const again = analyze({ path: file, text: after })!;
        assert.ok(again.findings.length < analysis.findings.length, `${name}: fixing removed no finding`);
        if (REFRESH) writeFileSync(fixed, after);
        else assert.equal(after, readFileSync(fixed, 'utf8'), `${name}: fixed output differs from ${basename(fixed)} (UPDATE_FIXTURES=1 rewrites it)`);
      });
    }
  }
});
