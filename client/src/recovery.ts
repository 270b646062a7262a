// What the client does when the server process dies, kept free of `vscode` so that it is unit-tested
// (test/unit/fuzz-client-recovery.test.ts): restart a bounded number of times, tell the user once,
// and never leave decorations from a dead server on screen.

/** The decision for one unexpected close of the server connection. */
export interface CloseDecision {
  readonly restart: boolean;
  /** Shown to the user: on the first crash only, and when giving up. */
  readonly message?: string;
}

/** The server stays down after more than `maxRestarts` crashes within `windowMs`. */
export class RestartPolicy {
  private readonly crashes: number[] = [];
  private told = false;

  constructor(
    private readonly maxRestarts: number,
    private readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  closed(): CloseDecision {
    const t = this.now();
    this.crashes.push(t);
    while (this.crashes.length > 0 && t - this.crashes[0]! > this.windowMs) this.crashes.shift();
    if (this.crashes.length > this.maxRestarts) {
      return { restart: false, message: `The async-boundary server crashed ${this.crashes.length} times in ${Math.round(this.windowMs / 60_000)} minutes and was not restarted: see the Async Boundary output, then reload the window` };
    }
    if (this.told) return { restart: true };
    this.told = true;
    return { restart: true, message: 'The async-boundary server stopped unexpectedly and was restarted: see the Async Boundary output for the cause' };
  }
}

/** The language client's states, as strings (`vscode-languageclient`'s `State` is numeric). */
export type ServerState = 'starting' | 'running' | 'stopped';

/** Decorations come from the server: drop them when it stops or restarts, redraw when it runs. */
export function decorationsOnState(state: ServerState): 'clear' | 'redraw' {
  return state === 'running' ? 'redraw' : 'clear';
}
