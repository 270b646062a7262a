// The shared tree-sitter layer (server/src/languages/tree-sitter/): what it materialises, in which
// unit, how it reparses and frees, and that it loads a grammar (and the TypeScript compiler) only
// when a file needs it. A toy frontend on the Python grammar shows a second language needs nothing
// beyond the declaration.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { ParsedFile } from '../../server/src/engine/language';
import type { FileModel } from '../../server/src/engine/model';
import { FRONTENDS } from '../../server/src/languages';
import { rustCatalog } from '../../server/src/languages/rust/catalog';
import { GO_GRAMMAR, GO_KINDS } from '../../server/src/languages/go/syntax';
import { JAVA_GRAMMAR, JAVA_KINDS } from '../../server/src/languages/java/syntax';
import { PYTHON_GRAMMAR, PYTHON_KINDS } from '../../server/src/languages/python/syntax';
import { RUST_KINDS } from '../../server/src/languages/rust/syntax';
import {
  childInField, createTreeSitterFrontend, declaredGrammars, loadGrammar, loadedGrammar, materialise, materialiseText, treeSitterTree, walk,
  type NodeKinds, type SyntaxNode, type View,
} from '../../server/src/languages/tree-sitter';
import { rawCursor, setRawCursorEnabled } from '../../server/src/languages/tree-sitter/grammar';

const PY = 'tree-sitter-python';

function shape(node: SyntaxNode, text: string): unknown {
  const own = node.children.length === 0 ? text.slice(node.start, node.end) : node.children.map((c) => shape(c, text));
  return node.field ? { [`${node.type}@${node.field}`]: own } : { [node.type]: own };
}

function emptyModel(path: string, syntaxErrors: number): FileModel {
  return { language: 'python', path, contexts: [], functions: [], yieldPoints: [], heldRegions: [], calls: [], channels: [], spawns: [], comments: [], syntaxErrors };
}

/** A toy Python frontend: its model lists nothing; `data` keeps the names of the calls it saw. */
const toy = createTreeSitterFrontend<{ calls: string[] }>({
  language: 'python',
  displayName: 'Python',
  extensions: ['.toy'],
  // The toy reads no catalog.
  catalog: rustCatalog,
  grammar: PY,
  kinds: { keep: ['function_definition', 'call', 'identifier', 'attribute'], opaque: ['attribute', 'string'], fields: true },
  build(view: View, text: string, path: string) {
    const calls: string[] = [];
    walk(view.root, (n) => {
      if (n.type === 'call') calls.push(text.slice(n.children[0]!.start, n.children[0]!.end));
    });
    return { model: emptyModel(path, view.syntaxErrors), data: { calls } };
  },
});

