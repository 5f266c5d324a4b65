/** The messages between the hash pool and its processes (Node IPC, advanced serialization: byte arrays travel as such). */
import type { HashTask, TaskOutcome, TaskValue } from './tasks.js';

/** Pool → process: one task at a time. */
export interface TaskRequest {
  readonly id: number;
  readonly task: HashTask;
}

/** Process → pool. */
export type ProcessMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly outcome: TaskOutcome<TaskValue> }
  /** The task threw something other than an HmaError: a bug, reported as such. */
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
