import { execSync } from 'node:child_process';
import zlib from 'node:zlib';

interface Job {
  readonly id: string;
  readonly payload: Buffer;
  readonly repo: string;
}

/** Pulls export jobs from the queue and processes them one at a time. */
export async function consume(next: () => Promise<Job | undefined>, upload: (id: string, body: Buffer) => Promise<void>): Promise<void> {
  for (;;) {
    const job = await next();
    if (!job) return;
    // Shelling out synchronously stalls every other job this process is handling.
    const revision = execSync(`git -C ${job.repo} rev-parse HEAD`).toString().trim();
    const body = zlib.gzipSync(Buffer.concat([Buffer.from(revision), job.payload]));
    await upload(job.id, body);
  }
}
