// parseConfig: text in, config and located errors out; invalid parts are dropped, the rest applies.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConfig, MAX_LIST_ENTRIES, formatConfigError } from '../../server/src/engine/config-parse';
import { RULES } from '../../server/src/engine/rules';

const FILE = '.async-boundary.json';

describe('parseConfig', () => {
  it('reads every section of a valid file, with comments and trailing commas', () => {
    const text = `{
      // CI treats blocking calls as errors
      "rules": { "blocking-in-async": "error", "unbounded-channel": "off", },
      "languages": {
        "typescript": {
          "blockingCalls": ["mylib.readAllSync", { "name": "img.resizeSync", "category": "cpu", "cpuHeavy": true }],
          "lockTypes": ["mylib.Lock", { "name": "mylib.AsyncLock", "kind": "async", "limiter": false }],
          "channelConstructors": [{ "name": "mylib.Queue", "bound": "maxSize", "alwaysUnbounded": false }],
          "ioCalls": ["mylib.http."]
        }
      },
      "include": ["src/**"],
      "exclude": ["**/*.generated.ts"], /* trailing */
    }`;
    const { config, errors } = parseConfig(text, FILE);
    assert.deepEqual(errors, []);
    assert.deepEqual(config.rules, { 'blocking-in-async': 'error', 'unbounded-channel': 'off' });
    assert.deepEqual(config.languages.typescript, {
      blockingCalls: ['mylib.readAllSync', { name: 'img.resizeSync', category: 'cpu', cpuHeavy: true }],
      lockTypes: ['mylib.Lock', { name: 'mylib.AsyncLock', kind: 'async', limiter: false }],
      channelConstructors: [{ name: 'mylib.Queue', bound: 'maxSize', alwaysUnbounded: false }],
      ioCalls: ['mylib.http.'],
    });
    assert.deepEqual(config.include, ['src/**']);
    assert.deepEqual(config.exclude, ['**/*.generated.ts']);
  });

  it('treats an empty file as the defaults', () => {
    const { config, errors } = parseConfig('', FILE);
    assert.deepEqual(errors, []);
    assert.deepEqual(config, { rules: {}, languages: {}, include: [], exclude: [] });
  });

  it('reports an unknown rule id at its key, listing the valid ids, and keeps the other rules', () => {
    const text = '{\n  "rules": {\n    "blocking-in-asyn": "error",\n    "await-holding-lock": "info"\n  }\n}';
    const { config, errors } = parseConfig(text, FILE);
    assert.equal(errors.length, 1);
    const e = errors[0]!;
    assert.deepEqual([e.file, e.line, e.column, e.path], [FILE, 3, 5, 'rules.blocking-in-asyn']);
    assert.match(e.message, /Unknown rule `blocking-in-asyn`/);
    for (const r of RULES) assert.ok(e.message.includes(`\`${r.id}\``), `lists ${r.id}`);
    assert.deepEqual(config.rules, { 'await-holding-lock': 'info' });
  });

  it('reports a bad severity at its value, listing the valid levels', () => {
    const { config, errors } = parseConfig('{"rules": {"blocking-in-async": "loud"}}', FILE);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, 'rules.blocking-in-async');
    assert.equal(errors[0]!.column, 33);
    assert.match(errors[0]!.message, /`loud`.*use one of `error`, `warning`, `info`, `hint`, `off`/);
    assert.deepEqual(config.rules, {});
  });

  it('reports wrong types with the key path and drops only that part', () => {
    const text = JSON.stringify({ rules: ['x'], include: 'src/**', exclude: ['ok/**', 3], languages: { typescript: { blockingCalls: [true, 'a.b'], ioCalls: 'net.' } } }, null, 2);
    const { config, errors } = parseConfig(text, FILE);
    const paths = errors.map((e) => e.path);
    assert.deepEqual(paths, ['rules', 'include', 'exclude[1]', 'languages.typescript.blockingCalls[0]', 'languages.typescript.ioCalls']);
    assert.match(errors[0]!.message, /`rules` must be an object/);
    assert.match(errors[1]!.message, /must be an array/);
    assert.deepEqual(config.exclude, ['ok/**']);
    assert.deepEqual(config.languages.typescript?.blockingCalls, ['a.b']);
    assert.deepEqual(config.languages.typescript?.ioCalls, []);
  });

  it('reports unknown top-level keys, languages and entry fields', () => {
    const text = '{"rule": {}, "languages": {"cobol": {}, "typescript": {"blockingCall": [], "lockTypes": [{"name": "L", "knd": "async"}]}}}';
    const { config, errors } = parseConfig(text, FILE);
    assert.deepEqual(
      errors.map((e) => e.path),
      ['rule', 'languages.cobol', 'languages.typescript.blockingCall', 'languages.typescript.lockTypes[0].knd'],
    );
    assert.match(errors[0]!.message, /Unknown top-level key `rule`: use one of `rules`/);
    assert.match(errors[1]!.message, /use one of `typescript`, `rust`/);
    // The entry with an unknown field still applies with its known fields.
    assert.deepEqual(config.languages.typescript?.lockTypes, [{ name: 'L', kind: 'blocking' }]);
  });

  it('requires a name in object entries and validates enum fields', () => {
    const text = '{"languages": {"typescript": {"blockingCalls": [{"category": "cpu"}, {"name": "x.y", "category": "gpu"}, {"name": "ok.z", "cpuHeavy": "yes"}]}}}';
    const { config, errors } = parseConfig(text, FILE);
    assert.deepEqual(
      errors.map((e) => e.path),
      ['languages.typescript.blockingCalls[0]', 'languages.typescript.blockingCalls[1].category', 'languages.typescript.blockingCalls[2].cpuHeavy'],
    );
    assert.match(errors[0]!.message, /has no `name`/);
    assert.match(errors[1]!.message, /`gpu`.*`fs`.*`cpu`/);
    assert.deepEqual(config.languages.typescript?.blockingCalls, [{ name: 'ok.z', category: 'other' }]);
  });

  it('reports malformed JSON with its position and keeps what parsed', () => {
    const text = '{\n  "rules": { "blocking-in-async": "error" }\n  "include": ["src/**"]\n}';
    const { config, errors } = parseConfig(text, FILE);
    assert.ok(errors.length >= 1);
    assert.match(errors[0]!.message, /^Malformed JSON: comma expected;/);
    assert.deepEqual([errors[0]!.line, errors[0]!.column], [3, 3]);
    assert.deepEqual(config.rules, { 'blocking-in-async': 'error' });
  });

  it('reports one syntax error for a truncated file, not the parser\'s cascade', () => {
    const { errors } = parseConfig('{\n  "rules": { "blocking-in-async": "warning" }, \n', FILE);
    const syntax = errors.filter((e) => e.message.startsWith('Malformed JSON'));
    assert.equal(syntax.length, 1, errors.map((e) => e.message).join('\n'));
    assert.match(syntax[0]!.message, /^Malformed JSON: property name expected \(and 2 more after it\); fix the syntax/);
  });

  it('reports a duplicate key and keeps the first', () => {
    const { config, errors } = parseConfig('{"rules": {"blocking-in-async": "error", "blocking-in-async": "off"}}', FILE);
    assert.deepEqual(errors.map((e) => [e.path, e.column]), [['rules.blocking-in-async', 42]]);
    assert.match(errors[0]!.message, /^Duplicate key `blocking-in-async` in `rules`: only the first one is used/);
    assert.deepEqual(config.rules, { 'blocking-in-async': 'error' });
  });

  it('reports a document that is not an object', () => {
    const { errors } = parseConfig('[1, 2]', FILE);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /^The config must be an object/);
  });

  it('caps lists at the limit with an error, keeping the first entries', () => {
    const globs = Array.from({ length: MAX_LIST_ENTRIES + 5 }, (_, i) => `g${i}/**`);
    const { config, errors } = parseConfig(JSON.stringify({ exclude: globs }), FILE);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, 'exclude');
    assert.match(errors[0]!.message, /more than the limit of 10000/);
    assert.equal(config.exclude.length, MAX_LIST_ENTRIES);
  });

  it('rejects overlong and empty strings', () => {
    const { config, errors } = parseConfig(JSON.stringify({ include: ['x'.repeat(5000), '  ', 'src/**'] }), FILE);
    assert.deepEqual(errors.map((e) => e.path), ['include[0]', 'include[1]']);
    assert.deepEqual(config.include, ['src/**']);
  });

  it('does not let a `__proto__` key touch the prototype', () => {
    const { config, errors } = parseConfig('{"rules": {"__proto__": "error"}}', FILE);
    assert.equal(errors.length, 1);
    assert.equal(Object.getPrototypeOf(config.rules), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['error'], undefined);
  });

  it('formats errors as file:line:col: error: message', () => {
    const { errors } = parseConfig('{"x": 1}', 'cfg/.async-boundary.json');
    assert.equal(formatConfigError(errors[0]!), 'cfg/.async-boundary.json:1:2: error: Unknown top-level key `x`: use one of `rules`, `languages`, `include`, `exclude`, `roles`');
  });

  it('never throws on arbitrary text', () => {
    for (const text of ['{', '}', '{"rules": {"a": ', '{"languages": {"typescript": null}}', 'null', '"str"', '{"include": [null, {}, []]}', '\u0000\uffff']) {
      const { config } = parseConfig(text, FILE);
      assert.ok(config.rules && config.languages && Array.isArray(config.include));
    }
  });
});

describe('parseConfig on generated input', () => {
  it('never throws, and every error points inside the text', () => {
    const key = fc.constantFrom('rules', 'languages', 'include', 'exclude', 'typescript', 'blockingCalls', 'name', 'kind', 'blocking-in-async', '__proto__', 'x');
    const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
    })).value;
    // Valid-ish JSON with random truncation and junk, so both the validator and the syntax errors are exercised.
    const text = fc.tuple(json, fc.nat(), fc.string({ maxLength: 3 })).map(([v, cut, junk]) => {
      const full = JSON.stringify({ rules: v, languages: { typescript: v }, include: v });
      return full.slice(0, full.length - (cut % 4)) + junk;
    });
    fc.assert(
      fc.property(text, (t) => {
        const { config, errors } = parseConfig(t, FILE);
        const lines = t.split(/\r\n|\r|\n/);
        for (const e of errors) {
          if (e.line < 1 || e.line > lines.length || e.column < 1 || e.column > lines[e.line - 1]!.length + 1) return false;
          if (e.message === '' || /\.$/.test(e.message)) return false;
        }
        return Array.isArray(config.include) && Object.getPrototypeOf(config.rules) === Object.prototype;
      }),
      { numRuns: 300 },
    );
  });
});
