// Code roles: the path conventions, the config's `roles`, and what the CLI leaves out and says so.
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/project/analyze';
import { parseConfig } from '../../server/src/engine/config-parse';
import { conventionRole } from '../../server/src/engine/roles-paths';
import { join, relative } from 'node:path';
import { BLOCKING_TS, cli, git, removeWorkspace, workspace } from './cli-helpers';

const roleOf = (path: string, language?: Parameters<typeof conventionRole>[1]): string => conventionRole(path, language)?.role ?? 'production';

describe('roles: path conventions', () => {
  it('reads test, bench, example and script paths as each ecosystem names them', () => {
    const cases: [string, string, Parameters<typeof conventionRole>[1]][] = [
      ['src/routes/users.test.ts', 'test', 'typescript'],
      ['src/app.e2e-spec.ts', 'test', 'typescript'],
      ['packages/api/__tests__/users.ts', 'test', 'typescript'],
      ['cypress/support/commands.js', 'test', 'typescript'],
      ['tests/api.rs', 'test', 'rust'],
      ['src/storage/tests.rs', 'test', 'rust'],
      ['benches/parse.rs', 'bench', 'rust'],
      ['examples/client.rs', 'example', 'rust'],
      ['src/bin/backfill.rs', 'script', 'rust'],
      ['build.rs', 'script', 'rust'],
      ['scripts/release.mjs', 'script', 'typescript'],
      ['vite.config.ts', 'script', 'typescript'],
      ['pkg/server/handler_test.go', 'test', 'go'],
      ['app/test_views.py', 'test', 'python'],
      ['conftest.py', 'test', 'python'],
      ['src/test/java/AppTest.java', 'test', 'java'],
    ];
    for (const [path, role, language] of cases) assert.equal(roleOf(path, language), role, path);
  });

  it('reads a family of example folders as examples, not words that only contain one', () => {
    for (const path of ['axum-examples/hello/src/main.rs', 'crates/tokio_examples/chat.rs', 'examples-async/server.ts', 'docs/spring-samples/App.java', 'samples/chat/server.js', 'example_app/index.js'])
      assert.equal(conventionRole(path)?.role, 'example', path);
    for (const path of ['src/counterexamples.ts', 'src/examplesView.ts', 'src/metrics/sample/reservoir.go', 'src/sampler/index.ts', 'src/example.ts', 'lib/resampling/x.py'])
      assert.equal(roleOf(path), 'production', path);
  });

  it('reads a Python package\'s own `tools/` subpackage as its code, and a repository\'s `tools/` as tooling', () => {
    // mitmproxy ships mitmweb's server as `mitmproxy/tools/web/app.py` (the package `mitmproxy.tools.web`).
    assert.equal(roleOf('mitmproxy/tools/web/app.py', 'python'), 'production');
    assert.equal(roleOf('usr/lib/python3/dist-packages/mitmproxy/tools/main.py', 'python'), 'production');
    assert.equal(roleOf('tools/release.py', 'python'), 'script');
    assert.equal(roleOf('mitmproxy/scripts/export.py', 'python'), 'script');
    assert.equal(roleOf('packages/cli/tools/build.ts', 'typescript'), 'script');
  });

  it('reads a Java package below a source root as a package, not a folder convention: `com/example/` is production code', () => {
    // Spring Initializr's default package is `com.example`; a package `…/test/…` or `…/scripts/…` in main code is main code.
    assert.equal(roleOf('src/main/java/com/example/orders/OrderController.java', 'java'), 'production');
    assert.equal(roleOf('services/orders/src/main/java/com/example/orders/OrderController.java', 'java'), 'production');
    assert.equal(roleOf('src/main/java/com/acme/test/fixtures/Seeder.java', 'java'), 'production');
    assert.equal(roleOf('src/main/kotlin/com/example/App.java', 'java'), 'production');
    assert.equal(roleOf('src/java/org/example/Server.java', 'java'), 'production');
    // What is above the source root still decides: a test source set, an examples module.
    assert.equal(roleOf('src/test/java/com/example/orders/OrderControllerSupport.java', 'java'), 'test');
    assert.equal(roleOf('examples/orders/src/main/java/com/acme/App.java', 'java'), 'example');
    assert.equal(roleOf('spring-samples/src/main/java/com/acme/App.java', 'java'), 'example');
  });

  it('does not take a word that ends in `test` for a test: `contest.ts`, `latest.ts`, `attest.rs`', () => {
    for (const path of ['src/contest.ts', 'src/latest.ts', 'src/attest.rs', 'src/testimonials.ts', 'src/protest/index.ts']) assert.equal(roleOf(path, 'typescript'), 'production', path);
  });

  it('reads what an app serves as files as browser code, and a minified name as generated, in TS/JS only', () => {
    assert.equal(roleOf('public/js/portal.js', 'typescript'), 'browser');
    assert.equal(roleOf('core/frontend/public/private.js', 'typescript'), 'browser');
    assert.equal(roleOf('static/app.mjs', 'typescript'), 'browser');
    assert.equal(roleOf('content/themes/casper/assets/js/dropdown.js', 'typescript'), 'browser');
    assert.equal(roleOf('src/vendor/photoswipe.min.js', 'typescript'), 'generated');
    assert.equal(roleOf('scripts/release.min.js', 'typescript'), 'generated');
    // A Node or Rust HTTP client is server code; so is a file whose name only contains `min`.
    for (const path of ['src/client/index.ts', 'lib/web/controller.js', 'src/admin.js', 'src/frontend/helpers/asset.js']) assert.equal(roleOf(path, 'typescript'), 'production', path);
    assert.equal(roleOf('src/client/conn.rs', 'rust'), 'production');
    assert.equal(roleOf('src/static/files.rs', 'rust'), 'production');
  });

  it('lets a test file name win over a script folder, and the outermost folder over inner ones', () => {
    assert.equal(roleOf('scripts/release.test.ts', 'typescript'), 'test');
    assert.equal(roleOf('examples/tests/client.rs', 'rust'), 'example');
  });
});

