// Messages a broken or hostile client may send: bodies that are not JSON-RPC, unknown methods,
// parameters of the wrong shape, positions out of range, URIs the server never saw. Requests must
// still be answered (a result or an error); notifications must be survived.
type Position = { line: number; character: number };

export type Malformed =
  | { readonly kind: 'request'; readonly method: string; readonly params: unknown }
  | { readonly kind: 'notify'; readonly method: string; readonly params: unknown }
  | { readonly kind: 'raw'; readonly body: Buffer };

export function malformedMessages(uri: string, pos: Position): Malformed[] {
  const req = (method: string, params: unknown): Malformed => ({ kind: 'request', method, params });
  const note = (method: string, params: unknown): Malformed => ({ kind: 'notify', method, params });
  const raw = (body: string | Buffer): Malformed => ({ kind: 'raw', body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body });
  const doc = { uri };
  const far = { line: 1e9, character: 1e9 };
  return [
    // Bodies that are not JSON-RPC.
    raw('{'),
    raw('not json at all'),
    raw(''),
    raw('null'),
    raw('[1,2,3]'),
    raw('{"jsonrpc":"2.0"}'),
    raw('{"jsonrpc":"2.0","method":42}'),
    raw('{"jsonrpc":"1.0","id":{},"method":"textDocument/hover"}'),
    raw(Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d])),
    raw('{"jsonrpc":"2.0","method":"textDocument/didChange","params":' + '['.repeat(5_000) + ']'.repeat(5_000) + '}'),
    // Unknown methods.
    req('asyncBoundary/nope', {}),
    req('textDocument/definition', { textDocument: doc, position: pos }),
    note('asyncBoundary/nope', { x: 1 }),
    note('$/setTrace', { value: 'verbose' }),
    note('$/cancelRequest', { id: 'never-sent' }),
    note('$/cancelRequest', null),
    // Wrong parameter shapes.
    req('textDocument/hover', null),
    req('textDocument/hover', {}),
    req('textDocument/hover', { textDocument: { uri: 42 }, position: 'here' }),
    req('textDocument/hover', { textDocument: doc, position: { line: -1, character: -1 } }),
    req('textDocument/hover', { textDocument: doc, position: { line: 'one', character: null } }),
    req('textDocument/codeAction', { textDocument: doc }),
    req('textDocument/codeAction', { textDocument: doc, range: { start: pos, end: { line: 0, character: 0 } }, context: { diagnostics: 'none', only: 7 } }),
    req('textDocument/codeAction', { textDocument: doc, range: { start: pos, end: pos }, context: { diagnostics: [{ range: null, code: 'blocking-in-async', message: 1 }] } }),
    req('codeAction/resolve', { title: 'x' }),
    req('codeAction/resolve', { title: 'x', data: null }),
    req('codeAction/resolve', { title: 'x', data: { uri, version: 1, kind: 'fix', finding: 1e9, fix: -1 } }),
    req('codeAction/resolve', { title: 'x', data: { uri, version: 2 ** 31, kind: 'fix-all' } }),
    req('codeAction/resolve', { title: 'x', data: { uri: 'file:///nowhere.ts', version: 1, kind: 'fix-rule', rule: '__proto__' } }),
    req('codeAction/resolve', { title: 'x', data: { uri, version: 1, kind: 'ignore', finding: 'first' } }),
    req('asyncBoundary/yieldPoints', {}),
    req('asyncBoundary/yieldPoints', null),
    req('asyncBoundary/yieldPoints', { textDocument: { uri: 'file:///never/opened.rs' } }),
    req('textDocument/inlayHint', { textDocument: doc, range: { start: far, end: { line: 0, character: 0 } } }),
    req('textDocument/inlayHint', { textDocument: doc }),
    req('workspace/executeCommand', { command: 'asyncBoundary.nope' }),
    req('workspace/executeCommand', { command: 'asyncBoundary.openRuleDocs', arguments: [123, null] }),
    req('workspace/executeCommand', null),
    // Positions out of range and URIs the server does not know.
    req('textDocument/hover', { textDocument: doc, position: far }),
    req('textDocument/codeAction', { textDocument: doc, range: { start: far, end: far }, context: { diagnostics: [] } }),
    req('textDocument/hover', { textDocument: { uri: 'file:///never/opened.ts' }, position: pos }),
    req('textDocument/hover', { textDocument: { uri: 'untitled:Untitled-1' }, position: pos }),
    req('textDocument/hover', { textDocument: { uri: 'not a uri %%%' }, position: pos }),
    req('textDocument/hover', { textDocument: { uri: 'file:///%E0%A4%A' }, position: pos }),
    req('asyncBoundary/yieldPoints', { textDocument: { uri: 'file://host/share/x.ts' } }),
    // Notifications about documents that are not open, or with nonsense in them.
    note('textDocument/didChange', { textDocument: { uri: 'file:///never/opened.ts', version: 2 }, contentChanges: [{ text: 'x' }] }),
    note('textDocument/didChange', { textDocument: { uri: 'file:///tmp/ab-fuzz-bad.ts', version: null }, contentChanges: 'all of it' }),
    note('textDocument/didClose', { textDocument: { uri: 'file:///never/opened.ts' } }),
    note('textDocument/didSave', { textDocument: doc }),
    note('textDocument/didOpen', { textDocument: { uri: 'file:///tmp/ab-fuzz-bad.ts', languageId: 'typescript', version: 1, text: null } }),
    note('workspace/didChangeConfiguration', null),
    note('workspace/didChangeWatchedFiles', { changes: 'x' }),
    note('workspace/didChangeWatchedFiles', { changes: [{ uri: 42, type: 'changed' }] }),
  ];
}
