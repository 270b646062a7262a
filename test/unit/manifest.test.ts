import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cargoTomlDependencies, Manifests, packageJsonDependencies, packageJsonVersions } from '../../server/src/lsp/manifest';

describe('project manifests', () => {
  it('reads every dependency section of package.json and ignores malformed JSON', () => {
    const deps = packageJsonDependencies(JSON.stringify({ dependencies: { express: '4' }, devDependencies: { piscina: '5' }, peerDependencies: { react: '*' } }));
    assert.deepEqual([...deps].sort(), ['express', 'piscina', 'react']);
    assert.equal(packageJsonDependencies('{ not json').size, 0);
    assert.equal(packageJsonDependencies('[1, 2]').size, 0);
  });

  it('keeps each package.json dependency\'s version range for the fixes, the first section naming it winning', () => {
    const versions = packageJsonVersions(JSON.stringify({ dependencies: { 'p-limit': '^3.1.0' }, devDependencies: { 'p-map': '~4.0.0', 'p-limit': '^6.0.0' }, peerDependencies: { odd: 3 } }));
    assert.deepEqual([...versions], [['p-limit', '^3.1.0'], ['p-map', '~4.0.0'], ['odd', '']]);
  });

  it('reads crate names from Cargo.toml dependency tables, dotted tables included', () => {
    const toml = ['[package]', 'name = "svc"', 'edition = "2021"', '', '[dependencies]', 'tokio = { version = "1", features = ["full"] }', 'axum = "0.7"', '', '[dev-dependencies]', 'tokio-test = "0.4"', '', '[dependencies.serde]', 'version = "1"', '[features]', 'default = []'].join('\n');
    assert.deepEqual([...cargoTomlDependencies(toml)].sort(), ['axum', 'serde', 'tokio', 'tokio-test']);
  });

  it('finds the nearest manifest above a file and re-reads it when it changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'ab-manifest-'));
    try {
      mkdirSync(join(root, 'src', 'routes'), { recursive: true });
      const pkg = join(root, 'package.json');
      writeFileSync(pkg, JSON.stringify({ dependencies: { express: '4' } }));
      const manifests = new Manifests();
      const file = join(root, 'src', 'routes', 'users.ts');
      assert.deepEqual([...manifests.dependenciesFor(file)], ['express']);
      writeFileSync(pkg, JSON.stringify({ dependencies: { express: '4', piscina: '5' } }));
      const later = new Date(Date.now() + 5_000);
      utimesSync(pkg, later, later);
      assert.deepEqual([...manifests.dependenciesFor(file)].sort(), ['express', 'piscina']);
      assert.equal(manifests.fixContextFor(file).versions.get('piscina'), '5');
      assert.equal(manifests.dependenciesFor('relative/path.ts').size, 0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads a Python project\'s pyproject.toml, else its requirements.txt', () => {
    const root = mkdtempSync(join(tmpdir(), 'ab-manifest-py-'));
    try {
      mkdirSync(join(root, 'app', 'api'), { recursive: true });
      writeFileSync(join(root, 'requirements.txt'), 'requests==2.31\n');
      const file = join(root, 'app', 'api', 'views.py');
      assert.deepEqual([...new Manifests().dependenciesFor(file)], ['requests']);
      writeFileSync(join(root, 'pyproject.toml'), '[project]\nname = "svc"\ndependencies = ["httpx>=0.23", "fastapi"]\n');
      assert.deepEqual([...new Manifests().dependenciesFor(file)].sort(), ['fastapi', 'httpx']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
