/** A real `hma api` child process on a free port of a scratch stack, for tests that speak HTTP to it. */
import { HmaProcess } from '../pipeline/support/processes.js';
import { freePort } from './ports.js';
import { scratchStack, type Stack } from './stack.js';

export interface ApiProcess {
  readonly stack: Stack;
  readonly process: HmaProcess;
  readonly base: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts `hma api` and waits until /status answers 200 (index loaded). */
export async function startApi(label: string, env: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const stack = await scratchStack(label, { API_HOST: '127.0.0.1', API_PORT: String(port), ...env });
  const proc = new HmaProcess(['api'], stack.env);
  proc.start();
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/status`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (up) break;
    if (i === 900 || !proc.running) {
      await proc.stop();
      await stack.drop();
      throw new Error(`hma api (${label}) did not become ready`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    stack,
    process: proc,
    base,
    port,
    async stop() {
      await proc.stop();
      await stack.drop();
    },
  };
}
