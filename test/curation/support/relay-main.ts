/** Child-process entry for relay tests: what `hma relay` runs, without the rest of the CLI. */
import { loadConfig } from '../../../src/config/config.js';
import { startOutboxRelay } from '../../../src/processes/relay.js';
import { configureLogger } from '../../../src/observability/logger.js';
import { configureKeyring } from '../../../src/security/keyring.js';
import { createPool } from '../../../src/postgres/pool.js';

const config = loadConfig(process.env);
configureLogger(config);
configureKeyring(config);
const pool = createPool(config, 'relay-test');
const relay = await startOutboxRelay(config, pool);
process.once('SIGTERM', () => {
  void relay.stop().then(() => pool.end()).then(() => process.exit(0));
});
