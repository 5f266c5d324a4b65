/**
 * Opaque page tokens for bank content listings: the keyset position plus the order,
 * so a token cannot be replayed against a listing in the other direction.
 */
import { invalidInput } from '../errors/errors.js';
import type { ContentCursor } from './content-store.js';

export type ListOrder = 'asc' | 'desc';

interface TokenBody {
  readonly v: 1;
  readonly t: string;
  readonly i: number;
  readonly o: ListOrder;
}

export function encodePageToken(cursor: ContentCursor, order: ListOrder): string {
  const body: TokenBody = { v: 1, t: cursor.updatedAt, i: cursor.id, o: order };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

const TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

export function decodePageToken(token: string, order: ListOrder): ContentCursor {
  const bad = () => invalidInput('invalid page_token');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const b = body as Partial<TokenBody>;
  if (typeof b !== 'object' || b === null || b.v !== 1 || typeof b.t !== 'string' || !TS.test(b.t)) throw bad();
  if (typeof b.i !== 'number' || !Number.isSafeInteger(b.i) || b.i < 0) throw bad();
  if (b.o !== order) throw invalidInput(`page_token was issued for order=${b.o}, not order=${order}`);
  return { updatedAt: b.t, id: b.i };
}
