/** Peak memory of everything the suite started: our own descendants (Chromium) plus code-server's process group. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export class MemorySampler {
  peakMiB = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly groups: () => number[]) {}

  start(everyMs = 1_000): void {
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { stdout } = await execFileP('ps', ['-eo', 'pid=,ppid=,pgid=,rss=']);
      const rows = stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number, number]);
      const children = new Map<number, number[]>();
      for (const [pid, ppid] of rows) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      const mine = new Set<number>();
      const stack = [process.pid];
      while (stack.length) {
        const p = stack.pop()!;
        if (mine.has(p)) continue;
        mine.add(p);
        stack.push(...(children.get(p) ?? []));
      }
      const groups = new Set(this.groups());
      const kib = rows.filter(([pid, , pgid]) => mine.has(pid) || groups.has(pgid)).reduce((s, r) => s + r[3], 0);
      this.peakMiB = Math.max(this.peakMiB, Math.round(kib / 1024));
    } catch {
      /* ps missing: no figure */
    } finally {
      this.busy = false;
    }
  }
}
