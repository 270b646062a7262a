// The Java resolver (callee → candidate files and export name), the source roots the layout reads
// from paths, the exports the frontend reports, and the fix offered at a call whose helper blocks in
// another class's file (the cross-file findings themselves: test/fixtures/java/cross-file/).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixesFor } from '../../server/src/engine/analyze';
import { applyEdits } from '../../server/src/engine/finding';
import { javaFrontend } from '../../server/src/languages/java';
import { javaResolver } from '../../server/src/languages/java/resolver';
import { readProjectLayout } from '../../server/src/project/layout';
import { analyzeProject } from '../../server/src/project/link';

const FIXTURE = join(__dirname, '..', 'fixtures', 'java', 'cross-file', 'webflux-modules');

function javaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const f = join(dir, e);
    if (statSync(f).isDirectory()) out.push(...javaFiles(f));
    else if (f.endsWith('.java')) out.push(f);
  }
  return out;
}

describe('Java resolver', () => {
  it('links project classes, never the JDK or libraries', () => {
    assert.equal(javaResolver.mayLink('com.acme.data.UserRepository.findById'), true);
    assert.equal(javaResolver.mayLink('UserRepository.findById'), true);
    assert.equal(javaResolver.mayLink('com.acme.Outer.Inner.load'), true);
    for (const lib of ['java.sql.PreparedStatement.executeQuery', 'javax.sql.DataSource.getConnection', 'kotlin.io.FilesKt.readText', 'new com.acme.Foo', 'com.acme.util', 'com.acme.Foo.Bar']) {
      assert.equal(javaResolver.mayLink(lib), false, lib);
    }
    // A library's package is looked up only from a file in that package's tree (the library itself).
    const app = '/p/src/main/java/com/acme/web/Ctl.java';
    for (const lib of ['org.springframework.web.client.RestTemplate.getForObject', 'reactor.core.publisher.Mono.block', 'com.google.common.base.Preconditions.checkState']) {
      assert.equal(javaResolver.mayLink(lib, app), false, lib);
      assert.deepEqual(javaResolver.targets(lib, app, { javaRoots: ['/p/src/main/java'] }), [], lib);
    }
    assert.equal(javaResolver.mayLink('org.springframework.util.StreamUtils.copyToByteArray', '/sf/spring-web/src/main/java/org/springframework/http/X.java'), true);
  });

  // Analysing Spring Framework itself (spring-core's FileCopyUtils called from spring-webflux): its
  // own org.springframework packages are project code.
  it('links a library\'s package when the project\'s own sources hold it', async () => {
    const files = {
      '/sf/spring-core/src/main/java/org/springframework/util/FileCopyUtils.java': [
        'package org.springframework.util;',
        '',
        'import java.io.File;',
        'import java.io.IOException;',
        'import java.nio.file.Files;',
        '',
        'public abstract class FileCopyUtils {',
        '    public static byte[] copyToByteArray(File in) throws IOException {',
        '        return Files.readAllBytes(in.toPath());',
        '    }',
        '}',
        '',
      ].join('\n'),
      '/sf/spring-webflux/src/main/java/org/springframework/web/reactive/resource/FileResourceReader.java': [
        'package org.springframework.web.reactive.resource;',
        '',
        'import java.io.File;',
        '',
        'import org.springframework.util.FileCopyUtils;',
        'import reactor.core.publisher.Mono;',
        '',
        'public class FileResourceReader {',
        '    public Mono<byte[]> read(File file) {',
        '        return Mono.just(file).map(f -> FileCopyUtils.copyToByteArray(f));',
        '    }',
        '}',
        '',
      ].join('\n'),
    };
    const layout = await readProjectLayout(Object.keys(files));
    const { analyses } = analyzeProject(Object.entries(files).map(([path, text]) => ({ path, text })), layout);
    const reader = analyses.get(Object.keys(files)[1]!)!;
    assert.deepEqual(reader.findings.map((f) => `${reader.lines.position(f.span.start).line + 1}:${f.rule}`), ['10:blocking-in-async']);
    assert.match(reader.findings[0]!.message, /FileCopyUtils/);
  });

  it('looks for a qualified class under every folder above the caller, then the source roots', () => {
    const targets = javaResolver.targets('com.acme.core.Client.fetch', '/p/api/src/main/java/com/acme/web/Ctl.java', { javaRoots: ['/p/core/src/main/java', '/p/api/src/main/java'] });
    assert.equal(targets.length, 1);
    assert.equal(targets[0]!.name, 'Client.fetch');
    const files = (targets[0]!.module as { files: string[] }).files;
    assert.equal(files[0], '/p/api/src/main/java/com/acme/web/com/acme/core/Client.java');
    assert.ok(files.includes('/p/api/src/main/java/com/acme/core/Client.java'));
    assert.equal(files[files.length - 1], '/p/core/src/main/java/com/acme/core/Client.java');
    assert.equal(files.filter((f) => f === '/p/api/src/main/java/com/acme/core/Client.java').length, 1, 'a root above the caller is not tried twice');
  });

  it('looks for an unqualified class in the caller\'s own package folder, and names a nested class through its outer one', () => {
    assert.deepEqual(javaResolver.targets('AuditTrail.record', '/p/src/main/java/com/acme/web/Ctl.java'), [{ module: { files: ['/p/src/main/java/com/acme/web/AuditTrail.java'] }, name: 'AuditTrail.record' }]);
    assert.equal(javaResolver.targets('com.acme.Outer.Inner.load', '/p/src/main/java/com/acme/X.java')[0]!.name, 'Outer.Inner.load');
  });
});

