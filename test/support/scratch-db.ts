/**
 * A scratch schema per test file in the test database (DATABASE_URL), migrated with
 * the project's migrations, so files sharing the database never see each other's rows
 * (the outbox especially).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';

export interface ScratchDb {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** DATABASE_URL that puts a child process on this schema. */
  readonly url: string;
  drop(): Promise<void>;
}

export const migrationsDir = path.resolve(import.meta.dirname, '../../src/postgres/migrations');

export function withSearchPath(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export async function scratchDb(label: string): Promise<ScratchDb> {
  const base = loadConfig(process.env).DATABASE_URL;
  const schema = `t_${label}_${randomBytes(4).toString('hex')}`;
  await runner({
    databaseUrl: base,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    schema,
    createSchema: true,
    // node-pg-migrate's lock is per database, not per schema: test files migrating their
    // own schemas at the same moment must wait for each other, not fail.
    advisoryLockMode: 'wait',
    log: () => undefined,
  });
  const url = withSearchPath(base, schema);
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  return {
    pool,
    schema,
    url,
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
