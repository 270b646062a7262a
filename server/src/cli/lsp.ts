/** `async-boundary lsp --stdio`: the language server over standard input and output, for Neovim, Helix, Zed. */
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
    // A `require` here, not an `import` at the top: the server and the LSP libraries are loaded only
    // by this subcommand (lsp-serve.ts; in dist/ its own file, cli-lsp-serve.js).
    return (require('./lsp-serve') as typeof import('./lsp-serve')).serveStdio();
  },
};
