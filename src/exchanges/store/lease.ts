/**
 * One fetcher per exchange at a time: a session advisory lock held on a dedicated
 * connection for the whole fetch, and every commit of that fetch runs on the same
 * connection. If the process dies (kill -9), its connection closes, Postgres drops the
 * lock, and no late commit of the dead fetch can land.
 */
import type pg from 'pg';

export interface Lease {
  /** The connection holding the lock; the fetch's writes go through it. */
  readonly client: pg.PoolClient;
  release(): Promise<void>;
}

// The lock key is per schema, so test schemas sharing a database do not contend.
const LOCK_ARGS = `hashtext('hma.exchange_fetch:' || current_schema()), ($1::bigint % 2147483647)::int`;

export async function tryLease(pool: pg.Pool, exchangeId: number): Promise<Lease | undefined> {
  const client = await pool.connect();
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_ARGS}) AS ok`, [exchangeId]);
    if (!rows[0]?.ok) {
      client.off('error', onError);
      client.release();
      return undefined;
    }
  } catch (err) {
    client.off('error', onError);
    client.release(true);
    throw err;
  }
  return {
    client,
    async release() {
      client.off('error', onError);
      if (broken) return client.release(true);
      try {
        await client.query(`SELECT pg_advisory_unlock(${LOCK_ARGS})`, [exchangeId]);
        client.release();
      } catch {
        // A connection that cannot unlock is closed: that releases the lock too.
        client.release(true);
      }
    },
  };
}
