/**
 * Ruff beside async-boundary on the real-code corpus's Python services (bench/realcode/corpora.ts):
 * runs Ruff (its WebAssembly build, `@astral-sh/ruff-wasm-nodejs`) with flake8-async's ASYNC rules
 * and RUF006 on every `.py` file, and the CLI of this build on the same folders with every role
 * reported, and prints, per Ruff finding, whether async-boundary reports the same line (the mapped
 * rule: ASYNC2xx → blocking-in-async, RUF006 → detached-task), with the role, the severity and the
 * verdict from bench/realcode/verdicts.json; then the lines async-boundary reports and Ruff does not.
 *
 *   npx tsx bench/realcode/run.ts --repo aioftp …   # installs the corpora first
 *   npx tsx scripts/ruff-realcode.ts [--repo NAME …] [--dist DIR]
 *
 * ASYNC1xx rules (timeouts, busy waits, `sleep(0)`) are not in async-boundary's scope: counted apart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { REALCODE_CACHE, REPOS, type Repo } from '../bench/realcode/corpora';
import { lineKey, loadVerdicts, verdictKey, type Finding } from '../bench/realcode/verdicts';

const ROOT = resolve(__dirname, '..');
const { values } = parseArgs({ options: { repo: { type: 'string', multiple: true }, dist: { type: 'string' } } });
const CLI = join(values.dist ? resolve(values.dist) : join(ROOT, 'dist'), 'cli.js');
const verdicts = loadVerdicts(join(ROOT, 'bench/realcode/verdicts.json'));

/** The async-boundary rule that answers a Ruff code, when it is in scope. */
function ourRule(code: string): string | undefined {
  if (code === 'RUF006') return 'detached-task';
  if (/^ASYNC2\d\d$/.test(code)) return 'blocking-in-async';
  return undefined;
}

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    // Debian packages hold links to other packages' files (mitmproxy's fonts): not followed.
    const st = lstatSync(full);
    if (st.isDirectory()) out.push(...pyFiles(full));
    else if (st.isFile() && name.endsWith('.py')) out.push(full);
  }
  return out;
}

/** What the path alone says about a file's role, for lines async-boundary does not report. */
function pathRole(file: string): string {
  return /(^|\/)(tests?|testing)\//.test(file) || /(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/.test(file) ? 'test (by path)' : 'not test by path';
}

const ruff = new Workspace({ ...Workspace.defaultSettings(), lint: { select: ['ASYNC', 'RUF006'] } }, PositionEncoding.Utf16);
const repos = REPOS.filter((r): r is Extract<Repo, { kind: 'deb' }> => r.kind === 'deb' && (!values.repo?.length || values.repo.some((n) => n.split(',').includes(r.name))));
const totals = { ruff: 0, outOfScope: 0, same: 0, sameDefault: 0, ruffOnly: 0, oursOnly: 0 };
const ruffByVerdict = new Map<string, number>();

for (const repo of repos) {
  const root = join(REALCODE_CACHE, 'deb', repo.name);
  if (!existsSync(root)) {
    process.stdout.write(`${repo.name}: not installed (run \`npx tsx bench/realcode/run.ts --repo ${repo.name}\` first)\n`);
    continue;
  }
  const ours: Finding[] = JSON.parse(execFileSync(process.execPath, [CLI, 'check', '--format', 'json', '--min-severity', 'hint', '--roles', 'test=hint,bench=hint,example=hint,script=hint,startup=hint', ...repo.paths], { cwd: root, maxBuffer: 64 << 20 }).toString('utf8').trim() || '[]') as Finding[];
  const oursAt = new Map<string, Finding>();
  for (const f of ours) oursAt.set(`${f.file}:${f.line}:${f.rule}`, f);
  const matched = new Set<Finding>();
  process.stdout.write(`\n${repo.name} (${repo.pkg}=${repo.version})\n`);
  for (const path of repo.paths) {
    for (const full of pyFiles(join(root, path))) {
      const file = relative(root, full);
      const text = readFileSync(full, 'utf8');
      const lines = text.split('\n');
      let diagnostics: { code: string | null; start_location: { row: number } }[];
      try {
        diagnostics = ruff.check(text) as typeof diagnostics;
      } catch {
        continue; // a file Ruff cannot parse
      }
      for (const d of diagnostics) {
        const code = d.code ?? '';
        const rule = ourRule(code);
        if (!rule) {
          if (/^ASYNC1/.test(code)) totals.outOfScope++;
          continue;
        }
        totals.ruff++;
        const line = d.start_location.row;
        const f = oursAt.get(`${file}:${line}:${rule}`);
        const key = verdictKey({ repo: repo.name, file, rule, line: lineKey(lines[line - 1] ?? '') });
        const verdict = verdicts.get(key);
        const role = f?.role ?? pathRole(file);
        if (f) {
          matched.add(f);
          totals.same++;
          if (f.severity !== 'hint') totals.sameDefault++;
        } else totals.ruffOnly++;
        const v = verdict ? `${verdict.verdict}` : 'unjudged';
        if (!/^test/.test(role)) ruffByVerdict.set(v, (ruffByVerdict.get(v) ?? 0) + 1);
        process.stdout.write(`  ${file}:${line} ${code} [${role}] ${f ? `same line: ${f.rule} ${f.severity}` : 'not reported here'}; verdict ${v}\n    | ${lineKey(lines[line - 1] ?? '')}\n`);
      }
    }
  }
  for (const f of ours) {
    if (matched.has(f) || (f.rule !== 'blocking-in-async' && f.rule !== 'detached-task') || f.severity === 'hint') continue;
    totals.oursOnly++;
    process.stdout.write(`  ${f.file}:${f.line} ${f.rule} [${f.role ?? 'production'}] ${f.severity}: reported here, not by Ruff\n`);
  }
}
process.stdout.write(`\nRuff (ASYNC2xx, RUF006): ${totals.ruff} findings (ASYNC1xx, out of scope: ${totals.outOfScope}); `
  + `${totals.same} on a line async-boundary reports too (${totals.sameDefault} at the CLI's default severity), ${totals.ruffOnly} not reported here; `
  + `${totals.oursOnly} blocking-in-async/detached-task findings at info or above here that Ruff does not report.\n`);
process.stdout.write(`Ruff findings outside test code, by the verdict of the line: ${[...ruffByVerdict].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}\n`);
