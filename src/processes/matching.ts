/**
 * The matching part of a process (API sidecar or pipeline matcher): a replica
 * with one index per installed signal type, fed from the compacted topics, and
 * the lookup service over it.
 */
import type { Config } from '../config/config.js';
import { topicName } from '../../topology/topics.js';
import type { SignalIndex } from '../index/types.js';
import { MatchReplica } from '../replica/replica.js';
import { codecDecode, ReplicaFeed } from '../replica/feed.js';
import { LookupService } from '../matching/lookup-service.js';
import { observeLookup, watchIndex } from './matching-metrics.js';
import { signalTypeRules, newIndexFor } from './signal-types.js';
import type { Runtime } from '../runtime/runtime.js';

export interface Matching {
  readonly replica: MatchReplica;
  readonly feed: ReplicaFeed;
  readonly lookups: LookupService;
}

export async function startMatching(runtime: Runtime): Promise<Matching> {
  const config: Config = runtime.config;
  const rules = signalTypeRules(config);
  const indexes = new Map<string, SignalIndex>();
  for (const name of rules.keys()) indexes.set(name, newIndexFor(name));
  const replica = new MatchReplica(indexes);
  const topics = { signals: topicName(config.TOPIC_PREFIX, 'signals'), banks: topicName(config.TOPIC_PREFIX, 'banks') };
  const feed = new ReplicaFeed(
    runtime.kafka,
    runtime.quickKafka,
    topics,
    codecDecode(runtime.codec, topics),
    replica,
    `${config.TOPIC_PREFIX}${runtime.name}.`,
  );
  watchIndex({ replica, feed });
  // Replays in the background, connecting whenever Kafka answers: the process serves what needs no replica meanwhile.
  feed.start();
  runtime.onStop('replica feed', () => feed.stop());
  return { replica, feed, lookups: new LookupService(replica, rules, observeLookup) };
}
