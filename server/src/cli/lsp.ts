/** `async-boundary lsp --stdio`: the language server over standard input and output, for Neovim, Helix, Zed. */
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
// Not '../lsp/main': that module starts a server when it is the bundle's entry, and in dist/cli.js it would be.
import { startServer } from '../lsp/server';
import type { Command } from './main';

const HELP = [
  'Usage: async-boundary lsp --stdio',
  '',
  'Runs the async-boundary language server, speaking LSP over standard input and output.',
  'Point your editor at this command (see the README, section Editor).',
  '',
].join('\n');

export const lspCommand: Command = {
  name: 'lsp',
  summary: 'run the language server over stdio (for LSP editors)',
  run(args, io) {
    if (args.includes('--help') || args.includes('-h')) {
      io.out(HELP);
      return Promise.resolve(0);
    }
    const unknown = args.filter((a) => a !== '--stdio');
    if (unknown.length > 0) {
      io.err(`async-boundary lsp: unknown option \`${unknown[0]}\`: only \`--stdio\` is supported\n`);
      return Promise.resolve(2);
    }
    const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
    startServer(connection);
    // The connection ends the process on the client's `exit` notification; until then we serve.
    return new Promise<number>((resolve) => {
      connection.onExit(() => resolve(0));
      connection.listen();
    });
  },
};
