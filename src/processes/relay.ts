/**
 * Runs the outbox relay in a process: `hma relay` standalone, or inside `hma api` / `hma all`.
 * Kafka or the registry may be down when it starts: it connects in the background until
 * they answer (curation writes wait in the outbox meanwhile, nothing is lost).
 */
import type { Config } from '../config/config.js';
import type { Db } from '../curation/db.js';
import { kafkaPublisher } from '../curation/outbox/kafka-publisher.js';
import { watchOutbox } from '../curation/outbox/metrics.js';
import type { ChangePublisher } from '../curation/outbox/publisher.js';
import { OutboxRelay } from '../curation/outbox/relay.js';
import { isOutageError, keepTrying } from '../kafka/connectivity.js';
import { log } from '../observability/logger.js';
import { startingReason } from '../runtime/health.js';
import { runPartAsProcess, type RunningProcess } from '../runtime/process.js';

export interface RunningRelay {
  /** Undefined once publishing, else why not. */
  readiness(): string | undefined;
  stop(): Promise<void>;
}

export async function startOutboxRelay(config: Config, db: Db): Promise<RunningRelay> {
  const logger = log('outbox-relay');
  let stopped = false;
  let relay: OutboxRelay | undefined;
  let publisher: ChangePublisher | undefined;
  const starting = (async () => {
    publisher = await keepTrying(() => kafkaPublisher(config), {
      stopped: () => stopped,
      onError: (err) => (isOutageError(err) ? logger.debug({ err }, 'cannot publish yet; retrying') : logger.warn({ err }, 'relay could not start; retrying')),
    });
    if (!publisher || stopped) return;
    relay = new OutboxRelay({ db, publisher, batchSize: config.OUTBOX_RELAY_BATCH, pollMs: config.OUTBOX_RELAY_POLL_MS });
    relay.start();
  })();
  watchOutbox(db);
  return {
    readiness: () => (relay ? undefined : 'RELAY-STARTING'),
    async stop() {
      stopped = true;
      await starting;
      await relay?.stop();
      await publisher?.close();
    },
  };
}

/** `hma relay`: the relay alone, with its own runtime and the /metrics and /status sidecar on METRICS_PORT. */
export function runRelay(config: Config): Promise<RunningProcess> {
  return runPartAsProcess(config, 'relay', async (runtime) => {
    const relay = await startOutboxRelay(runtime.config, runtime.db);
    runtime.onStop('outbox relay', () => relay.stop());
    runtime.logger.info('relay started');
    return { readiness: () => (relay.readiness() === undefined ? undefined : startingReason(runtime, 'relay')) };
  });
}
