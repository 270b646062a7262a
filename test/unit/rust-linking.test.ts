// The Rust resolver (module paths → files) and the manifest reader behind the project layout.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixesFor } from '../../server/src/engine/analyze';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';
import { rustModuleOf, rustResolver } from '../../server/src/languages/rust/resolver';
import { cargoManifest } from '../../server/src/languages/rust/manifest';

describe('Rust resolver', () => {
  it('places a file in its crate by Cargo layout', () => {
    assert.deepEqual(rustModuleOf('/p/src/lib.rs'), { root: '/p/src', rootFiles: ['/p/src/lib.rs', '/p/src/main.rs'], segments: [] });
    assert.deepEqual(rustModuleOf('/p/src/handlers/mod.rs').segments, ['handlers']);
    assert.deepEqual(rustModuleOf('/p/src/handlers/users.rs').segments, ['handlers', 'users']);
    assert.deepEqual(rustModuleOf('/p/src/bin/tool.rs'), { root: '/p/src/bin', rootFiles: ['/p/src/bin/tool.rs'], segments: [] });
    assert.deepEqual(rustModuleOf('/p/tests/api.rs'), { root: '/p/tests', rootFiles: ['/p/tests/api.rs'], segments: [] });
    assert.deepEqual(rustModuleOf('/p/tests/common/mod.rs').segments, ['common']);
  });

  it('turns crate::, self:: and super:: paths into module files and an export name', () => {
    const t = rustResolver.targets('crate::services::users::find', '/p/src/handlers/login.rs');
    assert.deepEqual(t[0], { module: { files: ['/p/src/services/users.rs', '/p/src/services/users/mod.rs'] }, name: 'find' });
    assert.deepEqual(t[1], { module: { files: ['/p/src/services.rs', '/p/src/services/mod.rs'] }, name: 'users.find' });
    assert.deepEqual(rustResolver.targets('super::db::open', '/p/src/store/sqlite.rs')[0]!.module, { files: ['/p/src/store/db.rs', '/p/src/store/db/mod.rs'] });
    assert.deepEqual(rustResolver.targets('self::db::open', '/p/src/store/mod.rs')[0]!.module, { files: ['/p/src/store/db.rs', '/p/src/store/db/mod.rs'] });
    assert.deepEqual(rustResolver.targets('super::open', '/p/src/store/mod.rs')[0]!.module, { files: ['/p/src/lib.rs', '/p/src/main.rs'] });
    assert.deepEqual(rustResolver.targets('super::super::x', '/p/src/a.rs'), [], 'above the crate root');
  });

  it('honours [lib] path: the crate root and its modules sit where the manifest says', async () => {
    assert.equal(cargoManifest('[package]\nname = "net"\n\n[lib]\npath = "lib.rs"\n').libPath, 'lib.rs');
    assert.equal(cargoManifest('[lib]\npath = "src/lib.rs"\n').libPath, undefined, 'the default is not recorded');
    const layout = { packages: new Map([['storage', '/ws/components/storage']]), libRoots: new Map([['/ws/components/storage', '/ws/components/storage/lib.rs']]) };
    assert.deepEqual(rustResolver.targets('storage::blob::read_blob', '/ws/components/net/fetch.rs', layout)[0]!.module, { files: ['/ws/components/storage/blob.rs', '/ws/components/storage/blob/mod.rs'] });
    // Inside such a crate, crate:: and super:: start from the library root's folder.
    assert.deepEqual(rustResolver.targets('crate::quota::check', '/ws/components/storage/blob/mod.rs', layout)[0]!.module, { files: ['/ws/components/storage/quota.rs', '/ws/components/storage/quota/mod.rs'] });
    assert.deepEqual(rustResolver.targets('super::read_blob', '/ws/components/storage/blob/cache.rs', layout)[0]!.module, { files: ['/ws/components/storage/blob.rs', '/ws/components/storage/blob/mod.rs'] });
    // The fixture project loses both of its findings without the library roots.
    const dir = join(__dirname, '..', 'fixtures', 'rust', 'cross-file', 'lib-path-components');
    const rs = (d: string): string[] => readdirSync(d).flatMap((e) => (statSync(join(d, e)).isDirectory() ? rs(join(d, e)) : e.endsWith('.rs') ? [join(d, e)] : []));
    const files = rs(dir).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    const real = await readProjectLayout(files.map((f) => f.path));
    assert.ok(real.libRoots?.size === 2, 'both components have a library root');
    const count = (l: typeof real): number => [...analyzeProject(files, l).analyses.values()].reduce((n, a) => n + a.findings.length, 0);
    assert.equal(count(real), 2);
    assert.equal(count({ ...real, libRoots: new Map() }), 0);
  });

  it('reads workspace members given as a glob in the last segment (axum\'s "axum-*")', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'ab-members-'));
    try {
      writeFileSync(join(root, 'Cargo.toml'), '[workspace]\nmembers = ["axum", "axum-*"]\n');
      for (const name of ['axum', 'axum-core', 'axum-extra', 'examples']) {
        mkdirSync(join(root, name, 'src'), { recursive: true });
        writeFileSync(join(root, name, 'Cargo.toml'), `[package]\nname = "${name}"\n`);
      }
      writeFileSync(join(root, 'axum', 'src', 'lib.rs'), '');
      const layout = await readProjectLayout([join(root, 'axum', 'src', 'lib.rs')]);
      assert.deepEqual([...(layout.packages?.keys() ?? [])].sort(), ['axum', 'axum_core', 'axum_extra']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds a workspace crate through the layout only', () => {
    const layout = { packages: new Map([['acme_storage', '/ws/crates/storage']]) };
    assert.deepEqual(rustResolver.targets('acme_storage::blob::read', '/ws/crates/api/src/lib.rs'), []);
    assert.deepEqual(rustResolver.targets('acme_storage::blob::read', '/ws/crates/api/src/lib.rs', layout)[0], {
      module: { files: ['/ws/crates/storage/src/blob.rs', '/ws/crates/storage/src/blob/mod.rs'] },
      name: 'read',
    });
    assert.deepEqual(rustResolver.module('acme_storage', '/ws/x.rs', layout), { files: ['/ws/crates/storage/src/lib.rs'] });
  });

  it('never looks up std, primitives or bare types', () => {
    for (const c of ['std::fs::read', 'core::mem::take', 'str::lines', 'u8::from', 'Vec::new', 'helper']) assert.equal(rustResolver.mayLink(c), false, c);
    for (const c of ['crate::db::open', 'super::x', 'self::y::z', 'acme_storage::blob::read']) assert.equal(rustResolver.mayLink(c), true, c);
  });
});

