/**
 * The schema-registry client and schema registration: TopicNameStrategy subjects
 * (`<prefix><topic>-value`), compatibility BACKWARD on each.
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/config.js';
import { topics, valueSubject, type TopicName } from '../../topology/topics.js';
import { valueSchema } from './schemas.js';

export type RegistryConfig = Pick<Config, 'SCHEMA_REGISTRY_URL'>;

export function createRegistry(cfg: RegistryConfig): SchemaRegistry {
  return new SchemaRegistry({ host: cfg.SCHEMA_REGISTRY_URL, clientId: 'hma-stream' });
}

const base = (cfg: RegistryConfig) => cfg.SCHEMA_REGISTRY_URL.replace(/\/+$/, '');

/** The subject's own compatibility level, or undefined when it has none (or does not exist yet). */
export async function subjectCompatibility(cfg: RegistryConfig, subject: string): Promise<string | undefined> {
  const res = await fetch(`${base(cfg)}/config/${encodeURIComponent(subject)}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`schema registry: GET config of ${subject} answered ${res.status}`);
  const body = (await res.json()) as { compatibilityLevel?: string; compatibility?: string };
  return (body.compatibilityLevel ?? body.compatibility)?.toUpperCase();
}

export async function setSubjectCompatibility(cfg: RegistryConfig, subject: string, level: COMPATIBILITY): Promise<void> {
  const res = await fetch(`${base(cfg)}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
  });
  if (!res.ok) throw new Error(`schema registry: PUT config of ${subject} answered ${res.status}: ${await res.text()}`);
}

export interface Registration {
  readonly topic: TopicName;
  readonly subject: string;
  readonly id: number;
  /** Set when the subject had another compatibility level, now corrected to BACKWARD. */
  readonly compatibilityWas?: string;
}

/**
 * Registers every topic's value schema (idempotent: an unchanged schema keeps its id) with
 * compatibility BACKWARD. An incompatible change fails with the registry's explanation.
 */
export async function registerSchemas(cfg: RegistryConfig & Pick<Config, 'TOPIC_PREFIX'>, registry = createRegistry(cfg)): Promise<Registration[]> {
  const out: Registration[] = [];
  for (const t of topics) {
    const subject = valueSubject(cfg.TOPIC_PREFIX, t.name);
    const was = await subjectCompatibility(cfg, subject);
    if (was !== undefined && was !== COMPATIBILITY.BACKWARD) {
      await setSubjectCompatibility(cfg, subject, COMPATIBILITY.BACKWARD);
    }
    try {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: valueSchema(t.name).text },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      out.push({ topic: t.name, subject, id, ...(was !== undefined && was !== COMPATIBILITY.BACKWARD ? { compatibilityWas: was } : {}) });
    } catch (err) {
      throw new Error(`registering schemas/${t.valueSchema} as ${subject} failed: ${(err as Error).message}`);
    }
  }
  return out;
}
