/**
 * Gives a process the settings its process-wide parts read from config: the logger and the
 * keyring. Every entry point (the `hma` command line, test workers and child processes, the
 * benchmarks) calls it once, where it loads its config, before anything logs or seals.
 */
import type { Config } from '../config/config.js';
import { configureLogger } from '../observability/logger.js';
import { configureKeyring } from '../security/keyring.js';

export function configureProcess(config: Config): void {
  configureLogger(config);
  configureKeyring(config);
}
