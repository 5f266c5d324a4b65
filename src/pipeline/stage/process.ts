/**
 * Running pipeline stages as processes: `runX(config)` gives a stage its own
 * runtime, the /metrics, /status and /status/live sidecar on METRICS_PORT, and
 * shutdown on SIGINT/SIGTERM; `startX(runtime)` adds the same stage to a process
 * someone else composes (e.g. `hma all`), which then serves its readiness.
 */
import { buildApp } from '../../runtime/app.js';
import type { ReadinessCheck } from '../../runtime/status.js';
import type { Config } from '../../config/config.js';
import { startingReason, statusDetails } from '../../runtime/health.js';
import { Runtime, stopOnSignals } from '../../runtime/runtime.js';

export interface StartedPart {
  /** Undefined when ready, else why not. */
  readonly readiness: ReadinessCheck;
}

export interface RunningProcess {
  readonly runtime: Runtime;
  /** Where /metrics and /status are served. */
  readonly url: string;
}

export async function runPartAsProcess(
  config: Config,
  name: string,
  start: (runtime: Runtime) => Promise<StartedPart>,
): Promise<RunningProcess> {
  const runtime = new Runtime(config, name);
  stopOnSignals(runtime);
  let part: StartedPart | undefined;
  // Served before the part starts, so liveness answers while e.g. an index loads, and
  // readiness says which service a part that cannot start yet is waiting for.
  const app = await buildApp({
    config,
    readiness: [() => runtime.health.kafkaProblem(), () => (part ? part.readiness() : startingReason(runtime, name))],
    status: statusDetails(runtime),
  });
  const url = await app.listen({ host: config.API_HOST, port: config.METRICS_PORT });
  runtime.onStop('metrics sidecar', () => app.close());
  runtime.logger.info({ url }, `${name}: metrics and status served`);
  try {
    part = await start(runtime);
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return { runtime, url };
}
