/**
 * Reading the UI's HTML forms: urlencoded (formbody) or multipart (with at most one
 * file). A file input left empty still sends a part with no name and no bytes; it is
 * treated as absent.
 */
import type { FastifyRequest } from 'fastify';
import { invalidInput } from '../../errors/errors.js';
import { formParts, partBytes } from '../media-input/multipart.js';

export interface FormFile {
  readonly field: string;
  readonly filename: string;
  readonly bytes: Buffer;
}

export interface Form {
  readonly fields: Readonly<Record<string, string>>;
  /** The first file. */
  readonly file?: FormFile;
  readonly files?: readonly FormFile[];
}

/** Text fields and up to `maxFiles` files (more is refused). */
export async function readForm(req: FastifyRequest, maxFiles = 1): Promise<Form> {
  if (!req.isMultipart()) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) {
      // A repeated name (hidden default + checkbox) arrives as a list: the last one wins, as in multipart.
      const last: unknown = Array.isArray(v) ? v.at(-1) : v;
      if (typeof last === 'string') fields[k] = last;
    }
    return { fields };
  }
  const fields: Record<string, string> = {};
  const files: FormFile[] = [];
  for await (const part of formParts(req)) {
    if (part.type === 'file') {
      const bytes = await partBytes(part);
      if (part.filename === '' && bytes.length === 0) continue;
      if (files.length === maxFiles) throw invalidInput(maxFiles === 1 ? 'Only one file allowed per request' : `At most ${maxFiles} files per request`);
      files.push({ field: part.fieldname, filename: part.filename, bytes });
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  return files.length > 0 ? { fields, file: files[0], files } : { fields };
}

/** A trimmed field, or undefined when missing or blank. */
export function field(form: Form, name: string): string | undefined {
  const v = form.fields[name]?.trim();
  return v ? v : undefined;
}

export function requiredField(form: Form, name: string, message: string): string {
  const v = field(form, name);
  if (v === undefined) throw invalidInput(message);
  return v;
}

/** HMA's checkbox semantics for bypass_enabled_ratio: true unless literally "false". */
export const notFalse = (v: string | undefined): boolean => v === undefined || v.trim().toLowerCase() !== 'false';
