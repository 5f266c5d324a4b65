/** The one way to get a Postgres connection pool: from config, with SSL and size applied. */
import pg from 'pg';
import type { Config } from '../config/config.js';

export type PoolConfig = Pick<Config, 'DATABASE_URL' | 'DATABASE_SSL' | 'DATABASE_POOL_SIZE'>;

export function createPool(cfg: PoolConfig, applicationName = 'hma-stream'): pg.Pool {
  const pool = new pg.Pool({
    connectionString: cfg.DATABASE_URL,
    ssl: cfg.DATABASE_SSL ? { rejectUnauthorized: true } : undefined,
    max: cfg.DATABASE_POOL_SIZE,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (server restart) must not crash the process;
  // the pool drops it and the next query gets a fresh one.
  pool.on('error', () => undefined);
  return pool;
}
