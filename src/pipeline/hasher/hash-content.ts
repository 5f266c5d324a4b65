/**
 * The hasher's transform: one submission's media, fetched (URL) or taken as sent
 * (inline), hashed with the signal types of its content type. Failures are typed
 * (src/errors) and the stage decides from the code whether to retry.
 */
import { HmaError } from '../../errors/errors.js';
import type { ComputedSignalValue, ContentHashedValue, ContentSubmittedValue } from '../../kafka/values.js';
import { mediaOf } from '../../kafka/values.js';
import { CONTENT_TYPES } from '../../signals/registry.js';
import type { FetchedMedia } from '../../media/fetch.js';
import { malformedEvent } from '../deadletter/reasons.js';

/** What the hasher needs of media hashing (src/hashing): signals for bytes of a content type. */
export interface MediaHashing {
  hash(bytes: Buffer, contentType: string): Promise<readonly ComputedSignalValue[]>;
  /** Goes into every hashed event, so results can be traced to the code that hashed them. */
  readonly version: string;
}

export interface HashDeps {
  readonly hashing: MediaHashing;
  /** Fetches a media URL under the SSRF policy and limits (src/media/fetch.ts). */
  readonly fetch: (url: string) => Promise<FetchedMedia>;
  readonly maxMediaBytes: number;
  readonly clock?: () => number;
}

export function validateSubmitted(v: ContentSubmittedValue): void {
  if (v.submission_id === '') throw malformedEvent('content.submitted event without a submission_id');
  if (v.content_id === '') throw malformedEvent('content.submitted event without a content_id');
  if (!(CONTENT_TYPES as readonly string[]).includes(v.content_type)) {
    throw malformedEvent(`content.submitted event with unknown content_type '${v.content_type}'`);
  }
  const media = mediaOf(v.media);
  if (media.kind === 'url' ? media.url === '' : media.data.length === 0) throw malformedEvent('content.submitted event without media');
}

export async function hashSubmission(sub: ContentSubmittedValue, deps: HashDeps): Promise<ContentHashedValue> {
  const media = mediaOf(sub.media);
  let bytes: Buffer;
  let fetchMs = 0;
  if (media.kind === 'url') {
    const t0 = performance.now();
    bytes = (await deps.fetch(media.url)).bytes;
    fetchMs = performance.now() - t0;
  } else {
    bytes = media.data;
    if (bytes.length > deps.maxMediaBytes) throw new HmaError('too_large', 'Content too large');
  }
  const t1 = performance.now();
  const signals = await deps.hashing.hash(bytes, sub.content_type);
  const hashMs = performance.now() - t1;
  return {
    submission_id: sub.submission_id,
    content_id: sub.content_id,
    content_type: sub.content_type,
    signals: [...signals],
    hasher_version: deps.hashing.version,
    trace_id: sub.trace_id,
    metadata: sub.metadata,
    submitted_at: sub.submitted_at,
    timings: { fetch_ms: fetchMs, hash_ms: hashMs, hashed_at: (deps.clock ?? Date.now)() },
  };
}
