/**
 * The language server over standard input and output, for `async-boundary lsp --stdio`. Its own
 * module (its own file in dist/, `cli-lsp-serve.js`), loaded only by that subcommand: the LSP
 * libraries are a quarter of the CLI bundle, and every other run would compile them at start-up.
 */
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
// Not '../lsp/main': that module starts a server when it is the bundle's entry.
import { startServer } from '../lsp/server';

export function serveStdio(): Promise<number> {
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  startServer(connection);
  // The connection ends the process on the client's `exit` notification; until then we serve.
  return new Promise<number>((resolve) => {
    connection.onExit(() => resolve(0));
    connection.listen();
  });
}
