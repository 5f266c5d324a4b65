/**
 * Reading HMA-style uploads: multipart/form-data with exactly one file whose
 * field name is the content type, plus optional text fields.
 */
import type { FastifyRequest } from 'fastify';
import { invalidInput } from '../../errors/errors.js';
import { formParts, partBytes } from './multipart.js';
import { checkContentType } from './selection.js';
import type { ContentType } from '../../signals/registry.js';

export interface Upload {
  readonly contentType: ContentType;
  readonly bytes: Buffer;
  readonly fields: Readonly<Record<string, string>>;
}

export async function readUpload(req: FastifyRequest): Promise<Upload> {
  if (!req.isMultipart()) throw invalidInput('Missing multipart/form-data file upload');
  let file: { contentType: ContentType; bytes: Buffer } | undefined;
  const fields: Record<string, string> = {};
  for await (const part of formParts(req)) {
    if (part.type === 'file') {
      if (file) throw invalidInput('Only one file allowed per request');
      const contentType = checkContentType(part.fieldname);
      file = { contentType, bytes: await partBytes(part) };
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  if (!file) throw invalidInput('Missing multipart/form-data file upload');
  return { ...file, fields };
}
