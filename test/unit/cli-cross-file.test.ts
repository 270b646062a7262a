// The CLI's cross-file pass: a first pass summarises every file, the linker joins the summaries,
// and files whose calls reach blocking work in another file are analysed again with the chain.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, removeWorkspace, workspace } from './cli-helpers';

const PASSWORD = [
  "import bcrypt from 'bcrypt';",
  '',
  'export function verify(plain: string, hashed: string): boolean {',
  '  return bcrypt.compareSync(plain, hashed);',
  '}',
  '',
].join('\n');
const PASSWORD_ASYNC = [
  "import bcrypt from 'bcrypt';",
  '',
  'export async function verify(plain: string, hashed: string): Promise<boolean> {',
  '  return bcrypt.compare(plain, hashed);',
  '}',
  '',
].join('\n');
const ROUTE = [
  "import type { Router } from 'express';",
  "import { verify } from '../services/password';",
  '',
  'export function mount(router: Router): void {',
  "  router.post('/login', async (req, res) => {",
  '    res.json({ ok: verify(req.body.password, req.body.hash) });',
  '  });',
  '}',
  '',
].join('\n');

interface Row {
  file: string;
  line: number;
  rule: string;
  message: string;
}

async function findings(args: string[], cwd: string): Promise<Row[]> {
  const r = await cli(['check', '--format', 'json', '--jobs', '1', ...args], cwd);
  assert.equal(r.err.includes('internal error'), false, r.err);
  return JSON.parse(r.out) as Row[];
}

describe('cli: findings across files', () => {
  let root: string;
  beforeEach(() => {
    root = workspace({ 'src/services/password.ts': PASSWORD, 'src/routes/login.ts': ROUTE });
  });
  afterEach(() => removeWorkspace(root));

  it('reports a blocking helper imported from another file at its call site, with the chain', async () => {
    const rows = await findings(['.'], root);
    assert.deepEqual(
      rows.map((r) => `${r.file}:${r.line}:${r.rule}`),
      ['src/routes/login.ts:6:blocking-in-async'],
    );
    assert.match(rows[0]!.message, /`verify` blocks the event loop in the `router.post\('\/login'\)` handler: `verify` \(src\/services\/password.ts:4\) calls `bcrypt.compareSync`/);
  });

  it('shows each hop as a note in the other file (text) and as a related location (SARIF)', async () => {
    const text = await cli(['check', '.', '--jobs', '1'], root);
    assert.match(text.out, /\n {4}src\/services\/password.ts:4:10 {2}note {2}`bcrypt.compareSync` blocks here\n/);
    const sarif = JSON.parse((await cli(['check', '.', '--format', 'sarif', '--jobs', '1'], root)).out);
    const related = sarif.runs[0].results[0].relatedLocations;
    assert.equal(related[0].physicalLocation.artifactLocation.uri, 'src/services/password.ts');
    assert.equal(related[0].physicalLocation.region.startLine, 4);
  });

  it('gives a file named on the command line the summaries of the project around it', async () => {
    const rows = await findings(['src/routes/login.ts'], root);
    assert.deepEqual(rows.map((r) => `${r.file}:${r.line}`), ['src/routes/login.ts:6']);
  });

  it('a file named alone finds a helper whose file is a symbolic link, or has dots in its name', async () => {
    // The project around a named file is found from folder listings: a link is followed like a
    // read follows it, and `./password.service` is a file, not the member `service` of `./password`.
    mkdirSync(join(root, 'shared'));
    renameSync(join(root, 'src/services/password.ts'), join(root, 'shared/password.ts'));
    symlinkSync(join(root, 'shared/password.ts'), join(root, 'src/services/password.ts'));
    assert.deepEqual((await findings(['src/routes/login.ts'], root)).map((r) => `${r.file}:${r.line}`), ['src/routes/login.ts:6']);
    writeFileSync(join(root, 'src/services/password.service.ts'), PASSWORD);
    writeFileSync(join(root, 'src/routes/login.ts'), ROUTE.replace("'../services/password'", "'../services/password.service'"));
    assert.deepEqual((await findings(['src/routes/login.ts'], root)).map((r) => `${r.file}:${r.line}`), ['src/routes/login.ts:6']);
  });

  it('with --cache, re-checks an importer when the imported summary changes, and only then', async () => {
    const cached = ['--cache', '--cache-location', join(root, 'cache.json'), '.'];
    assert.equal((await findings(cached, root)).length, 1);
    assert.equal((await findings(cached, root)).length, 1, 'warm run');
    writeFileSync(join(root, 'src/services/password.ts'), PASSWORD_ASYNC);
    assert.deepEqual(await findings(cached, root), [], 'the helper became async: the importer is clean');
    writeFileSync(join(root, 'src/services/password.ts'), PASSWORD);
    assert.equal((await findings(cached, root)).length, 1, 'and back');
  });
});
