/**
 * The API process as `hma api` runs it (every role, /dev on, the UI on), on the real
 * broker, registry and database, listening on a real port: clients speak HTTP to it.
 */
import { afterAll, beforeAll } from 'vitest';
import { startApi } from '../../../src/processes/api.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { freePort } from '../../support/ports.js';
import { scratchStack, type Stack } from '../../support/stack.js';
import { httpClient, type Call } from './client.js';

export interface CompatApi {
  readonly base: string;
  readonly call: Call;
}

export function useCompatApi(label: string, overrides: Record<string, string> = {}): CompatApi {
  let stack: Stack | undefined;
  let runtime: Runtime | undefined;
  let base = '';
  beforeAll(async () => {
    const port = await freePort();
    stack = await scratchStack(label, { API_HOST: '127.0.0.1', API_PORT: String(port), ...overrides });
    runtime = new Runtime(stack.config, `compat-${label}`);
    base = (await startApi(runtime)).url;
    const call = httpClient(base);
    for (let i = 0; i < 300; i++) {
      if ((await call('GET', '/status')).status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('API never became ready');
  });
  afterAll(async () => {
    await runtime?.stop();
    await stack?.drop();
  });
  return {
    get base() {
      return base;
    },
    call: (method, path, opts) => httpClient(base)(method, path, opts),
  };
}
