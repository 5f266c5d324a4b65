/**
 * `hma flood`: the flood counter (src/pipeline/flood/), its own consumer group on
 * match.results; also one of the parts of `hma all`. Run one or more per deployment:
 * they share the partitions and their counts add up in Postgres.
 */
import type { Config } from '../config/config.js';
import { FloodCounter } from '../pipeline/flood/counter.js';
import { runPartAsProcess, type RunningProcess, type StartedPart } from '../runtime/process.js';
import type { Runtime } from '../runtime/runtime.js';

export async function startFlood(runtime: Runtime): Promise<StartedPart> {
  const counter = new FloodCounter({ config: runtime.config, db: runtime.db, kafka: runtime.kafka, codec: runtime.codec });
  runtime.onStop('flood counter', () => counter.stop());
  counter.start();
  return Promise.resolve({ readiness: () => counter.readiness() });
}

export function runFlood(config: Config): Promise<RunningProcess> {
  return runPartAsProcess(config, 'flood', (runtime) => startFlood(runtime));
}
