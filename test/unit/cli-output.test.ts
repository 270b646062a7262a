// The CLI's output formats, on findings built by hand so they do not depend on any rule.
import assert from 'node:assert/strict';
import type { Analysis } from '../../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import type { Finding } from '../../server/src/engine/finding';
import { LineIndex } from '../../server/src/engine/line-index';
import { RULES } from '../../server/src/engine/rules';
import { buildSarif } from '../../server/src/cli/format-sarif';
import { formatText, summaryLine } from '../../server/src/cli/format-text';
import { useColor } from '../../server/src/cli/io';
import { formatJson, report } from '../../server/src/cli/report';

const CWD = '/work/project';
// Line 2 holds a non-BMP character before the call, so UTF-16 columns differ from code points.
const TEXT = "async function f() {\n  const s = '😀'; fs.readFileSync(p);\n  await lock;\n}\n";

function finding(rule: string, severity: Finding['severity'], needle: string, related: { needle: string; message: string }[] = []): Finding {
  const start = TEXT.indexOf(needle);
  assert.ok(start >= 0, needle);
  return {
    rule,
    severity,
    message: `problem with \`${needle}\``,
    span: { start, end: start + needle.length },
    related: related.map((r) => ({ span: { start: TEXT.indexOf(r.needle), end: TEXT.indexOf(r.needle) + r.needle.length }, message: r.message })),
  };
}

function analysisOf(findings: Finding[], text = TEXT): Analysis {
  // Only the fields the reporter reads; the rest of an Analysis is the frontend's business.
  return { parsed: { path: `${CWD}/src/a.ts`, text, model: undefined, tree: undefined }, lines: new LineIndex(text), findings } as unknown as Analysis;
}

const FINDINGS = [
  finding('blocking-in-async', 'error', 'fs.readFileSync(p)'),
  finding('await-holding-lock', 'warning', 'await lock', [{ needle: "const s = '😀';", message: 'the lock is taken here' }]),
  finding('unbounded-channel', 'info', 'async function f'),
];

