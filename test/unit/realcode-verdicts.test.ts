import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOS } from '../../bench/realcode/corpora';
import { lineKey, loadVerdicts, precisionText, roleOf } from '../../bench/realcode/verdicts';

// The real-code harness itself runs outside `npm test` (it installs packages); its checked-in
// verdicts and the way findings are keyed are checked here, so a bad edit fails before it lands.
describe('real-code verdicts', () => {
  it('verdicts.json is valid and names only repositories of the corpus', () => {
    const verdicts = loadVerdicts(join(__dirname, '../../bench/realcode/verdicts.json'));
    const names = new Set(REPOS.map((r) => r.name));
    for (const v of verdicts.values()) {
      assert.ok(names.has(v.repo), `unknown repository ${v.repo}`);
      assert.equal(v.line, lineKey(v.line), `line text of ${v.repo} ${v.file} is not normalised`);
      assert.ok(!v.reason.includes('\n'), `reason of ${v.repo} ${v.file} spans lines`);
    }
  });

  it('rejects an entry without a reason or with an unknown verdict, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ab-verdicts-'));
    const file = join(dir, 'v.json');
    writeFileSync(file, JSON.stringify([{ repo: 'h2', file: 'src/a.rs', rule: 'blocking-in-async', line: 'x', verdict: 'true', reason: '' }]));
    assert.throws(() => loadVerdicts(file), /entry 0: `reason`/);
    writeFileSync(file, JSON.stringify([{ repo: 'h2', file: 'src/a.rs', rule: 'blocking-in-async', line: 'x', verdict: 'yes', reason: 'r' }]));
    assert.throws(() => loadVerdicts(file), /entry 0: `verdict`/);
  });

  it('rejects a second verdict on the same finding (repository, file, rule and line), naming both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ab-verdicts-'));
    const file = join(dir, 'v.json');
    const entry = { repo: 'h2', file: 'src/a.rs', rule: 'detached-task', line: 'tokio::spawn(f);', verdict: 'true', reason: 'r' };
    writeFileSync(file, JSON.stringify([entry, { ...entry, rule: 'unbounded-fan-out' }, { ...entry, verdict: 'false', reason: 'other' }]));
    assert.throws(() => loadVerdicts(file), /entry 2: duplicate of an earlier verdict \(h2 src\/a\.rs detached-task `tokio::spawn\(f\);`\)/);
    // Whitespace does not make a second verdict distinct: the key is the collapsed line.
    writeFileSync(file, JSON.stringify([entry, { ...entry, line: lineKey('  tokio::spawn(f);  ') }]));
    assert.throws(() => loadVerdicts(file), /entry 1: duplicate/);
  });

  it('keys a line by its text with whitespace collapsed, so indentation changes keep the verdict', () => {
    assert.equal(lineKey('\t  fs.readFileSync(p,\t  "utf8")  \r'), 'fs.readFileSync(p, "utf8")');
    assert.equal(lineKey('x'.repeat(500)).length, 200);
  });

  it('counts a finding without a role as production, and debatable findings against precision', () => {
    assert.equal(roleOf({ file: 'a', line: 1, column: 1, rule: 'r', severity: 'warning', message: 'm' }), 'production');
    assert.equal(roleOf({ file: 'a', line: 1, column: 1, rule: 'r', severity: 'warning', message: 'm', role: 'test' }), 'test');
    assert.equal(precisionText({ true: 3, false: 0, debatable: 1, unjudged: 2 }), '75% (3/4), 1 debatable, 2 unjudged');
  });
});
