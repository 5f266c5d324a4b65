#!/usr/bin/env node
// Entry point of the `hma` command: runs the TypeScript sources through tsx's loader,
// so that no build step stands between a clone and a running stack.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
