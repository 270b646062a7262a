/**
 * Scores the Python frontend against Ruff's own test fixtures for the rules async-boundary covers
 * (flake8-async's ASYNC2xx and Ruff's RUF006), reading them from a git snapshot of
 * astral-sh/ruff (MIT), never from a copy in this repository.
 *
 * Which lines are Ruff's positives and negatives is decided from evidence (scripts/ruff-score.ts):
 * a positive is a line Ruff reports under a rule in scope, in the fixture's own insta snapshot
 * (`--> ASYNC210.py:8:5`) or when Ruff itself (its WebAssembly build, `@astral-sh/ruff-wasm-nodejs`)
 * runs on the fixture with every rule in scope selected; a line Ruff does not report is set aside
 * when its case's comment calls it a false negative of Ruff's; every other line of code is a
 * negative. The script prints, per fixture, the positives async-boundary reports (on the same line,
 * by the mapped rule), the negatives it reports, and every line set aside, with the reason.
 *
 *   npx tsx scripts/ruff-fixtures.ts [--ruff GIT_DIR] [--rev REV] [--json]
 *
 * GIT_DIR defaults to `/work/.mirror/astral-sh+ruff/repo` (what `fetch github:astral-sh/ruff`
 * leaves), or `$RUFF_GIT_DIR`; REV defaults to HEAD.
 */
import { execFileSync } from 'node:child_process';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { DEFAULT_CONFIG } from '../server/src/engine/config';
import { initFrontends } from '../server/src/languages';
import { analyze } from '../server/src/project/analyze';
import { classifyLines, type RuffReport } from './ruff-score';

interface Case {
  /** The fixture's own Ruff rule code(s), whose snapshots Ruff's tests assert. */
  readonly ruff: readonly string[];
  readonly fixture: string;
  readonly snapshots: readonly string[];
}

/** Ruff's rules in scope, and the async-boundary rule that answers each. */
export const IN_SCOPE: Readonly<Record<string, string>> = {
  ASYNC210: 'blocking-in-async',
  ASYNC212: 'blocking-in-async',
  ASYNC220: 'blocking-in-async',
  ASYNC221: 'blocking-in-async',
  ASYNC222: 'blocking-in-async',
  ASYNC230: 'blocking-in-async',
  ASYNC240: 'blocking-in-async',
  ASYNC250: 'blocking-in-async',
  ASYNC251: 'blocking-in-async',
  RUF006: 'detached-task',
};
const OUR_RULES = new Set(Object.values(IN_SCOPE));

const ASYNC = 'crates/ruff_linter/resources/test/fixtures/flake8_async';
const ASYNC_SNAP = 'crates/ruff_linter/src/rules/flake8_async/snapshots/ruff_linter__rules__flake8_async__tests__';
const blocking = (code: string, file = `${code}.py`): Case => ({ ruff: [code], fixture: `${ASYNC}/${file}`, snapshots: [`${ASYNC_SNAP}${code}_${file}.snap`] });

