/** `hma relay`: publish the curation outbox to the signals and banks topics until stopped. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { startOutboxRelay } from '../../curation/outbox/start.js';
import { runPartAsProcess } from '../../pipeline/stage/process.js';
import { startingReason } from '../../runtime/health.js';

export function registerRelayCommand(program: Command): void {
  program
    .command('relay')
    .description('publish committed curation changes (the outbox) to Kafka; one active per deployment, others stand by')
    .action(async () => {
      // Its own runtime with the /metrics, /status and /status/live sidecar on METRICS_PORT, stopped on SIGINT/SIGTERM.
      await runPartAsProcess(loadConfig(process.env), 'relay', async (runtime) => {
        const relay = await startOutboxRelay(runtime.config, runtime.db);
        runtime.onStop('outbox relay', () => relay.stop());
        runtime.logger.info('relay started');
        return { readiness: () => (relay.readiness() === undefined ? undefined : startingReason(runtime, 'relay')) };
      });
    });
}
