/** What a CLI command may touch of the outside world, so tests can run commands in-process. */
export interface CliIo {
  /** The working directory: relative paths in arguments and output are relative to it. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Standard output is a terminal (colour is allowed). */
  readonly isTTY: boolean;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
  };
}

/** A usage or configuration problem: the command prints it and exits with status 2. */
export class UsageError extends Error {}

/**
 * Colour is used on a terminal unless `NO_COLOR` is set to a non-empty value (no-color.org);
 * `FORCE_COLOR` set to a non-empty value forces it on (CI logs that render ANSI), except `0` and
 * `false`, which force it off, as Node and chalk read it (force-color.org).
 */
export function useColor(io: CliIo): boolean {
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return io.isTTY && !io.env['NO_COLOR'];
}
