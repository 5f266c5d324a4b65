/**
 * Runs the outbox relay in a process: `hma relay` standalone, or inside `hma api` / `hma all`.
 * Kafka or the registry may be down when it starts: it connects in the background until
 * they answer (curation writes wait in the outbox meanwhile, nothing is lost).
 */
import type { Config } from '../../config/config.js';
import { isOutageError, keepTrying } from '../../kafka/connectivity.js';
import { log } from '../../observability/logger.js';
import type { Db } from '../db.js';
import { kafkaPublisher } from './kafka-publisher.js';
import { watchOutbox } from './metrics.js';
import type { ChangePublisher } from './publisher.js';
import { OutboxRelay } from './relay.js';

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
