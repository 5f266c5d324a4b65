/** Child-process entry for kill -9 tests: the fetcher alone, as `hma fetcher` runs it. */
import { loadConfig } from '../../../src/config/config.js';
import { runFetcher } from '../../../src/processes/fetcher.js';
import { configureLogger } from '../../../src/observability/logger.js';
import { configureKeyring } from '../../../src/security/keyring.js';

const config = loadConfig(process.env);
configureLogger(config);
configureKeyring(config);
const fetcher = await runFetcher(config, { sidecar: false });
process.once('SIGTERM', () => {
  void fetcher.stop().then(() => process.exit(0));
});
