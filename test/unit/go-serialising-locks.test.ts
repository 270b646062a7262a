// Go: a lock that only serialises waits (every acquisition of it in the package holds it across a
// parking point, none writes a field of its owner, and the mutex is never handed on) is reported at
// `hint`, saying why; a lock a quick caller also takes, one that guards state, or one handed to a
// sync.Cond keeps the rule's severity. Each fixture marks the lines that must be hints with
// `(hint: …)` after the marker. The package's other files count: the cross-file project's
// stream.go is loud when stats.go's quick taker is linked. Analysed without its package (no
// PACKAGE_LOCKS entry: `crossFile: false`, one file alone) a lock's other uses are unknown, so
// nothing is excused. An acquisition with a path that skips the wait and touches the owner's state
// (a read-through cache's hit) is a quick caller, and a mutating method call on an owner field
// (`r.cache.Add`) is a write.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { summaryOf } from '../../server/src/engine/analyze';
import { PACKAGE_LOCKS } from '../../server/src/engine/linker';
import { analyze } from '../../server/src/project/analyze';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';
import { newLinker } from '../../server/src/project/summaries';
import { validSummary } from '../../server/src/project/summary-shape';
import { validImports } from '../../server/src/cli/cache-shape';
import type { Analysis } from '../../server/src/engine/analyze';
import { cli, removeWorkspace, workspace } from './cli-helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'go');
const PER_FILE = join(FIXTURES, 'await-holding-lock', 'invalid-serialising-locks.go');
const CACHES = join(FIXTURES, 'await-holding-lock', 'invalid-read-through-cache.go');
const PROJECT = join(FIXTURES, 'cross-file', 'mux-stream-locks');

/** Each lock finding as `line severity`, and the lines the fixture marks as hints. */
function severities(a: Analysis, text: string): { got: string[]; want: string[] } {
  const lines = text.split('\n');
  const got = a.findings.filter((f) => f.rule === 'await-holding-lock').map((f) => `${a.lines.position(f.span.start).line + 1} ${f.severity}`).sort();
  const want: string[] = [];
  lines.forEach((l, i) => {
    if (/expect: await-holding-lock/.test(l)) want.push(`${i + 1} ${/\(hint:/.test(l) ? 'hint' : 'warning'}`);
  });
  return { got, want: want.sort() };
}

function goFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...goFiles(full));
    else if (name.endsWith('.go')) out.push(full);
  }
  return out.sort();
}

