/** Child-process entry for relay tests: what `hma relay` runs, without the rest of the CLI. */
import { loadConfig } from '../../../src/config/config.js';
import { startOutboxRelay } from '../../../src/processes/relay.js';
import { configureProcess } from '../../../src/runtime/configure.js';
import { createPool } from '../../../src/postgres/pool.js';

const config = loadConfig(process.env);
configureProcess(config);
const pool = createPool(config, 'relay-test');
const relay = await startOutboxRelay(config, pool);
process.once('SIGTERM', () => {
  void relay.stop().then(() => pool.end()).then(() => process.exit(0));
});