describe('cli output', () => {
  const reported = report(analysisOf(FINDINGS), `${CWD}/src/a.ts`, CWD);

  it('locates findings with 1-based lines and UTF-16 columns, relative to the working directory', () => {
    const r = reported[0]!;
    assert.deepEqual([r.file, r.line, r.column, r.endLine, r.endColumn], ['src/a.ts', 2, 19, 2, 37]);
    assert.equal(TEXT.split('\n')[1]!.slice(r.column - 1, r.endColumn - 1), 'fs.readFileSync(p)');
  });

  it('filters by start line when asked (for --diff)', () => {
    const only3 = report(analysisOf(FINDINGS), `${CWD}/src/a.ts`, CWD, (line) => line === 3);
    assert.deepEqual(only3.map((f) => f.rule), ['await-holding-lock']);
  });

  it('writes JSON with exactly the documented fields', () => {
    const rows = JSON.parse(formatJson(reported)) as Record<string, unknown>[];
    assert.equal(rows.length, 3);
    assert.deepEqual(Object.keys(rows[0]!), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'role']);
    assert.deepEqual(rows[0], { file: 'src/a.ts', line: 2, column: 19, endLine: 2, endColumn: 37, rule: 'blocking-in-async', severity: 'error', message: 'problem with `fs.readFileSync(p)`', role: 'production' });
  });

  it('writes text as file:line:col  severity  rule  message, with notes indented', () => {
    const lines = formatText(reported, false).split('\n');
    assert.equal(lines[0], 'src/a.ts:2:19  error  blocking-in-async  problem with `fs.readFileSync(p)`');
    assert.equal(lines[1], 'src/a.ts:3:3  warning  await-holding-lock  problem with `await lock`');
    assert.equal(lines[2], '    src/a.ts:2:3  note  the lock is taken here');
    assert.doesNotMatch(formatText(reported, false), /\x1b\[/);
    assert.match(formatText(reported, true), /\x1b\[31merror\x1b\[39m/);
  });

  it('summarises by severity, or says there is nothing', () => {
    assert.equal(summaryLine(reported, 12), '3 findings (1 error, 1 warning, 1 info) in 1 file (12 checked)');
    assert.equal(summaryLine(reported.slice(1, 2), 1), '1 finding (1 warning) in 1 file (1 checked)');
    assert.equal(summaryLine([], 0), 'No findings in 0 files');
  });

  it('uses colour only on a terminal without NO_COLOR', () => {
    const io = (isTTY: boolean, env: Record<string, string>) => ({ cwd: CWD, env, isTTY, out: () => undefined, err: () => undefined });
    assert.equal(useColor(io(true, {})), true);
    assert.equal(useColor(io(false, {})), false);
    assert.equal(useColor(io(true, { NO_COLOR: '1' })), false);
    assert.equal(useColor(io(true, { NO_COLOR: '' })), true);
  });

  describe('SARIF', () => {
    const log = buildSarif(reported, { ...DEFAULT_CONFIG, rules: { 'unbounded-channel': 'off' } }, '1.2.3', CWD);
    const run = log.runs[0]!;

    it('has the fields GitHub code scanning requires', () => {
      assert.equal(log.version, '2.1.0');
      assert.match(log.$schema ?? '', /sarif-2\.1\.0/);
      assert.equal(log.runs.length, 1);
      const driver = run.tool.driver;
      assert.equal(driver.name, 'async-boundary');
      assert.equal(driver.version, '1.2.3');
      assert.match(driver.informationUri ?? '', /^https:\/\//);
      assert.equal(run.originalUriBaseIds?.['%SRCROOT%']?.uri, 'file:///work/project/');
      for (const result of run.results ?? []) {
        assert.ok(result.message.text, 'message.text');
        assert.ok(result.ruleId);
        const loc = result.locations?.[0]?.physicalLocation;
        assert.ok(loc?.artifactLocation?.uri && !loc.artifactLocation.uri.startsWith('/'), 'relative uri');
        assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
        assert.ok((loc.region?.startLine ?? 0) >= 1 && (loc.region?.startColumn ?? 0) >= 1);
        assert.ok(Object.values(result.partialFingerprints ?? {}).every((v) => /^[0-9a-f]{32}:\d+$/.test(v)));
      }
    });

    it('describes every rule from its docs, and points each result at its rule', () => {
      const rules = run.tool.driver.rules ?? [];
      for (const rule of RULES) {
        const d = rules.find((r) => r.id === rule.id);
        assert.ok(d, rule.id);
        assert.equal(d.shortDescription?.text, rule.docs.summary);
        assert.ok(d.fullDescription?.text.includes(rule.docs.why));
        assert.ok(d.help?.markdown?.includes(rule.docs.fix));
        assert.ok(d.help?.text.includes(rule.docs.what));
      }
      const off = rules.find((r) => r.id === 'unbounded-channel')?.defaultConfiguration;
      assert.equal(off?.enabled, false, 'a rule turned off in the config is disabled');
      const def = RULES.find((r) => r.id === 'unbounded-channel')!.defaultSeverity;
      assert.equal(off?.level, def === 'info' || def === 'hint' ? 'note' : def);
      for (const result of run.results ?? []) assert.equal(rules[result.ruleIndex!]?.id, result.ruleId);
    });

    it('maps severities to levels and carries regions and related locations', () => {
      const [first, second, third] = run.results ?? [];
      assert.deepEqual([first?.level, second?.level, third?.level], ['error', 'warning', 'note']);
      assert.deepEqual(first?.locations?.[0]?.physicalLocation?.region, { startLine: 2, startColumn: 19, endLine: 2, endColumn: 37 });
      assert.equal(second?.relatedLocations?.[0]?.message?.text, 'the lock is taken here');
      assert.equal(second?.relatedLocations?.[0]?.physicalLocation?.region?.startLine, 2);
    });

    it('fingerprints by line content: stable when lines move, distinct for repeated lines', () => {
      const moved = '\n\n' + TEXT;
      const shifted = report(analysisOf([{ ...FINDINGS[0]!, span: { start: FINDINGS[0]!.span.start + 2, end: FINDINGS[0]!.span.end + 2 } }], moved), `${CWD}/src/a.ts`, CWD);
      assert.equal(shifted[0]!.line, 4);
      assert.equal(shifted[0]!.lineHash, reported[0]!.lineHash);
      const twice = buildSarif([reported[0]!, reported[0]!], DEFAULT_CONFIG, '1', CWD).runs[0]!.results!;
      assert.notEqual(twice[0]!.partialFingerprints!['primaryLocationLineHash'], twice[1]!.partialFingerprints!['primaryLocationLineHash']);
      const otherFile = report(analysisOf(FINDINGS), `${CWD}/src/b.ts`, CWD);
      assert.notEqual(otherFile[0]!.lineHash, reported[0]!.lineHash);
    });

    it('percent-encodes artifact URIs', () => {
      const spaced = report(analysisOf(FINDINGS), `${CWD}/my dir/a#1.ts`, CWD);
      const uri = buildSarif(spaced, DEFAULT_CONFIG, '1', CWD).runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri;
      assert.equal(uri, 'my%20dir/a%231.ts');
    });
  });
});
