/**
 * "Seed Banks" (HMA's /dev/seed_banks): SEED_BANK_0 and SEED_BANK_1 at ratio 1.0, 10,000
 * items in all, item i of a bank carrying a random PDQ (even i) or a random video MD5 (odd i),
 * so 5,000 of each overall. The rows go through curation's bulk import (COPY in batches),
 * so they reach Kafka through the outbox like any other change; progress is per batch.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HmaError } from '../../errors/errors.js';
import { createBank } from '../../curation/banks.js';
import type { Db } from '../../curation/db.js';
import { importSignals } from '../../curation/import/bulk-import.js';
import { log } from '../../observability/logger.js';
import type { SignalTypeRegistry } from '../../signals/registry.js';
import { existingBanks } from '../ui/queries.js';

export const SEED_BANKS = ['SEED_BANK_0', 'SEED_BANK_1'] as const;
export const SEED_TOTAL = 10_000;
const BATCH = 500;

export type SeedState =
  | { readonly state: 'idle' }
  | { readonly state: 'running'; readonly done: number; readonly total: number }
  | { readonly state: 'done'; readonly done: number; readonly total: number }
  | { readonly state: 'failed'; readonly done: number; readonly total: number; readonly error: string };

/** JSON lines of `count` random signals, alternating PDQ and MD5. */
function* seedLines(count: number): Generator<string> {
  for (let i = 0; i < count; i++) {
    const signal = i % 2 === 0
      ? { signal_type: 'pdq', value: randomBytes(32).toString('hex') }
      : { signal_type: 'video_md5', value: randomBytes(16).toString('hex') };
    yield `${JSON.stringify(signal)}\n`;
  }
}

/** One seeding at a time per process; its progress is kept for the dashboard. */
export class BankSeeder {
  private status: SeedState = { state: 'idle' };
  private job: Promise<void> | undefined;
  private readonly logger = log('dev');

  constructor(
    private readonly db: Db,
    private readonly signalTypes: SignalTypeRegistry,
  ) {}

  get state(): SeedState {
    return this.status;
  }

  /**
   * Checks that neither bank exists, then creates and fills them. `started` settles once
   * the check is done (rejecting with its error), `finished` when the banks are full.
   */
  start(): { started: Promise<void>; finished: Promise<void> } {
    if (this.job) throw new HmaError('conflict', 'seeding is already running');
    let checked!: () => void;
    const started = new Promise<void>((resolve) => (checked = resolve));
    const finished = (async () => {
      const present = await existingBanks(this.db, SEED_BANKS);
      if (present.size > 0) throw new HmaError('forbidden', `Bank already exists: ${[...present].join(', ')}`);
      checked();
      await this.fill();
    })();
    this.job = finished.catch(() => undefined).finally(() => (this.job = undefined));
    return { started: Promise.race([started, finished]), finished };
  }

  private async fill(): Promise<void> {
    const perBank = SEED_TOTAL / SEED_BANKS.length;
    let done = 0;
    this.status = { state: 'running', done, total: SEED_TOTAL };
    try {
      for (const bank of SEED_BANKS) await createBank(this.db, { name: bank, enabled_ratio: 1 });
      for (const bank of SEED_BANKS) {
        const base = done;
        await importSignals(this.db, {
          bank,
          input: Readable.from(seedLines(perBank)),
          format: 'jsonl',
          signalTypes: this.signalTypes,
          batchRows: BATCH,
          onProgress: (p) => {
            done = base + p.imported;
            this.status = { state: 'running', done, total: SEED_TOTAL };
          },
        });
      }
      this.status = { state: 'done', done, total: SEED_TOTAL };
      this.logger.info({ banks: SEED_BANKS, signals: done }, 'banks seeded');
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.status = { state: 'failed', done, total: SEED_TOTAL, error };
      this.logger.error({ err }, 'seeding banks failed');
      throw err;
    }
  }

  /** Forgets a finished seeding (factory reset). */
  reset(): void {
    if (!this.job) this.status = { state: 'idle' };
  }
}
