/**
 * How a test run gets its Kafka, schema registry and Postgres, in order of preference:
 * the ones named by the environment, Docker (testcontainers), or the project's own
 * local scripts (`hma services up`, starting only what is not running).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/config.js';
import { servicesUp, redactUrl } from '../../src/backing-services/services.js';
import { databaseName, ensureDatabases, testDatabaseName, withDatabase } from '../../src/backing-services/postgres.js';

const run = promisify(execFile);

export interface TestServices {
  readonly source: 'environment' | 'testcontainers' | 'local scripts';
  readonly env: { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string; DATABASE_URL: string };
  stop(): Promise<void>;
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await run('docker', ['info'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export async function acquireServices(env: NodeJS.ProcessEnv): Promise<TestServices> {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL } = env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && DATABASE_URL) {
    // Given services are trusted as they are, apart from the test database existing.
    const cfg = loadConfig(env);
    await ensureDatabases(cfg, [databaseName(cfg.DATABASE_URL)]);
    return { source: 'environment', env: { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL }, stop: async () => undefined };
  }
  if (await dockerAnswers()) {
    const { startContainers } = await import('./containers.js');
    const c = await startContainers();
    return {
      source: 'testcontainers',
      env: { KAFKA_BROKERS: c.kafkaBrokers, SCHEMA_REGISTRY_URL: c.registryUrl, DATABASE_URL: c.databaseUrl },
      stop: () => c.stop(),
    };
  }
  // Local scripts: ports and the server come from the usual config (KAFKA_PORT, …); the
  // services stay up after the run so the next run starts in seconds.
  const cfg = loadConfig({ ...env, KAFKA_BROKERS: undefined, SCHEMA_REGISTRY_URL: undefined, DATABASE_URL: env.DATABASE_URL });
  await servicesUp(cfg);
  return {
    source: 'local scripts',
    env: {
      KAFKA_BROKERS: `127.0.0.1:${cfg.KAFKA_PORT}`,
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${cfg.SCHEMA_REGISTRY_PORT}/apis/ccompat/v7`,
      DATABASE_URL: withDatabase(cfg.DATABASE_URL, testDatabaseName(databaseName(cfg.DATABASE_URL))),
    },
    stop: async () => undefined,
  };
}

export function describeServices(s: TestServices): string {
  return `backing services from ${s.source}: kafka ${s.env.KAFKA_BROKERS}, registry ${s.env.SCHEMA_REGISTRY_URL}, db ${redactUrl(s.env.DATABASE_URL)}`;
}
