/**
 * The connections a process shares between its parts, created on first use and
 * closed in reverse order on shutdown.
 */
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../config/config.js';
import { createKafka } from '../kafka/client.js';
import { TopicCodec } from '../kafka/codec.js';
import { Dependencies } from '../kafka/health.js';
import { createRegistry } from '../kafka/registry.js';
import { log } from '../observability/logger.js';
import { createPool } from '../postgres/pool.js';

export class Runtime {
  private pool: pg.Pool | undefined;
  private kafkaClient: Kafka | undefined;
  private quickKafkaClient: Kafka | undefined;
  private topicCodec: TopicCodec | undefined;
  private dependencies: Dependencies | undefined;
  private readonly stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  readonly logger = log('process');

  constructor(readonly config: Config, readonly name: string) {}

  get db(): pg.Pool {
    if (!this.pool) {
      const pool = createPool(this.config, `hma-${this.name}`);
      this.pool = pool;
      this.onStop('postgres', () => pool.end());
    }
    return this.pool;
  }

  get kafka(): Kafka {
    void this.health;
    this.kafkaClient ??= createKafka(this.config, this.name);
    return this.kafkaClient;
  }

  /**
   * A client that asks once and gives up within seconds, for questions whose answer is
   * worth a bounded wait only (e.g. read-your-writes): kafkajs's default retries take
   * 7–13 s to fail when the broker is down.
   */
  get quickKafka(): Kafka {
    void this.health;
    this.quickKafkaClient ??= createKafka(this.config, `${this.name}-quick`, { retry: { retries: 0 }, connectionTimeout: 1000, requestTimeout: 2000 });
    return this.quickKafkaClient;
  }

  get codec(): TopicCodec {
    void this.health;
    this.topicCodec ??= new TopicCodec(createRegistry(this.config), this.config.TOPIC_PREFIX);
    return this.topicCodec;
  }

  /** Whether Kafka and the schema registry answer (probed once the process first uses either). */
  get health(): Dependencies {
    if (!this.dependencies) {
      const deps = Dependencies.fromConfig(this.config);
      this.dependencies = deps;
      deps.start();
      this.onStop('health probes', () => deps.stop());
    }
    return this.dependencies;
  }

  /** Registers a part to stop on shutdown; parts stop in reverse order of start. */
  onStop(name: string, stop: () => Promise<void>): void {
    this.stops.push({ name, stop });
  }

  async stop(): Promise<void> {
    for (const { name, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        this.logger.warn({ err, part: name }, 'error while stopping');
      }
    }
  }
}

/** Stops the runtime on SIGINT/SIGTERM; a second signal exits at once. */
export function stopOnSignals(runtime: Runtime): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    runtime.logger.info({ signal }, 'shutting down');
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