describe('tree-sitter layer', () => {
  before(async function () {
    this.timeout(30000);
    await loadGrammar(PY);
  });

  it('materialises only the kept kinds: others are transparent, opaque ones are not descended, skipped ones are dropped', () => {
    const text = 'def f(a):\n    return g(a.b.c, "x")\n';
    const kinds: NodeKinds = { keep: ['function_definition', 'call', 'identifier', 'attribute', 'string'], opaque: ['attribute'], skip: ['parameters'] };
    const view = materialiseText(PY, text, kinds)!;
    assert.deepEqual(shape(view.root, text), {
      module: [{ function_definition: [{ identifier: 'f' }, { call: [{ identifier: 'g' }, { attribute: 'a.b.c' }, { string: '"x"' }] }] }],
    });
    assert.equal(view.syntaxErrors, 0);
    // Parents are the nearest kept ancestors.
    const call = view.root.children[0]!.children[1]!;
    assert.equal(call.parent!.type, 'function_definition');
    // An opaque node shares one frozen empty list of children; a kept leaf that is not opaque has its own.
    const [callee, attribute] = call.children;
    assert.ok(Object.isFrozen(attribute!.children) && attribute!.children.length === 0);
    assert.throws(() => attribute!.children.push(callee!), TypeError);
    assert.ok(!Object.isFrozen(callee!.children));
  });

  it('records field names when asked', () => {
    const text = 'def f():\n    pass\n';
    const view = materialiseText(PY, text, { keep: 'all', fields: true })!;
    const fn = view.root.children[0]!;
    assert.equal(text.slice(childInField(fn, 'name')!.start, childInField(fn, 'name')!.end), 'f');
    assert.equal(childInField(fn, 'body')!.type, 'block');
    assert.equal(view.root.field, undefined);
  });

  it('gives UTF-16 offsets after non-ASCII text, and counts syntax errors', () => {
    const text = 's = "😀 café"\ngrüße(1)\n';
    const view = materialiseText(PY, text, { keep: ['call', 'identifier'] })!;
    const names: string[] = [];
    walk(view.root, (n) => void (n.type === 'identifier' && names.push(text.slice(n.start, n.end))));
    assert.deepEqual(names, ['s', 'grüße']);
    assert.ok(materialiseText(PY, 'def f(:\n', { keep: 'all' })!.syntaxErrors > 0);
    assert.equal(toy.syntaxErrors('f(1)\n', 'a.toy'), 0);
    assert.ok(toy.syntaxErrors('f(1\n', 'a.toy') > 0);
  });

  it('reparses incrementally with queued edits, to what a full parse gives, and frees the old tree', () => {
    const v1 = 'def f():\n    g("ü")\n';
    const first = toy.parse(v1, 'a.toy', toy.catalog);
    const c1 = { start: v1.indexOf('g('), end: v1.indexOf('g(') + 1, newText: 'h' };
    const mid = v1.slice(0, c1.start) + c1.newText + v1.slice(c1.end);
    const c2 = { start: mid.length, end: mid.length, newText: 'k(2)\n' };
    const v2 = mid + c2.newText;
    const second = toy.parse(v2, 'a.toy', toy.catalog, first, [c1, c2]);
    const held = (p: ParsedFile) => treeSitterTree<{ calls: string[] }>(p, PY)!;
    assert.equal(held(first).ts, undefined, 'the edited tree is freed');
    assert.ok(held(second).ts);
    assert.deepEqual(held(second).data.calls, ['h', 'k']);
    assert.deepEqual(held(second).data.calls, held(toy.parse(v2, 'a.toy', toy.catalog)).data.calls);
    // Changes that do not reproduce the text: a full parse.
    const third = toy.parse('m()\n', 'a.toy', toy.catalog, second, [{ start: 0, end: 1, newText: 'x' }]);
    assert.deepEqual(held(third).data.calls, ['m']);
  });

  it('walks the tree through the WASM binding directly, to the same view as the public cursor, errors included', async function () {
    this.timeout(60000);
    const langs: [string, string, NodeKinds, string][] = [
      ['tree-sitter-rust', '.rs', RUST_KINDS, 'rust'], [GO_GRAMMAR, '.go', GO_KINDS, 'go'],
      [JAVA_GRAMMAR, '.java', JAVA_KINDS, 'java'], [PYTHON_GRAMMAR, '.py', PYTHON_KINDS, 'python'],
    ];
    const lines = (v: View): string[] => {
      const out = [`errors ${v.syntaxErrors} ${v.firstSyntaxError}`];
      walk(v.root, (n) => void out.push(`${n.type} ${n.start}-${n.end} ${n.field ?? ''} ${n.children.length} ${n.parent?.start ?? ''}`));
      return out;
    };
    let files = 0;
    let nodes = 0;
    for (const [grammar, ext, kinds, dir] of langs) {
      await loadGrammar(grammar);
      // The fast path is what every run takes: losing it (a web-tree-sitter without these entry points) must show.
      assert.ok(rawCursor(), "the binding's cursor functions are reachable");
      const { parser, language } = loadedGrammar(grammar);
      const root = join(__dirname, '../fixtures', dir);
      for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) => extname(p) === ext)) {
        const whole = readFileSync(join(root, f), 'utf8');
        // The file, then the file cut short with unbalanced brackets (ERROR and MISSING nodes).
        for (const text of [whole, `${whole.slice(0, whole.length >> 1)} {( ["`]) {
          const tree = parser.parse(text)!;
          try {
            setRawCursorEnabled(false);
            const slow = lines(materialise(tree, language, text, kinds));
            setRawCursorEnabled(true);
            const fast = lines(materialise(tree, language, text, kinds));
            assert.deepEqual(fast, slow, `${dir}/${f}${text === whole ? '' : ' (cut)'}`);
            nodes += fast.length;
          } finally {
            setRawCursorEnabled(true);
            tree.delete();
          }
        }
        files++;
      }
    }
    assert.ok(files > 100 && nodes > 10000, `${files} files, ${nodes} nodes`);
  });

  it('lists the grammars the frontends declare, for the build', () => {
    // The registry (imported above) has created every frontend.
    assert.ok(FRONTENDS.length > 1);
    // scripts/build.mjs copies each declared grammar's WASM into dist/, which the .vsix ships (`!dist/*.wasm`).
    for (const grammar of ['tree-sitter-rust', 'tree-sitter-python', 'tree-sitter-go', 'tree-sitter-java']) assert.ok(declaredGrammars().includes(grammar), grammar);
  });

  it('loads a grammar when a file of its language comes, and the TypeScript compiler only for a TypeScript file', function () {
    this.timeout(30000);
    const root = join(__dirname, '..', '..');
    const script = [
      "const { analyze } = require('./server/src/project/analyze');",
      "const { loadFrontendFor } = require('./server/src/languages');",
      "const { grammarLoaded } = require('./server/src/languages/tree-sitter');",
      "const tsLoaded = () => Object.keys(require.cache).some((k) => /node_modules[\\\\/]typescript[\\\\/]/.test(k));",
      '(async () => {',
      '  const out = { before: [grammarLoaded("tree-sitter-rust"), tsLoaded()] };',
      "  await loadFrontendFor('a.rs');",
      "  const rs = analyze({ path: 'a.rs', text: 'async fn f() { std::thread::sleep(d); }' });",
      '  out.rust = [grammarLoaded("tree-sitter-rust"), tsLoaded(), rs.findings.length];',
      "  await loadFrontendFor('b.ts');",
      "  const ts = analyze({ path: 'b.ts', text: 'async function f() { require(\"fs\").readFileSync(\"x\"); }' });",
      '  out.ts = [tsLoaded(), ts.findings.length];',
      '  console.log(JSON.stringify(out));',
      '})();',
    ].join('\n');
    const out = JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8' })) as Record<string, unknown>;
    assert.deepEqual(out, { before: [false, false], rust: [true, false, 1], ts: [true, 1] });
  });
});
