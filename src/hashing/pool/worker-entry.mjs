// Entry module of a hash worker thread. Piscina loads it with plain Node, which cannot import
// TypeScript, so it first registers tsx's loader in this thread (the project has no build step).
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./tasks.ts');

export default runTask;
