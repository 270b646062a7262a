// The server's entry point (bundled as dist/server.js). `createConnection` picks the transport from
// the command line: `--node-ipc` (VS Code) or `--stdio` (Neovim, Helix, Zed, `async-boundary lsp --stdio`).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { tuneV8ForAnalysis } from '../project/v8-flags';
import { startServer } from './server';

export { startServer };

/** Starts the server on the transport named on the command line and listens. */
export function main(): void {
  tuneV8ForAnalysis('server');
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection);
  connection.listen();
}

if (require.main === module) main();
