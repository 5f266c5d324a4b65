import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

describe('test environment contract', () => {
  it('hands workers the services, the test database and a per-run topic prefix', () => {
    const cfg = loadConfig(process.env);
    expect(process.env.KAFKA_BROKERS).toBeTruthy();
    expect(process.env.SCHEMA_REGISTRY_URL).toBeTruthy();
    expect(new URL(cfg.DATABASE_URL).pathname).toMatch(/_test$/);
    expect(cfg.TOPIC_PREFIX).toMatch(/^test-[a-z0-9]+-[0-9a-f]{6}\.$/);
  });
});
