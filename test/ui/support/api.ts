/** The API process as `hma api` composes it, on a private slice of the real stack, ready to serve. */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../../src/processes/api.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { scratchStack, type Stack } from '../../support/stack.js';

export interface TestApi {
  readonly stack: Stack;
  readonly runtime: Runtime;
  readonly app: FastifyInstance;
  stop(): Promise<void>;
}

export async function startTestApi(label: string, overrides: Record<string, string> = {}): Promise<TestApi> {
  const stack = await scratchStack(label, overrides);
  const runtime = new Runtime(stack.config, `${label}-test`);
  const app = (await buildApi(runtime)).app;
  await app.ready();
  for (let i = 0; (await app.inject({ url: '/status' })).statusCode !== 200; i++) {
    if (i === 300) throw new Error('API never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    stack,
    runtime,
    app,
    async stop() {
      await runtime.stop();
      await stack.drop();
    },
  };
}

/** Polls `read` until `done` holds (at most `ms`), returning the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  return v;
}
