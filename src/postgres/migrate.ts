/**
 * Schema migrations with node-pg-migrate (its programmatic runner) over the files in
 * src/postgres/migrations/ (SQL with `-- Up Migration` / `-- Down Migration`, or TS/JS).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Config } from '../config/config.js';
import { log } from '../observability/logger.js';

export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
export const migrationsTable = 'pgmigrations';

export type MigrateConfig = Pick<Config, 'DATABASE_URL' | 'DATABASE_SSL'>;

export interface MigrateOptions {
  readonly direction: 'up' | 'down';
  /** How many migrations to run; all pending (up) or all applied (down) when omitted. */
  readonly count?: number;
}

function hasMigrations(): boolean {
  return existsSync(migrationsDir) && readdirSync(migrationsDir).some((f) => !f.startsWith('.'));
}

/** Runs migrations and returns the names of those it ran (empty when already up to date). */
export async function migrate(cfg: MigrateConfig, opts: MigrateOptions): Promise<string[]> {
  if (!hasMigrations()) return [];
  const logger = log('migrate');
  const ran = await runner({
    databaseUrl: {
      connectionString: cfg.DATABASE_URL,
      ssl: cfg.DATABASE_SSL ? { rejectUnauthorized: true } : undefined,
    },
    dir: migrationsDir,
    migrationsTable,
    direction: opts.direction,
    count: opts.count ?? Infinity,
    checkOrder: true,
    singleTransaction: true,
    // Several processes may start at once (e.g. `npm start` and a test run): queue, don't fail.
    advisoryLockMode: 'wait',
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.debug(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
  return ran.map((m) => m.name);
}
