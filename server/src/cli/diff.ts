/**
 * `--diff REF`: which lines this branch changed relative to a git ref, as a pull request shows them,
 * plus uncommitted work. Lines are 1-based on the new side; untracked files count as changed in full.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from './io';

/** Changed lines per absolute file path; `'all'` for files that are new and untracked. */
export type ChangedLines = ReadonlyMap<string, ReadonlySet<number> | 'all'>;

/** Runs git and feeds its stdout line by line to `onLine`; rejects with git's message on failure. */
function git(args: readonly string[], cwd: string, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', onLine);
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(new UsageError(error.code === 'ENOENT' ? '`--diff` needs git, and `git` was not found on the PATH' : `cannot run git: ${error.message}`));
    });
    // 'close' fires after stdout is drained, so every line has been seen.
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(stderr.trim() || `git ${args[0]} exited with status ${code}`));
    });
  });
}

/** Undoes git's C-style quoting of unusual path names (`"a\\tb.ts"`). */
export function unquoteGitPath(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses `git diff --unified=0 --no-prefix` output into new-side changed lines per root-relative path. */
export function parseUnifiedDiff(lines: Iterable<string>): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  // An added line whose text starts with `++ ` also reads `+++ …`: only a header is a file name.
  let inHeader = false;
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      inHeader = true;
      current = undefined;
      continue;
    }
    if (inHeader && line.startsWith('+++ ')) {
      const name = line.slice(4).replace(/\t$/, '');
      if (name === '/dev/null') current = undefined;
      else {
        const path = unquoteGitPath(name);
        current = out.get(path) ?? new Set<number>();
        out.set(path, current);
      }
      continue;
    }
    if (line.startsWith('@@ ')) inHeader = false;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk && current) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      for (let l = start; l < start + count; l++) current.add(l);
    }
  }
  return out;
}

/**
 * The lines changed in the repository around `cwd` since its history left `ref` (the merge base of
 * `ref` and `HEAD`), including uncommitted changes and untracked files. Throws a {@link UsageError}
 * outside a repository or for an unknown ref.
 */
export async function changedLines(ref: string, cwd: string): Promise<ChangedLines> {
  let top = '';
  try {
    await git(['rev-parse', '--show-toplevel'], cwd, (l) => (top ||= l));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`\`--diff ${ref}\` needs a git repository, and ${cwd} is not inside one`);
  }
  const root = resolve(top);
  if (ref.startsWith('-')) throw new UsageError(`\`--diff\` takes a git ref, not an option: \`${ref}\``);
  try {
    await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root, () => undefined);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`unknown git ref \`${ref}\`: give a branch, tag or commit that exists (\`git rev-parse ${ref}\` fails)`);
  }
  // Compare with the merge base, as a pull request does: if `ref` moved on since this branch left it,
  // its new commits are not this branch's changes. Without a common history, compare with `ref` itself.
  let base = '';
  try {
    await git(['merge-base', ref, 'HEAD'], root, (l) => (base ||= l));
  } catch (error) {
    if (error instanceof UsageError) throw error;
  }
  const diffLines: string[] = [];
  const changed = new Map<string, ReadonlySet<number> | 'all'>();
  // Only the file headers and `@@` lines matter; keeping just those bounds memory on big diffs.
  await git(['-c', 'core.quotePath=true', 'diff', '--unified=0', '--no-color', '--no-ext-diff', '--no-renames', '--no-prefix', base || ref, '--'], root, (l) => {
    if (l.startsWith('diff --git ') || l.startsWith('+++ ') || l.startsWith('@@ ')) diffLines.push(l);
  });
  for (const [path, set] of parseUnifiedDiff(diffLines)) changed.set(join(root, path), set);
  await git(['ls-files', '--others', '--exclude-standard', '--full-name'], root, (l) => {
    if (l !== '') changed.set(join(root, unquoteGitPath(l)), 'all');
  });
  return changed;
}

/** True when a finding on 1-based `line` of `file` is inside the diff. */
export function inDiff(changed: ChangedLines, file: string, line: number): boolean {
  const lines = changed.get(file);
  return lines === 'all' || (lines !== undefined && lines.has(line));
}
