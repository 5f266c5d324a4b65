/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked statically:
 * the services the stack needs, their images, ports, and that every variable given to
 * an hma-stream process is one the config module reads, with a value it accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configDefault, configVariables, loadConfig, type ConfigKey } from '../../src/config/config.js';
import { images } from '../support/images.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const hmaServices = Object.entries(services).filter(([, s]) => s.build !== undefined);

/** Host ports a service publishes, from "host:container" strings. */
const published = (s: ComposeService) => (s.ports ?? []).map((p) => Number(p.split(':')[0]));
const containerPort = (s: ComposeService, host: number) => Number((s.ports ?? []).find((p) => p.startsWith(`${host}:`))?.split(':')[1]);

describe('docker-compose.yml', () => {
  it('has the backing services, observability and the hma-stream processes', () => {
    for (const name of ['kafka', 'schema-registry', 'postgres', 'prometheus', 'grafana', 'api', 'hasher', 'matcher', 'fetcher']) {
      expect(services, name).toHaveProperty(name);
    }
  });

  it('runs Kafka in KRaft mode (no ZooKeeper) with single-node transaction settings', () => {
    const env = services.kafka.environment ?? {};
    expect(services.kafka.image).toBe(images.kafka);
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(services)).not.toContain('zookeeper');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
  });

  it('uses the images the test harness uses with Docker', () => {
    expect(services['schema-registry'].image).toBe(images.registry);
    expect(services.postgres.image).toBe(images.postgres);
  });

  it('publishes the standard ports, the same as the config defaults', () => {
    expect(published(services.kafka)).toContain(Number(configDefault('KAFKA_PORT')));
    expect(published(services['schema-registry'])).toContain(Number(configDefault('SCHEMA_REGISTRY_PORT')));
    expect(published(services.postgres)).toContain(Number(new URL(configDefault('DATABASE_URL')).port));
    expect(published(services.api)).toContain(Number(configDefault('API_PORT')));
    // The host-facing Kafka listener advertises the published port.
    expect(services.kafka.environment?.KAFKA_ADVERTISED_LISTENERS).toContain(`localhost:${configDefault('KAFKA_PORT')}`);
  });

  it('builds every hma-stream process from the Dockerfile and runs an existing `hma` command', () => {
    expect(existsSync(path.join(root, 'Dockerfile'))).toBe(true);
    // The long-running `hma` subcommands (src/cli/commands/processes.ts and relay.ts).
    const commands = ['api', 'hasher', 'matcher', 'flood', 'retro-matcher', 'fetcher', 'actioner', 'relay', 'all'];
    expect(hmaServices.length).toBeGreaterThanOrEqual(5);
    for (const [name, s] of hmaServices) {
      expect(s.build, name).toBe('.');
      const first = s.command?.[0] ?? '';
      if (name === 'init') expect(s.command?.join(' ')).toMatch(/topology apply.*db migrate/);
      else expect(commands, name).toContain(first);
    }
  });

  it('gives hma-stream processes only variables the config module reads, with values it accepts', () => {
    for (const [name, s] of hmaServices) {
      const env = s.environment ?? {};
      for (const key of Object.keys(env)) expect(configVariables, `${name}: ${key}`).toContain(key as ConfigKey);
      expect(() => loadConfig(env), name).not.toThrow();
    }
  });

  it('points the processes at the compose services and their container ports', () => {
    const env = loadConfig(services.api.environment ?? {});
    const kafkaListeners = services.kafka.environment?.KAFKA_ADVERTISED_LISTENERS ?? '';
    for (const broker of env.KAFKA_BROKERS) expect(kafkaListeners).toContain(`//${broker}`);
    const registry = new URL(env.SCHEMA_REGISTRY_URL);
    expect(registry.hostname).toBe('schema-registry');
    expect(Number(registry.port)).toBe(containerPort(services['schema-registry'], Number(configDefault('SCHEMA_REGISTRY_PORT'))));
    const db = new URL(env.DATABASE_URL);
    expect(db.hostname).toBe('postgres');
    expect(db.pathname).toBe(`/${services.postgres.environment?.POSTGRES_DB}`);
    expect(db.username).toBe(services.postgres.environment?.POSTGRES_USER);
  });

  it('provisions Prometheus and Grafana from files in grafana/', () => {
    const mounts = [...(services.prometheus.volumes ?? []), ...(services.grafana.volumes ?? [])];
    expect(mounts.some((m) => m.startsWith('./grafana/provisioning:'))).toBe(true);
    for (const m of mounts) {
      const source = m.split(':')[0];
      expect(source.startsWith('./grafana/'), m).toBe(true);
      expect(existsSync(path.join(root, source)), m).toBe(true);
    }
    const scrape = readFileSync(path.join(root, 'grafana', 'prometheus.yml'), 'utf8');
    for (const name of ['api', 'hasher', 'matcher', 'fetcher']) expect(scrape).toContain(`${name}:`);
  });
});
