// Entry module of a hash process. It is forked with plain Node, which cannot import TypeScript,
// so it first registers tsx's loader (the project has no build step).
import { register } from 'tsx/esm/api';

register();
await import('./child.ts');