describe('Go: locks that only serialise waits', () => {
  /** The file as a package of its own: linked, so its package's uses of its locks are known. */
  const linked = (path: string, text: string): Analysis => analyzeProject([{ path, text }]).analyses.get(path)!;

  it('reports waits under a serialising lock at hint, with the reason, and the others at warning', () => {
    const text = readFileSync(PER_FILE, 'utf8');
    const a = linked(PER_FILE, text);
    const { got, want } = severities(a, text);
    assert.deepEqual(got, want);
    const keyring = a.findings.find((f) => f.severity === 'hint' && f.message.includes('k.opMu'));
    assert.ok(keyring, 'the keyring lock is a hint');
    assert.match(keyring.message, /only serialises operations that wait: every acquisition of it in the package \(`Keyring\.Install`, `Keyring\.Remove`, `Keyring\.List`\) waits while holding it and none assigns a field of `Keyring`/);
    // The quiet finding still says what it holds the lock across.
    assert.match(keyring.message, /^`k\.opMu` is held across `k\.ask`/);
  });

  it('keeps a read-through cache a warning: its hit path does not wait, and its fill is a method call', () => {
    const text = readFileSync(CACHES, 'utf8');
    const { got, want } = severities(linked(CACHES, text), text);
    assert.deepEqual(got, want);
    assert.deepEqual(want.filter((w) => w.endsWith('hint')).length, 2, 'the fixture keeps its serialising traps');
  });

  it('excuses nothing when the package was not read: without a PACKAGE_LOCKS entry every wait keeps its severity', () => {
    for (const path of [PER_FILE, CACHES]) {
      const text = readFileSync(path, 'utf8');
      const alone = analyze({ path, text })!;
      const locks = alone.findings.filter((f) => f.rule === 'await-holding-lock');
      assert.ok(locks.length > 0);
      assert.deepEqual(locks.filter((f) => f.severity === 'hint' || /only serialises/.test(f.message)), [], path);
    }
  });

  it('links an empty PACKAGE_LOCKS entry for a file whose locks no other file uses, and none for a file taking no mutex field', async () => {
    const summary = summaryOf(analyze({ path: PER_FILE, text: readFileSync(PER_FILE, 'utf8') })!, PER_FILE)!;
    const imports = newLinker([summary], await readProjectLayout([PER_FILE])).importsFor(PER_FILE);
    assert.ok(validImports(imports));
    assert.deepEqual(imports[PACKAGE_LOCKS]?.lockUses, []);
    const noLocks = { ...summary, locks: [] };
    assert.equal(newLinker([noLocks], await readProjectLayout([PER_FILE])).importsFor(PER_FILE)[PACKAGE_LOCKS], undefined);
  });

  it('counts the acquisitions in the other files of the package', async () => {
    const files = goFiles(PROJECT).map((path) => ({ path, text: readFileSync(path, 'utf8'), shown: relative(PROJECT, path) }));
    const { analyses } = analyzeProject(files, await readProjectLayout(files.map((f) => f.path)));
    for (const f of files) {
      const { got, want } = severities(analyses.get(f.path)!, f.text);
      assert.deepEqual(got, want, f.shown);
    }
    // Alone, stream.go cannot see stats.go's quick read of sendMu, nor close.go's waits: unknown
    // uses excuse nothing, so its three waits are warnings (not the hints an unread package once gave).
    const stream = files.find((f) => f.shown.endsWith('stream.go'))!;
    const alone = analyze({ path: stream.path, text: stream.text })!;
    assert.deepEqual(alone.findings.filter((f) => f.rule === 'await-holding-lock').map((f) => f.severity), ['warning', 'warning', 'warning']);
    const write = analyses.get(stream.path)!.findings.find((f) => f.message.includes('s.sendMu'))!;
    assert.equal(write.severity, 'warning');
  });

  it('counts a quick taker that reaches the mutex through an embedding struct of another file', async () => {
    // client.go's `c.mu` on a Client embedding *baseToken (conn.go) is baseToken.mu, whose owner the
    // file cannot name: it counts as a use of every `mu` of the package, so the refresh's HTTP call
    // under baseToken.mu stays a warning (review D6 of caef537: it was a hint).
    const dir = join(FIXTURES, 'cross-file', 'embedded-token-lock');
    const files = goFiles(dir).map((path) => ({ path, text: readFileSync(path, 'utf8'), shown: relative(dir, path) }));
    const { analyses } = analyzeProject(files, await readProjectLayout(files.map((f) => f.path)));
    for (const f of files) {
      const { got, want } = severities(analyses.get(f.path)!, f.text);
      assert.deepEqual(got, want, f.shown);
    }
    const client = files.find((f) => f.shown.endsWith('client.go'))!;
    assert.deepEqual(summaryOf(analyze({ path: client.path, text: client.text })!, client.shown)!.locks, [{ lock: '?.mu', function: 'Client.Calls', kind: 'acquire' }]);
  });

  it('carries the lock uses in the summary and hands them to the other files of the folder only', async () => {
    const files = goFiles(PROJECT).map((path) => ({ path, text: readFileSync(path, 'utf8'), shown: relative(PROJECT, path) }));
    const summaries = files.map((f) => summaryOf(analyze({ path: f.path, text: f.text })!, f.shown)!);
    for (const s of summaries) assert.ok(validSummary(s), s.shown);
    const stats = summaries.find((s) => s.shown.endsWith('stats.go'))!;
    assert.deepEqual(stats.locks, [{ lock: 'Stream.sendMu', function: 'Stream.Pending', kind: 'acquire' }]);
    const linker = newLinker(summaries, await readProjectLayout(files.map((f) => f.path)));
    const imports = linker.importsFor(files.find((f) => f.shown.endsWith('stream.go'))!.path);
    assert.ok(validImports(imports));
    assert.deepEqual(
      imports[PACKAGE_LOCKS]?.lockUses?.map((u) => `${u.function} ${u.lock}${u.waits ? ' waits' : ''}`).sort(),
      ['Stream.CloseWrite Stream.flushMu waits', 'Stream.Pending Stream.sendMu'],
    );
    // A summary whose lock uses are malformed is not used.
    assert.equal(validSummary({ ...stats, locks: [{ lock: 'Stream.sendMu', function: 'Stream.Pending', kind: 'take' }] }), false);
  });
});

describe('cli: a Go file checked alone', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) removeWorkspace(root);
  });

  it('reads the other files of its package for the locks it takes, though it calls none of them', async function () {
    this.timeout(120_000);
    const files: Record<string, string> = {};
    for (const f of goFiles(PROJECT)) files[relative(PROJECT, f)] = readFileSync(f, 'utf8');
    files['go.mod'] = readFileSync(join(PROJECT, 'go.mod'), 'utf8');
    root = workspace(files);
    const rows = async (args: string[]): Promise<string[]> => {
      const r = await cli(['check', '--format', 'json', '--jobs', '1', ...args], root!);
      assert.equal(r.err.includes('internal error'), false, r.err);
      return (JSON.parse(r.out) as { file: string; line: number; severity: string }[]).map((f) => `${f.file}:${f.line}:${f.severity}`);
    };
    // stats.go's quick read of sendMu keeps Write's wait a warning; flushMu's waits are hints.
    assert.deepEqual(await rows(['mux/stream.go']), ['mux/stream.go:25:warning']);
    assert.deepEqual(await rows(['mux/stream.go', '--min-severity', 'hint']), ['mux/stream.go:25:warning', 'mux/stream.go:33:hint', 'mux/stream.go:34:hint']);
  });
});
