// Test-only driver for the browser suite. A keybinding can pass a command one argument, but the
// extension's `asyncBoundary._test.snapshot(outFile, request)` takes two and needs the document
// URI. This command reads `{command, args, errorFile}` from the file named in its argument,
// replaces the string "${activeEditorUri}" with the active editor's URI, and runs the command,
// writing any failure to `errorFile` so the suite fails fast with the reason.
// With `{suite, resultFile}` it instead loads a bundled mocha suite (test/vscode) and runs it in
// this extension host, so the vscode-API specs are exercised in the same editor.
const vscode = require('vscode');
const fs = require('fs');

function substitute(value, uri) {
  if (value === '${activeEditorUri}') return uri;
  if (Array.isArray(value)) return value.map((v) => substitute(v, uri));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, uri)]));
  }
  return value;
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('asyncBoundaryE2E.run', async (arg) => {
      let req;
      try {
        req = JSON.parse(fs.readFileSync(arg.requestFile, 'utf8'));
        if (req.suite) {
          const result = await require(req.suite).run();
          fs.writeFileSync(req.resultFile, JSON.stringify(result));
          return;
        }
        const editor = vscode.window.activeTextEditor;
        const uri = editor ? editor.document.uri.toString() : null;
        await vscode.commands.executeCommand(req.command, ...substitute(req.args || [], uri));
      } catch (err) {
        const target = (req && req.errorFile) || `${arg.requestFile}.error`;
        fs.writeFileSync(target, String((err && err.stack) || err));
      }
    }),
  );
}

module.exports = { activate, deactivate() {} };
