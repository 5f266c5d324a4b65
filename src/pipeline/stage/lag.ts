/**
 * Consumer lag of a group, polled from the broker (committed offsets against
 * partition ends) so an idle or stuck consumer shows its lag too.
 */
import type { Admin } from 'kafkajs';
import { log } from '../../observability/logger.js';
import { pipelineMetrics } from './metrics.js';

export interface PartitionLag {
  readonly partition: number;
  readonly committed: number;
  readonly end: number;
  readonly lag: number;
}

/** Lag per partition of `topic` for `groupId`; a partition without a committed offset lags by its whole length. */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends
    .map((e) => {
      const end = Number(e.high);
      const at = done.get(e.partition);
      const from = at === undefined || at < 0 ? Number(e.low) : at;
      return { partition: e.partition, committed: from, end, lag: Math.max(0, end - from) };
    })
    .sort((a, b) => a.partition - b.partition);
}

export class LagMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly logger = log('lag');

  /** `admin` is connected and owned by the caller. */
  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly intervalMs = 5000,
  ) {}

  start(): void {
    this.running = true;
    const tick = async () => {
      try {
        await this.poll();
      } catch (err) {
        this.logger.debug({ err, group: this.groupId }, 'lag poll failed');
      }
      if (this.running) this.timer = setTimeout(() => void tick(), this.intervalMs).unref();
    };
    void tick();
  }

  private async poll(): Promise<void> {
    for (const p of await groupLag(this.admin, this.groupId, this.topic)) {
      pipelineMetrics.lag.set({ group: this.groupId, topic: this.topic, partition: String(p.partition) }, p.lag);
    }
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }
}
