/**
 * Runs once per `vitest run`, before any test file: makes sure Kafka, the schema
 * registry and Postgres are up, migrates the test database, and hands test workers the
 * contract variables (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL = the test
 * database, and a TOPIC_PREFIX unique to this run) and the run's log directory and
 * canary secrets (support/run-logs.ts), searched for secrets once the run is over.
 * Tests build their config with `loadConfig(process.env)`.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/config.js';
import { configureLogger } from '../src/observability/logger.js';
import { migrate } from '../src/postgres/migrate.js';
import { acquireServices, describeServices } from './support/backing-services.js';
import { removeRunArtifacts } from './support/cleanup.js';
import { checkRunLogs, prepareRunLogs } from './support/run-logs.js';

export default async function setup(): Promise<() => Promise<void>> {
  const services = await acquireServices(process.env);
  const topicPrefix = `test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.`;
  console.log(`[hma test] ${describeServices(services)}; topic prefix ${topicPrefix}`);

  // Workers are forked after global setup and inherit this environment.
  Object.assign(process.env, services.env, { TOPIC_PREFIX: topicPrefix });
  // Every process of the run logs into one directory, checked for secrets at the end (support/run-logs.ts).
  const logs = prepareRunLogs(process.env);
  Object.assign(process.env, logs);
  console.log(`[hma test] logs of this run: ${logs.HMA_TEST_RUN_DIR}`);
  const cfg = loadConfig(process.env);
  configureLogger({ ...cfg, LOG_LEVEL: 'silent' }); // its lines go to the run's hma.log only
  await migrate(cfg, { direction: 'up' });

  return async () => {
    try {
      await removeRunArtifacts(cfg);
    } finally {
      await services.stop();
    }
    // Last: every log written so far by this run (and, under scripts/test.sh, by the runs before it).
    // (vitest reports a teardown error but still exits 0: the exit code is set here, and
    // scripts/test.sh checks the whole run's directory again as its last step.)
    try {
      const searched = checkRunLogs(logs.HMA_TEST_RUN_DIR!);
      console.log(`[hma test] no secret in ${searched.files} log files (${searched.bytes} bytes) for ${searched.secrets} secrets`);
    } catch (err) {
      process.exitCode = 1;
      throw err;
    }
  };
}
