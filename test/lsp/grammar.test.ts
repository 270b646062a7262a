// The TextMate injection grammars (syntaxes/), checked with vscode-tmgrammar-test against the real
// TypeScript, JavaScript, Rust, Python and Go grammars from the `tm-grammars` package. The injection
// grammars themselves are loaded from package.json `contributes.grammars`, as VS Code loads them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('injection grammar', () => {
  it('scopes yield points, offload boundaries and suppressions (test/grammar/*.tmtest)', function () {
    this.timeout(60_000);
    const hosts = ['typescript', 'javascript', 'rust', 'python', 'go'].flatMap((g) => ['-g', require.resolve(`tm-grammars/grammars/${g}.json`)]);
    const run = spawnSync(process.execPath, [require.resolve('vscode-tmgrammar-test/dist/unit.js'), '--config', join(ROOT, 'package.json'), ...hosts, 'test/grammar/*.tmtest'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal((run.stdout.match(/run successfuly/g) ?? []).length, 5, run.stdout);
  });
});