describe('Cargo manifest (layout)', () => {
  it('reads the crate name, workspace members and path dependencies', () => {
    const m = cargoManifest(
      [
        '[package]',
        'name = "acme-api" # the binary',
        '[lib]',
        'name = "acme_api_lib"',
        '[workspace]',
        'members = [',
        '  "crates/*",',
        '  "tools/gen",',
        ']',
        '[dependencies]',
        'tokio = { version = "1" }',
        'acme-storage = { path = "../storage" }',
        '[dependencies.acme-proto]',
        'path = "../proto"',
      ].join('\n'),
    );
    assert.equal(m.crate, 'acme_api_lib');
    assert.deepEqual(m.members, ['crates/*', 'tools/gen']);
    assert.deepEqual(m.pathDependencies, [
      { name: 'acme_storage', path: '../storage' },
      { name: 'acme_proto', path: '../proto' },
    ]);
  });
});

describe('Rust cross-file quick fix', () => {
  it('offers spawn_blocking at the call site of a helper that blocks in another file, and the result parses', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'rust', 'cross-file', 'inline-module-helpers');
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const f = join(d, e);
        if (statSync(f).isDirectory()) walk(f);
        else if (f.endsWith('.rs')) files.push(f);
      }
    };
    walk(dir);
    const { analyses } = analyzeProject(
      files.map((path) => ({ path, text: readFileSync(path, 'utf8') })),
      await readProjectLayout(files),
    );
    const handler = analyses.get(join(dir, 'src', 'handlers', 'mod.rs'))!;
    const finding = handler.findings.find((f) => handler.lines.position(f.span.start).line === 3)!;
    const { fixes } = fixesFor(handler, finding);
    assert.equal(fixes[0]?.title, 'Run `util::slurp` on the blocking pool');
    let text = handler.parsed.text;
    for (const e of [...fixes[0]!.edits].sort((a, b) => b.span.start - a.span.start)) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
    assert.match(text, /let body = tokio::task::spawn_blocking\(move \|\| util::slurp\(&body_file\)\)\.await\.expect\("blocking task panicked"\);/);
  });
});
