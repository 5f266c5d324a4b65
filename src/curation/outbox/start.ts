/** Runs the outbox relay in a process: `hma relay` standalone, or inside `hma api` / `hma all`. */
import type { Config } from '../../config/config.js';
import type { Db } from '../db.js';
import { kafkaPublisher } from './kafka-publisher.js';
import { watchOutbox } from './metrics.js';
import { OutboxRelay } from './relay.js';

export interface RunningRelay {
  stop(): Promise<void>;
}

export async function startOutboxRelay(config: Config, db: Db): Promise<RunningRelay> {
  const publisher = await kafkaPublisher(config);
  const relay = new OutboxRelay({ db, publisher, batchSize: config.OUTBOX_RELAY_BATCH, pollMs: config.OUTBOX_RELAY_POLL_MS });
  relay.start();
  watchOutbox(db);
  return {
    async stop() {
      await relay.stop();
      await publisher.close();
    },
  };
}