const CASES: readonly Case[] = [
  blocking('ASYNC210'),
  blocking('ASYNC212'),
  { ruff: ['ASYNC220', 'ASYNC221', 'ASYNC222'], fixture: `${ASYNC}/ASYNC22x.py`, snapshots: ['ASYNC220', 'ASYNC221', 'ASYNC222'].map((c) => `${ASYNC_SNAP}${c}_ASYNC22x.py.snap`) },
  blocking('ASYNC230'),
  blocking('ASYNC240'),
  blocking('ASYNC250'),
  blocking('ASYNC251'),
  {
    ruff: ['RUF006'],
    fixture: 'crates/ruff_linter/resources/test/fixtures/ruff/RUF006.py',
    snapshots: ['crates/ruff_linter/src/rules/ruff/snapshots/ruff_linter__rules__ruff__tests__RUF006_RUF006.py.snap'],
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
function snapshotLines(snap: string): number[] {
  return [...snap.matchAll(/^\s*-->\s+[^:\s]+:(\d+):\d+/gm)].map((m) => Number(m[1]));
}

/** What Ruff itself reports on a text with every rule in scope selected. */
export function ruffReports(ruff: Workspace, text: string): RuffReport[] {
  const diagnostics = ruff.check(text) as { code: string | null; start_location: { row: number } }[];
  return diagnostics.filter((d) => d.code !== null && d.code in IN_SCOPE).map((d) => ({ line: d.start_location.row, code: d.code!, source: 'ruff' as const }));
}

export function ruffWorkspace(): Workspace {
  return new Workspace({ ...Workspace.defaultSettings(), lint: { select: Object.keys(IN_SCOPE) } }, PositionEncoding.Utf16);
}

interface Row {
  fixture: string;
  ruff: string;
  positives: { line: number; codes: readonly string[]; sources: readonly string[]; caught: 'yes' | 'hint' | 'no'; code: string }[];
  negatives: number;
  flagged: { line: number; rule: string; code: string }[];
  aside: { line: number; reason: string; flaggedHere: boolean; code: string }[];
  /** Lines the fixture's snapshot and the Ruff run disagree on. */
  drift: { line: number; code: string; only: 'snapshot' | 'ruff' }[];
  /** Findings of other rules (not in Ruff's scope), listed, not scored. */
  other: { line: number; rule: string }[];
}

async function main(): Promise<void> {
  const gitDir = arg('--ruff') ?? process.env['RUFF_GIT_DIR'] ?? '/work/.mirror/astral-sh+ruff/repo';
  const rev = arg('--rev') ?? 'HEAD';
  const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', rev], { encoding: 'utf8' }).trim();
  await initFrontends();
  const ruff = ruffWorkspace();
  const rows: Row[] = [];
  for (const c of CASES) {
    const text = show(gitDir, commit, c.fixture);
    const lines = text.split('\n');
    const snapshot: RuffReport[] = [];
    c.snapshots.forEach((s, i) => {
      for (const line of snapshotLines(show(gitDir, commit, s))) snapshot.push({ line, code: c.ruff[i]!, source: 'snapshot' });
    });
    const run = ruffReports(ruff, text);
    const key = (r: RuffReport) => `${r.line}:${r.code}`;
    const runKeys = new Set(run.map(key));
    const snapKeys = new Set(snapshot.map(key));
    const drift: Row['drift'] = [
      // The snapshot speaks for the fixture's own rules only; a Ruff report of another rule is no drift.
      ...snapshot.filter((r) => !runKeys.has(key(r))).map((r) => ({ line: r.line, code: r.code, only: 'snapshot' as const })),
      ...run.filter((r) => c.ruff.includes(r.code) && !snapKeys.has(key(r))).map((r) => ({ line: r.line, code: r.code, only: 'ruff' as const })),
    ];
    const classes = classifyLines(text, [...snapshot, ...run]);
    const analysis = analyze({ path: c.fixture.split('/').pop()!, text }, DEFAULT_CONFIG, { onError: (where, e) => { throw new Error(`${where}: ${String(e)}`); } });
    const ours = new Map<number, { rule: string; severity: string }[]>();
    for (const f of analysis?.findings ?? []) {
      const line = analysis!.lines.position(f.span.start).line + 1;
      ours.set(line, [...(ours.get(line) ?? []), { rule: f.rule, severity: f.severity }]);
    }
    const row: Row = { fixture: c.fixture.split('/').pop()!, ruff: c.ruff.join('/'), positives: [], negatives: 0, flagged: [], aside: [], drift, other: [] };
    for (const [line, cls] of [...classes].sort((a, b) => a[0] - b[0])) {
      const here = ours.get(line) ?? [];
      const code = lines[line - 1]!.trim();
      if (cls.kind === 'positive') {
        const wanted = new Set(cls.codes.map((k) => IN_SCOPE[k]!));
        const hits = here.filter((f) => wanted.has(f.rule));
        row.positives.push({ line, codes: cls.codes, sources: cls.sources, caught: hits.length === 0 ? 'no' : hits.some((f) => f.severity !== 'hint') ? 'yes' : 'hint', code });
      } else if (cls.kind === 'negative') {
        row.negatives++;
        for (const f of here) if (OUR_RULES.has(f.rule)) row.flagged.push({ line, rule: f.rule, code });
      } else {
        row.aside.push({ line, reason: cls.reason, flaggedHere: here.some((f) => OUR_RULES.has(f.rule)), code });
      }
    }
    for (const [line, fs] of ours) for (const f of fs) if (!OUR_RULES.has(f.rule)) row.other.push({ line, rule: f.rule });
    rows.push(row);
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ commit, ruff: Workspace.version(), rows }, null, 2) + '\n');
    return;
  }
  console.log(`Ruff ${commit.slice(0, 12)} fixtures; positives: lines Ruff reports under ${Object.keys(IN_SCOPE).join(', ')} (each fixture's snapshots, and Ruff ${Workspace.version()} run with all of them selected)`);
  const total = { positives: 0, caught: 0, hints: 0, negatives: 0, flagged: 0, aside: 0 };
  for (const r of rows) {
    const caught = r.positives.filter((p) => p.caught !== 'no').length;
    const hints = r.positives.filter((p) => p.caught === 'hint').length;
    total.positives += r.positives.length;
    total.caught += caught;
    total.hints += hints;
    total.negatives += r.negatives;
    total.flagged += r.flagged.length;
    total.aside += r.aside.length;
    console.log(`  ${r.fixture.padEnd(13)} ${r.ruff.padEnd(26)} positives caught ${String(caught).padStart(3)}/${String(r.positives.length).padEnd(3)}${hints ? ` (${hints} as hints)` : ''}; negatives flagged ${r.flagged.length}/${r.negatives}; set aside ${r.aside.length}`);
    for (const p of r.positives) {
      const foreign = p.codes.filter((k) => !r.ruff.split('/').includes(k));
      if (p.caught === 'no') console.log(`      missed line ${p.line} (${p.codes.join(', ')}): ${p.code}`);
      if (foreign.length > 0) console.log(`      line ${p.line} is a positive of ${foreign.join(', ')} (the Ruff run; not this fixture's rule): ${p.code}`);
    }
    for (const f of r.flagged) console.log(`      NEGATIVE FLAGGED line ${f.line} (${f.rule}): ${f.code}`);
    for (const a of r.aside) console.log(`      set aside line ${a.line} (${a.flaggedHere ? 'reported here' : 'not reported here'}): ${a.code}\n        ${a.reason}`);
    for (const d of r.drift) console.log(`      note: line ${d.line} ${d.code} is in ${d.only === 'snapshot' ? 'the snapshot only (this Ruff release does not report it)' : 'this Ruff release only (not in the snapshot)'}`);
    if (r.other.length > 0) console.log(`      other rules here (not in Ruff's scope): ${r.other.map((o) => `${o.line} ${o.rule}`).join(', ')}`);
  }
  console.log(`  total: positives caught ${total.caught}/${total.positives} (${((100 * total.caught) / Math.max(1, total.positives)).toFixed(1)} %; ${total.hints} as hints); negatives flagged ${total.flagged}/${total.negatives}; set aside ${total.aside}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
