/**
 * A private slice of the real stack for one test file: its own topic prefix (topics
 * created, schemas registered) and its own database schema, so files never see each
 * other's state. `env` is what a child process needs to join the same slice.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createKafka, withAdmin } from '../../src/kafka/client.js';
import { registerSchemas } from '../../src/kafka/registry.js';
import { applyTopics } from '../../src/kafka/topology.js';
import { scratchDb, type ScratchDb } from './scratch-db.js';

export interface Stack {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly db: ScratchDb;
  /** The same slice with some settings changed. */
  configWith(overrides: Record<string, string>): Config;
  drop(): Promise<void>;
}

export async function scratchStack(label: string, overrides: Record<string, string> = {}): Promise<Stack> {
  const base = loadConfig(process.env);
  const db = await scratchDb(label);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    TOPIC_PREFIX: `${base.TOPIC_PREFIX}${label}-${randomBytes(3).toString('hex')}.`,
    TOPIC_PARTITIONS: '3',
    DATABASE_URL: db.url,
    PRODUCTION: 'false',
    // Open API for the other areas' tests, also when they switch production mode on (test/security covers auth).
    AUTH: 'none',
    ...overrides,
  };
  const config = loadConfig(env);
  await withAdmin(createKafka(config, 'test'), (admin) => applyTopics(admin, config, { fix: false }));
  await registerSchemas(config);
  return {
    config,
    env,
    db,
    configWith: (more) => loadConfig({ ...env, ...more }),
    drop: () => db.drop(),
  };
}
