import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { dropDatabase, ensureDatabases, withDatabase } from '../../src/backing-services/postgres.js';
import { migrate, migrationsTable } from '../../src/postgres/migrate.js';
import { runHma } from '../support/cli.js';

const base = loadConfig(process.env);
const scratch = `hma_scratch_${randomBytes(4).toString('hex')}`;
const cfg: Config = loadConfig({ ...process.env, DATABASE_URL: withDatabase(base.DATABASE_URL, scratch) });

/** Every schema object a migration could leave behind, by kind, except the migrations table itself. */
async function schemaObjects(): Promise<string[]> {
  const client = new pg.Client({ connectionString: cfg.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ kind: string; name: string }>(`
      select c.relkind::text as kind, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relname not like $1
      union all
      select 'function', p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'
      union all
      select 'type', t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where n.nspname = 'public' and t.typtype in ('e', 'd', 'c') and t.typrelid = 0
      order by 1, 2`, [`${migrationsTable}%`]);
    return rows.map((r) => `${r.kind}:${r.name}`);
  } finally {
    await client.end();
  }
}

describe('migrations on a scratch database', () => {
  beforeAll(async () => {
    await ensureDatabases(cfg, [scratch]);
  });
  afterAll(async () => {
    await dropDatabase(cfg, scratch);
  });

  it('go all the way up, all the way down leaving nothing, and up again to the same schema', async () => {
    const up = await migrate(cfg, { direction: 'up' });
    expect(up.length).toBeGreaterThan(0);
    const schema = await schemaObjects();
    expect(schema.filter((o) => o.startsWith('r:')).length).toBeGreaterThan(0);

    const down = await migrate(cfg, { direction: 'down' });
    expect(down).toEqual([...up].reverse());
    expect(await schemaObjects()).toEqual([]);

    expect(await migrate(cfg, { direction: 'up' })).toEqual(up);
    expect(await schemaObjects()).toEqual(schema);
  });

  it('`hma db migrate` is idempotent', async () => {
    const env = { ...process.env, DATABASE_URL: cfg.DATABASE_URL };
    const first = await runHma(['db', 'migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('database schema is up to date');
    const rolled = await runHma(['db', 'migrate', '--down', '1'], { ...env, PRODUCTION: 'false' });
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toMatch(/^rolled back 1: /);
    const refused = await runHma(['db', 'migrate', '--down', '1'], { ...env, PRODUCTION: 'true' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('refused when PRODUCTION=true');
    const again = await runHma(['db', 'migrate'], env);
    expect(again.stdout).toMatch(/^applied 1: /);
  });
});
