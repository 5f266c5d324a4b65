/** Child-process entry for kill -9 tests: the fetcher alone, as `hma fetcher` runs it. */
import { loadConfig } from '../../../src/config/config.js';
import { runFetcher } from '../../../src/processes/fetcher.js';
import { configureProcess } from '../../../src/runtime/configure.js';

const config = loadConfig(process.env);
configureProcess(config);
const fetcher = await runFetcher(config, { sidecar: false });
process.once('SIGTERM', () => {
  void fetcher.stop().then(() => process.exit(0));
});
