/**
 * The outbox relay: publishes committed outbox rows to Kafka in seq order (= commit
 * order, see README.md), and records its position in Postgres only after the broker
 * acknowledged. A crash between the ack and the position update re-publishes that
 * batch on restart: duplicates, never losses or reordering; consumers drop them by
 * change_seq. One relay is active at a time (a session advisory lock); others wait.
 */
import type pg from 'pg';
import { isOutageError } from '../../kafka/connectivity.js';
import { log } from '../../observability/logger.js';
import { num, type Db } from '../db.js';
import { toChangeRecord, type OutboxRow, type OutboxTopic } from './events.js';
import { outboxBacklog, outboxPublished } from './metrics.js';
import type { ChangePublisher } from './publisher.js';

/** Session lock held by the active relay: one per schema (as the outbox lock), so relays of other schemas in the same database do not wait on it. */
const LEADER_LOCK = 'pg_try_advisory_lock(48573012, hashtext(current_schema()))';
export const OUTBOX_CHANNEL = 'hma_outbox';

export interface RelayOptions {
  readonly db: Db;
  readonly publisher: ChangePublisher;
  /** Position row name; one per relay deployment. */
  readonly name?: string;
  readonly batchSize?: number;
  /** Poll interval when no NOTIFY arrives (and the standby's retry interval). */
  readonly pollMs?: number;
  /** Delete published rows (keeps the table small). */
  readonly prune?: boolean;
}

interface RowData {
  seq: string;
  topic: OutboxTopic;
  key: string;
  value: Record<string, unknown> | null;
  created_at: Date;
}

export class OutboxRelay {
  private readonly name: string;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly logger = log('outbox-relay');
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set by NOTIFY (or an error) while not sleeping, so the next sleep is skipped. */
  private nudged = false;
  private leader: pg.PoolClient | undefined;
  private position = 0;

  constructor(private readonly opts: RelayOptions) {
    this.name = opts.name ?? 'default';
    this.batchSize = opts.batchSize ?? 2000;
    this.pollMs = opts.pollMs ?? 1000;
  }

  /** Starts the loop in the background; resolves once it runs (as leader or standby). */
  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      this.logger.error({ err }, 'outbox relay stopped on an error');
      throw err;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.loop?.catch(() => undefined);
    this.loop = undefined;
  }

  /** Published position (last seq acknowledged by Kafka). */
  get publishedSeq(): number {
    return this.position;
  }

  private nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.nudged || this.stopped) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.nudged = false;
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!(await this.becomeLeader())) {
          await this.sleep(this.pollMs);
          continue;
        }
        this.position = await this.readPosition();
        this.logger.info({ position: this.position }, 'outbox relay active');
        while (!this.stopped) {
          const n = await this.runOnce();
          if (n < this.batchSize) await this.sleep(this.pollMs);
        }
      } catch (err) {
        if (this.stopped) break;
        // A broker outage is logged once by the process's health probe, not on every poll.
        if (isOutageError(err)) this.logger.debug({ err }, 'outbox relay cannot publish; retrying');
        else this.logger.warn({ err }, 'outbox relay error; retrying');
        await this.releaseLeader();
        await this.sleep(this.pollMs);
      }
    }
    await this.releaseLeader();
  }

  private async becomeLeader(): Promise<boolean> {
    if (this.leader) return true;
    const client = await this.opts.db.connect();
    const { rows } = await client.query<{ ok: boolean }>(`SELECT ${LEADER_LOCK} AS ok`);
    if (!rows[0]?.ok) {
      client.release();
      return false;
    }
    client.on('notification', () => this.nudge());
    client.on('error', () => this.nudge());
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.leader = client;
    return true;
  }

  private async releaseLeader(): Promise<void> {
    const client = this.leader;
    this.leader = undefined;
    if (!client) return;
    // Dropping the connection releases the session lock and the LISTEN with it.
    client.release(true);
  }

  private async readPosition(): Promise<number> {
    await this.opts.db.query('INSERT INTO outbox_relay (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [this.name]);
    const { rows } = await this.opts.db.query<{ position: string }>('SELECT position FROM outbox_relay WHERE name = $1', [this.name]);
    return num(rows[0]!.position);
  }

  /** Publishes one batch; returns how many rows it published. */
  async runOnce(): Promise<number> {
    const db = this.leader ?? this.opts.db;
    const { rows } = await db.query<RowData>(
      'SELECT seq, topic, key, value, created_at FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2',
      [this.position, this.batchSize],
    );
    if (rows.length === 0) {
      outboxBacklog.set(0);
      return 0;
    }
    const outboxRows: OutboxRow[] = rows.map((r) => ({
      seq: num(r.seq),
      topic: r.topic,
      key: r.key,
      value: r.value,
      createdAt: r.created_at,
    }));
    await this.opts.publisher.publish(outboxRows.map(toChangeRecord));
    const last = outboxRows.at(-1)!.seq;
    // Only now, after the ack, does the position move.
    await db.query('UPDATE outbox_relay SET position = $2, updated_at = now() WHERE name = $1', [this.name, last]);
    if (this.opts.prune ?? true) await db.query('DELETE FROM outbox WHERE seq <= $1', [last]);
    this.position = last;
    const signals = outboxRows.filter((r) => r.topic === 'signals').length;
    if (signals > 0) outboxPublished.inc({ topic: 'signals' }, signals);
    if (signals < outboxRows.length) outboxPublished.inc({ topic: 'banks' }, outboxRows.length - signals);
    const { rows: max } = await db.query<{ max: string | null }>('SELECT max(seq) AS max FROM outbox');
    outboxBacklog.set(max[0]?.max ? Math.max(0, num(max[0].max) - last) : 0);
    return outboxRows.length;
  }
}
