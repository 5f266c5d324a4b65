/**
 * Development tools behind /dev/* (docs/reference/hma-api.md §1.7, §4.5) and the dashboard's dev buttons:
 * demo exchanges, seeded banks, a synchronous fetch run and a factory reset.
 * Only composed into a process when PRODUCTION is false.
 */
import type { Config } from '../../config/config.js';
import { withWriteTx, type Db } from '../../curation/db.js';
import { createExchange, listExchanges } from '../../curation/exchanges.js';
import { exchangeTypeRegistry } from '../../exchanges/registry.js';
import { signalTypeRegistry } from '../../signals/registry.js';
import { createFetcher, fetchDeps, fetcherSettings } from '../../exchanges/fetcher/fetcher.js';
import { log } from '../../observability/logger.js';
import { BankSeeder, SEED_BANKS } from './seed.js';
import { existingBanks, existingExchanges } from '../ui/queries.js';

export const SAMPLE_EXCHANGE = 'SEED_SAMPLE';
export const TX_EXCHANGE = 'TX_EXAMPLE_COLLAB';
/** ThreatExchange's demo privacy group, as HMA's "Setup Tx API" uses. */
export const TX_PRIVACY_GROUP = 1012185296055235;

export interface DevState {
  readonly sampleCreated: boolean;
  readonly txCreated: boolean;
  readonly banksSeeded: boolean;
}

export class DevTools {
  readonly seeder: BankSeeder;
  private fetching: Promise<void> | undefined;
  private readonly logger = log('dev');

  constructor(
    private readonly config: Config,
    private readonly db: Db,
  ) {
    this.seeder = new BankSeeder(db, signalTypeRegistry(config.SIGNAL_TYPES));
  }

  async state(): Promise<DevState> {
    const [exchanges, banks] = await Promise.all([
      existingExchanges(this.db, [SAMPLE_EXCHANGE, TX_EXCHANGE]),
      existingBanks(this.db, SEED_BANKS),
    ]);
    return {
      sampleCreated: exchanges.has(SAMPLE_EXCHANGE),
      txCreated: exchanges.has(TX_EXCHANGE),
      banksSeeded: banks.size === SEED_BANKS.length && this.seeder.state.state !== 'running',
    };
  }

  async setupSample(): Promise<void> {
    await createExchange(this.db, exchangeTypeRegistry(this.config), { bank: SAMPLE_EXCHANGE, api: 'sample', api_json: {} });
  }

  async setupTx(): Promise<void> {
    await createExchange(this.db, exchangeTypeRegistry(this.config), { bank: TX_EXCHANGE, api: 'fb_threatexchange', api_json: { privacy_group: TX_PRIVACY_GROUP } });
  }

  /**
   * Fetches every enabled exchange once, now, through the fetcher's own run (its lease,
   * status and history), so a fetcher process running at the same time is not disturbed:
   * an exchange it is fetching is skipped. A second call while one runs joins it.
   */
  runFetch(): Promise<void> {
    this.fetching ??= (async () => {
      const settings = fetcherSettings(this.config);
      const fetcher = createFetcher(fetchDeps(this.config, this.db), settings);
      const enabled = (await listExchanges(this.db)).filter((e) => e.enabled).length;
      // runDue starts at most `concurrency` runs; each round starts the ones not yet run.
      for (let round = 0; round < Math.ceil(enabled / settings.concurrency); round++) await fetcher.runDue();
      await fetcher.stop();
    })().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /**
   * Deletes every bank, exchange, credential and type override, and starts ids from 1
   * again, as HMA's drop-and-recreate does. Signals and banks are deleted row by row (not
   * truncated) so that the outbox carries a tombstone for each and every matcher forgets
   * them too; a re-used id is then a new change after its tombstone, in the outbox's one
   * order, so replicas and the compacted topics end with the new value.
   */
  async factoryReset(): Promise<void> {
    await withWriteTx(this.db, async (tx) => {
      await tx.query('DELETE FROM content_signal');
      await tx.query('DELETE FROM bank');
      await tx.query('DELETE FROM exchange');
      await tx.query('DELETE FROM exchange_api_credentials');
      await tx.query('DELETE FROM signal_type_override');
      await tx.query('DELETE FROM content_type_override');
      // Content ids start from 1 again: the flood counts of the old ones must not carry over.
      await tx.query('DELETE FROM flood_bucket');
      await tx.query('DELETE FROM flood_release');
      // Transactional (unlike setval): rolled back with the deletes if anything fails.
      for (const table of ['bank_content', 'bank', 'exchange', 'exchange_record', 'exchange_fetch_history', 'content_review']) {
        const { rows } = await tx.query<{ seq: string }>('SELECT pg_get_serial_sequence($1, $2) AS seq', [table, 'id']);
        if (rows[0]?.seq) await tx.query(`ALTER SEQUENCE ${rows[0].seq} RESTART`);
      }
    });
    this.seeder.reset();
    this.logger.warn('factory reset: every bank, exchange and setting deleted');
  }
}
