/**
 * Postgres is not ours to start (the machine runs one); we only make sure it answers
 * and that the application and test databases exist.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Config } from '../config/config.js';

const run = promisify(execFile);

export type DatabaseConfig = Pick<Config, 'DATABASE_URL' | 'DATABASE_SSL'>;

/** The test database beside the application one: `hma` → `hma_test`. */
export function testDatabaseName(name: string): string {
  return name.endsWith('_test') ? name : `${name}_test`;
}

export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'postgres';
}

/** The same server, another database (e.g. `postgres` to create databases from). */
export function withDatabase(databaseUrl: string, name: string): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

async function withAdminClient<T>(cfg: DatabaseConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: withDatabase(cfg.DATABASE_URL, 'postgres'),
    ssl: cfg.DATABASE_SSL ? { rejectUnauthorized: true } : undefined,
    connectionTimeoutMillis: 3000,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function postgresAnswers(cfg: DatabaseConfig): Promise<boolean> {
  try {
    await withAdminClient(cfg, (c) => c.query('select 1'));
    return true;
  } catch {
    return false;
  }
}

/** Creates each database that is missing; returns the ones it created. */
export async function ensureDatabases(cfg: DatabaseConfig, names: readonly string[]): Promise<string[]> {
  return withAdminClient(cfg, async (c) => {
    const created: string[] = [];
    for (const name of names) {
      const { rowCount } = await c.query('select 1 from pg_database where datname = $1', [name]);
      if (rowCount) continue;
      try {
        await c.query(`create database ${c.escapeIdentifier(name)}`);
        created.push(name);
      } catch (err) {
        // Another process created it between our check and our create: that is fine.
        const code = (err as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw err;
      }
    }
    return created;
  });
}

export async function existingDatabases(cfg: DatabaseConfig, names: readonly string[]): Promise<string[]> {
  return withAdminClient(cfg, async (c) => {
    const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [names]);
    return rows.map((r) => r.datname);
  });
}

/** Drops a database, first ending other sessions on it (used for scratch databases in tests). */
export async function dropDatabase(cfg: DatabaseConfig, name: string): Promise<void> {
  await withAdminClient(cfg, async (c) => {
    await c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`);
  });
}

/**
 * When the machine's own Postgres (Debian cluster) is installed but stopped, starts it, as
 * the machine's boot would have. Returns false when there is nothing local to start.
 */
export async function startLocalCluster(cfg: DatabaseConfig, timeoutMs = 30_000): Promise<boolean> {
  const host = new URL(cfg.DATABASE_URL).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', ''].includes(host)) return false;
  let versions: string[];
  try {
    versions = await readdir('/etc/postgresql');
  } catch {
    return false;
  }
  if (versions.length !== 1) return false;
  try {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start']);
  } catch {
    return false; // not ours to start (no permission, or another cluster layout)
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await postgresAnswers(cfg)) return true;
    await sleep(250);
  }
  return false;
}
