// Cross-file fixture projects: each folder under `test/fixtures/<lang>/cross-file/` is a small
// project. Every file is summarised, the summaries are linked, and each file's findings must equal
// its `expect:` markers (a line without one must produce nothing), as in the per-file fixtures.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { frontendForPath } from '../../server/src/project/languages';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';

const ROOT = join(__dirname, '..', 'fixtures');
const MARKER = /(?:\/\/|#|--|\/\*)\s*expect:\s*([a-z0-9-]+(?:@[a-z]+)?(?:\s*,\s*[a-z0-9-]+(?:@[a-z]+)?)*)/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else if (frontendForPath(full)) out.push(full);
  }
  return out.sort();
}

function expectedKeys(text: string): string[] {
  const keys: string[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) for (const rule of m[1]!.split(',')) keys.push(`${i + 1}:${rule.trim()}`);
  });
  return keys.sort();
}

/** The cross-file fixture projects, by language. */
export function crossFileProjects(): { lang: string; name: string; dir: string }[] {
  const out: { lang: string; name: string; dir: string }[] = [];
  if (!existsSync(ROOT)) return out;
  for (const lang of readdirSync(ROOT)) {
    const base = join(ROOT, lang, 'cross-file');
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) if (statSync(join(base, name)).isDirectory()) out.push({ lang, name, dir: join(base, name) });
  }
  return out;
}

/** Analyses a fixture project with its links; findings as `line:rule` per file (relative path). */
export async function projectFindings(dir: string): Promise<Map<string, { keys: string[]; detail: string }>> {
  const files = filesUnder(dir).map((path) => ({ path, text: readFileSync(path, 'utf8'), shown: relative(dir, path), options: { location: { projectPath: relative(dir, path) }, onError: (where: string, e: unknown) => assert.fail(`${where}: ${String(e)}`) } }));
  const { analyses } = analyzeProject(files, await readProjectLayout(files.map((f) => f.path)));
  const out = new Map<string, { keys: string[]; detail: string }>();
  for (const f of files) {
    const a = analyses.get(f.path)!;
    const keys = a.findings.map((x) => `${a.lines.position(x.span.start).line + 1}:${x.rule}${x.role && x.role !== 'production' ? `@${x.role}` : ''}`).sort();
    const detail = a.findings.map((x) => `  ${a.lines.position(x.span.start).line + 1}: ${x.rule}: ${x.message}`).join('\n');
    out.set(relative(dir, f.path), { keys, detail });
  }
  return out;
}

describe('cross-file fixture projects', () => {
  for (const project of crossFileProjects()) {
    it(`${project.lang}/${project.name}`, async () => {
      const found = await projectFindings(project.dir);
      assert.ok(found.size >= 2, 'a cross-file fixture has several files');
      for (const [file, { keys, detail }] of found) {
        const expected = expectedKeys(readFileSync(join(project.dir, file), 'utf8'));
        assert.deepEqual(keys, expected, `${project.name}/${file}: findings differ from the markers\n${detail}`);
      }
    });
  }
});
