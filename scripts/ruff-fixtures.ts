/**
 * Scores the Python frontend against Ruff's own test fixtures for the rules async-boundary covers
 * (flake8-async's ASYNC2xx and Ruff's RUF006), reading them from a git snapshot of
 * astral-sh/ruff (MIT), never from a copy in this repository.
 *
 * Ruff's expected diagnostics are its insta snapshots (`--> ASYNC210.py:8:5`): a fixture line is a
 * positive when Ruff's snapshot reports it, a negative otherwise. For every rule the script prints
 * how many of Ruff's positives async-boundary reports (on the same line, by the mapped rule), and
 * every line it reports that Ruff does not, so each difference can be read.
 *
 *   npx tsx scripts/ruff-fixtures.ts [--ruff GIT_DIR] [--rev REV] [--json]
 *
 * GIT_DIR defaults to `/work/.mirror/astral-sh+ruff/repo` (what `fetch github:astral-sh/ruff`
 * leaves), or `$RUFF_GIT_DIR`; REV defaults to HEAD.
 */
import { execFileSync } from 'node:child_process';
import { DEFAULT_CONFIG } from '../server/src/engine/config';
import { initFrontends } from '../server/src/languages';
import { analyze } from '../server/src/project/analyze';

interface Case {
  /** Ruff's rule code(s) whose snapshots list the positives of this fixture. */
  readonly ruff: readonly string[];
  readonly fixture: string;
  readonly snapshots: readonly string[];
  /** The async-boundary rule that answers it. */
  readonly rule: string;
}

const ASYNC = 'crates/ruff_linter/resources/test/fixtures/flake8_async';
const ASYNC_SNAP = 'crates/ruff_linter/src/rules/flake8_async/snapshots/ruff_linter__rules__flake8_async__tests__';
const blocking = (code: string, file = `${code}.py`): Case => ({ ruff: [code], fixture: `${ASYNC}/${file}`, snapshots: [`${ASYNC_SNAP}${code}_${file}.snap`], rule: 'blocking-in-async' });

const CASES: readonly Case[] = [
  blocking('ASYNC210'),
  blocking('ASYNC212'),
  { ruff: ['ASYNC220', 'ASYNC221', 'ASYNC222'], fixture: `${ASYNC}/ASYNC22x.py`, snapshots: ['ASYNC220', 'ASYNC221', 'ASYNC222'].map((c) => `${ASYNC_SNAP}${c}_ASYNC22x.py.snap`), rule: 'blocking-in-async' },
  blocking('ASYNC230'),
  blocking('ASYNC240'),
  blocking('ASYNC250'),
  blocking('ASYNC251'),
  {
    ruff: ['RUF006'],
    fixture: 'crates/ruff_linter/resources/test/fixtures/ruff/RUF006.py',
    snapshots: ['crates/ruff_linter/src/rules/ruff/snapshots/ruff_linter__rules__ruff__tests__RUF006_RUF006.py.snap'],
    rule: 'detached-task',
  },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function show(gitDir: string, rev: string, path: string): string {
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${rev}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** 1-based lines Ruff reports in a snapshot (`--> FILE:LINE:COL`). */
function snapshotLines(snap: string): Set<number> {
  const lines = new Set<number>();
  for (const m of snap.matchAll(/^\s*-->\s+[^:\s]+:(\d+):\d+/gm)) lines.add(Number(m[1]));
  return lines;
}

async function main(): Promise<void> {
  const gitDir = arg('--ruff') ?? process.env['RUFF_GIT_DIR'] ?? '/work/.mirror/astral-sh+ruff/repo';
  const rev = arg('--rev') ?? 'HEAD';
  const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', rev], { encoding: 'utf8' }).trim();
  await initFrontends();
  const rows: { ruff: string; expected: number; caught: number; missed: number[]; extra: { line: number; code: string }[] }[] = [];
  for (const c of CASES) {
    const text = show(gitDir, commit, c.fixture);
    const expected = new Set<number>();
    for (const s of c.snapshots) for (const l of snapshotLines(show(gitDir, commit, s))) expected.add(l);
    const analysis = analyze({ path: c.fixture.split('/').pop()!, text }, DEFAULT_CONFIG, { onError: (where, e) => { throw new Error(`${where}: ${String(e)}`); } });
    const ours = new Set<number>();
    for (const f of analysis?.findings ?? []) if (f.rule === c.rule) ours.add(text.slice(0, f.span.start).split('\n').length);
    const lines = text.split('\n');
    const caught = [...expected].filter((l) => ours.has(l)).length;
    const missed = [...expected].filter((l) => !ours.has(l)).sort((a, b) => a - b);
    const extra = [...ours].filter((l) => !expected.has(l)).sort((a, b) => a - b).map((line) => ({ line, code: lines[line - 1]!.trim() }));
    rows.push({ ruff: c.ruff.join('/'), expected: expected.size, caught, missed, extra });
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ commit, rows }, null, 2) + '\n');
    return;
  }
  console.log(`Ruff ${commit.slice(0, 12)} fixtures, async-boundary's findings on the lines Ruff's snapshots report:`);
  let total = 0;
  let hit = 0;
  for (const r of rows) {
    total += r.expected;
    hit += r.caught;
    console.log(`  ${r.ruff.padEnd(26)} ${String(r.caught).padStart(3)}/${String(r.expected).padEnd(3)} caught; ${r.extra.length} other line(s) reported`);
    for (const l of r.missed) console.log(`      missed line ${l}`);
    for (const e of r.extra) console.log(`      also reported line ${e.line}: ${e.code}`);
  }
  console.log(`  total                      ${hit}/${total} (${((100 * hit) / Math.max(1, total)).toFixed(1)} %)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