describe('Java layout and exports', () => {
  it('reads the source roots from the paths alone', async () => {
    const files = javaFiles(FIXTURE);
    assert.deepEqual([...((await readProjectLayout(files)).javaRoots ?? [])].sort(), [join(FIXTURE, 'orders-api/src/main/java'), join(FIXTURE, 'orders-core/src/main/java')]);
  });

  it('exports every method of named classes as Class.method (nested classes through their outer class), not anonymous or local ones', () => {
    const text = [
      'class Store {',
      '  void save() {}',
      '  void save(int n) {}',
      '  static class Cache { String get() { return null; } }',
      '  Runnable r = new Runnable() { public void run() {} };',
      '  void local() { class Helper { void help() {} } }',
      '}',
    ].join('\n');
    const names = javaFrontend.parse(text, 'Store.java', javaFrontend.catalog).model.exports!.functions.map((f) => f.name).sort();
    assert.deepEqual(names, ['Store.Cache.get', 'Store.local', 'Store.save']);
  });
});

describe('Java cross-file quick fix', () => {
  it('moves a `map` whose helper blocks in another module\'s class to boundedElastic, and the result parses', async () => {
    const files = javaFiles(FIXTURE);
    const { analyses } = analyzeProject(files.map((path) => ({ path, text: readFileSync(path, 'utf8') })), await readProjectLayout(files));
    const ctl = analyses.get(join(FIXTURE, 'orders-api/src/main/java/com/acme/orders/web/OrderController.java'))!;
    const finding = ctl.findings.find((f) => ctl.lines.position(f.span.start).line === 29)!;
    assert.equal(finding.rule, 'blocking-in-async');
    assert.match(finding.message, /`load` \(.*OrderService\.java:20\) calls `jdbc\.queryForObject`/);
    const { fixes } = fixesFor(ctl, finding);
    assert.ok(fixes.length > 0, 'a fix is offered');
    const fixed = applyEdits(ctl.parsed.text, fixes[0]!.edits);
    assert.match(fixed, /\.flatMap\(orderId -> Mono\.fromCallable\(\(\) -> orderService\.load\(orderId\)\)\.subscribeOn\(Schedulers\.boundedElastic\(\)\)\)/);
  });
});
