/** Builders for the field descriptors, credentials and checkpoints every exchange type declares. */
import type { z } from 'zod';
import type { FieldSpec, FieldType } from '../curation/exchange-apis.js';
import { authError, malformed } from './errors.js';

export const field = (
  name: string,
  type: FieldType,
  required: boolean,
  help: string,
  extra: Partial<FieldSpec> = {},
): FieldSpec => ({ name, type, required, default: null, help, choices: null, ...extra });

/** Stored credentials checked against the type's required string fields. */
export function requireCredentials(
  api: string,
  fields: readonly FieldSpec[],
  raw: Readonly<Record<string, unknown>> | undefined,
): Record<string, string | null> {
  if (!raw) throw authError(`no credentials set for exchange API '${api}' (POST /c/exchanges/api/${api})`);
  const out: Record<string, string | null> = {};
  for (const f of fields) {
    const v = raw[f.name];
    if (v === undefined || v === null || v === '') {
      if (f.required) throw authError(`credentials for exchange API '${api}' lack '${f.name}'`);
      out[f.name] = null;
    } else if (typeof v !== 'string') {
      throw authError(`credentials for exchange API '${api}': '${f.name}' must be a string`);
    } else out[f.name] = v;
  }
  return out;
}

/** Parses a stored checkpoint (or an upstream body) with a zod schema; 'malformed' on mismatch. */
export function parseAs<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw malformed(`${what}: ${issue?.message ?? 'unexpected shape'}${where}`);
}

/** JSON.parse that fails as 'malformed' with context instead of a SyntaxError. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(`${what}: body is not JSON`);
  }
}
