/**
 * Transactions for curation. Every write goes through `withWriteTx`, which takes the
 * outbox lock first: writers are serialized from their first statement to commit, so
 * outbox seq order is commit order (see outbox/README.md) and no writer can hold row
 * locks while waiting for the outbox lock (no deadlocks between the two).
 */
import type pg from 'pg';
import { HmaError } from '../errors/errors.js';
import { currentActor } from './actor.js';

export type Db = pg.Pool;
export type Tx = pg.PoolClient;
/** Anything that can run a query: the pool (autocommit reads) or a transaction's client. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;


async function inTx<T>(db: Db, first: string | pg.QueryConfig, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    if (first) await client.query(first);
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw translatePgError(err);
  } finally {
    client.release();
  }
}

/** Takes the outbox lock in a transaction that writes curation tables by itself (not through withWriteTx). */
export const OUTBOX_LOCK_SQL = 'SELECT outbox_lock()';

/** One transaction that may change banks, content or signals (and so the outbox). */
export function withWriteTx<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // outbox_lock() (src/postgres/migrations) is the one definition of the lock. In the same
  // round trip, hma.actor tells the audit triggers who makes this change (src/curation/actor.ts).
  return inTx(db, { text: `${OUTBOX_LOCK_SQL}, set_config('hma.actor', $1, true)`, values: [currentActor() ?? ''] }, fn);
}

/** A plain transaction that writes no curation table (e.g. the flood counter's counts): it need not wait for curation writers. */
export function withTx<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTx(db, '', fn);
}

/** One transaction that reads a consistent snapshot (or writes nothing the outbox sees). */
export function withReadTx<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTx(db, 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
}

interface PgError {
  code?: string;
  constraint?: string;
  message: string;
}
function isPgError(err: unknown): err is PgError {
  return typeof err === 'object' && err !== null && typeof (err as PgError).code === 'string' && 'severity' in err;
}

/** Constraint violations that slipped past validation become client errors, not 500s. */
export function translatePgError(err: unknown): unknown {
  if (!isPgError(err)) return err;
  switch (err.code) {
    case '23505':
      return new HmaError('conflict', `already exists (${err.constraint ?? 'unique constraint'})`);
    case '23514':
    case '22P02':
    case '22003':
      return new HmaError('invalid_input', `invalid value (${err.constraint ?? err.message})`);
    case '23503':
      return new HmaError('not_found', `referenced row does not exist (${err.constraint ?? 'foreign key'})`);
    default:
      return err;
  }
}

/** bigint columns arrive as strings; ids and counts here stay below 2^53. */
export const num = (v: string | number | null): number => Number(v);
