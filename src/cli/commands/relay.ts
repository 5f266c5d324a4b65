/** `hma relay`: publish the curation outbox to the signals and banks topics until stopped. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { runRelay } from '../../processes/relay.js';

export function registerRelayCommand(program: Command): void {
  program
    .command('relay')
    .description('publish committed curation changes (the outbox) to Kafka; one active per deployment, others stand by')
    .action(async () => {
      // Its own runtime with the /metrics, /status and /status/live sidecar on METRICS_PORT, stopped on SIGINT/SIGTERM.
      await runRelay(loadConfig(process.env));
    });
}
