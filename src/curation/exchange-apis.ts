/**
 * Exchange API types as curation sees them: the shape of the config and credential fields each
 * type declares (these drive GET /c/exchanges/api/<api>/schema and validate api_json and
 * credential_json), and their validation. The types themselves, with their fields, are declared
 * once in src/exchanges/ and reach curation as an ExchangeApis.
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

/**
 * The installed exchange API types, as curation needs them. Curation sits below src/exchanges, so
 * the exchange-type registry there (src/exchanges/registry.ts, the only list of types and their
 * fields) is passed in through this interface.
 */
export interface ExchangeApis {
  get(name: string): ExchangeApiSpec | undefined;
  names(): string[];
}

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
