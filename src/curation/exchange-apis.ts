/**
 * Exchange API types as curation sees them: the config and credential fields each type
 * declares (these drive GET /c/exchanges/api/<api>/schema and validate api_json and
 * credential_json). Fetching is not here: the exchanges module registers its
 * implementations under the same names.
 */
import { invalidInput } from '../errors/errors.js';

export type FieldType = 'string' | 'number' | 'boolean' | 'enum' | 'set_of_number' | 'set_of_string' | 'list_of_string';

/** HMA's schema field descriptor. */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly default: unknown;
  readonly help: string;
  readonly choices: readonly string[] | null;
}

export interface ExchangeApiSpec {
  readonly name: string;
  readonly configFields: readonly FieldSpec[];
  /** null: the API takes no credentials. */
  readonly credentialFields: readonly FieldSpec[] | null;
}

const field = (name: string, type: FieldType, required: boolean, help: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name, type, required, default: null, help, choices: null, ...extra,
});

const NCMEC_ENVIRONMENTS = [
  'https://report.cybertip.org/hashsharing',
  'https://report.cybertip.org/exploitative-hashsharing',
  'https://lesp.ncmec.org/csam-hashsharing',
  'https://hashsharing.ncmec.org/npo',
  'https://hashsharing.ncmec.org/exploitative',
  'https://hashsharing.ncmec.org/generative-ai-csam',
];

const builtIn: ExchangeApiSpec[] = [
  { name: 'sample', configFields: [], credentialFields: null },
  {
    name: 'fb_threatexchange',
    configFields: [field('privacy_group', 'number', true, 'the ThreatExchange privacy group id to fetch')],
    credentialFields: [field('api_token', 'string', true, 'app access token, <app_id>|<secret>')],
  },
  {
    name: 'ncmec',
    configFields: [
      field('environment', 'enum', true, 'which NCMEC hash sharing environment to fetch from', { choices: NCMEC_ENVIRONMENTS }),
      field('only_esp_ids', 'set_of_number', false, 'keep only entries from these ESP ids (empty = all)', { default: [] }),
    ],
    credentialFields: [field('user', 'string', true, 'NCMEC user name'), field('password', 'string', true, 'NCMEC password')],
  },
  {
    name: 'stop_ncii',
    configFields: [],
    credentialFields: [
      field('fetch_function_key', 'string', true, 'function key of the FetchHashes endpoint'),
      field('subscription_key', 'string', true, 'API subscription key'),
      field('base_url_override', 'string', false, 'use this base URL instead of the public API'),
    ],
  },
  {
    name: 'tat',
    configFields: [],
    credentialFields: [field('username', 'string', true, 'TCAP user name'), field('password', 'string', true, 'TCAP password')],
  },
  {
    name: 'local_file',
    configFields: [
      field('filename', 'string', true, 'the absolute file path to the signal file'),
      field('signal_type', 'string', false, 'treat every line as this signal type'),
    ],
    credentialFields: null,
  },
];

const registry = new Map<string, ExchangeApiSpec>(builtIn.map((s) => [s.name, s]));

/** Adds or replaces an API type (the exchanges module registers its own). */
export function registerExchangeApi(spec: ExchangeApiSpec): void {
  registry.set(spec.name, spec);
}

export const exchangeApi = (name: string): ExchangeApiSpec | undefined => registry.get(name);
export const exchangeApiNames = (): string[] => [...registry.keys()];

function checkValue(f: FieldSpec, v: unknown): unknown {
  const fail = (what: string) => invalidInput(`field '${f.name}' ${what}`);
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string') throw fail('must be a string');
      return v;
    case 'number':
      if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail('must be a number');
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw fail('must be a boolean');
      return v;
    case 'enum':
      if (typeof v !== 'string' || !f.choices?.includes(v)) throw fail(`must be one of: ${(f.choices ?? []).join(', ')}`);
      return v;
    case 'set_of_number':
    case 'set_of_string':
    case 'list_of_string': {
      if (!Array.isArray(v)) throw fail('must be a list');
      const want = f.type === 'set_of_number' ? 'number' : 'string';
      if (!v.every((x) => typeof x === want)) throw fail(`must be a list of ${want}s`);
      return f.type.startsWith('set_of') ? [...new Set(v)] : v;
    }
  }
}

/**
 * Validates an object against field specs: required fields present, types right,
 * no unknown keys (except those in `ignore`, set by the server). Throws invalid_input
 * with the reason; the caller adds its context to the message.
 */
export function parseFields(
  fields: readonly FieldSpec[],
  raw: Readonly<Record<string, unknown>>,
  ignore: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(raw)) {
    if (!known.has(key) && !ignore.includes(key)) throw invalidInput(`unknown field '${key}'`);
  }
  for (const f of fields) {
    const v = raw[f.name];
    if (v === undefined || v === null) {
      if (f.required) throw invalidInput(`missing required field '${f.name}'`);
      out[f.name] = f.default;
    } else out[f.name] = checkValue(f, v);
  }
  return out;
}
