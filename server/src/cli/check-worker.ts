/**
 * The module a worker thread of `check --jobs N` loads (bundled as `dist/check-worker.js`). Its
 * default export is what piscina calls for every task: it dispatches on the task's kind, so a new
 * kind is an entry in `TASKS` (check-tasks.ts) and nothing here.
 */
import { runTask, type TaskMessage } from './check-tasks';

export default function (message: TaskMessage): Promise<unknown> {
  return runTask(message);
}
