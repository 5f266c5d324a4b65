/**
 * JSON as HMA writes it (Flask's jsonify of Python values), for the HMA-compatible
 * routes: object keys sorted (recursively), and a number that HMA types as a float
 * written with a fraction (`1.0`, not `1`), so that clients with typed models keep
 * parsing our answers (docs/HMA-COMPATIBILITY.md, "Clients").
 *
 * Which numbers are floats comes from the route's response schema: a number schema
 * with `format: 'float'` (the OpenAPI spelling). Integers stay integers. Like the
 * default (schema-compiled) serializer, an object schema with `properties` emits only the
 * declared properties unless it allows additional ones, and a numeric string is written
 * as a number where the schema declares one.
 */

/** The subset of JSON Schema the writer follows. */
export interface JsonSchemaLike {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaLike>>;
  readonly additionalProperties?: boolean | JsonSchemaLike;
  readonly items?: JsonSchemaLike | readonly JsonSchemaLike[];
}

/** A float field of an HMA answer (Python float): written with a fraction. */
export const float = { type: 'number', format: 'float' } as const;

const isFloatSchema = (s: JsonSchemaLike | undefined) => s?.format === 'float';

const typesOf = (s: JsonSchemaLike | undefined): readonly string[] => (s?.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : s.type);

/**
 * A numeric string where the schema wants a number (a Postgres bigint arrives as text):
 * written as the number, as the schema-compiled serializer did.
 */
function numberFromText(value: string, schema: JsonSchemaLike | undefined): number | undefined {
  const types = typesOf(schema);
  if (types.includes('string') || !(types.includes('integer') || types.includes('number'))) return undefined;
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  return types.includes('integer') ? Math.trunc(n) : n;
}

function writeNumber(n: number, asFloat: boolean): string {
  if (!Number.isFinite(n)) return 'null';
  // Python's repr of a whole float: "1.0"; beyond 1e16 both languages use exponents.
  if (asFloat && Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return JSON.stringify(n);
}

function propertySchema(schema: JsonSchemaLike | undefined, key: string): JsonSchemaLike | undefined {
  if (schema?.properties && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  const extra = schema?.additionalProperties;
  return typeof extra === 'object' ? extra : undefined;
}

/** Whether a declared object schema lets `key` through (the default serializer's rule). */
function emits(schema: JsonSchemaLike | undefined, key: string): boolean {
  if (!schema?.properties) return true;
  return Object.hasOwn(schema.properties, key) || (schema.additionalProperties !== undefined && schema.additionalProperties !== false);
}

function write(value: unknown, schema: JsonSchemaLike | undefined): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'number': {
      const types = typesOf(schema);
      // A number where the schema declares only text is written as text, as the compiled serializer did.
      if (types.includes('string') && !types.includes('number') && !types.includes('integer')) return JSON.stringify(String(value));
      return writeNumber(value, isFloatSchema(schema));
    }
    case 'string': {
      const n = numberFromText(value, schema);
      return n === undefined ? JSON.stringify(value) : writeNumber(n, isFloatSchema(schema));
    }
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return isFloatSchema(schema) ? `${value}.0` : value.toString();
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        const items = schema?.items;
        return `[${value
          .map((v, i) => write(v, Array.isArray(items) ? (items as JsonSchemaLike[])[i] : (items as JsonSchemaLike | undefined)) ?? 'null')
          .join(',')}]`;
      }
      const parts: string[] = [];
      for (const key of Object.keys(value).sort()) {
        if (!emits(schema, key)) continue;
        const v = write((value as Record<string, unknown>)[key], propertySchema(schema, key));
        if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined; // undefined, functions, symbols: left out, as JSON.stringify does
  }
}

/** Serializes a value with sorted keys and the schema's float fields written as floats. */
export function hmaStringify(value: unknown, schema?: JsonSchemaLike): string {
  return write(value, schema) ?? 'null';
}
