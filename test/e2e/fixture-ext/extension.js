// Throwaway stand-in for the real extension: same diagnostic source, a hover on `await`,
// a quick fix, yield-point decorations and the test-only snapshot command. It exists only
// to prove the code-server harness; the suite uses the real .vsix whenever one is built.
const vscode = require('vscode');
const fs = require('fs');

const SOURCE = 'async-boundary';
const plain = (r) => ({ start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } });
const BLOCKING = /\bfs\.readFileSync\(/g;
const AWAIT = /\bawait\b/g;

function ranges(doc, re) {
  const out = [];
  const text = doc.getText();
  for (const m of text.matchAll(re)) {
    out.push(new vscode.Range(doc.positionAt(m.index), doc.positionAt(m.index + m[0].length)));
  }
  return out;
}

function activate(context) {
  const diags = vscode.languages.createDiagnosticCollection(SOURCE);
  const deco = vscode.window.createTextEditorDecorationType({ after: { contentText: ' ⇣1', color: '#888' } });
  const applied = new Map();
  const refresh = (doc) => {
    if (!['typescript', 'javascript'].includes(doc.languageId)) return;
    diags.set(doc.uri, ranges(doc, BLOCKING).map((r) => {
      const d = new vscode.Diagnostic(r, '`fs.readFileSync` blocks the event loop in async function `handleUpload`: use `await fs.promises.readFile`', vscode.DiagnosticSeverity.Warning);
      d.source = SOURCE; d.code = 'blocking-in-async';
      return d;
    }));
    for (const ed of vscode.window.visibleTextEditors) {
      if (ed.document !== doc) continue;
      const rs = ranges(doc, AWAIT);
      ed.setDecorations(deco, rs);
      applied.set(doc.uri.toString(), rs.map((r) => ({ range: plain(r), contentText: ' ⇣1' })));
    }
  };
  context.subscriptions.push(
    diags,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => refresh(e.document)),
    vscode.window.onDidChangeVisibleTextEditors((eds) => eds.forEach((e) => refresh(e.document))),
    vscode.languages.registerHoverProvider(['typescript', 'javascript'], {
      provideHover(doc, pos) {
        const r = doc.getWordRangeAtPosition(pos);
        if (!r || doc.getText(r) !== 'await') return undefined;
        const n = ranges(doc, AWAIT).findIndex((a) => a.start.isEqual(r.start)) + 1;
        return new vscode.Hover(new vscode.MarkdownString(`**Yield point ${n}** of \`handleUpload\`: nothing held`), r);
      },
    }),
    vscode.languages.registerCodeActionsProvider(['typescript', 'javascript'], {
      provideCodeActions(doc, _range, ctx) {
        return ctx.diagnostics.filter((d) => d.source === SOURCE).map((d) => {
          const a = new vscode.CodeAction('Replace with `await fs.promises.readFile`', vscode.CodeActionKind.QuickFix);
          a.diagnostics = [d]; a.isPreferred = true;
          a.edit = new vscode.WorkspaceEdit();
          a.edit.replace(doc.uri, d.range, 'await fs.promises.readFile(');
          return a;
        });
      },
    }),
  );
  vscode.workspace.textDocuments.forEach(refresh);
  if (process.env.ASYNC_BOUNDARY_TEST === '1') {
    context.subscriptions.push(vscode.commands.registerCommand('asyncBoundary._test.snapshot', async (args) => {
      const ed = vscode.window.activeTextEditor;
      const uri = args && args.uri ? vscode.Uri.parse(args.uri) : ed && ed.document.uri;
      const doc = await vscode.workspace.openTextDocument(uri);
      const awaitAt = ranges(doc, AWAIT)[0];
      const hovers = awaitAt ? await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, awaitAt.start) : [];
      const diagnostics = vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
      const actions = diagnostics[0] ? await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, diagnostics[0].range) : [];
      const snap = {
        uri: uri.toString(),
        diagnostics: diagnostics.map((d) => ({ range: plain(d.range), message: d.message, code: d.code, severity: d.severity, source: d.source })),
        hovers: hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))),
        codeActions: actions.map((a) => ({ title: a.title, kind: a.kind && a.kind.value, isPreferred: !!a.isPreferred })),
        inlayHints: [],
        decorations: applied.get(uri.toString()) || [],
      };
      fs.writeFileSync(args.out, JSON.stringify(snap, null, 2));
      return snap;
    }));
  }
}
module.exports = { activate, deactivate() {} };
