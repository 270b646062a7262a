// What the language server's cross-file index keeps for as long as a project is open: each file's
// summary, made plain and of its own (`detachedSummary`), and no memo that holds on to file texts.
// V8 keeps a substring as a slice of its parent string, so one name kept from a file keeps the whole
// file: on the TS bench corpus the summaries held 9 MB of sources that way, and the I/O memo of
// `isIoCall` 2 MB more (read from heap snapshots of the server after a workspace scan; a snapshot
// takes half a minute of CPU, too long for this suite, so the tests here check the copy's shape).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isIoCall } from '../../server/src/engine/catalog';
import { FRONTENDS, frontendForPath } from '../../server/src/project/languages';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';
import { detachedSummary, newLinker } from '../../server/src/project/summaries';
import { crossFileProjects } from './cross-file.test';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else if (frontendForPath(full)) out.push(full);
  }
  return out.sort();
}

/** Every object and array reachable from `v`, once each. */
function objectsOf(v: unknown, out = new Set<object>()): Set<object> {
  if (typeof v === 'object' && v !== null && !out.has(v)) {
    out.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) objectsOf(x, out);
  }
  return out;
}

describe('cross-file index memory', () => {
  it('a detached summary equals the summary, shares no object with it, keeps its sharing, and links the same', async () => {
    let summaries = 0;
    let shared = 0;
    for (const project of crossFileProjects()) {
      const files = filesUnder(project.dir).map((path) => ({ path, text: readFileSync(path, 'utf8'), shown: relative(project.dir, path) }));
      const layout = await readProjectLayout(files.map((f) => f.path));
      const made = analyzeProject(files, layout).summaries;
      const detached = new Map([...made].map(([path, s]) => [path, detachedSummary(s)] as const));
      for (const [path, s] of made) {
        const copy = detached.get(path)!;
        assert.deepStrictEqual(copy, s, `${project.name}: ${path}`);
        assert.equal(JSON.stringify(copy), JSON.stringify(s));
        const mine = objectsOf(s);
        const theirs = objectsOf(copy);
        for (const o of theirs) assert.ok(!mine.has(o), `${project.name}: ${path}: the copy shares an object with the summary`);
        // A hop common to several refs of an export stays one object.
        assert.equal(theirs.size, mine.size, `${project.name}: ${path}: objects`);
        summaries++;
        if (JSON.stringify(s).length > 0 && mine.size < countPaths(s)) shared++;
      }
      const before = newLinker(made.values(), layout);
      const after = newLinker(detached.values(), layout);
      for (const path of made.keys()) assert.deepStrictEqual(after.importsFor(path), before.importsFor(path), `${project.name}: ${path}: imports`);
    }
    assert.ok(summaries > 50, `${summaries} summaries`);
    assert.ok(shared > 0, 'some summary shares hops between its refs');
  });

  it('isIoCall answers as a scan of the catalog would, by exact name or by prefix', () => {
    let checked = 0;
    for (const frontend of FRONTENDS) {
      const io = frontend.catalog.io;
      const prefixes = io.filter((e) => e.endsWith('.') || e.endsWith('::'));
      const names = new Set<string>(['', '.', '::', ':', 'x', 'fetch.x']);
      for (const e of io) {
        names.add(e);
        names.add(`${e}x`);
        names.add(`${e}.x`);
        names.add(`${e}::x`);
        names.add(e.slice(0, -1));
        names.add(`x.${e}`);
        names.add(`${e}:`);
      }
      for (const p of prefixes) names.add(`${p}a.b::c`);
      for (const name of names) {
        const expected = io.includes(name) || prefixes.some((p) => name.startsWith(p));
        assert.equal(isIoCall(frontend.catalog, name), expected, `${frontend.language}: ${JSON.stringify(name)}`);
        checked++;
      }
      // The answers are the same the second time (nothing remembered changes them).
      for (const name of names) assert.equal(isIoCall(frontend.catalog, name), io.includes(name) || prefixes.some((p) => name.startsWith(p)));
    }
    assert.ok(checked > 500, `${checked} names`);
  });
});

/** How many objects `v` would hold if nothing were shared. */
function countPaths(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 1;
  for (const x of Array.isArray(v) ? v : Object.values(v)) n += countPaths(x);
  return n;
}
