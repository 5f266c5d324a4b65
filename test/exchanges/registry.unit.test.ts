import { describe, expect, it } from 'vitest';
import { apiSchema } from '../../src/curation/exchanges.js';
import { exchangeTypeRegistry } from '../../src/exchanges/registry.js';
import { NCMEC_ENVIRONMENT_URLS } from '../../src/exchanges/ncmec/environments.js';

const names = (fields: ReadonlyArray<{ name: string }> | null | undefined) => fields?.map((f) => f.name);

describe('exchange type registry (the only source of field specs)', () => {
  it('installs the development types only outside production', () => {
    expect(exchangeTypeRegistry({ PRODUCTION: true }).names()).not.toContain('infinite_random');
    expect(exchangeTypeRegistry({ PRODUCTION: false }).names()).toContain('infinite_random');
    expect(exchangeTypeRegistry({ PRODUCTION: true }).get('infinite_random')).toBeUndefined();
  });

  it('serves each type its own fields: every NCMEC environment, stop_ncii feedback key, local_file format', () => {
    const apis = exchangeTypeRegistry({ PRODUCTION: true });
    const env = apis.get('ncmec')!.configFields.find((f) => f.name === 'environment')!;
    expect(env.choices).toEqual(NCMEC_ENVIRONMENT_URLS);
    expect(env.choices).toHaveLength(14);
    expect(names(apiSchema(apis, 'stop_ncii').credentials_schema?.fields as { name: string }[])).toContain('submit_feedback_function_key');
    expect(names(apiSchema(apis, 'local_file').config_schema.fields as { name: string }[])).toEqual(['filename', 'signal_type', 'format']);
    expect(apiSchema(apis, 'sample').credentials_schema).toBeNull();
    expect(() => apiSchema(apis, 'infinite_random')).toThrow("Exchange API 'infinite_random' not found");
  });
});
