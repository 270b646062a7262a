// The language server offers "make the helper async" for a helper in another file: one workspace
// edit touching the helper's file and the caller's, each edit applied here and re-parsed; refused,
// and shown disabled with the reason, when another file calls the helper from sync code.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeAction, TextDocumentEdit, TextEdit } from 'vscode-languageserver';
import { applyEdits } from '../../server/src/engine/finding';
import { LineIndex } from '../../server/src/engine/line-index';
import { analyze } from '../../server/src/project/analyze';
import { frontendForPath, initFrontends } from '../../server/src/project/languages';
import { TestClient } from './harness';

const DIR = join(__dirname, '..', 'fixtures', 'ts', 'cross-file', 'login-password-hash');
const read = (rel: string): string => readFileSync(join(DIR, rel), 'utf8');
const FILES = { 'routes/session.ts': read('routes/session.ts'), 'services/password-hash.ts': read('services/password-hash.ts'), 'services/users.ts': read('services/users.ts') };

async function indexed(client: TestClient): Promise<void> {
  for (let i = 0; i < 100_000 && !client.progress.includes('end'); i++) await new Promise((r) => setImmediate(r));
  assert.ok(client.progress.includes('end'), 'the index build ended');
}

function applyLsp(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  return applyEdits(text, edits.map((e) => ({ span: { start: lines.offset(e.range.start.line, e.range.start.character), end: lines.offset(e.range.end.line, e.range.end.character) }, newText: e.newText })));
}

