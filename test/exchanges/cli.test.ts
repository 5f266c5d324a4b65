import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFetchStatus } from '../../src/curation/exchanges.js';
import type { ScratchDb } from '../support/scratch-db.js';
import { runHma } from '../support/cli.js';
import { bankSignals, exchangeDb, newExchange } from './support/db.js';

describe('hma fetcher --once', () => {
  let db: ScratchDb;
  beforeAll(async () => {
    db = await exchangeDb('excli');
  });
  afterAll(() => db.drop());

  it('fetches every enabled exchange once and exits', async () => {
    const id = await newExchange(db.pool, 'SEED_SAMPLE', 'sample');
    const r = await runHma(['fetcher', '--once'], { ...process.env, DATABASE_URL: db.url, PRODUCTION: 'false' });
    expect(r.code).toBe(0);
    expect(Object.keys(await bankSignals(db.pool, id)).length).toBe(18);
    expect(await getFetchStatus(db.pool, 'SEED_SAMPLE')).toMatchObject({ last_fetch_succeeded: true, up_to_date: true, fetched_items: 18 });
  });
});
