/**
 * Whether this process can reach Kafka and the schema registry, decided by one probe per
 * service rather than by whichever client failed last: lookups keep answering from the
 * replica and submissions are refused at once (503) while a service is down, and the
 * outage is logged once when it starts and once when it ends, not on every retry of every
 * client (kafkajs's connection errors are demoted to debug, see client.ts).
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Gauge } from 'prom-client';
import { log } from '../observability/logger.js';
import { registry } from '../observability/metrics.js';
import { saslOptions, type KafkaClientConfig } from './client.js';
import { listenForConnectivityErrors, withDeadline } from './connectivity.js';
import type { RegistryConfig } from './registry.js';

export type ServiceName = 'kafka' | 'schema-registry';

/** What a readiness check answers while the service is down (HMA-style upper-case reasons). */
export const downReason: Readonly<Record<ServiceName, string>> = {
  kafka: 'KAFKA-UNAVAILABLE',
  'schema-registry': 'SCHEMA-REGISTRY-UNAVAILABLE',
};

const label: Readonly<Record<ServiceName, string>> = { kafka: 'Kafka', 'schema-registry': 'schema registry' };

const upGauge = new Gauge({
  name: 'hma_dependency_up',
  help: 'Whether this process reaches a backing service (1) or not (0), by service; absent until first probed',
  labelNames: ['service'] as const,
  registers: [registry],
});

export interface ServiceState {
  /** Unknown until the first probe answered. */
  readonly up: boolean | undefined;
  /** When the state last changed (epoch ms). */
  readonly since: number;
  /** Why it is down, as the probe saw it. */
  readonly reason?: string;
}

/**
 * One backing service's state as this process sees it. Transitions are logged once;
 * `suspect()` (a client saw a connection error) makes the probe look again at once.
 */
export class ServiceHealth {
  private state: ServiceState = { up: undefined, since: Date.now() };
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private readonly logger = log('health');
  private readonly listeners = new Set<(up: boolean) => void>();

  constructor(
    readonly service: ServiceName,
    private readonly probe: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
  ) {}

  get current(): ServiceState {
    return this.state;
  }

  /** False only when known to be down: an unprobed service is given the benefit of the doubt. */
  get available(): boolean {
    return this.state.up !== false;
  }

  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      void this.check().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A client saw a connection-level error: probe now rather than at the next tick. */
  suspect(): void {
    if (this.timer) void this.check();
  }

  /** Probes once (concurrent callers share the probe) and records the outcome. */
  check(): Promise<void> {
    this.probing ??= (async () => {
      try {
        await withDeadline(this.probe(), this.timeoutMs);
        this.record(true);
      } catch (err) {
        this.record(false, (err as Error).message);
      } finally {
        this.probing = undefined;
      }
    })();
    return this.probing;
  }

  private record(up: boolean, reason?: string): void {
    const was = this.state;
    upGauge.set({ service: this.service }, up ? 1 : 0);
    if (was.up === up) return;
    const now = Date.now();
    this.state = { up, since: now, ...(reason ? { reason } : {}) };
    const name = label[this.service];
    if (!up) this.logger.error({ service: this.service, reason }, `${name} unavailable`);
    else if (was.up === false) this.logger.info({ service: this.service, down_seconds: (now - was.since) / 1000 }, `${name} back`);
    for (const l of this.listeners) l(up);
  }
}

/** Fails unless the cluster answers a metadata request (one attempt, short timeouts, no client logging). */
export function kafkaProbe(cfg: KafkaClientConfig, timeoutMs: number): { probe: () => Promise<void>; close: () => Promise<void> } {
  let admin: Admin | undefined;
  const kafka = new Kafka({
    clientId: `${cfg.KAFKA_CLIENT_ID}-health`,
    brokers: [...cfg.KAFKA_BROKERS],
    ssl: cfg.KAFKA_SSL,
    sasl: saslOptions(cfg),
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  return {
    async probe() {
      try {
        if (!admin) {
          admin = kafka.admin();
          await admin.connect();
        }
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no broker in the cluster metadata');
      } catch (err) {
        const a = admin;
        admin = undefined;
        await a?.disconnect().catch(() => undefined);
        throw err;
      }
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}

/** Fails unless the registry answers its subject list. */
export function registryProbe(cfg: RegistryConfig, timeoutMs: number): () => Promise<void> {
  const url = `${cfg.SCHEMA_REGISTRY_URL.replace(/\/+$/, '')}/subjects`;
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    if (res.status >= 500) throw new Error(`schema registry answered ${res.status}`);
  };
}

/**
 * The process's view of its backing services, one per process (its Runtime's): every
 * part reads the same state, and kafkajs's logger reports connection errors to it.
 */
export class Dependencies {
  readonly kafka: ServiceHealth;
  readonly registry: ServiceHealth;
  private closeKafkaProbe: (() => Promise<void>) | undefined;

  constructor(kafka: ServiceHealth, registryHealth: ServiceHealth) {
    this.kafka = kafka;
    this.registry = registryHealth;
  }

  static fromConfig(cfg: KafkaClientConfig & RegistryConfig): Dependencies {
    const k = kafkaProbe(cfg, 2000);
    const deps = new Dependencies(
      new ServiceHealth('kafka', k.probe, 1000, 3000),
      new ServiceHealth('schema-registry', registryProbe(cfg, 2000), 2000, 3000),
    );
    deps.closeKafkaProbe = k.close;
    return deps;
  }

  /** Why the process cannot do Kafka work right now, or undefined. */
  kafkaProblem(): string | undefined {
    return this.kafka.available ? undefined : downReason.kafka;
  }

  /** Starts both probes; kafkajs's connection errors in this process make the Kafka probe look at once. */
  start(): void {
    this.kafka.start();
    this.registry.start();
    listenForConnectivityErrors(() => this.kafka.suspect());
  }

  async stop(): Promise<void> {
    listenForConnectivityErrors(undefined);
    this.kafka.stop();
    this.registry.stop();
    await this.closeKafkaProbe?.();
  }
}

