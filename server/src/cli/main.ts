/**
 * The `async-boundary` command line: a small dispatcher over subcommands, one file each.
 * Adding a subcommand is one entry in {@link COMMANDS}.
 */
import { version } from '../../../package.json';
import { checkCommand } from './check';
import { processIo, type CliIo } from './io';
import { lspCommand } from './lsp';
import { cliKind, tuneV8ForAnalysis } from '../project/v8-flags';

/** A subcommand: `run` gets the arguments after its name and returns the exit status. */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Every subcommand, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [checkCommand, lspCommand];

/** The top-level help text. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `async-boundary ${version}: reviews async boundaries (awaits inside held locks, blocking calls in async code, unbounded queues)`,
    '',
    'Usage: async-boundary <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --help     show help (also `async-boundary <command> --help`)',
    '  --version  print the version',
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit status. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(mainHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(`${version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.err(`async-boundary: unknown command \`${first}\`: use one of ${COMMANDS.map((c) => `\`${c.name}\``).join(', ')} (see \`async-boundary --help\`)\n`);
    return 2;
  }
  return command.run(rest, io);
}

/** Runs the command line of this process (its V8 flags set: `cliKind`) and sets its exit status. */
export function start(): void {
  // `async-boundary check | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // A crash is a bug, not a finding: say so and use a status no contract gives meaning to.
      process.stderr.write(`async-boundary: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 3;
    },
  );
}

// Run from the sources; the built command is dist/cli.js (cli/launch.ts), which loads this module's bundle and calls `start`.
if (require.main === module) {
  tuneV8ForAnalysis(cliKind(process.argv.slice(2)));
  start();
}