describe('language server: a fix across files', () => {
  it('makes the helper async in its file and awaits it at the call site, as one workspace edit', async function () {
    this.timeout(60_000);
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: FILES });
    try {
      await indexed(client);
      const uri = client.uri('routes/session.ts');
      const linked = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 1);
      await client.open('routes/session.ts', FILES['routes/session.ts']);
      const diagnostics = (await linked).diagnostics;
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
      const action = actions.find((a) => a.title === 'Make `verify` async in services/password-hash.ts and use `await bcrypt.compare`');
      assert.ok(action, actions.map((a) => a.title).join('\n'));
      const resolved = action.edit ? action : await client.request<CodeAction>('codeAction/resolve', action);
      const changes = (resolved.edit?.documentChanges ?? []) as TextDocumentEdit[];
      assert.deepEqual(changes.map((c) => c.textDocument.uri).sort(), [client.uri('routes/session.ts'), client.uri('services/password-hash.ts')].sort());
      await initFrontends();
      for (const change of changes) {
        const rel = Object.keys(FILES).find((k) => client.uri(k) === change.textDocument.uri)!;
        const after = applyLsp(FILES[rel as keyof typeof FILES], change.edits as TextEdit[]);
        const a = analyze({ path: join(client.root, rel), text: after })!;
        assert.equal(a.model.syntaxErrors, 0, `${rel} parses after the fix`);
        if (rel === 'services/password-hash.ts') assert.match(after, /export async function verify\(plain: string, hashed: string\): Promise<boolean> \{\n {2}return await bcrypt\.compare\(plain, hashed\);/);
        else assert.match(after, /!await passwordHash\.verify\(req\.body\.password, user\.password\)/);
      }
    } finally {
      await client.stop();
    }
  });

  // The helper's file is closed: its edits carry no version the client could check, so the server
  // checks that the file still holds the text the edits were computed on before it hands them out.
  it('resolves to no edit, and says why, when the helper\'s closed file changed on disk after the fix was offered', async function () {
    this.timeout(60_000);
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: FILES });
    try {
      await indexed(client);
      const uri = client.uri('routes/session.ts');
      const linked = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 1);
      await client.open('routes/session.ts', FILES['routes/session.ts']);
      const diagnostics = (await linked).diagnostics;
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
      const action = actions.find((a) => a.title.startsWith('Make `verify` async'));
      assert.ok(action && !action.edit, 'offered, to be resolved');
      // A teammate's change pulled in: two lines of licence header above everything.
      writeFileSync(join(client.root, 'services/password-hash.ts'), `// SPDX-License-Identifier: MIT\n// Copyright the authors\n${FILES['services/password-hash.ts']}`);
      const resolved = await client.request<CodeAction>('codeAction/resolve', action);
      assert.equal(resolved.edit, undefined, 'no edit at offsets of the old text');
      assert.ok(client.messages.some((m) => /was not applied: a file it edits changed since it was offered/.test(m)), client.messages.join('\n'));
    } finally {
      await client.stop();
    }
  });

  // The fix is computed again for each version of the document (the editor asks for code actions
  // after every edit): the helper's file and its callers, unchanged, are not parsed again.
  it('does not parse the helper and its callers again for the next version of the document', async function () {
    this.timeout(60_000);
    const callers: Record<string, string> = {};
    for (let i = 0; i < 12; i++) callers[`routes/admin-${i}.ts`] = `import { verify } from '../services/password-hash';\n\nexport async function check${i}(plain: string, hashed: string) {\n  return verify(plain, hashed);\n}\n`;
    const client = await TestClient.start({ settings: { debounceMs: 0 }, files: { ...FILES, ...callers } });
    const ts = frontendForPath('/x.ts')!;
    const parse = ts.parse;
    const parsed: string[] = [];
    ts.parse = (text, path, ...rest) => {
      parsed.push(path);
      return parse(text, path, ...rest);
    };
    try {
      await indexed(client);
      const uri = client.uri('routes/session.ts');
      const linked = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 1);
      await client.open('routes/session.ts', FILES['routes/session.ts']);
      const titles = async (): Promise<string[]> => {
        const diagnostics = (await client.nextDiagnostics(uri, (p) => p.version === client.version('routes/session.ts') && p.diagnostics.length === 1)).diagnostics;
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
        return actions.map((a) => a.title);
      };
      const diagnostics = (await linked).diagnostics;
      parsed.length = 0;
      const first = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
      assert.ok(first.some((a) => a.title.startsWith('Make `verify` async') && a.title.endsWith('(edits 14 files)')), first.map((a) => a.title).join('\n'));
      const others = (): string[] => parsed.filter((p) => !p.endsWith('routes/session.ts'));
      assert.ok(others().length >= 13, `the first request reads the helper and its callers (${others().length})`);
      parsed.length = 0;
      // A keystroke in a comment: a new version, the same fix.
      const again = titles();
      await client.change('routes/session.ts', [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// session routes\n' }]);
      assert.ok((await again).some((t) => t.startsWith('Make `verify` async')));
      assert.deepEqual(others(), [], 'no other file parsed again');
    } finally {
      ts.parse = parse;
      await client.stop();
    }
  });

  it('shows the fix disabled, naming the sync caller, when a script calls the helper too', async function () {
    this.timeout(60_000);
    const capabilities = { textDocument: { publishDiagnostics: { relatedInformation: true }, codeAction: { disabledSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } }, workspace: { workspaceEdit: { documentChanges: true } }, window: { workDoneProgress: true } };
    const client = await TestClient.start({ settings: { debounceMs: 0 }, capabilities, files: { ...FILES, 'scripts/reset-password.ts': read('scripts/reset-password.ts') } });
    try {
      await indexed(client);
      const uri = client.uri('routes/session.ts');
      const linked = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 1);
      await client.open('routes/session.ts', FILES['routes/session.ts']);
      const diagnostics = (await linked).diagnostics;
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
      const action = actions.find((a) => a.title.startsWith('Make `verify` async'));
      assert.ok(action?.disabled, actions.map((a) => a.title).join('\n'));
      assert.match(action.disabled.reason, /^`verify` is also called from scripts\/reset-password\.ts: it is also called on line 6, in code that is not async/);
    } finally {
      await client.stop();
    }
  });
});
