/** `hma pipeline status` (consumer lag of every stage) and `hma pipeline deadletters` (the latest dead letters). */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { withAdmin } from '../../kafka/client.js';
import type { DeadLetterValue } from '../../kafka/values.js';
import { Runtime } from '../../runtime/runtime.js';
import { groupLag } from '../../pipeline/stage/lag.js';
import { stageGroupId, type StageName } from '../../pipeline/stage/stage.js';
import { table } from '../../pipeline/submit/summary.js';
import { topicName, type TopicName } from '../../../topology/topics.js';

const stages: ReadonlyArray<{ stage: StageName; input: TopicName }> = [
  { stage: 'hasher', input: 'content.submitted' },
  { stage: 'matcher', input: 'content.hashed' },
  { stage: 'retro-matcher', input: 'signals' },
  { stage: 'actioner', input: 'match.results' },
];

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function registerPipelineCommands(program: Command): void {
  const pipeline = program.command('pipeline').description('inspect the streaming pipeline');

  pipeline
    .command('status')
    .description('consumer lag of the hasher, matcher, retro-matcher and actioner groups, per partition')
    .action(async () => {
      const config = loadConfig(process.env);
      const runtime = new Runtime(config, 'pipeline-status');
      try {
        const rows = await withAdmin(runtime.kafka, async (admin) => {
          const out: string[][] = [];
          for (const s of stages) {
            const group = stageGroupId(config.TOPIC_PREFIX, s.stage);
            for (const p of await groupLag(admin, group, topicName(config.TOPIC_PREFIX, s.input))) {
              out.push([s.stage, group, String(p.partition), String(p.committed), String(p.end), String(p.lag)]);
            }
          }
          return out;
        });
        console.log(table(['stage', 'group', 'partition', 'committed', 'end', 'lag'], rows));
      } finally {
        await runtime.stop();
      }
    });

  pipeline
    .command('deadletters')
    .description('the latest dead letters (stage, typed reason, message, original key)')
    .option('--limit <n>', 'how many, at most, per partition', count, 20)
    .option('--json', 'JSON lines (original bytes as base64)')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const config = loadConfig(process.env);
      const runtime = new Runtime(config, 'pipeline-deadletters');
      const topic = topicName(config.TOPIC_PREFIX, 'deadletter');
      try {
        const letters = await readTail(runtime, topic, opts.limit);
        letters.sort((a, b) => a.failed_at - b.failed_at);
        if (opts.json) {
          for (const d of letters) console.log(JSON.stringify({ ...d, original_value: d.original_value?.toString('base64') ?? null }));
          return;
        }
        console.log(table(
          ['failed at', 'stage', 'reason', 'attempts', 'key', 'message'],
          letters.map((d) => [new Date(d.failed_at).toISOString(), d.stage, d.reason, String(d.attempts), d.original_key ?? '', d.message]),
        ));
      } finally {
        await runtime.stop();
      }
    });
}

/** The last `limit` committed dead letters of every partition. */
async function readTail(runtime: Runtime, topic: string, limit: number): Promise<DeadLetterValue[]> {
  const ends = await withAdmin(runtime.kafka, (admin) => admin.fetchTopicOffsets(topic));
  const wanted = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, { from: Math.max(Number(e.low), Number(e.high) - limit), end: Number(e.high) }]));
  const out: DeadLetterValue[] = [];
  if (wanted.size === 0) return out;
  const consumer = runtime.kafka.consumer({ groupId: `${runtime.config.TOPIC_PREFIX}deadletters.${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const remaining = new Set(wanted.keys());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 10_000);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, w] of wanted) consumer.seek({ topic, partition, offset: String(w.from) });
      });
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            const w = wanted.get(batch.partition);
            if (!w) return;
            for (const message of batch.messages) {
              if (Number(message.offset) >= w.from && message.value) out.push(await runtime.codec.decode('deadletter', message.value));
            }
            // lastOffset counts transaction markers too, which never reach us as messages.
            if (Number(batch.lastOffset()) >= w.end - 1) remaining.delete(batch.partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
