import { describe, expect, it } from 'vitest';
import { ConfigError, configDefault, configVariables, loadConfig } from '../../src/config/config.js';
import { saslOptions } from '../../src/kafka/client.js';

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('applies the documented defaults when the environment is empty', () => {
    const cfg = loadConfig({});
    expect(cfg.API_PORT).toBe(5000);
    expect(cfg.KAFKA_BROKERS).toEqual(['localhost:9092']);
    expect(cfg.KAFKA_PORT).toBe(9092);
    expect(cfg.SCHEMA_REGISTRY_PORT).toBe(8081);
    expect(cfg.SCHEMA_REGISTRY_URL).toBe('http://localhost:8081/apis/ccompat/v7');
    expect(cfg.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/hma');
    expect(cfg.TOPIC_PREFIX).toBe('hma.');
    expect(cfg.PRODUCTION).toBe(true);
    expect(cfg.SERVICES_KAFKA_HEAP).toBe('1g');
    expect(cfg.KAFKA_VERSION).toBe('3.9.1');
    expect(cfg.APICURIO_VERSION).toBe('3.0.9');
  });

  it('parses typed values from strings', () => {
    const cfg = loadConfig({ API_PORT: ' 8080 ', PRODUCTION: 'no', KAFKA_BROKERS: 'a:1, b:2,', TOPIC_PARTITIONS: '12' });
    expect(cfg.API_PORT).toBe(8080);
    expect(cfg.PRODUCTION).toBe(false);
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.TOPIC_PARTITIONS).toBe(12);
  });

  it.each([
    ['API_PORT', '70000'],
    ['API_PORT', 'http'],
    ['PRODUCTION', 'maybe'],
    ['KAFKA_BROKERS', 'localhost'],
    ['KAFKA_SASL_MECHANISM', 'kerberos'],
    ['TOPIC_PREFIX', 'has space'],
    ['SCHEMA_REGISTRY_URL', 'not a url'],
    ['DATABASE_URL', '//nohost'],
    ['LOG_LEVEL', 'verbose'],
    ['SERVICES_KAFKA_HEAP', '1 gigabyte'],
  ])('rejects %s=%s naming the variable and the value', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
    expect(problems[0]).toContain(JSON.stringify(value));
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ API_PORT: '0', KAFKA_PORT: 'x', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.split('=')[0]).sort()).toEqual(['API_PORT', 'KAFKA_PORT', 'LOG_LEVEL']);
  });

  it('lists every variable it reads, each with a default that validates', () => {
    expect(configVariables).toContain('KAFKA_PORT');
    expect(configVariables).toContain('SCHEMA_REGISTRY_PORT');
    for (const name of configVariables) {
      expect(() => loadConfig({ [name]: configDefault(name) })).not.toThrow();
    }
  });

  it('requires SASL credentials when a mechanism is set, naming the missing variables', () => {
    const cfg = loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    expect(() => saslOptions(cfg)).toThrow(ConfigError);
    expect(() => saslOptions(cfg)).toThrow(/KAFKA_SASL_USERNAME.*\n.*KAFKA_SASL_PASSWORD/s);
    const ok = loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' });
    expect(saslOptions(ok)).toEqual({ mechanism: 'plain', username: 'u', password: 'p' });
    expect(saslOptions(loadConfig({}))).toBeUndefined();
  });
});
