/**
 * The HTTP edge: what every request meets before a route sees it. Control characters
 * in any client string are refused here with a 400 naming the field (Postgres refuses
 * NUL, logs and terminals misread the others), request bodies get a strict validator
 * (no silent coercion of JSON types) while query strings and paths keep string →
 * number coercion, and in-flight upload bytes are bounded by one budget.
 */
import { AjvCompiler, type ValidatorFactory } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Gauge } from 'prom-client';
import type { Config } from '../config/config.js';
import { invalidInput } from '../errors/errors.js';
import { registry } from '../observability/metrics.js';

/** C0 controls and DEL, except tab, line feed and carriage return (multi-line notes are fine). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Deeper JSON than this is refused rather than walked (and no route needs it). */
const MAX_DEPTH = 64;

/** Throws a 400 naming `field` when the string holds a control character. */
export function checkText(value: string, field: string): string {
  if (CONTROL.test(value)) throw invalidInput(`${field} contains a control character`);
  return value;
}

/** Walks a parsed value (body, query, params), checking every string and object key. */
export function checkTree(value: unknown, field: string, depth = 0): void {
  if (typeof value === 'string') {
    checkText(value, field);
    return;
  }
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return;
  if (depth > MAX_DEPTH) throw invalidInput(`${field} is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkTree(v, `${field}[${i}]`, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    checkText(k, `a key of ${field}`);
    checkTree(v, `${field}.${k}`, depth + 1);
  }
}

/**
 * Longest path segment the router accepts: long enough for every name we let a
 * client create (bank and exchange names, MAX_BANK_NAME), so nothing can be created
 * that its own GET, PUT or DELETE cannot address.
 */
export const MAX_PATH_PARAM = 1024;

/**
 * Fastify server options of the edge: timeouts (a client trickling a body or its
 * headers is cut off, answered 408 by Node) and the validator compilers.
 */
export function edgeServerOptions(config: Config): Partial<FastifyServerOptions> {
  // Node checks request and header deadlines on this interval (30 s by default). `http`
  // (options for http.createServer) is in FastifyHttpOptions, not the shared base type.
  const http = { connectionsCheckingInterval: Math.min(1000, config.HTTP_HEADERS_TIMEOUT_MS) };
  return {
    routerOptions: { maxParamLength: MAX_PATH_PARAM },
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    schemaController: { compilersFactory: { buildValidator: validatorFactory() as unknown as ValidatorFactory } },
    ...({ http } as Partial<FastifyServerOptions>),
  };
}

/** Applies what server options cannot carry; call once the app is built. */
export function applyEdgeTimeouts(app: FastifyInstance, config: Config): void {
  // Node wants the headers deadline within the whole request's.
  app.server.headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS);
}

interface RouteDef {
  readonly httpPart?: string;
  readonly schema?: unknown;
}
type Compile = (route: RouteDef) => unknown;
type Factory = (externalSchemas: unknown, options?: { customOptions?: Record<string, unknown> }) => Compile;

/**
 * Bodies are JSON with real types: `{"name":["A"]}` is not a name, `1` is not a
 * string. Query strings and paths are text, so numbers and (repeated-key) arrays
 * there are coerced.
 */
function validatorFactory(): Factory {
  const factory = AjvCompiler() as unknown as Factory;
  return (externalSchemas, options = {}) => {
    const loose = factory(externalSchemas, { ...options, customOptions: { ...options.customOptions, coerceTypes: 'array' } });
    const strict = factory(externalSchemas, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } });
    return (route) => {
      const bounded = { ...route, schema: boundIntegers(route.schema) };
      return route.httpPart === 'body' ? strict(bounded) : loose(bounded);
    };
  };
}

/**
 * Every integer a client sends is bounded to what JavaScript and Postgres bigint hold
 * exactly (`2.3e+160` is an integer to JSON Schema, and a 500 from Postgres), unless
 * its schema bounds it already.
 */
function boundIntegers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(boundIntegers);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? v : boundIntegers(v);
  const type = out.type;
  if (type === 'integer' || (Array.isArray(type) && type.includes('integer'))) {
    out.maximum ??= Number.MAX_SAFE_INTEGER;
    out.minimum ??= -Number.MAX_SAFE_INTEGER;
  }
  return out;
}

const inFlight = new Gauge({
  name: 'hma_http_upload_bytes_in_flight',
  help: 'Request body bytes reserved by requests being received or handled (bounded by UPLOAD_MEMORY_BUDGET_BYTES)',
  registers: [registry],
});

/** Bodies up to this size skip the budget: JSON and forms, bounded by MAX_REQUEST_BYTES anyway. */
const SMALL_BODY = 64 * 1024;

/**
 * The upload budget. A request with a large body reserves its declared length (a
 * chunked one, the largest media allowed) before its body is read, and gives it back
 * when its response is done or the connection drops. When the budget is spent it is
 * answered 503 with Retry-After at once, before any byte is buffered. One request is
 * always let in when nothing else holds the budget, so no allowed size is refused for
 * ever.
 */
export function uploadBudget(app: FastifyInstance, config: Config): void {
  const budget = config.UPLOAD_MEMORY_BUDGET_BYTES;
  let used = 0;
  app.addHook('onRequest', async (req, reply) => {
    const declared = req.headers['content-length'];
    const chunked = declared === undefined && req.headers['transfer-encoding'] !== undefined;
    const bytes = chunked ? config.MAX_MEDIA_BYTES : Number(declared ?? 0);
    if (!(bytes > SMALL_BODY)) return;
    if (used > 0 && used + bytes > budget) {
      return reply
        .status(503)
        .header('retry-after', '2')
        .send({ message: `server busy: uploads in flight use the upload memory budget (${budget} bytes); retry shortly` });
    }
    used += bytes;
    inFlight.set(used);
    reply.raw.once('close', () => {
      used -= bytes;
      inFlight.set(used);
    });
  });
}

/** Throws a 400 for an infinite number anywhere in a validated value. */
function checkFinite(value: unknown, field: string, depth = 0): void {
  if (typeof value === 'number' && !Number.isFinite(value)) throw invalidInput(`${field} must be a finite number`);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || Buffer.isBuffer(value)) return;
  for (const [k, v] of Object.entries(value)) checkFinite(v, `${field}.${k}`, depth + 1);
}

/**
 * Refuses control characters in the path, query and parsed body of every request, and,
 * once validated, infinite numbers: JSON's 1e400 parses to Infinity, and ajv lets a
 * coerced "Infinity" through `integer` with a maximum.
 */
export function controlCharGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    checkTree(req.params, 'path');
    checkTree(req.query, 'query');
    // Multipart bodies are read by their routes, through media-input/multipart.ts.
    checkTree(req.body, 'body');
  });
  app.addHook('preHandler', async (req) => {
    checkFinite(req.params, 'path');
    checkFinite(req.query, 'query');
    checkFinite(req.body, 'body');
  });
}
