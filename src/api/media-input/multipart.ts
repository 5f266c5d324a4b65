/**
 * The one reader of multipart bodies: every route that takes uploads iterates its
 * parts here, so text fields get the edge's control-character check (edge.ts) and a
 * broken body (truncated, no boundary, bad part headers) is a 400 naming the problem,
 * not a parser error surfacing as a 500.
 */
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { HmaError, invalidInput, isHmaError } from '../../errors/errors.js';
import { checkText } from '../../runtime/edge.js';

/** What a multipart parser error becomes; HMA errors and our own refusals pass through. */
export function multipartError(err: unknown): Error {
  if (isHmaError(err)) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return new HmaError('too_large', 'Content too large');
  if (e.code === 'FST_FILES_LIMIT') return invalidInput('Only one file allowed per request');
  if (e.code === 'FST_FIELDS_LIMIT' || e.code === 'FST_PARTS_LIMIT') return invalidInput('Too many fields in the multipart body');
  if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return invalidInput('Expected a multipart/form-data body');
  // Parser failures (busboy): truncated body, no boundary, malformed part headers, closed early.
  return invalidInput(`Malformed multipart/form-data body: ${e.message ?? 'unreadable'}`);
}

/** The parts of a multipart request, text checked, parser failures as 400s. */
export async function* formParts(req: FastifyRequest): AsyncGenerator<Multipart> {
  try {
    for await (const part of req.parts()) {
      checkText(part.fieldname, 'a multipart field name');
      if (part.type === 'file') checkText(part.filename, `the file name of multipart field '${part.fieldname}'`);
      else if (typeof part.value === 'string') checkText(part.value, `multipart field '${part.fieldname}'`);
      yield part;
    }
  } catch (err) {
    throw multipartError(err);
  }
}

/** A file part's bytes, with the same error mapping. */
export async function partBytes(part: Extract<Multipart, { type: 'file' }>): Promise<Buffer> {
  try {
    return await part.toBuffer();
  } catch (err) {
    throw multipartError(err);
  }
}
