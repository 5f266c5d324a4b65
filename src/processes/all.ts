/**
 * `hma all`: the whole stack in one process (development): the API, the fetcher, the
 * hasher and matcher, the retro-matcher, the flood counter, and an actioner when given rules. One hashing pool and one
 * index replica serve the whole process.
 */
import { startingReason } from '../runtime/health.js';
import type { StartedPart } from '../runtime/process.js';
import type { Runtime } from '../runtime/runtime.js';
import { startActioner } from './actioner.js';
import { startApi } from './api.js';
import { startFetcher } from './fetcher.js';
import { startFlood } from './flood.js';
import { startHasher } from './hasher.js';
import { startMatcher } from './matcher.js';
import { startRetroMatcher } from './retro-matcher.js';

export async function startAll(rt: Runtime, opts: { rules?: string } = {}): Promise<void> {
  const api = await startApi(rt);
  await startFetcher(rt);
  console.log(`hma-stream is up: UI ${api.url}/ui/  API ${api.url}`);
  // The pipeline parts wait for Kafka if it is down, while the API serves what needs only
  // Postgres; /status says which part is not running yet and why.
  const rules = opts.rules;
  const parts: Array<[string, () => Promise<StartedPart>]> = [
    ['hasher', () => startHasher(rt, api.hasher)],
    ['matcher', () => startMatcher(rt, api.matching)],
    ['flood', () => startFlood(rt)],
    ['retro-matcher', () => startRetroMatcher(rt, api.matching)],
    ...(rules ? [['actioner', () => startActioner(rt, rules)] as [string, () => Promise<StartedPart>]] : []),
  ];
  for (const [name, start] of parts) {
    let started: StartedPart | undefined;
    api.addReadiness(() => (started ? started.readiness() : startingReason(rt, name)));
    void start().then(
      (p) => (started = p),
      (err: unknown) => {
        rt.logger.fatal({ err }, `${name} failed to start`);
        void rt.stop().finally(() => process.exit(1));
      },
    );
  }
}
