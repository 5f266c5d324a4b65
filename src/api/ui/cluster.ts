/**
 * What the broker knows about the pipeline processes: each stage's consumer group (its
 * members are the running hashers, matchers, actioners) and how far behind it is.
 * Every call has a short deadline: the dashboard must render when Kafka is slow or down.
 */
import type { Admin, Kafka } from 'kafkajs';
import { withDeadline } from '../../kafka/connectivity.js';
import { groupLag } from '../../pipeline/stage/lag.js';
import { stageGroupId, type StageName } from '../../pipeline/stage/stage.js';
import { topicName, type TopicName } from '../../../topology/topics.js';

const STAGES: ReadonlyArray<{ readonly stage: StageName; readonly input: TopicName }> = [
  { stage: 'hasher', input: 'content.submitted' },
  { stage: 'matcher', input: 'content.hashed' },
  { stage: 'retro-matcher', input: 'signals' },
  { stage: 'actioner', input: 'match.results' },
];

export interface StageStatus {
  readonly stage: StageName;
  readonly group: string;
  /** Kafka's group state (Stable, Empty, Dead, PreparingRebalance, …). */
  readonly state: string;
  readonly members: ReadonlyArray<{ readonly clientId: string; readonly host: string }>;
  /** Messages of the input topic not yet committed by the group; null if the group never ran. */
  readonly lag: number | null;
}

export type ClusterView = { readonly ok: true; readonly stages: readonly StageStatus[] } | { readonly ok: false; readonly error: string };

export class ClusterStatus {
  private admin: Promise<Admin> | undefined;

  constructor(
    private readonly kafka: () => Kafka,
    private readonly prefix: string,
    private readonly deadlineMs = 3000,
  ) {}

  private connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka().admin();
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = undefined)); // retried on the next call
    }
    return this.admin;
  }

  async view(): Promise<ClusterView> {
    try {
      return { ok: true, stages: await withDeadline(this.stages(), this.deadlineMs, () => new Error(`Kafka: no answer within ${this.deadlineMs} ms`)) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async stages(): Promise<StageStatus[]> {
    const admin = await this.connected();
    const groups = STAGES.map((s) => stageGroupId(this.prefix, s.stage));
    const described = await admin.describeGroups(groups);
    return Promise.all(
      STAGES.map(async (s, i) => {
        const d = described.groups.find((g) => g.groupId === groups[i]);
        const state = d?.state ?? 'Dead';
        // A group that never existed has no offsets: its "lag" would be the whole topic.
        const lag = state === 'Dead' ? null : (await groupLag(admin, groups[i]!, topicName(this.prefix, s.input))).reduce((n, p) => n + p.lag, 0);
        return {
          stage: s.stage,
          group: groups[i]!,
          state,
          members: (d?.members ?? []).map((m) => ({ clientId: m.clientId, host: m.clientHost })),
          lag,
        };
      }),
    );
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.then((a) => a.disconnect()).catch(() => undefined);
  }
}
