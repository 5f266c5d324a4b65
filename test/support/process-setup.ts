/**
 * Runs in every test worker before its test file (vitest `setupFiles`): the worker is a
 * process like any `hma` process, so its logger and keyring get their settings from its
 * config, as src/cli/main.ts does for `hma`. The environment is the one test/global-setup.ts
 * prepared (LOG_FILE in the run's log directory, canary secrets).
 */
import { loadConfig } from '../../src/config/config.js';
import { configureLogger } from '../../src/observability/logger.js';
import { configureKeyring } from '../../src/security/keyring.js';

const cfg = loadConfig(process.env);
configureLogger(cfg);
configureKeyring(cfg);
