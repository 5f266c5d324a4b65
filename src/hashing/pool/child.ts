/**
 * A hash process: runs the pool's tasks one at a time. It exits as soon as its parent goes
 * away (the IPC channel closes), so a killed or crashed API never leaves decoders behind.
 */
import type { ProcessMessage, TaskRequest } from './protocol.js';
import { configureDecoder, runTask } from './tasks.js';

const send = (m: ProcessMessage) => process.send?.(m);

if (!process.send) throw new Error('the hash process must be started by the hash pool (child_process.fork)');
configureDecoder();
process.on('disconnect', () => process.exit(0));
process.on('message', (msg: TaskRequest) => {
  runTask(msg.task).then(
    (outcome) => send({ type: 'done', id: msg.id, outcome }),
    (err: unknown) => send({ type: 'failed', id: msg.id, message: err instanceof Error ? err.message : String(err) }),
  );
});
send({ type: 'ready' });
