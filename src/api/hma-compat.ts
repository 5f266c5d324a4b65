/**
 * What every HMA-compatible route group (/h, /m, /c, /dev) shares so that clients
 * written for HMA keep working (docs/HMA-COMPATIBILITY.md, "Clients"). Call it at the
 * top of the group's (encapsulated) plugin:
 *
 * - answers are written as Flask writes them: sorted keys, floats with a fraction
 *   (src/api/hma-json.ts), for every status code of every route;
 * - an empty body carries no content type: a bodiless POST whose input is all in the
 *   query (Ruby's Net::HTTP sends `application/x-www-form-urlencoded`, others
 *   `application/octet-stream` or `application/json`) is not refused for its
 *   Content-Type; a route that needs a body still validates the missing one;
 * - routes are marked `hma`, so that errors map to HMA's status codes
 *   (src/runtime/http-errors.ts, hmaHttpStatusOf).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hmaStringify, type JsonSchemaLike } from './hma-json.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An HMA-compatible route: HMA's JSON writing and status codes. */
    hma?: boolean;
  }
}

/** Any answer a route declares no schema for: written with sorted keys, no float fields. */
const anyAnswer = { description: 'any other answer, e.g. {"message": "..."}' } as const;

function dropEmptyBodyContentType(req: FastifyRequest): void {
  const h = req.headers;
  if (h['content-type'] === undefined || h['transfer-encoding'] !== undefined) return;
  const length = h['content-length'];
  if (length === undefined || length === '0') delete h['content-type'];
}

export function hmaCompatible(app: FastifyInstance): void {
  app.setSerializerCompiler(({ schema }) => (data) => hmaStringify(data, schema as JsonSchemaLike));
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, hma: true };
    const schema = (route.schema ??= {});
    // A `default` answer schema routes every status without its own through the serializer above.
    const response = (schema.response ??= {}) as Record<string, unknown>;
    response.default ??= anyAnswer;
  });
  app.addHook('onRequest', async (req) => dropEmptyBodyContentType(req));
}