describe('roles: config', () => {
  it('reads levels per role and globs that assign roles, in order', () => {
    const { config, errors } = parseConfig('{ "roles": { "test": "warning", "paths": { "service/**": "production", "fixtures/**": "test" } } }', 'c.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(config.roles, { levels: { test: 'warning' }, paths: [{ glob: 'service/**', role: 'production' }, { glob: 'fixtures/**', role: 'test' }] });
  });

  it('reports an unknown role, a bad level and a bad role name, and keeps the rest', () => {
    const { config, errors } = parseConfig('{ "roles": { "tests": "off", "script": "loud", "bench": "info", "paths": { "x/**": "testing" } } }', 'c.json');
    assert.deepEqual(errors.map((e) => e.path), ['roles.tests', 'roles.script', 'roles.paths["x/**"]']);
    assert.match(errors[0]!.message, /Unknown role `tests`/);
    assert.deepEqual(config.roles, { levels: { bench: 'info' }, paths: [] });
  });

  it('a glob assigns a role over the conventions, and a level turns a role on', () => {
    const text = "import fs from 'node:fs';\nexport async function load() {\n  return fs.readFileSync('x');\n}\n";
    const { config } = parseConfig('{ "roles": { "paths": { "demo/**": "production" } } }', 'c.json');
    const quiet = analyze({ path: '/w/examples/demo/a.ts', text }, config, { location: { projectPath: 'examples/demo/a.ts' } })!;
    assert.deepEqual(quiet.findings, []);
    const loud = analyze({ path: '/w/examples/demo/a.ts', text }, config, { location: { projectPath: 'examples/demo/a.ts', configPath: 'demo/a.ts' } })!;
    assert.deepEqual(loud.findings.map((f) => [f.rule, f.severity, f.role]), [['blocking-in-async', 'warning', undefined]]);
    const { config: on } = parseConfig('{ "roles": { "example": "info" } }', 'c.json');
    const shown = analyze({ path: '/w/examples/demo/a.ts', text }, on, { location: { projectPath: 'examples/demo/a.ts' } })!;
    assert.deepEqual(shown.findings.map((f) => [f.severity, f.role]), [['info', 'example']]);
    assert.match(shown.findings[0]!.message, /; in example code \(under `examples\/`\)$/);
  });
});

describe('roles: CLI', () => {
  let ws: string;
  const STARTUP_TS = "import fs from 'node:fs';\nimport express from 'express';\nconst app = express();\nasync function main() {\n  const key = fs.readFileSync('key.pem');\n  app.listen(3000);\n}\nmain();\n";
  beforeEach(() => {
    ws = workspace({ 'src/a.ts': BLOCKING_TS, 'src/a.test.ts': BLOCKING_TS, 'test/b.ts': BLOCKING_TS, 'src/server.ts': STARTUP_TS });
    git(ws, 'init', '-q');
  });
  afterEach(() => removeWorkspace(ws));

  it('leaves test files out, hides hints, and says how to bring both back', async () => {
    const r = await cli(['check'], ws);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.split('\n').filter((l) => /^src|^test/.test(l)).map((l) => l.split(':')[0]), ['src/a.ts']);
    assert.match(r.out, /^2 test files not checked: `--roles test=warning` or the config's `roles` turns them on$/m);
    assert.match(r.out, /^1 finding below `info` not shown .*`--min-severity hint` shows them$/m);
  });

  it('--roles and --min-severity bring them back, with the role in the JSON', async () => {
    const r = await cli(['check', '--roles', 'test=warning', '--min-severity', 'hint', '--format', 'json'], ws);
    const rows = JSON.parse(r.out) as { file: string; severity: string; role: string; message: string }[];
    assert.deepEqual(rows.map((f) => [f.file, f.severity, f.role]).sort(), [
      ['src/a.test.ts', 'warning', 'test'],
      ['src/a.ts', 'warning', 'production'],
      ['src/server.ts', 'hint', 'startup'],
      ['test/b.ts', 'warning', 'test'],
    ]);
    assert.match(rows.find((f) => f.role === 'startup')!.message, /; at startup, before `app\.listen`: harmless unless it runs again later$/);
  });

  it('reads roles from the checked folder for files outside the working directory with no repository or config above them', async () => {
    const HELD_GO = 'package svc\n\nimport "sync"\n\nvar mu sync.Mutex\n\nfunc publish(ch chan int) {\n\tmu.Lock()\n\tch <- 1\n\tmu.Unlock()\n}\n';
    const project = workspace({ 'svc/hub.go': HELD_GO, 'svc/hub_test.go': HELD_GO, 'testdata/fake.go': HELD_GO, 'web/a.test.ts': BLOCKING_TS, 'tests/test_load.py': 'import time\nasync def f():\n    time.sleep(1)\n' });
    try {
      // The working directory is the git repository of the CLI tests; the project lies outside it.
      const r = await cli(['check', project, '--roles', 'test=warning', '--format', 'json'], ws);
      const rows = JSON.parse(r.out) as { file: string; role: string }[];
      const inProject = (f: string) => relative(project, join(ws, f)).split('\\').join('/');
      assert.deepEqual(rows.map((f) => [inProject(f.file), f.role]).sort(), [
        ['svc/hub.go', 'production'],
        ['svc/hub_test.go', 'test'],
        ['testdata/fake.go', 'test'],
        ['tests/test_load.py', 'test'],
        ['web/a.test.ts', 'test'],
      ]);
      // A single file named on the command line: its name is enough.
      const one = await cli(['check', `${project}/svc/hub_test.go`], ws);
      assert.match(one.out, /^1 test file not checked/m);
    } finally {
      removeWorkspace(project);
    }
  });

  it('reads a Java package named like a folder convention (`org/springframework/samples/`) as a package, and checks its files', async () => {
    const SEEDER = [
      'package org.springframework.samples.petclinic.vet;',
      '',
      'import reactor.core.publisher.Mono;',
      '',
      'public class VetService {',
      '    private final VetRepository repo;',
      '',
      '    VetService(VetRepository repo) {',
      '        this.repo = repo;',
      '    }',
      '',
      '    public void rename(String id, String name) {',
      '        repo.rename(id, name).subscribe();',
      '    }',
      '}',
      '',
    ].join('\n');
    const project = workspace({ 'src/main/java/org/springframework/samples/petclinic/vet/VetService.java': SEEDER, 'samples/demo/src/main/java/com/acme/VetService.java': SEEDER });
    try {
      git(project, 'init', '-q');
      const r = await cli(['check', '--format', 'json'], project);
      const rows = JSON.parse(r.out) as { file: string; rule: string; role: string }[];
      assert.deepEqual(rows.map((f) => [f.file, f.rule, f.role]), [['src/main/java/org/springframework/samples/petclinic/vet/VetService.java', 'detached-task', 'production']]);
      // A `samples/` folder above the source root is still the project's examples.
      const all = await cli(['check'], project);
      assert.match(all.out, /^1 example file not checked/m);
    } finally {
      removeWorkspace(project);
    }
  });

  it('refuses a malformed --roles or --min-severity with exit status 2', async () => {
    for (const args of [['--roles', 'tests=warning'], ['--roles', 'test'], ['--roles', 'test=loud'], ['--min-severity', 'debug']]) {
      const r = await cli(['check', ...args], ws);
      assert.equal(r.code, 2, args.join(' '));
    }
  });
});
