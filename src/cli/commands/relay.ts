/** `hma relay`: publish the curation outbox to the signals and banks topics until stopped. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { startOutboxRelay } from '../../curation/outbox/start.js';
import { log } from '../../observability/logger.js';
import { createPool } from '../../postgres/pool.js';

export function registerRelayCommand(program: Command): void {
  program
    .command('relay')
    .description('publish committed curation changes (the outbox) to Kafka; one active per deployment, others stand by')
    .action(async () => {
      const config = loadConfig(process.env);
      const pool = createPool(config, 'hma-outbox-relay');
      const relay = await startOutboxRelay(config, pool);
      log('outbox-relay').info('relay started');
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await relay.stop();
      await pool.end();
    });
}
