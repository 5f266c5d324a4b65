/**
 * Running parts as a process: `runPartAsProcess` gives a part (a pipeline stage, the
 * relay) its own runtime, the /metrics, /status and /status/live sidecar on
 * METRICS_PORT, and shutdown on SIGINT/SIGTERM; the start functions in src/processes/
 * add the same part to a process someone else composes (e.g. `hma all`), which then
 * serves its readiness.
 */
import { buildApp, type AppDeps } from './app.js';
import type { Config } from '../config/config.js';
import { startingReason, statusDetails } from './health.js';
import { Runtime, stopOnSignals } from './runtime.js';
import type { ReadinessCheck } from './status.js';

export interface StartedPart {
  /** Undefined when ready, else why not. */
  readonly readiness: ReadinessCheck;
}

export interface RunningProcess {
  readonly runtime: Runtime;
  /** Where /metrics and /status are served. */
  readonly url: string;
}

/** The /metrics, /status and /status/live sidecar of a process with no API, on METRICS_PORT; closed with the runtime. */
export async function serveSidecar(runtime: Runtime, deps: Omit<AppDeps, 'config' | 'plugins'> = {}): Promise<string> {
  const { config } = runtime;
  const app = await buildApp({ config, ...deps });
  const url = await app.listen({ host: config.API_HOST, port: config.METRICS_PORT });
  runtime.onStop('metrics sidecar', () => app.close());
  runtime.logger.info({ url }, `${runtime.name}: metrics and status served`);
  return url;
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
  const url = await serveSidecar(runtime, {
    readiness: [() => runtime.health.kafkaProblem(), () => (part ? part.readiness() : startingReason(runtime, name))],
    status: statusDetails(runtime),
  });
  try {
    part = await start(runtime);
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return { runtime, url };
}

/**
 * Starts a process whose parts someone composes in one runtime (`hma api`, `hma all`,
 * `hma fetcher`): stopped on SIGINT/SIGTERM; a failure to start stops what did start and exits 1.
 */
export async function runComposed(config: Config, name: string, start: (runtime: Runtime) => Promise<void>): Promise<void> {
  const runtime = new Runtime(config, name);
  stopOnSignals(runtime);
  try {
    await start(runtime);
  } catch (err) {
    runtime.logger.fatal({ err }, `${name} failed to start`);
    await runtime.stop();
    process.exit(1);
  }
}
